import type { ResourcePoint } from '../../generated/ResourcePoint'
import { ROLLUP_READINGS, type ReadingKey, type ReadingUnit } from './runFormat'

/** How each reading is read off a point. */
const READ: Record<ReadingKey, (p: ResourcePoint) => number | null> = {
  cpu: (p) => p.cpu_percent,
  instanceCpu: (p) => p.instance_cpu_percent,
  instanceRss: (p) => p.instance_rss_bytes,
  instanceVram: (p) => p.instance_vram_bytes,
  gpuUtilization: (p) => p.gpu_utilization_percent,
  gpuPower: (p) => p.gpu_power_watts,
}

const finite = (v: number | null | undefined): number | null => (v != null && Number.isFinite(v) ? v : null)

/** One chart of a run's readings: seconds from its start, and one line per reading in the same unit. */
export interface ReadingChart {
  key: 'cpu' | 'memory' | 'gpuUtilization' | 'gpuPower'
  unit: ReadingUnit
  x: number[]
  series: { key: ReadingKey; values: (number | null)[] }[]
}

/** The charts of one run, readings of one unit drawn together; those never read are left out. */
const GROUPS: { key: ReadingChart['key']; unit: ReadingUnit; readings: ReadingKey[] }[] = [
  { key: 'cpu', unit: 'percent', readings: ['cpu', 'instanceCpu'] },
  { key: 'memory', unit: 'bytes', readings: ['instanceRss', 'instanceVram'] },
  { key: 'gpuUtilization', unit: 'percent', readings: ['gpuUtilization'] },
  { key: 'gpuPower', unit: 'watts', readings: ['gpuPower'] },
]

/** A run's readings over time as charts (x in seconds from its start). */
export function runCharts(points: readonly ResourcePoint[]): ReadingChart[] {
  const x = points.map((p) => p.at_ms / 1000)
  return GROUPS.flatMap((g) => {
    const series = g.readings
      .map((key) => ({ key, values: points.map((p) => finite(READ[key](p))) }))
      .filter((s) => s.values.some((v) => v !== null))
    return series.length ? [{ key: g.key, unit: g.unit, x, series }] : []
  })
}

/** One reading of several runs drawn over each other: a line per run, x in seconds from each run's own start. */
export interface OverlayChart {
  key: ReadingKey
  unit: ReadingUnit
  x: number[]
  series: { label: string; values: (number | null)[] }[]
}

/**
 * Each reading of the compared runs overlaid, one line per run aligned on the seconds since its
 * start: x is every second any run was read at, a run's line null where it was not (or had ended).
 * Readings no run has are left out.
 */
export function overlayCharts(runs: readonly { label: string; points: readonly ResourcePoint[] }[]): OverlayChart[] {
  const x = [...new Set(runs.flatMap((r) => r.points.map((p) => p.at_ms / 1000)))].sort((a, b) => a - b)
  return ROLLUP_READINGS.flatMap(({ key, unit }) => {
    const series = runs.map((r) => {
      const at = new Map<number, number | null>()
      for (const p of r.points) at.set(p.at_ms / 1000, finite(READ[key](p)))
      return { label: r.label, values: x.map((s) => at.get(s) ?? null) }
    })
    return series.some((s) => s.values.some((v) => v !== null)) ? [{ key, unit, x, series }] : []
  })
}
