import { defineStore } from 'pinia'
import { ref } from 'vue'
import { type ExportResult, getApi } from '../api'
import type { BenchmarkExportFormat } from '../generated/BenchmarkExportFormat'
import type { LogLine } from '../generated/LogLine'
import type { Run } from '../generated/Run'
import type { RunDetail } from '../generated/RunDetail'
import type { RunPatch } from '../generated/RunPatch'
import { omit, type Keyed } from '../lib/hub/keyed'
import { isLiveRun } from '../lib/runs/runFormat'
import { followEvents, liveList, loadKeyed, recordActions, reportExport, selection } from './recordActions'

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
  /** The model whose runs are listed ('' for every model's). */
  const model = ref('')
  const listed = (r: Run) => !model.value || r.model_id === model.value
  const list = liveList<Run>({
    fetch: () => getApi().listRuns({ ...(model.value ? { model_id: model.value } : {}), limit: RUN_LIST_LIMIT }),
    settle: (fetched, arrived) => arrived.filter(listed).reduce(upsertRun, newestFirst(fetched)),
  })
  const { items: runs, loaded, loading, loadError, load } = list
  const details = ref<Record<string, Keyed<RunDetail>>>({})
  const logs = ref<Record<string, Keyed<LogLine[]>>>({})
  const { pending, errors, run, errorOf } = recordActions<RunAction>()
  /** The ids ticked for comparison, in the order they were ticked. */
  const { selected, toggleSelected, unselect } = selection()
  const { exporting, exportError, exportAs } = reportExport()

  /**
   * The Runs page shows the list of one model's runs (`modelId`, '' for all; the one shown when
   * absent): it loads once, again at once for another model, then stays live (and reloads on reconnect).
   */
  function follow(modelId = model.value): void {
    const other = modelId !== model.value
    model.value = modelId
    list.follow(other)
  }

  function byId(id: string): Run | null {
    return runs.value.find((r) => r.id === id) ?? details.value[id]?.value?.run ?? null
  }

  /** One `run_update` (or an action's answer): the list's row, and the detail if one is held. */
  function apply(r: Run): void {
    if (listed(r) || runs.value.some((x) => x.id === r.id)) runs.value = upsertRun(runs.value, r)
    list.arrived(r)
    const held = details.value[r.id]
    const before = held?.value
    if (!held || !before) return
    details.value = { ...details.value, [r.id]: { ...held, value: mergeRunDetail(r, before) } }
    // It ended: its final readings, rollup and request figures are stored now.
    if (isLiveRun(before.run) && !isLiveRun(r)) void loadDetail(r.id)
  }

  /** Fetches a run in full: its readings, rollup, request figures and benchmarks. */
  async function loadDetail(id: string): Promise<RunDetail | null> {
    // An end that arrived while this was on its way is newer than a live answer.
    const d = await loadKeyed(details, id, () => getApi().getRun(id), (d, now) => (now && !isRunUpdate(now.run, d.run) ? { ...d, run: now.run } : d))
    if (d && runs.value.some((x) => x.id === id)) runs.value = upsertRun(runs.value, d.run)
    return d
  }

  /** Fetches a run's output (its last `RUN_LOG_LIMIT` lines kept by the core). */
  async function loadLog(id: string): Promise<void> {
    await loadKeyed(logs, id, () => getApi().instanceLogs(id, { limit: RUN_LOG_LIMIT }))
  }

  /** Sets a run's tags or notes. */
  const update = (id: string, patch: RunPatch) => run(id, 'saving', () => getApi().updateRun(id, patch), apply)

  /** Deletes a finished run: off the list, the selection and the records held. */
  const remove = (id: string) =>
    run(id, 'deleting', () => getApi().deleteRun(id), () => {
      runs.value = runs.value.filter((r) => r.id !== id)
      unselect(id)
      details.value = omit(details.value, id)
      logs.value = omit(logs.value, id)
    })

  /**
   * Saves a report of the runs `ids` (two or more: a comparison): a download in a browser, a file
   * in Downloads in the desktop app. Resolves to where it went, or null (`exportError` says why).
   */
  const saveReport = (ids: string[], format: BenchmarkExportFormat): Promise<ExportResult | null> =>
    exportAs(format, () => getApi().saveRunReport({ ids, format }))

  /** Follows run events and reloads on every reconnect; called once, at app start (startup.ts). */
  const connect = () => followEvents('run_update', apply, list.reconnected)

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
