import { defineStore } from 'pinia'
import { ref } from 'vue'
import { ApiError, getApi, toApiError } from '../api'
import type { ChatDefaults } from '../generated/ChatDefaults'
import type { ChatEndpoint } from '../generated/ChatEndpoint'
import type { ChatPreset } from '../generated/ChatPreset'
import type { NewChatEndpoint } from '../generated/NewChatEndpoint'
import type { NewChatPreset } from '../generated/NewChatPreset'
import { useChatStore } from './chat'

/** What an endpoint serves, as far as we know. */
export interface EndpointModels {
  loading: boolean
  models: string[]
  /** Listing failed: the UI lets the user type a model name instead. */
  error: ApiError | null
  loaded: boolean
}

/** Endpoints (other OpenAI-compatible servers), parameter presets and the chat defaults. */
export const useChatSettingsStore = defineStore('chatSettings', () => {
  // Endpoints
  const endpoints = ref<ChatEndpoint[]>([])
  const endpointsLoaded = ref(false)
  const endpointsLoading = ref(false)
  const endpointsError = ref<ApiError | null>(null)
  const addingEndpoint = ref(false)
  const addEndpointError = ref<ApiError | null>(null)
  const removingEndpoint = ref<Record<string, boolean>>({})
  const removeEndpointError = ref<ApiError | null>(null)
  /** Models per endpoint id, cached until refreshed. */
  const models = ref<Record<string, EndpointModels>>({})

  async function loadEndpoints(): Promise<void> {
    endpointsLoading.value = true
    try {
      endpoints.value = await getApi().listChatEndpoints()
      endpointsLoaded.value = true
      endpointsError.value = null
    } catch (err) {
      endpointsError.value = toApiError(err)
    } finally {
      endpointsLoading.value = false
    }
  }

  /** Adds an endpoint; resolves to it, or to null with `addEndpointError` set. */
  async function addEndpoint(endpoint: NewChatEndpoint): Promise<ChatEndpoint | null> {
    addingEndpoint.value = true
    addEndpointError.value = null
    try {
      const added = await getApi().addChatEndpoint(endpoint)
      endpoints.value = [...endpoints.value.filter((e) => e.id !== added.id), added]
      void loadModels(added.id, true)
      return added
    } catch (err) {
      addEndpointError.value = toApiError(err)
      return null
    } finally {
      addingEndpoint.value = false
    }
  }

  async function removeEndpoint(id: string): Promise<boolean> {
    if (removingEndpoint.value[id]) return false
    removingEndpoint.value[id] = true
    removeEndpointError.value = null
    try {
      await getApi().removeChatEndpoint(id)
      endpoints.value = endpoints.value.filter((e) => e.id !== id)
      delete models.value[id]
      return true
    } catch (err) {
      removeEndpointError.value = toApiError(err)
      return false
    } finally {
      delete removingEndpoint.value[id]
    }
  }

  /** Lists an endpoint's models once (again when `force`). */
  async function loadModels(id: string, force = false): Promise<void> {
    const held = models.value[id]
    if (held && (held.loading || (held.loaded && !force))) return
    models.value[id] = { loading: true, models: held?.models ?? [], error: null, loaded: held?.loaded ?? false }
    try {
      const listed = await getApi().chatEndpointModels(id)
      models.value[id] = { loading: false, models: listed, error: null, loaded: true }
    } catch (err) {
      models.value[id] = { loading: false, models: [], error: toApiError(err), loaded: true }
    }
  }

  // Presets
  const presets = ref<ChatPreset[]>([])
  const presetsLoaded = ref(false)
  const presetsLoading = ref(false)
  const presetsError = ref<ApiError | null>(null)
  const savingPreset = ref(false)
  const deletingPreset = ref<Record<string, boolean>>({})
  const presetError = ref<ApiError | null>(null)

  async function loadPresets(): Promise<void> {
    presetsLoading.value = true
    try {
      presets.value = await getApi().listChatPresets()
      presetsLoaded.value = true
      presetsError.value = null
    } catch (err) {
      presetsError.value = toApiError(err)
    } finally {
      presetsLoading.value = false
    }
  }

  /** Saves a preset (replacing one with the same name); resolves to it, or null with `presetError` set. */
  async function savePreset(preset: NewChatPreset): Promise<ChatPreset | null> {
    savingPreset.value = true
    presetError.value = null
    try {
      const saved = await getApi().saveChatPreset(preset)
      presets.value = [...presets.value.filter((p) => p.id !== saved.id && p.name !== saved.name), saved]
      presets.value.sort((a, b) => a.name.localeCompare(b.name))
      return saved
    } catch (err) {
      presetError.value = toApiError(err)
      return null
    } finally {
      savingPreset.value = false
    }
  }

  async function deletePreset(id: string): Promise<boolean> {
    if (deletingPreset.value[id]) return false
    deletingPreset.value[id] = true
    presetError.value = null
    try {
      await getApi().deleteChatPreset(id)
      presets.value = presets.value.filter((p) => p.id !== id)
      return true
    } catch (err) {
      presetError.value = toApiError(err)
      return false
    } finally {
      delete deletingPreset.value[id]
    }
  }

  // Defaults: what conversations' unset parameters fall back to.
  const defaults = ref<ChatDefaults>({ global: { stop: [] }, models: {} })
  const defaultsLoaded = ref(false)
  const defaultsLoading = ref(false)
  const defaultsError = ref<ApiError | null>(null)
  const savingChatDefaults = ref(false)
  const defaultsSaveError = ref<ApiError | null>(null)

  async function loadDefaults(): Promise<void> {
    defaultsLoading.value = true
    try {
      defaults.value = await getApi().getChatDefaults()
      defaultsLoaded.value = true
      defaultsError.value = null
    } catch (err) {
      defaultsError.value = toApiError(err)
    } finally {
      defaultsLoading.value = false
    }
  }

  /**
   * Reads the defaults afresh, changes them with `change` and saves the result (so that a change
   * made meanwhile elsewhere is kept); resolves to what the server saved, or null with
   * `defaultsSaveError` set. The open conversation shows what it now inherits.
   */
  async function saveDefaults(change: (fresh: ChatDefaults) => ChatDefaults): Promise<ChatDefaults | null> {
    savingChatDefaults.value = true
    defaultsSaveError.value = null
    try {
      const api = getApi()
      const saved = await api.setChatDefaults(change(await api.getChatDefaults()))
      defaults.value = saved
      defaultsLoaded.value = true
      defaultsError.value = null
      useChatStore().applyDefaults(saved)
      return saved
    } catch (err) {
      defaultsSaveError.value = toApiError(err)
      return null
    } finally {
      savingChatDefaults.value = false
    }
  }

  return {
    endpoints,
    endpointsLoaded,
    endpointsLoading,
    endpointsError,
    addingEndpoint,
    addEndpointError,
    removingEndpoint,
    removeEndpointError,
    models,
    loadEndpoints,
    addEndpoint,
    removeEndpoint,
    loadModels,
    presets,
    presetsLoaded,
    presetsLoading,
    presetsError,
    savingPreset,
    deletingPreset,
    presetError,
    loadPresets,
    savePreset,
    deletePreset,
    defaults,
    defaultsLoaded,
    defaultsLoading,
    defaultsError,
    savingChatDefaults,
    defaultsSaveError,
    loadDefaults,
    saveDefaults,
  }
})
