// @vitest-environment jsdom
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick, type Component } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { Alert } from '../../generated/Alert'
import type { Caller } from '../../generated/Caller'

const fake = vi.hoisted(() => ({ api: {} as Record<string, ReturnType<typeof import('vitest').vi.fn>> }))
vi.mock('../../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../api')>()
  return { ...actual, getApi: () => fake.api }
})

import { ApiError } from '../../api'
import { setLocale } from '../../composables/useI18n'
import { formatDateTime } from '../../lib/format'
import { useAccessStore } from '../../stores/access'
import { useAlertsStore } from '../../stores/alerts'
import AlertItem from './AlertItem.vue'
import AlertToasts from './AlertToasts.vue'
import AppHeader from '../common/AppHeader.vue'

const READ: Caller = { scope: 'read', via: 'session', key_id: 'k1', key_name: 'phone' }
const OPERATE: Caller = { scope: 'operate', via: 'api_key', key_id: 'k2', key_name: 'script' }

function alert(extra: Partial<Alert> = {}): Alert {
  return {
    id: 'a1', kind: 'gpu_temperature', subject: 'GPU 0 (NVIDIA H100)', severity: 'warning', message: 'GPU 0 is at 88 °C.',
    value: 88, threshold: 85, raised_at: 1_700_000_000_000, cleared_at: null, acknowledged_at: null, ...extra,
  }
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
    routes: ['/', '/chat/:id?', '/deploy', '/requests', '/benchmarks/:id?', '/runs/:id?', '/sweeps/:id?', '/history', '/alerts', '/access'].map((path) => ({
      path,
      name: path === '/chat/:id?' ? 'chat' : path.slice(1) || 'home',
      component: stub,
    })),
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
  fake.api = {}
})
afterEach(() => cleanups.splice(0).forEach((c) => c()))

describe('AlertItem', () => {
  it('acknowledges an active alert and then shows it acknowledged, dimmed, with the time', async () => {
    const store = useAlertsStore()
    store.active = [alert()]
    store.recent = [alert()]
    let resolve!: (a: Alert) => void
    fake.api.acknowledgeAlert = vi.fn(() => new Promise<Alert>((r) => (resolve = r)))
    const { q } = mount({ render: () => h(AlertItem, { alert: store.active[0] }) }, OPERATE)
    const item = q('alert-item')!
    expect(item.dataset.acknowledged).toBe('false')
    expect(item.classList.contains('alert-acknowledged')).toBe(false)
    expect(q('alert-acknowledged')).toBeNull()
    const button = q<HTMLButtonElement>('alert-acknowledge')!
    expect(button.textContent?.trim()).toBe('Acknowledge')
    button.click()
    expect(fake.api.acknowledgeAlert).toHaveBeenCalledWith('a1')
    resolve(alert({ acknowledged_at: 1_700_000_060_000 }))
    await vi.waitFor(() => expect(q('alert-acknowledge')).toBeNull())
    const acked = q('alert-item')!
    expect(acked.dataset.acknowledged).toBe('true')
    expect(acked.dataset.state).toBe('active')
    expect(acked.classList.contains('alert-acknowledged')).toBe(true)
    expect(q('alert-acknowledged')?.textContent?.trim()).toBe('Acknowledged')
    expect(q('alert-acknowledged-at')?.textContent).toContain('acknowledged')
    expect(q('alert-acknowledged-at')?.textContent).toContain(formatDateTime(1_700_000_060_000, 'en'))
    // A month name, never the US-style 11/14/23.
    expect(q('alert-acknowledged-at')?.textContent).toMatch(/Nov 1[45], 2023, \d\d:\d\d:\d\d/)
  })

  it('offers no Acknowledge to a read-only login, nor on a cleared or acknowledged alert', async () => {
    const { q } = mount(AlertItem, READ, { alert: alert() })
    expect(q('alert-item')).not.toBeNull()
    expect(q('alert-acknowledge')).toBeNull()
    useAccessStore().caller = OPERATE
    await nextTick()
    expect(q('alert-acknowledge')).not.toBeNull()
    const cleared = mount(AlertItem, OPERATE, { alert: alert({ cleared_at: 1_700_000_100_000 }) })
    expect(cleared.q('alert-acknowledge')).toBeNull()
    expect(cleared.q('alert-item')!.dataset.state).toBe('cleared')
    const acked = mount(AlertItem, OPERATE, { alert: alert({ acknowledged_at: 1_700_000_060_000 }) })
    expect(acked.q('alert-acknowledge')).toBeNull()
    expect(acked.q('alert-acknowledged')).not.toBeNull()
  })

  it('says why acknowledging failed and offers it again', async () => {
    const store = useAlertsStore()
    store.active = [alert()]
    fake.api.acknowledgeAlert = vi.fn(async () => {
      throw new ApiError('internal', 'The alert store is busy.', 500)
    })
    const { q } = mount({ render: () => h(AlertItem, { alert: store.active[0] }) }, OPERATE)
    q<HTMLButtonElement>('alert-acknowledge')!.click()
    await vi.waitFor(() => expect(q('alert-acknowledge-error')).not.toBeNull())
    expect(q('alert-acknowledge-error')!.textContent).toContain('Could not acknowledge the alert. The alert store is busy.')
    expect(q<HTMLButtonElement>('alert-acknowledge')!.disabled).toBe(false)
    expect(q('alert-item')!.dataset.acknowledged).toBe('false')
  })
})

describe('an alert’s text', () => {
  const failed = alert({
    id: 'f1', kind: 'instance_failed', subject: 'Qwen', severity: 'critical', value: null, threshold: null,
    message: 'Qwen failed: The engine exited with code 1 before becoming ready.',
    detail: { code: 'engine_exited_before_ready', message: 'The engine exited with code 1 before becoming ready', params: { code: '1' } },
  })

  it('is said in the UI’s language in the list, from the alert’s values', async () => {
    const { q } = mount(AlertItem, READ, { alert: alert({ message: 'GPU 0 is at 88 °C (alert at 85 °C)' }) })
    expect(q('alert-message')!.textContent).toBe('GPU 0 (NVIDIA H100) is at 88 °C (alert at 85 °C).')
    setLocale('zh')
    await nextTick()
    expect(q('alert-message')!.textContent).toBe('GPU 0 (NVIDIA H100) 温度为 88 °C（告警阈值 85 °C）。')
    const instance = mount(AlertItem, READ, { alert: failed })
    expect(instance.q('alert-message')!.textContent).toBe('Qwen 运行失败：引擎在就绪前退出，退出码为 1。')
  })

  it('is said in the UI’s language in a toast', async () => {
    const store = useAlertsStore()
    store.toasts = [alert({ kind: 'disk_space', subject: '/data', value: 4.4, threshold: 10 }), failed]
    const { host } = mount(AlertToasts, READ)
    const texts = () => [...host.querySelectorAll('[data-testid="alert-toast-message"]')].map((e) => e.textContent)
    expect(texts()).toEqual(['Only 4% free on /data (alert below 10%).', 'Qwen failed: The engine exited with code 1 before becoming ready.'])
    setLocale('zh')
    await nextTick()
    expect(texts()).toEqual(['/data 仅剩 4% 可用空间（低于 10% 时告警）。', 'Qwen 运行失败：引擎在就绪前退出，退出码为 1。'])
  })
})

describe('the header alerts badge', () => {
  it('counts only active alerts not yet acknowledged, coloured by the worst of them', async () => {
    fake.api.onConnectionChange = vi.fn(() => () => {})
    const store = useAlertsStore()
    store.active = [alert({ id: 'c', severity: 'critical' }), alert({ id: 'w' })]
    const { q } = mount(AppHeader, OPERATE)
    const badge = q('alerts-badge')!
    expect(badge.dataset.count).toBe('2')
    expect(badge.textContent?.trim()).toBe('2')
    expect(badge.classList.contains('alerts-badge-critical')).toBe(true)
    store.apply(alert({ id: 'c', severity: 'critical', acknowledged_at: 5 }))
    await nextTick()
    expect(badge.dataset.count).toBe('1')
    expect(badge.classList.contains('alerts-badge-warning')).toBe(true)
    store.apply(alert({ id: 'w', acknowledged_at: 6 }))
    await nextTick()
    expect(badge.textContent?.trim()).toBe('0')
    expect(badge.classList.contains('alerts-badge-none')).toBe(true)
    expect(badge.title).toBe('0 new alerts (active, not acknowledged)')
  })
})
