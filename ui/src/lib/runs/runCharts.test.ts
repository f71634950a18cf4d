import { describe, expect, it } from 'vitest'
import { overlayCharts, runCharts } from './runCharts'
import { points } from './runs.fixtures'

describe('a run’s charts', () => {
  it('draws readings of one unit together, x in seconds from the start', () => {
    const charts = runCharts(points(3))
    expect(charts.map((c) => [c.key, c.unit, c.series.map((s) => s.key)])).toEqual([
      ['cpu', 'percent', ['cpu', 'instanceCpu']],
      ['memory', 'bytes', ['instanceRss', 'instanceVram']],
      ['gpuUtilization', 'percent', ['gpuUtilization']],
      ['gpuPower', 'watts', ['gpuPower']],
    ])
    expect(charts[0].x).toEqual([0, 1, 2])
    expect(charts[0].series[0].values).toEqual([10, 11, 12])
  })

  it('leaves out readings never taken (no GPU)', () => {
    const charts = runCharts(points(2, { gpu_utilization_percent: null, gpu_power_watts: null, instance_vram_bytes: null }))
    expect(charts.map((c) => c.key)).toEqual(['cpu', 'memory'])
    expect(charts[1].series.map((s) => s.key)).toEqual(['instanceRss'])
    expect(runCharts([])).toEqual([])
  })
})

describe('runs overlaid', () => {
  it('aligns each run on the seconds from its own start, a line per run, gaps where one was not read', () => {
    const charts = overlayCharts([
      { label: 'A', points: points(3) },
      { label: 'B', points: points(2, { gpu_power_watts: 300 }).map((p) => ({ ...p, at_ms: p.at_ms * 2 })) },
    ])
    expect(charts.map((c) => c.key)).toEqual(['cpu', 'instanceCpu', 'instanceRss', 'instanceVram', 'gpuUtilization', 'gpuPower'])
    const power = charts.find((c) => c.key === 'gpuPower')!
    expect(power.unit).toBe('watts')
    expect(power.x).toEqual([0, 1, 2])
    expect(power.series).toEqual([
      { label: 'A', values: [200, 202, 204] },
      { label: 'B', values: [300, null, 300] },
    ])
  })

  it('leaves out a reading no run has', () => {
    const charts = overlayCharts([{ label: 'A', points: points(2, { gpu_power_watts: null }) }, { label: 'B', points: [] }])
    expect(charts.map((c) => c.key)).not.toContain('gpuPower')
  })
})
