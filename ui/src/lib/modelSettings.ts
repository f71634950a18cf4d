import type { ApiError } from '../api/errors'
import { KV_CACHE_TYPES, LLAMA_CPP_LIMITS } from '../generated/constants'
import type { CustomSettings } from '../generated/CustomSettings'
import type { EngineKind } from '../generated/EngineKind'
import type { EngineSettings } from '../generated/EngineSettings'
import type { LlamaCppSettings } from '../generated/LlamaCppSettings'
import type { Model } from '../generated/Model'
import type { VllmDockerSettings } from '../generated/VllmDockerSettings'
import type { VllmSettings } from '../generated/VllmSettings'
import type { MessageKey } from '../i18n/en'

/** KV cache element types llama-server accepts (the core's list). */
export { KV_CACHE_TYPES }

/** The numeric llama.cpp settings, with their upper bounds (as the server checks them). */
export const NUMERIC_FIELDS = ['gpu_layers', 'threads', 'batch_size', 'ubatch_size', 'parallel'] as const
export type NumericField = (typeof NUMERIC_FIELDS)[number]

/** Upper bounds, as the core checks them. */
const MAX: Record<Exclude<NumericField, 'gpu_layers'>, number> = LLAMA_CPP_LIMITS

/** What the advanced part of the add form holds: raw text and select values. */
export interface SettingsForm {
  gpu_layers: string
  threads: string
  batch_size: string
  ubatch_size: string
  parallel: string
  /** '' = engine default (auto). */
  flash_attention: '' | 'on' | 'off'
  cache_type_k: string
  cache_type_v: string
  /** '' = default (mmap on). */
  mmap: '' | 'off'
  mlock: boolean
  chat_template: string
  /** Extra engine arguments, separated by spaces (passed as an argv list, never to a shell). */
  extra_args: string
}

export function emptySettingsForm(): SettingsForm {
  return {
    gpu_layers: '',
    threads: '',
    batch_size: '',
    ubatch_size: '',
    parallel: '',
    flash_attention: '',
    cache_type_k: '',
    cache_type_v: '',
    mmap: '',
    mlock: false,
    chat_template: '',
    extra_args: '',
  }
}

export interface SettingsError {
  field: keyof SettingsForm
  key: MessageKey
  params?: Record<string, string | number>
}

export type SettingsResult = { ok: true; settings: LlamaCppSettings } | { ok: false; error: SettingsError }

/** Checks the form like the server does and builds the settings (only fields the user set). */
export function buildSettings(form: SettingsForm): SettingsResult {
  const settings: LlamaCppSettings = {}
  for (const field of NUMERIC_FIELDS) {
    const raw = form[field].trim()
    if (!raw) continue
    const n = Number(raw)
    if (field === 'gpu_layers') {
      if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n) || n < -1 || n > 2147483647) {
        return { ok: false, error: { field, key: 'settings.errGpuLayers' } }
      }
    } else if (!/^\d+$/.test(raw) || n < 1 || n > MAX[field]) {
      return { ok: false, error: { field, key: 'settings.errPositive', params: { max: MAX[field] } } }
    }
    settings[field] = n
  }
  if (settings.batch_size !== undefined && settings.ubatch_size !== undefined && settings.ubatch_size > settings.batch_size) {
    return { ok: false, error: { field: 'ubatch_size', key: 'settings.errUbatch' } }
  }
  if (form.flash_attention) settings.flash_attention = form.flash_attention === 'on'
  for (const field of ['cache_type_k', 'cache_type_v'] as const) {
    const v = form[field]
    if (!v) continue
    if (!(KV_CACHE_TYPES as readonly string[]).includes(v)) {
      return { ok: false, error: { field, key: 'settings.errCacheType' } }
    }
    settings[field] = v
  }
  if (form.mmap === 'off') settings.mmap = false
  if (form.mlock) settings.mlock = true
  const template = form.chat_template.trim()
  if (template) {
    if (/\s/.test(template)) return { ok: false, error: { field: 'chat_template', key: 'settings.errTemplate' } }
    settings.chat_template = template
  }
  return { ok: true, settings }
}

/** One line of a model's settings list: a label key and the value shown. */
export interface SettingEntry {
  field: string
  label: MessageKey
  /** Lists (a command, environment entries) come already formatted as one line. */
  value: string | number | boolean
}

const LLAMA_LABELS: Record<keyof LlamaCppSettings, MessageKey> = {
  gpu_layers: 'settings.gpu_layers',
  threads: 'settings.threads',
  batch_size: 'settings.batch_size',
  ubatch_size: 'settings.ubatch_size',
  parallel: 'settings.parallel',
  flash_attention: 'settings.flash_attention',
  cache_type_k: 'settings.cache_type_k',
  cache_type_v: 'settings.cache_type_v',
  mmap: 'settings.mmap',
  mlock: 'settings.mlock',
  chat_template: 'settings.chat_template',
}

const VLLM_LABELS: Record<keyof VllmSettings, MessageKey> = {
  gpu_memory_utilization: 'settings.gpu_memory_utilization',
  dtype: 'settings.dtype',
  tensor_parallel_size: 'settings.tensor_parallel_size',
  max_num_seqs: 'settings.max_num_seqs',
  trust_remote_code: 'settings.trust_remote_code',
  served_model_name: 'settings.served_model_name',
}

const DOCKER_LABELS: Record<keyof VllmDockerSettings, MessageKey> = {
  image: 'settings.image',
  gpus: 'settings.gpus',
  hf_cache: 'settings.hf_cache',
  env: 'settings.env',
  ...VLLM_LABELS,
}

const CUSTOM_LABELS: Record<keyof CustomSettings, MessageKey> = {
  command: 'settings.command',
  health_path: 'settings.health_path',
  start_timeout_secs: 'settings.start_timeout_secs',
  served_model_name: 'settings.served_model_name',
}

const LABELS: Record<EngineKind, Record<string, MessageKey>> = {
  llama_cpp: LLAMA_LABELS,
  vllm: VLLM_LABELS,
  vllm_docker: DOCKER_LABELS,
  custom: CUSTOM_LABELS,
}

/** One argv item as a shell would need it to read back the same item (for display only). */
export function quoteArg(item: string): string {
  if (/^[\w@%+=:,./{}-]+$/.test(item)) return item
  return `'${item.replace(/'/g, `'\\''`)}'`
}

/** An argv list as one readable line. */
export function formatArgv(items: readonly string[]): string {
  return items.map(quoteArg).join(' ')
}

/** `KEY=value` entries with their values hidden (they may hold tokens); a bare `KEY` (passed through) as is. */
export function maskEnv(entries: readonly string[]): string {
  return entries.map((e) => (e.includes('=') ? `${e.split('=')[0]}=•••` : e)).join(' ')
}

/** How a secret looks wherever it is shown (mirrors the server's mask). */
export const SECRET_MASK = '••••••••'

/** Secret environment entries by name: their values never reach the UI, so a mask stands in. */
export function maskSecretEnv(names: readonly string[]): string {
  return names.map((name) => `${name}=${SECRET_MASK}`).join(' ')
}

/** The engine settings that are set (not null, undefined, empty), in a stable order per engine. */
export function settingEntries(settings: EngineSettings | null | undefined): SettingEntry[] {
  if (!settings) return []
  const labels = LABELS[settings.engine] ?? {}
  const values = settings as unknown as Record<string, unknown>
  const entries: SettingEntry[] = []
  for (const [field, label] of Object.entries(labels)) {
    const raw = values[field]
    let value: string | number | boolean
    if (Array.isArray(raw)) {
      if (raw.length === 0) continue
      value = field === 'env' ? maskEnv(raw) : formatArgv(raw)
    } else if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') {
      if (raw === '') continue
      value = raw
    } else {
      continue
    }
    entries.push({ field, label, value })
  }
  return entries
}

/** A model's settings list: its engine settings, then its secret environment entries (names only). */
export function modelSettingEntries(model: Pick<Model, 'settings' | 'secret_env'>): SettingEntry[] {
  const entries = settingEntries(model.settings)
  // Older answers may lack the field.
  const secret = model.secret_env ?? []
  if (secret.length > 0) entries.push({ field: 'secret_env', label: 'settings.secret_env', value: maskSecretEnv(secret) })
  return entries
}

/** The extra-arguments field as an argv list (split on whitespace; no shell quoting). */
export function parseExtraArgs(text: string): string[] {
  return text.split(/\s+/).filter((a) => a.length > 0)
}

/** A secret environment entry's name, as the server accepts it: letters, digits and _, not starting with a digit. */
export const SECRET_ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * The secret environment part of the edit form. Stored values are never sent to the UI, so the
 * form holds only what changes: stored entries to remove, and new `NAME=value` entries (a new
 * entry with a stored name replaces that entry's value).
 */
export interface SecretEnvForm {
  removed: string[]
  added: { name: string; value: string }[]
}

export function emptySecretEnvForm(): SecretEnvForm {
  return { removed: [], added: [] }
}

/** Why the secret entries cannot be saved: a message key and, for a new entry, its row. */
export interface SecretEnvProblem {
  key: MessageKey
  params?: Record<string, string | number>
  row?: number
  /** The server's refusal of a save, shown (translated) instead of `key`. */
  error?: ApiError
}

export type SecretEnvResult =
  /** `secretEnv` undefined: nothing changed, so the request leaves it out and the stored entries stay. */
  | { ok: true; secretEnv?: Record<string, string> }
  | { ok: false; problem: SecretEnvProblem }

/**
 * The `secret_env` of an edit request. Unchanged: left out (the server keeps what it holds).
 * Changed: the whole new set, where a kept entry has an empty value (the server keeps its stored
 * value) and a new one its value. Rows left entirely empty are ignored.
 */
export function buildSecretEnv(stored: readonly string[], form: SecretEnvForm): SecretEnvResult {
  const added: Record<string, string> = {}
  for (const [row, entry] of form.added.entries()) {
    const name = entry.name.trim()
    const value = entry.value
    if (!name && !value) continue
    if (!name) return { ok: false, problem: { key: 'edit.secret.errName', row } }
    if (!SECRET_ENV_NAME.test(name)) return { ok: false, problem: { key: 'edit.secret.errNameChars', params: { name }, row } }
    if (!value) return { ok: false, problem: { key: 'edit.secret.errValue', params: { name }, row } }
    if (value.includes('\0')) return { ok: false, problem: { key: 'edit.secret.errValueChars', params: { name }, row } }
    if (name in added) return { ok: false, problem: { key: 'edit.secret.errDuplicate', params: { name }, row } }
    added[name] = value
  }
  const kept = stored.filter((name) => !form.removed.includes(name))
  if (kept.length === stored.length && Object.keys(added).length === 0) return { ok: true }
  const secretEnv: Record<string, string> = {}
  for (const name of kept) secretEnv[name] = ''
  return { ok: true, secretEnv: { ...secretEnv, ...added } }
}
