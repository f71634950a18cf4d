// @vitest-environment jsdom
import { createPinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { ApiError } from '../api'
import { setLocale } from '../composables/useI18n'
import { qwenModel } from '../components/models/model.fixtures'
import type { Caller } from '../generated/Caller'
import type { EngineRuntimes } from '../generated/EngineRuntimes'
import { build, entry, overview, release, releases, runtime } from '../lib/engines/engines.fixtures'
import { download } from '../lib/hub/hub.fixtures'
import { useAccessStore } from '../stores/access'
import { useDownloadsStore } from '../stores/downloads'
import { useEnginesStore } from '../stores/engines'
import { useModelsStore } from '../stores/models'
import { emit, fake, installFakeApi } from '../testing/fakeApi'
import { mountApp, stubPage as stub, usePageTestSetup } from '../testing/mountApp'
import EnginesPage from './EnginesPage.vue'

const MiB = 1024 * 1024
const CPU = runtime({ version: 'b6000', variant: 'cpu' })
const CUDA = runtime({ version: 'b6001', variant: 'cuda12', variant_label: 'cuda-12.4', size_bytes: 350 * MiB })
let stored: EngineRuntimes

async function mountPage(caller: Caller | null = null) {
  const pinia = createPinia()
  useAccessStore(pinia).caller = caller
  // As at app start (startup.ts): runtime and download events are followed.
  useEnginesStore(pinia).connect()
  useDownloadsStore(pinia).connect()
  const models = useModelsStore(pinia)
  models.models = [
    qwenModel,
    { ...qwenModel, id: 'm2', name: 'SmolLM2' },
    { ...qwenModel, id: 'm3', name: 'Mistral vLLM', engine: 'vllm', path: 'mistralai/Mistral-7B', settings: { engine: 'vllm', trust_remote_code: false } },
  ]
  models.loaded = true
  const page = await mountApp({
    path: '/engines',
    pinia,
    routes: [
      { path: '/', component: stub },
      { path: '/engines', name: 'engines', component: EnginesPage },
      { path: '/hub', name: 'hub', component: stub },
    ],
  })
  await vi.waitFor(() => expect(page.q('engines-hardware')).not.toBeNull())
  const row = (id: string) => page.host.querySelector<HTMLElement>(`[data-testid="engine-runtime-row"][data-id="${id}"]`)
  const inRow = (id: string, testid: string) => page.q(testid, row(id)!)
  const releaseRow = (version: string) => page.host.querySelector<HTMLElement>(`[data-testid="engine-release-row"][data-version="${version}"]`)!
  const pinSelect = (model: string) => page.host.querySelector<HTMLSelectElement>(`[data-testid="engine-pin"][data-model="${model}"]`)
  return { ...page, row, inRow, releaseRow, pinSelect }
}

usePageTestSetup()
beforeEach(() => {
  stored = overview({
    default_id: CPU.id,
    previous_default_id: CUDA.id,
    runtimes: [
      entry(CPU, { is_default: true, running_instances: 2 }),
      entry(CUDA, { pinned_models: [{ id: 'm2', name: 'SmolLM2' }] }),
      entry(runtime({ version: 'b5990', variant: 'vulkan', variant_label: 'vulkan', state: 'failed', reported_version: null, error: { code: 'engine_runtime_does_not_run', message: 'It does not run', params: { detail: 'missing libvulkan.so.1' } } })),
      entry(runtime({ version: 'b6002', variant: 'cpu', state: 'downloading', download_id: 'dl-engine', reported_version: null, size_bytes: 0 })),
    ],
  })
  installFakeApi({
    listEngineRuntimes: vi.fn(async () => structuredClone(stored)),
    listDownloads: vi.fn(async () => [
      download({ id: 'dl-engine', source: 'engine_release', repo: 'llama.cpp', revision: 'b6002', commit: 'b6002', total_bytes: 40 * MiB, done_bytes: 10 * MiB }),
    ]),
    listEngineReleases: vi.fn(async () => releases()),
    installEngineRuntime: vi.fn(async () => runtime({ version: 'b6002', variant: 'cuda12', state: 'downloading', download_id: 'dl-2' })),
    setDefaultEngineRuntime: vi.fn(async () => stored),
    removeEngineRuntime: vi.fn(async () => stored),
    rollBackEngineRuntime: vi.fn(async () => stored),
    pinEngineRuntime: vi.fn(async () => stored),
    setEngineReleasesSource: vi.fn(async () => stored),
  })
})

describe('EnginesPage', () => {
  it('shows this computer, the fallback, and no first-run offer while something runs llama.cpp', async () => {
    stored = overview({ hardware: { os: 'linux', arch: 'x86_64', cpu_features: ['avx2', 'avx512f'], nvidia_driver: null, nvidia_cuda: null, vulkan: false } })
    const { q } = await mountPage()
    expect(q('engines-page')).not.toBeNull()
    const hardware = q('engines-hardware')!
    expect(q('engines-hardware-system', hardware)?.textContent).toBe('linux / x86_64')
    expect(q('engines-hardware-cpu', hardware)?.textContent).toBe('avx2, avx512f')
    expect(q('engines-hardware-nvidia', hardware)?.textContent).toBe('none')
    expect(q('engines-hardware-vulkan', hardware)?.textContent?.trim()).toBe('no')
    expect(q('engines-fallback')?.textContent).toContain('/home/me/.cache/llmops/llama.cpp/build/bin/llama-server (built from source)')
    expect(q('engines-fallback')?.textContent).toContain('while no default runtime is set')
    expect(q('engines-first-run')).toBeNull()
    expect(q('engines-installed-none')).not.toBeNull()
    expect(q('engines-build-note')?.textContent).toContain('npm start')
    // The releases source is on the network: asked only when the user asks.
    expect(fake.api.listEngineReleases).not.toHaveBeenCalled()
  })

  it('names where a fallback was found, and the NVIDIA driver with its CUDA version', async () => {
    stored = overview({ fallback: { path: '/usr/bin/llama-server', source: 'PATH' } })
    const { q } = await mountPage()
    expect(q('engines-fallback')?.textContent).toContain('/usr/bin/llama-server (found on PATH)')
    expect(q('engines-hardware-nvidia')?.textContent).toBe('550.54.14 (CUDA 12.4)')
    expect(q('engines-hardware-vulkan')?.textContent?.trim()).toBe('yes')
  })

  it('offers llama.cpp when nothing can run it, and installs the recommended build of the newest release', async () => {
    stored = overview({ fallback: null, runtimes: [entry(runtime({ state: 'failed', error: { code: 'engine_runtime_io', message: 'gone' } }))] })
    fake.api.installEngineRuntime.mockImplementation(async () => runtime({ version: 'b6002', variant: 'cuda12', state: 'downloading', download_id: 'dl-2' }))
    const { q, click, row } = await mountPage()
    expect(q('engines-first-run')?.textContent).toContain('No llama.cpp engine is available')
    expect(q('engines-fallback')).toBeNull()
    await click(q('engines-get-llama'))
    await vi.waitFor(() => expect(fake.api.installEngineRuntime).toHaveBeenCalledWith({}))
    await vi.waitFor(() => expect(row('llama.cpp-b6002-cuda12')).not.toBeNull())
  })

  it('says in the offer why the install was refused', async () => {
    stored = overview({ fallback: null })
    fake.api.installEngineRuntime.mockRejectedValueOnce(
      new ApiError('engine_releases_unreachable', 'offline', 503, { url: 'https://api.github.com/x', detail: 'timed out' }),
    )
    const { q, click } = await mountPage()
    await click(q('engines-get-llama'))
    await vi.waitFor(() => expect(q('engines-error', q('engines-first-run')!)?.textContent).toContain('The engine releases at https://api.github.com/x could not be read: timed out'))
  })

  it('lists the runtimes with their state, default, pins, use and failure', async () => {
    const { q, all, inRow, row } = await mountPage()
    expect(all('engine-runtime-row').map((r) => r.dataset.id)).toEqual([CPU.id, CUDA.id, 'llama.cpp-b5990-vulkan', 'llama.cpp-b6002-cpu'])

    expect(inRow(CPU.id, 'engine-runtime-version')?.textContent).toBe('b6000')
    expect(inRow(CPU.id, 'engine-runtime-variant')?.textContent).toBe('CPU')
    expect(inRow(CPU.id, 'engine-runtime-state')?.textContent).toBe('Installed')
    expect(inRow(CPU.id, 'engine-runtime-default')).not.toBeNull()
    expect(inRow(CPU.id, 'engine-runtime-size')?.textContent).toBe('Size: 42.0 MiB')
    expect(inRow(CPU.id, 'engine-runtime-reported')?.textContent).toBe('Reports: version: 6000 (abcdef0)')
    expect(inRow(CPU.id, 'engine-runtime-running')?.textContent).toBe('Running instances: 2')
    expect(inRow(CPU.id, 'engine-runtime-pinned')).toBeNull()
    expect(inRow(CPU.id, 'engine-make-default')).toBeNull()

    expect(inRow(CUDA.id, 'engine-runtime-variant')?.textContent).toBe('cuda-12.4')
    expect(inRow(CUDA.id, 'engine-runtime-default')).toBeNull()
    expect(inRow(CUDA.id, 'engine-runtime-pinned')?.textContent).toBe('Pinned models: SmolLM2')
    expect(inRow(CUDA.id, 'engine-make-default')).not.toBeNull()

    const failed = 'llama.cpp-b5990-vulkan'
    expect(inRow(failed, 'engine-runtime-state')?.textContent).toBe('Failed')
    expect(inRow(failed, 'engine-runtime-error')?.textContent).toContain('does not run on this computer: missing libvulkan.so.1')
    expect(inRow(failed, 'engine-make-default')).toBeNull()
    expect(inRow(CPU.id, 'engine-runtime-error')).toBeNull()

    // A download's progress comes from the downloads list, then from its events.
    const downloading = 'llama.cpp-b6002-cpu'
    await vi.waitFor(() => expect(inRow(downloading, 'engine-runtime-state')?.textContent).toBe('Downloading 25%'))
    expect(inRow(downloading, 'engine-runtime-size')).toBeNull()
    emit({ type: 'download_update', data: download({ id: 'dl-engine', source: 'engine_release', repo: 'llama.cpp', total_bytes: 40 * MiB, done_bytes: 30 * MiB }) })
    await nextTick()
    expect(inRow(downloading, 'engine-runtime-state')?.textContent).toBe('Downloading 75%')
    expect(inRow(downloading, 'engine-runtime-download')?.getAttribute('href')).toBe('/hub?tab=downloads')

    // Unpacked: the event says so at once.
    emit({ type: 'engine_runtime_update', data: runtime({ version: 'b6002', variant: 'cpu', state: 'installing', download_id: 'dl-engine' }) })
    await nextTick()
    expect(inRow(downloading, 'engine-runtime-state')?.textContent).toBe('Unpacking and checking')
    expect(row(downloading)?.dataset.state).toBe('installing')
    expect(q('engines-first-run')).toBeNull()
  })

  it('makes a runtime the default, removes one after a yes, and rolls the default back', async () => {
    const { q, click, inRow, row } = await mountPage()
    await click(inRow(CUDA.id, 'engine-make-default'))
    await vi.waitFor(() => expect(fake.api.setDefaultEngineRuntime).toHaveBeenCalledWith({ id: CUDA.id }))

    await vi.waitFor(() => expect(inRow(CUDA.id, 'engine-remove')?.hasAttribute('disabled')).toBe(false))
    await click(inRow(CUDA.id, 'engine-remove'))
    expect(fake.api.removeEngineRuntime).not.toHaveBeenCalled()
    expect(inRow(CUDA.id, 'engine-remove-question')?.textContent).toBe(`Remove ${CUDA.id} and its folder?`)
    await click(inRow(CUDA.id, 'engine-remove-cancel'))
    expect(inRow(CUDA.id, 'engine-remove-question')).toBeNull()
    expect(fake.api.removeEngineRuntime).not.toHaveBeenCalled()
    await click(inRow(CUDA.id, 'engine-remove'))
    stored = { ...stored, runtimes: stored.runtimes.filter((e) => e.runtime.id !== CUDA.id), previous_default_id: null }
    await click(inRow(CUDA.id, 'engine-remove-confirm'))
    await vi.waitFor(() => expect(fake.api.removeEngineRuntime).toHaveBeenCalledWith(CUDA.id))
    await vi.waitFor(() => expect(row(CUDA.id)).toBeNull())
    // The earlier default was that one: nothing to roll back to now.
    expect(q<HTMLButtonElement>('engines-rollback')!.disabled).toBe(true)
    expect(q('engines-rollback')!.title).toBe('No earlier default that is still installed')
  })

  it('rolls back to the earlier default only while it is installed', async () => {
    const { q, click } = await mountPage()
    const rollback = q<HTMLButtonElement>('engines-rollback')!
    expect(rollback.disabled).toBe(false)
    expect(rollback.title).toBe(`Make ${CUDA.id} the default again`)
    await click(rollback)
    await vi.waitFor(() => expect(fake.api.rollBackEngineRuntime).toHaveBeenCalledTimes(1))
  })

  it('keeps the rollback off when the earlier default failed', async () => {
    stored = { ...stored, previous_default_id: 'llama.cpp-b5990-vulkan' }
    const { q } = await mountPage()
    expect(q<HTMLButtonElement>('engines-rollback')!.disabled).toBe(true)
  })

  it('shows why the core refused an action, by the list', async () => {
    fake.api.removeEngineRuntime.mockRejectedValueOnce(
      new ApiError('engine_runtime_in_use', `${CPU.id} is the default; make another runtime the default first`, 409, {
        id: CPU.id,
        reason: 'the default',
        what_to_do: 'make another runtime the default first',
      }),
    )
    const { q, click, inRow } = await mountPage()
    await click(inRow(CPU.id, 'engine-remove'))
    await click(inRow(CPU.id, 'engine-remove-confirm'))
    const error = await vi.waitFor(() => {
      const el = q('engines-error', q('engines-installed')!)
      expect(el).not.toBeNull()
      return el!
    })
    expect(error.textContent?.trim()).toBe(`${CPU.id} is the default; make another runtime the default first.`)
    expect(error.dataset.code).toBe('engine_runtime_in_use')
    expect(inRow(CPU.id, 'engine-runtime-default')).not.toBeNull()
  })

  it('lists releases when asked, preselects the recommended build, and installs the chosen one', async () => {
    let answer: (v: unknown) => void = () => {}
    fake.api.listEngineReleases.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)))
    const { q, all, click, choose, releaseRow } = await mountPage()
    expect(all('engine-release-row')).toHaveLength(0)
    await click(q('engines-load-releases'))
    expect(q('engines-releases-loading')).not.toBeNull()
    expect(q<HTMLButtonElement>('engines-load-releases')!.disabled).toBe(true)
    answer(
      releases({
        releases: [release('b6003', { prerelease: true }), release('b6002'), release('b6001'), release('b5000', { builds: [build('b5000', 'cpu')] })],
      }),
    )
    await vi.waitFor(() => expect(all('engine-release-row')).toHaveLength(4))
    expect(q('engines-releases-loading')).toBeNull()
    expect(all('engine-release-row').map((r) => r.dataset.version)).toEqual(['b6003', 'b6002', 'b6001', 'b5000'])
    expect(q('engines-recommended')?.textContent).toContain('Recommended for this computer: CUDA 12, because an NVIDIA driver supporting CUDA 12.4 is installed.')

    const variant = (version: string) => q<HTMLSelectElement>('engine-release-variant', releaseRow(version))!
    const install = (version: string) => q<HTMLButtonElement>('engine-install', releaseRow(version))!
    expect(variant('b6002').value).toBe('cuda12')
    expect(Array.from(variant('b6002').options).map((o) => o.value)).toEqual(['cpu', 'vulkan', 'cuda12'])
    expect(variant('b6002').selectedOptions[0].textContent).toBe('cuda-12.4 · 300 MiB · recommended')
    // A release without the recommended build: its first (CPU).
    expect(variant('b5000').value).toBe('cpu')

    // b6001 CUDA 12 is installed: marked, and not installed again; its CPU build is not.
    expect(variant('b6001').selectedOptions[0].textContent).toContain('installed')
    expect(install('b6001').disabled).toBe(true)
    expect(install('b6001').textContent?.trim()).toBe('Installed')
    await choose(variant('b6001'), 'cpu')
    expect(install('b6001').disabled).toBe(false)

    // b6002 CPU is on its way.
    await choose(variant('b6002'), 'cpu')
    expect(install('b6002').disabled).toBe(true)
    expect(install('b6002').textContent?.trim()).toBe('Installing')
    await choose(variant('b6002'), 'vulkan')
    await click(install('b6002'))
    await vi.waitFor(() => expect(fake.api.installEngineRuntime).toHaveBeenCalledWith({ version: 'b6002', variant: 'vulkan' }))
  })

  it('lists at most the newest ten releases, and says why listing failed', async () => {
    fake.api.listEngineReleases.mockRejectedValueOnce(
      new ApiError('engine_releases_unreachable', 'offline', 503, { url: 'https://api.github.com/x', detail: 'timed out' }),
    )
    const { q, all, click } = await mountPage()
    await click(q('engines-load-releases'))
    await vi.waitFor(() => expect(q('engines-releases-error')?.textContent).toContain('The releases could not be listed.'))
    expect(q('engines-releases-error')?.textContent).toContain('timed out')
    fake.api.listEngineReleases.mockResolvedValueOnce(releases({ releases: Array.from({ length: 14 }, (_, i) => release(`b${7000 - i}`)) }))
    await click(q('engines-load-releases'))
    await vi.waitFor(() => expect(all('engine-release-row')).toHaveLength(10))
    expect(q('engines-releases-error')).toBeNull()
    expect(all('engine-release-row')[0].dataset.version).toBe('b7000')
  })

  it('pins a llama.cpp model to a runtime, or back to the default', async () => {
    const { all, choose, pinSelect } = await mountPage()
    // llama.cpp models only.
    expect(all('engine-pin').map((s) => s.dataset.model)).toEqual(['m1', 'm2'])
    expect(pinSelect('m1')!.value).toBe('')
    expect(pinSelect('m2')!.value).toBe(CUDA.id)
    // The installed runtimes, after the default.
    expect(Array.from(pinSelect('m1')!.options).map((o) => o.value)).toEqual(['', CPU.id, CUDA.id])
    expect(pinSelect('m1')!.options[0].textContent).toBe('Default runtime')

    await choose(pinSelect('m1'), CPU.id)
    await vi.waitFor(() => expect(fake.api.pinEngineRuntime).toHaveBeenCalledWith({ model_id: 'm1', runtime_id: CPU.id }))
    await vi.waitFor(() => expect(pinSelect('m2')!.disabled).toBe(false))
    await choose(pinSelect('m2'), '')
    await vi.waitFor(() => expect(fake.api.pinEngineRuntime).toHaveBeenLastCalledWith({ model_id: 'm2', runtime_id: null }))
  })

  it('puts a refused pin back, saying why', async () => {
    fake.api.pinEngineRuntime.mockRejectedValueOnce(new ApiError('engine_runtime_not_found', 'gone', 404, { id: CPU.id }))
    const { q, choose, pinSelect } = await mountPage()
    await choose(pinSelect('m1'), CPU.id)
    await vi.waitFor(() => expect(q('engines-error', q('engines-pins')!)?.textContent).toContain(`No engine runtime ${CPU.id} is installed`))
    expect(pinSelect('m1')!.value).toBe('')
  })

  it('sets the releases source: a mirror, or GitHub again when empty', async () => {
    const { q, click, type } = await mountPage()
    const url = q<HTMLInputElement>('engines-source-url')!
    expect(url.value).toBe('')
    expect(url.placeholder).toBe('https://api.github.com/repos/ggml-org/llama.cpp/releases?per_page=30')
    expect(q('engines-source')?.textContent).toContain('same JSON as GitHub’s release list')

    await type(url, '  https://mirror.example/releases  ')
    fake.api.setEngineReleasesSource.mockResolvedValueOnce({ ...stored, releases_url: 'https://mirror.example/releases', releases_url_is_default: false })
    await click(q('engines-source-save'))
    await vi.waitFor(() => expect(fake.api.setEngineReleasesSource).toHaveBeenCalledWith({ url: 'https://mirror.example/releases' }))
    await vi.waitFor(() => expect(q('engines-source-saved')).not.toBeNull())
    expect(url.value).toBe('https://mirror.example/releases')

    await type(url, '   ')
    await click(q('engines-source-save'))
    await vi.waitFor(() => expect(fake.api.setEngineReleasesSource).toHaveBeenLastCalledWith({ url: null }))
  })

  it('shows a mirror set before', async () => {
    stored = { ...stored, releases_url: 'https://mirror.example/llama', releases_url_is_default: false }
    const { q } = await mountPage()
    expect(q<HTMLInputElement>('engines-source-url')!.value).toBe('https://mirror.example/llama')
  })

  it('lets a login without admin look but not change anything', async () => {
    const { q, inRow } = await mountPage({ scope: 'operate', via: 'api_key', key_id: 'k', key_name: 'phone' })
    expect(inRow(CUDA.id, 'engine-make-default')?.hasAttribute('disabled')).toBe(true)
    expect(inRow(CUDA.id, 'engine-remove')?.title).toBe('Needs the admin scope')
    expect(q<HTMLButtonElement>('engines-rollback')!.disabled).toBe(true)
    expect(q<HTMLSelectElement>('engine-pin')!.disabled).toBe(true)
    expect(q<HTMLButtonElement>('engines-source-save')!.disabled).toBe(true)
    // Listing releases needs operate only.
    expect(q<HTMLButtonElement>('engines-load-releases')!.disabled).toBe(false)
  })

  it('says when the runtimes could not be loaded, with a retry', async () => {
    fake.api.listEngineRuntimes.mockRejectedValueOnce(new ApiError('store_query_failed', 'disk', 500, { detail: 'disk' }))
    const pinia = createPinia()
    const page = await mountApp({ path: '/engines', pinia, routes: [{ path: '/engines', name: 'engines', component: EnginesPage }, { path: '/hub', name: 'hub', component: stub }] })
    await vi.waitFor(() => expect(page.q('engines-load-error')).not.toBeNull())
    expect(page.q('engines-hardware')).toBeNull()
    await page.click(page.q('engines-load-error')!.querySelector('button'))
    await vi.waitFor(() => expect(page.q('engines-hardware')).not.toBeNull())
  })

  it('speaks Chinese', async () => {
    setLocale('zh')
    const { q, inRow } = await mountPage()
    expect(q('engines-page')?.querySelector('h1')?.textContent).toBe('引擎')
    expect(inRow(CPU.id, 'engine-runtime-state')?.textContent).toBe('已安装')
    expect(q('engines-fallback')?.textContent).toContain('从源码构建')
  })
})
