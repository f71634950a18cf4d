// @vitest-environment jsdom
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { InstanceState } from '../../generated/InstanceState'
import type { Model } from '../../generated/Model'
import { gpuAssignment, qwenInstance, qwenModel } from './model.fixtures'

const fake = vi.hoisted(() => ({ api: {} as Record<string, ReturnType<typeof import('vitest').vi.fn>> }))
vi.mock('../../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../api')>()
  return { ...actual, getApi: () => fake.api }
})

import { setLocale } from '../../composables/useI18n'
import { useAccessStore } from '../../stores/access'
import { useModelsStore } from '../../stores/models'
import ModelRow from './ModelRow.vue'

const model = qwenModel
const instance = (state: InstanceState) => qwenInstance(state)

const cleanups: (() => void)[] = []

function mountRow(shown: Model = model) {
  const host = document.createElement('div')
  document.body.appendChild(host)
  const stub = { render: () => null }
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: stub },
      { path: '/models/:id', name: 'model', component: stub },
    ],
  })
  const app = createApp({ render: () => h('ul', [h(ModelRow, { model: shown })]) })
  app.use(router)
  app.mount(host)
  cleanups.push(() => {
    app.unmount()
    host.remove()
  })
  const q = <T extends HTMLElement = HTMLElement>(testid: string) => host.querySelector<T>(`[data-testid="${testid}"]`)
  const click = async (testid: string) => {
    q(testid)!.click()
    await nextTick()
  }
  return { q, click }
}

beforeEach(() => {
  setLocale('en')
  const pinia = createPinia()
  setActivePinia(pinia)
  useAccessStore().caller = { scope: 'admin', via: 'local', key_id: null, key_name: null }
  useModelsStore().models = [model]
  fake.api = {
    removeModel: vi.fn(async () => {}),
    stopModel: vi.fn(),
    stopInstance: vi.fn(),
  }
})
afterEach(() => cleanups.splice(0).forEach((c) => c()))

describe('ModelRow: removing', () => {
  it('asks plainly when nothing runs, and removes with one call', async () => {
    useModelsStore().instances = [instance({ kind: 'stopped' })]
    const { q, click } = mountRow()
    await click('remove-model')
    expect(q('confirm-remove-question')?.textContent?.trim()).toBe('Remove “Qwen”?')
    expect(q('confirm-remove')?.textContent?.trim()).toBe('Yes, remove')
    setLocale('zh')
    await nextTick()
    expect(q('confirm-remove-question')?.textContent?.trim()).toBe('移除“Qwen”？')
    expect(q('confirm-remove')?.textContent?.trim()).toBe('确认移除')
    await click('confirm-remove')
    await vi.waitFor(() => expect(useModelsStore().models).toEqual([]))
    expect(fake.api.removeModel).toHaveBeenCalledWith('m1')
  })

  it('says that a live instance is stopped first; the server does both in the one remove', async () => {
    const store = useModelsStore()
    store.instances = [instance({ kind: 'running' })]
    const { q, click } = mountRow()
    await click('remove-model')
    expect(q('confirm-remove-question')?.textContent?.trim()).toBe('Stop “Qwen” and remove it?')
    expect(q('confirm-remove')?.textContent?.trim()).toBe('Stop and remove')
    setLocale('zh')
    await nextTick()
    expect(q('confirm-remove-question')?.textContent?.trim()).toBe('停止“Qwen”并将其移除？')
    expect(q('confirm-remove')?.textContent?.trim()).toBe('停止并移除')
    await click('confirm-remove')
    await vi.waitFor(() => expect(store.models).toEqual([]))
    expect(fake.api.removeModel).toHaveBeenCalledTimes(1)
    expect(fake.api.stopModel).not.toHaveBeenCalled()
    expect(fake.api.stopInstance).not.toHaveBeenCalled()
  })

  it('counts pending, starting, running and stopping as live, but not stopped or failed, or no instance', async () => {
    const store = useModelsStore()
    const { q, click } = mountRow()
    await click('remove-model')
    const question = () => q('confirm-remove-question')?.textContent?.trim()
    expect(question()).toBe('Remove “Qwen”?')
    const cases: [InstanceState, string][] = [
      [{ kind: 'pending' }, 'Stop “Qwen” and remove it?'],
      [{ kind: 'starting' }, 'Stop “Qwen” and remove it?'],
      [{ kind: 'running' }, 'Stop “Qwen” and remove it?'],
      [{ kind: 'stopping' }, 'Stop “Qwen” and remove it?'],
      [{ kind: 'stopped' }, 'Remove “Qwen”?'],
      [{ kind: 'failed', reason: 'exit 1' }, 'Remove “Qwen”?'],
    ]
    for (const [state, text] of cases) {
      store.instances = [instance(state)]
      await nextTick()
      expect([state.kind, question()]).toEqual([state.kind, text])
    }
  })
})

describe('ModelRow: a file that went away', () => {
  it('warns on the row, in the user\'s language, with what to do', async () => {
    const { q } = mountRow({ ...model, path: '/gone/qwen.gguf', file_missing: true })
    expect(q('model-file-missing')?.textContent?.trim()).toBe('file missing')
    expect(q('model-file-missing-hint')?.textContent).toContain('Nothing is at /gone/qwen.gguf.')
    setLocale('zh')
    await nextTick()
    expect(q('model-file-missing')?.textContent?.trim()).toBe('文件缺失')
  })

  it('says nothing when the file is there', () => {
    const { q } = mountRow()
    expect(q('model-file-missing')).toBeNull()
    expect(q('model-file-missing-hint')).toBeNull()
  })
})

describe('ModelRow: where it runs', () => {
  const GiB = 1024 ** 3
  const onGpu3 = gpuAssignment([3], {
    code: 'placement_fits_one',
    message: 'GPU 3 has the most free memory (79.0 GiB); the model needs about 30.0 GiB',
    params: { device: '3', free: String(79 * GiB), need: String(30 * GiB) },
  })

  it('shows the GPU a live instance was given, with why', async () => {
    useModelsStore().instances = [{ ...instance({ kind: 'running' }), gpus: onGpu3 }]
    const { q } = mountRow()
    const why = 'GPU 3 has the most free memory (79.0 GiB); the model needs about 30.0 GiB'
    expect(q('instance-gpus')?.textContent?.trim()).toBe('GPU 3')
    expect(q('instance-gpus')?.getAttribute('title')).toBe(why)
    expect(q('instance-gpus-reason')?.textContent?.trim()).toBe(why)
    setLocale('zh')
    await nextTick()
    expect(q('instance-gpus-reason')?.textContent?.trim()).toBe('GPU 3 的可用显存最多（79.0 GiB）；模型约需 30.0 GiB')
  })

  it('says all GPUs, or the CPU, and nothing once the instance has stopped or its placement is unknown', async () => {
    const store = useModelsStore()
    store.instances = [{ ...instance({ kind: 'starting' }), gpus: gpuAssignment(null, { code: 'placement_all', message: 'All GPUs: the engine decides' }) }]
    const { q } = mountRow()
    expect(q('instance-gpus')?.textContent?.trim()).toBe('all GPUs')
    store.instances = [{ ...instance({ kind: 'running' }), gpus: gpuAssignment([], { code: 'placement_no_gpu', message: 'No GPU detected: it runs on the CPU' }) }]
    await nextTick()
    expect(q('instance-gpus')?.textContent?.trim()).toBe('CPU (no GPU)')
    store.instances = [{ ...instance({ kind: 'stopped' }), gpus: onGpu3 }]
    await nextTick()
    expect(q('instance-gpus')).toBeNull()
    expect(q('instance-gpus-reason')).toBeNull()
    store.instances = [instance({ kind: 'running' })]
    await nextTick()
    expect(q('instance-gpus')).toBeNull()
  })
})
