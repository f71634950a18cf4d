import type { ApiError } from '../../api/errors'
import { MANAGED_FLAGS as CORE_MANAGED_FLAGS, PLACEHOLDERS, VLLM_DTYPES } from '../../generated/constants'
import type { CustomSettings } from '../../generated/CustomSettings'
import type { DeployPreset } from '../../generated/DeployPreset'
import type { EngineKind } from '../../generated/EngineKind'
import type { EngineSettings } from '../../generated/EngineSettings'
import type { Model } from '../../generated/Model'
import type { NewModel } from '../../generated/NewModel'
import type { VllmDockerSettings } from '../../generated/VllmDockerSettings'
import type { VllmSettings } from '../../generated/VllmSettings'
import type { MessageKey } from '../../i18n/en'
import { applyGpuForm, emptyGpuForm, gpuFormFromPlacement, type GpuForm } from '../models/gpuPlacement'
import { buildSettings, emptySettingsForm, KV_CACHE_TYPES, type SettingsForm } from '../modelSettings'

/** The engines the Deploy form offers, in the order of its picker. */
export const ENGINES: readonly EngineKind[] = ['llama_cpp', 'vllm', 'vllm_docker', 'custom']

/** `--dtype` values vLLM accepts (the core's list). */
export { VLLM_DTYPES }

/** Flags llmops sets itself, per engine (the core's lists): extra arguments may not repeat them. */
export const MANAGED_FLAGS: Record<EngineKind, readonly string[]> = CORE_MANAGED_FLAGS

/** What a custom command's arguments may name (the core's list). */
export { PLACEHOLDERS }
/** A container environment entry: `KEY=value`, or a bare `KEY` passed through from llmops' own environment. */
export const ENV_ENTRY = /^[A-Za-z_][A-Za-z0-9_]*(=|$)/
export const DEFAULT_HEALTH_PATH = '/health'
/** The port the command preview substitutes for `{port}`. */
export const PREVIEW_PORT = 8080

/** Everything the Deploy form holds, as typed (text and select values); one form for every engine. */
export interface DeployForm {
  engine: EngineKind
  /** The preset applied last ('' = none). */
  presetId: string
  name: string
  model: string
  context: string
  port: string
  restart: 'never' | 'on_failure'
  retries: string
  /** One argv item per line. */
  extraArgs: string
  /** Which GPUs the model runs on (every engine). */
  placement: GpuForm
  /** llama.cpp (its `extra_args` field is unused here: see `extraArgs`). */
  llama: SettingsForm
  // vLLM, and vLLM in Docker
  gpuMem: string
  /** '' = engine default. */
  dtype: string
  tp: string
  trustRemoteCode: boolean
  /** vLLM, Docker and custom. */
  servedName: string
  // Docker
  image: string
  gpus: string
  hfCache: string
  /** One `KEY=value` (or a bare `KEY`, passed through) per line. */
  env: string
  // custom command
  /** One argv item per line: the program first. */
  command: string
  healthPath: string
  startTimeout: string
}

export type DeployField =
  | 'name' | 'model' | 'context' | 'port' | 'retries' | 'extraArgs' | 'placement' | 'llama'
  | 'gpuMem' | 'dtype' | 'tp' | 'servedName' | 'image' | 'gpus' | 'hfCache' | 'env'
  | 'command' | 'healthPath' | 'startTimeout'

/** A message to show next to a field, translated when shown (so it follows the language). */
export interface FieldProblem {
  key: MessageKey
  params?: Record<string, string | number>
  /** Fills `{field}` with this label, translated. */
  fieldLabel?: MessageKey
  /** The server's refusal of a save, shown (translated) instead of `key`. */
  error?: ApiError
}

export type FieldErrors = Partial<Record<DeployField, FieldProblem>>

export type DeployResult =
  | { ok: true; model: NewModel }
  | { ok: false; errors: FieldErrors; llamaField: keyof SettingsForm | null }

export function emptyDeployForm(engine: EngineKind = 'llama_cpp'): DeployForm {
  return {
    engine,
    presetId: '',
    name: '',
    model: '',
    context: '',
    port: '',
    restart: 'never',
    retries: '3',
    extraArgs: '',
    placement: emptyGpuForm(),
    llama: emptySettingsForm(),
    ...emptyEngineFields(),
  }
}

function emptyEngineFields() {
  return {
    gpuMem: '',
    dtype: '',
    tp: '',
    trustRemoteCode: false,
    servedName: '',
    image: '',
    gpus: '',
    hfCache: '',
    env: '',
    command: '',
    healthPath: DEFAULT_HEALTH_PATH,
    startTimeout: '',
  }
}

/** Non-empty trimmed lines. */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
}

const str = (v: number | string | null | undefined) => (v === undefined || v === null ? '' : String(v))

/** An absolute path on any OS the app runs on: `/x`, `C:\x`, `\\server\share`. */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\')
}

/** The folder of a file path (either separator), or null for a bare name or nothing. */
export function parentFolder(path: string | null | undefined): string | null {
  if (!path) return null
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))
  return cut > 0 ? path.slice(0, cut) : null
}

/**
 * Where a preset's model goes in the form: vLLM's repository as is; for llama.cpp the GGUF file
 * name joined to the models folder when one is known (the user still has to download it there).
 */
export function presetModelValue(preset: DeployPreset, modelsDir?: string | null): string {
  if (preset.engine !== 'llama_cpp' || isAbsolutePath(preset.model)) return preset.model
  if (!modelsDir) return preset.model
  const sep = modelsDir.includes('\\') && !modelsDir.includes('/') ? '\\' : '/'
  return `${modelsDir.replace(/[\\/]+$/, '')}${sep}${preset.model}`
}

/** Fills the form from a preset: its engine, model, context and settings (other fields keep their values). */
export function applyPreset(form: DeployForm, preset: DeployPreset, modelsDir?: string | null): void {
  form.presetId = preset.id
  form.engine = preset.engine
  form.name = preset.name
  form.model = presetModelValue(preset, modelsDir)
  form.context = String(preset.context_size)
  // In place: the llama.cpp fields' component holds this very object.
  Object.assign(form.llama, emptySettingsForm())
  Object.assign(form, emptyEngineFields())
  fillSettings(form, preset.settings)
}

function fillSettings(form: DeployForm, s: EngineSettings): void {
  switch (s.engine) {
    case 'llama_cpp': {
      const l = form.llama
      l.gpu_layers = str(s.gpu_layers)
      l.threads = str(s.threads)
      l.batch_size = str(s.batch_size)
      l.ubatch_size = str(s.ubatch_size)
      l.parallel = str(s.parallel)
      l.flash_attention = s.flash_attention === undefined ? '' : s.flash_attention ? 'on' : 'off'
      l.cache_type_k = (KV_CACHE_TYPES as readonly string[]).includes(s.cache_type_k ?? '') ? s.cache_type_k! : ''
      l.cache_type_v = (KV_CACHE_TYPES as readonly string[]).includes(s.cache_type_v ?? '') ? s.cache_type_v! : ''
      l.mmap = s.mmap === false ? 'off' : ''
      l.mlock = s.mlock === true
      l.chat_template = s.chat_template ?? ''
      return
    }
    case 'vllm_docker':
    case 'vllm':
      if (s.engine === 'vllm_docker') {
        form.image = s.image ?? ''
        form.gpus = s.gpus ?? ''
        form.hfCache = s.hf_cache ?? ''
        form.env = s.env.join('\n')
      }
      form.gpuMem = str(s.gpu_memory_utilization)
      form.dtype = s.dtype ?? ''
      form.tp = str(s.tensor_parallel_size)
      form.trustRemoteCode = s.trust_remote_code
      form.servedName = s.served_model_name ?? ''
      return
    case 'custom':
      form.command = s.command.join('\n')
      form.healthPath = s.health_path || DEFAULT_HEALTH_PATH
      form.startTimeout = str(s.start_timeout_secs)
      form.servedName = s.served_model_name ?? ''
  }
}

/**
 * The form filled from a saved model, to edit it: every field as the model holds it (the
 * engine's own settings included); fields it does not set stay empty, as for a new model.
 */
export function deployFormFromModel(model: Model): DeployForm {
  const form = emptyDeployForm(model.engine)
  form.name = model.name
  form.model = model.path
  form.context = String(model.context_size)
  form.port = str(model.port)
  if (model.restart_policy.kind === 'on_failure') {
    form.restart = 'on_failure'
    form.retries = String(model.restart_policy.max_retries)
  }
  form.extraArgs = model.extra_args.join('\n')
  form.placement = gpuFormFromPlacement(model.gpus)
  // Settings of another engine than the model's would be refused on save: only matching ones fill the form.
  if (model.settings.engine === model.engine) fillSettings(form, model.settings)
  return form
}

/** The field a save refused by the server is about, by its error code; null for the form as a whole. */
export function fieldOfServerError(code: string): DeployField | null {
  switch (code) {
    case 'model_name_empty':
      return 'name'
    case 'model_path_empty':
    case 'model_path_not_absolute':
    case 'model_path_invalid':
    case 'model_path_duplicate':
    case 'model_file_not_gguf':
      return 'model'
    case 'model_context_size_invalid':
      return 'context'
    case 'model_port_invalid':
      return 'port'
    case 'model_restart_policy_invalid':
      return 'retries'
    case 'model_args_invalid':
      return 'extraArgs'
    case 'model_gpus_invalid':
      return 'placement'
    default:
      return null
  }
}

/** A whole number in [min, max] from trimmed text, or null. */
function wholeNumber(raw: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(raw)) return null
  const n = Number(raw)
  return n >= min && n <= max ? n : null
}

const oneWord = (v: string) => !/\s/.test(v)

/** `{word}` items that are not one of ours (most likely a typo), like the server finds them. */
export function unknownPlaceholder(item: string): string | null {
  for (const m of item.matchAll(/\{(\w+)\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(m[0])) return m[0]
  }
  return null
}

/** The custom command as it would run: `{port}` → 8080, `{model}` and `{name}` from the form. */
export function commandPreview(form: Pick<DeployForm, 'command' | 'model' | 'name'>, port = PREVIEW_PORT): string[] {
  return lines(form.command).map((item) =>
    item
      .replaceAll('{port}', String(port))
      .replaceAll('{model}', form.model.trim() || '{model}')
      .replaceAll('{name}', form.name.trim() || '{name}'),
  )
}

function checkExtraArgs(engine: EngineKind, args: string[]): FieldProblem | null {
  for (const arg of args) {
    const flag = arg.split('=')[0]
    if (MANAGED_FLAGS[engine].includes(flag)) return { key: 'deploy.err.argManaged', params: { arg: flag } }
    if (/^-\S*\s+\S/.test(arg)) return { key: 'deploy.err.argSplit', params: { arg } }
  }
  return null
}

/** Checks the form like the server does and builds the model to add (only what the user set). */
export function buildDeploy(form: DeployForm): DeployResult {
  const errors: FieldErrors = {}
  let llamaField: keyof SettingsForm | null = null
  const engine = form.engine
  const name = form.name.trim()
  if (!name) errors.name = { key: 'deploy.err.name' }
  const path = form.model.trim()
  const model: NewModel = { name, path, engine }

  if (engine === 'llama_cpp') {
    if (!path) errors.model = { key: 'deploy.err.modelEmpty' }
    else if (!isAbsolutePath(path)) errors.model = { key: 'deploy.err.modelAbsolute' }
  } else if (engine !== 'custom' && !path) {
    errors.model = { key: 'deploy.err.modelEmpty' }
  }

  const context = form.context.trim()
  if (context) {
    const n = wholeNumber(context, 256, 1 << 20)
    if (n === null) errors.context = { key: 'deploy.err.context' }
    else model.context_size = n
  }
  const port = form.port.trim()
  if (port) {
    const n = wholeNumber(port, 1024, 65535)
    if (n === null) errors.port = { key: 'deploy.err.port' }
    else model.port = n
  }
  if (form.restart === 'on_failure') {
    const n = wholeNumber(form.retries.trim(), 1, 20)
    if (n === null) errors.retries = { key: 'deploy.err.retries' }
    else model.restart_policy = { kind: 'on_failure', max_retries: n }
  }
  const extra = lines(form.extraArgs)
  const argProblem = checkExtraArgs(engine, extra)
  if (argProblem) errors.extraArgs = argProblem
  else if (extra.length > 0) model.extra_args = extra
  const gpuProblem = applyGpuForm(form.placement, model)
  if (gpuProblem) errors.placement = { key: gpuProblem }

  const servedName = form.servedName.trim()
  if (engine !== 'llama_cpp' && servedName && !oneWord(servedName)) {
    errors.servedName = { key: 'deploy.err.oneWord', params: { value: servedName } }
  }

  switch (engine) {
    case 'llama_cpp': {
      const built = buildSettings(form.llama)
      if (built.ok) model.settings = { engine, ...built.settings }
      else {
        llamaField = built.error.field
        errors.llama = { key: built.error.key, params: built.error.params, fieldLabel: `settings.${built.error.field}` }
      }
      break
    }
    case 'vllm':
    case 'vllm_docker': {
      const vllm = vllmSettings(form, servedName, errors)
      if (engine === 'vllm') {
        model.settings = { engine, ...vllm }
        break
      }
      const env = lines(form.env)
      const badEnv = env.find((e) => !ENV_ENTRY.test(e))
      if (badEnv !== undefined) errors.env = { key: 'deploy.err.env', params: { entry: badEnv } }
      const docker: VllmDockerSettings = { ...vllm, env }
      for (const field of ['image', 'gpus'] as const) {
        const v = form[field].trim()
        if (!v) continue
        if (!oneWord(v)) errors[field] = { key: 'deploy.err.oneWord', params: { value: v } }
        else docker[field] = v
      }
      const cache = form.hfCache.trim()
      if (cache) {
        if (!cache.startsWith('/')) errors.hfCache = { key: 'deploy.err.hfCache' }
        else docker.hf_cache = cache
      }
      model.settings = { engine, ...docker }
      break
    }
    case 'custom':
      model.settings = customSettings(form, servedName, model.port !== undefined, errors)
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors, llamaField }
  return { ok: true, model }
}

function vllmSettings(form: DeployForm, servedName: string, errors: FieldErrors): VllmSettings {
  const s: VllmSettings = { trust_remote_code: form.trustRemoteCode }
  const mem = form.gpuMem.trim()
  if (mem) {
    const n = Number(mem)
    if (!/^\d*\.?\d+$/.test(mem) || !(n > 0 && n <= 1)) errors.gpuMem = { key: 'deploy.err.gpuMem' }
    else s.gpu_memory_utilization = n
  }
  if (form.dtype) {
    if (!(VLLM_DTYPES as readonly string[]).includes(form.dtype)) errors.dtype = { key: 'deploy.err.dtype' }
    else s.dtype = form.dtype
  }
  const tp = form.tp.trim()
  if (tp) {
    const n = wholeNumber(tp, 1, 64)
    if (n === null) errors.tp = { key: 'deploy.err.tp' }
    else s.tensor_parallel_size = n
  }
  if (servedName && !errors.servedName) s.served_model_name = servedName
  return s
}

function customSettings(form: DeployForm, servedName: string, fixedPort: boolean, errors: FieldErrors): EngineSettings {
  const command = lines(form.command)
  const healthPath = form.healthPath.trim()
  const s: CustomSettings = { command, health_path: healthPath }
  if (command.length === 0) errors.command = { key: 'deploy.err.commandEmpty' }
  else if (command[0].includes('{')) errors.command = { key: 'deploy.err.commandProgram' }
  else {
    const unknown = command.map(unknownPlaceholder).find((p) => p !== null)
    if (unknown) errors.command = { key: 'deploy.err.placeholder', params: { placeholder: unknown } }
    else if (!fixedPort && !command.some((i) => i.includes('{port}'))) errors.command = { key: 'deploy.err.needsPort' }
    else if (!form.model.trim() && command.some((i) => i.includes('{model}'))) errors.model = { key: 'deploy.err.modelForCommand' }
  }
  if (!healthPath.startsWith('/')) errors.healthPath = { key: 'deploy.err.healthPath' }
  const timeout = form.startTimeout.trim()
  if (timeout) {
    const n = wholeNumber(timeout, 1, 86400)
    if (n === null) errors.startTimeout = { key: 'deploy.err.startTimeout' }
    else s.start_timeout_secs = n
  }
  if (servedName && !errors.servedName) s.served_model_name = servedName
  return { engine: 'custom', ...s }
}
