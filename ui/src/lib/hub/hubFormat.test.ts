import { afterEach, describe, expect, it } from 'vitest'
import { setLocale } from '../../composables/useI18n'
import {
  deviceTotalMib,
  estimateErrorText,
  downloadPercent,
  formatCompact,
  formatDownloadRate,
  formatEta,
  formatParams,
  formatProgress,
  isCommitHash,
  isGated,
  pinnedTo,
  shortCommit,
  suggestionText,
  verdictText,
  verdictTone,
} from './hubFormat'
import { settingsView } from './hub.fixtures'
import { hubSource, repoPageUrl, sourceEndpoint } from './hubSource'

afterEach(() => setLocale('en'))

describe('hub formatting', () => {
  it('writes parameter counts the way model names do', () => {
    expect(formatParams(134_515_008)).toBe('135M')
    expect(formatParams(360_000_000)).toBe('360M')
    expect(formatParams(1_710_000_000)).toBe('1.7B')
    expect(formatParams(7_615_616_512)).toBe('7.6B')
    expect(formatParams(8_000_000_000)).toBe('8B')
    expect(formatParams(70_553_706_496)).toBe('71B')
    expect(formatParams(999_700_000)).toBe('1B')
    expect(formatParams(1_200_000_000_000)).toBe('1.2T')
    expect(formatParams(45_000)).toBe('45K')
    expect(formatParams(512)).toBe('512')
    expect(formatParams(0)).toBe('n/a')
    expect(formatParams(null)).toBe('n/a')
  })

  it('writes bytes per second and time left, "—" when unknown', () => {
    expect(formatDownloadRate(1536)).toBe('1.5 KiB/s')
    expect(formatDownloadRate(5 * 1024 * 1024)).toBe('5.0 MiB/s')
    expect(formatDownloadRate(null)).toBe('—')
    expect(formatEta(0)).toBe('0 s')
    expect(formatEta(44.6)).toBe('45 s')
    expect(formatEta(200)).toBe('3 min 20 s')
    expect(formatEta(7500)).toBe('2 h 5 min')
    expect(formatEta(null)).toBe('—')
    expect(formatEta(-1)).toBe('—')
    setLocale('zh')
    expect(formatEta(200)).toBe('3 分 20 秒')
    expect(formatEta(7500)).toBe('2 小时 5 分')
  })

  it('says how far a download got', () => {
    expect(downloadPercent({ done_bytes: 25, total_bytes: 100 })).toBe(25)
    expect(downloadPercent({ done_bytes: 150, total_bytes: 100 })).toBe(100)
    expect(downloadPercent({ done_bytes: 0, total_bytes: 0 })).toBeNull()
    expect(formatProgress({ done_bytes: 1024 * 1024, total_bytes: 4 * 1024 * 1024 })).toBe('1.0 MiB of 4.0 MiB')
  })

  it('says each verdict in words, with the layers of a partial fit, in both languages', () => {
    expect(verdictText({ kind: 'full_gpu' })).toBe('Fits on the GPU')
    expect(verdictText({ kind: 'partial_gpu', layers: 20, of: 32 })).toBe('Partly on the GPU: 20 of 32 layers')
    expect(verdictText({ kind: 'cpu' })).toBe('Runs on the CPU, in RAM')
    expect(verdictText({ kind: 'does_not_fit' })).toBe('Does not fit in memory')
    expect([verdictTone({ kind: 'full_gpu' }), verdictTone({ kind: 'partial_gpu', layers: 1, of: 2 }), verdictTone({ kind: 'cpu' }), verdictTone({ kind: 'does_not_fit' })]).toEqual([
      'ok', 'warn', 'warn', 'danger',
    ])
    setLocale('zh')
    expect(verdictText({ kind: 'partial_gpu', layers: 20, of: 32 })).toBe('部分在 GPU 上：32 层中的 20 层')
  })

  it('says each suggestion in words', () => {
    expect(suggestionText({ kind: 'context', context_size: 4096 })).toBe('a context of 4,096 tokens')
    expect(suggestionText({ kind: 'kv_cache', cache_type: 'q8_0' })).toBe('a q8_0 KV cache (--cache-type-k and --cache-type-v q8_0)')
    expect(suggestionText({ kind: 'gpu_layers', layers: 24 })).toBe('24 layers on the GPU, the rest on the CPU (--n-gpu-layers 24)')
    expect(suggestionText({ kind: 'smaller_quant', file: 'm-Q3_K_M.gguf', bytes: 3 * 1024 ** 3 })).toBe('a smaller file: m-Q3_K_M.gguf (3.0 GiB)')
  })

  it('shortens counts and commits, reads the gated flag, adds up a device', () => {
    expect(formatCompact(123_456)).toBe('123.5K')
    expect(formatCompact(1_234_567)).toBe('1.2M')
    expect(formatCompact(42)).toBe('42')
    expect(shortCommit('4bd7fd16fd4c0e4b')).toBe('4bd7fd1')
    expect([isGated(null), isGated('false'), isGated('auto'), isGated('manual'), isGated('true')]).toEqual([false, false, true, true, true])
    expect(deviceTotalMib({ model_mib: 98, context_mib: 180, compute_mib: 64 })).toBe(342)
    expect([estimateErrorText(0.123), estimateErrorText(-0.05), estimateErrorText(0.001)]).toEqual(['12% higher', '5% lower', 'right on'])
  })

  it('tells a commit hash from a revision’s name (ModelScope pins by branch)', () => {
    const hash = '4bd7fd16fd4c0e4b2a1c1d3e9d7a0f2b3c4d5e6f'
    expect(isCommitHash(hash)).toBe(true)
    expect(isCommitHash(hash.toUpperCase())).toBe(true)
    expect([isCommitHash('master'), isCommitHash('main'), isCommitHash('4bd7fd1'), isCommitHash(`${hash}0`)]).toEqual([false, false, false, false])
    expect(pinnedTo(hash)).toEqual({ kind: 'commit', text: '4bd7fd1' })
    expect(pinnedTo('master')).toEqual({ kind: 'revision', text: 'master' })
    expect(pinnedTo('v1.0')).toEqual({ kind: 'revision', text: 'v1.0' })
  })
})

describe('hub sources', () => {
  it('reads ?source=, and gives each hub’s address and a repository’s page on it', () => {
    expect([hubSource('model_scope'), hubSource(['hugging_face']), hubSource('modelscope'), hubSource(undefined)]).toEqual(['model_scope', 'hugging_face', null, null])
    expect(sourceEndpoint('hugging_face', null)).toBe('https://huggingface.co')
    expect(sourceEndpoint('model_scope', undefined)).toBe('https://www.modelscope.cn')
    const view = settingsView({ endpoint: 'https://hf-mirror.com', modelscope_endpoint: 'https://ms.example' })
    expect([sourceEndpoint('hugging_face', view), sourceEndpoint('model_scope', view)]).toEqual(['https://hf-mirror.com', 'https://ms.example'])
    expect(repoPageUrl('hugging_face', 'https://hf-mirror.com/', 'org/x')).toBe('https://hf-mirror.com/org/x')
    expect(repoPageUrl('model_scope', 'https://www.modelscope.cn', 'owner/x')).toBe('https://www.modelscope.cn/models/owner/x')
  })
})
