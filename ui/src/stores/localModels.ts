import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { type ApiError, getApi, toApiError } from '../api'
import type { FitReport } from '../generated/FitReport'
import type { LocalModels } from '../generated/LocalModels'
import { type Keyed, omit } from '../lib/hub/keyed'
import { useDownloadsStore } from './downloads'

/**
 * GGUF models already on this computer, found in place (the Hugging Face cache, LM Studio,
 * Ollama, ModelScope, llmops's folder, the user's folders): the scan, the folders the user
 * added, fit checks (llmops's estimate and llama.cpp's own) and deleting a file llmops may delete.
 */
export const useLocalModelsStore = defineStore('localModels', () => {
  const local = ref<LocalModels | null>(null)
  const scanning = ref(false)
  const scanError = ref<ApiError | null>(null)
  const downloads = useDownloadsStore()
  /** Changes on disk the server told of (`local_models_changed`), and reconnects (files may have changed meanwhile). */
  const changes = ref(0)
  /** Goes up with every change on disk: those, and each download that completes. */
  const version = computed(() => changes.value + downloads.completions)
  /** The `version` when the last scan began. */
  const scannedAt = ref(-1)
  /** Files appeared or went since the last scan: the next look scans again. */
  const stale = computed(() => local.value !== null && scannedAt.value !== version.value)
  let scanGen = 0

  /** Scans every folder again (the server scans on each call). */
  async function scan(): Promise<void> {
    const gen = ++scanGen
    const at = version.value
    scanning.value = true
    try {
      const answer = await getApi().listLocalModels()
      if (gen !== scanGen) return
      local.value = answer
      scanError.value = null
      scannedAt.value = at
      // Files changed while this scan ran: they may have been missed.
      if (at !== version.value) void scan()
    } catch (err) {
      if (gen === scanGen) scanError.value = toApiError(err)
    } finally {
      if (gen === scanGen) scanning.value = false
    }
  }

  /** Scans when nothing was scanned yet, or when the disk changed since. */
  function ensureScanned(): void {
    if (scanning.value) return
    if (!local.value || stale.value) void scan()
  }

  // The user's extra folders.
  const folders = ref<string[] | null>(null)
  const foldersLoading = ref(false)
  const foldersError = ref<ApiError | null>(null)
  const foldersSaving = ref(false)
  const foldersSaveError = ref<ApiError | null>(null)

  async function loadFolders(): Promise<void> {
    foldersLoading.value = true
    try {
      folders.value = (await getApi().getModelFolders()).folders
      foldersError.value = null
    } catch (err) {
      foldersError.value = toApiError(err)
    } finally {
      foldersLoading.value = false
    }
  }

  /** Replaces the extra folders (the server checks each one), then scans again; resolves to whether it was saved. */
  async function saveFolders(next: string[]): Promise<boolean> {
    if (foldersSaving.value) return false
    foldersSaving.value = true
    foldersSaveError.value = null
    try {
      folders.value = (await getApi().setModelFolders({ folders: next })).folders
    } catch (err) {
      foldersSaveError.value = toApiError(err)
      return false
    } finally {
      foldersSaving.value = false
    }
    void scan()
    return true
  }

  // Fit checks, by the model file's path.
  const fits = ref<Record<string, Keyed<FitReport>>>({})

  /** llmops's estimate from the file's header and llama.cpp's own check, with what would make it fit. */
  async function checkFit(path: string): Promise<FitReport | null> {
    if (fits.value[path]?.loading) return null
    fits.value = { ...fits.value, [path]: { loading: true, value: fits.value[path]?.value ?? null, error: null } }
    try {
      const report = await getApi().fitLocalModel({ path, fit: null })
      fits.value = { ...fits.value, [path]: { loading: false, value: report, error: null } }
      return report
    } catch (err) {
      fits.value = { ...fits.value, [path]: { loading: false, value: null, error: toApiError(err) } }
      return null
    }
  }

  // Deleting.
  const deleting = ref<Record<string, boolean>>({})
  const deleteErrors = ref<Record<string, ApiError>>({})

  /** Deletes a model file (the server refuses another application's, or one a model uses); resolves to whether it went. */
  async function remove(path: string): Promise<boolean> {
    if (deleting.value[path]) return false
    deleting.value = { ...deleting.value, [path]: true }
    deleteErrors.value = omit(deleteErrors.value, path)
    try {
      await getApi().deleteLocalModel({ path })
    } catch (err) {
      deleteErrors.value = { ...deleteErrors.value, [path]: toApiError(err) }
      return false
    } finally {
      deleting.value = omit(deleting.value, path)
    }
    if (local.value) local.value = { ...local.value, models: local.value.models.filter((m) => m.found.path !== path) }
    fits.value = omit(fits.value, path)
    return true
  }

  /** Follows changes to the model files on disk; called once, at app start (startup.ts). */
  function connect(): void {
    const api = getApi()
    api.onEvent((e) => {
      if (e.type === 'local_models_changed') changes.value++
    })
    api.onConnectionChange((state) => {
      if (state === 'open' && local.value) changes.value++
    })
  }

  return {
    local,
    scanning,
    scanError,
    stale,
    scan,
    ensureScanned,
    folders,
    foldersLoading,
    foldersError,
    foldersSaving,
    foldersSaveError,
    loadFolders,
    saveFolders,
    fits,
    checkFit,
    deleting,
    deleteErrors,
    remove,
    connect,
  }
})
