// @vitest-environment jsdom
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick, type Component } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { InstanceRecord } from '../../generated/InstanceRecord'
import type { InstanceState } from '../../generated/InstanceState'
import { qwenInstance, qwenModel } from './model.fixtures'

const fake = vi.hoisted(() => ({ api: {} as Record<string, ReturnType<typeof import('vitest').vi.fn>> }))
vi.mock('../../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../api')>()
  return { ...actual, getApi: () => fake.api }
})

import { setLocale } from '../../composables/useI18n'
import { useAccessStore } from '../../stores/access'
import { useModelsStore } from '../../stores/models'
import ChatModelStart from '../chat/ChatModelStart.vue'
import InstanceHistory from './InstanceHistory.vue'
import ModelControls from './ModelControls.vue'
import ModelRow from './ModelRow.vue'

const OUTPUT = ['Last output:', "llama_model_load: error loading model: invalid magic characters 'xxxx'", 'main: exiting due to model loading error']
const REASON = [
  'The engine exited with code 1 before becoming ready. The model file could not be loaded: it may be incomplete or not a GGUF file; download it again.',
  ...OUTPUT,
].join('\n')
const FAILED: InstanceState = {
  kind: 'failed',
  reason: REASON,
  summary: { code: 'engine_exited_before_ready', message: 'The engine exited with code 1 before becoming ready', params: { code: '1' } },
  hint: 'hint_model_unloadable',
}
const EN = 'The engine exited with code 1 before becoming ready. The model file could not be loaded: it may be incomplete or not a GGUF file; download it again.'
const ZH = '引擎在就绪前退出，退出码为 1。无法加载模型文件：文件可能不完整或不是 GGUF 文件；请重新下载。'

const cleanups: (() => void)[] = []

function mount(component: Component, props: Record<string, unknown>, wrap?: string) {
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
  const app = createApp({ render: () => (wrap ? h(wrap, [h(component, props)]) : h(component, props)) })
  app.use(router)
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
  setActivePinia(createPinia())
  useAccessStore().caller = { scope: 'admin', via: 'local', key_id: null, key_name: null }
  useModelsStore().models = [qwenModel]
  useModelsStore().instances = [qwenInstance(FAILED)]
  fake.api = {}
})
afterEach(() => cleanups.splice(0).forEach((c) => c()))

describe('a failed instance’s headline', () => {
  it('is said in the UI’s language on the dashboard row, with the engine output folded below as printed', async () => {
    const { q } = mount(ModelRow, { model: qwenModel }, 'ul')
    expect(q('model-error-summary')!.textContent).toBe(EN)
    const output = q('model-error-fold')!.querySelector('pre')!
    expect(output.textContent).toBe(OUTPUT.join('\n'))
    setLocale('zh')
    await nextTick()
    expect(q('model-error-summary')!.textContent).toBe(ZH)
    expect(q('model-error-fold')!.querySelector('summary')!.textContent).toContain('引擎输出（2 行）')
    // The engine's output is never translated.
    expect(output.textContent).toBe(OUTPUT.join('\n'))
  })

  it('is said in the UI’s language in the detail page’s header and in the history block it refers to', async () => {
    const head = mount(ModelControls, { model: qwenModel })
    expect(head.q('model-error-summary')!.textContent).toBe(EN)
    expect(head.q('model-error-see-history')).not.toBeNull()
    const history: InstanceRecord[] = [
      {
        id: 'i1', port: 41000, pid: 42, state: 'failed', reason: REASON, started_at: 1, updated_at: 2,
        transitions: [
          { state: 'starting', reason: null, at: 1 },
          { state: 'failed', reason: REASON, at: 2 },
        ],
      },
      // An older failure: the record has only its English reason.
      { id: 'i0', port: 41000, pid: 40, state: 'failed', reason: 'The engine exited with code 2 before becoming ready.', started_at: 0, updated_at: 0, transitions: [] },
    ]
    const past = mount(InstanceHistory, { history, live: useModelsStore().latestInstance('m1') })
    const summaries = () => [...past.host.querySelectorAll('[data-testid="history-reason-summary"]')].map((e) => e.textContent)
    expect(summaries()).toEqual([EN, 'The engine exited with code 2 before becoming ready.'])
    setLocale('zh')
    await nextTick()
    expect(head.q('model-error-summary')!.textContent).toBe(ZH)
    expect(summaries()).toEqual([ZH, 'The engine exited with code 2 before becoming ready.'])
    expect(past.q('history-reason')!.textContent).toBe(OUTPUT.join('\n'))
  })

  it('is said in the UI’s language for a past run and its timeline from the codes the record keeps', async () => {
    const summary = { code: 'engine_exited_while_running', message: 'The engine exited with code 3 while running', params: { code: '3' } }
    const reason = `The engine exited with code 3 while running.\nLast output:\nbye`
    const history: InstanceRecord[] = [
      {
        id: 'i7', port: 41000, pid: 7, state: 'failed', reason, summary, started_at: 1, updated_at: 2,
        transitions: [{ state: 'failed', reason: 'The engine exited with code 3 while running.', summary, at: 2 }],
      },
    ]
    const past = mount(InstanceHistory, { history, live: null })
    const line = () => past.q('history-reason-summary')!.textContent
    expect(line()).toBe('The engine exited with code 3 while running.')
    setLocale('zh')
    await nextTick()
    expect(line()).not.toMatch(/engine/i)
    expect(line()).toContain('3')
    expect(past.host.querySelector('.timeline-reason, [data-testid="history-transition"]')!.textContent).not.toMatch(/exited/)
  })

  it('is said in the UI’s language where the chat offers to start the model again', async () => {
    const { q } = mount(ChatModelStart, { modelId: 'm1' })
    expect(q('chat-model-start')!.dataset.phase).toBe('failed')
    expect(q('model-error-summary')!.textContent).toBe(EN)
    setLocale('zh')
    await nextTick()
    expect(q('model-error-summary')!.textContent).toBe(ZH)
  })

  it('keeps the English first line where the failure carries no codes', async () => {
    useModelsStore().instances = [qwenInstance({ kind: 'failed', reason: REASON })]
    setLocale('zh')
    const { q } = mount(ModelRow, { model: qwenModel }, 'ul')
    expect(q('model-error-summary')!.textContent).toBe(REASON.split('\n')[0])
  })
})
