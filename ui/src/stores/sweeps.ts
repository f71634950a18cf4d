import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { type ApiError, type ExportResult, getApi, toApiError } from '../api'
import type { BenchmarkExportFormat } from '../generated/BenchmarkExportFormat'
import type { Promotion } from '../generated/Promotion'
import type { Sweep } from '../generated/Sweep'
import type { SweepSpec } from '../generated/SweepSpec'
import { omit, type Keyed } from '../lib/hub/keyed'
import { followEvents, liveList, loadKeyed, recordActions, reportExport } from './recordActions'

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
  const list = liveList<Sweep>({
    fetch: () => getApi().listSweeps(),
    settle: (fetched, arrived) => arrived.reduce(upsertSweep, newestFirst(fetched)),
  })
  const { items: sweeps, loaded, loading, loadError, load } = list
  const details = ref<Record<string, Keyed<Sweep>>>({})
  const starting = ref(false)
  const startError = ref<ApiError | null>(null)
  const { pending, errors, run, errorOf } = recordActions<SweepAction>()
  /** The promotion each sweep's last apply made (what changed), by sweep id. */
  const applied = ref<Record<string, Promotion>>({})
  /** Each model's promotions, newest first, by model id. */
  const promotions = ref<Record<string, Keyed<Promotion[]>>>({})
  const { exporting, exportError, exportAs } = reportExport()

  /** The sweep running now (one at a time), or null. */
  const running = computed(() => sweeps.value.find((s) => s.state === 'running') ?? null)

  /** The Sweeps page shows the list: it loads once, then stays live (and reloads on reconnect). */
  const follow = () => list.follow()

  function byId(id: string): Sweep | null {
    return sweeps.value.find((s) => s.id === id) ?? details.value[id]?.value ?? null
  }

  /** One `sweep_update` (or an action's answer): the list's row, and the record if one is held. */
  function apply(s: Sweep): void {
    sweeps.value = upsertSweep(sweeps.value, s)
    list.arrived(s)
    const held = details.value[s.id]
    if (held?.value && isSweepUpdate(held.value, s)) details.value = { ...details.value, [s.id]: { ...held, value: s } }
  }

  async function loadDetail(id: string): Promise<Sweep | null> {
    // An end that arrived while this was on its way is newer than a running answer.
    const s = await loadKeyed(details, id, () => getApi().getSweep(id), (s, now) => (now && !isSweepUpdate(now, s) ? now : s))
    if (s && sweeps.value.some((x) => x.id === id)) sweeps.value = upsertSweep(sweeps.value, s)
    return s
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

  /** Cancels the running sweep; the configurations it measured are kept. */
  const cancel = (id: string) => run(id, 'cancelling', () => getApi().cancelSweep(id), apply)

  /** Deletes a finished sweep (its runs and benchmarks stay). */
  const remove = (id: string) =>
    run(id, 'deleting', () => getApi().deleteSweep(id), () => {
      sweeps.value = sweeps.value.filter((s) => s.id !== id)
      details.value = omit(details.value, id)
      applied.value = omit(applied.value, id)
    })

  /** A promotion `applyConfig` made: what the sweep and the model's history show. */
  function promoted(id: string, promotion: Promotion): void {
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
  }

  /**
   * Writes a configuration of the sweep (the best when `index` is null) into its model's settings;
   * resolves to the promotion (what changed), or null (`errorOf(id, 'applying')` says why).
   */
  async function applyConfig(id: string, index: number | null): Promise<Promotion | null> {
    let made: Promotion | null = null
    await run(id, 'applying', () => getApi().applySweep(id, { config_index: index }), (promotion) => {
      made = promotion
      promoted(id, promotion)
    })
    return made
  }

  /** Fetches a model's promotions, newest first. */
  async function loadPromotions(modelId: string): Promise<void> {
    await loadKeyed(promotions, modelId, async () => [...(await getApi().listPromotions({ model_id: modelId }))].sort((a, b) => b.at - a.at))
  }

  /** Saves a sweep's report: a download in a browser, a file in Downloads in the desktop app. */
  const saveReport = (id: string, format: BenchmarkExportFormat): Promise<ExportResult | null> =>
    exportAs(format, () => getApi().saveSweepReport({ id, format }))

  /** Follows sweep events and reloads on every reconnect; called once, at app start (startup.ts). */
  const connect = () => followEvents('sweep_update', apply, list.reconnected)

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
