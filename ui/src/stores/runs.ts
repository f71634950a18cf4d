import { defineStore } from 'pinia'
import { ref } from 'vue'
import { type ApiError, type ExportResult, getApi, toApiError } from '../api'
import type { BenchmarkExportFormat } from '../generated/BenchmarkExportFormat'
import type { LogLine } from '../generated/LogLine'
import type { Run } from '../generated/Run'
import type { RunDetail } from '../generated/RunDetail'
import type { RunPatch } from '../generated/RunPatch'
import { omit, type Keyed } from '../lib/hub/keyed'
import { isLiveRun } from '../lib/runs/runFormat'

/** What a run's detail is waiting for. */
export type RunAction = 'saving' | 'deleting'

/** How many runs the list asks for (the core's most). */
export const RUN_LIST_LIMIT = 1000
/** How many of a run's output lines its detail shows. */
export const RUN_LOG_LIMIT = 500

function newestFirst(list: Run[]): Run[] {
  return [...list].sort((a, b) => b.started_at - a.started_at)
}

/** Whether `incoming` may replace `held` (the same run): a run never goes live again once it ended. */
export function isRunUpdate(held: Run, incoming: Run): boolean {
  return !(!isLiveRun(held) && isLiveRun(incoming))
}

/** `list` with `r` added or replaced by id, newest first; an older live copy never replaces an ended one. */
export function upsertRun(list: Run[], r: Run): Run[] {
  const at = list.findIndex((x) => x.id === r.id)
  if (at === -1) return newestFirst([r, ...list])
  if (!isRunUpdate(list[at], r)) return list
  const next = [...list]
  next[at] = r
  return next
}

/**
 * A `run_update` (a `Run`: no readings, and while it runs no rollup or request figures yet) over
 * the detail held: the detail keeps its readings and benchmarks, and its rollup and request
 * figures where the update has none.
 */
export function mergeRunDetail(update: Run, held: RunDetail): RunDetail {
  if (!isRunUpdate(held.run, update)) return held
  const rollup = update.rollup.samples > 0 || held.run.rollup.samples === 0 ? update.rollup : held.run.rollup
  return { ...held, run: { ...update, rollup, requests: update.requests ?? held.run.requests } }
}

/**
 * Runs (every instance lifetime): the list (newest first, without readings) kept live from
 * `run_update` events, of one model or all (`model`, asked of the core), the runs opened in full
 * (with their readings and benchmarks) and their logs, the ids ticked for comparison, and the
 * actions on them. The list loads once a page asks for it (`follow`); events are kept from app
 * start (startup.ts).
 */
export const useRunsStore = defineStore('runs', () => {
  const runs = ref<Run[]>([])
  /** The model whose runs are listed ('' for every model's). */
  const model = ref('')
  const loaded = ref(false)
  const loading = ref(false)
  const loadError = ref<ApiError | null>(null)
  const details = ref<Record<string, Keyed<RunDetail>>>({})
  const logs = ref<Record<string, Keyed<LogLine[]>>>({})
  const pending = ref<Record<string, RunAction>>({})
  const errors = ref<Record<string, { action: RunAction; error: ApiError }>>({})
  /** The ids ticked for comparison, in the order they were ticked. */
  const selected = ref<string[]>([])
  const exporting = ref<BenchmarkExportFormat | null>(null)
  const exportError = ref<ApiError | null>(null)

  let following = false
  let arrivedDuringFetch: Run[] | null = null
  let generation = 0

  const listed = (r: Run) => !model.value || r.model_id === model.value

  async function load(): Promise<void> {
    const gen = ++generation
    loading.value = true
    const arrived: Run[] = []
    arrivedDuringFetch = arrived
    const modelId = model.value
    try {
      let list = newestFirst(await getApi().listRuns({ ...(modelId ? { model_id: modelId } : {}), limit: RUN_LIST_LIMIT }))
      if (gen !== generation) return
      for (const r of arrived) if (listed(r)) list = upsertRun(list, r)
      runs.value = list
      loaded.value = true
      loadError.value = null
    } catch (err) {
      if (gen === generation) loadError.value = toApiError(err)
    } finally {
      if (arrivedDuringFetch === arrived) arrivedDuringFetch = null
      if (gen === generation) loading.value = false
    }
  }

  /** The Runs page shows the list: it loads once (or again for another model), then stays live. */
  function follow(modelId = model.value): void {
    following = true
    if (modelId !== model.value) {
      model.value = modelId
      loaded.value = false
      runs.value = []
      void load()
    } else if (!loaded.value && !loading.value) {
      void load()
    }
  }

  function byId(id: string): Run | null {
    return runs.value.find((r) => r.id === id) ?? details.value[id]?.value?.run ?? null
  }

  /** One `run_update` (or an action's answer): the list's row, and the detail if one is held. */
  function apply(r: Run): void {
    if (listed(r) || runs.value.some((x) => x.id === r.id)) runs.value = upsertRun(runs.value, r)
    arrivedDuringFetch?.push(r)
    const held = details.value[r.id]
    const before = held?.value
    if (!held || !before) return
    details.value = { ...details.value, [r.id]: { ...held, value: mergeRunDetail(r, before) } }
    // It ended: its final readings, rollup and request figures are stored now.
    if (isLiveRun(before.run) && !isLiveRun(r)) void loadDetail(r.id)
  }

  /** Fetches a run in full: its readings, rollup, request figures and benchmarks. */
  async function loadDetail(id: string): Promise<RunDetail | null> {
    const held = details.value[id]
    details.value = { ...details.value, [id]: { loading: true, value: held?.value ?? null, error: null } }
    try {
      let d = await getApi().getRun(id)
      // An end that arrived while this was on its way is newer than a live answer.
      const now = details.value[id]?.value
      if (now && !isRunUpdate(now.run, d.run)) d = { ...d, run: now.run }
      details.value = { ...details.value, [id]: { loading: false, value: d, error: null } }
      if (runs.value.some((x) => x.id === id)) runs.value = upsertRun(runs.value, d.run)
      return d
    } catch (err) {
      details.value = { ...details.value, [id]: { loading: false, value: details.value[id]?.value ?? null, error: toApiError(err) } }
      return null
    }
  }

  /** Fetches a run's output (its last `RUN_LOG_LIMIT` lines kept by the core). */
  async function loadLog(id: string): Promise<void> {
    const held = logs.value[id]
    logs.value = { ...logs.value, [id]: { loading: true, value: held?.value ?? null, error: null } }
    try {
      const lines = await getApi().instanceLogs(id, { limit: RUN_LOG_LIMIT })
      logs.value = { ...logs.value, [id]: { loading: false, value: lines, error: null } }
    } catch (err) {
      logs.value = { ...logs.value, [id]: { loading: false, value: logs.value[id]?.value ?? null, error: toApiError(err) } }
    }
  }

  async function run(id: string, action: RunAction, call: () => Promise<Run | void>): Promise<boolean> {
    if (pending.value[id]) return false
    pending.value = { ...pending.value, [id]: action }
    errors.value = omit(errors.value, id)
    try {
      const answer = await call()
      if (answer) apply(answer)
      return true
    } catch (err) {
      errors.value = { ...errors.value, [id]: { action, error: toApiError(err) } }
      return false
    } finally {
      pending.value = omit(pending.value, id)
    }
  }

  /** Sets a run's tags or notes. */
  const update = (id: string, patch: RunPatch) => run(id, 'saving', () => getApi().updateRun(id, patch))

  /** Deletes a finished run: off the list, the selection and the records held. */
  async function remove(id: string): Promise<boolean> {
    const ok = await run(id, 'deleting', () => getApi().deleteRun(id))
    if (ok) {
      runs.value = runs.value.filter((r) => r.id !== id)
      selected.value = selected.value.filter((s) => s !== id)
      details.value = omit(details.value, id)
      logs.value = omit(logs.value, id)
    }
    return ok
  }

  /** Why the last `action` on a run failed, or null. */
  function errorOf(id: string, action: RunAction): ApiError | null {
    const e = errors.value[id]
    return e && e.action === action ? e.error : null
  }

  function toggleSelected(id: string, on = !selected.value.includes(id)): void {
    const without = selected.value.filter((s) => s !== id)
    selected.value = on ? [...without, id] : without
  }

  /**
   * Saves a report of the runs `ids` (two or more: a comparison): a download in a browser, a file
   * in Downloads in the desktop app. Resolves to where it went, or null (`exportError` says why).
   */
  async function saveReport(ids: string[], format: BenchmarkExportFormat): Promise<ExportResult | null> {
    if (exporting.value) return null
    exporting.value = format
    exportError.value = null
    try {
      return await getApi().saveRunReport({ ids, format })
    } catch (err) {
      exportError.value = toApiError(err)
      return null
    } finally {
      exporting.value = null
    }
  }

  /** Follows run events and reloads on every reconnect; called once, at app start (startup.ts). */
  function connect(): void {
    const api = getApi()
    api.onEvent((e) => {
      if (e.type === 'run_update') apply(e.data)
    })
    api.onConnectionChange((state) => {
      if (state === 'open' && following) void load()
    })
  }

  return {
    runs,
    model,
    loaded,
    loading,
    loadError,
    details,
    logs,
    pending,
    errors,
    selected,
    exporting,
    exportError,
    load,
    follow,
    byId,
    apply,
    loadDetail,
    loadLog,
    update,
    remove,
    errorOf,
    toggleSelected,
    saveReport,
    connect,
  }
})
