import { afterEach, describe, expect, it } from 'vitest'
import { setLocale, t } from '../composables/useI18n'
import { failureHeadline, sameFailure, splitFailure } from './failure'

const REASON = [
  'The engine exited with code 1 before becoming ready. The model file could not be loaded: it may be incomplete or not a GGUF file; download it again.',
  'Last output:',
  "0.00.015.394 I srv    load_model: loading model '/tmp/broken.gguf'",
  '0.00.015.568 E gguf_init_from_reader: failed to read header',
  '',
  '0.00.016.334 E srv  llama_server: exiting due to model loading error',
].join('\n')

describe('splitFailure', () => {
  it('splits the summary line from the engine output and counts the output lines', () => {
    const parts = splitFailure(REASON)
    expect(parts.summary).toMatch(/^The engine exited with code 1 .* download it again\.$/)
    expect(parts.details.startsWith('Last output:\n0.00.015.394')).toBe(true)
    expect(parts.outputLines).toBe(3)
  })

  it('keeps a one-line reason whole, and copes with nothing', () => {
    expect(splitFailure('  The engine was not healthy within 8 s, so it was stopped.  ')).toEqual({
      summary: 'The engine was not healthy within 8 s, so it was stopped.',
      details: '',
      outputLines: 0,
    })
    expect(splitFailure(null)).toEqual({ summary: '', details: '', outputLines: 0 })
    expect(splitFailure('a\r\nb\r\nc').outputLines).toBe(2)
  })
})

describe('sameFailure', () => {
  it('compares reasons ignoring surrounding space, never matching an empty one', () => {
    expect(sameFailure(REASON, `${REASON}\n`)).toBe(true)
    expect(sameFailure(REASON, 'other')).toBe(false)
    expect(sameFailure('', '')).toBe(false)
    expect(sameFailure(null, REASON)).toBe(false)
  })
})

describe('failureHeadline', () => {
  afterEach(() => setLocale('en'))
  const failed = {
    reason: REASON,
    summary: { code: 'engine_exited_before_ready', message: 'The engine exited with code 1 before becoming ready', params: { code: '1' } },
    hint: 'hint_model_unloadable',
  }

  it('says the summary and the hint in the UI’s language', () => {
    expect(failureHeadline(failed, t)).toBe(
      'The engine exited with code 1 before becoming ready. The model file could not be loaded: it may be incomplete or not a GGUF file; download it again.',
    )
    setLocale('zh')
    expect(failureHeadline(failed, t)).toBe('引擎在就绪前退出，退出码为 1。无法加载模型文件：文件可能不完整或不是 GGUF 文件；请重新下载。')
  })

  it('says a summary without a hint, and an engine that printed nothing', () => {
    setLocale('zh')
    const timedOut = {
      reason: 'The engine was not healthy within 120 s, so it was stopped.\nLast output:\nloading…',
      summary: { code: 'engine_not_ready_in_time', message: 'The engine was not healthy within 120 s, so it was stopped', params: { seconds: '120' } },
    }
    expect(failureHeadline(timedOut, t)).toBe('引擎在 120 秒内未通过健康检查，已将其停止。')
    const silent = {
      reason: 'The engine was killed by signal 9 (SIGKILL) while running; it printed nothing.',
      summary: { code: 'engine_killed_while_running', message: 'The engine was killed by signal 9 (SIGKILL) while running', params: { signal: '9' } },
      hint: null,
    }
    expect(failureHeadline(silent, t)).toBe('引擎在运行中被信号 9 终止。引擎没有任何输出。')
    setLocale('en')
    expect(failureHeadline(silent, t)).toBe('The engine was killed by signal 9 while running. It printed nothing.')
  })

  it('says a spawn failure by its error code', () => {
    setLocale('zh')
    const spawn = {
      reason: 'Could not start /opt/llama-server: No such file or directory (os error 2)',
      summary: { code: 'engine_spawn_failed', message: 'Could not start …', params: { program: '/opt/llama-server', detail: 'No such file or directory (os error 2)' } },
    }
    expect(failureHeadline(spawn, t)).toBe('无法启动 /opt/llama-server：No such file or directory (os error 2)。请确认该程序存在，并且是可执行的引擎版本。')
  })

  it('keeps the English first line without a summary, for an unknown code or hint, or a missing value', () => {
    setLocale('zh')
    const english = splitFailure(REASON).summary
    expect(failureHeadline({ reason: REASON }, t)).toBe(english)
    expect(failureHeadline({ ...failed, summary: { code: 'engine_brand_new', message: 'x' } }, t)).toBe(english)
    expect(failureHeadline({ ...failed, summary: { code: 'engine_exited_before_ready', message: 'x' } }, t)).toBe(english)
    expect(failureHeadline({ ...failed, hint: 'hint_brand_new' }, t)).toBe(english)
  })
})
