import type { LevelFigures } from '../../generated/LevelFigures'
import type { Sweep } from '../../generated/Sweep'
import type { SweepConfig } from '../../generated/SweepConfig'
import type { SweepMetric } from '../../generated/SweepMetric'
import type { SweepObjective } from '../../generated/SweepObjective'

/** Rates are better higher (throughputs, goodput); every other figure is a latency, better lower. */
export function isRateMetric(metric: SweepMetric): boolean {
  return metric === 'output_throughput' || metric === 'request_throughput' || metric === 'goodput'
}

/** A level's figure for `metric`, or null where it was not measured (goodput without SLOs). */
export function metricOf(level: LevelFigures, metric: SweepMetric): number | null {
  const value = {
    output_throughput: level.output_throughput,
    request_throughput: level.request_throughput,
    goodput: level.goodput,
    ttft_p50: level.ttft_p50_ms,
    ttft_p99: level.ttft_p99_ms,
    tpot_p50: level.tpot_p50_ms,
    tpot_p99: level.tpot_p99_ms,
    e2el_p50: level.e2el_p50_ms,
    e2el_p99: level.e2el_p99_ms,
  }[metric]
  return value != null && Number.isFinite(value) ? value : null
}

/**
 * The latency the scatter and the Pareto front use (as the core's `latency_metric`): the first
 * constraint's metric that is a latency, else the objective's when it is one, else TTFT p99.
 */
export function latencyMetric(objective: SweepObjective): SweepMetric {
  for (const m of [...objective.constraints.map((c) => c.metric), objective.metric]) if (!isRateMetric(m)) return m
  return 'ttft_p99'
}

/** One configuration on the throughput–latency plane. */
export interface ScatterPoint {
  index: number
  /** The latency metric's value (ms). */
  x: number
  /** Output tokens per second. */
  y: number
  pareto: boolean
  best: boolean
  meetsConstraints: boolean
}

/** The configurations measured: completed ones with a level and both figures. */
export function scatterPoints(sweep: Sweep): ScatterPoint[] {
  const latency = latencyMetric(sweep.spec.objective)
  return sweep.configs.flatMap((c) => {
    if (c.outcome !== 'completed' || !c.level) return []
    const x = metricOf(c.level, latency)
    const y = metricOf(c.level, 'output_throughput')
    if (x === null || y === null) return []
    return [{ index: c.index, x, y, pareto: c.pareto, best: sweep.best === c.index, meetsConstraints: c.meets_constraints }]
  })
}

/**
 * The Pareto front the core marked (no other configuration has both more throughput and less
 * latency), by latency ascending: the line the scatter joins.
 */
export function paretoFront(points: readonly ScatterPoint[]): ScatterPoint[] {
  return points.filter((p) => p.pareto).sort((a, b) => a.x - b.x || b.y - a.y)
}

/** The best configuration, when one completed within the constraints. */
export function bestConfig(sweep: Sweep): SweepConfig | null {
  return sweep.best === null ? null : (sweep.configs.find((c) => c.index === sweep.best) ?? null)
}

/** Whether a configuration can be applied to the model: it completed and was measured. */
export function canApply(config: SweepConfig): boolean {
  return config.outcome === 'completed' && config.level !== null
}

/** "Nice" axis ticks from 0 to past `max`: about `count` of them, at 1, 2 or 5 × a power of ten. */
export function niceTicks(max: number, count = 5): number[] {
  if (!Number.isFinite(max) || max <= 0) return [0, 1]
  const raw = max / count
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power
  const ticks: number[] = []
  for (let v = 0; v < max + step; v += step) {
    ticks.push(Number(v.toPrecision(12)))
    if (v >= max) break
  }
  return ticks
}
