import type { ChatDefaults } from '../../generated/ChatDefaults'
import type { ChatParams } from '../../generated/ChatParams'
import type { ChatTarget } from '../../generated/ChatTarget'

/** The parameters that hold a single value (the stop list and the system prompt are handled apart). */
const SCALARS = ['temperature', 'top_p', 'max_tokens', 'seed'] as const

/** The system prompt when it says something (as the core reads it: blank is unset). */
function systemOf(p: ChatParams): string | undefined {
  return p.system_prompt?.trim() ? p.system_prompt : undefined
}

/**
 * `own` with each unset parameter taken from `fallback` (an empty stop list and a blank system
 * prompt count as unset): the core's `ChatParams::over`.
 */
export function paramsOver(own: ChatParams, fallback: ChatParams): ChatParams {
  const out: ChatParams = { stop: own.stop?.length ? [...own.stop] : [...(fallback.stop ?? [])] }
  const system = systemOf(own) ?? systemOf(fallback)
  if (system !== undefined) out.system_prompt = system
  for (const key of SCALARS) {
    const value = own[key] ?? fallback[key]
    if (value !== undefined && value !== null) out[key] = value
  }
  return out
}

/** What a conversation with this target inherits: its model's defaults over the global ones. */
export function defaultsFor(defaults: ChatDefaults, target: ChatTarget): ChatParams {
  const model = target.kind === 'model' ? defaults.models[target.model_id] : undefined
  return model ? paramsOver(model, defaults.global) : paramsOver({ stop: [] }, defaults.global)
}

/** Whether a conversation sets nothing itself (it inherits every parameter). */
export function isEmptyParams(p: ChatParams): boolean {
  return !systemOf(p) && !p.stop?.length && SCALARS.every((k) => p[k] === undefined || p[k] === null)
}

/** The parameters `own` sets itself, without those equal to what it would inherit anyway. */
export function withoutInherited(own: ChatParams, inherited: ChatParams): ChatParams {
  const out: ChatParams = { stop: [] }
  const system = systemOf(own)
  if (system !== undefined && system !== systemOf(inherited)) out.system_prompt = system
  if (own.stop?.length && own.stop.join('\u0000') !== (inherited.stop ?? []).join('\u0000')) out.stop = [...own.stop]
  for (const key of SCALARS) {
    const value = own[key]
    if (value !== undefined && value !== null && value !== inherited[key]) out[key] = value
  }
  return out
}

/** A deep copy, so that edits of a draft never touch the loaded defaults. */
export function copyDefaults(d: ChatDefaults): ChatDefaults {
  const models: ChatDefaults['models'] = {}
  for (const [id, p] of Object.entries(d.models)) if (p) models[id] = { ...p, stop: [...(p.stop ?? [])] }
  return { global: { ...d.global, stop: [...(d.global.stop ?? [])] }, models }
}

/**
 * The defaults with `params` written into one scope (`null`: every chat; else a model id): the
 * values `params` sets replace that scope's, the others stay. A model left with nothing set is
 * dropped.
 */
export function mergeIntoDefaults(defaults: ChatDefaults, modelId: string | null, params: ChatParams): ChatDefaults {
  const next = copyDefaults(defaults)
  if (modelId === null) {
    next.global = paramsOver(params, next.global)
  } else {
    const merged = paramsOver(params, next.models[modelId] ?? { stop: [] })
    if (isEmptyParams(merged)) delete next.models[modelId]
    else next.models[modelId] = merged
  }
  return next
}

/** The defaults with one scope replaced by `params` (a model with nothing set is dropped). */
export function replaceInDefaults(defaults: ChatDefaults, modelId: string | null, params: ChatParams): ChatDefaults {
  const next = copyDefaults(defaults)
  const clean = paramsOver(params, { stop: [] })
  if (modelId === null) next.global = clean
  else if (isEmptyParams(clean)) delete next.models[modelId]
  else next.models[modelId] = clean
  return next
}
