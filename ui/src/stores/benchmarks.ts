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
  const benchmarks = ref<Benchmark[]>([])
  const loaded = ref(false)
  const loading = ref(false)
  const loadError = ref<ApiError | null>(null)
  /** Records fetched in full (with per-request samples), by id. */
  const details = ref<Record<string, Keyed<Benchmark>>>({})
  /** A start in flight, and why the last start of each kind failed. */
  const starting = ref<'load' | 'hardware' | null>(null)
  const startErrors = ref<{ load: ApiError | null; hardware: ApiError | null }>({ load: null, hardware: null })
  /** The action in flight per benchmark id, and the last failed one with its error. */
  const pending = ref<Record<string, BenchAction>>({})
  const errors = ref<Record<string, { action: BenchAction; error: ApiError }>>({})
  /** The ids ticked for comparison, in the order they were ticked. */
  const selected = ref<string[]>([])
  const exporting = ref<BenchmarkExportFormat | null>(null)
  const exportError = ref<ApiError | null>(null)

  /** The benchmark running now (one at a time), or null. */
  const running = computed(() => benchmarks.value.find((b) => b.state === 'running') ?? null)

  let following = false
  /** Updates that arrived while the list was being fetched: applied again over its (older) answer. */
  let arrivedDuringFetch: Benchmark[] | null = null
  let generation = 0

  async function load(): Promise<void> {
    const gen = ++generation
    loading.value = true
    const arrived: Benchmark[] = []
    arrivedDuringFetch = arrived
    try {
      let listed = newestFirst(await getApi().listBenchmarks())
      if (gen !== generation) return
      for (const b of arrived) listed = upsertBenchmark(listed, b)
      benchmarks.value = listed
      const ids = new Set(listed.map((b) => b.id))
      selected.value = selected.value.filter((id) => ids.has(id))
      loaded.value = true
      loadError.value = null
    } catch (err) {
      if (gen === generation) loadError.value = toApiError(err)
    } finally {
      if (arrivedDuringFetch === arrived) arrivedDuringFetch = null
      if (gen === generation) loading.value = false
    }
  }

  /** The Benchmarks page shows the list: it loads once, then stays live (and reloads on reconnect). */
  function follow(): void {
    following = true
    if (!loaded.value && !loading.value) void load()
  }

  function byId(id: string): Benchmark | null {
    return benchmarks.value.find((b) => b.id === id) ?? null
  }

  /** One `benchmark_update` (or an action's answer): the list's row, and the full record if one is held. */
  function apply(b: Benchmark): void {
    benchmarks.value = upsertBenchmark(benchmarks.value, b)
    arrivedDuringFetch?.push(b)
    const held = details.value[b.id]
    if (!held) return
    const before = held.value
    details.value = { ...details.value, [b.id]: { ...held, value: keepSamples(b, before) } }
    // It ended: its last level's samples are stored now.
    if (before?.state === 'running' && b.state !== 'running') void loadDetail(b.id)
  }

  /** Fetches a benchmark in full, with its per-request samples. */
  async function loadDetail(id: string): Promise<Benchmark | null> {
    const held = details.value[id]
    details.value = { ...details.value, [id]: { loading: true, value: held?.value ?? null, error: null } }
    try {
      let b = await getApi().getBenchmark(id)
      // An end that arrived while this was on its way is newer than a running answer.
      const now = details.value[id]?.value
      if (now && now.state !== 'running' && b.state === 'running') b = keepSamples(now, b)
      details.value = { ...details.value, [id]: { loading: false, value: b, error: null } }
      return b
    } catch (err) {
      details.value = { ...details.value, [id]: { loading: false, value: details.value[id]?.value ?? null, error: toApiError(err) } }
      return null
    }
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

  async function run(id: string, action: BenchAction, call: () => Promise<Benchmark | void>): Promise<boolean> {
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

  /** Cancels the running benchmark; the levels it finished are kept. */
  const cancel = (id: string) => run(id, 'cancelling', () => getApi().cancelBenchmark(id))
  /** Renames a benchmark, or sets its tags and notes. */
  const update = (id: string, patch: BenchmarkPatch) => run(id, 'saving', () => getApi().updateBenchmark(id, patch))

  /** Deletes a finished benchmark: off the list, the selection and the records held. */
  async function remove(id: string): Promise<boolean> {
    const ok = await run(id, 'deleting', () => getApi().deleteBenchmark(id))
    if (ok) {
      benchmarks.value = benchmarks.value.filter((b) => b.id !== id)
      selected.value = selected.value.filter((s) => s !== id)
      details.value = omit(details.value, id)
    }
    return ok
  }

  /** Why the last `action` on a benchmark failed, or null. */
  function errorOf(id: string, action: BenchAction): ApiError | null {
    const e = errors.value[id]
    return e && e.action === action ? e.error : null
  }

  function toggleSelected(id: string, on = !selected.value.includes(id)): void {
    const without = selected.value.filter((s) => s !== id)
    selected.value = on ? [...without, id] : without
  }

  /**
   * Saves the benchmarks `ids` as a report file: a download in a browser, a file in Downloads in
   * the desktop app. Resolves to where it went, or null when it failed (`exportError` says why).
   */
  async function saveReport(ids: string[], format: BenchmarkExportFormat): Promise<ExportResult | null> {
    if (exporting.value) return null
    exporting.value = format
    exportError.value = null
    try {
      return await getApi().saveBenchmarkReport({ ids, format })
    } catch (err) {
      exportError.value = toApiError(err)
      return null
    } finally {
      exporting.value = null
    }
  }

  /** The benchmarks `ids` as a report file; null when it failed (`exportError` says why). */
  async function exportReport(ids: string[], format: BenchmarkExportFormat): Promise<BenchmarkExport | null> {
    if (exporting.value) return null
    exporting.value = format
    exportError.value = null
    try {
      return await getApi().exportBenchmarks({ ids, format })
    } catch (err) {
      exportError.value = toApiError(err)
      return null
    } finally {
      exporting.value = null
    }
  }

  /** Follows benchmark events and reloads on every reconnect; called once, at app start (startup.ts). */
  function connect(): void {
    const api = getApi()
    api.onEvent((e) => {
      if (e.type === 'benchmark_update') apply(e.data)
    })
    api.onConnectionChange((state) => {
      if (state === 'open' && following) void load()
    })
  }

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
