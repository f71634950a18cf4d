import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { type ApiError, type ExportResult, getApi, toApiError } from '../api'
import type { BenchmarkExportFormat } from '../generated/BenchmarkExportFormat'
import type { Promotion } from '../generated/Promotion'
import type { Sweep } from '../generated/Sweep'
import type { SweepSpec } from '../generated/SweepSpec'
import { omit, type Keyed } from '../lib/hub/keyed'

/** What a sweep's card or detail is waiting for. */
export type SweepAction = 'cancelling' | 'deleting' | 'applying'

function newestFirst(list: Sweep[]): Sweep[] {
  return [...list].sort((a, b) => b.started_at - a.started_at)
}

/** Whether `incoming` may replace `held` (the same sweep): a sweep never runs again once it ended. */
export function isSweepUpdate(held: Sweep, incoming: Sweep): boolean {
  return !(held.state !== 'running' && incoming.state === 'running')
}

/** `list` with `s` added or replaced by id, newest first; an older running copy never replaces an ended one. */
export function upsertSweep(list: Sweep[], s: Sweep): Sweep[] {
  const at = list.findIndex((x) => x.id === s.id)
  if (at === -1) return newestFirst([s, ...list])
  if (!isSweepUpdate(list[at], s)) return list
  const next = [...list]
  next[at] = s
  return next
}

/**
 * Sweeps: the list (newest first) kept live from `sweep_update` events (each configuration's
 * start and end), the sweep running (one at a time), the records opened, the configuration last
 * applied per sweep, each model's promotion history, and the actions on them. The list loads
 * once a page asks for it (`follow`); events are kept from app start (startup.ts).
 */
export const useSweepsStore = defineStore('sweeps', () => {
  const sweeps = ref<Sweep[]>([])
  const loaded = ref(false)
  const loading = ref(false)
  const loadError = ref<ApiError | null>(null)
  const details = ref<Record<string, Keyed<Sweep>>>({})
  const starting = ref(false)
  const startError = ref<ApiError | null>(null)
  const pending = ref<Record<string, SweepAction>>({})
  const errors = ref<Record<string, { action: SweepAction; error: ApiError }>>({})
  /** The promotion each sweep's last apply made (what changed), by sweep id. */
  const applied = ref<Record<string, Promotion>>({})
  /** Each model's promotions, newest first, by model id. */
  const promotions = ref<Record<string, Keyed<Promotion[]>>>({})
  const exporting = ref<BenchmarkExportFormat | null>(null)
  const exportError = ref<ApiError | null>(null)

  /** The sweep running now (one at a time), or null. */
  const running = computed(() => sweeps.value.find((s) => s.state === 'running') ?? null)

  let following = false
  let arrivedDuringFetch: Sweep[] | null = null
  let generation = 0

  async function load(): Promise<void> {
    const gen = ++generation
    loading.value = true
    const arrived: Sweep[] = []
    arrivedDuringFetch = arrived
    try {
      let list = newestFirst(await getApi().listSweeps())
      if (gen !== generation) return
      for (const s of arrived) list = upsertSweep(list, s)
      sweeps.value = list
      loaded.value = true
      loadError.value = null
    } catch (err) {
      if (gen === generation) loadError.value = toApiError(err)
    } finally {
      if (arrivedDuringFetch === arrived) arrivedDuringFetch = null
      if (gen === generation) loading.value = false
    }
  }

  /** The Sweeps page shows the list: it loads once, then stays live (and reloads on reconnect). */
  function follow(): void {
    following = true
    if (!loaded.value && !loading.value) void load()
  }

  function byId(id: string): Sweep | null {
    return sweeps.value.find((s) => s.id === id) ?? details.value[id]?.value ?? null
  }

  /** One `sweep_update` (or an action's answer): the list's row, and the record if one is held. */
  function apply(s: Sweep): void {
    sweeps.value = upsertSweep(sweeps.value, s)
    arrivedDuringFetch?.push(s)
    const held = details.value[s.id]
    if (held?.value && isSweepUpdate(held.value, s)) details.value = { ...details.value, [s.id]: { ...held, value: s } }
  }

  async function loadDetail(id: string): Promise<Sweep | null> {
    const held = details.value[id]
    details.value = { ...details.value, [id]: { loading: true, value: held?.value ?? null, error: null } }
    try {
      let s = await getApi().getSweep(id)
      // An end that arrived while this was on its way is newer than a running answer.
      const now = details.value[id]?.value
      if (now && !isSweepUpdate(now, s)) s = now
      details.value = { ...details.value, [id]: { loading: false, value: s, error: null } }
      if (sweeps.value.some((x) => x.id === id)) sweeps.value = upsertSweep(sweeps.value, s)
      return s
    } catch (err) {
      details.value = { ...details.value, [id]: { loading: false, value: details.value[id]?.value ?? null, error: toApiError(err) } }
      return null
    }
  }

  /** Starts a sweep; resolves to its record, or null (`startError` says why). */
  async function start(spec: SweepSpec): Promise<Sweep | null> {
    if (starting.value) return null
    starting.value = true
    startError.value = null
    try {
      const s = await getApi().startSweep(spec)
      apply(s)
      return s
    } catch (err) {
      startError.value = toApiError(err)
      return null
    } finally {
      starting.value = false
    }
  }

  async function run<T>(id: string, action: SweepAction, call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    if (pending.value[id]) return { ok: false }
    pending.value = { ...pending.value, [id]: action }
    errors.value = omit(errors.value, id)
    try {
      return { ok: true, value: await call() }
    } catch (err) {
      errors.value = { ...errors.value, [id]: { action, error: toApiError(err) } }
      return { ok: false }
    } finally {
      pending.value = omit(pending.value, id)
    }
  }

  /** Cancels the running sweep; the configurations it measured are kept. */
  async function cancel(id: string): Promise<boolean> {
    const done = await run(id, 'cancelling', () => getApi().cancelSweep(id))
    if (done.ok) apply(done.value)
    return done.ok
  }

  /** Deletes a finished sweep (its runs and benchmarks stay). */
  async function remove(id: string): Promise<boolean> {
    const done = await run(id, 'deleting', () => getApi().deleteSweep(id))
    if (done.ok) {
      sweeps.value = sweeps.value.filter((s) => s.id !== id)
      details.value = omit(details.value, id)
      applied.value = omit(applied.value, id)
    }
    return done.ok
  }

  /**
   * Writes a configuration of the sweep (the best when `index` is null) into its model's settings;
   * resolves to the promotion (what changed), or null (`errorOf(id, 'applying')` says why).
   */
  async function applyConfig(id: string, index: number | null): Promise<Promotion | null> {
    const done = await run(id, 'applying', () => getApi().applySweep(id, { config_index: index }))
    if (!done.ok) return null
    const promotion = done.value
    applied.value = { ...applied.value, [id]: promotion }
    const held = byId(id)
    if (held) apply({ ...held, applied_at: promotion.at })
    const history = promotions.value[promotion.model_id]
    if (history?.value) {
      promotions.value = {
        ...promotions.value,
        [promotion.model_id]: { ...history, value: [promotion, ...history.value.filter((p) => p.id !== promotion.id)] },
      }
    }
    return promotion
  }

  /** Fetches a model's promotions, newest first. */
  async function loadPromotions(modelId: string): Promise<void> {
    const held = promotions.value[modelId]
    promotions.value = { ...promotions.value, [modelId]: { loading: true, value: held?.value ?? null, error: null } }
    try {
      const list = [...(await getApi().listPromotions({ model_id: modelId }))].sort((a, b) => b.at - a.at)
      promotions.value = { ...promotions.value, [modelId]: { loading: false, value: list, error: null } }
    } catch (err) {
      promotions.value = { ...promotions.value, [modelId]: { loading: false, value: promotions.value[modelId]?.value ?? null, error: toApiError(err) } }
    }
  }

  /** Why the last `action` on a sweep failed, or null. */
  function errorOf(id: string, action: SweepAction): ApiError | null {
    const e = errors.value[id]
    return e && e.action === action ? e.error : null
  }

  /** Saves a sweep's report: a download in a browser, a file in Downloads in the desktop app. */
  async function saveReport(id: string, format: BenchmarkExportFormat): Promise<ExportResult | null> {
    if (exporting.value) return null
    exporting.value = format
    exportError.value = null
    try {
      return await getApi().saveSweepReport({ id, format })
    } catch (err) {
      exportError.value = toApiError(err)
      return null
    } finally {
      exporting.value = null
    }
  }

  /** Follows sweep events and reloads on every reconnect; called once, at app start (startup.ts). */
  function connect(): void {
    const api = getApi()
    api.onEvent((e) => {
      if (e.type === 'sweep_update') apply(e.data)
    })
    api.onConnectionChange((state) => {
      if (state === 'open' && following) void load()
    })
  }

  return {
    sweeps,
    loaded,
    loading,
    loadError,
    details,
    starting,
    startError,
    pending,
    errors,
    applied,
    promotions,
    exporting,
    exportError,
    running,
    load,
    follow,
    byId,
    apply,
    loadDetail,
    start,
    cancel,
    remove,
    applyConfig,
    loadPromotions,
    errorOf,
    saveReport,
    connect,
  }
})
