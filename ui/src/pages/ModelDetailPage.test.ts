// @vitest-environment jsdom
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick } from 'vue'
import { createMemoryHistory, createRouter, RouterView, type Router } from 'vue-router'

const fake = vi.hoisted(() => ({ api: {} as Record<string, ReturnType<typeof import('vitest').vi.fn>> }))
vi.mock('../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../api')>()
  return { ...actual, getApi: () => fake.api }
})

import { ApiError } from '../api'
import { setLocale } from '../composables/useI18n'
import { qwenModel } from '../components/models/model.fixtures'
import { promotion } from '../lib/sweeps/sweeps.fixtures'
import { useModelsStore } from '../stores/models'
import ModelDetailPage from './ModelDetailPage.vue'

const cleanups: (() => void)[] = []

async function mountAt(path: string) {
  const host = document.createElement('div')
  document.body.appendChild(host)
  const stub = { render: () => null }
  const router: Router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', name: 'dashboard', component: stub },
      { path: '/models/:id', name: 'model', component: ModelDetailPage, props: true },
      { path: '/runs/:id?', name: 'runs', component: stub },
      { path: '/sweeps/:id?', name: 'sweeps', component: stub },
      { path: '/benchmarks/:id?', name: 'benchmarks', component: stub },
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
  return { router, q, all }
}

beforeEach(() => {
  setLocale('en')
  setActivePinia(createPinia())
  const models = useModelsStore()
  models.models = [qwenModel]
  models.loaded = true
  fake.api = {
    modelDetail: vi.fn(async () => ({ model: qwenModel, history: [] })),
    listPromotions: vi.fn(async () => [
      promotion({ id: 'old', at: 1_600_000_000_000, sweep_id: 's0', sweep_label: 'Qwen · first sweep', values: { context_size: 2048 }, run_id: null, benchmark_id: null }),
      promotion(),
    ]),
    gatewayStatus: vi.fn(async () => ({ addresses: [], lan: { enabled: false, switchable: false }, models: [], settings: { retention_days: 14 } })),
    onEvent: vi.fn(() => () => {}),
    onConnectionChange: vi.fn(() => () => {}),
  }
})
afterEach(() => cleanups.splice(0).forEach((c) => c()))

describe('a model’s promoted configurations', () => {
  it('lists the model’s promotions newest first, linking to their sweeps, runs and benchmarks, and to the model’s runs', async () => {
    const { q, all } = await mountAt(`/models/${qwenModel.id}`)
    await vi.waitFor(() => expect(all('promotion')).toHaveLength(2))
    expect(fake.api.listPromotions).toHaveBeenCalledWith({ model_id: qwenModel.id })
    expect(all('promotion').map((p) => [p.dataset.promotionId, p.dataset.current])).toEqual([['p1', 'true'], ['old', 'false']])
    const [latest, older] = all('promotion')
    expect(latest.querySelector('[data-testid="promotion-sweep"]')?.getAttribute('href')).toBe('/sweeps/s1')
    expect(latest.querySelector('[data-testid="promotion-values"]')?.textContent).toBe('context_size=4096 · gpu_layers=20')
    expect(latest.querySelector('[data-testid="promotion-objective"]')?.textContent).toBe('Output tok/s 510')
    expect(latest.querySelector('[data-testid="promotion-run"]')?.getAttribute('href')).toBe('/runs/run-1')
    expect(latest.querySelector('[data-testid="promotion-benchmark"]')?.getAttribute('href')).toBe('/benchmarks/bench-1')
    expect(older.querySelector('[data-testid="promotion-run"]')).toBeNull()
    expect(q('model-promotions')).not.toBeNull()
    expect(q<HTMLAnchorElement>('model-runs-link')?.getAttribute('href')).toBe(`/runs?model=${qwenModel.id}`)
  })

  it('says when there are none, and why they could not be loaded', async () => {
    fake.api.listPromotions = vi.fn(async () => [])
    const first = await mountAt(`/models/${qwenModel.id}`)
    await vi.waitFor(() => expect(first.q('model-promotions-none')).not.toBeNull())
    cleanups.splice(0).forEach((c) => c())
    setActivePinia(createPinia())
    useModelsStore().models = [qwenModel]
    fake.api.listPromotions = vi.fn(async () => {
      throw new ApiError('network_error', 'The llmops server is unreachable.')
    })
    const second = await mountAt(`/models/${qwenModel.id}`)
    await vi.waitFor(() => expect(second.q('model-promotions-error')).not.toBeNull())
  })
})
