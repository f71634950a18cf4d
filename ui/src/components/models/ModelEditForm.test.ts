// @vitest-environment jsdom
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick } from 'vue'
import { createMemoryHistory, createRouter, RouterView, type Router } from 'vue-router'
import type { Model } from '../../generated/Model'
import type { NewModel } from '../../generated/NewModel'
import { qwenInstance } from './model.fixtures'

const fake = vi.hoisted(() => ({ api: {} as Record<string, ReturnType<typeof import('vitest').vi.fn>> }))
vi.mock('../../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../api')>()
  return { ...actual, getApi: () => fake.api }
})

import { ApiError } from '../../api'
import { setLocale } from '../../composables/useI18n'
import ModelDetailPage from '../../pages/ModelDetailPage.vue'
import { useAccessStore } from '../../stores/access'
import { useModelsStore } from '../../stores/models'
import { useSystemStore } from '../../stores/system'
import { gpuSnapshot, gpuStats } from '../../testing/snapshots'
import ModelRow from './ModelRow.vue'

/** A llama.cpp model with every kind of setting the edit form shows, and two secret entries. */
const model: Model = {
  id: 'm1', name: 'Qwen', engine: 'llama_cpp', path: '/models/qwen.gguf', context_size: 8192, extra_args: ['--temp', '0.7'],
  restart_policy: { kind: 'on_failure', max_retries: 3 }, port: 9000,
  settings: { engine: 'llama_cpp', gpu_layers: 20, threads: 8 },
  secret_env: ['HF_TOKEN', 'WANDB_API_KEY'], gpus: { mode: 'all' }, starter: false, created_at: 1, file_missing: false,
}

/** What the server answers to an edit: the model as sent, keeping its id and secret names. */
function edited(request: NewModel, appliesAtNextStart = false) {
  const secret = request.secret_env ? Object.keys(request.secret_env) : model.secret_env
  return {
    model: {
      ...model, name: request.name, path: request.path, context_size: request.context_size ?? 4096, port: request.port ?? null,
      extra_args: request.extra_args ?? [], restart_policy: request.restart_policy ?? { kind: 'never' }, settings: request.settings ?? model.settings,
      secret_env: secret, gpus: request.gpus ?? { mode: 'all' },
    },
    applies_at_next_start: appliesAtNextStart,
  }
}

const cleanups: (() => void)[] = []

async function mountAt(path: string, component = ModelDetailPage, shown: Model = model) {
  const host = document.createElement('div')
  document.body.appendChild(host)
  const router: Router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', name: 'dashboard', component: { render: () => h('ul', [h(ModelRow, { model: shown })]) } },
      { path: '/models/:id', name: 'model', component, props: true },
      // The detail page links to the model's runs and sweeps.
      { path: '/runs/:id?', name: 'runs', component: { render: () => null } },
      { path: '/sweeps/:id?', name: 'sweeps', component: { render: () => null } },
    ],
  })
  await router.push(path)
  const app = createApp({ render: () => h(RouterView) })
  app.use(router)
  app.mount(host)
  cleanups.push(() => {
    app.unmount()
    host.remove()
  })
  await nextTick()
  const q = <T extends HTMLElement = HTMLElement>(testid: string) => host.querySelector<T>(`[data-testid="${testid}"]`)
  const all = (testid: string) => Array.from(host.querySelectorAll<HTMLElement>(`[data-testid="${testid}"]`))
  const type = async (testid: string, value: string, index = 0) => {
    const el = all(testid)[index] as HTMLInputElement
    el.value = value
    el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input'))
    await nextTick()
  }
  const click = async (testid: string, index = 0) => {
    all(testid)[index].click()
    await nextTick()
  }
  const value = (testid: string) => q<HTMLInputElement>(testid)!.value
  const fieldErrors = () => Object.fromEntries(all('deploy-field-error').map((e) => [e.dataset.field, e.textContent?.trim()]))
  return { host, router, q, all, type, click, value, fieldErrors }
}

beforeEach(() => {
  setLocale('en')
  setActivePinia(createPinia())
  useAccessStore().caller = { scope: 'admin', via: 'local', key_id: null, key_name: null }
  const store = useModelsStore()
  store.models = [model]
  store.loaded = true
  fake.api = {
    modelDetail: vi.fn(async () => ({ model, history: [] })),
    onEvent: vi.fn(() => () => {}),
    updateModel: vi.fn(async (_id: string, request: NewModel) => edited(request)),
    stopModel: vi.fn(),
    startModel: vi.fn(),
    removeModel: vi.fn(),
  }
  Element.prototype.scrollIntoView = vi.fn()
})
afterEach(() => cleanups.splice(0).forEach((c) => c()))

describe('editing a model', () => {
  it('opens from the detail page’s Edit, pre-filled from the model, and Cancel closes it', async () => {
    const { q, all, router, click, value } = await mountAt('/models/m1')
    expect(q('model-edit')).toBeNull()
    expect(q('model-settings')).not.toBeNull()
    await click('edit-model')
    await vi.waitFor(() => expect(q('model-edit')).not.toBeNull())
    expect(router.currentRoute.value.query).toEqual({ edit: 'settings' })
    expect(q('edit-model')).toBeNull()
    expect(q('model-settings')).toBeNull()
    expect(q('model-edit-engine')!.textContent).toContain('llama.cpp')
    expect(value('deploy-name')).toBe('Qwen')
    expect(value('deploy-model')).toBe('/models/qwen.gguf')
    expect(value('deploy-context')).toBe('8192')
    expect(value('deploy-port')).toBe('9000')
    expect(value('deploy-restart')).toBe('on_failure')
    expect(value('deploy-retries')).toBe('3')
    expect(value('deploy-extra-args')).toBe('--temp\n0.7')
    expect(value('setting-gpu_layers')).toBe('20')
    expect(value('setting-threads')).toBe('8')
    expect(value('setting-batch_size')).toBe('')
    // Secret values never reach the UI: the names show, masked.
    expect(all('secret-env-stored').map((e) => e.querySelector('.mono')?.textContent)).toEqual(['HF_TOKEN=••••••••', 'WANDB_API_KEY=••••••••'])
    expect(all('secret-env-remove').map((e) => e.getAttribute('aria-label'))).toEqual(['Remove HF_TOKEN', 'Remove WANDB_API_KEY'])
    expect(document.activeElement).toBe(q('deploy-name'))
    await click('model-edit-close')
    await vi.waitFor(() => expect(q('model-edit')).toBeNull())
    expect(router.currentRoute.value.fullPath).toBe('/models/m1')
    expect(fake.api.updateModel).not.toHaveBeenCalled()
  })

  it('shows each problem next to its field and sends nothing', async () => {
    const { q, type, click, fieldErrors } = await mountAt('/models/m1?edit=settings')
    await type('deploy-name', ' ')
    await type('deploy-context', '100')
    await type('deploy-port', '80')
    await type('setting-threads', 'many')
    await click('secret-env-add')
    await type('secret-env-name', '1BAD')
    await type('secret-env-value', 'x')
    await click('model-edit-save')
    expect(fieldErrors()).toEqual({
      name: 'Give the model a name.',
      context: 'A whole number from 256 to 1048576, or empty.',
      port: 'A whole number from 1024 to 65535, or empty for automatic.',
      llama: 'Threads must be a whole number from 1 to 1024.',
      secretEnv: '“1BAD”: use letters, digits and _ only, not starting with a digit.',
    })
    expect(q('deploy-name')!.getAttribute('aria-invalid')).toBe('true')
    expect(q('secret-env-name')!.getAttribute('aria-invalid')).toBe('true')
    expect(q('model-edit-fix-errors')).not.toBeNull()
    expect(q('model-edit-saved')).toBeNull()
    expect(fake.api.updateModel).not.toHaveBeenCalled()
    // The first highlighted field gets the focus.
    expect(document.activeElement).toBe(q('deploy-name'))
  })

  it('shows the server’s refusal next to the field it is about, in the UI’s language', async () => {
    fake.api.updateModel.mockRejectedValue(
      new ApiError('model_path_duplicate', 'The model "Other" already uses /models/other.gguf', 409, { name: 'Other', path: '/models/other.gguf' }),
    )
    const { q, type, click, fieldErrors } = await mountAt('/models/m1?edit=settings')
    await type('deploy-model', '/models/other.gguf')
    await click('model-edit-save')
    await vi.waitFor(() =>
      expect(fieldErrors()).toEqual({ model: 'The model “Other” already uses /models/other.gguf; edit that model instead, or choose another file.' }),
    )
    setLocale('zh')
    await nextTick()
    expect(fieldErrors()).toEqual({ model: '模型“Other”已在使用 /models/other.gguf；请改为编辑该模型，或选择其他文件。' })
    setLocale('en')
    expect(q('deploy-model')!.getAttribute('aria-invalid')).toBe('true')
    expect(q('model-edit-saved')).toBeNull()
    // A refusal about no one field is shown under the form.
    fake.api.updateModel.mockRejectedValue(new ApiError('model_settings_invalid', 'invalid engine settings: bad'))
    await click('model-edit-save')
    await vi.waitFor(() => expect(q('model-edit-error')?.textContent).toContain('Could not save: invalid engine settings: bad'))
    expect(fieldErrors()).toEqual({})
  })

  it('sends the edited settings and leaves the secret entries out when they did not change', async () => {
    const { q, type, click } = await mountAt('/models/m1?edit=settings')
    await type('deploy-name', 'Qwen 2')
    await type('deploy-context', '16384')
    await type('deploy-port', '')
    await type('setting-gpu_layers', '-1')
    await type('setting-threads', '')
    await type('deploy-restart', 'never')
    await click('model-edit-save')
    await vi.waitFor(() => expect(q('model-edit-saved')?.textContent).toContain('Saved.'))
    expect(fake.api.updateModel).toHaveBeenCalledWith('m1', {
      name: 'Qwen 2', path: '/models/qwen.gguf', engine: 'llama_cpp', context_size: 16384, extra_args: ['--temp', '0.7'],
      settings: { engine: 'llama_cpp', gpu_layers: -1 },
    })
    // Not running: nothing waits for a restart.
    expect(q('model-edit-next-start')).toBeNull()
    expect(useModelsStore().models[0]).toMatchObject({ id: 'm1', name: 'Qwen 2', context_size: 16384, port: null })
    expect(q('model-edit-close')!.textContent?.trim()).toBe('Done')
  })

  it('starts from the model’s GPUs and sends the ones ticked', async () => {
    const onGpu1: Model = { ...model, gpus: { mode: 'devices', devices: [1] } }
    useModelsStore().models = [onGpu1]
    fake.api.modelDetail = vi.fn(async () => ({ model: onGpu1, history: [] }))
    useSystemStore().apply(gpuSnapshot([gpuStats(0), gpuStats(1)]))
    const { q, click, value } = await mountAt('/models/m1?edit=settings')
    await vi.waitFor(() => expect(q('model-edit')).not.toBeNull())
    expect(value('model-gpus-mode')).toBe('devices')
    expect(q<HTMLInputElement>('model-gpus-device-0')!.checked).toBe(false)
    expect(q<HTMLInputElement>('model-gpus-device-1')!.checked).toBe(true)
    await click('model-gpus-device-0')
    await click('model-edit-save')
    await vi.waitFor(() => expect(fake.api.updateModel).toHaveBeenCalledTimes(1))
    expect(fake.api.updateModel.mock.calls[0][1].gpus).toEqual({ mode: 'devices', devices: [0, 1] })
  })

  it('sends the whole new set of secret entries: kept ones empty, new ones with their value', async () => {
    const { q, all, type, click } = await mountAt('/models/m1?edit=settings')
    await click('secret-env-remove', 1)
    expect(all('secret-env-stored')[1].dataset.removed).toBe('true')
    expect(all('secret-env-stored')[1].textContent).toContain('removed when you save')
    await click('secret-env-add')
    await type('secret-env-name', 'OPENAI_API_KEY')
    await type('secret-env-value', 'sk-123')
    expect(q<HTMLInputElement>('secret-env-value')!.type).toBe('password')
    await click('secret-env-add')
    await type('secret-env-name', 'HF_TOKEN', 1)
    expect(q('secret-env-replaces')?.textContent).toBe('Replaces the stored value of HF_TOKEN.')
    await type('secret-env-value', 'hf_new', 1)
    await click('model-edit-save')
    await vi.waitFor(() => expect(fake.api.updateModel).toHaveBeenCalledTimes(1))
    expect(fake.api.updateModel.mock.calls[0][1].secret_env).toEqual({ HF_TOKEN: 'hf_new', OPENAI_API_KEY: 'sk-123' })
    // Saved: the form starts again from the saved entries.
    await vi.waitFor(() => expect(all('secret-env-stored').map((e) => e.dataset.name)).toEqual(['HF_TOKEN', 'OPENAI_API_KEY']))
    expect(all('secret-env-new')).toHaveLength(0)
    // Removing one and adding none sends the rest, kept by name.
    await click('secret-env-remove', 1)
    await click('model-edit-save')
    await vi.waitFor(() => expect(fake.api.updateModel).toHaveBeenCalledTimes(2))
    expect(fake.api.updateModel.mock.calls[1][1].secret_env).toEqual({ HF_TOKEN: '' })
  })

  it('says a running model keeps its previous settings until its next start, and restarts it on request', async () => {
    const store = useModelsStore()
    store.instances = [qwenInstance({ kind: 'running' })]
    fake.api.updateModel.mockImplementation(async (_id: string, request: NewModel) => edited(request, true))
    const calls: string[] = []
    fake.api.stopModel.mockImplementation(async () => {
      calls.push('stop')
      return { ...qwenInstance({ kind: 'stopped' }), updated_at: 5 }
    })
    fake.api.startModel.mockImplementation(async () => {
      calls.push('start')
      return { ...qwenInstance({ kind: 'starting' }), id: 'i2', started_at: 10, updated_at: 10 }
    })
    const { q, type, click } = await mountAt('/models/m1?edit=settings')
    await type('setting-threads', '4')
    await click('model-edit-save')
    await vi.waitFor(() => expect(q('model-edit-next-start')).not.toBeNull())
    expect(q('model-edit-saved')!.textContent).toContain('Saved.')
    expect(q('model-edit-next-start')!.textContent).toContain(
      'The model is running with its previous settings; the new ones apply at its next start.',
    )
    setLocale('zh')
    await nextTick()
    expect(q('model-edit-next-start')!.textContent).toContain('模型仍在以之前的设置运行；新设置将在下次启动时生效。')
    setLocale('en')
    await click('model-edit-restart')
    await vi.waitFor(() => expect(calls).toEqual(['stop', 'start']))
    await vi.waitFor(() => expect(q('model-edit-next-start')).toBeNull())
    expect(q('model-edit-applied')!.textContent).toBe('Restarted: the model now runs with the new settings.')
  })
})

describe('the Edit action elsewhere', () => {
  it('is on the dashboard row, and a missing file offers "Edit path", which starts in the path field', async () => {
    const missing = { ...model, file_missing: true }
    useModelsStore().models = [missing]
    const { q, router, click } = await mountAt('/', ModelDetailPage, missing)
    expect(q<HTMLAnchorElement>('edit-model')!.getAttribute('href')).toBe('/models/m1?edit=settings')
    expect(q('model-file-missing-hint')!.textContent).toContain('Put the file back, or edit the model’s path')
    expect(q<HTMLAnchorElement>('model-edit-path')!.getAttribute('href')).toBe('/models/m1?edit=path')
    await click('model-edit-path')
    await vi.waitFor(() => expect(q('model-edit')).not.toBeNull())
    expect(router.currentRoute.value.fullPath).toBe('/models/m1?edit=path')
    await vi.waitFor(() => expect(document.activeElement).toBe(q('deploy-model')))
  })

  it('points a start refused for a missing file at the path, and is not offered without the admin scope', async () => {
    const store = useModelsStore()
    store.errors = { m1: new ApiError('model_file_missing', "the model file /models/qwen.gguf does not exist; check the path in the model's settings") }
    const { q } = await mountAt('/', ModelDetailPage)
    expect(q<HTMLAnchorElement>('model-error-edit')!.getAttribute('href')).toBe('/models/m1?edit=path')
    expect(q('model-error-edit')!.textContent).toBe('Edit path')
    useAccessStore().caller = { scope: 'operate', via: 'api_key', key_id: 'k', key_name: 'phone' }
    await nextTick()
    expect(q('edit-model')).toBeNull()
    expect(q('model-error-edit')).toBeNull()
  })
})
