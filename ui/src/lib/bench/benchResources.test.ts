import { describe, expect, it } from 'vitest'
import { resourceFigures } from './benchResources'

const point = (at_ms: number, cpu: number, rss: number | null) => ({
  at_ms, cpu_percent: cpu, instance_cpu_percent: null, instance_rss_bytes: rss, instance_vram_bytes: null,
  gpu_utilization_percent: null, gpu_power_watts: null,
})

describe('resourceFigures', () => {
  it('gives the mean and peak of each resource read, and leaves out those never read', () => {
    const figures = resourceFigures([point(0, 20, 100), point(1000, 60, 300), point(2000, 40, null)])
    expect(figures).toEqual([
      { key: 'cpu', unit: 'percent', mean: 40, max: 60 },
      { key: 'instanceRss', unit: 'bytes', mean: 200, max: 300 },
    ])
    expect(resourceFigures([])).toEqual([])
  })
})
