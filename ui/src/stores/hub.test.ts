import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { HubSearchPage } from '../generated/HubSearchPage'

import { ApiError } from '../api'
import { hubFitReport, hubModel, hubRepo, settingsView } from '../lib/hub/hub.fixtures'
import { fake, installFakeApi } from '../testing/fakeApi'
import { fitKey, useHubStore } from './hub'

beforeEach(() => {
  setActivePinia(createPinia())
  installFakeApi({
    searchHub: vi.fn(async (q: { q?: string; cursor?: string }): Promise<HubSearchPage> =>
      q.cursor ? { models: [hubModel({ id: 'org/b' }), hubModel({ id: 'org/c' })], next_cursor: null } : { models: [hubModel(), hubModel({ id: 'org/b' })], next_cursor: 'next' },
    ),
    hubRepo: vi.fn(async (q: { repo: string }) => hubRepo({ id: q.repo })),
    fitHubFile: vi.fn(async () => hubFitReport()),
    hubSettings: vi.fn(async () => settingsView()),
    setHubSettings: vi.fn(async (s) => settingsView({ settings: s, endpoint: s.endpoint ?? 'https://huggingface.co', endpoint_source: s.endpoint ? 'setting' : 'default' })),
    setHubToken: vi.fn(async (t: { token: string | null }) => settingsView({ token_source: t.token ? 'app' : null })),
  })
})

describe('hub store', () => {
  it('searches, pages on with the cursor without repeating a repository, and clears on an empty query', async () => {
    const hub = useHubStore()
    await hub.search('  smol ')
    expect(fake.api.searchHub).toHaveBeenCalledWith({ source: 'hugging_face', q: 'smol' })
    expect(hub.searchedQuery).toBe('smol')
    expect(hub.nextCursor).toBe('next')
    await hub.loadMore()
    expect(fake.api.searchHub).toHaveBeenLastCalledWith({ source: 'hugging_face', q: 'smol', cursor: 'next' })
    expect(hub.results.map((m) => m.id)).toEqual([hubModel().id, 'org/b', 'org/c'])
    expect(hub.nextCursor).toBeNull()
    await hub.search('')
    expect(hub.results).toEqual([])
    expect(hub.searchedQuery).toBe('')
    expect(fake.api.searchHub).toHaveBeenCalledTimes(2)
  })

  it('keeps the answer of the last query only', async () => {
    let first!: (p: HubSearchPage) => void
    fake.api.searchHub.mockImplementationOnce(() => new Promise((resolve) => (first = resolve)))
    const hub = useHubStore()
    const slow = hub.search('a')
    await hub.search('ab')
    first({ models: [hubModel({ id: 'org/stale' })], next_cursor: null })
    await slow
    expect(hub.searchedQuery).toBe('ab')
    expect(hub.results.map((m) => m.id)).not.toContain('org/stale')
  })

  it('opens a repository, and keeps its error', async () => {
    const hub = useHubStore()
    await hub.openRepo('org/x')
    expect(fake.api.hubRepo).toHaveBeenCalledWith({ source: 'hugging_face', repo: 'org/x' })
    expect(hub.repo?.id).toBe('org/x')
    // The hub's spelling of the name wins.
    fake.api.hubRepo.mockResolvedValueOnce(hubRepo({ id: 'Org/X' }))
    await hub.openRepo('org/x')
    expect(hub.repoId).toBe('Org/X')
    fake.api.hubRepo.mockRejectedValueOnce(new ApiError('hub_repo_not_found', 'no', undefined, { repo: 'org/none' }))
    await hub.openRepo('org/none')
    expect(hub.repoId).toBe('org/none')
    expect(hub.repo).toBeNull()
    expect(hub.repoError?.code).toBe('hub_repo_not_found')
    hub.closeRepo()
    expect(hub.repoId).toBeNull()
  })

  it('checks a hub file’s fit by repository and file', async () => {
    const hub = useHubStore()
    await hub.checkFit('hugging_face', 'org/x', 'x-q4_1.gguf')
    expect(fake.api.fitHubFile).toHaveBeenCalledWith({ source: 'hugging_face', repo: 'org/x', file: 'x-q4_1.gguf' })
    expect(hub.fits[fitKey('hugging_face', 'org/x', 'x-q4_1.gguf')].value?.estimate.verdict.kind).toBe('full_gpu')
    // The same name on ModelScope is another repository: its own check.
    fake.api.fitHubFile.mockResolvedValueOnce(hubFitReport({ estimate: { ...hubFitReport().estimate, verdict: { kind: 'cpu' } } }))
    await hub.checkFit('model_scope', 'org/x', 'x-q4_1.gguf')
    expect(fake.api.fitHubFile).toHaveBeenLastCalledWith({ source: 'model_scope', repo: 'org/x', file: 'x-q4_1.gguf' })
    expect(hub.fits[fitKey('model_scope', 'org/x', 'x-q4_1.gguf')].value?.estimate.verdict.kind).toBe('cpu')
    expect(hub.fits[fitKey('hugging_face', 'org/x', 'x-q4_1.gguf')].value?.estimate.verdict.kind).toBe('full_gpu')
  })

  it('searches and opens on the chosen hub; switching clears the results and the opened repository', async () => {
    const hub = useHubStore()
    expect(hub.source).toBe('hugging_face')
    await hub.search('smol')
    await hub.openRepo('org/x')
    expect(hub.results).toHaveLength(2)
    hub.setSource('model_scope')
    expect(hub.source).toBe('model_scope')
    expect([hub.results, hub.searchedQuery, hub.nextCursor, hub.repoId, hub.repo]).toEqual([[], '', null, null, null])
    // The typed query stays, to search again there.
    expect(hub.query).toBe('smol')
    await hub.search('smol')
    expect(fake.api.searchHub).toHaveBeenLastCalledWith({ source: 'model_scope', q: 'smol' })
    await hub.loadMore()
    expect(fake.api.searchHub).toHaveBeenLastCalledWith({ source: 'model_scope', q: 'smol', cursor: 'next' })
    await hub.openRepo('owner/y')
    expect(fake.api.hubRepo).toHaveBeenLastCalledWith({ source: 'model_scope', repo: 'owner/y' })
    // Choosing the same hub again keeps what was found.
    hub.setSource('model_scope')
    expect(hub.repoId).toBe('owner/y')
  })

  it('drops an answer from the hub it no longer searches', async () => {
    let late!: (p: HubSearchPage) => void
    fake.api.searchHub.mockImplementationOnce(() => new Promise((resolve) => (late = resolve)))
    const hub = useHubStore()
    const pending = hub.search('qwen')
    expect(hub.searching).toBe(true)
    hub.setSource('model_scope')
    expect(hub.searching).toBe(false)
    late({ models: [hubModel({ id: 'org/from-hf' })], next_cursor: null })
    await pending
    expect(hub.results).toEqual([])
    // A failed ModelScope search keeps its error to show.
    fake.api.searchHub.mockRejectedValueOnce(new ApiError('hub_status', 'The hub answered 404…', undefined, { what: 'search', status: '404', detail: 'Not Found' }))
    await hub.search('qwen')
    expect(hub.searchError?.code).toBe('hub_status')
    hub.setSource('hugging_face')
    expect(hub.searchError).toBeNull()
  })

  it('loads and saves the settings and the token', async () => {
    const hub = useHubStore()
    await hub.loadSettings()
    expect(hub.settings?.endpoint_source).toBe('default')
    expect(hub.settings?.modelscope_endpoint).toBe('https://www.modelscope.cn')
    await hub.saveSettings({ endpoint: 'https://hf-mirror.com', send_token_to_mirror: false, max_parallel_downloads: 3, modelscope_endpoint: 'https://ms.example' })
    expect(fake.api.setHubSettings).toHaveBeenCalledWith({
      endpoint: 'https://hf-mirror.com', send_token_to_mirror: false, max_parallel_downloads: 3, modelscope_endpoint: 'https://ms.example',
    })
    expect(hub.settings?.endpoint).toBe('https://hf-mirror.com')
    await hub.saveToken('hf_abc')
    expect(fake.api.setHubToken).toHaveBeenCalledWith({ token: 'hf_abc' })
    expect(hub.settings?.token_source).toBe('app')
    fake.api.setHubToken.mockRejectedValueOnce(new ApiError('hub_invalid_input', 'a Hugging Face token is one word'))
    await expect(hub.saveToken('bad token')).rejects.toMatchObject({ code: 'hub_invalid_input' })
  })
})
