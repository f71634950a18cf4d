import type { DeployPreset } from '../../generated/DeployPreset'
import type { EngineInfo } from '../../generated/EngineInfo'
import type { InstanceInfo } from '../../generated/InstanceInfo'
import type { Model } from '../../generated/Model'
import type { NewModel } from '../../generated/NewModel'

/** Engines and presets as the server sends them, for the Deploy tests. */
export const ENGINES: EngineInfo[] = [
  { engine: 'llama_cpp', binary: '/cache/llama-server', source: 'cache', version: 'b4000', problem: null, verified: true },
  {
    engine: 'vllm', binary: null, source: null, version: null, verified: false,
    problem: { code: 'engine_missing', message: 'vllm was not found. Install vLLM (pip install vllm).' },
  },
  { engine: 'vllm_docker', binary: '/usr/bin/docker', source: 'PATH', version: null, problem: null, verified: false },
  { engine: 'custom', binary: null, source: null, version: null, problem: null, verified: false },
]

function preset(family: string, engine: DeployPreset['engine'], id: string): DeployPreset {
  const settings: DeployPreset['settings'] =
    engine === 'llama_cpp' ? { engine, gpu_layers: -1 } : engine === 'vllm' ? { engine, trust_remote_code: false, gpu_memory_utilization: 0.9 } : { engine: 'vllm_docker', env: [], trust_remote_code: false }
  return { id, family, name: `${family} ${id}`, engine, model: engine === 'llama_cpp' ? `${id}.gguf` : `org/${id}`, source: engine === 'llama_cpp' ? `https://hf.co/${id}` : null, context_size: 4096, settings, notes: `notes ${id}`, family_id: family.toLowerCase() }
}

export const PRESETS = [
  preset('Qwen', 'llama_cpp', 'qwen-gguf'),
  preset('Qwen', 'vllm', 'qwen-vllm'),
  preset('Llama 3', 'vllm', 'llama-vllm'),
  preset('Qwen', 'vllm', 'qwen-vllm-2'),
  preset('Qwen', 'vllm_docker', 'qwen-docker'),
]

export function modelFrom(m: NewModel, id = 'm9'): Model {
  return {
    id, name: m.name, engine: m.engine ?? 'llama_cpp', path: m.path, context_size: m.context_size ?? 4096, extra_args: m.extra_args ?? [],
    restart_policy: m.restart_policy ?? { kind: 'never' }, port: m.port ?? null, settings: m.settings ?? { engine: 'llama_cpp' },
    secret_env: Object.keys(m.secret_env ?? {}), gpus: m.gpus ?? { mode: 'all' }, starter: false, created_at: 1, file_missing: false,
  }
}

/** A pending instance of a model, as `startModel` and `deployModel` answer. */
export function instanceOf(modelId: string, modelName = 'x'): InstanceInfo {
  return {
    id: 'i1', model_id: modelId, model_name: modelName, served_model: 'x', engine: 'vllm', port: 41000, pid: null, state: { kind: 'pending' },
    base_url: 'http://127.0.0.1:41000/v1', binary: '/bin/vllm', binary_source: 'PATH', binary_version: null, context_size: 4096, gpus: null, started_at: 1, updated_at: 1,
  }
}
