import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RequestQuery } from '../generated/RequestQuery'
import type { RequestRecord } from '../generated/RequestRecord'

import { ApiError } from '../api'
import { gatewayModel, gatewayStatus, requestRecord } from '../lib/gateway/gateway.fixtures'
import { REQUEST_CAP, REQUEST_PAGE } from '../lib/gateway/requestList'
import { emit, fake, installFakeApi, setConnection } from '../testing/fakeApi'
import { STATUS_REFRESH_MS, useGatewayStore } from './gateway'

const record = (r: RequestRecord) => emit({ type: 'gateway_request', data: r })
const ids = (list: RequestRecord[]) => list.map((r) => r.id)
let stored: RequestRecord[]

beforeEach(() => {
  setActivePinia(createPinia())
  stored = [requestRecord({ id: 'b', received_at: 200 }), requestRecord({ id: 'a', received_at: 100 })]
  installFakeApi({
    gatewayStatus: vi.fn(async () => gatewayStatus()),
    listGatewayRequests: vi.fn(async (q: RequestQuery) =>
      stored.filter((r) => (q.before === undefined || r.received_at < q.before) && (!q.outcome || r.outcome === q.outcome)).slice(0, q.limit ?? 100),
    ),
    setGatewayModel: vi.fn(async (_id: string, settings) => gatewayModel({ settings })),
    setGatewaySettings: vi.fn(async (s) => s),
  })
})
afterEach(() => vi.useRealTimers())

async function following() {
  const store = useGatewayStore()
  store.connect()
  store.followRequests()
  await vi.waitFor(() => expect(store.requestsLoaded).toBe(true))
  return store
}

describe('gateway store', () => {
  it('loads the status at start, and the requests only once a page follows them', async () => {
    const store = useGatewayStore()
    store.connect()
    await vi.waitFor(() => expect(store.status).not.toBeNull())
    expect(fake.api.listGatewayRequests).not.toHaveBeenCalled()
    record(requestRecord({ id: 'early' }))
    expect(store.requests).toEqual([])
    store.followRequests()
    await vi.waitFor(() => expect(ids(store.requests)).toEqual(['b', 'a']))
    expect(fake.api.listGatewayRequests).toHaveBeenCalledWith({ limit: REQUEST_PAGE })
  })

  it('shows a request when it begins and replaces its row when it ends (same id)', async () => {
    const store = await following()
    const begun = requestRecord({ id: 'c', received_at: 300, outcome: 'in_progress', status: 0, ttft_ms: undefined, e2el_ms: undefined })
    record(begun)
    expect(ids(store.requests)).toEqual(['c', 'b', 'a'])
    expect(store.requests[0].outcome).toBe('in_progress')
    record({ ...begun, outcome: 'ok', status: 200, ttft_ms: 80, e2el_ms: 900 })
    expect(ids(store.requests)).toEqual(['c', 'b', 'a'])
    expect(store.requests[0]).toMatchObject({ outcome: 'ok', status: 200, ttft_ms: 80 })
    // A late copy of the beginning does not undo the end.
    record(begun)
    expect(store.requests[0].outcome).toBe('ok')
  })

  it('keeps at most REQUEST_CAP rows, the newest', async () => {
    const store = await following()
    for (let i = 0; i < REQUEST_CAP + 20; i++) record(requestRecord({ id: `n${i}`, received_at: 1000 + i }))
    expect(store.requests).toHaveLength(REQUEST_CAP)
    expect(store.requests[0].id).toBe(`n${REQUEST_CAP + 19}`)
    expect(store.requests.some((r) => r.id === 'a')).toBe(false)
    expect(store.atCap).toBe(true)
  })

  it('keeps a request that ended while the list was being fetched as it ended', async () => {
    let answer!: (list: RequestRecord[]) => void
    fake.api.listGatewayRequests.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)))
    const store = useGatewayStore()
    store.connect()
    store.followRequests()
    await vi.waitFor(() => expect(fake.api.listGatewayRequests).toHaveBeenCalled())
    record(requestRecord({ id: 'x', received_at: 300, outcome: 'failed', status: 502 }))
    // The server's (older) answer still has it in progress.
    answer([requestRecord({ id: 'x', received_at: 300, outcome: 'in_progress', status: 0 }), ...stored])
    await vi.waitFor(() => expect(store.requestsLoaded).toBe(true))
    expect(ids(store.requests)).toEqual(['x', 'b', 'a'])
    expect(store.requests[0].outcome).toBe('failed')
  })

  it('reloads on reconnect, dropping rows still marked in progress that the server no longer answers', async () => {
    const store = await following()
    record(requestRecord({ id: 'lost', received_at: 300, outcome: 'in_progress' }))
    stored = [requestRecord({ id: 'c', received_at: 250 }), ...stored]
    setConnection('open')
    await vi.waitFor(() => expect(ids(store.requests)).toEqual(['c', 'b', 'a']))
    expect(fake.api.gatewayStatus).toHaveBeenCalledTimes(2)
  })

  it('pages back with `before` and stops when a page is not full', async () => {
    stored = Array.from({ length: REQUEST_PAGE + 30 }, (_, i) => requestRecord({ id: `r${i}`, received_at: 10_000 - i }))
    const store = await following()
    expect(store.requests).toHaveLength(REQUEST_PAGE)
    expect(store.hasOlder).toBe(true)
    await store.loadOlder()
    expect(fake.api.listGatewayRequests).toHaveBeenLastCalledWith({ limit: REQUEST_PAGE, before: 10_000 - (REQUEST_PAGE - 1) + 1 })
    expect(store.requests).toHaveLength(REQUEST_PAGE + 30)
    expect(store.hasOlder).toBe(false)
  })

  it('starts the list again under a new filter and keeps events out that the filter leaves out', async () => {
    const store = await following()
    store.setFilter({ outcome: 'rejected' })
    await vi.waitFor(() => expect(store.requestsLoaded).toBe(true))
    expect(fake.api.listGatewayRequests).toHaveBeenLastCalledWith({ limit: REQUEST_PAGE, outcome: 'rejected' })
    expect(store.requests).toEqual([])
    record(requestRecord({ id: 'ok' }))
    record(requestRecord({ id: 'no', outcome: 'rejected', status: 404 }))
    expect(ids(store.requests)).toEqual(['no'])
  })

  it('lists one run’s requests (instance_id), live ones of other runs kept out, and pages back within them', async () => {
    stored = [
      requestRecord({ id: 'a2', received_at: 300, instance_id: 'run-a' }),
      requestRecord({ id: 'b1', received_at: 200, instance_id: 'run-b' }),
      requestRecord({ id: 'a1', received_at: 100, instance_id: 'run-a' }),
    ]
    fake.api.listGatewayRequests.mockImplementation(async (q: RequestQuery) =>
      stored.filter((r) => (q.before === undefined || r.received_at < q.before) && (!q.instance_id || r.instance_id === q.instance_id)).slice(0, q.limit ?? 100),
    )
    const store = await following()
    store.setFilter({ instanceId: 'run-a' })
    await vi.waitFor(() => expect(ids(store.requests)).toEqual(['a2', 'a1']))
    expect(fake.api.listGatewayRequests).toHaveBeenLastCalledWith({ limit: REQUEST_PAGE, instance_id: 'run-a' })
    record(requestRecord({ id: 'b2', received_at: 400, instance_id: 'run-b' }))
    record(requestRecord({ id: 'none', received_at: 450, instance_id: undefined, outcome: 'rejected', status: 404 }))
    record(requestRecord({ id: 'a3', received_at: 500, instance_id: 'run-a' }))
    expect(ids(store.requests)).toEqual(['a3', 'a2', 'a1'])
    store.hasOlder = true
    await store.loadOlder()
    expect(fake.api.listGatewayRequests).toHaveBeenLastCalledWith({ limit: REQUEST_PAGE, instance_id: 'run-a', before: 101 })
    // Every run's again.
    store.setFilter({})
    await vi.waitFor(() => expect(ids(store.requests)).toEqual(['a2', 'b1', 'a1']))
    expect(fake.api.listGatewayRequests).toHaveBeenLastCalledWith({ limit: REQUEST_PAGE })
  })

  it('fetches the status again once per burst of requests', async () => {
    vi.useFakeTimers()
    const store = useGatewayStore()
    store.connect()
    await vi.waitFor(() => expect(store.status).not.toBeNull())
    for (let i = 0; i < 5; i++) record(requestRecord({ id: `r${i}` }))
    emit({ type: 'models_changed', data: [] })
    await vi.advanceTimersByTimeAsync(STATUS_REFRESH_MS)
    expect(fake.api.gatewayStatus).toHaveBeenCalledTimes(2)
  })

  it('puts a saved model in the status, and keeps a refusal for the form', async () => {
    const store = useGatewayStore()
    store.connect()
    await vi.waitFor(() => expect(store.status).not.toBeNull())
    const settings = { idle_ttl_secs: 0, aliases: ['gpt-4o-mini'], queue_limit: 8, pinned: true, log_bodies: false }
    await store.saveModel('m1', settings)
    expect(store.modelById('m1')?.settings).toEqual(settings)
    fake.api.setGatewayModel.mockRejectedValueOnce(new ApiError('gateway_invalid_settings', 'taken', 400, { detail: 'taken' }))
    await expect(store.saveModel('m1', settings)).rejects.toMatchObject({ code: 'gateway_invalid_settings' })
    await store.saveSettings({ retention_days: 30 })
    expect(store.status?.settings.retention_days).toBe(30)
  })

  it('switches "Serve on local network", shows the status it answers, and keeps a failure apart', async () => {
    const lanStatus = gatewayStatus({
      addresses: ['http://127.0.0.1:8765/v1', 'http://192.168.1.20:8765/v1'],
      lan: { enabled: true, switchable: true, qr_svg: '<svg/>' },
    })
    let answer!: (s: typeof lanStatus) => void
    fake.api.setLanServing = vi.fn(() => new Promise((resolve) => (answer = resolve)))
    const store = useGatewayStore()
    const switching = store.setLanServing(true)
    expect(store.lanSwitching).toBe(true)
    expect(await store.setLanServing(true)).toBe(false) // one switch at a time
    answer(lanStatus)
    expect(await switching).toBe(true)
    expect(fake.api.setLanServing).toHaveBeenCalledTimes(1)
    expect(fake.api.setLanServing).toHaveBeenCalledWith({ enabled: true })
    expect(store.status).toEqual(lanStatus)
    expect(store.lanSwitching).toBe(false)

    fake.api.setLanServing = vi.fn(async () => {
      throw new ApiError('desktop_only', 'no', undefined, { operation: 'set_lan_serving' })
    })
    expect(await store.setLanServing(false)).toBe(false)
    expect(store.lanError?.code).toBe('desktop_only')
    expect(store.status).toEqual(lanStatus)
    expect(store.statusError).toBeNull()
  })
})
