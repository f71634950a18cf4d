import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Run } from '../generated/Run'

import { ApiError } from '../api'
import { points, rollup, run, runDetail } from '../lib/runs/runs.fixtures'
import { emit, fake, installFakeApi, setConnection } from '../testing/fakeApi'
import { mergeRunDetail, upsertRun, useRunsStore } from './runs'

const update = (r: Run) => emit({ type: 'run_update', data: r })
const ids = (list: Run[]) => list.map((r) => r.id)
let stored: Run[]

beforeEach(() => {
  setActivePinia(createPinia())
  stored = [
    run({ id: 'old', started_at: 100, ended_at: 200 }),
    run({ id: 'mistral', model_id: 'm2', model_name: 'Mistral', started_at: 300, ended_at: 400 }),
  ]
  installFakeApi({
    listRuns: vi.fn(async (q: { model_id?: string }) => structuredClone(stored.filter((r) => !q.model_id || r.model_id === q.model_id))),
    getRun: vi.fn(async (id: string) => {
      const r = stored.find((x) => x.id === id)
      if (!r) throw new ApiError('run_not_found', `No run with id "${id}"`, 404, { id })
      return runDetail(structuredClone(r), { resources: points(5) })
    }),
    instanceLogs: vi.fn(async () => [{ seq: 1, stream: 'stdout', text: 'main: server is listening', at: 1 }]),
    updateRun: vi.fn(async (id: string, patch: { tags: string[] | null; notes: string | null }) => ({
      ...stored.find((r) => r.id === id)!, tags: patch.tags ?? [], notes: patch.notes ?? '',
    })),
    deleteRun: vi.fn(async () => undefined),
    saveRunReport: vi.fn(async (r: { ids: string[]; format: string }) => ({ filename: `runs.${r.format}`, path: `/home/me/Downloads/runs.${r.format}` })),
  })
})

async function following(model?: string) {
  const store = useRunsStore()
  store.connect()
  store.follow(model)
  await vi.waitFor(() => expect(store.loaded).toBe(true))
  return store
}

describe('the upsert rule', () => {
  it('adds newest first and replaces by id, but never an ended run by a live copy', () => {
    const ended = run({ id: 'a', started_at: 10 })
    let list = upsertRun([], ended)
    list = upsertRun(list, run({ id: 'b', started_at: 20, ended_at: null, state: 'running' }))
    expect(ids(list)).toEqual(['b', 'a'])
    expect(upsertRun(list, { ...ended, ended_at: null, state: 'running' })).toBe(list)
    expect(upsertRun(list, { ...ended, tags: ['x'] })[1].tags).toEqual(['x'])
  })

  it('keeps a detail’s readings, benchmarks, rollup and request figures over an update without them', () => {
    const held = runDetail({ id: 'live', ended_at: null, state: 'running' }, { resources: points(4) })
    const bare = run({ id: 'live', ended_at: null, state: 'running', rollup: rollup({ samples: 0 }), requests: null, tags: ['t'] })
    const merged = mergeRunDetail(bare, held)
    expect(merged.resources).toHaveLength(4)
    expect(merged.benchmarks).toHaveLength(1)
    expect(merged.run.tags).toEqual(['t'])
    expect(merged.run.rollup.samples).toBe(180)
    expect(merged.run.requests?.requests).toBe(42)
    // An ended detail is not made live again.
    const ended = runDetail({ id: 'x' })
    expect(mergeRunDetail(run({ id: 'x', ended_at: null }), ended)).toBe(ended)
  })
})

describe('runs store', () => {
  it('loads the list once a page follows it, newest first, again on reconnect, and one model’s alone', async () => {
    const store = useRunsStore()
    store.connect()
    expect(fake.api.listRuns).not.toHaveBeenCalled()
    store.follow()
    await vi.waitFor(() => expect(store.loaded).toBe(true))
    expect(ids(store.runs)).toEqual(['mistral', 'old'])
    expect(fake.api.listRuns).toHaveBeenLastCalledWith({ limit: 1000 })
    setConnection('open')
    await vi.waitFor(() => expect(fake.api.listRuns).toHaveBeenCalledTimes(2))
    store.follow('m2')
    await vi.waitFor(() => expect(fake.api.listRuns).toHaveBeenLastCalledWith({ model_id: 'm2', limit: 1000 }))
    await vi.waitFor(() => expect(ids(store.runs)).toEqual(['mistral']))
    expect(store.model).toBe('m2')
  })

  it('applies run_update events: a start, its end, and never the start again', async () => {
    const store = await following()
    const live = run({ id: 'new', started_at: 500, ended_at: null, state: 'running' })
    update(live)
    expect(ids(store.runs)).toEqual(['new', 'mistral', 'old'])
    update({ ...live, state: 'stopped', ended_at: 900 })
    expect(store.runs[0].state).toBe('stopped')
    update(live)
    expect(store.runs[0]).toMatchObject({ state: 'stopped', ended_at: 900 })
  })

  it('lists only the chosen model’s new runs', async () => {
    const store = await following('m2')
    update(run({ id: 'qwen-new', started_at: 900 }))
    expect(ids(store.runs)).toEqual(['mistral'])
    update(run({ id: 'mistral-new', model_id: 'm2', started_at: 900 }))
    expect(ids(store.runs)).toEqual(['mistral-new', 'mistral'])
  })

  it('keeps an opened run’s readings through updates, and fetches it again when it ends', async () => {
    stored.push(run({ id: 'live', started_at: 1000, ended_at: null, state: 'running' }))
    const store = await following()
    await store.loadDetail('live')
    expect(store.details.live.value?.resources).toHaveLength(5)
    update(run({ id: 'live', started_at: 1000, ended_at: null, state: 'running', rollup: rollup({ samples: 0 }), requests: null, notes: 'n' }))
    expect(store.details.live.value?.resources).toHaveLength(5)
    expect(store.details.live.value?.run.notes).toBe('n')
    expect(store.details.live.value?.run.rollup.samples).toBe(180)
    expect(fake.api.getRun).toHaveBeenCalledTimes(1)
    stored[2] = { ...stored[2], state: 'stopped', ended_at: 2000 }
    update(stored[2])
    await vi.waitFor(() => expect(fake.api.getRun).toHaveBeenCalledTimes(2))
    await vi.waitFor(() => expect(store.details.live.loading).toBe(false))
    expect(store.details.live.value?.run.state).toBe('stopped')
  })

  it('says why a run could not be opened, and reads its log', async () => {
    const store = await following()
    expect(await store.loadDetail('gone')).toBeNull()
    expect(store.details.gone.error?.code).toBe('run_not_found')
    await store.loadLog('old')
    expect(fake.api.instanceLogs).toHaveBeenCalledWith('old', { limit: 500 })
    expect(store.logs.old.value?.map((l) => l.text)).toEqual(['main: server is listening'])
    fake.api.instanceLogs = vi.fn(async () => {
      throw new ApiError('instance_not_found', 'gone', 404, { id: 'old' })
    })
    await store.loadLog('old')
    expect(store.logs.old.error?.code).toBe('instance_not_found')
    expect(store.logs.old.value).toHaveLength(1)
  })

  it('saves tags and notes, deletes, and keeps the selection to runs that exist', async () => {
    const store = await following()
    expect(await store.update('old', { tags: ['baseline'], notes: 'first' })).toBe(true)
    expect(store.byId('old')).toMatchObject({ tags: ['baseline'], notes: 'first' })
    store.toggleSelected('old')
    store.toggleSelected('mistral')
    expect(store.selected).toEqual(['old', 'mistral'])
    expect(await store.remove('old')).toBe(true)
    expect(ids(store.runs)).toEqual(['mistral'])
    expect(store.selected).toEqual(['mistral'])
    fake.api.deleteRun = vi.fn(async () => {
      throw new ApiError('run_still_running', 'still going', 409, { model: 'Mistral' })
    })
    expect(await store.remove('mistral')).toBe(false)
    expect(store.errorOf('mistral', 'deleting')?.code).toBe('run_still_running')
    expect(store.errorOf('mistral', 'saving')).toBeNull()
  })

  it('saves reports through the transport, one at a time', async () => {
    const store = await following()
    expect(await store.saveReport(['old', 'mistral'], 'html')).toEqual({ filename: 'runs.html', path: '/home/me/Downloads/runs.html' })
    expect(fake.api.saveRunReport).toHaveBeenCalledWith({ ids: ['old', 'mistral'], format: 'html' })
    fake.api.saveRunReport = vi.fn(async () => {
      throw new ApiError('run_save_failed', 'disk full', 503, { detail: 'disk full' })
    })
    expect(await store.saveReport(['old'], 'csv')).toBeNull()
    expect(store.exportError?.code).toBe('run_save_failed')
  })
})
