import { beforeEach, describe, expect, it } from 'vitest'
import { setLocale } from '../../composables/useI18n'
import { loadBenchmark, hardwareBenchmark, level } from './bench.fixtures'
import { buildHardwareSpec, buildLoadSpec, decodeBenchTarget, defaultHardwareForm, defaultLoadForm, encodeBenchTarget, parseNumberList, wholeNumber } from './benchForm'
import { headline, loadText, parseTags, progressText, sloText, workloadText } from './benchFormat'

beforeEach(() => setLocale('en'))

describe('benchmark targets as select values', () => {
  it('round-trips every kind, a model name with colons included', () => {
    for (const target of [
      { kind: 'model', model_id: 'm1' },
      { kind: 'gateway', model: 'qwen' },
      { kind: 'endpoint', endpoint_id: 'e1', model: 'ollama:qwen2.5:7b' },
      { kind: 'instance', instance_id: '0f8e3c2a-1111-4222-8333-444455556666' },
    ] as const) {
      expect(decodeBenchTarget(encodeBenchTarget(target))).toEqual(target)
    }
    expect(encodeBenchTarget({ kind: 'endpoint', endpoint_id: 'e1', model: 'x' })).toBe('endpoint:e1:x')
    expect(decodeBenchTarget('')).toBeNull()
    expect(decodeBenchTarget('model:')).toBeNull()
    expect(decodeBenchTarget('endpoint:e1:')).toBeNull()
    expect(decodeBenchTarget('instance:')).toBeNull()
  })
})

describe('the load benchmark form', () => {
  it('builds the default spec: synthetic 128 in / 64 out at concurrency 1 and 4, no SLOs', () => {
    const result = buildLoadSpec(defaultLoadForm('model:m1'))
    expect(result).toEqual({
      ok: true,
      spec: {
        target: { kind: 'model', model_id: 'm1' },
        workload: { kind: 'synthetic', input: { mean: 128, spread: 0 }, output: { mean: 64, spread: 0 } },
        load: { kind: 'concurrency', levels: [1, 4] },
        requests: 8,
        duration_s: null,
        warmup_requests: 1,
        seed: 0,
        ignore_eos: true,
        slo: { ttft_ms: null, tpot_ms: null, e2el_ms: null },
        label: null,
      },
    })
  })

  it('parses level lists, rates, a dataset, the SLOs given and the label', () => {
    const form = defaultLoadForm('endpoint:e1:qwen:7b')
    Object.assign(form, {
      levels: ' 1,4;  8 16 ', seed: '42', ignoreEos: false, sloTtft: '500', sloE2el: '2.5e3', label: '  run A ', duration: '30', spread: '0.25',
    })
    const a = buildLoadSpec(form)
    expect(a.ok && a.spec.load).toEqual({ kind: 'concurrency', levels: [1, 4, 8, 16] })
    expect(a.ok && a.spec.target).toEqual({ kind: 'endpoint', endpoint_id: 'e1', model: 'qwen:7b' })
    expect(a.ok && a.spec.slo).toEqual({ ttft_ms: 500, tpot_ms: null, e2el_ms: 2500 })
    expect(a.ok && [a.spec.seed, a.spec.ignore_eos, a.spec.label, a.spec.duration_s]).toEqual([42, false, 'run A', 30])
    expect(a.ok && a.spec.workload).toEqual({ kind: 'synthetic', input: { mean: 128, spread: 0.25 }, output: { mean: 64, spread: 0.25 } })

    Object.assign(form, { loadKind: 'rate', rates: '0.5, 1, 2', maxConcurrency: '8', workload: 'dataset', dataset: '{"prompt":"hi"}\n', datasetBytes: 16, maxOutput: '100' })
    const b = buildLoadSpec(form)
    expect(b.ok && b.spec.load).toEqual({ kind: 'rate', rates: [0.5, 1, 2], max_concurrency: 8 })
    expect(b.ok && b.spec.workload).toEqual({ kind: 'dataset', jsonl: '{"prompt":"hi"}\n', max_output: 100 })
    form.maxConcurrency = ''
    const c = buildLoadSpec(form)
    expect(c.ok && c.spec.load).toEqual({ kind: 'rate', rates: [0.5, 1, 2], max_concurrency: null })
  })

  it('refuses bad input with a message per field', () => {
    const form = defaultLoadForm('')
    Object.assign(form, {
      inputTokens: '0', outputTokens: '40000', spread: '1.5', levels: '1, two', requests: '', warmup: '101', seed: '-1', sloTtft: '0', sloTpot: 'fast', label: 'x'.repeat(201),
    })
    const result = buildLoadSpec(form)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(Object.keys(result.errors).sort()).toEqual(
      ['inputTokens', 'label', 'levels', 'outputTokens', 'requests', 'seed', 'sloTpot', 'sloTtft', 'spread', 'target', 'warmup'].sort(),
    )
    expect(result.errors.inputTokens).toEqual({ key: 'bench.err.int', params: { min: 1, max: 131072 } })
    expect(result.errors.levels).toEqual({ key: 'bench.err.levels', params: { levels: 16, max: 1024 } })

    const tooMany = defaultLoadForm('model:m1')
    tooMany.levels = Array.from({ length: 17 }, (_, i) => i + 1).join(',')
    expect(buildLoadSpec(tooMany)).toMatchObject({ ok: false, errors: { levels: { key: 'bench.err.levels' } } })
    tooMany.levels = ''
    expect(buildLoadSpec(tooMany)).toMatchObject({ ok: false, errors: { levels: { key: 'bench.err.levels' } } })

    const rates = defaultLoadForm('gateway:qwen')
    Object.assign(rates, { loadKind: 'rate', rates: '0, 1', maxConcurrency: '2000', workload: 'dataset', dataset: '', duration: '0' })
    const r = buildLoadSpec(rates)
    expect(r.ok ? [] : Object.keys(r.errors).sort()).toEqual(['dataset', 'duration', 'maxConcurrency', 'rates'])
    Object.assign(rates, { rates: '1', maxConcurrency: '', duration: '', dataset: 'x', datasetBytes: 17 * 1024 * 1024 })
    expect(buildLoadSpec(rates)).toMatchObject({ ok: false, errors: { dataset: { key: 'bench.err.datasetSize', params: { max: 16 } } } })
  })

  it('reads numbers strictly', () => {
    expect(wholeNumber(' 12 ', 1, 20)).toBe(12)
    expect(wholeNumber('1.5', 1, 20)).toBeNull()
    expect(wholeNumber('21', 1, 20)).toBeNull()
    expect(parseNumberList('1，2 3', (s) => wholeNumber(s, 1, 9))).toEqual([1, 2, 3])
    expect(parseNumberList('1, x', (s) => wholeNumber(s, 1, 9))).toBeNull()
  })
})

describe('the hardware benchmark form', () => {
  it('builds the llama-bench spec, threads only when given', () => {
    expect(buildHardwareSpec(defaultHardwareForm('m1'))).toEqual({
      ok: true,
      spec: { model_id: 'm1', prompt_tokens: 512, generate_tokens: 128, repetitions: 3, threads: null, gpu_layers: null },
    })
    const form = { ...defaultHardwareForm('m1'), threads: '8', prompt: '0' }
    expect(buildHardwareSpec(form)).toMatchObject({ ok: true, spec: { threads: 8, prompt_tokens: 0 } })
  })

  it('refuses a run with nothing to measure and values past the limits', () => {
    const form = { modelId: '', prompt: '0', generate: '0', repetitions: '21', threads: '0' }
    const result = buildHardwareSpec(form)
    expect(result.ok ? [] : Object.keys(result.errors).sort()).toEqual(['modelId', 'prompt', 'repetitions', 'threads'])
    expect(!result.ok && result.errors.prompt).toEqual({ key: 'bench.err.hwNothing' })
  })
})

describe('benchmark texts', () => {
  it('says what was measured and how', () => {
    const spec = loadBenchmark().spec
    if (spec.kind !== 'load') throw new Error('a load benchmark')
    expect(workloadText(spec.workload)).toBe('128 → 64 tokens')
    expect(workloadText({ kind: 'synthetic', input: { mean: 10, spread: 0.5 }, output: { mean: 5, spread: 0.5 } })).toBe('10 → 5 tokens (± 0.5)')
    expect(workloadText({ kind: 'dataset', jsonl: 'a\n\nb\n', max_output: 64 })).toBe('JSONL dataset, 2 prompts, at most 64 tokens out')
    expect(loadText(spec.load)).toBe('concurrency 1, 4')
    expect(loadText({ kind: 'rate', rates: [0.5, 2], max_concurrency: 4 })).toBe('0.5, 2 req/s (at most 4 at once)')
    expect(sloText({ ttft_ms: 500, tpot_ms: null, e2el_ms: 2000 })).toBe('TTFT ≤ 500 ms, E2EL ≤ 2,000 ms')
    expect(sloText({ ttft_ms: null, tpot_ms: null, e2el_ms: null })).toBe('None')
    expect(parseTags(' a, b ,,a, c d ')).toEqual(['a', 'b', 'c d'])
  })

  it('gives the list’s headline figures', () => {
    expect(headline(loadBenchmark())).toEqual({ kind: 'load', bestOutput: 440, ttftP50: 130 })
    expect(headline(loadBenchmark({ results: [] }))).toEqual({ kind: 'load', bestOutput: null, ttftP50: null })
    expect(headline(hardwareBenchmark())).toEqual({ kind: 'hardware', pp: 5234.5, tg: 187.2 })
  })

  it('says where a running benchmark is', () => {
    const progress = { level: 1, levels: 2, warming_up: false, done: 3, failed: 1, total: 8, in_flight: 4, output_throughput: 200 }
    expect(progressText(loadBenchmark({ state: 'running', progress, results: [level(1)] }))).toBe('Level 2 of 2 · concurrency 4')
    expect(progressText(loadBenchmark({ state: 'running', progress: { ...progress, warming_up: true, level: 0 } }))).toBe('Warming up')
    expect(progressText(hardwareBenchmark({ state: 'running' }))).toBe('Running llama-bench')
    setLocale('zh')
    expect(progressText(loadBenchmark({ state: 'running', progress }))).toBe('第 2 / 2 级 · 并发 4')
  })
})
