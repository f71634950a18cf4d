// @vitest-environment jsdom
import { createPinia, type Pinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick } from 'vue'
import { createMemoryHistory, createRouter, RouterView, type Router } from 'vue-router'
import type { Caller } from '../generated/Caller'
import type { Download } from '../generated/Download'
import type { Event as LlmopsEvent } from '../generated/Event'
import type { HubSearchPage } from '../generated/HubSearchPage'
import type { NewDownload } from '../generated/NewDownload'

const fake = vi.hoisted(() => ({
  listeners: [] as ((e: LlmopsEvent) => void)[],
  api: {} as Record<string, ReturnType<typeof import('vitest').vi.fn>>,
}))
vi.mock('../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../api')>()
  return { ...actual, getApi: () => fake.api }
})

import { ApiError } from '../api'
import { setLocale } from '../composables/useI18n'
import {
  COMMIT, download, fitReport, hubFitReport, hubModel, hubRepo, LOCAL_PATH, localModel, localModels, MS_REPO, OLLAMA_URL, ollamaDown, ollamaPull, ollamaStatus, REPO,
  settingsView,
} from '../lib/hub/hub.fixtures'
import { useAccessStore } from '../stores/access'
import { useDownloadsStore } from '../stores/downloads'
import { useLocalModelsStore } from '../stores/localModels'
import { useModelsStore } from '../stores/models'
import HubPage from './HubPage.vue'

const SNAPSHOT = `/home/me/.cache/huggingface/hub/models--x/snapshots/${COMMIT}/smollm2-135m-instruct-q4_1.gguf`
const cleanups: (() => void)[] = []
let downloads: Download[]

function emit(d: Download) {
  fake.listeners.forEach((l) => l({ type: 'download_update', data: d }))
}

async function mountPage(path = '/hub', caller: Caller | null = null) {
  const host = document.createElement('div')
  document.body.appendChild(host)
  const stub = { render: () => null }
  const router: Router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: stub },
      { path: '/hub', name: 'hub', component: HubPage },
      { path: '/engines', name: 'engines', component: stub },
      { path: '/deploy', name: 'deploy', component: stub },
      { path: '/models/:id', name: 'model', component: stub },
      { path: '/chat/:id?', name: 'chat', component: stub },
    ],
  })
  await router.push(path)
  const pinia: Pinia = createPinia()
  useAccessStore(pinia).caller = caller
  // As at app start (startup.ts): download events are followed.
  useDownloadsStore(pinia).connect()
  useLocalModelsStore(pinia).connect()
  const app = createApp({ render: () => h(RouterView) })
  app.use(pinia).use(router)
  app.mount(host)
  cleanups.push(() => {
    app.unmount()
    host.remove()
  })
  await nextTick()
  const q = <T extends HTMLElement = HTMLElement>(testid: string, root: ParentNode = host) => root.querySelector<T>(`[data-testid="${testid}"]`)
  const all = (testid: string, root: ParentNode = host) => Array.from(root.querySelectorAll<HTMLElement>(`[data-testid="${testid}"]`))
  const click = async (el: HTMLElement | null) => {
    expect(el).not.toBeNull()
    el!.click()
    await nextTick()
  }
  const type = async (el: HTMLInputElement | null, value: string) => {
    expect(el).not.toBeNull()
    el!.value = value
    el!.dispatchEvent(new Event('input'))
    await nextTick()
  }
  const tab = async (name: string) => {
    await click(q(`hub-tab-${name}`))
    await vi.waitFor(() => expect(q('hub-page')?.querySelector('[role="tabpanel"]')?.getAttribute('data-tab')).toBe(name))
  }
  return { host, router, pinia, q, all, click, type, tab }
}

beforeEach(() => {
  setLocale('en')
  fake.listeners = []
  downloads = []
  fake.api = {
    hubSettings: vi.fn(async () => settingsView()),
    setHubSettings: vi.fn(async (s) =>
      settingsView({
        settings: s, endpoint: s.endpoint ?? 'https://huggingface.co', endpoint_source: s.endpoint ? 'setting' : 'default',
        modelscope_endpoint: s.modelscope_endpoint ?? 'https://www.modelscope.cn',
      }),
    ),
    setHubToken: vi.fn(async (t: { token: string | null }) => settingsView({ token_source: t.token ? 'app' : null, token_sent: !!t.token })),
    searchHub: vi.fn(async (): Promise<HubSearchPage> => ({
      models: [hubModel(), hubModel({ id: 'meta-llama/Llama-3.2-1B-Instruct-GGUF', gated: 'manual', downloads: 2_000_000 })],
      next_cursor: 'page2',
    })),
    hubRepo: vi.fn(async (q: { repo: string }) => hubRepo({ id: q.repo })),
    fitHubFile: vi.fn(async () => hubFitReport()),
    listDownloads: vi.fn(async () => structuredClone(downloads)),
    startDownload: vi.fn(async (n: NewDownload) =>
      download({
        id: 'd1', source: n.source ?? 'hugging_face', repo: n.repo, state: 'queued', done_bytes: 0, rate_bytes_per_second: null, eta_seconds: null,
        // ModelScope pins a download to its revision's name.
        ...(n.source === 'model_scope' ? { revision: 'master', commit: 'master', endpoint: 'https://www.modelscope.cn' } : {}),
      }),
    ),
    pauseDownload: vi.fn(async (id: string) => download({ id, state: 'paused', rate_bytes_per_second: null, eta_seconds: null })),
    resumeDownload: vi.fn(async (id: string) => download({ id, state: 'queued' })),
    cancelDownload: vi.fn(async (id: string) => download({ id, state: 'cancelled' })),
    removeDownload: vi.fn(async () => undefined),
    listLocalModels: vi.fn(async () => localModels()),
    getModelFolders: vi.fn(async () => ({ folders: [] })),
    setModelFolders: vi.fn(async (f: { folders: string[] }) => f),
    fitLocalModel: vi.fn(async () => fitReport()),
    deleteLocalModel: vi.fn(async () => undefined),
    ollamaStatus: vi.fn(async () => ollamaStatus()),
    pullOllamaModel: vi.fn(async (p: { name: string }) => ollamaPull({ repo: p.name })),
    connectOllamaChat: vi.fn(async () => ({ id: 'e-ol', name: 'Ollama', base_url: `${OLLAMA_URL}/v1`, has_api_key: false, created_at: 1 })),
    listChatEndpoints: vi.fn(async () => []),
    onEvent: vi.fn((l: (e: LlmopsEvent) => void) => {
      fake.listeners.push(l)
      return () => {}
    }),
    onConnectionChange: vi.fn(() => () => {}),
  }
})
afterEach(() => cleanups.splice(0).forEach((c) => c()))

describe('the Models page: Find', () => {
  it('searches as the user types, opens a result, checks a quant’s fit, downloads it, follows it and deploys it', async () => {
    const { q, all, click, type, tab, router } = await mountPage()
    expect(q('hub-search-idle')?.textContent).toContain('Type a model’s name')
    await vi.waitFor(() => expect(q('hub-search-input')?.closest('label')?.textContent).toContain('Search GGUF models on https://huggingface.co'))

    // Typing waits, then searches once.
    await type(q<HTMLInputElement>('hub-search-input'), 'sm')
    await type(q<HTMLInputElement>('hub-search-input'), 'smol')
    expect(fake.api.searchHub).not.toHaveBeenCalled()
    await vi.waitFor(() => expect(all('hub-result')).toHaveLength(2), { timeout: 2000 })
    expect(fake.api.searchHub).toHaveBeenCalledTimes(1)
    expect(fake.api.searchHub).toHaveBeenCalledWith({ source: 'hugging_face', q: 'smol' })
    expect(all('hub-result').map((r) => r.dataset.repo)).toEqual([REPO, 'meta-llama/Llama-3.2-1B-Instruct-GGUF'])
    expect(all('hub-result')[0].textContent).toContain('123.5K')
    expect(q('hub-result-gated', all('hub-result')[0])).toBeNull()
    expect(q('hub-result-gated', all('hub-result')[1])?.textContent).toBe('Gated')
    expect(q('hub-load-more')).not.toBeNull()

    // The first result: commit, licence, quants with the projector last.
    await click(all('hub-result')[0])
    await vi.waitFor(() => expect(all('quant-row')).toHaveLength(3))
    expect(all('hub-result')[0].getAttribute('aria-pressed')).toBe('true')
    expect(fake.api.hubRepo).toHaveBeenCalledWith({ source: 'hugging_face', repo: REPO })
    expect(q('hub-repo-commit')?.textContent).toBe(COMMIT.slice(0, 7))
    expect(q('hub-repo-commit')?.dataset.kind).toBe('commit')
    expect(q('hub-repo-commit-label')?.textContent).toBe('Commit')
    expect(q<HTMLAnchorElement>('hub-repo-link')?.href).toBe(`https://huggingface.co/${REPO}`)
    expect(q('hub-repo-license')?.textContent).toBe('apache-2.0')
    expect(q('hub-repo-gated')).toBeNull()
    expect(all('quant-row').map((r) => [r.dataset.quant, r.dataset.projector])).toEqual([['Q4_1', 'false'], ['Q8_0', 'false'], ['F16', 'true']])
    const [q41, q80, proj] = all('quant-row')
    expect(q('quant-size', q41)?.textContent).toBe('98.0 MiB')
    expect(q('quant-shards', q80)?.textContent).toBe('2 parts')
    expect(q('quant-shards', q41)).toBeNull()
    expect(q('quant-projector', proj)).not.toBeNull()
    expect(q('quant-fit', proj)).toBeNull()

    // Check fit: the verdict, the memory, the context.
    await click(q('quant-fit', q41))
    await vi.waitFor(() => expect(q('fit-verdict', q41)).not.toBeNull())
    expect(fake.api.fitHubFile).toHaveBeenCalledWith({ source: 'hugging_face', repo: REPO, file: 'smollm2-135m-instruct-q4_1.gguf' })
    expect(q('fit-verdict', q41)?.dataset.verdict).toBe('full_gpu')
    expect(q('fit-verdict', q41)?.textContent).toBe('Fits on the GPU')
    expect(q('fit-context', q41)?.textContent).toContain('8,192')
    expect(q('fit-weights', q41)?.textContent).toBe('98.0 MiB')
    expect(q('fit-total', q41)?.textContent).toBe('358 MiB')
    expect(q('gguf-parameters', q41)?.textContent).toBe('135M')
    expect(q('fit-header-read', q41)?.textContent).toContain('256 KiB')

    // Download: all the quant's files, at the hub's default branch (main).
    await click(q('quant-download', q41))
    await vi.waitFor(() => expect(q('quant-download-state', q41)?.dataset.state).toBe('queued'))
    expect(fake.api.startDownload).toHaveBeenCalledWith({ source: 'hugging_face', repo: REPO, files: ['smollm2-135m-instruct-q4_1.gguf'] })
    expect(q<HTMLButtonElement>('quant-download', q41)?.disabled).toBe(true)

    // The Downloads tab: live progress, pause, resume, completed, Deploy.
    await tab('downloads')
    await vi.waitFor(() => expect(all('download-row')).toHaveLength(1))
    expect(q('hub-downloads-active')?.textContent).toBe('1')
    const row = () => all('download-row')[0]
    expect(row().dataset.state).toBe('queued')
    expect(q('download-source', row())?.textContent).toBe('Hugging Face')
    expect(q('download-commit', row())?.textContent).toBe(`commit ${COMMIT.slice(0, 7)}`)
    emit(download({ id: 'd1', state: 'downloading', done_bytes: 25 * 1024 * 1024, total_bytes: 100 * 1024 * 1024, rate_bytes_per_second: 5 * 1024 * 1024, eta_seconds: 15 }))
    await nextTick()
    expect(row().dataset.state).toBe('downloading')
    const bar = q('download-progress', row())!
    expect(bar.getAttribute('role')).toBe('progressbar')
    expect(bar.getAttribute('aria-valuenow')).toBe('25')
    expect(q('download-rate', row())?.textContent).toBe('5.0 MiB/s')
    expect(q('download-eta', row())?.textContent).toBe('15 s left')
    expect(q('download-stats', row())?.textContent).toContain('25.0 MiB of 100 MiB')
    expect(q('download-resume', row())).toBeNull()
    await click(q('download-pause', row()))
    await vi.waitFor(() => expect(row().dataset.state).toBe('paused'))
    expect(fake.api.pauseDownload).toHaveBeenCalledWith('d1')
    expect(q('download-pause', row())).toBeNull()
    await click(q('download-resume', row()))
    await vi.waitFor(() => expect(row().dataset.state).toBe('queued'))
    emit(download({ id: 'd1', state: 'completed', done_bytes: 100 * 1024 * 1024, total_bytes: 100 * 1024 * 1024, rate_bytes_per_second: null, eta_seconds: null, local_path: SNAPSHOT }))
    await nextTick()
    expect(row().dataset.state).toBe('completed')
    expect(q('download-progress', row())?.getAttribute('aria-valuenow')).toBe('100')
    expect(q('download-path', row())?.textContent).toBe(SNAPSHOT)
    expect(q('download-cancel', row())).toBeNull()
    expect(q('download-remove', row())).not.toBeNull()
    expect(q('hub-downloads-active')).toBeNull()
    await click(q('download-deploy', row()))
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('deploy'))
    expect(router.currentRoute.value.query).toEqual({ path: SNAPSHOT, name: 'SmolLM2-135M-Instruct Q4_1', context_size: '8192' })
  })

  it('pages on with Load more, says when nothing matches, and shows a failed search with Retry', async () => {
    const { q, all, click, type } = await mountPage()
    await type(q<HTMLInputElement>('hub-search-input'), 'smol')
    q('hub-search-input')!.closest('form')!.dispatchEvent(new Event('submit'))
    await vi.waitFor(() => expect(all('hub-result')).toHaveLength(2))
    fake.api.searchHub.mockResolvedValueOnce({ models: [hubModel({ id: 'org/third' })], next_cursor: null })
    await click(q('hub-load-more'))
    await vi.waitFor(() => expect(all('hub-result')).toHaveLength(3))
    expect(fake.api.searchHub).toHaveBeenLastCalledWith({ source: 'hugging_face', q: 'smol', cursor: 'page2' })
    expect(q('hub-load-more')).toBeNull()

    fake.api.searchHub.mockResolvedValueOnce({ models: [], next_cursor: null })
    await type(q<HTMLInputElement>('hub-search-input'), 'nothing-like-this')
    q('hub-search-input')!.closest('form')!.dispatchEvent(new Event('submit'))
    await vi.waitFor(() => expect(q('hub-search-empty')?.textContent).toContain('No GGUF repositories match “nothing-like-this”'))

    fake.api.searchHub.mockRejectedValueOnce(
      new ApiError('hub_unreachable', 'The hub at https://hf-mirror.com could not be reached: timed out.', undefined, { endpoint: 'https://hf-mirror.com', detail: 'timed out' }),
    )
    await type(q<HTMLInputElement>('hub-search-input'), 'qwen')
    q('hub-search-input')!.closest('form')!.dispatchEvent(new Event('submit'))
    await vi.waitFor(() => expect(q('hub-search-error')).not.toBeNull())
    expect(q('hub-search-error')?.getAttribute('role')).toBe('alert')
    expect(q('hub-search-error')?.textContent).toContain('The hub at https://hf-mirror.com could not be reached: timed out. Check the network')
    expect(q('hub-search-error-hint')?.textContent).toContain('Some mirrors cannot search')
    await click(q('hub-search-retry'))
    await vi.waitFor(() => expect(all('hub-result')).toHaveLength(2))
    expect(q('hub-search-error')).toBeNull()
  })

  it('opens a repository typed by name or address, and says why one cannot be opened', async () => {
    const { q, all, click, type } = await mountPage()
    await type(q<HTMLInputElement>('hub-repo-input'), 'not a repo')
    await click(q('hub-repo-open'))
    q('hub-repo-input')!.closest('form')!.dispatchEvent(new Event('submit'))
    await nextTick()
    expect(q('hub-open-hint')?.getAttribute('role')).toBe('alert')
    expect(q('hub-repo-input')?.getAttribute('aria-invalid')).toBe('true')
    expect(fake.api.hubRepo).not.toHaveBeenCalled()

    fake.api.hubRepo.mockRejectedValueOnce(
      new ApiError('hub_gated', 'meta-llama/Llama-3.1-8B is gated', 403, { repo: 'meta-llama/Llama-3.1-8B', url: 'https://huggingface.co/meta-llama/Llama-3.1-8B' }),
    )
    await type(q<HTMLInputElement>('hub-repo-input'), 'https://huggingface.co/meta-llama/Llama-3.1-8B/tree/main')
    q('hub-repo-input')!.closest('form')!.dispatchEvent(new Event('submit'))
    await vi.waitFor(() => expect(q('hub-repo-error')).not.toBeNull())
    expect(fake.api.hubRepo).toHaveBeenCalledWith({ source: 'hugging_face', repo: 'meta-llama/Llama-3.1-8B' })
    expect(q('hub-repo-error')?.textContent).toContain('accept its licence at https://huggingface.co/meta-llama/Llama-3.1-8B')

    // A gated repository that opens, and one without GGUF files.
    fake.api.hubRepo.mockResolvedValueOnce(hubRepo({ id: 'meta-llama/Llama-3.1-8B', gated: 'manual', license: null, quants: [] }))
    await click(q('hub-repo-retry'))
    await vi.waitFor(() => expect(q('hub-repo-no-gguf')).not.toBeNull())
    expect(q('hub-repo-gated')?.textContent).toContain('gated')
    expect(q('hub-repo-license')?.textContent).toBe('not stated')
    expect(all('quant-row')).toHaveLength(0)
  })

  it('shows a fit that needs changes with its suggestions, and deploys a checked quant with them', async () => {
    downloads = [download({ id: 'old', state: 'completed', local_path: SNAPSHOT, done_bytes: 100, total_bytes: 100 })]
    fake.api.fitHubFile.mockResolvedValueOnce(
      hubFitReport({
        estimate: {
          verdict: { kind: 'partial_gpu', layers: 20, of: 30 }, context_size: 32768, weights_bytes: 1, kv_cache_bytes: 2, compute_bytes: 3, overhead_bytes: 4,
          total_bytes: 10, suggestions: [{ kind: 'context', context_size: 4096 }, { kind: 'kv_cache', cache_type: 'q8_0' }, { kind: 'gpu_layers', layers: 20 }],
        },
      }),
    )
    const { q, all, click, router } = await mountPage()
    await vi.waitFor(() => expect(fake.api.listDownloads).toHaveBeenCalled())
    await useHubOpen(q, click)
    const q41 = all('quant-row')[0]
    // Downloaded before: Deploy right here, and Download again.
    expect(q('quant-download-state', q41)?.dataset.state).toBe('completed')
    expect(q('quant-download', q41)?.textContent).toContain('Download again')
    await click(q('quant-fit', q41))
    await vi.waitFor(() => expect(q('fit-verdict', q41)?.textContent).toBe('Partly on the GPU: 20 of 30 layers'))
    expect(all('fit-suggestion', q41).map((s) => s.dataset.kind)).toEqual(['context', 'kv_cache', 'gpu_layers'])
    expect(all('fit-suggestion', q41)[0].textContent).toBe('a context of 4,096 tokens')
    await click(q('quant-deploy', q41))
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('deploy'))
    expect(router.currentRoute.value.query).toEqual({ path: SNAPSHOT, name: 'SmolLM2-135M-Instruct Q4_1', context_size: '4096' })
  })

  it('offers neither Download nor Deploy to a read-only key', async () => {
    const { q, all, click } = await mountPage('/hub', { scope: 'read', via: 'api_key', key_id: 'k', key_name: 'phone' })
    await useHubOpen(q, click)
    const q41 = all('quant-row')[0]
    expect(q<HTMLButtonElement>('quant-download', q41)?.disabled).toBe(true)
    expect(q<HTMLButtonElement>('quant-download', q41)?.title).toBe('Needs the admin scope')
    expect(q<HTMLButtonElement>('quant-fit', q41)?.disabled).toBe(true)
  })
})

describe('the Models page: Find on ModelScope', () => {
  const source = (host: HTMLElement, name: string) => host.querySelector<HTMLInputElement>(`[data-testid="hub-source"] [data-source="${name}"]`)

  it('switches the hub: the results and the repository go, and search, open, fit and download ask ModelScope', async () => {
    const { host, q, all, click, type, tab, router } = await mountPage()
    expect(source(host, 'hugging_face')?.checked).toBe(true)
    expect(q('hub-source')?.dataset.source).toBe('hugging_face')
    expect(q('hub-source-note')).toBeNull()
    await type(q<HTMLInputElement>('hub-search-input'), 'smol')
    q('hub-search-input')!.closest('form')!.dispatchEvent(new Event('submit'))
    await vi.waitFor(() => expect(all('hub-result')).toHaveLength(2))
    await click(all('hub-result')[0])
    await vi.waitFor(() => expect(all('quant-row')).toHaveLength(3))

    // ModelScope's search is best-effort: it fails here, and points at opening by id.
    fake.api.searchHub.mockRejectedValueOnce(
      new ApiError('hub_status', 'The hub answered 404 for the search: Not Found', undefined, { what: 'the search', status: '404', detail: 'Not Found' }),
    )
    await click(source(host, 'model_scope'))
    await vi.waitFor(() => expect(router.currentRoute.value.query.source).toBe('model_scope'))
    expect(q('hub-source')?.dataset.source).toBe('model_scope')
    expect(q('hub-source-note')?.textContent).toContain('open a repository by its id (owner/name)')
    expect(q('hub-repo')).toBeNull()
    expect(q('hub-search-input')?.closest('label')?.textContent).toContain('Search GGUF models on https://www.modelscope.cn')
    // The typed query is searched on ModelScope.
    expect(fake.api.searchHub).toHaveBeenLastCalledWith({ source: 'model_scope', q: 'smol' })
    await vi.waitFor(() => expect(q('hub-search-error')).not.toBeNull())
    expect(all('hub-result')).toHaveLength(0)
    expect(q('hub-search-error')?.textContent).toContain('The hub answered 404 for the search: Not Found')
    expect(q('hub-search-error-hint')?.textContent).toContain('ModelScope’s search may be unavailable')
    expect(q('hub-open-hint')?.textContent).toContain('https://www.modelscope.cn/models/owner/name')
    await click(q('hub-search-open-by-id'))
    expect(document.activeElement).toBe(q('hub-repo-input'))

    // Opened by its id: pinned to a revision, no licence information.
    fake.api.hubRepo.mockImplementationOnce(async (query: { repo: string }) => hubRepo({ id: query.repo, commit: 'master', license: null }))
    await type(q<HTMLInputElement>('hub-repo-input'), `https://www.modelscope.cn/models/${MS_REPO}/files`)
    q('hub-repo-input')!.closest('form')!.dispatchEvent(new Event('submit'))
    await vi.waitFor(() => expect(all('quant-row')).toHaveLength(3))
    expect(fake.api.hubRepo).toHaveBeenLastCalledWith({ source: 'model_scope', repo: MS_REPO })
    expect(q('hub-repo')?.dataset.source).toBe('model_scope')
    expect(q('hub-repo-commit-label')?.textContent).toBe('Revision')
    expect(q('hub-repo-commit')?.textContent).toBe('master')
    expect(q('hub-repo-commit')?.dataset.kind).toBe('revision')
    expect(q('hub-repo-license')?.textContent).toBe('ModelScope does not say')
    expect(q<HTMLAnchorElement>('hub-repo-link')?.href).toBe(`https://www.modelscope.cn/models/${MS_REPO}`)

    const q41 = all('quant-row')[0]
    await click(q('quant-fit', q41))
    await vi.waitFor(() => expect(q('fit-verdict', q41)).not.toBeNull())
    expect(fake.api.fitHubFile).toHaveBeenLastCalledWith({ source: 'model_scope', repo: MS_REPO, file: 'smollm2-135m-instruct-q4_1.gguf' })
    await click(q('quant-download', q41))
    await vi.waitFor(() => expect(q('quant-download-state', q41)?.dataset.state).toBe('queued'))
    expect(fake.api.startDownload).toHaveBeenLastCalledWith({ source: 'model_scope', repo: MS_REPO, files: ['smollm2-135m-instruct-q4_1.gguf'] })

    // The Downloads tab keeps the hub in the address, and the row says where it comes from.
    await tab('downloads')
    expect(router.currentRoute.value.query).toEqual({ tab: 'downloads', source: 'model_scope' })
    await vi.waitFor(() => expect(all('download-row')).toHaveLength(1))
    const row = all('download-row')[0]
    expect(row.dataset.source).toBe('model_scope')
    expect(q('download-source', row)?.textContent).toBe('ModelScope')
    expect(q('download-commit', row)?.textContent).toBe('revision master')
    expect(q('download-commit', row)?.dataset.kind).toBe('revision')

    // Back on Find: still ModelScope, with its repository; Hugging Face again clears it and leaves the address.
    await tab('find')
    expect(source(host, 'model_scope')?.checked).toBe(true)
    expect(q('hub-repo')?.dataset.repo).toBe(MS_REPO)
    await click(source(host, 'hugging_face'))
    await vi.waitFor(() => expect(router.currentRoute.value.query.source).toBeUndefined())
    expect(q('hub-repo')).toBeNull()
    expect(q('hub-source-note')).toBeNull()
    expect(fake.api.searchHub).toHaveBeenLastCalledWith({ source: 'hugging_face', q: 'smol' })
    await vi.waitFor(() => expect(all('hub-result')).toHaveLength(2))
  })

  it('opens on ModelScope from a link (?source=model_scope), and keeps the choice when a link leaves it out', async () => {
    const { host, q, router, type } = await mountPage('/hub?source=model_scope')
    await vi.waitFor(() => expect(source(host, 'model_scope')?.checked).toBe(true))
    expect(q('hub-source-note')).not.toBeNull()
    await type(q<HTMLInputElement>('hub-search-input'), 'qwen')
    q('hub-search-input')!.closest('form')!.dispatchEvent(new Event('submit'))
    await vi.waitFor(() => expect(fake.api.searchHub).toHaveBeenCalledWith({ source: 'model_scope', q: 'qwen' }))
    await router.push('/hub?tab=find')
    await vi.waitFor(() => expect(router.currentRoute.value.query.source).toBe('model_scope'))
    expect(source(host, 'model_scope')?.checked).toBe(true)
    // Leaving the page is not held back by it.
    await router.push('/deploy?path=/m/x.gguf')
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(router.currentRoute.value.fullPath).toBe('/deploy?path=/m/x.gguf')
  })
})

/** Opens the fixture repository by name. */
async function useHubOpen(q: (id: string) => HTMLElement | null, click: (el: HTMLElement | null) => Promise<void>) {
  const input = q('hub-repo-input') as HTMLInputElement
  input.value = REPO
  input.dispatchEvent(new Event('input'))
  await click(q('hub-repo-open'))
  await vi.waitFor(() => expect(document.querySelectorAll('[data-testid="quant-row"]').length).toBe(3))
}

describe('the Models page: Downloads', () => {
  it('lists the downloads with their errors and the buttons each state allows; cancel asks first', async () => {
    downloads = [
      download({
        id: 'f', created_at: 3, state: 'failed',
        error: { code: 'hub_disk_full', message: 'Not enough disk space in /cache: 5368709120 bytes needed', params: { folder: '/cache', needed: '5368709120', free: '1073741824' } },
      }),
      download({
        id: 'r', created_at: 2, state: 'retrying',
        error: { code: 'hub_unreachable', message: 'The hub at https://huggingface.co could not be reached: reset', params: { endpoint: 'https://huggingface.co', detail: 'reset' } },
      }),
      download({ id: 'c', created_at: 1, state: 'cancelled', total_bytes: 0, done_bytes: 0 }),
    ]
    const { q, all, click } = await mountPage('/hub?tab=downloads')
    await vi.waitFor(() => expect(all('download-row')).toHaveLength(3))
    const [failed, retrying, cancelled] = all('download-row')
    expect(q('download-error', failed)?.textContent).toContain('Not enough disk space in /cache: 5.0 GiB needed (with a margin), 1.0 GiB free.')
    // The translation says it all: no English sentence under it.
    expect(q('hub-error-detail', failed)).toBeNull()
    expect(q('download-error', retrying)?.textContent).toContain('The hub at https://huggingface.co could not be reached: reset.')
    expect(q('download-error', failed)?.getAttribute('role')).toBe('alert')
    expect(q('download-error', retrying)?.className).toContain('warn-text')
    const buttons = (row: HTMLElement) => ['pause', 'resume', 'cancel', 'remove', 'deploy'].filter((b) => q(`download-${b}`, row))
    expect(buttons(failed)).toEqual(['resume', 'cancel', 'remove'])
    expect(buttons(retrying)).toEqual(['pause', 'cancel'])
    expect(buttons(cancelled)).toEqual(['resume', 'remove'])
    expect(q('download-progress', cancelled)?.hasAttribute('aria-valuenow')).toBe(false)

    await click(q('download-cancel', retrying))
    expect(q('download-cancel-question', retrying)).not.toBeNull()
    await vi.waitFor(() => expect(document.activeElement).toBe(q('download-cancel-keep', retrying)))
    await click(q('download-cancel-keep', retrying))
    expect(fake.api.cancelDownload).not.toHaveBeenCalled()
    await click(q('download-cancel', retrying))
    await click(q('download-cancel-confirm', retrying))
    await vi.waitFor(() => expect(fake.api.cancelDownload).toHaveBeenCalledWith('r'))

    fake.api.removeDownload.mockRejectedValueOnce(new ApiError('hub_download_not_found', 'No download with id "c"; refresh the list', 404, { id: 'c' }))
    await click(q('download-remove', cancelled))
    await vi.waitFor(() => expect(q('download-action-error', cancelled)?.textContent).toBe('Download c is no longer in the list; refresh the list.'))
    await click(q('download-remove', cancelled))
    await vi.waitFor(() => expect(all('download-row').map((r) => r.dataset.downloadId)).not.toContain('c'))
  })

  it('says when there are none, and when the list cannot load (Retry)', async () => {
    fake.api.listDownloads.mockRejectedValueOnce(new ApiError('network_error', 'down'))
    const { q, click } = await mountPage('/hub?tab=downloads')
    await vi.waitFor(() => expect(q('download-list-error')).not.toBeNull())
    expect(q('download-list-error')?.textContent).toContain('The downloads could not be loaded.')
    await click(q('download-list-retry'))
    await vi.waitFor(() => expect(q('download-list-empty')).not.toBeNull())
    expect(q('download-list-empty')?.textContent).toContain('No downloads yet.')
  })
  it('shows a llama.cpp build’s download as one, leading to the Engines page rather than Deploy', async () => {
    const archive = '/data/runtimes/.downloads/llama.cpp/b6002/llama-b6002-bin-ubuntu-x64.zip'
    downloads = [
      download({
        id: 'e1', source: 'engine_release', repo: 'llama.cpp', revision: 'b6002', commit: 'b6002', endpoint: 'https://github.com/ggml-org/llama.cpp/releases/download/b6002',
        files: [{ path: 'llama-b6002-bin-ubuntu-x64.zip', size: 20 * 1024 * 1024, sha256: 'c'.repeat(64), done_bytes: 20 * 1024 * 1024, complete: true }],
        state: 'completed', total_bytes: 20 * 1024 * 1024, done_bytes: 20 * 1024 * 1024, local_path: archive,
      }),
    ]
    const { q, all, click, router } = await mountPage('/hub?tab=downloads')
    await vi.waitFor(() => expect(all('download-row')).toHaveLength(1))
    const row = all('download-row')[0]
    expect(q('download-source', row)?.textContent).toBe('llama.cpp release')
    expect(q('download-commit', row)?.textContent).toContain('b6002')
    expect(q('download-deploy', row)).toBeNull()
    expect(q('download-path', row)).toBeNull()
    expect(q('download-engine', row)?.textContent).toContain('A llama.cpp build')
    await click(q('download-engine-link', row))
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/engines'))
  })
})

describe('the Models page: On this computer', () => {
  it('lists the models found with their source, header, problems and users; scans again on request', async () => {
    fake.api.listLocalModels.mockResolvedValue(
      localModels([
        localModel({ model_ids: ['m1'] }),
        localModel({ owner: 'Ollama', gguf: null }, { path: '/home/me/.ollama/models/blobs/sha256-1', source: 'ollama', repo: 'llama3.2:3b', file: 'llama3.2:3b' }),
        localModel(
          { gguf: null, problem: { code: 'gguf_truncated', message: 'cut short', params: { path: '/data/half.gguf' } } },
          { path: '/data/half.gguf', source: 'folder', repo: '/data', file: 'half.gguf' },
        ),
        localModel({}, { path: '/data/mmproj-f16.gguf', source: 'folder', repo: '/data', file: 'mmproj-f16.gguf', projector: true, shards: 1 }),
      ]),
    )
    const { q, all, click, pinia } = await mountPage('/hub?tab=local')
    useModelsStore(pinia).models = [{ id: 'm1', name: 'Smol' } as never]
    await vi.waitFor(() => expect(all('local-model-row')).toHaveLength(4))
    const [hf, ollama, broken, projector] = all('local-model-row')
    expect(q('local-source', hf)?.textContent).toBe('Hugging Face cache')
    expect(q('local-repo', hf)?.textContent).toBe(REPO)
    expect(q('gguf-parameters', hf)?.textContent).toBe('135M')
    expect(q('gguf-architecture', hf)?.textContent).toBe('llama')
    expect(q('gguf-quantization', hf)?.textContent).toBe('Q4_1')
    expect(q('gguf-context', hf)?.textContent).toBe('8,192')
    expect(q('gguf-layers', hf)?.textContent).toBe('30')
    expect(q('local-used-by-link', hf)?.textContent).toBe('Smol')
    expect(q<HTMLButtonElement>('local-deploy', hf)?.disabled).toBe(true)
    expect(q('local-delete', hf)).not.toBeNull()
    expect(q('local-source', ollama)?.textContent).toBe('Ollama')
    expect(q('local-owner', ollama)?.textContent).toContain('owned by Ollama')
    expect(ollama.dataset.owner).toBe('Ollama')
    expect(q('local-delete', ollama)).toBeNull()
    expect(q('local-deploy', ollama)?.tagName).toBe('A')
    expect(q('local-problem', broken)?.textContent).toContain('/data/half.gguf ends inside its GGUF header')
    expect(q('local-fit', broken)).toBeNull()
    expect(q('local-projector', projector)).not.toBeNull()
    expect(q('local-deploy', projector)).toBeNull()
    expect(q('local-count')?.textContent).toBe('4 found in 12 ms')

    await click(q('local-scan'))
    await vi.waitFor(() => expect(fake.api.listLocalModels).toHaveBeenCalledTimes(2))
  })

  it('checks a fit with llmops’s estimate and llama.cpp’s own side by side, then deploys with it', async () => {
    const { q, click, router } = await mountPage('/hub?tab=local')
    await vi.waitFor(() => expect(q('local-model-row')).not.toBeNull())
    await click(q('local-fit'))
    await vi.waitFor(() => expect(q('engine-fit')).not.toBeNull())
    expect(fake.api.fitLocalModel).toHaveBeenCalledWith({ path: LOCAL_PATH, fit: null })
    expect(q('fit-verdict')?.textContent).toBe('Fits on the GPU')
    expect(q('engine-fit')?.dataset.fits).toBe('true')
    expect(q('engine-fit-args')?.textContent).toBe('-c 8192 -ngl -1')
    const devices = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="engine-fit-device"]'))
    expect(devices.map((d) => d.dataset.device)).toEqual(['CUDA0', 'Host'])
    expect(devices[0].textContent).toContain('342')
    expect(devices[1].textContent).toContain('System RAM')
    await click(q('local-deploy'))
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('deploy'))
    expect(router.currentRoute.value.query).toEqual({ path: LOCAL_PATH, name: 'SmolLM2-135M-Instruct Q4_1', context_size: '8192', gpu_layers: '-1' })
  })

  it('says why llama.cpp’s check did not run, and what a running instance really uses', async () => {
    fake.api.fitLocalModel.mockResolvedValueOnce(
      fitReport({
        engine: null,
        engine_problem: 'llama-fit-params was not found next to llama-server',
        measured: { model_id: 'm1', rss_bytes: 200 * 1024 * 1024, gpu_memory_bytes: 100 * 1024 * 1024, estimate_error: 0.19 },
      }),
    )
    const { q, click, pinia } = await mountPage('/hub?tab=local')
    useModelsStore(pinia).models = [{ id: 'm1', name: 'Smol' } as never]
    await vi.waitFor(() => expect(q('local-model-row')).not.toBeNull())
    await click(q('local-fit'))
    await vi.waitFor(() => expect(q('engine-fit-problem')?.textContent).toBe('llama-fit-params was not found next to llama-server'))
    expect(q('fit-measured')?.textContent).toBe('Running now as “Smol”: it uses 300 MiB (200 MiB RAM, 100 MiB GPU memory); the estimate is 19% higher.')
  })

  it('deletes after a confirmation, and shows the typed refusal', async () => {
    const { q, all, click } = await mountPage('/hub?tab=local')
    await vi.waitFor(() => expect(all('local-model-row')).toHaveLength(1))
    fake.api.deleteLocalModel.mockRejectedValueOnce(new ApiError('hub_file_in_use', `${LOCAL_PATH} is used by the model "Smol"`, 409, { path: LOCAL_PATH, model: 'Smol' }))
    await click(q('local-delete'))
    expect(q('local-delete-dialog')?.getAttribute('role')).toBe('alertdialog')
    expect(document.activeElement).toBe(q('local-delete-cancel'))
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await nextTick()
    expect(q('local-delete-dialog')).toBeNull()
    expect(fake.api.deleteLocalModel).not.toHaveBeenCalled()
    await click(q('local-delete'))
    await click(q('local-delete-confirm'))
    await vi.waitFor(() => expect(q('local-delete-error')).not.toBeNull())
    expect(q('local-delete-error')?.textContent).toContain(`${LOCAL_PATH} is used by the model “Smol”; remove that model first.`)
    expect(q('hub-error-detail', q('local-delete-error')!)).toBeNull()
    await click(q('local-delete'))
    await click(q('local-delete-confirm'))
    await vi.waitFor(() => expect(all('local-model-row')).toHaveLength(0))
    expect(fake.api.deleteLocalModel).toHaveBeenLastCalledWith({ path: LOCAL_PATH })
    expect(q('local-empty')?.textContent).toContain('No models found in these folders')
  })

  it('shows where it looks, and adds and removes the user’s folders', async () => {
    fake.api.listLocalModels.mockResolvedValue(localModels([]))
    const { q, all, click, type } = await mountPage('/hub?tab=local')
    await vi.waitFor(() => expect(q('local-empty')).not.toBeNull())
    // Nothing found: the places are shown open.
    const roots = q<HTMLDetailsElement>('local-roots')!
    expect(roots.open).toBe(true)
    expect(all('local-root').map((r) => [r.dataset.source, r.dataset.exists])).toEqual([['hugging_face', 'true'], ['ollama', 'false']])
    roots.dispatchEvent(new Event('toggle'))
    await vi.waitFor(() => expect(q('local-folders-none')).not.toBeNull())
    await type(q<HTMLInputElement>('local-folder-input'), 'models')
    q('local-folder-input')!.closest('form')!.dispatchEvent(new Event('submit'))
    await nextTick()
    expect(q('local-folder-problem')?.textContent).toContain('full path')
    expect(fake.api.setModelFolders).not.toHaveBeenCalled()
    fake.api.setModelFolders.mockRejectedValueOnce(
      new ApiError('hub_bad_folder', 'The folder "/nope" does not exist or is not a folder', 400, { path: '/nope', reason: 'does not exist or is not a folder' }),
    )
    await type(q<HTMLInputElement>('local-folder-input'), '/nope')
    q('local-folder-input')!.closest('form')!.dispatchEvent(new Event('submit'))
    await vi.waitFor(() => expect(q('local-folder-error')?.textContent).toContain('The folder “/nope” cannot be added: it does not exist or is not a folder.'))
    await type(q<HTMLInputElement>('local-folder-input'), '/data/models')
    q('local-folder-input')!.closest('form')!.dispatchEvent(new Event('submit'))
    await vi.waitFor(() => expect(all('local-folder').map((f) => f.dataset.folder)).toEqual(['/data/models']))
    expect(fake.api.setModelFolders).toHaveBeenLastCalledWith({ folders: ['/data/models'] })
    await vi.waitFor(() => expect(fake.api.listLocalModels).toHaveBeenCalledTimes(2))
    await click(q('local-folder-remove'))
    await vi.waitFor(() => expect(fake.api.setModelFolders).toHaveBeenLastCalledWith({ folders: [] }))
  })

  it('shows a scan that failed, with Retry', async () => {
    fake.api.listLocalModels.mockRejectedValueOnce(new ApiError('hub_io', 'permission denied', undefined, { detail: 'permission denied' }))
    const { q, click } = await mountPage('/hub?tab=local')
    await vi.waitFor(() => expect(q('local-scan-error')).not.toBeNull())
    expect(q('local-scan-error')?.textContent).toContain('permission denied')
    await click(q('local-scan-retry'))
    await vi.waitFor(() => expect(q('local-model-row')).not.toBeNull())
  })

  it('scans again when a download completes, and when the server says model files changed', async () => {
    const { q, all, tab } = await mountPage('/hub?tab=local')
    await vi.waitFor(() => expect(all('local-model-row')).toHaveLength(1))
    emit(download({ id: 'x', state: 'completed', local_path: SNAPSHOT }))
    await vi.waitFor(() => expect(fake.api.listLocalModels).toHaveBeenCalledTimes(2))
    await tab('find')
    expect(q('hub-find')).not.toBeNull()
    // Files appear while another tab shows: the next look scans again.
    fake.listeners.forEach((l) => l({ type: 'local_models_changed' }))
    await nextTick()
    expect(fake.api.listLocalModels).toHaveBeenCalledTimes(2)
    await tab('local')
    await vi.waitFor(() => expect(fake.api.listLocalModels).toHaveBeenCalledTimes(3))
  })
})

describe('the Models page: tabs and settings', () => {
  it('moves between tabs with the arrow keys, the tab in the address', async () => {
    const { q, router } = await mountPage()
    const find = q('hub-tab-find')!
    expect(find.getAttribute('aria-selected')).toBe('true')
    find.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }))
    await vi.waitFor(() => expect(router.currentRoute.value.query.tab).toBe('downloads'))
    await vi.waitFor(() => expect(document.activeElement).toBe(q('hub-tab-downloads')))
    q('hub-tab-downloads')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'End' }))
    await vi.waitFor(() => expect(router.currentRoute.value.query.tab).toBe('ollama'))
    expect(q('hub-tab-ollama')?.getAttribute('tabindex')).toBe('0')
    expect(q('hub-tab-find')?.getAttribute('tabindex')).toBe('-1')
    q('hub-tab-ollama')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft' }))
    await vi.waitFor(() => expect(router.currentRoute.value.query.tab).toBe('local'))
    q('hub-tab-local')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }))
    await vi.waitFor(() => expect(router.currentRoute.value.query.tab).toBe('ollama'))
    q('hub-tab-ollama')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }))
    await vi.waitFor(() => expect(router.currentRoute.value.query.tab).toBe('find'))
  })

  it('shows what the settings resolve to (never the token), saves them and the token', async () => {
    fake.api.hubSettings.mockResolvedValue(settingsView({ endpoint: 'https://hf-mirror.com', endpoint_source: 'HF_ENDPOINT', token_source: 'HF_TOKEN', token_sent: false }))
    const { q, all, click, type } = await mountPage()
    await click(q('hub-settings-open'))
    await vi.waitFor(() => expect(q('hub-settings-endpoint')).not.toBeNull())
    expect(q('hub-settings')?.getAttribute('role')).toBe('dialog')
    expect(q('hub-settings-endpoint')?.textContent).toBe('https://hf-mirror.com')
    expect(q('hub-settings-endpoint-source')?.textContent).toContain('from HF_ENDPOINT')
    expect(q('hub-settings-token-source')?.textContent).toContain('from the environment variable HF_TOKEN')
    expect(q('hub-settings-token-source')?.textContent).toContain('not sent to this endpoint')
    expect(q('hub-settings-cache')?.textContent).toBe('/home/me/.cache/huggingface/hub')
    expect(q('hub-settings-ms-endpoint')?.textContent).toBe('https://www.modelscope.cn')
    expect(q('hub-settings-ms-cache')?.textContent).toBe('/home/me/.cache/modelscope/hub')
    expect(q<HTMLInputElement>('hub-settings-ms-endpoint-input')?.value).toBe('')
    expect(q('hub-settings')?.textContent).toContain('only ever sent to huggingface.co')
    expect(q('hub-settings')?.textContent).toContain('Applies at the next start')
    expect(q('hub-token-remove')).toBeNull()

    await type(q<HTMLInputElement>('hub-settings-endpoint-input'), 'hf-mirror.com')
    await type(q<HTMLInputElement>('hub-settings-parallel'), '12')
    await type(q<HTMLInputElement>('hub-settings-ms-endpoint-input'), 'modelscope.cn')
    q('hub-settings-form')!.dispatchEvent(new Event('submit'))
    await nextTick()
    expect(all('hub-settings-problem').map((p) => p.dataset.field)).toEqual(['endpoint', 'modelscopeEndpoint', 'maxParallel'])
    expect(q('hub-settings-ms-endpoint-input')?.getAttribute('aria-invalid')).toBe('true')
    expect(fake.api.setHubSettings).not.toHaveBeenCalled()
    await type(q<HTMLInputElement>('hub-settings-endpoint-input'), 'https://hf-mirror.com/')
    await type(q<HTMLInputElement>('hub-settings-parallel'), '4')
    await type(q<HTMLInputElement>('hub-settings-ms-endpoint-input'), 'https://ms-mirror.example/')
    const send = q<HTMLInputElement>('hub-settings-send-token')!
    send.checked = true
    send.dispatchEvent(new Event('change'))
    q('hub-settings-form')!.dispatchEvent(new Event('submit'))
    await vi.waitFor(() => expect(q('hub-settings-saved')).not.toBeNull())
    expect(fake.api.setHubSettings).toHaveBeenCalledWith({
      endpoint: 'https://hf-mirror.com', send_token_to_mirror: true, max_parallel_downloads: 4, modelscope_endpoint: 'https://ms-mirror.example',
    })
    // What it resolves to now; the form follows the saved settings.
    await vi.waitFor(() => expect(q('hub-settings-ms-endpoint')?.textContent).toBe('https://ms-mirror.example'))
    expect(q<HTMLInputElement>('hub-settings-ms-endpoint-input')?.value).toBe('https://ms-mirror.example')

    const token = q<HTMLInputElement>('hub-token-input')!
    expect(token.type).toBe('password')
    await type(token, 'hf_secret')
    q('hub-token-form')!.dispatchEvent(new Event('submit'))
    await vi.waitFor(() => expect(q('hub-token-done')?.textContent).toBe('Token saved.'))
    expect(fake.api.setHubToken).toHaveBeenCalledWith({ token: 'hf_secret' })
    expect(q<HTMLInputElement>('hub-token-input')?.value).toBe('')
    expect(q('hub-settings')?.textContent).not.toContain('hf_secret')
    expect(q('hub-settings-token-source')?.textContent).toContain('saved in this app')
    await click(q('hub-token-remove'))
    await vi.waitFor(() => expect(q('hub-token-done')?.textContent).toBe('Token removed.'))
    expect(fake.api.setHubToken).toHaveBeenLastCalledWith({ token: null })

    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await nextTick()
    expect(q('hub-settings')).toBeNull()
    expect(document.activeElement).toBe(q('hub-settings-open'))
  })

  it('speaks Chinese too', async () => {
    setLocale('zh')
    const { q } = await mountPage()
    expect(q('hub-tab-local')?.textContent?.trim()).toBe('本机模型')
    expect(q('hub-tab-ollama')?.textContent?.trim()).toBe('Ollama')
    expect(q('hub-page')?.querySelector('h1')?.textContent).toBe('模型库')
  })
})

describe('the Models page: Ollama', () => {
  it('shows a running Ollama: its version and address, its models, the loaded ones, and where else they show', async () => {
    const { q, all, click, router } = await mountPage('/hub?tab=ollama')
    expect(q('hub-tab-ollama')?.getAttribute('aria-selected')).toBe('true')
    await vi.waitFor(() => expect(q('ollama-status')?.dataset.reachable).toBe('true'))
    expect(fake.api.ollamaStatus).toHaveBeenCalledTimes(1)
    expect(fake.api.listChatEndpoints).toHaveBeenCalledTimes(1)
    expect(q('ollama-state')?.textContent).toBe('Running')
    expect(q('ollama-version')?.textContent).toBe(`Ollama 0.6.2 at ${OLLAMA_URL}`)
    expect(q('ollama-hint')).toBeNull()

    expect(all('ollama-model').map((r) => [r.dataset.name, r.dataset.loaded])).toEqual([['qwen2.5:7b', 'true'], ['llama3.2:3b', 'false']])
    const [qwen, llama] = all('ollama-model')
    expect(q('ollama-model-size', qwen)?.textContent).toBe('4.4 GiB')
    expect(q('ollama-model-params', qwen)?.textContent).toBe('7.6B')
    expect(q('ollama-model-quant', qwen)?.textContent).toBe('Q4_K_M')
    expect(q('ollama-model-family', qwen)?.textContent).toBe('qwen2')
    expect(q('ollama-model-modified', qwen)?.textContent).toMatch(/2025/)
    expect(q('ollama-model-loaded', qwen)?.textContent).toBe('Loaded')
    expect(q('ollama-model-loaded', llama)).toBeNull()
    expect(q('ollama-model-modified', llama)?.textContent).toBe('n/a')
    expect(qwen.querySelector('th')?.getAttribute('scope')).toBe('row')

    expect(all('ollama-loaded').map((l) => [l.dataset.name, l.dataset.placement])).toEqual([['qwen2.5:7b', 'split']])
    expect(q('ollama-loaded-where')?.textContent).toBe('6.0 GiB: 3.0 GiB in GPU memory (50%), the rest in RAM')
    expect(q('ollama-loaded-until')?.textContent).toBe('kept loaded')
    // Not in the chat yet: no Chat links.
    expect(q('ollama-model-chat')).toBeNull()
    expect(q('ollama-connected')).toBeNull()

    expect(q('ollama-local-note')?.textContent).toContain('also listed, read-only, under “On this computer”')
    await click(q('ollama-local-link'))
    await vi.waitFor(() => expect(router.currentRoute.value.query.tab).toBe('local'))
    await vi.waitFor(() => expect(q('local-models')).not.toBeNull())

    // Shown again: asked again (what is loaded changes on its own).
    await click(q('hub-tab-ollama'))
    await vi.waitFor(() => expect(fake.api.ollamaStatus).toHaveBeenCalledTimes(2))
    await click(q('ollama-check'))
    await vi.waitFor(() => expect(fake.api.ollamaStatus).toHaveBeenCalledTimes(3))
  })

  it('pulls a model, follows the pull in Downloads (no files, commit nor Deploy), and asks Ollama again once it completes', async () => {
    const { q, all, click, type, router } = await mountPage('/hub?tab=ollama')
    await vi.waitFor(() => expect(q('ollama-status')).not.toBeNull())
    const input = () => q<HTMLInputElement>('ollama-pull-input')!
    const submit = () => input().closest('form')!.dispatchEvent(new Event('submit'))
    expect(input().closest('label')?.textContent).toContain('Model name')
    expect(input().getAttribute('aria-describedby')).toContain('ollama-pull-hint')

    // Nothing typed: said, and nothing asked.
    submit()
    await nextTick()
    expect(q('ollama-pull-problem')?.getAttribute('role')).toBe('alert')
    expect(q('ollama-pull-problem')?.textContent).toContain('Type the name of a model to pull.')
    expect(input().getAttribute('aria-invalid')).toBe('true')
    expect(fake.api.pullOllamaModel).not.toHaveBeenCalled()

    // An example fills the field; a model Ollama has is said to be there.
    const examples = all('ollama-pull-example')
    expect(examples.map((e) => e.textContent?.trim())).toEqual(['qwen2.5:7b', 'llama3.2:3b', 'hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M'])
    await click(examples[1])
    expect(input().value).toBe('llama3.2:3b')
    expect(q('ollama-pull-problem')?.textContent).toContain('Ollama has llama3.2:3b already')

    // A refused name: the server's reason in the UI's words.
    fake.api.pullOllamaModel.mockRejectedValueOnce(
      new ApiError('hub_invalid_input', '"a b" is not an Ollama model name', 400, { detail: '"a b" is not an Ollama model name; use e.g. qwen2.5:7b or hf.co/org/repo:Q4_K_M' }),
    )
    await type(input(), 'a b')
    await click(q('ollama-pull-submit'))
    await vi.waitFor(() => expect(q('ollama-pull-error')).not.toBeNull())
    expect(q('ollama-pull-error')?.getAttribute('role')).toBe('alert')
    expect(q('ollama-pull-error')?.textContent).toBe('This was refused as invalid: "a b" is not an Ollama model name; use e.g. qwen2.5:7b or hf.co/org/repo:Q4_K_M')

    // A command pasted from a model's page.
    await type(input(), 'ollama pull phi4:14b')
    await click(q('ollama-pull-submit'))
    await vi.waitFor(() => expect(q('ollama-pull-state')).not.toBeNull())
    expect(fake.api.pullOllamaModel).toHaveBeenLastCalledWith({ name: 'phi4:14b' })
    expect(q('ollama-pull-error')).toBeNull()
    await vi.waitFor(() => expect(input().value).toBe(''))
    expect(q('ollama-pull-state')?.textContent).toContain('Pull of phi4:14b:')
    expect(q('ollama-pull-badge')?.dataset.state).toBe('queued')
    expect(q('hub-downloads-active')?.textContent).toBe('1')

    // In Downloads: an Ollama row.
    await click(q('ollama-show-downloads'))
    await vi.waitFor(() => expect(router.currentRoute.value.query.tab).toBe('downloads'))
    await vi.waitFor(() => expect(all('download-row')).toHaveLength(1))
    const row = () => all('download-row')[0]
    expect(row().dataset.source).toBe('ollama')
    expect(q('download-source', row())?.textContent).toBe('Ollama')
    expect(q('download-repo', row())?.textContent).toBe('phi4:14b')
    expect(q('download-ollama', row())?.textContent).toContain(`pulled by Ollama at ${OLLAMA_URL}`)
    expect(q('download-file', row())).toBeNull()
    expect(q('download-commit', row())).toBeNull()
    expect(q('download-stats', row())?.textContent).toContain('size not known yet')

    // Ollama reports its layers: the size grows.
    emit(ollamaPull({ repo: 'phi4:14b', state: 'downloading', total_bytes: 1024 * 1024 * 1024, done_bytes: 256 * 1024 * 1024, rate_bytes_per_second: 64 * 1024 * 1024, eta_seconds: 12 }))
    await nextTick()
    expect(q('download-progress', row())?.getAttribute('aria-valuenow')).toBe('25')
    expect(q('download-rate', row())?.textContent).toBe('64.0 MiB/s')
    // Stopping says what Ollama keeps.
    await click(q('download-cancel', row()))
    expect(q('download-cancel-question', row())?.textContent).toBe('Stop this pull? Ollama keeps what it has; pulling again continues from there.')
    expect(q('download-cancel-confirm', row())?.textContent?.trim()).toBe('Stop the pull')
    await click(q('download-cancel-keep', row()))
    expect(fake.api.cancelDownload).not.toHaveBeenCalled()

    expect(fake.api.ollamaStatus).toHaveBeenCalledTimes(1)
    emit(ollamaPull({ repo: 'phi4:14b', state: 'completed', total_bytes: 1024 * 1024 * 1024, done_bytes: 1024 * 1024 * 1024 }))
    await nextTick()
    expect(row().dataset.state).toBe('completed')
    const buttons = ['pause', 'resume', 'cancel', 'remove', 'deploy'].filter((b) => q(`download-${b}`, row()))
    expect(buttons).toEqual(['remove'])
    expect(q('download-path', row())).toBeNull()
    expect(q('download-ollama-done', row())?.textContent).toContain('Ollama has it now.')
    // Ollama has a new model: asked again.
    await vi.waitFor(() => expect(fake.api.ollamaStatus).toHaveBeenCalledTimes(2))
    await click(q('download-ollama-link', row()))
    await vi.waitFor(() => expect(router.currentRoute.value.query.tab).toBe('ollama'))
    await vi.waitFor(() => expect(q('ollama-pull-badge')?.dataset.state).toBe('completed'))
  })

  it('adds Ollama to the chat, says which endpoint it is, and opens a chat with one of its models', async () => {
    const { q, all, click, router } = await mountPage('/hub?tab=ollama')
    await vi.waitFor(() => expect(q('ollama-status')).not.toBeNull())
    expect(q('ollama-chat')?.textContent).toContain(`(${OLLAMA_URL}/v1)`)

    // Ollama stopped meanwhile: said as the status says it, and the status is asked again.
    fake.api.connectOllamaChat.mockRejectedValueOnce(
      new ApiError('hub_unreachable', 'unreachable', 502, { endpoint: OLLAMA_URL, detail: 'no Ollama answers' }),
    )
    await click(q('ollama-connect-chat'))
    await vi.waitFor(() => expect(q('ollama-connect-error')).not.toBeNull())
    expect(q('ollama-connect-error')?.textContent).toContain(`No Ollama answers at ${OLLAMA_URL}. Install Ollama`)
    expect(q('ollama-connect-error')?.textContent).not.toContain('Hub settings')
    await vi.waitFor(() => expect(fake.api.ollamaStatus).toHaveBeenCalledTimes(2))

    await click(q('ollama-connect-chat'))
    await vi.waitFor(() => expect(q('ollama-connected')).not.toBeNull())
    expect(fake.api.connectOllamaChat).toHaveBeenCalledTimes(2)
    expect(q('ollama-connect-error')).toBeNull()
    expect(q('ollama-connect-chat')).toBeNull()
    expect(q('ollama-connected')?.dataset.endpointId).toBe('e-ol')
    expect(q('ollama-connected')?.textContent).toContain(`Ollama is the chat endpoint “Ollama” (${OLLAMA_URL}/v1)`)
    // Each model opens a chat with it; the loaded one is offered first.
    expect(all('ollama-model-chat').map((a) => a.getAttribute('aria-label'))).toEqual(['Chat with qwen2.5:7b', 'Chat with llama3.2:3b'])
    expect(q('ollama-open-chat')?.textContent).toBe('Chat with qwen2.5:7b')
    await click(all('ollama-model-chat')[1])
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('chat'))
    expect(router.currentRoute.value.query).toEqual({ endpoint: 'e-ol', model: 'llama3.2:3b' })
  })

  it('says why a pull failed or waits as Ollama’s, not a hub’s', async () => {
    downloads = [
      ollamaPull({
        id: 'bad', created_at: 2, repo: 'nope:1b', state: 'failed',
        error: { code: 'hub_status', message: 'The hub answered 200 for nope:1b: pull model manifest: file does not exist', params: { what: 'nope:1b', status: '200', detail: 'pull model manifest: file does not exist' } },
      }),
      ollamaPull({
        id: 'wait', created_at: 1, state: 'retrying',
        error: { code: 'hub_unreachable', message: 'unreachable', params: { endpoint: OLLAMA_URL, detail: 'connection refused; try 2 of 8 in 2 s' } },
      }),
    ]
    const { q, all } = await mountPage('/hub?tab=downloads')
    await vi.waitFor(() => expect(all('download-row')).toHaveLength(2))
    const [bad, waiting] = all('download-row')
    expect(q('download-error', bad)?.textContent?.trim()).toBe('Ollama could not pull nope:1b: pull model manifest: file does not exist')
    expect(q('download-error', bad)?.getAttribute('role')).toBe('alert')
    expect(q('download-error', waiting)?.textContent?.trim()).toBe(`Ollama at ${OLLAMA_URL} could not be reached: connection refused; try 2 of 8 in 2 s.`)
    expect(q('download-error', waiting)?.textContent).not.toContain('Hub settings')
    expect(['pause', 'resume', 'cancel', 'remove', 'deploy'].filter((b) => q(`download-${b}`, bad))).toEqual(['resume', 'cancel', 'remove'])
  })

  it('knows Ollama was added to the chat before', async () => {
    fake.api.listChatEndpoints.mockResolvedValue([{ id: 'old', name: 'My Ollama', base_url: `${OLLAMA_URL}/v1`, has_api_key: false, created_at: 1 }])
    const { q, all } = await mountPage('/hub?tab=ollama')
    await vi.waitFor(() => expect(q('ollama-connected')?.dataset.endpointId).toBe('old'))
    expect(q('ollama-connected')?.textContent).toContain('“My Ollama”')
    expect(q('ollama-connect-chat')).toBeNull()
    expect(all('ollama-model-chat')).toHaveLength(2)
    expect(fake.api.connectOllamaChat).not.toHaveBeenCalled()
  })

  it('says why Ollama does not answer and what to do; Check again finds it (with no models yet)', async () => {
    fake.api.ollamaStatus.mockResolvedValueOnce(ollamaDown())
    const { q, click } = await mountPage('/hub?tab=ollama')
    await vi.waitFor(() => expect(q('ollama-status')?.dataset.reachable).toBe('false'))
    expect(q('ollama-state')?.textContent).toBe('Not reachable')
    expect(q('ollama-unreachable')?.textContent).toBe(`No Ollama answers at ${OLLAMA_URL}.`)
    expect(q('ollama-problem')?.textContent).toContain('connection refused')
    expect(q('ollama-hint')?.textContent).toContain('OLLAMA_HOST')
    expect(q('ollama-models')).toBeNull()
    // Nothing to pull into nor to chat with: off, and why.
    expect(q<HTMLButtonElement>('ollama-pull-submit')?.disabled).toBe(true)
    expect(q<HTMLButtonElement>('ollama-pull-submit')?.title).toBe('Ollama is not reachable: start it, then check again')
    expect(q<HTMLButtonElement>('ollama-connect-chat')?.disabled).toBe(true)

    fake.api.ollamaStatus.mockResolvedValueOnce(ollamaStatus({ models: [], loaded: [] }))
    await click(q('ollama-check'))
    await vi.waitFor(() => expect(q('ollama-status')?.dataset.reachable).toBe('true'))
    expect(q('ollama-empty')?.textContent).toBe('Ollama has no models yet: pull one below.')
    expect(q('ollama-none-loaded')?.textContent).toContain('None.')
    expect(q<HTMLButtonElement>('ollama-pull-submit')?.disabled).toBe(false)
    expect(q<HTMLButtonElement>('ollama-connect-chat')?.disabled).toBe(false)

    // Reachable, but part of its answer unreadable.
    fake.api.ollamaStatus.mockResolvedValueOnce(ollamaStatus({ loaded: [], problem: '/api/ps answered 500 Internal Server Error' }))
    await click(q('ollama-check'))
    await vi.waitFor(() => expect(q('ollama-partial')?.textContent).toBe('Part of Ollama’s answer could not be read: /api/ps answered 500 Internal Server Error'))
  })

  it('shows that it is asking, and a question that failed with Retry', async () => {
    let answer!: (s: ReturnType<typeof ollamaStatus>) => void
    fake.api.ollamaStatus.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)))
    const { q, click } = await mountPage('/hub?tab=ollama')
    expect(q('ollama-loading')?.textContent).toContain('Asking Ollama…')
    expect(q<HTMLButtonElement>('ollama-check')?.disabled).toBe(true)
    expect(q('ollama-status')).toBeNull()
    answer(ollamaStatus())
    await vi.waitFor(() => expect(q('ollama-status')).not.toBeNull())
    expect(q('ollama-loading')).toBeNull()

    fake.api.ollamaStatus.mockRejectedValueOnce(new ApiError('insufficient_scope', 'needs read', 403))
    await click(q('ollama-check'))
    await vi.waitFor(() => expect(q('ollama-check-error')).not.toBeNull())
    expect(q('ollama-check-error')?.getAttribute('role')).toBe('alert')
    expect(q('ollama-check-error')?.textContent).toContain('Ollama’s status could not be asked.')
    await click(q('ollama-check-retry'))
    await vi.waitFor(() => expect(q('ollama-check-error')).toBeNull())
  })

  it('offers neither Pull nor Use in chat to a read-only key', async () => {
    const { q } = await mountPage('/hub?tab=ollama', { scope: 'read', via: 'api_key', key_id: 'k', key_name: 'phone' })
    await vi.waitFor(() => expect(q('ollama-status')).not.toBeNull())
    expect(q<HTMLButtonElement>('ollama-pull-submit')?.disabled).toBe(true)
    expect(q<HTMLButtonElement>('ollama-pull-submit')?.title).toBe('Needs the admin scope')
    expect(q<HTMLButtonElement>('ollama-connect-chat')?.disabled).toBe(true)
    expect(q<HTMLButtonElement>('ollama-connect-chat')?.title).toBe('Needs the admin scope')
    // Reading what Ollama has needs no more.
    expect(q('ollama-model')).not.toBeNull()
  })

  it('speaks Chinese too', async () => {
    setLocale('zh')
    fake.api.ollamaStatus.mockResolvedValueOnce(ollamaDown())
    const { q } = await mountPage('/hub?tab=ollama')
    await vi.waitFor(() => expect(q('ollama-status')).not.toBeNull())
    expect(q('ollama-unreachable')?.textContent).toBe(`${OLLAMA_URL} 上没有 Ollama 响应。`)
    expect(q('ollama-check')?.textContent?.trim()).toBe('重新检查')
    expect(q('ollama-connect-chat')?.textContent?.trim()).toBe('用于对话')
  })
})
