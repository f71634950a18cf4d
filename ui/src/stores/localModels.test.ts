import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'

import { ApiError } from '../api'
import { download, fitReport, LOCAL_PATH, localModel, localModels } from '../lib/hub/hub.fixtures'
import { emit, fake, installFakeApi, setConnection } from '../testing/fakeApi'
import { useDownloadsStore } from './downloads'
import { useLocalModelsStore } from './localModels'

beforeEach(() => {
  setActivePinia(createPinia())
  installFakeApi({
    listLocalModels: vi.fn(async () => localModels()),
    getModelFolders: vi.fn(async () => ({ folders: ['/data/models'] })),
    setModelFolders: vi.fn(async (f: { folders: string[] }) => f),
    fitLocalModel: vi.fn(async () => fitReport()),
    deleteLocalModel: vi.fn(async () => undefined),
  })
})

describe('local models store', () => {
  it('scans when first looked at, and again only once a download completed', async () => {
    const store = useLocalModelsStore()
    store.ensureScanned()
    await vi.waitFor(() => expect(store.local).not.toBeNull())
    store.ensureScanned()
    expect(fake.api.listLocalModels).toHaveBeenCalledTimes(1)
    expect(store.stale).toBe(false)
    useDownloadsStore().apply(download({ state: 'completed' }))
    expect(store.stale).toBe(true)
    store.ensureScanned()
    await vi.waitFor(() => expect(store.stale).toBe(false))
    expect(fake.api.listLocalModels).toHaveBeenCalledTimes(2)
  })

  it('scans again on the next look once the server says model files changed, or after a reconnect', async () => {
    const store = useLocalModelsStore()
    store.connect()
    // Before any scan a reconnect changes nothing.
    setConnection('open')
    await store.scan()
    expect(store.stale).toBe(false)
    emit({ type: 'local_models_changed' })
    expect(store.stale).toBe(true)
    store.ensureScanned()
    await vi.waitFor(() => expect(store.stale).toBe(false))
    setConnection('open')
    expect(store.stale).toBe(true)
    expect(fake.api.listLocalModels).toHaveBeenCalledTimes(2)
  })

  it('scans again when files changed during a scan', async () => {
    let answer!: (v: ReturnType<typeof localModels>) => void
    fake.api.listLocalModels.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)))
    const store = useLocalModelsStore()
    store.connect()
    const first = store.scan()
    emit({ type: 'local_models_changed' })
    answer(localModels([]))
    await first
    await vi.waitFor(() => expect(fake.api.listLocalModels).toHaveBeenCalledTimes(2))
    await vi.waitFor(() => expect(store.local?.models).toHaveLength(1))
    expect(store.stale).toBe(false)
  })

  it('keeps a scan error and the last list', async () => {
    const store = useLocalModelsStore()
    await store.scan()
    fake.api.listLocalModels.mockRejectedValueOnce(new ApiError('hub_io', 'disk gone'))
    await store.scan()
    expect(store.scanError?.code).toBe('hub_io')
    expect(store.local?.models).toHaveLength(1)
  })

  it('checks a fit without settings (llama.cpp’s check included), per file', async () => {
    const store = useLocalModelsStore()
    await store.checkFit(LOCAL_PATH)
    expect(fake.api.fitLocalModel).toHaveBeenCalledWith({ path: LOCAL_PATH, fit: null })
    expect(store.fits[LOCAL_PATH]).toMatchObject({ loading: false, error: null })
    expect(store.fits[LOCAL_PATH].value?.engine?.fits).toBe(true)
    fake.api.fitLocalModel.mockRejectedValueOnce(new ApiError('gguf_truncated', 'cut short', undefined, { path: LOCAL_PATH }))
    await store.checkFit(LOCAL_PATH)
    expect(store.fits[LOCAL_PATH]).toMatchObject({ loading: false, value: null })
    expect(store.fits[LOCAL_PATH].error?.code).toBe('gguf_truncated')
  })

  it('deletes a file from the list, or keeps the typed refusal', async () => {
    const other = localModel({}, { path: '/data/models/x.gguf', source: 'folder', repo: '/data/models', file: 'x.gguf' })
    fake.api.listLocalModels.mockResolvedValue(localModels([localModel(), other]))
    const store = useLocalModelsStore()
    await store.scan()
    fake.api.deleteLocalModel.mockRejectedValueOnce(new ApiError('hub_file_in_use', 'used', undefined, { path: LOCAL_PATH }))
    expect(await store.remove(LOCAL_PATH)).toBe(false)
    expect(store.deleteErrors[LOCAL_PATH]?.code).toBe('hub_file_in_use')
    expect(store.local?.models).toHaveLength(2)
    expect(await store.remove('/data/models/x.gguf')).toBe(true)
    expect(fake.api.deleteLocalModel).toHaveBeenLastCalledWith({ path: '/data/models/x.gguf' })
    expect(store.local?.models.map((m) => m.found.path)).toEqual([LOCAL_PATH])
  })

  it('saves the folders, then scans again; a refused folder keeps the list', async () => {
    const store = useLocalModelsStore()
    await store.loadFolders()
    expect(store.folders).toEqual(['/data/models'])
    expect(await store.saveFolders(['/data/models', '/more'])).toBe(true)
    expect(fake.api.setModelFolders).toHaveBeenCalledWith({ folders: ['/data/models', '/more'] })
    expect(store.folders).toEqual(['/data/models', '/more'])
    await vi.waitFor(() => expect(fake.api.listLocalModels).toHaveBeenCalledTimes(1))
    fake.api.setModelFolders.mockRejectedValueOnce(new ApiError('hub_bad_folder', 'The folder "/nope" does not exist or is not a folder'))
    expect(await store.saveFolders(['/nope'])).toBe(false)
    expect(store.foldersSaveError?.code).toBe('hub_bad_folder')
    expect(store.folders).toEqual(['/data/models', '/more'])
  })
})
