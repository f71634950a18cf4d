import { ref, type Ref } from 'vue'
import { type ApiError, getApi, toApiError } from '../api'
import type { BenchmarkExportFormat } from '../generated/BenchmarkExportFormat'
import type { Event as LlmopsEvent } from '../generated/Event'
import { omit, type Keyed } from '../lib/hub/keyed'

/*
 * The pieces the stores of records (benchmarks, runs, sweeps, downloads) share: a list kept live
 * from events, records fetched one by one, actions on a record, a selection of records and report
 * exports. Each is a plain function called inside a store's setup; the store returns the refs it
 * gives under its own names, so pinia holds them as the store's state.
 */

/** An action on a record that failed, and why. */
export interface ActionError<A extends string> {
  action: A
  error: ApiError
}

/** The actions on records (one at a time per record): which one is in flight, and which failed. */
export interface RecordActions<A extends string> {
  /** The action in flight per record id. */
  pending: Ref<Record<string, A>>
  /** The last failed action per record id, with its error (cleared when another starts). */
  errors: Ref<Record<string, ActionError<A>>>
  /**
   * Runs `call` as `action` on record `id`, unless an action on it is in flight already; `done`
   * gets the answer once it succeeded. Resolves to whether it ran and succeeded (when not,
   * `errorOf(id, action)` says why).
   */
  run<T>(id: string, action: A, call: () => Promise<T>, done?: (answer: T) => void): Promise<boolean>
  /** Why the last `action` on record `id` failed, or null (it did not, or another action failed). */
  errorOf(id: string, action: A): ApiError | null
}

export function recordActions<A extends string>(): RecordActions<A> {
  const pending = ref({}) as Ref<Record<string, A>>
  const errors = ref({}) as Ref<Record<string, ActionError<A>>>

  async function run<T>(id: string, action: A, call: () => Promise<T>, done?: (answer: T) => void): Promise<boolean> {
    if (pending.value[id]) return false
    pending.value = { ...pending.value, [id]: action }
    errors.value = omit(errors.value, id)
    let answer: T
    try {
      answer = await call()
    } catch (err) {
      errors.value = { ...errors.value, [id]: { action, error: toApiError(err) } }
      return false
    } finally {
      pending.value = omit(pending.value, id)
    }
    done?.(answer)
    return true
  }

  function errorOf(id: string, action: A): ApiError | null {
    const e = errors.value[id]
    return e && e.action === action ? e.error : null
  }

  return { pending, errors, run, errorOf }
}

/** Records ticked (for comparison), in the order they were ticked. */
export interface Selection {
  selected: Ref<string[]>
  /** Ticks or unticks `id`; without `on`, switches it. A ticked id goes to the end. */
  toggleSelected(id: string, on?: boolean): void
  /** Keeps only the ids in `ids` (the records that still exist). */
  retainSelected(ids: Iterable<string>): void
  /** Unticks `id` (a deleted record). */
  unselect(id: string): void
}

export function selection(): Selection {
  const selected = ref<string[]>([])

  function toggleSelected(id: string, on = !selected.value.includes(id)): void {
    const without = selected.value.filter((s) => s !== id)
    selected.value = on ? [...without, id] : without
  }

  function retainSelected(ids: Iterable<string>): void {
    const keep = new Set(ids)
    selected.value = selected.value.filter((id) => keep.has(id))
  }

  function unselect(id: string): void {
    selected.value = selected.value.filter((s) => s !== id)
  }

  return { selected, toggleSelected, retainSelected, unselect }
}

/** Report exports (one at a time): the format being made, and why the last one failed. */
export interface ReportExport {
  exporting: Ref<BenchmarkExportFormat | null>
  exportError: Ref<ApiError | null>
  /**
   * Runs `call` (a transport's `save…Report`, or an export) as the export of `format`, unless one
   * is in flight; resolves to its answer, or null when it did not run or failed (`exportError`).
   */
  exportAs<T>(format: BenchmarkExportFormat, call: () => Promise<T>): Promise<T | null>
}

export function reportExport(): ReportExport {
  const exporting = ref<BenchmarkExportFormat | null>(null)
  const exportError = ref<ApiError | null>(null)

  async function exportAs<T>(format: BenchmarkExportFormat, call: () => Promise<T>): Promise<T | null> {
    if (exporting.value) return null
    exporting.value = format
    exportError.value = null
    try {
      return await call()
    } catch (err) {
      exportError.value = toApiError(err)
      return null
    } finally {
      exporting.value = null
    }
  }

  return { exporting, exportError, exportAs }
}

/** How a live list is fetched and put together. */
export interface LiveListOptions<T> {
  /** Asks the core for the list (called when a load starts). */
  fetch: () => Promise<T[]>
  /**
   * The list to hold: the fetched one with the updates that arrived while it was on its way
   * applied over it (they are newer). Called only for the answer of the latest load.
   */
  settle: (fetched: T[], arrived: T[]) => T[]
}

/**
 * A list of records loaded once a page asks for it (`follow`), then kept live by the store's
 * events (`items` updated by the store, each update passed to `arrived`), and loaded again when
 * the connection opens again (`reconnected`).
 */
export interface LiveList<T> {
  items: Ref<T[]>
  loaded: Ref<boolean>
  loading: Ref<boolean>
  loadError: Ref<ApiError | null>
  /** Fetches the list; an answer overtaken by a newer load is dropped. */
  load(): Promise<void>
  /** A page shows the list: it loads once (at once again with `reload`: another query), then stays live. */
  follow(reload?: boolean): void
  /** An update the store applied to `items`: applied again over a fetch in flight. */
  arrived(item: T): void
  /** The connection opened again: a followed list is fetched again (events may have been missed). */
  reconnected(): void
}

export function liveList<T>(options: LiveListOptions<T>): LiveList<T> {
  const items = ref([]) as Ref<T[]>
  const loaded = ref(false)
  const loading = ref(false)
  const loadError = ref<ApiError | null>(null)
  let following = false
  /** Updates that arrived while the list was being fetched: applied again over its (older) answer. */
  let arrivedDuringFetch: T[] | null = null
  let generation = 0

  async function load(): Promise<void> {
    const gen = ++generation
    loading.value = true
    const arrived: T[] = []
    arrivedDuringFetch = arrived
    try {
      const fetched = await options.fetch()
      if (gen !== generation) return
      items.value = options.settle(fetched, arrived)
      loaded.value = true
      loadError.value = null
    } catch (err) {
      if (gen === generation) loadError.value = toApiError(err)
    } finally {
      if (arrivedDuringFetch === arrived) arrivedDuringFetch = null
      if (gen === generation) loading.value = false
    }
  }

  function follow(reload = false): void {
    following = true
    if (reload) {
      loaded.value = false
      items.value = []
      void load()
    } else if (!loaded.value && !loading.value) {
      void load()
    }
  }

  function arrived(item: T): void {
    arrivedDuringFetch?.push(item)
  }

  function reconnected(): void {
    if (following) void load()
  }

  return { items, loaded, loading, loadError, load, follow, arrived, reconnected }
}

/**
 * Fetches one record into `held[key]` (a detail, a log): loading, then its value or why it failed,
 * keeping the value held before meanwhile. `settle` makes the value kept from the answer and the
 * value held when it arrived (an event may have brought a newer state meanwhile). Resolves to the
 * value kept, or null when the fetch failed.
 */
export async function loadKeyed<T>(
  held: Ref<Record<string, Keyed<T>>>,
  key: string,
  fetch: () => Promise<T>,
  settle: (fetched: T, now: T | null) => T = (fetched) => fetched,
): Promise<T | null> {
  held.value = { ...held.value, [key]: { loading: true, value: held.value[key]?.value ?? null, error: null } }
  try {
    const fetched = await fetch()
    const value = settle(fetched, held.value[key]?.value ?? null)
    held.value = { ...held.value, [key]: { loading: false, value, error: null } }
    return value
  } catch (err) {
    held.value = { ...held.value, [key]: { loading: false, value: held.value[key]?.value ?? null, error: toApiError(err) } }
    return null
  }
}

/** The events that carry a record (every one but `local_models_changed`). */
type DataEvent = Extract<LlmopsEvent, { data: unknown }>
export type DataEventType = DataEvent['type']
/** What an event of `type` carries. */
export type EventData<K extends DataEventType> = Extract<DataEvent, { type: K }>['data']

/**
 * Subscribes to the events of one `type` (each one's record goes to `apply`) and to the
 * connection opening again (`reconnected`, e.g. a `LiveList`'s). Called once per store, at app
 * start (startup.ts).
 */
export function followEvents<K extends DataEventType>(type: K, apply: (data: EventData<K>) => void, reconnected: () => void): void {
  const api = getApi()
  api.onEvent((e) => {
    // An event of `type` carries `EventData<K>` (TypeScript does not narrow a union by a generic tag).
    if (e.type === type) apply((e as unknown as { data: EventData<K> }).data)
  })
  api.onConnectionChange((state) => {
    if (state === 'open') reconnected()
  })
}
