import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Download } from '../generated/Download'

import { ApiError } from '../api'
import { download } from '../lib/hub/hub.fixtures'
import { emit, fake, installFakeApi, setConnection } from '../testing/fakeApi'
import { startKey, useDownloadsStore } from './downloads'

const update = (d: Download) => emit({ type: 'download_update', data: d })
const ids = (list: Download[]) => list.map((d) => d.id)
let stored: Download[]

beforeEach(() => {
  setActivePinia(createPinia())
  stored = [download({ id: 'b', created_at: 200 }), download({ id: 'a', created_at: 100, state: 'completed', local_path: '/m/a.gguf' })]
  installFakeApi({
    listDownloads: vi.fn(async () => structuredClone(stored)),
    startDownload: vi.fn(async (n: { repo: string; files: string[] }) => download({ id: 'new', created_at: 300, repo: n.repo, state: 'queued', done_bytes: 0 })),
    pauseDownload: vi.fn(async (id: string) => ({ ...stored.find((d) => d.id === id)!, state: 'paused', rate_bytes_per_second: null })),
    resumeDownload: vi.fn(async (id: string) => ({ ...stored.find((d) => d.id === id)!, state: 'queued' })),
    cancelDownload: vi.fn(async (id: string) => ({ ...stored.find((d) => d.id === id)!, state: 'cancelled' })),
    removeDownload: vi.fn(async () => undefined),
  })
})

async function following() {
  const store = useDownloadsStore()
  store.connect()
  store.follow()
  await vi.waitFor(() => expect(store.loaded).toBe(true))
  return store
}

describe('downloads store', () => {
  it('loads the list once a page follows it, newest first', async () => {
    const store = useDownloadsStore()
    store.connect()
    expect(fake.api.listDownloads).not.toHaveBeenCalled()
    store.follow()
    store.follow()
    await vi.waitFor(() => expect(store.loaded).toBe(true))
    expect(fake.api.listDownloads).toHaveBeenCalledTimes(1)
    expect(ids(store.downloads)).toEqual(['b', 'a'])
    expect(store.activeCount).toBe(1)
  })

  it('upserts each download_update by id: progress replaces the row, a new download is added on top', async () => {
    const store = await following()
    update(download({ id: 'b', created_at: 200, done_bytes: 60, total_bytes: 100, rate_bytes_per_second: 10, eta_seconds: 4 }))
    expect(ids(store.downloads)).toEqual(['b', 'a'])
    expect(store.downloads[0]).toMatchObject({ done_bytes: 60, eta_seconds: 4 })
    update(download({ id: 'c', created_at: 300, state: 'queued' }))
    expect(ids(store.downloads)).toEqual(['c', 'b', 'a'])
    expect(store.activeCount).toBe(2)
    update(download({ id: 'b', created_at: 200, state: 'paused' }))
    expect(store.downloads[1].state).toBe('paused')
    expect(store.activeCount).toBe(1)
  })

  it('keeps events from app start, and what changed during the fetch over its older answer', async () => {
    let answer!: (list: Download[]) => void
    fake.api.listDownloads.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)))
    const store = useDownloadsStore()
    store.connect()
    update(download({ id: 'early', created_at: 50, state: 'completed' }))
    expect(ids(store.downloads)).toEqual(['early'])
    store.follow()
    await vi.waitFor(() => expect(fake.api.listDownloads).toHaveBeenCalled())
    update(download({ id: 'b', created_at: 200, state: 'completed', done_bytes: 100, total_bytes: 100 }))
    answer([download({ id: 'b', created_at: 200, done_bytes: 10 }), download({ id: 'early', created_at: 50, state: 'completed' })])
    await vi.waitFor(() => expect(store.loaded).toBe(true))
    expect(ids(store.downloads)).toEqual(['b', 'early'])
    expect(store.downloads[0].state).toBe('completed')
  })

  it('counts completions: new model files are on disk', async () => {
    const store = await following()
    expect(store.completions).toBe(0)
    update(download({ id: 'b', created_at: 200, state: 'completed' }))
    update(download({ id: 'b', created_at: 200, state: 'completed' }))
    expect(store.completions).toBe(1)
    expect(store.ollamaCompletions).toBe(0)
    // An Ollama pull that completes counts too, and on its own (Ollama has a new model).
    update(download({ id: 'o', created_at: 300, source: 'ollama', repo: 'qwen2.5:7b', files: [], state: 'downloading' }))
    update(download({ id: 'o', created_at: 300, source: 'ollama', repo: 'qwen2.5:7b', files: [], state: 'completed' }))
    expect(store.completions).toBe(2)
    expect(store.ollamaCompletions).toBe(1)
    // A llama.cpp build's archive is no model file.
    update(download({ id: 'e', created_at: 400, source: 'engine_release', repo: 'llama.cpp', state: 'completed' }))
    expect(store.completions).toBe(2)
  })

  it('pauses, resumes and cancels with the answer applied, and removes from the list', async () => {
    const store = await following()
    expect(await store.pause('b')).toBe(true)
    expect(fake.api.pauseDownload).toHaveBeenCalledWith('b')
    expect(store.byId('b')?.state).toBe('paused')
    await store.resume('b')
    expect(store.byId('b')?.state).toBe('queued')
    await store.cancel('b')
    expect(store.byId('b')?.state).toBe('cancelled')
    await store.remove('a')
    expect(ids(store.downloads)).toEqual(['b'])
  })

  it('keeps an action’s error per download, and clears it on the next try', async () => {
    const store = await following()
    fake.api.pauseDownload.mockRejectedValueOnce(new ApiError('hub_download_not_found', 'gone'))
    expect(await store.pause('b')).toBe(false)
    expect(store.errors.b?.code).toBe('hub_download_not_found')
    expect(store.pending.b).toBeUndefined()
    await store.pause('b')
    expect(store.errors.b).toBeUndefined()
  })

  it('starts a download on a hub at its default branch, and keeps why a start failed by hub, repository and file', async () => {
    const store = await following()
    const d = await store.start('hugging_face', 'org/x-GGUF', ['x-q4_1.gguf'])
    // No revision: the server takes the hub's default branch (`main`; `master` on ModelScope).
    expect(fake.api.startDownload).toHaveBeenCalledWith({ source: 'hugging_face', repo: 'org/x-GGUF', files: ['x-q4_1.gguf'] })
    expect(d?.id).toBe('new')
    expect(ids(store.downloads)[0]).toBe('new')
    await store.start('model_scope', 'owner/x-GGUF', ['x-q4_1.gguf'])
    expect(fake.api.startDownload).toHaveBeenLastCalledWith({ source: 'model_scope', repo: 'owner/x-GGUF', files: ['x-q4_1.gguf'] })
    await store.start('hugging_face', 'org/x-GGUF', ['x-q4_1.gguf'], 'v2')
    expect(fake.api.startDownload).toHaveBeenLastCalledWith({ source: 'hugging_face', repo: 'org/x-GGUF', revision: 'v2', files: ['x-q4_1.gguf'] })
    fake.api.startDownload.mockRejectedValueOnce(
      new ApiError('hub_disk_full', 'Not enough disk space', undefined, { folder: '/c', needed: '2048', free: '1024' }),
    )
    expect(await store.start('model_scope', 'org/y', ['y.gguf'])).toBeNull()
    expect(store.startErrors[startKey('model_scope', 'org/y', 'y.gguf')]?.code).toBe('hub_disk_full')
    expect(store.startErrors[startKey('hugging_face', 'org/y', 'y.gguf')]).toBeUndefined()
    expect(store.starting).toEqual({})
  })

  it('reloads on reconnect once followed, keeps a load error', async () => {
    const store = await following()
    stored = [download({ id: 'z', created_at: 900 })]
    setConnection('open')
    await vi.waitFor(() => expect(ids(store.downloads)).toEqual(['z']))
    fake.api.listDownloads.mockRejectedValueOnce(new ApiError('network_error', 'down'))
    await store.load()
    expect(store.loadError?.code).toBe('network_error')
    expect(ids(store.downloads)).toEqual(['z'])
  })
})
