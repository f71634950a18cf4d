import { beforeEach, describe, expect, it } from 'vitest'
import { setLocale } from '../../composables/useI18n'
import { configFacts, diffRows, runSettings, settingLabel, settingText } from './runDiff'
import { run, runEnvironment } from './runs.fixtures'

beforeEach(() => setLocale('en'))

describe('a run’s configuration', () => {
  it('lists every fact it records, then its launch settings without the engine tag', () => {
    const facts = configFacts(run())
    expect(facts.map((f) => f.field)).toEqual([
      'engine', 'engine_binary', 'engine_version', 'argv', 'context_size', 'model_path', 'model_bytes', 'model_sha256',
      'cpu', 'logical_cores', 'memory_bytes', 'gpus', 'gpu_driver',
      'settings.flash_attention', 'settings.gpu_layers', 'settings.threads',
    ])
    const byField = Object.fromEntries(facts.map((f) => [f.field, f]))
    expect(byField.argv.text).toBe('/opt/llama/llama-server -m /models/qwen.gguf --port 41000 -c 4096 -ngl 99')
    expect(byField.memory_bytes.text).toBe('64.0 GiB')
    expect(byField['settings.gpu_layers']).toMatchObject({ label: 'GPU layers', text: '99' })
    expect(byField['settings.flash_attention'].text).toBe('true')
  })

  it('leaves out what a run does not record', () => {
    const facts = configFacts(run({ environment: runEnvironment({ model_sha256: null, gpus: [], gpu_driver: null }), settings: null }))
    expect(facts.map((f) => f.field)).not.toContain('model_sha256')
    expect(facts.map((f) => f.field)).not.toContain('gpus')
    expect(facts.some((f) => f.field.startsWith('settings.'))).toBe(false)
  })

  it('shows settings as text and names unknown ones by their key', () => {
    expect(settingText(['--temp', '0.7'])).toBe('--temp 0.7')
    expect(settingText({ b: 1, a: 2 })).toBe('{"b":1,"a":2}')
    expect(settingText(null)).toBe('—')
    expect(settingLabel('cache_type_k')).toBe('K cache type')
    expect(settingLabel('something_new')).toBe('something_new')
    expect(runSettings({ settings: { engine: 'vllm', b: 1, a: null, c: 'x' } })).toEqual([['b', 1], ['c', 'x']])
  })
})

describe('what differs between runs', () => {
  it('is nothing for runs configured alike', () => {
    expect(diffRows([run({ id: 'a' }), run({ id: 'b', started_at: 5 })])).toEqual([])
  })

  it('keeps only the facts and settings whose values differ, one column per run', () => {
    const a = run({ id: 'a' })
    const b = run({
      id: 'b',
      environment: runEnvironment({ context_size: 8192, argv: ['/opt/llama/llama-server', '-c', '8192'] }),
      settings: { engine: 'llama_cpp', gpu_layers: 99, threads: 16, flash_attention: true, cache_type_k: 'q8_0' },
    })
    const c = run({ id: 'c', settings: { flash_attention: true, threads: 8, gpu_layers: 99 } })
    const rows = diffRows([a, b, c])
    expect(rows.map((r) => r.field)).toEqual(['argv', 'context_size', 'settings.cache_type_k', 'settings.threads'])
    expect(rows.find((r) => r.field === 'context_size')?.values).toEqual(['4096', '8192', '4096'])
    expect(rows.find((r) => r.field === 'settings.cache_type_k')).toEqual({ field: 'settings.cache_type_k', label: 'K cache type', values: ['—', 'q8_0', '—'] })
    expect(rows.find((r) => r.field === 'settings.threads')?.values).toEqual(['8', '16', '8'])
  })

  it('compares structured settings whatever their key order, and machines too', () => {
    const a = run({ id: 'a', settings: { env: { A: '1', B: '2' } } })
    const b = run({ id: 'b', settings: { env: { B: '2', A: '1' } }, environment: runEnvironment({ gpus: ['NVIDIA H200 (143771 MiB)'], gpu_driver: '575.1' }) })
    expect(diffRows([a, b]).map((r) => r.field)).toEqual(['gpus', 'gpu_driver'])
  })
})
