import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { InstanceInfo } from '../generated/InstanceInfo'
import type { InstanceState } from '../generated/InstanceState'
import type { Model } from '../generated/Model'

import { ApiError } from '../api'
import { emit, fake, installFakeApi } from '../testing/fakeApi'
import { isActive, isNewerInstance, isStarting, useModelsStore } from './models'

const model: Model = {
  id: 'm1', name: 'Smol', engine: 'llama_cpp', path: '/models/smol.gguf', context_size: 2048,
  extra_args: [],
  restart_policy: { kind: 'never' },
  port: null,
  settings: { engine: 'llama_cpp' }, secret_env: [], gpus: { mode: 'all' }, starter: true, created_at: 1, file_missing: false,
}

function instance(state: InstanceState, updated_at: number, id = 'i1', started_at = 100): InstanceInfo {
  return {
    id, model_id: 'm1', model_name: 'Smol', served_model: 'Smol', engine: 'llama_cpp', port: 41000, pid: 42, state,
    base_url: 'http://127.0.0.1:41000/v1', binary: '/bin/llama-server', binary_source: 'cache', binary_version: '0.6.0', context_size: 2048, gpus: null,
    started_at, updated_at,
  }
}

beforeEach(() => {
  setActivePinia(createPinia())
  installFakeApi({
    listModels: vi.fn(async () => [model]),
    listInstances: vi.fn(async () => []),
    startModel: vi.fn(async () => instance({ kind: 'starting' }, 110)),
    stopInstance: vi.fn(),
    stopModel: vi.fn(async () => instance({ kind: 'stopping' }, 130)),
    removeModel: vi.fn(),
    addModel: vi.fn(),
  })
})

async function connected() {
  const store = useModelsStore()
  store.connect()
  await vi.waitFor(() => expect(store.loaded).toBe(true))
  return store
}

describe('models store', () => {
  it('inserts an instance from model_status_update and replaces it by id on later updates', async () => {
    const store = await connected()
    expect(store.latestInstance('m1')).toBeUndefined()

    emit({ type: 'model_status_update', data: instance({ kind: 'starting' }, 110) })
    expect(store.latestInstance('m1')?.state.kind).toBe('starting')

    emit({ type: 'model_status_update', data: instance({ kind: 'running' }, 120) })
    expect(store.instances).toHaveLength(1)
    expect(store.latestInstance('m1')?.state).toEqual({ kind: 'running' })
    expect(store.runningInstances.map((i) => i.id)).toEqual(['i1'])

    emit({ type: 'model_status_update', data: instance({ kind: 'failed', reason: 'exit 1\nlast log line' }, 130) })
    expect(store.latestInstance('m1')?.state).toEqual({ kind: 'failed', reason: 'exit 1\nlast log line' })
    expect(store.runningInstances).toEqual([])
  })

  it('keeps the newer state when a stale start response arrives after the running event', async () => {
    const store = await connected()
    let resolveStart!: (i: InstanceInfo) => void
    fake.api.startModel.mockImplementation(() => new Promise<InstanceInfo>((r) => (resolveStart = r)))
    const started = store.start('m1')
    expect(store.pending.m1).toBe('starting')
    emit({ type: 'model_status_update', data: instance({ kind: 'running' }, 120) })
    resolveStart(instance({ kind: 'starting' }, 110))
    expect(await started).toBe(true)
    expect(store.pending.m1).toBeUndefined()
    expect(store.latestInstance('m1')?.state.kind).toBe('running')
  })

  it('shows the newest instance of a model', async () => {
    const store = await connected()
    emit({ type: 'model_status_update', data: instance({ kind: 'stopped' }, 150, 'old', 100) })
    emit({ type: 'model_status_update', data: instance({ kind: 'starting' }, 210, 'new', 200) })
    expect(store.latestInstance('m1')?.id).toBe('new')
  })

  it('puts a start’s GPU placement (resource_schedule) on its instance, and ignores one it does not hold', async () => {
    const store = await connected()
    emit({ type: 'model_status_update', data: instance({ kind: 'starting' }, 110) })
    const assignment = {
      placement: { mode: 'auto' as const }, devices: [2], need_bytes: 1024,
      reason: { code: 'placement_most_free', message: 'GPU 2 has the most free memory (1.0 KiB)', params: { device: '2', free: '1024' } },
    }
    emit({ type: 'resource_schedule', data: { instance_id: 'i1', model_id: 'm1', model_name: 'Smol', assignment } })
    expect(store.latestInstance('m1')).toMatchObject({ state: { kind: 'starting' }, gpus: assignment })
    emit({ type: 'resource_schedule', data: { instance_id: 'other', model_id: 'm1', model_name: 'Smol', assignment } })
    expect(store.instances.map((i) => i.id)).toEqual(['i1'])
  })

  it('replaces the model list on models_changed', async () => {
    const store = await connected()
    emit({ type: 'models_changed', data: [{ ...model, id: 'm2', name: 'Other' }] })
    expect(store.models.map((m) => m.name)).toEqual(['Other'])
  })

  it('keeps the API error of a failed action for that model', async () => {
    const store = await connected()
    fake.api.startModel.mockRejectedValue(new ApiError('engine_missing', 'llama-server was not found.'))
    expect(await store.start('m1')).toBe(false)
    expect(store.errors.m1).toMatchObject({ code: 'engine_missing', message: 'llama-server was not found.' })
    expect(store.pending.m1).toBeUndefined()
  })

  it('stops a model by its id, leaving the server to find its live instance', async () => {
    const store = await connected()
    emit({ type: 'model_status_update', data: instance({ kind: 'running' }, 120) })
    const stopped = store.stop('m1')
    expect(store.pending.m1).toBe('stopping')
    expect(await stopped).toBe(true)
    expect(fake.api.stopModel).toHaveBeenCalledWith('m1')
    expect(fake.api.stopInstance).not.toHaveBeenCalled()
    expect(store.latestInstance('m1')?.state.kind).toBe('stopping')
    expect(store.pending.m1).toBeUndefined()
  })

  it('asks the server even when it knows no instance, and keeps its refusal', async () => {
    const store = await connected()
    fake.api.stopModel.mockRejectedValue(new ApiError('model_not_running', 'The model "Smol" is not running.', 409))
    expect(await store.stop('m1')).toBe(false)
    expect(fake.api.stopModel).toHaveBeenCalledWith('m1')
    expect(store.errors.m1).toMatchObject({ code: 'model_not_running' })
  })

  it('removes a model with one call (the server stops it first) and forgets it', async () => {
    const store = await connected()
    emit({ type: 'model_status_update', data: instance({ kind: 'running' }, 120) })
    expect(await store.remove('m1')).toBe(true)
    expect(fake.api.removeModel).toHaveBeenCalledWith('m1')
    expect(fake.api.stopModel).not.toHaveBeenCalled()
    expect(fake.api.stopInstance).not.toHaveBeenCalled()
    expect(store.models).toEqual([])
  })

  it('saves an edit and puts the saved model in the list in place of the old one', async () => {
    const other: Model = { ...model, id: 'm2', name: 'Other', path: '/models/other.gguf' }
    fake.api.listModels.mockResolvedValue([model, other])
    const store = await connected()
    const saved: Model = { ...model, name: 'Smol 2', context_size: 4096, secret_env: ['HF_TOKEN'] }
    fake.api.updateModel = vi.fn(async () => ({ model: saved, applies_at_next_start: true }))
    const request = { name: 'Smol 2', path: '/models/smol.gguf', context_size: 4096, secret_env: { HF_TOKEN: 'hf_new' } }
    expect(await store.update('m1', request)).toEqual({ model: saved, applies_at_next_start: true })
    expect(fake.api.updateModel).toHaveBeenCalledWith('m1', request)
    // Same place in the list, other models untouched.
    expect(store.models.map((m) => [m.id, m.name])).toEqual([['m1', 'Smol 2'], ['m2', 'Other']])
    expect(store.models[0]).toEqual(saved)
  })

  it('rejects a refused edit with the API error and keeps the model as it was', async () => {
    const store = await connected()
    fake.api.updateModel = vi.fn(async () => {
      throw new ApiError('model_context_size_invalid', 'the context size 100 is out of range')
    })
    await expect(store.update('m1', { name: 'Smol', path: '/models/smol.gguf', context_size: 100 })).rejects.toMatchObject({
      code: 'model_context_size_invalid',
    })
    expect(store.models).toEqual([model])
    // Not an action error of the model's row.
    expect(store.errors.m1).toBeUndefined()
  })

  it('restarts a running model: stops it, then starts it again', async () => {
    const store = await connected()
    emit({ type: 'model_status_update', data: instance({ kind: 'running' }, 120) })
    const calls: string[] = []
    fake.api.stopModel.mockImplementation(async () => {
      calls.push('stop')
      return instance({ kind: 'stopped' }, 130)
    })
    fake.api.startModel.mockImplementation(async () => {
      calls.push('start')
      return instance({ kind: 'starting' }, 210, 'i2', 200)
    })
    expect(await store.restart('m1')).toBe(true)
    expect(calls).toEqual(['stop', 'start'])
    expect(store.latestInstance('m1')?.id).toBe('i2')
    // A refused stop keeps it from starting.
    fake.api.stopModel.mockRejectedValue(new ApiError('instance_stop_timeout', 'did not stop'))
    emit({ type: 'model_status_update', data: instance({ kind: 'running' }, 220, 'i2', 200) })
    expect(await store.restart('m1')).toBe(false)
    expect(store.errors.m1).toMatchObject({ code: 'instance_stop_timeout' })
    expect(calls).toEqual(['stop', 'start'])
  })

  it('orders pending before starting and counts it as busy', async () => {
    const store = await connected()
    emit({ type: 'model_status_update', data: instance({ kind: 'starting' }, 110) })
    emit({ type: 'model_status_update', data: instance({ kind: 'pending' }, 110) })
    expect(store.latestInstance('m1')?.state.kind).toBe('starting')
    expect(isNewerInstance(instance({ kind: 'starting' }, 100), instance({ kind: 'pending' }, 100))).toBe(true)
    const pending = instance({ kind: 'pending' }, 100)
    expect(isStarting(pending)).toBe(true)
    expect(isActive(pending)).toBe(true)
    expect(isActive(instance({ kind: 'stopped' }, 100))).toBe(false)
    expect(isStarting(instance({ kind: 'running' }, 100))).toBe(false)
  })
})
