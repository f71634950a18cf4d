import type { HubSettingsView } from '../../generated/HubSettingsView'
import type { HubSource } from '../../generated/HubSource'

/**
 * A hub the Find tab searches and opens repositories on. (A download may also come from elsewhere,
 * an Ollama pull, so a `Download`'s `source` is any `HubSource`.)
 */
export type FindSource = Extract<HubSource, 'hugging_face' | 'model_scope'>

/** The hubs models are found on, in the order the Find tab offers them: Hugging Face (or its mirror) first. */
export const HUB_SOURCES: readonly FindSource[] = ['hugging_face', 'model_scope']

/** Each hub's address when the settings have not loaded (the core's defaults). */
export const DEFAULT_ENDPOINTS: Readonly<Record<FindSource, string>> = {
  hugging_face: 'https://huggingface.co',
  model_scope: 'https://www.modelscope.cn',
}

/** The hub a `?source=` value names, or null for anything else (absent, a typo). */
export function hubSource(value: unknown): FindSource | null {
  const first = Array.isArray(value) ? value[0] : value
  return (HUB_SOURCES as readonly unknown[]).includes(first) ? (first as FindSource) : null
}

/** The address a hub is reached at: the effective endpoint of the settings, else the default. */
export function sourceEndpoint(source: FindSource, settings: HubSettingsView | null | undefined): string {
  const endpoint = source === 'model_scope' ? settings?.modelscope_endpoint : settings?.endpoint
  return endpoint || DEFAULT_ENDPOINTS[source]
}

/** A repository's page on its hub: `<endpoint>/org/name` (Hugging Face and mirrors), `<endpoint>/models/owner/name` (ModelScope). */
export function repoPageUrl(source: FindSource, endpoint: string, repo: string): string {
  const base = endpoint.replace(/\/+$/, '')
  return source === 'model_scope' ? `${base}/models/${repo}` : `${base}/${repo}`
}
