// @vitest-environment jsdom
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { InstanceInfo } from '../../generated/InstanceInfo'
import type { InstanceState } from '../../generated/InstanceState'
import type { Model } from '../../generated/Model'

const fake = vi.hoisted(() => ({ api: {} as Record<string, ReturnType<typeof import('vitest').vi.fn>> }))
vi.mock('../../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../api')>()
  return { ...actual, getApi: () => fake.api }
})

import { setLocale } from '../../composables/useI18n'
import { useModelsStore } from '../../stores/models'
import ModelControls from './ModelControls.vue'

const model: Model = {
  id: 'm1', name: 'Qwen', engine: 'llama_cpp', path: '/m.gguf', context_size: 4096, extra_args: [], restart_policy: { kind: 'never' },
  port: null, settings: { engine: 'llama_cpp' }, secret_env: [], starter: false, created_at: 1, file_missing: false,
}

function instance(state: InstanceState): InstanceInfo {
  return {
    id: 'i1', model_id: 'm1', model_name: 'Qwen', served_model: 'qwen-served', engine: 'llama_cpp', port: 41000, pid: 42, state,
    base_url: 'http://127.0.0.1:41000/v1', binary: '/bin/llama-server', binary_source: 'cache', binary_version: null, started_at: 1, updated_at: 1,
  }
}

const cleanups: (() => void)[] = []

function mountControls() {
  const host = document.createElement('div')
  document.body.appendChild(host)
  const stub = { render: () => null }
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: stub }] })
  const app = createApp({ render: () => h(ModelControls, { model }) })
  app.use(router)
  app.mount(host)
  cleanups.push(() => {
    app.unmount()
    host.remove()
  })
  return { served: () => host.querySelector<HTMLElement>('[data-testid="instance-served-model"]') }
}

beforeEach(() => {
  setActivePinia(createPinia())
  setLocale('en')
  fake.api = {}
})
afterEach(() => cleanups.splice(0).forEach((c) => c()))

describe('ModelControls', () => {
  it('advertises the OpenAI endpoint only while the model is running', async () => {
    const store = useModelsStore()
    store.instances = [instance({ kind: 'starting' })]
    const { served } = mountControls()
    expect(served()).toBeNull()
    store.upsertInstance(instance({ kind: 'running' }))
    await nextTick()
    expect(served()?.textContent).toContain('OpenAI model name: qwen-served · http://127.0.0.1:41000/v1')
    store.upsertInstance({ ...instance({ kind: 'stopped' }), updated_at: 2 })
    await nextTick()
    expect(served()).toBeNull()
  })
})
