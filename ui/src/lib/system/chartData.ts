import type { HistoryPoint } from '../../generated/HistoryPoint'

/** Columns for a chart: times in seconds, then avg, min and max (null where there is a gap). */
export interface ChartColumns {
  x: number[]
  avg: (number | null)[]
  min: (number | null)[]
  max: (number | null)[]
}

/**
 * Turns history points into chart columns. Where two points are more than two steps apart
 * (llmops was not running) a null is put between them, so the line breaks instead of
 * drawing a straight line across the hole.
 */
export function toChartColumns(points: HistoryPoint[], stepMs: number): ChartColumns {
  const out: ChartColumns = { x: [], avg: [], min: [], max: [] }
  const gap = Math.max(stepMs, 1) * 2
  let prev: number | null = null
  for (const p of points) {
    if (prev !== null && p.t - prev > gap) {
      out.x.push((prev + stepMs) / 1000)
      out.avg.push(null)
      out.min.push(null)
      out.max.push(null)
    }
    out.x.push(p.t / 1000)
    out.avg.push(p.avg)
    out.min.push(p.min)
    out.max.push(p.max)
    prev = p.t
  }
  return out
}
