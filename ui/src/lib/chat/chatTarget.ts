import type { ChatEndpoint } from '../../generated/ChatEndpoint'
import type { ChatTarget } from '../../generated/ChatTarget'
import type { InstanceInfo } from '../../generated/InstanceInfo'

/**
 * A target as a `<select>` value: `model:<model_id>` or `endpoint:<endpoint_id>:<model>`
 * (the model name may itself contain colons; endpoint ids never do).
 */
export function encodeTarget(target: ChatTarget): string {
  return target.kind === 'model' ? `model:${target.model_id}` : `endpoint:${target.endpoint_id}:${target.model}`
}

/** The target a `<select>` value stands for; `model` is '' for "type a model name". */
export function decodeTarget(value: string): ChatTarget | null {
  if (value.startsWith('model:')) {
    const model_id = value.slice('model:'.length)
    return model_id ? { kind: 'model', model_id } : null
  }
  if (value.startsWith('endpoint:')) {
    const rest = value.slice('endpoint:'.length)
    const colon = rest.indexOf(':')
    if (colon <= 0) return null
    return { kind: 'endpoint', endpoint_id: rest.slice(0, colon), model: rest.slice(colon + 1) }
  }
  return null
}

export function sameTarget(a: ChatTarget | null | undefined, b: ChatTarget | null | undefined): boolean {
  if (!a || !b) return a === b
  return encodeTarget(a) === encodeTarget(b)
}

export interface TargetOption {
  value: string
  label: string
}

/** One running local model per model id (the first running instance gives its name). */
export function localOptions(running: InstanceInfo[]): TargetOption[] {
  const seen = new Set<string>()
  const out: TargetOption[] = []
  for (const i of running) {
    if (seen.has(i.model_id)) continue
    seen.add(i.model_id)
    out.push({ value: encodeTarget({ kind: 'model', model_id: i.model_id }), label: i.model_name })
  }
  return out
}

/** Whether a target can be talked to now: its model runs, or its endpoint still exists. */
export function targetAvailable(target: ChatTarget, running: InstanceInfo[], endpoints: ChatEndpoint[]): boolean {
  if (target.kind === 'model') return running.some((i) => i.model_id === target.model_id)
  return endpoints.some((e) => e.id === target.endpoint_id)
}

/** How a local model shows in the picker: the state of its latest instance, in four groups. */
export type LocalState = 'running' | 'starting' | 'stopped' | 'failed'

/** The picker's groups of local models, in their order. */
export const LOCAL_STATES: readonly LocalState[] = ['running', 'starting', 'stopped', 'failed']

/** A local model in the picker: its option, its name and its state. */
export interface LocalModelOption extends TargetOption {
  modelId: string
  name: string
  state: LocalState
}

/** The picker group of a model by its latest instance: a stopping or never-started model counts as stopped. */
export function localStateOf(instance: InstanceInfo | undefined): LocalState {
  switch (instance?.state.kind) {
    case 'running':
      return 'running'
    case 'pending':
    case 'starting':
      return 'starting'
    case 'failed':
      return 'failed'
    default:
      return 'stopped'
  }
}

/**
 * The address of a new chat with an endpoint's model, for links from other pages (the Models
 * page's Ollama tab): `/chat?endpoint=<id>&model=<name>`.
 */
export function endpointChatLink(endpointId: string, model: string) {
  return { name: 'chat', query: { endpoint: endpointId, model } }
}

/** The target such a link names (`?endpoint=<id>&model=<name>`), or null when it names none. */
export function linkedTarget(query: Record<string, unknown>): ChatTarget | null {
  const one = (value: unknown) => (Array.isArray(value) ? value[0] : value)
  const endpoint = one(query.endpoint)
  const model = one(query.model)
  if (typeof endpoint !== 'string' || typeof model !== 'string') return null
  // As a target's select value needs it: an id without colons, and a model name.
  if (!endpoint || endpoint.includes(':') || !model.trim()) return null
  return { kind: 'endpoint', endpoint_id: endpoint, model }
}
