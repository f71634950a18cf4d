import { describe, expect, it } from 'vitest'
import type { DeployPreset } from '../../generated/DeployPreset'
import type { Model } from '../../generated/Model'
import {
  applyPreset,
  buildDeploy,
  commandPreview,
  deployFormFromModel,
  emptyDeployForm,
  fieldOfServerError,
  isAbsolutePath,
  lines,
  parentFolder,
  presetModelValue,
  unknownPlaceholder,
  type DeployForm,
} from './deployForm'

function form(patch: Partial<DeployForm>): DeployForm {
  return { ...emptyDeployForm(patch.engine), ...patch }
}

function errorsOf(patch: Partial<DeployForm>) {
  const r = buildDeploy(form(patch))
  if (r.ok) throw new Error(`expected a validation error, got ${JSON.stringify(r.model)}`)
  return r.errors
}

function modelOf(patch: Partial<DeployForm>) {
  const r = buildDeploy(form(patch))
  if (!r.ok) throw new Error(`unexpected errors: ${JSON.stringify(r.errors)}`)
  return r.model
}

const vllm = { engine: 'vllm' as const, name: 'Qwen', model: 'Qwen/Qwen2.5-7B-Instruct' }
const custom = { engine: 'custom' as const, name: 'Mine', command: 'python3\n-m\nsrv\n--port\n{port}' }

const qwenGguf: DeployPreset = {
  id: 'qwen-llama-cpp', family: 'Qwen', name: 'Qwen2.5 7B Instruct', engine: 'llama_cpp',
  model: 'qwen2.5-7b-instruct-q4_k_m.gguf', source: 'https://huggingface.co/Qwen/Qwen2.5-7B-Instruct-GGUF',
  context_size: 8192, settings: { engine: 'llama_cpp', gpu_layers: -1, flash_attention: true }, notes: 'ChatML.', family_id: 'qwen2.5-7b-instruct',
}
const qwenDocker: DeployPreset = {
  id: 'qwen-vllm-docker', family: 'Qwen', name: 'Qwen2.5 7B Instruct', engine: 'vllm_docker', model: 'Qwen/Qwen2.5-7B-Instruct',
  source: null, context_size: 32768, notes: 'n', family_id: 'qwen2.5-7b-instruct',
  settings: { engine: 'vllm_docker', env: ['HF_TOKEN=x'], trust_remote_code: false, gpu_memory_utilization: 0.9, dtype: 'auto' },
}

describe('buildDeploy: common fields', () => {
  it('builds a llama.cpp model with tagged settings and only what was set', () => {
    expect(modelOf({ name: ' Smol ', model: ' /models/smol.gguf ' })).toEqual({
      name: 'Smol', path: '/models/smol.gguf', engine: 'llama_cpp', settings: { engine: 'llama_cpp' },
    })
    const llama = { ...emptyDeployForm().llama, gpu_layers: '-1', flash_attention: 'on' as const }
    expect(
      modelOf({ name: 'S', model: '/m.gguf', context: '8192', port: '8081', restart: 'on_failure', retries: '5', extraArgs: '--temp\n0.7\n\n--top-k=40\n', llama }),
    ).toEqual({
      name: 'S', path: '/m.gguf', engine: 'llama_cpp', context_size: 8192, port: 8081,
      restart_policy: { kind: 'on_failure', max_retries: 5 }, extra_args: ['--temp', '0.7', '--top-k=40'],
      settings: { engine: 'llama_cpp', gpu_layers: -1, flash_attention: true },
    })
  })

  it('reports every invalid field at once', () => {
    const errors = errorsOf({ name: ' ', model: 'models/x.gguf', context: '100', port: '80', restart: 'on_failure', retries: '21' })
    expect(Object.keys(errors).sort()).toEqual(['context', 'model', 'name', 'port', 'retries'])
    expect(errors.model?.key).toBe('deploy.err.modelAbsolute')
    expect(errorsOf({ name: 'x', model: '' }).model?.key).toBe('deploy.err.modelEmpty')
    expect(errorsOf({ name: 'x', model: '/m', context: '2097152' }).context).toBeDefined()
    expect(errorsOf({ name: 'x', model: '/m', port: '1.5' }).port).toBeDefined()
  })

  it('sends the GPU choice for every engine, "all" left out as the default', () => {
    expect(modelOf({ name: 'S', model: '/m.gguf', placement: { mode: 'all', devices: '' } }).gpus).toBeUndefined()
    expect(modelOf({ ...vllm, placement: { mode: 'auto', devices: '' } }).gpus).toEqual({ mode: 'auto' })
    expect(modelOf({ ...custom, placement: { mode: 'devices', devices: '3, 1' } }).gpus).toEqual({ mode: 'devices', devices: [1, 3] })
    expect(errorsOf({ name: 'x', model: '/m', placement: { mode: 'devices', devices: '' } }).placement).toEqual({ key: 'gpus.err.devicesEmpty' })
  })

  it('accepts absolute paths of every OS', () => {
    for (const p of ['/a.gguf', 'C:\\models\\a.gguf', 'd:/a.gguf', '\\\\nas\\models\\a.gguf']) expect(isAbsolutePath(p)).toBe(true)
    for (const p of ['a.gguf', '~/a.gguf', './a.gguf']) expect(isAbsolutePath(p)).toBe(false)
  })

  it('refuses the flags llmops manages, per engine, and a flag with its value on one line', () => {
    expect(errorsOf({ name: 'x', model: '/m', extraArgs: '--port\n80' }).extraArgs).toEqual({ key: 'deploy.err.argManaged', params: { arg: '--port' } })
    expect(errorsOf({ name: 'x', model: '/m', extraArgs: '-m=/other.gguf' }).extraArgs?.params).toEqual({ arg: '-m' })
    expect(errorsOf({ ...vllm, extraArgs: '--max-model-len=4096' }).extraArgs?.key).toBe('deploy.err.argManaged')
    expect(errorsOf({ ...vllm, extraArgs: '--served-model-name\nx' }).extraArgs?.key).toBe('deploy.err.argManaged')
    // The lists are the core's (generated): the engine key flags are refused here, not only by the server.
    expect(errorsOf({ name: 'x', model: '/m', extraArgs: '--api-key=x' }).extraArgs?.params).toEqual({ arg: '--api-key' })
    expect(errorsOf({ ...vllm, extraArgs: '--api-key\nx' }).extraArgs?.key).toBe('deploy.err.argManaged')
    // -m is only llama.cpp's; vLLM may take it.
    expect(modelOf({ ...vllm, extraArgs: '-m' }).extra_args).toEqual(['-m'])
    expect(modelOf({ ...custom, extraArgs: '--port\n1' }).extra_args).toEqual(['--port', '1'])
    expect(errorsOf({ name: 'x', model: '/m', extraArgs: '--temp 0.7' }).extraArgs).toEqual({ key: 'deploy.err.argSplit', params: { arg: '--temp 0.7' } })
  })

  it('passes llama.cpp setting errors on with the invalid field', () => {
    const r = buildDeploy(form({ name: 'x', model: '/m', llama: { ...emptyDeployForm().llama, threads: '0' } }))
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.llamaField).toBe('threads')
    expect(r.errors.llama).toEqual({ key: 'settings.errPositive', params: { max: 1024 }, fieldLabel: 'settings.threads' })
  })
})

describe('buildDeploy: vLLM and Docker', () => {
  it('builds vLLM settings from the fields that were set', () => {
    expect(modelOf(vllm)).toEqual({ ...vllm, path: vllm.model, model: undefined, settings: { engine: 'vllm', trust_remote_code: false } })
    expect(
      modelOf({ ...vllm, context: '32768', gpuMem: '0.85', dtype: 'bfloat16', tp: '2', trustRemoteCode: true, servedName: ' qwen ' }).settings,
    ).toEqual({ engine: 'vllm', gpu_memory_utilization: 0.85, dtype: 'bfloat16', tensor_parallel_size: 2, trust_remote_code: true, served_model_name: 'qwen' })
  })

  it('checks the vLLM ranges like the server', () => {
    for (const bad of ['0', '1.1', '-0.5', 'abc', '.']) expect(errorsOf({ ...vllm, gpuMem: bad }).gpuMem).toBeDefined()
    expect(modelOf({ ...vllm, gpuMem: '1' }).settings).toMatchObject({ gpu_memory_utilization: 1 })
    expect(modelOf({ ...vllm, gpuMem: '.5' }).settings).toMatchObject({ gpu_memory_utilization: 0.5 })
    for (const bad of ['0', '65', '1.5']) expect(errorsOf({ ...vllm, tp: bad }).tp?.key).toBe('deploy.err.tp')
    expect(errorsOf({ ...vllm, dtype: 'int8' }).dtype).toBeDefined()
    expect(errorsOf({ ...vllm, servedName: 'my model' }).servedName).toEqual({ key: 'deploy.err.oneWord', params: { value: 'my model' } })
    expect(errorsOf({ ...vllm, model: ' ' }).model?.key).toBe('deploy.err.modelEmpty')
  })

  it('builds the container settings and checks them', () => {
    const docker = { ...vllm, engine: 'vllm_docker' as const }
    expect(modelOf(docker).settings).toEqual({ engine: 'vllm_docker', trust_remote_code: false, env: [] })
    expect(
      modelOf({ ...docker, image: 'vllm/vllm-openai:v0.6.3', gpus: 'device=0,1', hfCache: '/data/hf', env: 'HF_TOKEN=hf_x\n\nVLLM_LOGGING_LEVEL=DEBUG' }).settings,
    ).toEqual({
      engine: 'vllm_docker', trust_remote_code: false, image: 'vllm/vllm-openai:v0.6.3', gpus: 'device=0,1', hf_cache: '/data/hf',
      env: ['HF_TOKEN=hf_x', 'VLLM_LOGGING_LEVEL=DEBUG'],
    })
    const errors = errorsOf({ ...docker, image: 'vllm openai', gpus: 'all 2', hfCache: '~/.cache/huggingface', env: 'HF_TOKEN\n=x' })
    expect(errors.image?.key).toBe('deploy.err.oneWord')
    expect(errors.gpus?.key).toBe('deploy.err.oneWord')
    expect(errors.hfCache?.key).toBe('deploy.err.hfCache')
    expect(errors.env).toEqual({ key: 'deploy.err.env', params: { entry: '=x' } })
    for (const bad of ['MY-KEY=1', '1KEY=x', 'KEY VALUE', 'ÄKEY=1']) expect(errorsOf({ ...docker, env: bad }).env, bad).toBeDefined()
    // A bare KEY passes llmops' own value through; a value may hold anything.
    expect(modelOf({ ...docker, env: 'HF_TOKEN\n_X=a=b c' }).settings).toMatchObject({ env: ['HF_TOKEN', '_X=a=b c'] })
  })
})

describe('buildDeploy: custom command', () => {
  it('builds the command from one item per line', () => {
    expect(modelOf({ ...custom, model: '/models/x', startTimeout: '60', servedName: 'x' })).toEqual({
      name: 'Mine', path: '/models/x', engine: 'custom',
      settings: { engine: 'custom', command: ['python3', '-m', 'srv', '--port', '{port}'], health_path: '/health', start_timeout_secs: 60, served_model_name: 'x' },
    })
  })

  it('checks the command like the server', () => {
    expect(errorsOf({ ...custom, command: '  \n' }).command?.key).toBe('deploy.err.commandEmpty')
    expect(errorsOf({ ...custom, command: '{model}\n{port}' }).command?.key).toBe('deploy.err.commandProgram')
    expect(errorsOf({ ...custom, command: 'srv\n--port={prot}' }).command).toEqual({ key: 'deploy.err.placeholder', params: { placeholder: '{prot}' } })
    expect(errorsOf({ ...custom, command: 'srv\n--model\n{model}' }).command?.key).toBe('deploy.err.needsPort')
    // A fixed port makes {port} optional.
    expect(modelOf({ ...custom, command: 'srv\n--listen\n9000', port: '9000' }).port).toBe(9000)
    expect(errorsOf({ ...custom, command: 'srv\n{port}\n{model}' }).model?.key).toBe('deploy.err.modelForCommand')
    expect(errorsOf({ ...custom, healthPath: 'health' }).healthPath?.key).toBe('deploy.err.healthPath')
    expect(errorsOf({ ...custom, healthPath: '' }).healthPath).toBeDefined()
    for (const bad of ['0', '86401', 'x']) expect(errorsOf({ ...custom, startTimeout: bad }).startTimeout).toBeDefined()
  })

  it('finds unknown placeholders but ignores braces that are not one', () => {
    expect(unknownPlaceholder('--x={port}')).toBeNull()
    expect(unknownPlaceholder('{"a": 1}')).toBeNull()
    expect(unknownPlaceholder('{}')).toBeNull()
    expect(unknownPlaceholder('{name}-{host}')).toBe('{host}')
  })

  it('previews the argv with port 8080 and the model and name substituted', () => {
    expect(commandPreview({ command: 'srv\n --port={port} \n{model}\n{name}', model: 'Qwen/Q', name: 'Q' })).toEqual(['srv', '--port=8080', 'Qwen/Q', 'Q'])
    expect(commandPreview({ command: 'srv\n{model}', model: '', name: '' })).toEqual(['srv', '{model}'])
    expect(lines(' a \r\n\n b ')).toEqual(['a', 'b'])
  })
})

describe('presets', () => {
  it('fills the form from a llama.cpp preset, the file placed in the models folder', () => {
    const f = form({ engine: 'vllm', gpuMem: '0.5', extraArgs: '--seed\n1' })
    const llama = f.llama
    applyPreset(f, qwenGguf, '/home/me/.cache/llmops/models/')
    // Filled in place: the llama.cpp fields' component holds this object.
    expect(f.llama).toBe(llama)
    expect(f).toMatchObject({
      engine: 'llama_cpp', presetId: 'qwen-llama-cpp', name: 'Qwen2.5 7B Instruct', context: '8192', gpuMem: '', extraArgs: '--seed\n1',
      model: '/home/me/.cache/llmops/models/qwen2.5-7b-instruct-q4_k_m.gguf',
    })
    expect(f.llama).toMatchObject({ gpu_layers: '-1', flash_attention: 'on', threads: '' })
    expect(buildDeploy(f).ok).toBe(true)
    expect(presetModelValue(qwenGguf, null)).toBe('qwen2.5-7b-instruct-q4_k_m.gguf')
    expect(parentFolder('/home/me/.cache/llmops/models/smol.gguf')).toBe('/home/me/.cache/llmops/models')
    expect(parentFolder('C:\\models\\a.gguf')).toBe('C:\\models')
    expect(parentFolder('a.gguf')).toBeNull()
    expect(parentFolder(undefined)).toBeNull()
    expect(presetModelValue(qwenGguf, 'C:\\llmops\\models')).toBe('C:\\llmops\\models\\qwen2.5-7b-instruct-q4_k_m.gguf')
  })

  it('fills the vLLM and container fields from a Docker preset', () => {
    const f = form({ image: 'old', trustRemoteCode: true })
    applyPreset(f, qwenDocker, '/ignored')
    expect(f).toMatchObject({
      engine: 'vllm_docker', model: 'Qwen/Qwen2.5-7B-Instruct', context: '32768', gpuMem: '0.9', dtype: 'auto', image: '', env: 'HF_TOKEN=x', trustRemoteCode: false,
    })
    const r = buildDeploy(f)
    expect(r.ok && r.model.settings).toEqual({ engine: 'vllm_docker', env: ['HF_TOKEN=x'], trust_remote_code: false, gpu_memory_utilization: 0.9, dtype: 'auto' })
  })
})

describe('deployFormFromModel', () => {
  const base: Model = {
    id: 'm1', name: 'Qwen', engine: 'llama_cpp', path: '/models/qwen.gguf', context_size: 8192, extra_args: ['--temp', '0.7'],
    restart_policy: { kind: 'on_failure', max_retries: 5 }, port: 9000,
    settings: { engine: 'llama_cpp', gpu_layers: -1, threads: 8, flash_attention: true, cache_type_k: 'q8_0', mmap: false, chat_template: 'chatml' },
    secret_env: [], gpus: { mode: 'all' }, starter: false, created_at: 1, file_missing: false,
  }

  it('fills every field from a llama.cpp model, and builds the same model back', () => {
    const f = deployFormFromModel(base)
    expect(f).toMatchObject({
      engine: 'llama_cpp', name: 'Qwen', model: '/models/qwen.gguf', context: '8192', port: '9000', restart: 'on_failure', retries: '5',
      extraArgs: '--temp\n0.7',
    })
    expect(f.llama).toMatchObject({ gpu_layers: '-1', threads: '8', flash_attention: 'on', cache_type_k: 'q8_0', mmap: 'off', chat_template: 'chatml' })
    expect(modelOfForm(f)).toEqual({
      name: 'Qwen', path: '/models/qwen.gguf', engine: 'llama_cpp', context_size: 8192, port: 9000,
      restart_policy: { kind: 'on_failure', max_retries: 5 }, extra_args: ['--temp', '0.7'],
      settings: { engine: 'llama_cpp', gpu_layers: -1, threads: 8, flash_attention: true, cache_type_k: 'q8_0', mmap: false, chat_template: 'chatml' },
    })
  })

  it('leaves the automatic port and no restart as such, and fills the other engines', () => {
    const plain = deployFormFromModel({ ...base, port: null, restart_policy: { kind: 'never' }, extra_args: [] })
    expect(plain).toMatchObject({ port: '', restart: 'never', extraArgs: '' })
    const docker = deployFormFromModel({
      ...base, engine: 'vllm_docker', path: 'Qwen/Q',
      settings: { engine: 'vllm_docker', image: 'vllm/vllm-openai:v0.6', env: ['VLLM_LOGGING_LEVEL=DEBUG'], trust_remote_code: true, gpu_memory_utilization: 0.8 },
    })
    expect(docker).toMatchObject({ engine: 'vllm_docker', model: 'Qwen/Q', image: 'vllm/vllm-openai:v0.6', env: 'VLLM_LOGGING_LEVEL=DEBUG', trustRemoteCode: true, gpuMem: '0.8' })
    const custom = deployFormFromModel({
      ...base, engine: 'custom', path: '', settings: { engine: 'custom', command: ['srv', '--port', '{port}'], health_path: '/v1/models', start_timeout_secs: 60 },
    })
    expect(custom).toMatchObject({ engine: 'custom', command: 'srv\n--port\n{port}', healthPath: '/v1/models', startTimeout: '60' })
  })

  it('fills the GPU choice, and builds it back', () => {
    const f = deployFormFromModel({ ...base, gpus: { mode: 'devices', devices: [0, 2] } })
    expect(f.placement).toEqual({ mode: 'devices', devices: '0, 2' })
    expect(modelOfForm(f).gpus).toEqual({ mode: 'devices', devices: [0, 2] })
    expect(deployFormFromModel(base).placement).toEqual({ mode: 'all', devices: '' })
  })
})

describe('fieldOfServerError', () => {
  it('puts a refused save next to the field it is about', () => {
    expect(fieldOfServerError('model_path_duplicate')).toBe('model')
    expect(fieldOfServerError('model_file_not_gguf')).toBe('model')
    expect(fieldOfServerError('model_context_size_invalid')).toBe('context')
    expect(fieldOfServerError('model_port_invalid')).toBe('port')
    expect(fieldOfServerError('model_name_empty')).toBe('name')
    expect(fieldOfServerError('model_gpus_invalid')).toBe('placement')
    expect(fieldOfServerError('internal')).toBeNull()
  })
})

function modelOfForm(f: DeployForm) {
  const r = buildDeploy(f)
  if (!r.ok) throw new Error(`unexpected errors: ${JSON.stringify(r.errors)}`)
  return r.model
}
