// @vitest-environment jsdom
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick } from 'vue'
import type { AlertRules } from '../generated/AlertRules'

const fake = vi.hoisted(() => ({ api: {} as Record<string, ReturnType<typeof import('vitest').vi.fn>> }))
vi.mock('../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../api')>()
  return { ...actual, getApi: () => fake.api }
})

import { ApiError } from '../api'
import { setLocale } from '../composables/useI18n'
import { defaultRules } from '../lib/alerts/alertRules'
import { useAlertsStore } from '../stores/alerts'
import AlertsPage from './AlertsPage.vue'

/** Saved rules that differ from the defaults: host memory alerts from 3 %. */
function savedRules(): AlertRules {
  return { ...defaultRules(), host_memory_percent: { enabled: true, raise_at: 3, clear_at: 2 } }
}

const cleanups: (() => void)[] = []

function mountPage() {
  const host = document.createElement('div')
  document.body.appendChild(host)
  const app = createApp({ render: () => h(AlertsPage) })
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
  const type = async (testid: string, value: string) => {
    const input = q<HTMLInputElement>(testid)!
    input.value = value
    input.dispatchEvent(new Event('input'))
    await nextTick()
  }
  return { host, q, click, type }
}

beforeEach(() => {
  setActivePinia(createPinia())
  setLocale('en')
  fake.api = {
    listAlerts: vi.fn(async () => ({ active: [], recent: [] })),
    getAlertRules: vi.fn(async () => savedRules()),
    setAlertRules: vi.fn(async (rules: AlertRules) => rules),
  }
})
afterEach(() => cleanups.splice(0).forEach((c) => c()))

describe('AlertsPage', () => {
  it('says "All clear" only once the alerts have loaded', async () => {
    let answer!: { resolve: (v: unknown) => void; reject: (e: unknown) => void }
    fake.api.listAlerts.mockImplementation(() => new Promise((resolve, reject) => (answer = { resolve, reject })))
    const store = useAlertsStore()
    void store.refresh()
    const { host, q } = mountPage()
    await nextTick()
    expect(q('alerts-active')!.textContent).toContain('Loading…')
    expect(q('alerts-none')).toBeNull()
    answer.reject(new ApiError('network_error', 'The llmops server is unreachable.'))
    await vi.waitFor(() => expect(q('alerts-error')).not.toBeNull())
    // A failed load knows nothing about the alerts: no "All clear" next to the error.
    expect(q('alerts-none')).toBeNull()
    fake.api.listAlerts.mockResolvedValue({ active: [], recent: [] })
    q('alerts-error')!.querySelector('button')!.click()
    await vi.waitFor(() => expect(q('alerts-none')?.textContent).toContain('No active alerts. All clear.'))
    expect(host.textContent).toContain('No alerts so far.')
  })

  it('says the rules are unsaved after Reset to defaults or an edit, until they are saved', async () => {
    const { q, click, type } = mountPage()
    await vi.waitFor(() => expect(q('alert-rules-form')).not.toBeNull())
    expect(q('rules-unsaved')).toBeNull()
    await click('rules-reset')
    expect(q('rules-unsaved')?.getAttribute('role')).toBe('status')
    expect(q('rules-unsaved')?.textContent).toContain('Unsaved changes')
    await click('rules-save')
    await vi.waitFor(() => expect(q('rules-saved')).not.toBeNull())
    expect(fake.api.setAlertRules).toHaveBeenCalledWith(defaultRules())
    expect(q('rules-unsaved')).toBeNull()
    await type('rule-gpu_memory_percent-raise', '97')
    expect(q('rules-unsaved')).not.toBeNull()
    expect(q('rules-saved')).toBeNull()
    // Typing the saved value back leaves nothing unsaved.
    await type('rule-gpu_memory_percent-raise', '95')
    expect(q('rules-unsaved')).toBeNull()
    setLocale('zh')
    await click('rule-instance_failed-enabled')
    expect(q('rules-unsaved')?.textContent).toContain('有未保存的更改')
  })
})
