import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ApiError, getApi, toApiError } from '../api'
import type { GatewayModel } from '../generated/GatewayModel'
import type { GatewayModelSettings } from '../generated/GatewayModelSettings'
import type { GatewaySettings } from '../generated/GatewaySettings'
import type { GatewayStatus } from '../generated/GatewayStatus'
import type { RequestQuery } from '../generated/RequestQuery'
import type { RequestRecord } from '../generated/RequestRecord'
import { mergeRequest, mergeRequests, olderCursor, REQUEST_CAP, REQUEST_PAGE, type RequestFilter } from '../lib/gateway/requestList'

/** The gateway's status (queues, in flight) is fetched again at most this often while requests stream by. */
export const STATUS_REFRESH_MS = 1500

/**
 * The OpenAI-compatible gateway (`/v1`): its status (addresses, models by the names clients use,
 * their state and settings) and the live list of requests through it. The status loads at app
 * start; the requests once a page asks for them (`followRequests`), then stay live from
 * `gateway_request` events, at most `REQUEST_CAP` rows.
 */
export const useGatewayStore = defineStore('gateway', () => {
  const status = ref<GatewayStatus | null>(null)
  const statusLoading = ref(false)
  const statusError = ref<ApiError | null>(null)
  /** "Serve on local network" is being switched (the app's HTTP server restarts). */
  const lanSwitching = ref(false)
  const lanError = ref<ApiError | null>(null)

  const requests = ref<RequestRecord[]>([])
  const filter = ref<RequestFilter>({})
  const requestsLoaded = ref(false)
  const requestsLoading = ref(false)
  const requestsError = ref<ApiError | null>(null)
  const olderLoading = ref(false)
  const olderError = ref<ApiError | null>(null)
  /** The last page was full: there may be older requests on the server. */
  const hasOlder = ref(false)
  /** The list holds as many rows as it may: older ones are reached by filtering. */
  const atCap = computed(() => requests.value.length >= REQUEST_CAP)

  /** A page asked for the requests: events are kept from then on. */
  let following = false
  /** Records that arrived while a list fetch was in flight, merged again over its (older) answer. */
  let arrivedDuringFetch: RequestRecord[] | null = null
  /** Bumped by each new first-page load (a filter change), so that an older answer is dropped. */
  let generation = 0
  let statusTimer: ReturnType<typeof setTimeout> | null = null

  async function refreshStatus(): Promise<void> {
    statusLoading.value = true
    try {
      status.value = await getApi().gatewayStatus()
      statusError.value = null
    } catch (err) {
      statusError.value = toApiError(err)
    } finally {
      statusLoading.value = false
    }
  }

  /** Fetches the status again soon, once for a burst of changes (each request moves a queue). */
  function scheduleStatusRefresh(): void {
    if (statusTimer) return
    statusTimer = setTimeout(() => {
      statusTimer = null
      void refreshStatus()
    }, STATUS_REFRESH_MS)
  }

  function query(extra: Partial<RequestQuery> = {}): RequestQuery {
    const q: RequestQuery = { limit: REQUEST_PAGE, ...extra }
    if (filter.value.modelId) q.model = filter.value.modelId
    if (filter.value.outcome) q.outcome = filter.value.outcome
    if (filter.value.instanceId) q.instance_id = filter.value.instanceId
    return q
  }

  /**
   * Loads the newest page under the filter and merges it with what is held: rows still marked in
   * progress that the server no longer lists as such have ended unseen (the connection was down)
   * and go; the events that came during the fetch are applied again over its answer.
   */
  async function loadRequests(): Promise<void> {
    const gen = ++generation
    requestsLoading.value = true
    const arrived: RequestRecord[] = []
    arrivedDuringFetch = arrived
    try {
      const page = await getApi().listGatewayRequests(query())
      if (gen !== generation) return
      const listed = new Set(page.map((r) => r.id))
      const kept = requests.value.filter((r) => r.outcome !== 'in_progress' || listed.has(r.id))
      requests.value = mergeRequests(mergeRequests(kept, page, filter.value), arrived, filter.value)
      if (!requestsLoaded.value) hasOlder.value = page.length >= REQUEST_PAGE
      requestsLoaded.value = true
      requestsError.value = null
    } catch (err) {
      if (gen === generation) requestsError.value = toApiError(err)
    } finally {
      if (arrivedDuringFetch === arrived) arrivedDuringFetch = null
      if (gen === generation) requestsLoading.value = false
    }
  }

  /** The page before the oldest row held ("Load older"); stops at `REQUEST_CAP` rows. */
  async function loadOlder(): Promise<void> {
    const before = olderCursor(requests.value)
    if (before === null || olderLoading.value || atCap.value) return
    const gen = generation
    olderLoading.value = true
    olderError.value = null
    try {
      const page = await getApi().listGatewayRequests(query({ before }))
      if (gen !== generation) return
      const count = requests.value.length
      requests.value = mergeRequests(requests.value, page, filter.value)
      // A full page that added nothing (a millisecond with more rows than a page) ends the paging too.
      hasOlder.value = page.length >= REQUEST_PAGE && requests.value.length > count
    } catch (err) {
      if (gen === generation) olderError.value = toApiError(err)
    } finally {
      olderLoading.value = false
    }
  }

  /** Shows another model, outcome or run: the list starts again from the newest requests. */
  function setFilter(next: RequestFilter): void {
    filter.value = { ...next }
    requests.value = []
    requestsLoaded.value = false
    hasOlder.value = false
    olderError.value = null
    if (following) void loadRequests()
  }

  /** Starts the live list (the Requests page): loads it once, and keeps it from then on. */
  function followRequests(): void {
    following = true
    if (!requestsLoaded.value && !requestsLoading.value) void loadRequests()
  }

  /**
   * One `gateway_request`: a new request, or the end of one (its row replaced, same id); one the
   * filter leaves out (another model, outcome or run) is not listed.
   */
  function applyRecord(record: RequestRecord): void {
    scheduleStatusRefresh()
    if (!following) return
    requests.value = mergeRequest(requests.value, record, filter.value)
    arrivedDuringFetch?.push(record)
  }

  /** A request by id from the list (the detail view), or null. */
  function requestById(id: string): RequestRecord | null {
    return requests.value.find((r) => r.id === id) ?? null
  }

  /**
   * The stored copy of a finished request, with its bodies (events carry none): looked up around
   * its time and merged into the list. Null when the server does not have it (yet).
   */
  async function fetchStored(record: RequestRecord): Promise<RequestRecord | null> {
    const page = await getApi().listGatewayRequests({ before: record.received_at + 1, limit: 50, ...(record.model_id ? { model: record.model_id } : {}) })
    const stored = page.find((r) => r.id === record.id) ?? null
    if (stored) requests.value = mergeRequest(requests.value, stored, filter.value)
    return stored
  }

  /** The gateway's view of one configured model, or null. */
  function modelById(modelId: string): GatewayModel | null {
    return status.value?.models.find((m) => m.model_id === modelId) ?? null
  }

  /** Saves how the gateway treats a model; rejects with the `ApiError` the form shows. */
  async function saveModel(modelId: string, settings: GatewayModelSettings): Promise<GatewayModel> {
    let saved: GatewayModel
    try {
      saved = await getApi().setGatewayModel(modelId, settings)
    } catch (err) {
      throw toApiError(err)
    }
    if (status.value) {
      const models = status.value.models
      const at = models.findIndex((m) => m.model_id === saved.model_id)
      status.value = { ...status.value, models: at < 0 ? [...models, saved] : models.map((m, i) => (i === at ? saved : m)) }
    }
    return saved
  }

  /** Saves the gateway's own settings (retention); rejects with the `ApiError` to show. */
  async function saveSettings(settings: GatewaySettings): Promise<GatewaySettings> {
    let saved: GatewaySettings
    try {
      saved = await getApi().setGatewaySettings(settings)
    } catch (err) {
      throw toApiError(err)
    }
    if (status.value) status.value = { ...status.value, settings: saved }
    return saved
  }

  /**
   * Switches "Serve on local network" (the desktop app only: `status.lan.switchable`) and shows the
   * status it answers; resolves to whether it worked, with `lanError` set when not.
   */
  async function setLanServing(enabled: boolean): Promise<boolean> {
    if (lanSwitching.value) return false
    lanSwitching.value = true
    lanError.value = null
    try {
      status.value = await getApi().setLanServing({ enabled })
      statusError.value = null
      return true
    } catch (err) {
      lanError.value = toApiError(err)
      return false
    } finally {
      lanSwitching.value = false
    }
  }

  /** Follows gateway and model events and reloads on every (re)connect; called once, at app start (startup.ts). */
  function connect(): void {
    const api = getApi()
    api.onEvent((e) => {
      if (e.type === 'gateway_request') applyRecord(e.data)
      else if (e.type === 'model_status_update' || e.type === 'models_changed') scheduleStatusRefresh()
    })
    api.onConnectionChange((state) => {
      if (state !== 'open') return
      void refreshStatus()
      if (following) void loadRequests()
    })
    void refreshStatus()
  }

  return {
    status,
    statusLoading,
    statusError,
    lanSwitching,
    lanError,
    requests,
    filter,
    requestsLoaded,
    requestsLoading,
    requestsError,
    olderLoading,
    olderError,
    hasOlder,
    atCap,
    refreshStatus,
    loadRequests,
    loadOlder,
    setFilter,
    followRequests,
    applyRecord,
    requestById,
    fetchStored,
    modelById,
    saveModel,
    saveSettings,
    setLanServing,
    connect,
  }
})
