import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { HubSearchPage } from '../generated/HubSearchPage'

const fake = vi.hoisted(() => ({ api: {} as Record<string, ReturnType<typeof import('vitest').vi.fn>> }))
vi.mock('../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../api')>()
  return { ...actual, getApi: () => fake.api }
})

import { ApiError } from '../api'
import { hubFitReport, hubModel, hubRepo, settingsView } from '../lib/hub/hub.fixtures'
import { fitKey, useHubStore } from './hub'

beforeEach(() => {
  setActivePinia(createPinia())
  fake.api = {
    searchHub: vi.fn(async (q: { q?: string; cursor?: string }): Promise<HubSearchPage> =>
      q.cursor ? { models: [hubModel({ id: 'org/b' }), hubModel({ id: 'org/c' })], next_cursor: null } : { models: [hubModel(), hubModel({ id: 'org/b' })], next_cursor: 'next' },
    ),
    hubRepo: vi.fn(async (q: { repo: string }) => hubRepo({ id: q.repo })),
    fitHubFile: vi.fn(async () => hubFitReport()),
    hubSettings: vi.fn(async () => settingsView()),
    setHubSettings: vi.fn(async (s) => settingsView({ settings: s, endpoint: s.endpoint ?? 'https://huggingface.co', endpoint_source: s.endpoint ? 'setting' : 'default' })),
    setHubToken: vi.fn(async (t: { token: string | null }) => settingsView({ token_source: t.token ? 'app' : null })),
  }
})

describe('hub store', () => {
  it('searches, pages on with the cursor without repeating a repository, and clears on an empty query', async () => {
    const hub = useHubStore()
    await hub.search('  smol ')
    expect(fake.api.searchHub).toHaveBeenCalledWith({ q: 'smol' })
    expect(hub.searchedQuery).toBe('smol')
    expect(hub.nextCursor).toBe('next')
    await hub.loadMore()
    expect(fake.api.searchHub).toHaveBeenLastCalledWith({ q: 'smol', cursor: 'next' })
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
    expect(fake.api.hubRepo).toHaveBeenCalledWith({ repo: 'org/x' })
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
    await hub.checkFit('org/x', 'x-q4_1.gguf')
    expect(fake.api.fitHubFile).toHaveBeenCalledWith({ repo: 'org/x', file: 'x-q4_1.gguf' })
    expect(hub.fits[fitKey('org/x', 'x-q4_1.gguf')].value?.estimate.verdict.kind).toBe('full_gpu')
  })

  it('loads and saves the settings and the token', async () => {
    const hub = useHubStore()
    await hub.loadSettings()
    expect(hub.settings?.endpoint_source).toBe('default')
    await hub.saveSettings({ endpoint: 'https://hf-mirror.com', send_token_to_mirror: false, max_parallel_downloads: 3 })
    expect(hub.settings?.endpoint).toBe('https://hf-mirror.com')
    await hub.saveToken('hf_abc')
    expect(fake.api.setHubToken).toHaveBeenCalledWith({ token: 'hf_abc' })
    expect(hub.settings?.token_source).toBe('app')
    fake.api.setHubToken.mockRejectedValueOnce(new ApiError('hub_invalid_input', 'a Hugging Face token is one word'))
    await expect(hub.saveToken('bad token')).rejects.toMatchObject({ code: 'hub_invalid_input' })
  })
})
