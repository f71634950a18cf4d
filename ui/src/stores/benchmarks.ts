import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { type ApiError, type ExportResult, getApi, toApiError } from '../api'
import type { Benchmark } from '../generated/Benchmark'
import type { BenchmarkExport } from '../generated/BenchmarkExport'
import type { BenchmarkExportFormat } from '../generated/BenchmarkExportFormat'
import type { BenchmarkPatch } from '../generated/BenchmarkPatch'
import type { BenchmarkSpec } from '../generated/BenchmarkSpec'
import type { HardwareSpec } from '../generated/HardwareSpec'
import { omit, type Keyed } from '../lib/hub/keyed'
import { followEvents, liveList, loadKeyed, recordActions, reportExport, selection } from './recordActions'

/** What a benchmark's row or detail is waiting for. */
export type BenchAction = 'cancelling' | 'saving' | 'deleting'

/** Newest first; the same start time keeps its order. */
function newestFirst(list: Benchmark[]): Benchmark[] {
  return [...list].sort((a, b) => b.started_at - a.started_at)
}

/** `list` with `b` added or replaced by id, newest first. */
export function upsertBenchmark(list: Benchmark[], b: Benchmark): Benchmark[] {
  const at = list.findIndex((x) => x.id === b.id)
  if (at === -1) return newestFirst([b, ...list])
  // A benchmark never runs again once it ended: a running answer that arrives after the end
  // (an action's reply overtaken by the event) is older, not newer.
  if (list[at].state !== 'running' && b.state === 'running') return list
  const next = [...list]
  next[at] = b
  return next
}

/**
 * An update (which carries no per-request samples or resource readings) over the record held
 * with them: each level keeps the samples it had, and the record its readings, when the update
 * has none.
 */
export function keepSamples(update: Benchmark, held: Benchmark | null): Benchmark {
  if (!held) return update
  return {
    ...update,
    resources: update.resources?.length ? update.resources : held.resources,
    results: update.results.map((r) => {
      if (r.samples.length > 0) return r
      const before = held.results.find((h) => h.load === r.load)
      return before && before.samples.length > 0 ? { ...r, samples: before.samples } : r
    }),
  }
}

/**
 * Benchmarks: the list (newest first, without samples), kept live from `benchmark_update`
 * events (on start, about twice a second while one runs, and at its end), the records opened in
 * full (with samples), the one running, and the actions on them. The list loads once a page asks
 * for it (`follow`); events are kept from app start (startup.ts).
 */
export const useBenchmarksStore = defineStore('benchmarks', () => {
  /** The ids ticked for comparison, in the order they were ticked. */
  const { selected, toggleSelected, retainSelected, unselect } = selection()
  const list = liveList<Benchmark>({
    fetch: () => getApi().listBenchmarks(),
    settle: (fetched, arrived) => {
      const listed = arrived.reduce(upsertBenchmark, newestFirst(fetched))
      retainSelected(listed.map((b) => b.id))
      return listed
    },
  })
  const { items: benchmarks, loaded, loading, loadError, load } = list
  /** Records fetched in full (with per-request samples), by id. */
  const details = ref<Record<string, Keyed<Benchmark>>>({})
  /** A start in flight, and why the last start of each kind failed. */
  const starting = ref<'load' | 'hardware' | null>(null)
  const startErrors = ref<{ load: ApiError | null; hardware: ApiError | null }>({ load: null, hardware: null })
  /** The action in flight per benchmark id, and the last failed one with its error. */
  const { pending, errors, run, errorOf } = recordActions<BenchAction>()
  const { exporting, exportError, exportAs } = reportExport()

  /** The benchmark running now (one at a time), or null. */
  const running = computed(() => benchmarks.value.find((b) => b.state === 'running') ?? null)

  /** The Benchmarks page shows the list: it loads once, then stays live (and reloads on reconnect). */
  const follow = () => list.follow()

  function byId(id: string): Benchmark | null {
    return benchmarks.value.find((b) => b.id === id) ?? null
  }

  /** One `benchmark_update` (or an action's answer): the list's row, and the full record if one is held. */
  function apply(b: Benchmark): void {
    benchmarks.value = upsertBenchmark(benchmarks.value, b)
    list.arrived(b)
    const held = details.value[b.id]
    if (!held) return
    const before = held.value
    details.value = { ...details.value, [b.id]: { ...held, value: keepSamples(b, before) } }
    // It ended: its last level's samples are stored now.
    if (before?.state === 'running' && b.state !== 'running') void loadDetail(b.id)
  }

  /** Fetches a benchmark in full, with its per-request samples. */
  function loadDetail(id: string): Promise<Benchmark | null> {
    // An end that arrived while this was on its way is newer than a running answer.
    return loadKeyed(details, id, () => getApi().getBenchmark(id), (b, now) =>
      now && now.state !== 'running' && b.state === 'running' ? keepSamples(now, b) : b,
    )
  }

  async function startWith(kind: 'load' | 'hardware', call: () => Promise<Benchmark>): Promise<Benchmark | null> {
    if (starting.value) return null
    starting.value = kind
    startErrors.value = { ...startErrors.value, [kind]: null }
    try {
      const b = await call()
      apply(b)
      return b
    } catch (err) {
      startErrors.value = { ...startErrors.value, [kind]: toApiError(err) }
      return null
    } finally {
      starting.value = null
    }
  }

  /** Starts a load benchmark; resolves to its record, or null (`startErrors.load` says why). */
  const startLoad = (spec: BenchmarkSpec) => startWith('load', () => getApi().startBenchmark(spec))
  /** Starts `llama-bench` on a model; resolves to its record, or null (`startErrors.hardware` says why). */
  const startHardware = (spec: HardwareSpec) => startWith('hardware', () => getApi().startHardwareBenchmark(spec))

  /** Cancels the running benchmark; the levels it finished are kept. */
  const cancel = (id: string) => run(id, 'cancelling', () => getApi().cancelBenchmark(id), apply)
  /** Renames a benchmark, or sets its tags and notes. */
  const update = (id: string, patch: BenchmarkPatch) => run(id, 'saving', () => getApi().updateBenchmark(id, patch), apply)

  /** Deletes a finished benchmark: off the list, the selection and the records held. */
  const remove = (id: string) =>
    run(id, 'deleting', () => getApi().deleteBenchmark(id), () => {
      benchmarks.value = benchmarks.value.filter((b) => b.id !== id)
      unselect(id)
      details.value = omit(details.value, id)
    })

  /**
   * Saves the benchmarks `ids` as a report file: a download in a browser, a file in Downloads in
   * the desktop app. Resolves to where it went, or null when it failed (`exportError` says why).
   */
  const saveReport = (ids: string[], format: BenchmarkExportFormat): Promise<ExportResult | null> =>
    exportAs(format, () => getApi().saveBenchmarkReport({ ids, format }))

  /** The benchmarks `ids` as a report file; null when it failed (`exportError` says why). */
  const exportReport = (ids: string[], format: BenchmarkExportFormat): Promise<BenchmarkExport | null> =>
    exportAs(format, () => getApi().exportBenchmarks({ ids, format }))

  /** Follows benchmark events and reloads on every reconnect; called once, at app start (startup.ts). */
  const connect = () => followEvents('benchmark_update', apply, list.reconnected)

  return {
    benchmarks,
    loaded,
    loading,
    loadError,
    details,
    starting,
    startErrors,
    pending,
    errors,
    selected,
    exporting,
    exportError,
    running,
    load,
    follow,
    byId,
    apply,
    loadDetail,
    startLoad,
    startHardware,
    cancel,
    update,
    remove,
    errorOf,
    toggleSelected,
    exportReport,
    saveReport,
    connect,
  }
})
