import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Benchmark } from '../generated/Benchmark'

import { ApiError } from '../api'
import { hardwareBenchmark, level, loadBenchmark, loadSpec } from '../lib/bench/bench.fixtures'
import { emit, fake, installFakeApi, setConnection } from '../testing/fakeApi'
import { keepSamples, upsertBenchmark, useBenchmarksStore } from './benchmarks'

const update = (b: Benchmark) => emit({ type: 'benchmark_update', data: b })
const ids = (list: Benchmark[]) => list.map((b) => b.id)
const sample = (sent_ms: number) => ({ sent_ms, ttft_ms: 100, e2el_ms: 700, tpot_ms: 9, input_tokens: 128, output_tokens: 64, ok: true })
let stored: Benchmark[]

beforeEach(() => {
  setActivePinia(createPinia())
  stored = [loadBenchmark({ id: 'old', started_at: 100 }), hardwareBenchmark({ id: 'hw', started_at: 200 })]
  installFakeApi({
    listBenchmarks: vi.fn(async () => structuredClone(stored)),
    getBenchmark: vi.fn(async (id: string) => {
      const b = stored.find((x) => x.id === id)
      if (!b) throw new ApiError('benchmark_not_found', `No benchmark with id "${id}"`, 404, { id })
      return { ...structuredClone(b), results: b.results.map((r) => ({ ...r, samples: [sample(0), sample(10)] })) }
    }),
    startBenchmark: vi.fn(async () =>
      loadBenchmark({ id: 'new', state: 'running', started_at: 300, results: [], progress: { level: 0, levels: 2, warming_up: true, done: 0, failed: 0, total: 8, in_flight: 1, output_throughput: 0 } }),
    ),
    startHardwareBenchmark: vi.fn(async () => hardwareBenchmark({ id: 'hw2', state: 'running', started_at: 400, hardware: null })),
    cancelBenchmark: vi.fn(async (id: string) => loadBenchmark({ id, state: 'cancelled', started_at: 300 })),
    updateBenchmark: vi.fn(async (id: string, patch: { label: string; tags: string[]; notes: string }) => ({
      ...stored.find((b) => b.id === id)!, label: patch.label, tags: patch.tags, notes: patch.notes,
    })),
    deleteBenchmark: vi.fn(async () => undefined),
    exportBenchmarks: vi.fn(async (r: { ids: string[]; format: string }) => ({ filename: 'benchmarks.md', content_type: 'text/markdown', content: `# ${r.ids.join(',')}` })),
  })
})

async function following() {
  const store = useBenchmarksStore()
  store.connect()
  store.follow()
  await vi.waitFor(() => expect(store.loaded).toBe(true))
  return store
}

describe('benchmarks store', () => {
  it('loads the list once a page follows it, newest first, and again on reconnect', async () => {
    const store = useBenchmarksStore()
    store.connect()
    expect(fake.api.listBenchmarks).not.toHaveBeenCalled()
    store.follow()
    await vi.waitFor(() => expect(store.loaded).toBe(true))
    expect(ids(store.benchmarks)).toEqual(['hw', 'old'])
    expect(store.running).toBeNull()
    setConnection('open')
    await vi.waitFor(() => expect(fake.api.listBenchmarks).toHaveBeenCalledTimes(2))
  })

  it('applies benchmark_update events: start, progress and end', async () => {
    const store = await following()
    const running = loadBenchmark({
      id: 'run', state: 'running', started_at: 500, results: [], ended_at: null,
      progress: { level: 0, levels: 2, warming_up: true, done: 0, failed: 0, total: 8, in_flight: 1, output_throughput: 0 },
    })
    update(running)
    expect(ids(store.benchmarks)).toEqual(['run', 'hw', 'old'])
    expect(store.running?.id).toBe('run')
    expect(store.running?.progress.warming_up).toBe(true)

    update({ ...running, progress: { level: 1, levels: 2, warming_up: false, done: 5, failed: 1, total: 8, in_flight: 2, output_throughput: 321 }, results: [level(1)] })
    expect(store.benchmarks).toHaveLength(3)
    expect(store.running?.progress).toMatchObject({ level: 1, done: 5, failed: 1, output_throughput: 321 })
    expect(store.running?.results).toHaveLength(1)

    update({ ...running, state: 'completed', ended_at: 600, results: [level(1), level(4)] })
    expect(store.running).toBeNull()
    expect(store.byId('run')?.state).toBe('completed')
    expect(store.byId('run')?.results).toHaveLength(2)
  })

  it('keeps an update that arrived during the list fetch', async () => {
    let answer!: (list: Benchmark[]) => void
    fake.api.listBenchmarks = vi.fn(() => new Promise<Benchmark[]>((r) => (answer = r)))
    const store = useBenchmarksStore()
    store.connect()
    store.follow()
    update(loadBenchmark({ id: 'old', started_at: 100, state: 'failed' }))
    answer(structuredClone(stored))
    await vi.waitFor(() => expect(store.loaded).toBe(true))
    expect(store.byId('old')?.state).toBe('failed')
  })

  it('fetches a record in full, keeps its samples through updates, and fetches it again when it ends', async () => {
    stored.push(loadBenchmark({ id: 'run', state: 'running', started_at: 500, results: [level(1)] }))
    const store = await following()
    await store.loadDetail('run')
    expect(store.details.run.value?.results[0].samples).toHaveLength(2)

    // Progress (no samples): the samples stay.
    update(loadBenchmark({ id: 'run', state: 'running', started_at: 500, results: [level(1), level(4)] }))
    expect(store.details.run.value?.results.map((r) => r.samples.length)).toEqual([2, 0])

    // The end: fetched again, now with the last level's samples.
    stored[2] = loadBenchmark({ id: 'run', state: 'completed', started_at: 500, results: [level(1), level(4)] })
    update(loadBenchmark({ id: 'run', state: 'completed', started_at: 500, results: [level(1), level(4)] }))
    await vi.waitFor(() => expect(store.details.run.value?.results.map((r) => r.samples.length)).toEqual([2, 2]))
    expect(fake.api.getBenchmark).toHaveBeenCalledTimes(2)

    await store.loadDetail('gone')
    expect(store.details.gone.error?.code).toBe('benchmark_not_found')
  })

  it('starts benchmarks, and says why a start was refused', async () => {
    const store = await following()
    const started = await store.startLoad(loadSpec())
    expect(started?.id).toBe('new')
    expect(fake.api.startBenchmark).toHaveBeenCalledWith(loadSpec())
    expect(store.running?.id).toBe('new')

    fake.api.startHardwareBenchmark = vi.fn(async () => {
      throw new ApiError('benchmark_busy', 'The benchmark "x" is running', 409, { label: 'x' })
    })
    expect(await store.startHardware({ model_id: 'm1', prompt_tokens: 512, generate_tokens: 128, repetitions: 3, threads: null, gpu_layers: null })).toBeNull()
    expect(store.startErrors.hardware?.code).toBe('benchmark_busy')
    expect(store.startErrors.load).toBeNull()
    expect(store.starting).toBeNull()
  })

  it('cancels, saves tags and notes, deletes, and keeps the selection in step', async () => {
    const store = await following()
    store.toggleSelected('old')
    store.toggleSelected('hw')
    expect(store.selected).toEqual(['old', 'hw'])
    store.toggleSelected('old', false)
    expect(store.selected).toEqual(['hw'])
    store.toggleSelected('old')

    expect(await store.cancel('new')).toBe(true)
    expect(store.byId('new')?.state).toBe('cancelled')

    expect(await store.update('old', { label: 'Baseline', tags: ['a', 'b'], notes: 'n' })).toBe(true)
    expect(fake.api.updateBenchmark).toHaveBeenCalledWith('old', { label: 'Baseline', tags: ['a', 'b'], notes: 'n' })
    expect(store.byId('old')).toMatchObject({ label: 'Baseline', tags: ['a', 'b'], notes: 'n' })

    fake.api.deleteBenchmark = vi.fn(async () => {
      throw new ApiError('benchmark_still_running', 'still running', 409, { label: 'x' })
    })
    expect(await store.remove('hw')).toBe(false)
    expect(store.errorOf('hw', 'deleting')?.code).toBe('benchmark_still_running')
    expect(store.errorOf('hw', 'saving')).toBeNull()
    fake.api.deleteBenchmark = vi.fn(async () => undefined)
    expect(await store.remove('hw')).toBe(true)
    expect(store.byId('hw')).toBeNull()
    expect(store.selected).toEqual(['old'])
  })

  it('exports the ids asked for', async () => {
    const store = await following()
    const file = await store.exportReport(['old', 'hw'], 'csv')
    expect(fake.api.exportBenchmarks).toHaveBeenCalledWith({ ids: ['old', 'hw'], format: 'csv' })
    expect(file?.content).toBe('# old,hw')
    fake.api.exportBenchmarks = vi.fn(async () => {
      throw new ApiError('benchmark_invalid_input', 'export 1 to 50 benchmarks', 400, { detail: 'export 1 to 50 benchmarks' })
    })
    expect(await store.exportReport([], 'json')).toBeNull()
    expect(store.exportError?.code).toBe('benchmark_invalid_input')
  })
})

describe('saving a report', () => {
  it('goes through the transport (a download, or a file in Downloads) and says where, or why not', async () => {
    fake.api.saveBenchmarkReport = vi.fn(async ({ ids }: { ids: string[] }) => {
      if (ids[0] === 'gone') throw new ApiError('benchmark_not_found', 'No benchmark', 404, { id: 'gone' })
      return { filename: 'benchmark-a.csv', path: '/home/me/Downloads/benchmark-a.csv' }
    })
    const store = useBenchmarksStore()
    expect(await store.saveReport(['a'], 'csv')).toEqual({ filename: 'benchmark-a.csv', path: '/home/me/Downloads/benchmark-a.csv' })
    expect(fake.api.saveBenchmarkReport).toHaveBeenCalledWith({ ids: ['a'], format: 'csv' })
    expect(await store.saveReport(['gone'], 'csv')).toBeNull()
    expect(store.exportError?.code).toBe('benchmark_not_found')
    expect(store.exporting).toBeNull()
  })
})

describe('keepSamples', () => {
  it('keeps the samples of each level by its load name', () => {
    const held = loadBenchmark({ results: [level(1, { samples: [sample(0)] })] })
    const next = loadBenchmark({ results: [level(1), level(4)] })
    expect(keepSamples(next, held).results.map((r) => r.samples.length)).toEqual([1, 0])
    expect(keepSamples(next, null)).toBe(next)
  })
})

describe('keepSamples', () => {
  it('keeps the readings of the machine an update leaves out', () => {
    const reading = { at_ms: 0, cpu_percent: 5, instance_cpu_percent: null, instance_rss_bytes: 1, instance_vram_bytes: null, gpu_utilization_percent: null, gpu_power_watts: null }
    const held = loadBenchmark({ id: 'r', resources: [reading] })
    expect(keepSamples(loadBenchmark({ id: 'r', notes: 'x' }), held).resources).toEqual([reading])
  })
})

describe('upsertBenchmark', () => {
  it('never lets an older running answer replace the end that overtook it', () => {
    const ended = loadBenchmark({ id: 'c', state: 'cancelled' })
    const list = upsertBenchmark([ended], loadBenchmark({ id: 'c', state: 'running' }))
    expect(list[0].state).toBe('cancelled')
    expect(upsertBenchmark(list, loadBenchmark({ id: 'c', state: 'cancelled', notes: 'n' }))[0].notes).toBe('n')
  })
})
