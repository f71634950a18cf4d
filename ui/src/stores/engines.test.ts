import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../api'
import type { EngineRuntime } from '../generated/EngineRuntime'
import type { EngineRuntimes } from '../generated/EngineRuntimes'
import { entry, overview, releases, runtime } from '../lib/engines/engines.fixtures'
import { emit, fake, installFakeApi, setConnection } from '../testing/fakeApi'
import { useEnginesStore } from './engines'

const CPU = runtime({ version: 'b6000', variant: 'cpu' })
const CUDA = runtime({ version: 'b6001', variant: 'cuda12', variant_label: 'cuda-12.4' })
let stored: EngineRuntimes

const update = (r: EngineRuntime) => emit({ type: 'engine_runtime_update', data: r })
const states = (o: EngineRuntimes | null) => o?.runtimes.map((e) => `${e.runtime.id}:${e.runtime.state}`)

beforeEach(() => {
  setActivePinia(createPinia())
  stored = overview({ default_id: CPU.id, runtimes: [entry(CPU, { is_default: true }), entry(CUDA)] })
  installFakeApi({
    listEngineRuntimes: vi.fn(async () => structuredClone(stored)),
    listEngineReleases: vi.fn(async () => releases()),
    installEngineRuntime: vi.fn(async () => runtime({ version: 'b6002', variant: 'cpu', state: 'downloading', download_id: 'd1', reported_version: null })),
    setDefaultEngineRuntime: vi.fn(async ({ id }: { id: string }) =>
      overview({ default_id: id, previous_default_id: CPU.id, runtimes: [entry(CPU), entry(CUDA, { is_default: true })] }),
    ),
    removeEngineRuntime: vi.fn(async () => overview({ default_id: CPU.id, runtimes: [entry(CPU, { is_default: true })] })),
    rollBackEngineRuntime: vi.fn(async () => overview({ default_id: CPU.id, runtimes: [entry(CPU, { is_default: true }), entry(CUDA)] })),
    pinEngineRuntime: vi.fn(async () =>
      overview({ default_id: CPU.id, runtimes: [entry(CPU, { is_default: true }), entry(CUDA, { pinned_models: [{ id: 'm1', name: 'Qwen' }] })] }),
    ),
    setEngineReleasesSource: vi.fn(async ({ url }: { url: string | null }) => overview({ releases_url: url ?? 'x', releases_url_is_default: url === null })),
  })
})

async function loaded() {
  const store = useEnginesStore()
  store.connect()
  await store.load()
  return store
}

describe('engines store', () => {
  it('loads the overview when asked, once for ensureLoaded, and says when nothing runs llama.cpp', async () => {
    const store = useEnginesStore()
    store.connect()
    expect(fake.api.listEngineRuntimes).not.toHaveBeenCalled()
    store.ensureLoaded()
    store.ensureLoaded()
    await vi.waitFor(() => expect(store.overview).not.toBeNull())
    store.ensureLoaded()
    expect(fake.api.listEngineRuntimes).toHaveBeenCalledTimes(1)
    expect(store.needsEngine).toBe(false)

    stored = overview({ fallback: null })
    await store.load()
    expect(store.needsEngine).toBe(true)
    // A runtime on its way does not run anything yet.
    stored = overview({ fallback: null, runtimes: [entry(runtime({ state: 'downloading' }))] })
    await store.load()
    expect(store.needsEngine).toBe(true)
  })

  it('keeps why the overview could not be loaded', async () => {
    fake.api.listEngineRuntimes.mockRejectedValueOnce(new ApiError('store_query_failed', 'disk'))
    const store = useEnginesStore()
    await store.load()
    expect(store.loadError?.code).toBe('store_query_failed')
    expect(store.needsEngine).toBe(false)
    await store.load()
    expect(store.loadError).toBeNull()
  })

  it('updates a runtime from its event, and adds one it did not list', async () => {
    const store = await loaded()
    update({ ...CUDA, state: 'failed', error: { code: 'engine_runtime_does_not_run', message: 'no', params: { detail: 'x' } } })
    expect(states(store.overview)).toEqual([`${CPU.id}:installed`, `${CUDA.id}:failed`])
    expect(store.overview!.runtimes[1].runtime.error?.code).toBe('engine_runtime_does_not_run')

    const next = runtime({ version: 'b6002', state: 'downloading', download_id: 'd9' })
    update(next)
    expect(states(store.overview)).toEqual([`${CPU.id}:installed`, `${CUDA.id}:failed`, `${next.id}:downloading`])
    expect(store.overview!.runtimes[2]).toMatchObject({ is_default: false, pinned_models: [], running_instances: 0 })
  })

  it('loads the overview again once a runtime is installed or failed, not while it downloads or unpacks', async () => {
    const store = await loaded()
    expect(fake.api.listEngineRuntimes).toHaveBeenCalledTimes(1)
    const next = runtime({ version: 'b6002', state: 'downloading' })
    update(next)
    update({ ...next, state: 'installing' })
    await Promise.resolve()
    expect(fake.api.listEngineRuntimes).toHaveBeenCalledTimes(1)

    // Installed, and the core made it the default.
    stored = overview({ default_id: next.id, previous_default_id: CPU.id, runtimes: [entry(CPU), entry(CUDA), entry({ ...next, state: 'installed' }, { is_default: true })] })
    update({ ...next, state: 'installed' })
    await vi.waitFor(() => expect(fake.api.listEngineRuntimes).toHaveBeenCalledTimes(2))
    await vi.waitFor(() => expect(store.overview?.default_id).toBe(next.id))
    expect(store.overview!.runtimes[2].is_default).toBe(true)

    update({ ...CUDA, state: 'failed' })
    await vi.waitFor(() => expect(fake.api.listEngineRuntimes).toHaveBeenCalledTimes(3))
  })

  it('loads again after a load that an update overtook, and on reconnect once loaded', async () => {
    const store = useEnginesStore()
    store.connect()
    setConnection('open')
    expect(fake.api.listEngineRuntimes).not.toHaveBeenCalled()
    const first = store.load()
    update({ ...CUDA, state: 'failed' })
    await first
    await vi.waitFor(() => expect(fake.api.listEngineRuntimes).toHaveBeenCalledTimes(2))
    await vi.waitFor(() => expect(store.loading).toBe(false))
    setConnection('open')
    await vi.waitFor(() => expect(fake.api.listEngineRuntimes).toHaveBeenCalledTimes(3))
  })

  it('replaces the overview with what each action answers', async () => {
    const store = await loaded()
    expect(await store.setDefault(CUDA.id)).toBe(true)
    expect(fake.api.setDefaultEngineRuntime).toHaveBeenCalledWith({ id: CUDA.id })
    expect(store.overview!.default_id).toBe(CUDA.id)
    expect(store.overview!.previous_default_id).toBe(CPU.id)

    expect(await store.rollBack()).toBe(true)
    expect(store.overview!.default_id).toBe(CPU.id)

    expect(await store.pin('m1', CUDA.id)).toBe(true)
    expect(fake.api.pinEngineRuntime).toHaveBeenCalledWith({ model_id: 'm1', runtime_id: CUDA.id })
    expect(store.overview!.runtimes[1].pinned_models).toEqual([{ id: 'm1', name: 'Qwen' }])
    await store.pin('m1', null)
    expect(fake.api.pinEngineRuntime).toHaveBeenLastCalledWith({ model_id: 'm1', runtime_id: null })

    expect(await store.remove(CUDA.id)).toBe(true)
    expect(fake.api.removeEngineRuntime).toHaveBeenCalledWith(CUDA.id)
    expect(states(store.overview)).toEqual([`${CPU.id}:installed`])

    await store.loadReleases()
    expect(store.releases?.releases).toHaveLength(3)
    expect(await store.setSource('https://mirror.example/releases')).toBe(true)
    expect(fake.api.setEngineReleasesSource).toHaveBeenCalledWith({ url: 'https://mirror.example/releases' })
    expect(store.overview!.releases_url).toBe('https://mirror.example/releases')
    // Listed from the old source: asked again when wanted.
    expect(store.releases).toBeNull()
    expect(store.busy).toBeNull()
  })

  it('adds the runtime an install answers, and keeps an action’s error with the action', async () => {
    const store = await loaded()
    const r = await store.install({ version: 'b6002', variant: 'cpu' })
    expect(fake.api.installEngineRuntime).toHaveBeenCalledWith({ version: 'b6002', variant: 'cpu' })
    expect(r?.state).toBe('downloading')
    expect(states(store.overview)).toContain('llama.cpp-b6002-cpu:downloading')

    fake.api.removeEngineRuntime.mockRejectedValueOnce(
      new ApiError('engine_runtime_in_use', `${CPU.id} is the default; make another runtime the default first`, 409, {
        id: CPU.id,
        reason: 'the default',
        what_to_do: 'make another runtime the default first',
      }),
    )
    const before = store.overview
    expect(await store.remove(CPU.id)).toBe(false)
    expect(store.error?.code).toBe('engine_runtime_in_use')
    expect(store.errorKey).toBe(`remove:${CPU.id}`)
    expect(store.overview).toBe(before)
    // The next action clears it.
    await store.rollBack()
    expect(store.error).toBeNull()

    fake.api.installEngineRuntime.mockRejectedValueOnce(new ApiError('engine_releases_unreachable', 'offline'))
    expect(await store.install()).toBeNull()
    expect(fake.api.installEngineRuntime).toHaveBeenLastCalledWith({})
    expect(store.errorKey).toBe('install:recommended')
  })

  it('lists releases only when asked, keeping why that failed', async () => {
    const store = await loaded()
    expect(fake.api.listEngineReleases).not.toHaveBeenCalled()
    fake.api.listEngineReleases.mockRejectedValueOnce(new ApiError('engine_releases_unreachable', 'offline', 503, { url: 'u', detail: 'd' }))
    await store.loadReleases()
    expect(store.releasesError?.code).toBe('engine_releases_unreachable')
    expect(store.releases).toBeNull()
    await store.loadReleases()
    expect(store.releasesError).toBeNull()
    expect(store.releases?.recommended.variant).toBe('cuda12')
  })
})
