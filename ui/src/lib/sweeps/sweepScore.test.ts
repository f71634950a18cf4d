import { describe, expect, it } from 'vitest'
import { bestConfig, canApply, isRateMetric, latencyMetric, metricOf, niceTicks, paretoFront, scatterPoints } from './sweepScore'
import { config, figures, sweep, sweepSpec } from './sweeps.fixtures'

describe('sweep metrics', () => {
  it('tells rates from latencies and reads a level’s figure', () => {
    expect(['output_throughput', 'request_throughput', 'goodput'].every((m) => isRateMetric(m as never))).toBe(true)
    expect(isRateMetric('ttft_p99')).toBe(false)
    const level = figures(500, 300)
    expect(metricOf(level, 'output_throughput')).toBe(500)
    expect(metricOf(level, 'ttft_p50')).toBe(150)
    expect(metricOf(level, 'e2el_p99')).toBe(1200)
    expect(metricOf(level, 'goodput')).toBeNull()
    expect(metricOf({ ...level, tpot_p99_ms: Number.NaN }, 'tpot_p99')).toBeNull()
  })

  it('picks the latency as the core does: the first latency constraint, else a latency objective, else TTFT p99', () => {
    expect(latencyMetric({ metric: 'output_throughput', constraints: [{ metric: 'e2el_p99', at_most: 2000, at_least: null }] })).toBe('e2el_p99')
    expect(latencyMetric({ metric: 'output_throughput', constraints: [
      { metric: 'goodput', at_most: null, at_least: 1 },
      { metric: 'tpot_p50', at_most: 20, at_least: null },
    ] })).toBe('tpot_p50')
    expect(latencyMetric({ metric: 'ttft_p50', constraints: [{ metric: 'request_throughput', at_most: null, at_least: 2 }] })).toBe('ttft_p50')
    expect(latencyMetric({ metric: 'ttft_p50', constraints: [{ metric: 'e2el_p50', at_most: 900, at_least: null }] })).toBe('e2el_p50')
    expect(latencyMetric({ metric: 'goodput', constraints: [] })).toBe('ttft_p99')
  })
})

describe('the scatter', () => {
  it('places each measured configuration by latency and output throughput, marking the front and the best', () => {
    const points = scatterPoints(sweep())
    expect(points).toEqual([
      { index: 0, x: 180, y: 420, pareto: true, best: false, meetsConstraints: true },
      { index: 1, x: 320, y: 510, pareto: true, best: true, meetsConstraints: true },
      { index: 2, x: 650, y: 380, pareto: false, best: false, meetsConstraints: false },
    ])
    expect(paretoFront(points).map((p) => p.index)).toEqual([0, 1])
  })

  it('uses the objective’s latency when there is no constraint, and skips what was not measured', () => {
    const s = sweep({ spec: sweepSpec({ objective: { metric: 'e2el_p50', constraints: [] } }) })
    s.configs[0] = config(0, { context_size: 4096 }, { outcome: 'failed', level: null })
    expect(scatterPoints(s).map((p) => [p.index, p.x])).toEqual([[1, 800], [2, 800]])
  })

  it('sorts the front by latency', () => {
    const p = (index: number, x: number, y: number, pareto = true) => ({ index, x, y, pareto, best: false, meetsConstraints: true })
    expect(paretoFront([p(0, 300, 500), p(1, 100, 200), p(2, 50, 50, false), p(3, 200, 400)]).map((x) => x.index)).toEqual([1, 3, 0])
  })

  it('finds the best configuration and what can be applied', () => {
    expect(bestConfig(sweep())?.index).toBe(1)
    expect(bestConfig(sweep({ best: null }))).toBeNull()
    const s = sweep()
    expect(s.configs.map(canApply)).toEqual([true, true, true, false])
  })

  it('makes round axis ticks from zero past the largest value', () => {
    expect(niceTicks(510)).toEqual([0, 200, 400, 600])
    expect(niceTicks(650, 5)).toEqual([0, 200, 400, 600, 800])
    expect(niceTicks(0.9)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1])
    expect(niceTicks(0)).toEqual([0, 1])
  })
})
