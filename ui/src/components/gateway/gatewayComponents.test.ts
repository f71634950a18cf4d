// @vitest-environment jsdom
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { h, nextTick, type Component } from 'vue'
import type { RequestQuery } from '../../generated/RequestQuery'
import type { RequestRecord } from '../../generated/RequestRecord'

// The charts draw on a canvas, which jsdom has not: a stand-in that shows what it was given.
vi.mock('./RequestSeriesChart.vue', () => ({
  default: { props: ['metric', 'points'], render(this: { metric: string }) { return h('div', { 'data-testid': 'request-chart', 'data-metric': this.metric }) } },
}))

import { ApiError } from '../../api'
import { setLocale } from '../../composables/useI18n'
import { gatewayModel, gatewayStatus, requestRecord } from '../../lib/gateway/gateway.fixtures'
import RequestsPage from '../../pages/RequestsPage.vue'
import { useAccessStore } from '../../stores/access'
import { useGatewayStore } from '../../stores/gateway'
import { emit, fake, installFakeApi } from '../../testing/fakeApi'
import { mountApp, stubPage as stub, usePageTestSetup } from '../../testing/mountApp'
import ConnectToolsPanel from './ConnectToolsPanel.vue'
import GatewayModelSection from './GatewayModelSection.vue'

let pinia: Pinia
let stored: RequestRecord[]

function mount(component: Component, props: Record<string, unknown> = {}, path = '/requests') {
  return mountApp({
    component,
    props,
    path,
    pinia,
    routes: [
      { path: '/', component: stub },
      { path: '/requests', name: 'requests', component: stub },
      { path: '/access', name: 'access', component: stub },
    ],
  })
}

async function withStatus(patch = {}) {
  const gateway = useGatewayStore()
  gateway.status = gatewayStatus(patch)
  await nextTick()
  return gateway
}

usePageTestSetup()
beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
  stored = [
    requestRecord({ id: 'r2', received_at: Date.now(), start_wait_ms: 400, queue_ms: 100, ttft_ms: 800, e2el_ms: 1600, tokens_counted: true }),
    requestRecord({
      id: 'r1', received_at: Date.now() - 1000, outcome: 'rejected', status: 404, model: 'gpt-9', model_id: undefined, model_name: undefined,
      start_wait_ms: undefined, queue_ms: undefined, ttft_ms: undefined, e2el_ms: undefined, tpot_ms: undefined,
      error: { code: 'model_not_found', message: 'There is no model called "gpt-9". Known models: qwen', params: { requested: 'gpt-9', known: 'qwen' } },
    }),
  ]
  installFakeApi({
    gatewayStatus: vi.fn(async () => gatewayStatus()),
    listGatewayRequests: vi.fn(async () => structuredClone(stored)),
    gatewayRequestSeries: vi.fn(async () => ({ bucket_ms: 60_000, points: [] })),
    setGatewayModel: vi.fn(async (_id: string, settings) => gatewayModel({ settings })),
    setGatewaySettings: vi.fn(async (s) => s),
  })
})

describe('the Requests page', () => {
  it('lists the requests live and opens one with its timeline, translated error and escaped bodies', async () => {
    const gateway = await withStatus()
    gateway.connect()
    const { q, all, router } = await mount(RequestsPage)
    await vi.waitFor(() => expect(all('request-row')).toHaveLength(2))
    expect(all('request-row').map((r) => r.dataset.requestId)).toEqual(['r2', 'r1'])
    expect(all('request-row')[0].textContent).toContain('counted')
    expect(all('request-model').map((m) => m.textContent)).toEqual(['qwen', 'gpt-9'])

    // A request begins, then ends: one row, replaced.
    const begun = requestRecord({ id: 'r3', received_at: Date.now() + 10, outcome: 'in_progress', status: 0, ttft_ms: undefined, e2el_ms: undefined })
    emit({ type: 'gateway_request', data: begun })
    await nextTick()
    expect(all('request-row')[0].dataset.outcome).toBe('in_progress')
    emit({ type: 'gateway_request', data: { ...begun, outcome: 'ok', status: 200, ttft_ms: 50, e2el_ms: 70 } })
    await nextTick()
    expect(all('request-row').map((r) => [r.dataset.requestId, r.dataset.outcome])).toEqual([['r3', 'ok'], ['r2', 'ok'], ['r1', 'rejected']])

    // The detail of the rejected one: its error in the UI's words, and the server's sentence (which names the known models).
    stored = [{ ...stored[1] }]
    all('request-open')[2].click()
    await vi.waitFor(() => expect(q('request-detail')).not.toBeNull())
    expect(router.currentRoute.value.query.request).toBe('r1')
    expect(q('request-error')?.dataset.code).toBe('model_not_found')
    expect(q('request-error')?.textContent).toContain('There is no such model')
    expect(q('request-error')?.textContent).toContain('Known models: qwen')
    expect(q('request-timeline-empty')?.textContent).toContain('refused before it reached a model')

    // The detail of a streamed one: proportional phases, and its bodies as text, never as markup.
    stored = [{ ...stored[0], ...requestRecord({ id: 'r2', received_at: stored[0].received_at, start_wait_ms: 400, queue_ms: 100, ttft_ms: 800, e2el_ms: 1600 }), request_body: '{"model":"qwen","messages":[{"role":"user","content":"<img src=x onerror=alert(1)>"}]}', response_body: 'data: <b>hi</b>' }]
    await router.push({ name: 'requests', query: { request: 'r2' } })
    await vi.waitFor(() => expect(q('request-body')).not.toBeNull())
    const widths = all('timeline-segment').map((s) => [s.dataset.kind, s.style.width])
    expect(widths).toEqual([['start_wait', '25%'], ['queue', '6.25%'], ['prefill', '18.75%'], ['decode', '50%']])
    expect(q('timeline-mark-first_token')?.textContent).toBe('800 ms')
    expect(q('request-body')?.textContent).toContain('"content": "<img src=x onerror=alert(1)>"')
    expect(q('request-detail')?.querySelector('img, b')).toBeNull()
    expect(q('response-body')?.textContent).toBe('data: <b>hi</b>')

    q<HTMLButtonElement>('request-detail-close')!.click()
    await vi.waitFor(() => expect(q('request-detail')).toBeNull())
    expect(router.currentRoute.value.query.request).toBeUndefined()
  })

  it('lists one run’s requests from the address, as a chip that clears it, and keeps other runs’ live requests out', async () => {
    const runId = '3f2b9c1e-77aa-4d0e-9b1a-0c5e8d2f6a10'
    const now = Date.now()
    stored = [
      requestRecord({ id: 'a2', received_at: now, instance_id: runId }),
      requestRecord({ id: 'b1', received_at: now - 500, instance_id: 'other-run' }),
      requestRecord({ id: 'a1', received_at: now - 1000, instance_id: runId }),
    ]
    fake.api.listGatewayRequests = vi.fn(async (query: RequestQuery) => structuredClone(stored.filter((r) => !query.instance_id || r.instance_id === query.instance_id)))
    const gateway = await withStatus()
    gateway.connect()
    const { q, all, click, router } = await mount(RequestsPage, {}, `/requests?instance=${runId}`)
    const rows = () => all('request-row').map((r) => r.dataset.requestId)
    await vi.waitFor(() => expect(rows()).toEqual(['a2', 'a1']))
    expect(fake.api.listGatewayRequests).toHaveBeenCalledTimes(1)
    expect(fake.api.listGatewayRequests).toHaveBeenCalledWith({ limit: 100, instance_id: runId })
    const chip = q('requests-run-filter')!
    expect(chip.textContent).toContain('Requests of run 3f2b9c1e')
    expect(chip.dataset.instanceId).toBe(runId)
    expect(q('requests-run-filter-clear')?.getAttribute('aria-label')).toBe('Show the requests of every run')

    // Live: another run's request, and one that reached no model, stay out; this run's comes in.
    emit({ type: 'gateway_request', data: requestRecord({ id: 'b2', received_at: now + 10, instance_id: 'other-run' }) })
    emit({ type: 'gateway_request', data: requestRecord({ id: 'x', received_at: now + 20, instance_id: undefined, outcome: 'rejected', status: 404 }) })
    emit({ type: 'gateway_request', data: requestRecord({ id: 'a3', received_at: now + 30, instance_id: runId }) })
    await nextTick()
    expect(rows()).toEqual(['a3', 'a2', 'a1'])

    // Opening and closing a request keeps the filter in the address.
    await click(all('request-open')[1])
    await vi.waitFor(() => expect(q('request-detail')).not.toBeNull())
    expect(router.currentRoute.value.query).toEqual({ instance: runId, request: 'a2' })
    await click(q('request-detail-close'))
    await vi.waitFor(() => expect(router.currentRoute.value.query).toEqual({ instance: runId }))
    expect(q('requests-run-filter')).not.toBeNull()

    setLocale('zh')
    await nextTick()
    expect(q('requests-run-filter')?.textContent).toContain('运行 3f2b9c1e 的请求')
    setLocale('en')

    // The chip's button lists every run's requests again, and the focus goes to the filters.
    await click(q('requests-run-filter-clear'))
    await vi.waitFor(() => expect(router.currentRoute.value.query).toEqual({}))
    await vi.waitFor(() => expect(rows()).toEqual(['a2', 'b1', 'a1']))
    expect(fake.api.listGatewayRequests).toHaveBeenLastCalledWith({ limit: 100 })
    expect(q('requests-run-filter')).toBeNull()
    expect(gateway.filter.instanceId).toBeUndefined()
    await vi.waitFor(() => expect(document.activeElement).toBe(q('request-filter-model')))

    // Back brings the run's requests back.
    router.back()
    await vi.waitFor(() => expect(q('requests-run-filter')).not.toBeNull())
    await vi.waitFor(() => expect(rows()).toEqual(['a2', 'a1']))
  })

  it('says when a run has no requests kept', async () => {
    fake.api.listGatewayRequests = vi.fn(async () => [])
    await withStatus()
    const { q } = await mount(RequestsPage, {}, '/requests?instance=r1')
    await vi.waitFor(() => expect(q('requests-empty')).not.toBeNull())
    expect(q('requests-empty')?.textContent?.trim()).toBe('No requests match these filters.')
    expect(q('requests-run-filter')?.textContent).toContain('Requests of run r1')
  })

  it('filters by model and outcome through the server', async () => {
    await withStatus()
    const { q } = await mount(RequestsPage)
    await vi.waitFor(() => expect(fake.api.listGatewayRequests).toHaveBeenCalledTimes(1))
    const outcome = q<HTMLSelectElement>('request-filter-outcome')!
    outcome.value = 'rejected'
    outcome.dispatchEvent(new Event('change'))
    const model = q<HTMLSelectElement>('request-filter-model')!
    model.value = 'm1'
    model.dispatchEvent(new Event('change'))
    await vi.waitFor(() => expect(fake.api.listGatewayRequests).toHaveBeenLastCalledWith({ limit: 100, model: 'm1', outcome: 'rejected' }))
  })

  it('lets only admins change how long records are kept, and checks the days first', async () => {
    await withStatus()
    useAccessStore().caller = { scope: 'operate', via: 'api_key', key_id: 'k', key_name: 'script' }
    const { q } = await mount(RequestsPage)
    expect(q('retention-needs-scope')?.textContent).toBe('Changing how long records are kept needs the admin scope.')
    expect(q<HTMLButtonElement>('retention-save')!.disabled).toBe(true)
    expect(q<HTMLInputElement>('retention-days')!.value).toBe('14')
    useAccessStore().caller = { scope: 'admin', via: 'local', key_id: null, key_name: null }
    await nextTick()
    const days = q<HTMLInputElement>('retention-days')!
    days.value = '0'
    days.dispatchEvent(new Event('input'))
    q<HTMLButtonElement>('retention-save')!.click()
    await nextTick()
    expect(q('retention-problem')?.textContent).toBe('Give a whole number from 1 to 365.')
    expect(fake.api.setGatewaySettings).not.toHaveBeenCalled()
    days.value = '30'
    days.dispatchEvent(new Event('input'))
    q<HTMLButtonElement>('retention-save')!.click()
    await vi.waitFor(() => expect(q('retention-saved')).not.toBeNull())
    expect(fake.api.setGatewaySettings).toHaveBeenCalledWith({ retention_days: 30 })
  })
})

describe('Connect your tools', () => {
  it('shows the base URL, the model names and snippets for the first model, with tabs', async () => {
    await withStatus({
      addresses: ['http://127.0.0.1:8765/v1', 'http://192.168.1.20:8765/v1'],
      lan: { enabled: true, switchable: false },
      models: [gatewayModel({ settings: { idle_ttl_secs: 600, aliases: ['gpt-4o-mini'], queue_limit: 64, pinned: false, log_bodies: false }, aliases: ['gpt-4o-mini', 'Qwen', 'm1'] })],
    })
    const { q, all } = await mount(ConnectToolsPanel)
    // jsdom's page is http://localhost:3000: not one of the addresses, so the first is shown.
    expect(q<HTMLInputElement>('connect-base-url')!.value).toBe('http://127.0.0.1:8765/v1')
    expect(q<HTMLInputElement>('connect-lan-url')!.value).toBe('http://192.168.1.20:8765/v1')
    expect(q('connect-model')?.textContent).toContain('qwen')
    // "Qwen" is the stable name but for case, which names ignore; the id is left out.
    expect(q('connect-model')?.textContent).toContain('also: gpt-4o-mini')
    expect(q('connect-model')?.textContent).not.toContain('m1')
    expect(q('connect-snippet')?.textContent).toContain(`curl 'http://127.0.0.1:8765/v1/chat/completions'`)
    const tabs = all('connect-snippet-tab')
    expect(tabs.map((t) => t.getAttribute('aria-selected'))).toEqual(['true', 'false', 'false', 'false'])
    tabs[0].dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }))
    await nextTick()
    expect(q('connect-snippet')?.dataset.kind).toBe('python')
    expect(q('connect-snippet')?.textContent).toContain('model="qwen"')
    tabs[3].click()
    await nextTick()
    expect(q('connect-openwebui-steps')?.textContent).toContain('http://127.0.0.1:8765/v1')
  })

  it('says why the desktop app serves no endpoint (its port is taken)', async () => {
    await withStatus({ addresses: [], unavailable: 'port 8765 on this machine is taken' })
    ;(window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {}
    try {
      const { q } = await mount(ConnectToolsPanel)
      expect(q('connect-no-endpoint')?.textContent?.trim()).toBe('The OpenAI-compatible endpoint is not served: port 8765 on this machine is taken.')
    } finally {
      delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__
    }
  })

  it('says the endpoint needs llmops serve when there is no address and no browser origin to fall back on', async () => {
    await withStatus({ addresses: [] })
    ;(window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {}
    try {
      const { q } = await mount(ConnectToolsPanel)
      expect(q('connect-no-endpoint')?.textContent).toContain('llmops serve')
      expect(q('connect-base-url')).toBeNull()
      expect(q('connect-snippets')).toBeNull()
    } finally {
      delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__
    }
  })
})

const LAN_URL = 'http://192.168.1.20:8765/v1'
const QR = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 21 21"><path d="M0 0h7v7H0z"/><script>alert(1)</script></svg>'
const servedOnLan = (switchable: boolean) =>
  gatewayStatus({ addresses: ['http://127.0.0.1:8765/v1', LAN_URL], lan: { enabled: true, switchable, qr_svg: QR } })

/** Runs `body` as the desktop app's window would (Tauri's bridge present). */
async function inDesktopApp(body: () => Promise<void>) {
  ;(window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {}
  try {
    await body()
  } finally {
    delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__
  }
}

describe('Connect your tools: the local network', () => {
  it('offers no switch to llmops serve: it says how to serve there, or shows the LAN address and its QR code', async () => {
    await withStatus()
    useAccessStore().caller = { scope: 'admin', via: 'local', key_id: null, key_name: null }
    const first = await mount(ConnectToolsPanel)
    expect(first.q('connect-lan-switch')).toBeNull()
    expect(first.q('connect-remote')?.textContent).toContain('--host 0.0.0.0')
    expect(first.q('connect-lan-qr')).toBeNull()

    useGatewayStore().status = servedOnLan(false)
    await nextTick()
    expect(first.q('connect-lan-switch')).toBeNull()
    expect(first.q<HTMLInputElement>('connect-lan-url')!.value).toBe(LAN_URL)
    expect(first.q('connect-lan-url-copy')?.getAttribute('aria-label')).toBe('Copy: Address for other devices')
    const qr = first.q<HTMLImageElement>('connect-lan-qr')!
    expect(qr.alt).toBe('QR code of the address for other devices')
    expect(atob(qr.getAttribute('src')!.split(',')[1])).toBe(QR)
    // The SVG is an image, never markup in the page.
    expect(first.host.querySelector('svg, script')).toBeNull()
    expect(first.q('connect-remote')?.textContent).toContain('with an API key with the operate scope')
    expect(first.q('connect-remote')?.querySelector('a')?.getAttribute('href')).toBe('/access')
  })

  it('shows the switch only in the desktop app, when the status says it can switch', async () => {
    await withStatus({ lan: { enabled: false, switchable: true } })
    const browser = await mount(ConnectToolsPanel)
    expect(browser.q('connect-lan-switch')).toBeNull()
    expect(browser.q('connect-remote')?.textContent).toContain('in the desktop app’s window')
    await inDesktopApp(async () => {
      await withStatus({ lan: { enabled: false, switchable: false } })
      const serve = await mount(ConnectToolsPanel)
      expect(serve.q('connect-lan-switch')).toBeNull()
      useGatewayStore().status = gatewayStatus({ lan: { enabled: false, switchable: true } })
      await nextTick()
      const box = serve.q<HTMLInputElement>('connect-lan-switch')!
      expect(box.getAttribute('role')).toBe('switch')
      expect(box.checked).toBe(false)
      expect(document.getElementById(box.getAttribute('aria-describedby')!)?.textContent).toContain('only on networks you trust')
      expect(serve.q('connect-lan-qr')).toBeNull()
      expect(serve.q('connect-remote')).toBeNull()
    })
  })

  it('turns it on only after a confirmation, busy meanwhile, then shows the status it answers', async () => {
    await inDesktopApp(async () => {
      await withStatus({ lan: { enabled: false, switchable: true } })
      let answer!: (s: ReturnType<typeof servedOnLan>) => void
      fake.api.setLanServing = vi.fn(() => new Promise((resolve) => (answer = resolve)))
      const { q } = await mount(ConnectToolsPanel)
      const box = q<HTMLInputElement>('connect-lan-switch')!

      box.click()
      await nextTick()
      expect(box.checked).toBe(false)
      expect(q('connect-lan-confirm')?.textContent).toContain('Anyone there with an API key or the login link')
      expect(document.activeElement).toBe(q('connect-lan-yes'))
      q<HTMLButtonElement>('connect-lan-cancel')!.click()
      await nextTick()
      expect(q('connect-lan-confirm')).toBeNull()
      expect(fake.api.setLanServing).not.toHaveBeenCalled()

      box.click()
      await nextTick()
      q<HTMLButtonElement>('connect-lan-yes')!.click()
      await nextTick()
      expect(fake.api.setLanServing).toHaveBeenCalledWith({ enabled: true })
      expect(q('connect-lan-busy')?.textContent).toContain('Restarting the server')
      expect(box.disabled).toBe(true)

      answer(servedOnLan(true))
      await vi.waitFor(() => expect(q('connect-lan-busy')).toBeNull())
      expect(useGatewayStore().status?.lan.enabled).toBe(true)
      expect(box.checked).toBe(true)
      expect(box.disabled).toBe(false)
      expect(q<HTMLInputElement>('connect-lan-url')!.value).toBe(LAN_URL)
      expect(q('connect-lan-qr')).not.toBeNull()
    })
  })

  it('turns it off at once, and shows a failure in the UI’s words', async () => {
    await inDesktopApp(async () => {
      await withStatus(servedOnLan(true))
      fake.api.setLanServing = vi.fn(async () => {
        throw new ApiError('desktop_only', 'set_lan_serving is only available in the desktop app.', undefined, { operation: 'set_lan_serving' })
      })
      const { q } = await mount(ConnectToolsPanel)
      const box = q<HTMLInputElement>('connect-lan-switch')!
      expect(box.checked).toBe(true)
      box.click()
      await nextTick()
      expect(q('connect-lan-confirm')).toBeNull()
      expect(fake.api.setLanServing).toHaveBeenCalledWith({ enabled: false })
      await vi.waitFor(() => expect(q('connect-lan-error')).not.toBeNull())
      expect(q('connect-lan-error')?.textContent).toContain('Could not switch serving on the local network.')
      expect(q('connect-lan-error')?.textContent).toContain('“set_lan_serving” is only available in the desktop app.')
      expect(q('connect-lan-error')?.getAttribute('role')).toBe('alert')
      // Still served there: the status did not change, so neither does the switch.
      expect(box.checked).toBe(true)
      expect(document.activeElement).toBe(box)
      expect(q('connect-lan-qr')).not.toBeNull()

      setLocale('zh')
      await nextTick()
      expect(q('connect-lan-error')?.textContent).toContain('无法切换局域网服务。')
    })
  })
})

describe('a model’s gateway section', () => {
  it('shows its name and state, validates the form, saves, and shows a refusal translated', async () => {
    await withStatus({ models: [gatewayModel({ state: 'running', instance_id: 'i1', started_by_gateway: true, in_flight: 1, queued: 2, idle_stop_at: Date.now() + 60_000 })] })
    const { q, all } = await mount(GatewayModelSection, { modelId: 'm1' })
    expect(q('gateway-model-name')?.textContent).toBe('qwen')
    expect(q('gateway-model-state')?.textContent).toContain('Running')
    expect(q('gateway-model-state')?.textContent).toContain('started by the gateway')
    expect(q('gateway-model-load')?.textContent).toBe('1 being answered · 2 waiting · 4 at once')
    expect(q('gateway-model-idle-stop')).not.toBeNull()
    expect(q('gateway-privacy-note')?.textContent).toContain('Privacy')

    const set = (testid: string, value: string) => {
      const input = q<HTMLInputElement>(testid)!
      input.value = value
      input.dispatchEvent(new Event('input'))
    }
    set('gateway-idle', '-5')
    set('gateway-concurrency', '0')
    q<HTMLButtonElement>('gateway-alias-add')!.click()
    await nextTick()
    const alias = all('gateway-alias')[0] as HTMLInputElement
    alias.value = 'gpt-4o-mini'
    alias.dispatchEvent(new Event('input'))
    q<HTMLFormElement>('gateway-model-form')!.dispatchEvent(new Event('submit'))
    await nextTick()
    expect(q('gateway-idle')?.getAttribute('aria-invalid')).toBe('true')
    expect(q('gateway-concurrency')?.getAttribute('aria-invalid')).toBe('true')
    expect(fake.api.setGatewayModel).not.toHaveBeenCalled()

    set('gateway-idle', '0')
    set('gateway-concurrency', '')
    q<HTMLFormElement>('gateway-model-form')!.dispatchEvent(new Event('submit'))
    await vi.waitFor(() => expect(q('gateway-saved')).not.toBeNull())
    expect(fake.api.setGatewayModel).toHaveBeenCalledWith('m1', { idle_ttl_secs: 0, aliases: ['gpt-4o-mini'], queue_limit: 64, pinned: false, log_bodies: false })

    fake.api.setGatewayModel.mockRejectedValueOnce(
      new ApiError('gateway_invalid_settings', 'x', 400, { detail: 'the name "gpt-4o-mini" already belongs to the model "Other"' }),
    )
    q<HTMLFormElement>('gateway-model-form')!.dispatchEvent(new Event('submit'))
    await vi.waitFor(() => expect(q('gateway-save-error')).not.toBeNull())
    expect(q('gateway-save-error')?.textContent).toBe('These gateway settings cannot be saved: the name "gpt-4o-mini" already belongs to the model "Other"')
  })
})
