import { beforeEach, describe, expect, it } from 'vitest'
import { setLocale } from '../../composables/useI18n'
import { environment, hardwareBenchmark, level, loadBenchmark } from './bench.fixtures'
import { configRows, hardwareRows, levelColumns, levelGroups, overlayColumns, sampleColumns } from './benchCompare'

beforeEach(() => setLocale('en'))

describe('comparing benchmarks', () => {
  it('marks the settings that differ, and only those', () => {
    const a = loadBenchmark({ id: 'a' })
    const b = loadBenchmark({ id: 'b' }, { seed: 7 as unknown as bigint, ignore_eos: false, slo: { tpot_ms: 50, ttft_ms: null, e2el_ms: null } })
    const rows = configRows([a, b], { model: (id) => (id === 'm1' ? 'Qwen' : null) })
    expect(rows.filter((r) => r.differs).map((r) => r.field)).toEqual(['seed', 'ignore_eos', 'slo'])
    expect(rows.find((r) => r.field === 'seed')?.values).toEqual(['0', '7'])
    expect(rows.find((r) => r.field === 'target')?.values).toEqual(['Qwen (library model, straight to its engine)', 'Qwen (library model, straight to its engine)'])
    expect(rows.find((r) => r.field === 'slo')?.values).toEqual(['None', 'TPOT ≤ 50 ms'])
  })

  it('marks a different engine build, command line or machine', () => {
    const a = loadBenchmark({ id: 'a' })
    const b = loadBenchmark({ id: 'b', environment: environment({ engine_version: 'b7100', argv: ['/opt/llama/llama-server', '-fa', 'on'] }) })
    expect(configRows([a, b]).filter((r) => r.differs).map((r) => r.field)).toEqual(['engine_version', 'argv'])
    const remote = loadBenchmark({ id: 'c', environment: environment({ cpu: null, gpus: [] }) })
    expect(configRows([a, remote]).find((r) => r.field === 'machine')).toMatchObject({ differs: true, values: ['Xeon, NVIDIA H200 (143771 MiB)', '—'] })
  })

  it('compares the same settings written in another key order as equal', () => {
    const a = loadBenchmark({ id: 'a' })
    const b = loadBenchmark({ id: 'b' }, { slo: { e2el_ms: null, tpot_ms: null, ttft_ms: null } })
    expect(configRows([a, b]).filter((r) => r.differs)).toEqual([])
  })

  it('compares a load and a hardware benchmark: the kind differs, each has "—" for the other’s settings', () => {
    const rows = configRows([loadBenchmark(), hardwareBenchmark()])
    const kind = rows.find((r) => r.field === 'kind')!
    expect(kind.differs).toBe(true)
    expect(kind.values).toEqual(['Load', 'Hardware'])
    expect(rows.find((r) => r.field === 'seed')).toMatchObject({ values: ['0', '—'], differs: false })
    expect(rows.filter((r) => r.differs).map((r) => r.field)).toEqual(['kind'])
    expect(rows.find((r) => r.field === 'prompt_tokens')?.values).toEqual(['—', '512'])
  })

  it('lines up the levels and tests by name', () => {
    const a = loadBenchmark({ id: 'a', results: [level(1), level(4)] })
    const b = loadBenchmark({ id: 'b', results: [level(4, { output_throughput: 500 }), level(8)] })
    const groups = levelGroups([a, b])
    expect(groups.map((g) => g.load)).toEqual(['concurrency 1', 'concurrency 4', 'concurrency 8'])
    const output = (load: string) => groups.find((g) => g.load === load)!.rows.find((r) => r.metric === 'output_throughput')!.values
    expect(output('concurrency 1')).toEqual(['110', '—'])
    expect(output('concurrency 4')).toEqual(['440', '500'])
    expect(hardwareRows([hardwareBenchmark(), loadBenchmark()])).toEqual([
      { name: 'pp512', values: ['5234.5 ± 12.3', '—'] },
      { name: 'tg128', values: ['187.2 ± 1.4', '—'] },
    ])
  })

  it('draws one line per benchmark over the levels of all of them', () => {
    const a = loadBenchmark({ id: 'a', label: 'A', results: [level(4), level(1)] })
    const b = loadBenchmark({ id: 'b', label: 'B', results: [level(8)] })
    expect(overlayColumns([a, b, hardwareBenchmark()])).toEqual({
      x: [1, 4, 8],
      series: [
        { label: 'A', values: [110, 440, null] },
        { label: 'B', values: [null, null, 880] },
      ],
    })
    expect(levelColumns(a)).toEqual({ x: [1, 4], output: [110, 440], ttft: [130, 160] })
  })

  it('scatters each request’s E2EL by send time, a series per level', () => {
    const sample = (sent_ms: number, e2el_ms: number | null, ok = true) => ({ sent_ms, ttft_ms: 100, e2el_ms, tpot_ms: 9, input_tokens: 128, output_tokens: 64, ok })
    const b = loadBenchmark({ results: [level(1, { samples: [sample(0, 700), sample(1000, 710)] }), level(4, { samples: [sample(500, 900), sample(600, null, false)] })] })
    expect(sampleColumns(b)).toEqual({
      x: [0, 0.5, 1],
      series: [
        { label: 'concurrency 1', values: [700, null, 710] },
        { label: 'concurrency 4', values: [null, 900, null] },
      ],
    })
  })
})
