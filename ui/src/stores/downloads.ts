import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { type ApiError, getApi, toApiError } from '../api'
import type { Download } from '../generated/Download'
import type { HubSource } from '../generated/HubSource'
import type { NewDownload } from '../generated/NewDownload'
import { isActiveDownload, mergeDownloads, upsertDownload } from '../lib/hub/downloads'
import { omit } from '../lib/hub/keyed'
import { followEvents, liveList, recordActions } from './recordActions'

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
  const list = liveList<Download>({ fetch: () => getApi().listDownloads(), settle: mergeDownloads })
  const { items: downloads, loaded, loading, loadError, load } = list
  /** The action in flight per download id, and the last failed one's error. */
  const actions = recordActions<DownloadAction>()
  const { pending, run } = actions
  const errors = computed<Record<string, ApiError>>(() => Object.fromEntries(Object.entries(actions.errors.value).map(([id, e]) => [id, e.error])))
  /** Downloads being asked for, by `startKey`, and why the last ask failed. */
  const starting = ref<Record<string, boolean>>({})
  const startErrors = ref<Record<string, ApiError>>({})

  /** Bumped each time a download completes while the app watches: new model files are on disk. */
  const completions = ref(0)
  /** Bumped each time an Ollama pull completes: Ollama has a new model (its tab asks it again). */
  const ollamaCompletions = ref(0)
  /** Queued, transferring or retrying: the number the Downloads tab shows. */
  const activeCount = computed(() => downloads.value.filter((d) => isActiveDownload(d.state)).length)

  /** The Models page shows the list: it loads once, then stays live (and reloads on reconnect). */
  const follow = () => list.follow()

  /** One `download_update` (or an action's answer): the download's row, added or replaced by id. */
  function apply(d: Download): void {
    if (d.state === 'completed' && byId(d.id)?.state !== 'completed') {
      if (d.source === 'ollama') ollamaCompletions.value++
      // An engine build's archive is no model file: nothing new to scan for.
      if (d.source !== 'engine_release') completions.value++
    }
    downloads.value = upsertDownload(downloads.value, d)
    list.arrived(d)
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

  const pause = (id: string) => run(id, 'pausing', () => getApi().pauseDownload(id), apply)
  const resume = (id: string) => run(id, 'resuming', () => getApi().resumeDownload(id), apply)
  const cancel = (id: string) => run(id, 'cancelling', () => getApi().cancelDownload(id), apply)
  /** Takes a finished, failed or cancelled download off the list (its files stay). */
  const remove = (id: string) =>
    run(id, 'removing', () => getApi().removeDownload(id), () => {
      downloads.value = downloads.value.filter((d) => d.id !== id)
    })

  /** Follows download events and reloads on every reconnect; called once, at app start (startup.ts). */
  const connect = () => followEvents('download_update', apply, list.reconnected)

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
