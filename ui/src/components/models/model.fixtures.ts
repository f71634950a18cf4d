import type { ErrorBody } from '../../generated/ErrorBody'
import type { GpuAssignment } from '../../generated/GpuAssignment'
import type { InstanceInfo } from '../../generated/InstanceInfo'
import type { InstanceState } from '../../generated/InstanceState'
import type { Model } from '../../generated/Model'

/** A llama.cpp model, as the model components' tests show it. */
export const qwenModel: Model = {
  id: 'm1', name: 'Qwen', engine: 'llama_cpp', path: '/m.gguf', context_size: 4096, extra_args: [], restart_policy: { kind: 'never' },
  port: null, settings: { engine: 'llama_cpp' }, secret_env: [], gpus: { mode: 'all' }, starter: false, created_at: 1, file_missing: false,
}

/** An instance of `qwenModel` in `state`. */
export function qwenInstance(state: InstanceState, servedModel = 'Qwen'): InstanceInfo {
  return {
    id: 'i1', model_id: 'm1', model_name: 'Qwen', served_model: servedModel, engine: 'llama_cpp', port: 41000, pid: 42, state,
    base_url: 'http://127.0.0.1:41000/v1', binary: '/bin/llama-server', binary_source: 'cache', binary_version: null, context_size: 4096, gpus: null, started_at: 1, updated_at: 1,
  }
}

/** Where a start of a model was placed: on `devices` (null: all GPUs), for `reason`. */
export function gpuAssignment(devices: number[] | null, reason: ErrorBody): GpuAssignment {
  return { placement: devices === null ? { mode: 'all' } : { mode: 'auto' }, devices, need_bytes: null, reason }
}
