import { describe, expect, it, vi } from 'vitest'
import type { Event as LlmopsEvent } from '../../generated/Event'
import type { History } from '../../generated/History'
import type { SystemSnapshot } from '../../generated/SystemSnapshot'
import { LIVE_WINDOW_MS, SeriesRing } from './seriesRing'

const fake = vi.hoisted(() => ({
  listeners: [] as ((e: LlmopsEvent) => void)[],
  history: null as unknown as (range: string) => Promise<History>,
}))

vi.mock('../../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../api')>()
  return {
    ...actual,
    getApi: () => ({
      systemHistory: (query: { range?: string }) => fake.history(query.range ?? '1h'),
      onEvent: (l: (e: LlmopsEvent) => void) => {
        fake.listeners.push(l)
        return () => {}
      },
      onConnectionChange: () => () => {},
    }),
  }
})

const T0 = 1_700_000_000_000

function snapshot(at: number, cpu: number, extra: Partial<SystemSnapshot> = {}): SystemSnapshot {
  return {
    at,
    hostname: 'box',
    cpu: { brand: 'x', logical_cores: 8, usage_percent: cpu, per_core_percent: [], load_average: [0, 0, 0] },
    memory: { total_bytes: 1000, used_bytes: 250, available_bytes: 750, swap_total_bytes: 0, swap_used_bytes: 0 },
    disks: [],
    network: { rx_bytes_per_second: 10, tx_bytes_per_second: 20 },
    gpu: { kind: 'not_detected', reason: 'no driver' },
    instances: [],
    series: { 'cpu.usage_percent': cpu, 'memory.used_bytes': 250 },
    ...extra,
  }
}

function history(key: string, times: number[], step = 1000): History {
  return {
    range: '15m',
    step_ms: step,
    from: times[0] ?? T0,
    to: times[times.length - 1] ?? T0,
    series: [{ key, points: times.map((t, i) => ({ t, min: i, avg: i, max: i })) }],
  }
}

describe('SeriesRing', () => {
  it('appends snapshots in order and ignores a sample that is not newer', () => {
    const ring = new SeriesRing()
    ring.appendSnapshot(snapshot(T0, 1))
    ring.appendSnapshot(snapshot(T0 + 1000, 2))
    ring.appendSnapshot(snapshot(T0 + 1000, 99))
    ring.appendSnapshot(snapshot(T0 + 500, 98))
    expect(ring.get('cpu.usage_percent')).toEqual({ t: [T0, T0 + 1000], v: [1, 2] })
    expect(ring.latest).toBe(T0 + 1000)
  })

  it('trims points older than the window, measured from the newest sample', () => {
    const ring = new SeriesRing(10_000)
    for (let i = 0; i <= 15; i++) ring.appendSnapshot(snapshot(T0 + i * 1000, i))
    const { t, v } = ring.get('cpu.usage_percent')
    expect(t[0]).toBe(T0 + 5000)
    expect(t[t.length - 1]).toBe(T0 + 15_000)
    expect(v).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])
  })

  it('drops a series that stopped reporting once it is out of the window', () => {
    const ring = new SeriesRing(5000)
    const inst = { instance_id: 'i1', model_id: 'm1', model_name: 'Smol', pids: [1], cpu_percent: 5, rss_bytes: 1, gpu_memory_bytes: null, container_id: null }
    ring.appendSnapshot(snapshot(T0, 1, { instances: [inst], series: { 'cpu.usage_percent': 1, 'model.m1.rss_bytes': 1 } }))
    expect(ring.keys()).toContain('model.m1.rss_bytes')
    ring.appendSnapshot(snapshot(T0 + 6000, 1))
    expect(ring.keys()).not.toContain('model.m1.rss_bytes')
    expect(ring.get('model.m1.rss_bytes')).toEqual({ t: [], v: [] })
  })

  it('caps the number of points per series', () => {
    const ring = new SeriesRing(LIVE_WINDOW_MS, 3)
    for (let i = 0; i < 6; i++) ring.appendSnapshot(snapshot(T0 + i, i))
    expect(ring.get('cpu.usage_percent').v).toEqual([3, 4, 5])
  })

  it('seeds from 15 min of history, keeping only the last window (avg values)', () => {
    const ring = new SeriesRing()
    const times = Array.from({ length: 900 }, (_, i) => T0 + i * 1000)
    ring.seed(history('cpu.usage_percent', times))
    const { t, v } = ring.get('cpu.usage_percent')
    expect(t.length).toBe(LIVE_WINDOW_MS / 1000 + 1)
    expect(t[0]).toBe(T0 + 899_000 - LIVE_WINDOW_MS)
    expect(v[v.length - 1]).toBe(899)
  })

  it('keeps live samples newer than the seed when the history answer arrives late', () => {
    const ring = new SeriesRing()
    ring.appendSnapshot(snapshot(T0 + 2000, 42))
    ring.appendSnapshot(snapshot(T0 + 3000, 43))
    ring.seed(history('cpu.usage_percent', [T0, T0 + 1000, T0 + 2000]))
    expect(ring.get('cpu.usage_percent')).toEqual({ t: [T0, T0 + 1000, T0 + 2000, T0 + 3000], v: [0, 1, 2, 43] })
    ring.appendSnapshot(snapshot(T0 + 4000, 44))
    expect(ring.get('cpu.usage_percent').v).toEqual([0, 1, 2, 43, 44])
  })
})

describe('useLiveSeries', () => {
  it('seeds from systemHistory("15m"), backfills a short one from "24h", and appends gpu_metrics_update samples', async () => {
    const ranges: string[] = []
    fake.history = async (range) => {
      ranges.push(range)
      return history('cpu.usage_percent', [T0, T0 + 1000])
    }
    const { startLiveSeries, useLiveSeries } = await import('../../composables/useLiveSeries')
    startLiveSeries()
    const { ring, version } = useLiveSeries()
    await vi.waitFor(() => expect(ring.get('cpu.usage_percent').t).toEqual([T0, T0 + 1000]))
    // Two seconds of raw samples do not cover the window: the stored minute averages are asked for.
    await vi.waitFor(() => expect(ranges).toEqual(['15m', '24h']))
    const before = version.value
    fake.listeners.forEach((l) => l({ type: 'gpu_metrics_update', data: snapshot(T0 + 2000, 77) }))
    fake.listeners.forEach((l) => l({ type: 'models_changed', data: [] }))
    expect(ring.get('cpu.usage_percent').v).toEqual([0, 1, 77])
    expect(version.value).toBe(before + 1)
    // Reading the ring (every sparkline does) subscribes nothing more.
    useLiveSeries()
    expect(fake.listeners).toHaveLength(1)
  })
})

describe('SeriesRing.backfill', () => {
  const MIN = 60_000
  function minutes(key: string, times: number[]): History {
    return { range: '24h', step_ms: MIN, from: times[0] ?? 0, to: times[times.length - 1] ?? 0, series: [{ key, points: times.map((t) => ({ t, min: 1, avg: 5, max: 9 })) }] }
  }

  it('fills the start of the window from minute averages older than the raw samples', () => {
    const ring = new SeriesRing()
    const end = T0 + 10 * MIN
    ring.seed(history('cpu.usage_percent', [end - 2000, end - 1000, end]))
    expect(ring.coversWindow()).toBe(false)
    // 24 h of minutes: only those inside the window and older than the first raw sample are used.
    ring.backfill(minutes('cpu.usage_percent', [T0, T0 + 5 * MIN, T0 + 6 * MIN, T0 + 7 * MIN, T0 + 8 * MIN, T0 + 9 * MIN, end - 1000]))
    const { t, v } = ring.get('cpu.usage_percent')
    expect(t).toEqual([T0 + 5 * MIN, T0 + 6 * MIN, T0 + 7 * MIN, T0 + 8 * MIN, T0 + 9 * MIN, end - 2000, end - 1000, end])
    expect(v.slice(0, 5)).toEqual([5, 5, 5, 5, 5])
    expect(ring.coversWindow()).toBe(true)
  })

  it('adds a series only the stored history has, and keeps the order when points repeat', () => {
    const ring = new SeriesRing()
    ring.seed(history('cpu.usage_percent', [T0 + 4 * 60_000]))
    ring.backfill(minutes('memory.used_percent', [T0 + 2 * 60_000, T0 + 2 * 60_000, T0 + 3 * 60_000]))
    expect(ring.get('memory.used_percent').t).toEqual([T0 + 2 * 60_000, T0 + 3 * 60_000])
    expect(ring.latest).toBe(T0 + 4 * 60_000)
  })

  it('covers the window once the raw samples reach back five minutes, and never when empty', () => {
    const ring = new SeriesRing()
    expect(ring.coversWindow()).toBe(false)
    const times = Array.from({ length: 301 }, (_, i) => T0 + i * 1000)
    ring.seed(history('cpu.usage_percent', times))
    expect(ring.coversWindow()).toBe(true)
  })
})
