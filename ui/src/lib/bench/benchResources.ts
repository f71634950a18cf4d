import type { ResourcePoint } from '../../generated/ResourcePoint'

/** One resource while a benchmark ran: its mean and its peak, or null where nothing was read. */
export interface ResourceFigure {
  key: 'cpu' | 'instanceCpu' | 'instanceRss' | 'instanceVram' | 'gpuUtilization' | 'gpuPower'
  unit: 'percent' | 'bytes' | 'watts'
  mean: number
  max: number
}

const READ: { key: ResourceFigure['key']; unit: ResourceFigure['unit']; read: (p: ResourcePoint) => number | null }[] = [
  { key: 'cpu', unit: 'percent', read: (p) => p.cpu_percent },
  { key: 'instanceCpu', unit: 'percent', read: (p) => p.instance_cpu_percent },
  { key: 'instanceRss', unit: 'bytes', read: (p) => p.instance_rss_bytes },
  { key: 'instanceVram', unit: 'bytes', read: (p) => p.instance_vram_bytes },
  { key: 'gpuUtilization', unit: 'percent', read: (p) => p.gpu_utilization_percent },
  { key: 'gpuPower', unit: 'watts', read: (p) => p.gpu_power_watts },
]

/** The readings taken while a benchmark ran, summed up per resource (those never read are left out). */
export function resourceFigures(points: ResourcePoint[]): ResourceFigure[] {
  return READ.flatMap(({ key, unit, read }) => {
    const values = points.map(read).filter((v): v is number => v !== null && Number.isFinite(v))
    if (!values.length) return []
    return [{ key, unit, mean: values.reduce((a, b) => a + b, 0) / values.length, max: Math.max(...values) }]
  })
}
