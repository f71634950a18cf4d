import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ApiError, getApi, toApiError } from '../api'
import type { Event as LlmopsEvent } from '../generated/Event'
import type { GpuSchedule } from '../generated/GpuSchedule'
import type { InstanceInfo } from '../generated/InstanceInfo'
import type { InstanceState } from '../generated/InstanceState'
import type { Model } from '../generated/Model'
import type { ModelEdited } from '../generated/ModelEdited'
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

export const useModelsStore = defineStore('models', () => {
  const models = ref<Model[]>([])
  const instances = ref<InstanceInfo[]>([])
  const loaded = ref(false)
  const loading = ref(false)
  const loadError = ref<ApiError | null>(null)
  /** The action in flight per model id. */
  const pending = ref<Record<string, ModelAction>>({})
  /** The last failed action's error per model id, shown in that model's row. */
  const errors = ref<Record<string, ApiError>>({})
  const adding = ref(false)
  const addError = ref<ApiError | null>(null)

  /** The most recently started instance of a model. */
  const latestInstance = computed(() => (modelId: string): InstanceInfo | undefined => {
    let latest: InstanceInfo | undefined
    for (const i of instances.value) {
      if (i.model_id !== modelId) continue
      if (!latest || i.started_at > latest.started_at || (i.started_at === latest.started_at && i.updated_at >= latest.updated_at)) {
        latest = i
      }
    }
    return latest
  })
  const runningInstances = computed((): InstanceInfo[] => instances.value.filter((i) => i.state.kind === 'running'))

  async function refresh(): Promise<void> {
    loading.value = true
    try {
      const [listed, fetched] = await Promise.all([getApi().listModels(), getApi().listInstances()])
      models.value = listed
      // Keep a fresher copy we already hold (an event that overtook the fetch).
      instances.value = fetched.map((i) => {
        const held = instances.value.find((h) => h.id === i.id)
        return held && !isNewerInstance(i, held) ? held : i
      })
      loaded.value = true
      loadError.value = null
    } catch (err) {
      loadError.value = toApiError(err)
    } finally {
      loading.value = false
    }
  }

  function upsertInstance(info: InstanceInfo): void {
    const idx = instances.value.findIndex((i) => i.id === info.id)
    if (idx === -1) instances.value.push(info)
    else if (isNewerInstance(info, instances.value[idx])) instances.value.splice(idx, 1, info)
  }

  /** Where a start was placed (`resource_schedule`), on its instance when it is held. */
  function applySchedule(schedule: GpuSchedule): void {
    const idx = instances.value.findIndex((i) => i.id === schedule.instance_id)
    if (idx !== -1) instances.value.splice(idx, 1, { ...instances.value[idx], gpus: schedule.assignment })
  }

  function applyEvent(e: LlmopsEvent): void {
    if (e.type === 'model_status_update') upsertInstance(e.data)
    else if (e.type === 'models_changed') models.value = e.data
    else if (e.type === 'resource_schedule') applySchedule(e.data)
  }

  /** Follows instance and model events and reloads on every (re)connect; called once, at app start (startup.ts). */
  function connect(): void {
    const api = getApi()
    api.onEvent((e) => applyEvent(e))
    api.onConnectionChange((state) => {
      if (state === 'open') void refresh()
    })
    void refresh()
  }

  async function run(modelId: string, action: ModelAction, work: () => Promise<void>): Promise<boolean> {
    if (pending.value[modelId]) return false
    pending.value[modelId] = action
    delete errors.value[modelId]
    try {
      await work()
      return true
    } catch (err) {
      errors.value[modelId] = toApiError(err)
      return false
    } finally {
      delete pending.value[modelId]
    }
  }

  function start(modelId: string): Promise<boolean> {
    return run(modelId, 'starting', async () => {
      upsertInstance(await getApi().startModel(modelId))
    })
  }

  /** Stops the model's live instance (the server finds it). */
  function stop(modelId: string): Promise<boolean> {
    return run(modelId, 'stopping', async () => {
      upsertInstance(await getApi().stopModel(modelId))
    })
  }

  /** Removes a model; the server stops its live instance first. */
  function remove(modelId: string): Promise<boolean> {
    return run(modelId, 'removing', async () => {
      await getApi().removeModel(modelId)
      models.value = models.value.filter((m) => m.id !== modelId)
      delete errors.value[modelId]
    })
  }

  /** Adds a model; resolves to it, or to null with `addError` set. */
  async function add(model: NewModel): Promise<Model | null> {
    adding.value = true
    addError.value = null
    try {
      const added = await getApi().addModel(model)
      if (!models.value.some((m) => m.id === added.id)) models.value.push(added)
      return added
    } catch (err) {
      addError.value = toApiError(err)
      return null
    } finally {
      adding.value = false
    }
  }

  /**
   * Saves a model's edited settings and puts the saved model in the list in place of the old one.
   * Resolves to what the server answered (with whether a running instance keeps its previous
   * settings until its next start); rejects with the `ApiError` the form shows by its fields.
   */
  async function update(modelId: string, model: NewModel): Promise<ModelEdited> {
    let edited: ModelEdited
    try {
      edited = await getApi().updateModel(modelId, model)
    } catch (err) {
      throw toApiError(err)
    }
    const idx = models.value.findIndex((m) => m.id === edited.model.id)
    if (idx === -1) models.value.push(edited.model)
    else models.value.splice(idx, 1, edited.model)
    return edited
  }

  /**
   * Stops the model's live instance (the server waits until it is gone), then starts it again,
   * so that edited settings apply. A model that is not running is just started.
   */
  async function restart(modelId: string): Promise<boolean> {
    if (isActive(latestInstance.value(modelId)) && !(await stop(modelId))) {
      // It ended on its own in between: nothing left to stop, so start it.
      if (errors.value[modelId]?.code !== 'model_not_running') return false
    }
    return start(modelId)
  }

  return {
    models,
    instances,
    loaded,
    loading,
    loadError,
    pending,
    errors,
    adding,
    addError,
    latestInstance,
    runningInstances,
    refresh,
    upsertInstance,
    applyEvent,
    connect,
    run,
    start,
    stop,
    remove,
    add,
    update,
    restart,
  }
})
