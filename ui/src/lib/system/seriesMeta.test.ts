import { describe, expect, it } from 'vitest'
import { toChartColumns } from './chartData'
import { compareSeries, seriesMeta } from './seriesMeta'

describe('series keys', () => {
  it('classifies system, GPU and model keys with their units', () => {
    expect(seriesMeta('cpu.usage_percent')).toMatchObject({ group: 'system', unit: 'percent', max: 100 })
    expect(seriesMeta('network.tx_bytes_per_second')).toMatchObject({ group: 'system', unit: 'rate' })
    expect(seriesMeta('gpu.1.temperature_celsius')).toMatchObject({ group: 'gpu', owner: '1', unit: 'celsius' })
    expect(seriesMeta('gpu.0.power_watts')).toMatchObject({ group: 'gpu', owner: '0', unit: 'watts' })
    expect(seriesMeta('model.my.model-1.rss_bytes')).toMatchObject({ group: 'model', owner: 'my.model-1', unit: 'bytes' })
    expect(seriesMeta('disk.x')).toMatchObject({ group: 'other' })
  })

  it('orders system, then GPUs by index, then models', () => {
    const keys = ['model.a.cpu_percent', 'gpu.10.power_watts', 'gpu.2.utilization_percent', 'memory.used_percent', 'cpu.usage_percent', 'gpu.2.power_watts']
    const sorted = keys.map(seriesMeta).sort(compareSeries).map((m) => m.key)
    expect(sorted).toEqual(['cpu.usage_percent', 'memory.used_percent', 'gpu.2.utilization_percent', 'gpu.2.power_watts', 'gpu.10.power_watts', 'model.a.cpu_percent'])
  })
})

describe('chart columns', () => {
  it('converts to seconds and breaks the line across a gap', () => {
    const p = (t: number, v: number) => ({ t, min: v - 1, avg: v, max: v + 1 })
    const c = toChartColumns([p(60_000, 5), p(120_000, 6), p(600_000, 7)], 60_000)
    expect(c.x).toEqual([60, 120, 180, 600])
    expect(c.avg).toEqual([5, 6, null, 7])
    expect(c.min).toEqual([4, 5, null, 6])
    expect(c.max).toEqual([6, 7, null, 8])
  })
})
