import type { RequestSeriesPoint } from '../../generated/RequestSeriesPoint'

/** What a request chart plots per model and bucket. */
export type RequestMetric = 'ttft_p50_ms' | 'tokens_per_second'

/** Aligned chart columns: bucket times in seconds, then one value column per model (null: no value). */
export interface ModelColumns {
  x: number[]
  models: string[]
  values: (number | null)[][]
}

/**
 * Turns the series' points into uPlot's aligned columns, one line per model that has a value of
 * `metric`, models by name. Buckets with no request are absent from the series; where two
 * buckets are more than one apart a row of nulls goes between them, so lines break across the
 * quiet time instead of joining two far-apart buckets.
 */
export function seriesColumns(points: RequestSeriesPoint[], metric: RequestMetric, bucketMs: number): ModelColumns {
  const withValue = points.filter((p) => p[metric] != null && Number.isFinite(p[metric]))
  const models = [...new Set(withValue.map((p) => p.model))].sort()
  const times = [...new Set(withValue.map((p) => p.at))].sort((a, b) => a - b)
  const byKey = new Map(withValue.map((p) => [`${p.at}|${p.model}`, p[metric] as number]))
  const out: ModelColumns = { x: [], models, values: models.map(() => []) }
  const step = Math.max(bucketMs, 1)
  let prev: number | null = null
  for (const at of times) {
    if (prev !== null && at - prev > step * 1.5) {
      out.x.push((prev + step) / 1000)
      out.values.forEach((col) => col.push(null))
    }
    out.x.push(at / 1000)
    models.forEach((m, i) => out.values[i].push(byKey.get(`${at}|${m}`) ?? null))
    prev = at
  }
  return out
}
