// @vitest-environment jsdom
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { InstanceState } from '../../generated/InstanceState'
import { gpuAssignment, qwenInstance, qwenModel } from './model.fixtures'

const fake = vi.hoisted(() => ({ api: {} as Record<string, ReturnType<typeof import('vitest').vi.fn>> }))
vi.mock('../../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../api')>()
  return { ...actual, getApi: () => fake.api }
})

import { setLocale } from '../../composables/useI18n'
import { useModelsStore } from '../../stores/models'
import ModelControls from './ModelControls.vue'

const model = qwenModel
const instance = (state: InstanceState) => qwenInstance(state, 'qwen-served')

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
  const q = (testid: string) => host.querySelector<HTMLElement>(`[data-testid="${testid}"]`)
  return { q, served: () => q('instance-served-model') }
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

  it('says where the live instance runs and why', async () => {
    const reason = { code: 'placement_devices', message: 'GPUs 1,4 as chosen in the model’s settings', params: { devices: '1,4' } }
    useModelsStore().instances = [{ ...instance({ kind: 'running' }), gpus: gpuAssignment([1, 4], reason) }]
    const { q } = mountControls()
    expect(q('instance-gpus')?.textContent?.trim()).toBe('GPUs 1, 4')
    expect(q('instance-gpus-reason')?.textContent?.trim()).toBe('GPU placement: GPUs 1,4 as chosen in the model’s settings')
  })
})
