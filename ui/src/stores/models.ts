import { defineStore } from 'pinia'
import { ApiError, getApi, toApiError } from '../api'
import type { Event as LlmopsEvent } from '../generated/Event'
import type { InstanceInfo } from '../generated/InstanceInfo'
import type { InstanceState } from '../generated/InstanceState'
import type { Model } from '../generated/Model'
import type { NewModel } from '../generated/NewModel'

export type ModelAction = 'starting' | 'stopping' | 'removing'

const STATE_ORDER: Record<InstanceState['kind'], number> = {
  pending: 0,
  starting: 1,
  running: 2,
  stopping: 3,
  stopped: 4,
  failed: 4,
}

/** Whether `incoming` should replace `current` (same instance id): newer, or same time and further along. */
export function isNewerInstance(incoming: InstanceInfo, current: InstanceInfo): boolean {
  if (incoming.updated_at !== current.updated_at) return incoming.updated_at > current.updated_at
  return STATE_ORDER[incoming.state.kind] >= STATE_ORDER[current.state.kind]
}

/** Accepted but not yet serving: pending (being spawned) or starting (waiting for health). */
export function isStarting(instance: InstanceInfo | undefined): boolean {
  const kind = instance?.state.kind
  return kind === 'pending' || kind === 'starting'
}

/** Holds (or is about to hold) a process: pending, starting, running or stopping. */
export function isActive(instance: InstanceInfo | undefined): boolean {
  const kind = instance?.state.kind
  return isStarting(instance) || kind === 'running' || kind === 'stopping'
}

export const useModelsStore = defineStore('models', {
  state: () => ({
    models: [] as Model[],
    instances: [] as InstanceInfo[],
    loaded: false,
    loading: false,
    loadError: null as ApiError | null,
    /** The action in flight per model id. */
    pending: {} as Record<string, ModelAction>,
    /** The last failed action's error per model id, shown in that model's row. */
    errors: {} as Record<string, ApiError>,
    adding: false,
    addError: null as ApiError | null,
    initialized: false,
  }),
  getters: {
    /** The most recently started instance of a model. */
    latestInstance: (state) => (modelId: string): InstanceInfo | undefined => {
      let latest: InstanceInfo | undefined
      for (const i of state.instances) {
        if (i.model_id !== modelId) continue
        if (!latest || i.started_at > latest.started_at || (i.started_at === latest.started_at && i.updated_at >= latest.updated_at)) {
          latest = i
        }
      }
      return latest
    },
    runningInstances: (state): InstanceInfo[] => state.instances.filter((i) => i.state.kind === 'running'),
  },
  actions: {
    async refresh() {
      this.loading = true
      try {
        const [models, instances] = await Promise.all([getApi().listModels(), getApi().listInstances()])
        this.models = models
        // Keep a fresher copy we already hold (an event that overtook the fetch).
        this.instances = instances.map((i) => {
          const held = this.instances.find((h) => h.id === i.id)
          return held && !isNewerInstance(i, held) ? held : i
        })
        this.loaded = true
        this.loadError = null
      } catch (err) {
        this.loadError = toApiError(err)
      } finally {
        this.loading = false
      }
    },
    upsertInstance(info: InstanceInfo) {
      const idx = this.instances.findIndex((i) => i.id === info.id)
      if (idx === -1) this.instances.push(info)
      else if (isNewerInstance(info, this.instances[idx])) this.instances.splice(idx, 1, info)
    },
    applyEvent(e: LlmopsEvent) {
      if (e.type === 'model_status_update') this.upsertInstance(e.data)
      else if (e.type === 'models_changed') this.models = e.data
    },
    init() {
      if (this.initialized) return
      this.initialized = true
      const api = getApi()
      api.onEvent((e) => this.applyEvent(e))
      api.onConnectionChange((state) => {
        if (state === 'open') void this.refresh()
      })
      void this.refresh()
    },
    async run(modelId: string, action: ModelAction, work: () => Promise<void>): Promise<boolean> {
      if (this.pending[modelId]) return false
      this.pending[modelId] = action
      delete this.errors[modelId]
      try {
        await work()
        return true
      } catch (err) {
        this.errors[modelId] = toApiError(err)
        return false
      } finally {
        delete this.pending[modelId]
      }
    },
    start(modelId: string) {
      return this.run(modelId, 'starting', async () => {
        this.upsertInstance(await getApi().startModel(modelId))
      })
    },
    /** Stops the model's live instance (the server finds it). */
    stop(modelId: string) {
      return this.run(modelId, 'stopping', async () => {
        this.upsertInstance(await getApi().stopModel(modelId))
      })
    },
    /** Removes a model; the server stops its live instance first. */
    remove(modelId: string) {
      return this.run(modelId, 'removing', async () => {
        await getApi().removeModel(modelId)
        this.models = this.models.filter((m) => m.id !== modelId)
        delete this.errors[modelId]
      })
    },
    /** Adds a model; resolves to it, or to null with `addError` set. */
    async add(model: NewModel): Promise<Model | null> {
      this.adding = true
      this.addError = null
      try {
        const added = await getApi().addModel(model)
        if (!this.models.some((m) => m.id === added.id)) this.models.push(added)
        return added
      } catch (err) {
        this.addError = toApiError(err)
        return null
      } finally {
        this.adding = false
      }
    },
  },
})
