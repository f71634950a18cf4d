import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { type ApiError, getApi, toApiError } from '../api'
import type { Download } from '../generated/Download'
import type { HubSource } from '../generated/HubSource'
import type { NewDownload } from '../generated/NewDownload'
import { isActiveDownload, mergeDownloads, upsertDownload } from '../lib/hub/downloads'
import { omit } from '../lib/hub/keyed'

/** What a download's row is waiting for. */
export type DownloadAction = 'pausing' | 'resuming' | 'cancelling' | 'removing'

/** The key of a start request: the hub, the repository and the first file (a quant row of the hub). */
export const startKey = (source: HubSource, repo: string, file: string) => `${source}|${repo}|${file}`

/**
 * Model downloads from the hub: the list (newest first), kept live from `download_update` events
 * (every state change, and about twice a second while one transfers), and the actions on them.
 * The list loads once a page asks for it (`follow`); events are kept from app start (startup.ts),
 * so that a page opened later sees what changed.
 */
export const useDownloadsStore = defineStore('downloads', () => {
  const downloads = ref<Download[]>([])
  const loaded = ref(false)
  const loading = ref(false)
  const loadError = ref<ApiError | null>(null)
  /** The action in flight per download id, and the last failed one's error. */
  const pending = ref<Record<string, DownloadAction>>({})
  const errors = ref<Record<string, ApiError>>({})
  /** Downloads being asked for, by `startKey`, and why the last ask failed. */
  const starting = ref<Record<string, boolean>>({})
  const startErrors = ref<Record<string, ApiError>>({})

  /** Bumped each time a download completes while the app watches: new model files are on disk. */
  const completions = ref(0)
  /** Bumped each time an Ollama pull completes: Ollama has a new model (its tab asks it again). */
  const ollamaCompletions = ref(0)
  /** Queued, transferring or retrying: the number the Downloads tab shows. */
  const activeCount = computed(() => downloads.value.filter((d) => isActiveDownload(d.state)).length)

  let following = false
  /** Updates that arrived while the list was being fetched: applied again over its (older) answer. */
  let arrivedDuringFetch: Download[] | null = null
  let generation = 0

  async function load(): Promise<void> {
    const gen = ++generation
    loading.value = true
    const arrived: Download[] = []
    arrivedDuringFetch = arrived
    try {
      const listed = await getApi().listDownloads()
      if (gen !== generation) return
      downloads.value = mergeDownloads(listed, arrived)
      loaded.value = true
      loadError.value = null
    } catch (err) {
      if (gen === generation) loadError.value = toApiError(err)
    } finally {
      if (arrivedDuringFetch === arrived) arrivedDuringFetch = null
      if (gen === generation) loading.value = false
    }
  }

  /** The Models page shows the list: it loads once, then stays live (and reloads on reconnect). */
  function follow(): void {
    following = true
    if (!loaded.value && !loading.value) void load()
  }

  /** One `download_update` (or an action's answer): the download's row, added or replaced by id. */
  function apply(d: Download): void {
    if (d.state === 'completed' && byId(d.id)?.state !== 'completed') {
      completions.value++
      if (d.source === 'ollama') ollamaCompletions.value++
    }
    downloads.value = upsertDownload(downloads.value, d)
    arrivedDuringFetch?.push(d)
  }

  function byId(id: string): Download | null {
    return downloads.value.find((d) => d.id === id) ?? null
  }

  /**
   * Starts downloading files of a repository on a hub, at `revision` (when absent, the hub's
   * default branch: `main` on Hugging Face, `master` on ModelScope); resolves to the download,
   * or null (`startErrors` says why).
   */
  async function start(source: HubSource, repo: string, files: string[], revision?: string): Promise<Download | null> {
    const key = startKey(source, repo, files[0] ?? '')
    if (starting.value[key]) return null
    starting.value = { ...starting.value, [key]: true }
    startErrors.value = omit(startErrors.value, key)
    try {
      const request: NewDownload = { source, repo, files }
      if (revision) request.revision = revision
      const d = await getApi().startDownload(request)
      apply(d)
      return d
    } catch (err) {
      startErrors.value = { ...startErrors.value, [key]: toApiError(err) }
      return null
    } finally {
      starting.value = omit(starting.value, key)
    }
  }

  async function run(id: string, action: DownloadAction, call: () => Promise<Download | void>): Promise<boolean> {
    if (pending.value[id]) return false
    pending.value = { ...pending.value, [id]: action }
    errors.value = omit(errors.value, id)
    try {
      const answer = await call()
      if (answer) apply(answer)
      return true
    } catch (err) {
      errors.value = { ...errors.value, [id]: toApiError(err) }
      return false
    } finally {
      pending.value = omit(pending.value, id)
    }
  }

  const pause = (id: string) => run(id, 'pausing', () => getApi().pauseDownload(id))
  const resume = (id: string) => run(id, 'resuming', () => getApi().resumeDownload(id))
  const cancel = (id: string) => run(id, 'cancelling', () => getApi().cancelDownload(id))
  /** Takes a finished, failed or cancelled download off the list (its files stay). */
  async function remove(id: string): Promise<boolean> {
    const ok = await run(id, 'removing', () => getApi().removeDownload(id))
    if (ok) downloads.value = downloads.value.filter((d) => d.id !== id)
    return ok
  }

  /** Follows download events and reloads on every reconnect; called once, at app start (startup.ts). */
  function connect(): void {
    const api = getApi()
    api.onEvent((e) => {
      if (e.type === 'download_update') apply(e.data)
    })
    api.onConnectionChange((state) => {
      if (state === 'open' && following) void load()
    })
  }

  return {
    downloads,
    loaded,
    loading,
    loadError,
    pending,
    errors,
    starting,
    startErrors,
    activeCount,
    completions,
    ollamaCompletions,
    load,
    follow,
    apply,
    byId,
    start,
    pause,
    resume,
    cancel,
    remove,
    connect,
  }
})
