import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import { KV_CACHE_TYPES } from '../../generated/constants'
import { emptySettingsForm } from '../modelSettings'
import type { DeployForm } from './deployForm'

/**
 * What another page hands the Deploy form (the model hub's "Deploy"): a GGUF file for llama.cpp,
 * a name for it, and the settings a fit check suggested. Travels as the Deploy route's query.
 */
export interface DeployPrefill {
  /** The model file (a split set's first shard). */
  path: string
  name?: string
  context_size?: number
  /** -1 = all layers. */
  gpu_layers?: number
  cache_type_k?: string
  cache_type_v?: string
}

/** The query parameters, by their names in the URL. */
export const PREFILL_PARAMS = ['path', 'name', 'context_size', 'gpu_layers', 'cache_type_k', 'cache_type_v'] as const

/** The query that opens the Deploy page with `prefill` (only what is set). */
export function prefillQuery(prefill: DeployPrefill): LocationQueryRaw {
  const query: LocationQueryRaw = { path: prefill.path }
  if (prefill.name) query.name = prefill.name
  if (prefill.context_size !== undefined) query.context_size = String(prefill.context_size)
  if (prefill.gpu_layers !== undefined) query.gpu_layers = String(prefill.gpu_layers)
  if (prefill.cache_type_k) query.cache_type_k = prefill.cache_type_k
  if (prefill.cache_type_v) query.cache_type_v = prefill.cache_type_v
  return query
}

/** One value of a query parameter (the first when repeated), or null. */
function one(query: LocationQuery, name: string): string | null {
  const value = query[name]
  const first = Array.isArray(value) ? value[0] : value
  return typeof first === 'string' && first.trim() ? first.trim() : null
}

function wholeNumber(raw: string | null, min: number, max: number): number | undefined {
  if (raw === null || !/^-?\d+$/.test(raw)) return undefined
  const n = Number(raw)
  return n >= min && n <= max ? n : undefined
}

function cacheType(raw: string | null): string | undefined {
  const value = raw?.toLowerCase()
  return value && (KV_CACHE_TYPES as readonly string[]).includes(value) ? value : undefined
}

/**
 * The prefill a Deploy URL carries, or null when it names no file. Values that are not valid
 * (a context of "lots", an unknown cache type) are left out rather than shown as errors: the
 * URL may have been typed or come from an older version.
 */
export function prefillFromQuery(query: LocationQuery): DeployPrefill | null {
  const path = one(query, 'path')
  if (!path) return null
  const prefill: DeployPrefill = { path }
  const name = one(query, 'name')
  if (name) prefill.name = name.slice(0, 200)
  const context = wholeNumber(one(query, 'context_size'), 256, 1 << 20)
  if (context !== undefined) prefill.context_size = context
  const layers = wholeNumber(one(query, 'gpu_layers'), -1, 2147483647)
  if (layers !== undefined) prefill.gpu_layers = layers
  const k = cacheType(one(query, 'cache_type_k'))
  if (k) prefill.cache_type_k = k
  const v = cacheType(one(query, 'cache_type_v'))
  if (v) prefill.cache_type_v = v
  return prefill
}

/**
 * Fills the form for llama.cpp from a prefill: the engine, the file, the name and the suggested
 * settings; everything else as a new form has it (no preset).
 */
export function applyPrefill(form: DeployForm, prefill: DeployPrefill): void {
  form.engine = 'llama_cpp'
  form.presetId = ''
  form.model = prefill.path
  form.name = prefill.name ?? ''
  form.context = prefill.context_size !== undefined ? String(prefill.context_size) : ''
  // In place: the llama.cpp fields' component holds this very object.
  Object.assign(form.llama, emptySettingsForm())
  if (prefill.gpu_layers !== undefined) form.llama.gpu_layers = String(prefill.gpu_layers)
  if (prefill.cache_type_k) form.llama.cache_type_k = prefill.cache_type_k
  if (prefill.cache_type_v) form.llama.cache_type_v = prefill.cache_type_v
}
