import { afterEach, describe, expect, it } from 'vitest'
import type { Alert } from '../../generated/Alert'
import { setLocale } from '../../composables/useI18n'
import { alertMessage } from './alertFormat'

afterEach(() => setLocale('en'))

function alert(extra: Partial<Alert>): Alert {
  return {
    id: 'a1', kind: 'gpu_temperature', subject: 'GPU 0 (NVIDIA H100)', severity: 'warning', message: 'in English',
    value: 88, threshold: 85, raised_at: 1, cleared_at: null, acknowledged_at: null, ...extra,
  }
}

const FAILED = alert({
  kind: 'instance_failed', subject: 'Qwen', severity: 'critical', value: null, threshold: null,
  message: 'Qwen failed: The engine exited with code 1 before becoming ready. Out of memory: use a smaller quantisation, a smaller context size, or fewer GPU layers.',
  detail: { code: 'engine_exited_before_ready', message: 'The engine exited with code 1 before becoming ready', params: { code: '1' } },
})

describe('alertMessage', () => {
  it('words every threshold alert from its kind, subject, value and threshold', () => {
    expect(alertMessage(alert({}))).toBe('GPU 0 (NVIDIA H100) is at 88 °C (alert at 85 °C).')
    expect(alertMessage(alert({ kind: 'gpu_memory', value: 93.6, threshold: 90 }))).toBe('GPU 0 (NVIDIA H100) memory is 94% full (alert at 90%).')
    expect(alertMessage(alert({ kind: 'host_memory', subject: 'box', value: 91.2, threshold: 92.5 }))).toBe('Host memory is 91% used (alert at 92.5%).')
    expect(alertMessage(alert({ kind: 'disk_space', subject: '/data', value: 4.4, threshold: 10 }))).toBe('Only 4% free on /data (alert below 10%).')
    setLocale('zh')
    expect(alertMessage(alert({}))).toBe('GPU 0 (NVIDIA H100) 温度为 88 °C（告警阈值 85 °C）。')
    expect(alertMessage(alert({ kind: 'gpu_memory', value: 93.6, threshold: 90 }))).toBe('GPU 0 (NVIDIA H100) 显存已用 94%（告警阈值 90%）。')
    expect(alertMessage(alert({ kind: 'host_memory', subject: 'box', value: 91.2, threshold: 92.5 }))).toBe('主机内存已用 91%（告警阈值 92.5%）。')
    expect(alertMessage(alert({ kind: 'disk_space', subject: '/data', value: 4.4, threshold: 10 }))).toBe('/data 仅剩 4% 可用空间（低于 10% 时告警）。')
  })

  it('words a lost GPU without a value', () => {
    const lost = alert({ kind: 'gpu_lost', severity: 'critical', value: 1, threshold: 1 })
    expect(alertMessage(lost)).toBe('GPU 0 (NVIDIA H100) fell off the bus and does not answer. Check it with nvidia-smi; a GPU reset or a reboot may be needed.')
    setLocale('zh')
    expect(alertMessage(lost)).toContain('GPU 0 (NVIDIA H100) 已从总线掉线')
  })

  it('formats the numbers for the UI’s language', () => {
    const hot = alert({ value: 1234, threshold: 1000.25 })
    expect(alertMessage(hot)).toBe(`GPU 0 (NVIDIA H100) is at ${(1234).toLocaleString('en')} °C (alert at ${(1000.25).toLocaleString('en')} °C).`)
    expect(alertMessage(hot)).toContain('1,234')
    setLocale('zh')
    expect(alertMessage(hot)).toContain((1234).toLocaleString('zh-CN'))
  })

  it('says a failed instance by its failure summary', () => {
    expect(alertMessage(FAILED)).toBe('Qwen failed: The engine exited with code 1 before becoming ready.')
    setLocale('zh')
    expect(alertMessage(FAILED)).toBe('Qwen 运行失败：引擎在就绪前退出，退出码为 1。')
    expect(alertMessage({ ...FAILED, detail: { code: 'engine_spawn_failed', message: 'x', params: { program: '/bin/e', detail: 'denied' } } })).toBe(
      'Qwen 运行失败：无法启动 /bin/e：denied。请确认该程序存在，并且是可执行的引擎版本。',
    )
  })

  it('falls back to the server’s message without a value, a detail, or a translation of the detail', () => {
    setLocale('zh')
    expect(alertMessage(alert({ value: null }))).toBe('in English')
    expect(alertMessage(alert({ kind: 'disk_space', threshold: null }))).toBe('in English')
    const noDetail: Alert = { ...FAILED }
    delete noDetail.detail
    expect(alertMessage(noDetail)).toBe(FAILED.message)
    expect(alertMessage({ ...FAILED, detail: { code: 'brand_new', message: 'New' } })).toBe(FAILED.message)
    expect(alertMessage({ ...FAILED, detail: { code: 'engine_exited_before_ready', message: 'no params' } })).toBe(FAILED.message)
  })
})
