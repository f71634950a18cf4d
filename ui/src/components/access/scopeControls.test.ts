// @vitest-environment jsdom
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick, type Component } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { Caller } from '../../generated/Caller'
import type { Model } from '../../generated/Model'

const fake = vi.hoisted(() => {
  return { api: {} as Record<string, ReturnType<typeof import('vitest').vi.fn>> }
})
vi.mock('../../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../api')>()
  return { ...actual, getApi: () => fake.api }
})

import { setLocale } from '../../composables/useI18n'
import DashboardPage from '../../pages/DashboardPage.vue'
import { useAccessStore } from '../../stores/access'
import { useModelsStore } from '../../stores/models'
import { overview } from '../../lib/engines/engines.fixtures'
import { gatewayStatus } from '../../lib/gateway/gateway.fixtures'
import { useGatewayStore } from '../../stores/gateway'
import AlertRulesForm from '../alerts/AlertRulesForm.vue'
import AppHeader from '../common/AppHeader.vue'
import ChatComposer from '../chat/ChatComposer.vue'
import EndpointsDialog from '../chat/EndpointsDialog.vue'
import GatewayModelSection from '../gateway/GatewayModelSection.vue'
import ModelList from '../models/ModelList.vue'

const READ: Caller = { scope: 'read', via: 'session', key_id: 'k1', key_name: 'phone' }
const OPERATE: Caller = { scope: 'operate', via: 'api_key', key_id: 'k2', key_name: 'script' }
const ADMIN: Caller = { scope: 'admin', via: 'local', key_id: null, key_name: null }
const TOKEN_ADMIN: Caller = { scope: 'admin', via: 'session', key_id: null, key_name: null }

const model: Model = {
  id: 'm1', name: 'Smol', engine: 'llama_cpp', path: '/models/smol.gguf', context_size: 2048, extra_args: [], restart_policy: { kind: 'never' },
  port: null, settings: { engine: 'llama_cpp' }, secret_env: [], gpus: { mode: 'all' }, starter: false, created_at: 1, file_missing: false,
}

let pinia: Pinia
const cleanups: (() => void)[] = []

function mount(component: Component, caller: Caller | null, props: Record<string, unknown> = {}) {
  useAccessStore().caller = caller
  const host = document.createElement('div')
  document.body.appendChild(host)
  const stub = { render: () => null }
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: stub },
      { path: '/chat/:id?', name: 'chat', component: stub },
      { path: '/deploy', name: 'deploy', component: stub },
      { path: '/requests', name: 'requests', component: stub },
      { path: '/benchmarks/:id?', name: 'benchmarks', component: stub },
      { path: '/runs/:id?', name: 'runs', component: stub },
      { path: '/sweeps/:id?', name: 'sweeps', component: stub },
      { path: '/history', component: stub },
      { path: '/alerts', component: stub },
      { path: '/access', name: 'access', component: stub },
      { path: '/models/:id', name: 'model', component: stub },
    ],
  })
  const app = createApp({ render: () => h(component, props) })
  app.use(pinia).use(router)
  app.mount(host)
  cleanups.push(() => {
    app.unmount()
    host.remove()
  })
  const q = <T extends HTMLElement = HTMLElement>(testid: string) => host.querySelector<T>(`[data-testid="${testid}"]`)
  return { host, q }
}

beforeEach(() => {
  setLocale('en')
  pinia = createPinia()
  setActivePinia(pinia)
  fake.api = {
    onConnectionChange: vi.fn(() => () => {}),
    getAlertRules: vi.fn(async () => ({
      gpu_temperature_celsius: { enabled: true, raise_at: 85, clear_at: 80 },
      gpu_memory_percent: { enabled: true, raise_at: 95, clear_at: 90 },
      host_memory_percent: { enabled: true, raise_at: 90, clear_at: 85 },
      disk_free_percent: { enabled: true, raise_at: 10, clear_at: 15 },
      instance_failed: true,
    })),
    listChatEndpoints: vi.fn(async () => [{ id: 'e1', name: 'Ollama', base_url: 'http://127.0.0.1:11434/v1', has_api_key: false, created_at: 1 }]),
    chatEndpointModels: vi.fn(async () => []),
    listEngineRuntimes: vi.fn(async () => overview()),
  }
})
afterEach(() => cleanups.splice(0).forEach((c) => c()))

describe('the header', () => {
  it('links Access for admins only, and Deploy for admins (or while the caller is unknown)', async () => {
    const unknown = mount(AppHeader, null)
    expect(unknown.q('nav-deploy')).not.toBeNull()
    expect(unknown.q('nav-access')).toBeNull()
    const admin = mount(AppHeader, ADMIN)
    expect(admin.q('nav-access')?.textContent?.trim()).toBe('Access')
    expect(admin.q('nav-deploy')).not.toBeNull()
    useAccessStore().caller = OPERATE
    await nextTick()
    expect(admin.q('nav-access')).toBeNull()
    expect(admin.q('nav-deploy')).toBeNull()
  })

  it('shows a logged-in browser its key and scope, linking to Access; this machine sees nothing', async () => {
    const { q } = mount(AppHeader, READ)
    const chip = q<HTMLAnchorElement>('caller-chip')!
    expect(chip.textContent).toBe('phone · read')
    expect(chip.getAttribute('href')).toBe('/access')
    expect(chip.title).toBe('Signed in with key “phone” (read)')
    useAccessStore().caller = TOKEN_ADMIN
    await nextTick()
    expect(q('caller-chip')?.textContent).toBe('server token · admin')
    useAccessStore().caller = ADMIN
    await nextTick()
    expect(q('caller-chip')).toBeNull()
  })
})

describe('model controls', () => {
  function withModel() {
    const models = useModelsStore()
    models.models = [model]
    models.loaded = true
  }

  it('turns Start off for a read-only login, says why, and offers no Remove', () => {
    withModel()
    const { q } = mount(ModelList, READ)
    const start = q<HTMLButtonElement>('start-model')!
    expect(start.disabled).toBe(true)
    expect(start.title).toBe('Needs the operate scope')
    expect(q<HTMLButtonElement>('stop-model')!.title).toBe('Needs the operate scope')
    expect(q('remove-model')).toBeNull()
    expect(q('models-read-only')?.textContent).toContain('read scope')
  })

  it('lets operate start models but not remove them; admins get both', async () => {
    withModel()
    const { q } = mount(ModelList, OPERATE)
    expect(q<HTMLButtonElement>('start-model')!.disabled).toBe(false)
    expect(q('start-model')!.title).toBe('')
    expect(q('remove-model')).toBeNull()
    expect(q('models-read-only')).toBeNull()
    useAccessStore().caller = ADMIN
    await nextTick()
    expect(q('remove-model')).not.toBeNull()
  })

  it('shows the add form on the dashboard to admins only', async () => {
    const { q } = mount(DashboardPage, OPERATE)
    expect(q('add-model-submit')).toBeNull()
    useAccessStore().caller = ADMIN
    await nextTick()
    expect(q('add-model-submit')).not.toBeNull()
  })
})

describe('chat composer', () => {
  it('does not let a read-only login send, and says why', async () => {
    const submit = vi.fn(async () => true)
    const { q } = mount(ChatComposer, READ, { submit })
    const input = q<HTMLTextAreaElement>('chat-input')!
    expect(input.disabled).toBe(true)
    expect(q<HTMLButtonElement>('chat-send')!.disabled).toBe(true)
    expect(q('chat-send')!.title).toBe('Needs the operate scope')
    expect(q('chat-needs-scope')?.textContent).toBe('Sending messages needs the operate scope.')
    input.value = 'hi'
    input.dispatchEvent(new Event('input'))
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }))
    await nextTick()
    expect(submit).not.toHaveBeenCalled()
    useAccessStore().caller = OPERATE
    await nextTick()
    expect(input.disabled).toBe(false)
    expect(q('chat-needs-scope')).toBeNull()
  })
})

describe('settings an operate login cannot change', () => {
  it('keeps the alert rules read-only, with a note', async () => {
    const { q } = mount(AlertRulesForm, OPERATE)
    await vi.waitFor(() => expect(q('alert-rules-form')).not.toBeNull())
    expect(q('rules-needs-scope')?.textContent).toBe('Changing the alert rules needs the admin scope.')
    expect(q<HTMLButtonElement>('rules-save')!.disabled).toBe(true)
    // Inside a disabled fieldset.
    expect(q('rule-instance_failed-enabled')!.matches(':disabled')).toBe(true)
  })

  it('shows a model’s gateway settings read-only, with a note, until the caller is an admin', async () => {
    useGatewayStore().status = gatewayStatus()
    const { q } = mount(GatewayModelSection, OPERATE, { modelId: 'm1' })
    expect(q('gateway-model-name')?.textContent).toBe('qwen')
    expect(q('gateway-needs-admin')?.textContent).toBe('Changing the gateway settings needs the admin scope.')
    expect(q<HTMLButtonElement>('gateway-save')!.disabled).toBe(true)
    // Inside a disabled fieldset.
    expect(q('gateway-idle')!.matches(':disabled')).toBe(true)
    expect(q('gateway-log-bodies')!.matches(':disabled')).toBe(true)
    useAccessStore().caller = ADMIN
    await nextTick()
    expect(q('gateway-needs-admin')).toBeNull()
    expect(q('gateway-idle')!.matches(':disabled')).toBe(false)
  })

  it('lists the chat endpoints without add or remove', async () => {
    const { q } = mount(EndpointsDialog, OPERATE)
    await vi.waitFor(() => expect(q('endpoint-item')).not.toBeNull())
    expect(q('endpoint-remove')).toBeNull()
    expect(q('endpoint-add')).toBeNull()
    expect(q('endpoints-needs-scope')?.textContent).toBe('Adding and removing endpoints needs the admin scope.')
    useAccessStore().caller = ADMIN
    await nextTick()
    expect(q('endpoint-remove')).not.toBeNull()
    expect(q('endpoint-add')).not.toBeNull()
  })
})
