import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { type ApiError, getApi, toApiError } from '../api'
import type { EngineReleases } from '../generated/EngineReleases'
import type { EngineRuntime } from '../generated/EngineRuntime'
import type { EngineRuntimes } from '../generated/EngineRuntimes'
import type { InstallEngineRuntime } from '../generated/InstallEngineRuntime'
import { needsEngine as nothingRunsLlama, withRuntime } from '../lib/engines/engines'
import { followEvents } from './recordActions'

/**
 * The engine runtimes (llama.cpp builds the core downloads, verifies, unpacks and checks): the
 * core's overview (this computer, the runtimes, the default, the pins, the releases source and
 * the fallback), kept live from `engine_runtime_update` events, the releases offered, and the
 * actions on them. The overview loads once a page asks for it (the dashboard once, the Engines
 * page on each visit); events are followed from app start (startup.ts). A download's progress is
 * the downloads store's (a runtime's `download_id`).
 */
export const useEnginesStore = defineStore('engines', () => {
  const overview = ref<EngineRuntimes | null>(null)
  const loading = ref(false)
  /** Why the overview could not be loaded. */
  const loadError = ref<ApiError | null>(null)
  /** The action in flight (one at a time): `install:<id>`, `default:<id>`, `remove:<id>`, `rollback`, `pin:<model>`, `source`. */
  const busy = ref<string | null>(null)
  /** Why the last action failed (cleared when another starts), and which action it was (a `busy` key): shown where it was asked for. */
  const error = ref<ApiError | null>(null)
  const errorKey = ref<string | null>(null)

  const releases = ref<EngineReleases | null>(null)
  const releasesLoading = ref(false)
  const releasesError = ref<ApiError | null>(null)

  /** No runtime is installed and no `llama-server` was found: the first-run offer shows. False until loaded. */
  const needsEngine = computed(() => nothingRunsLlama(overview.value))

  let generation = 0
  /** An update arrived while a load was on its way: its answer may be older, so load again after it. */
  let changedDuringLoad = false

  async function load(): Promise<void> {
    const gen = ++generation
    loading.value = true
    changedDuringLoad = false
    try {
      const fetched = await getApi().listEngineRuntimes()
      if (gen !== generation) return
      overview.value = fetched
      loadError.value = null
    } catch (err) {
      if (gen === generation) loadError.value = toApiError(err)
    } finally {
      if (gen === generation) {
        loading.value = false
        if (changedDuringLoad) void load()
      }
    }
  }

  /** Loads the overview unless it is loaded or loading (the dashboard, once). */
  function ensureLoaded(): void {
    if (!overview.value && !loading.value) void load()
  }

  /**
   * One `engine_runtime_update`: the runtime's record replaced (or added). Once it is installed
   * or failed the overview loads again: the default, and what the fallback is, may have changed.
   */
  function applyRuntimeUpdate(runtime: EngineRuntime): void {
    if (overview.value) overview.value = withRuntime(overview.value, runtime)
    if (loading.value) changedDuringLoad = true
    else if (overview.value && (runtime.state === 'installed' || runtime.state === 'failed')) void load()
  }

  /** Runs one action (unless one is in flight); resolves to its answer, or null with `error` set. */
  async function act<T>(key: string, call: () => Promise<T>): Promise<T | null> {
    if (busy.value) return null
    busy.value = key
    error.value = null
    errorKey.value = null
    try {
      return await call()
    } catch (err) {
      error.value = toApiError(err)
      errorKey.value = key
      return null
    } finally {
      busy.value = null
    }
  }

  /** An action that answers with the whole overview: it replaces the one held. */
  async function change(key: string, call: () => Promise<EngineRuntimes>): Promise<boolean> {
    const answer = await act(key, call)
    if (!answer) return false
    generation++ // a load on its way now answers with an older overview
    loading.value = false
    overview.value = answer
    return true
  }

  /**
   * Starts installing a build (`{}`: the recommended build of the newest release); its download
   * shows in the downloads list, and events follow it. Resolves to the runtime, or null.
   */
  async function install(request: InstallEngineRuntime = {}): Promise<EngineRuntime | null> {
    const key = request.version ? `install:${request.version}-${request.variant ?? ''}` : 'install:recommended'
    const runtime = await act(key, () => getApi().installEngineRuntime(request))
    if (runtime) applyRuntimeUpdate(runtime)
    return runtime
  }

  const setDefault = (id: string) => change(`default:${id}`, () => getApi().setDefaultEngineRuntime({ id }))
  const remove = (id: string) => change(`remove:${id}`, () => getApi().removeEngineRuntime(id))
  const rollBack = () => change('rollback', () => getApi().rollBackEngineRuntime())
  /** Pins a model to a runtime, or (null) back to the default. */
  const pin = (modelId: string, runtimeId: string | null) =>
    change(`pin:${modelId}`, () => getApi().pinEngineRuntime({ model_id: modelId, runtime_id: runtimeId }))

  /** Lists releases from a mirror (`url`), or GitHub again (null); the releases listed from the old source go. */
  async function setSource(url: string | null): Promise<boolean> {
    const done = await change('source', () => getApi().setEngineReleasesSource({ url }))
    if (done) {
      releases.value = null
      releasesError.value = null
    }
    return done
  }

  /** Asks the releases source (the network): only when the user asks. */
  async function loadReleases(): Promise<void> {
    if (releasesLoading.value) return
    releasesLoading.value = true
    releasesError.value = null
    try {
      releases.value = await getApi().listEngineReleases()
    } catch (err) {
      releasesError.value = toApiError(err)
    } finally {
      releasesLoading.value = false
    }
  }

  /** Follows runtime events, and loads a loaded overview again on reconnect; called once, at app start (startup.ts). */
  const connect = () =>
    followEvents('engine_runtime_update', applyRuntimeUpdate, () => {
      if (overview.value) void load()
    })

  return {
    overview,
    loading,
    loadError,
    busy,
    error,
    errorKey,
    releases,
    releasesLoading,
    releasesError,
    needsEngine,
    load,
    ensureLoaded,
    applyRuntimeUpdate,
    install,
    setDefault,
    remove,
    rollBack,
    pin,
    setSource,
    loadReleases,
    connect,
  }
})
