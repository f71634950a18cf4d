import { defineStore } from 'pinia'
import { ApiError, getApi, toApiError } from '../api'
import type { ChatEndpoint } from '../generated/ChatEndpoint'
import type { ChatPreset } from '../generated/ChatPreset'
import type { NewChatEndpoint } from '../generated/NewChatEndpoint'
import type { NewChatPreset } from '../generated/NewChatPreset'

/** What an endpoint serves, as far as we know. */
export interface EndpointModels {
  loading: boolean
  models: string[]
  /** Listing failed: the UI lets the user type a model name instead. */
  error: ApiError | null
  loaded: boolean
}

/** Endpoints (other OpenAI-compatible servers) and parameter presets. */
export const useChatSettingsStore = defineStore('chatSettings', {
  state: () => ({
    endpoints: [] as ChatEndpoint[],
    endpointsLoaded: false,
    endpointsLoading: false,
    endpointsError: null as ApiError | null,
    addingEndpoint: false,
    addEndpointError: null as ApiError | null,
    removingEndpoint: {} as Record<string, boolean>,
    removeEndpointError: null as ApiError | null,
    /** Models per endpoint id, cached until refreshed. */
    models: {} as Record<string, EndpointModels>,
    presets: [] as ChatPreset[],
    presetsLoaded: false,
    presetsLoading: false,
    presetsError: null as ApiError | null,
    savingPreset: false,
    deletingPreset: {} as Record<string, boolean>,
    presetError: null as ApiError | null,
  }),
  actions: {
    async loadEndpoints() {
      this.endpointsLoading = true
      try {
        this.endpoints = await getApi().listChatEndpoints()
        this.endpointsLoaded = true
        this.endpointsError = null
      } catch (err) {
        this.endpointsError = toApiError(err)
      } finally {
        this.endpointsLoading = false
      }
    },
    /** Adds an endpoint; resolves to it, or to null with `addEndpointError` set. */
    async addEndpoint(endpoint: NewChatEndpoint): Promise<ChatEndpoint | null> {
      this.addingEndpoint = true
      this.addEndpointError = null
      try {
        const added = await getApi().addChatEndpoint(endpoint)
        this.endpoints = [...this.endpoints.filter((e) => e.id !== added.id), added]
        void this.loadModels(added.id, true)
        return added
      } catch (err) {
        this.addEndpointError = toApiError(err)
        return null
      } finally {
        this.addingEndpoint = false
      }
    },
    async removeEndpoint(id: string): Promise<boolean> {
      if (this.removingEndpoint[id]) return false
      this.removingEndpoint[id] = true
      this.removeEndpointError = null
      try {
        await getApi().removeChatEndpoint(id)
        this.endpoints = this.endpoints.filter((e) => e.id !== id)
        delete this.models[id]
        return true
      } catch (err) {
        this.removeEndpointError = toApiError(err)
        return false
      } finally {
        delete this.removingEndpoint[id]
      }
    },
    /** Lists an endpoint's models once (again when `force`). */
    async loadModels(id: string, force = false) {
      const held = this.models[id]
      if (held && (held.loading || (held.loaded && !force))) return
      this.models[id] = { loading: true, models: held?.models ?? [], error: null, loaded: held?.loaded ?? false }
      try {
        const models = await getApi().chatEndpointModels(id)
        this.models[id] = { loading: false, models, error: null, loaded: true }
      } catch (err) {
        this.models[id] = { loading: false, models: [], error: toApiError(err), loaded: true }
      }
    },
    async loadPresets() {
      this.presetsLoading = true
      try {
        this.presets = await getApi().listChatPresets()
        this.presetsLoaded = true
        this.presetsError = null
      } catch (err) {
        this.presetsError = toApiError(err)
      } finally {
        this.presetsLoading = false
      }
    },
    /** Saves a preset (replacing one with the same name); resolves to it, or null with `presetError` set. */
    async savePreset(preset: NewChatPreset): Promise<ChatPreset | null> {
      this.savingPreset = true
      this.presetError = null
      try {
        const saved = await getApi().saveChatPreset(preset)
        this.presets = [...this.presets.filter((p) => p.id !== saved.id && p.name !== saved.name), saved]
        this.presets.sort((a, b) => a.name.localeCompare(b.name))
        return saved
      } catch (err) {
        this.presetError = toApiError(err)
        return null
      } finally {
        this.savingPreset = false
      }
    },
    async deletePreset(id: string): Promise<boolean> {
      if (this.deletingPreset[id]) return false
      this.deletingPreset[id] = true
      this.presetError = null
      try {
        await getApi().deleteChatPreset(id)
        this.presets = this.presets.filter((p) => p.id !== id)
        return true
      } catch (err) {
        this.presetError = toApiError(err)
        return false
      } finally {
        delete this.deletingPreset[id]
      }
    },
  },
})
