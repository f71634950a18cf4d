import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Sweep } from '../generated/Sweep'

import { ApiError } from '../api'
import { promotion, runningSweep, sweep, sweepSpec } from '../lib/sweeps/sweeps.fixtures'
import { emit, fake, installFakeApi, setConnection } from '../testing/fakeApi'
import { upsertSweep, useSweepsStore } from './sweeps'

const update = (s: Sweep) => emit({ type: 'sweep_update', data: s })
const ids = (list: Sweep[]) => list.map((s) => s.id)
let stored: Sweep[]

beforeEach(() => {
  setActivePinia(createPinia())
  stored = [sweep({ id: 'old', started_at: 100 }), sweep({ id: 's1', started_at: 200 })]
  installFakeApi({
    listSweeps: vi.fn(async () => structuredClone(stored)),
    getSweep: vi.fn(async (id: string) => {
      const s = stored.find((x) => x.id === id)
      if (!s) throw new ApiError('sweep_not_found', `No sweep with id "${id}"`, 404, { id })
      return structuredClone(s)
    }),
    startSweep: vi.fn(async () => runningSweep({ id: 'new', started_at: 300 })),
    cancelSweep: vi.fn(async (id: string) => sweep({ id, state: 'cancelled', started_at: 300 })),
    deleteSweep: vi.fn(async () => undefined),
    applySweep: vi.fn(async () => promotion({ id: 'p2', at: 5000 })),
    listPromotions: vi.fn(async () => [promotion({ id: 'older', at: 10 }), promotion()]),
    saveSweepReport: vi.fn(async (r: { id: string; format: string }) => ({ filename: `sweep-${r.id}.${r.format}` })),
  })
})

async function following() {
  const store = useSweepsStore()
  store.connect()
  store.follow()
  await vi.waitFor(() => expect(store.loaded).toBe(true))
  return store
}

describe('sweeps store', () => {
  it('never replaces an ended sweep by a running copy', () => {
    const done = sweep({ id: 'a' })
    const list = upsertSweep([], done)
    expect(upsertSweep(list, { ...done, state: 'running' })).toBe(list)
    expect(upsertSweep(list, { ...done, applied_at: 9 })[0].applied_at).toBe(9)
    expect(ids(upsertSweep(list, sweep({ id: 'b', started_at: done.started_at + 1 })))).toEqual(['b', 'a'])
  })

  it('loads the list once a page follows it, newest first, and again on reconnect', async () => {
    const store = useSweepsStore()
    store.connect()
    expect(fake.api.listSweeps).not.toHaveBeenCalled()
    store.follow()
    await vi.waitFor(() => expect(store.loaded).toBe(true))
    expect(ids(store.sweeps)).toEqual(['s1', 'old'])
    expect(store.running).toBeNull()
    setConnection('open')
    await vi.waitFor(() => expect(fake.api.listSweeps).toHaveBeenCalledTimes(2))
  })

  it('starts a sweep and follows it through sweep_update events to its end', async () => {
    const store = await following()
    const started = await store.start(sweepSpec())
    expect(started?.id).toBe('new')
    expect(store.running?.id).toBe('new')
    await store.loadDetail('new').catch(() => null)
    const progressed = runningSweep({ id: 'new', started_at: 300, current: 2 })
    update(progressed)
    expect(store.running?.current).toBe(2)
    const ended = sweep({ id: 'new', started_at: 300 })
    update(ended)
    expect(store.running).toBeNull()
    update(progressed)
    expect(store.byId('new')?.state).toBe('completed')
  })

  it('keeps the held record current and says why a start or a detail failed', async () => {
    const store = await following()
    await store.loadDetail('s1')
    update({ ...stored[1], applied_at: 42 })
    expect(store.details.s1.value?.applied_at).toBe(42)
    expect(await store.loadDetail('gone')).toBeNull()
    expect(store.details.gone.error?.code).toBe('sweep_not_found')
    fake.api.startSweep = vi.fn(async () => {
      throw new ApiError('sweep_busy', 'busy', 409, { label: 'Qwen · 4 configurations' })
    })
    expect(await store.start(sweepSpec())).toBeNull()
    expect(store.startError?.code).toBe('sweep_busy')
  })

  it('cancels, deletes, and says why an action failed', async () => {
    const store = await following()
    update(runningSweep({ id: 'run', started_at: 300 }))
    expect(await store.cancel('run')).toBe(true)
    expect(store.byId('run')?.state).toBe('cancelled')
    expect(await store.remove('old')).toBe(true)
    expect(ids(store.sweeps)).toEqual(['run', 's1'])
    fake.api.deleteSweep = vi.fn(async () => {
      throw new ApiError('sweep_still_running', 'running', 409, { label: 'x' })
    })
    expect(await store.remove('s1')).toBe(false)
    expect(store.errorOf('s1', 'deleting')?.code).toBe('sweep_still_running')
  })

  it('applies a configuration: the promotion, the sweep marked applied, the model’s history', async () => {
    const store = await following()
    await store.loadPromotions('m1')
    expect(fake.api.listPromotions).toHaveBeenCalledWith({ model_id: 'm1' })
    expect(store.promotions.m1.value?.map((p) => p.id)).toEqual(['p1', 'older'])
    const p = await store.applyConfig('s1', null)
    expect(fake.api.applySweep).toHaveBeenCalledWith('s1', { config_index: null })
    expect(p?.id).toBe('p2')
    expect(store.applied.s1.id).toBe('p2')
    expect(store.byId('s1')?.applied_at).toBe(5000)
    expect(store.promotions.m1.value?.map((x) => x.id)).toEqual(['p2', 'p1', 'older'])
    fake.api.applySweep = vi.fn(async () => {
      throw new ApiError('sweep_config_not_applicable', 'no', 400, { index: '3', outcome: 'skipped' })
    })
    expect(await store.applyConfig('s1', 3)).toBeNull()
    expect(store.errorOf('s1', 'applying')?.code).toBe('sweep_config_not_applicable')
  })

  it('saves a report through the transport', async () => {
    const store = await following()
    expect(await store.saveReport('s1', 'markdown')).toEqual({ filename: 'sweep-s1.markdown' })
    expect(fake.api.saveSweepReport).toHaveBeenCalledWith({ id: 's1', format: 'markdown' })
    fake.api.saveSweepReport = vi.fn(async () => {
      throw new ApiError('sweep_save_failed', 'no', 503, { detail: 'read-only' })
    })
    expect(await store.saveReport('s1', 'csv')).toBeNull()
    expect(store.exportError?.code).toBe('sweep_save_failed')
  })
})
