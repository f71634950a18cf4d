import type { HubSettings } from '../../generated/HubSettings'
import type { MessageKey } from '../../i18n/en'

/** Downloads that may transfer at once (the core's limits). */
export const MIN_PARALLEL_DOWNLOADS = 1
export const MAX_PARALLEL_DOWNLOADS = 8

/** The hub settings as the form holds them (text as typed). */
export interface HubSettingsForm {
  endpoint: string
  sendTokenToMirror: boolean
  maxParallel: string
  modelscopeEndpoint: string
}

export function hubSettingsForm(s: HubSettings): HubSettingsForm {
  return {
    endpoint: s.endpoint ?? '',
    sendTokenToMirror: s.send_token_to_mirror,
    maxParallel: String(s.max_parallel_downloads),
    modelscopeEndpoint: s.modelscope_endpoint ?? '',
  }
}

export interface HubSettingsProblem {
  field: 'endpoint' | 'maxParallel' | 'modelscopeEndpoint'
  key: MessageKey
  params?: Record<string, string | number>
}

export type HubSettingsResult = { ok: true; settings: HubSettings } | { ok: false; problems: HubSettingsProblem[] }

/** An address as the server keeps it: trimmed, without a trailing `/`; null when it is not http(s) ('' stays ''). */
function endpointOf(text: string): string | null {
  const endpoint = String(text).trim().replace(/\/+$/, '')
  if (!endpoint) return ''
  let url: URL | null = null
  try {
    url = new URL(endpoint)
  } catch {
    url = null
  }
  return url && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname ? endpoint : null
}

/**
 * Checks the form like the server does and builds the settings: each endpoint (Hugging Face's,
 * ModelScope's) an http(s) address without a trailing `/` (empty = the default), the parallel
 * downloads a whole number from 1 to 8.
 */
export function buildHubSettings(form: HubSettingsForm): HubSettingsResult {
  const problems: HubSettingsProblem[] = []
  const endpoint = endpointOf(form.endpoint)
  if (endpoint === null) problems.push({ field: 'endpoint', key: 'hub.settings.err.endpoint' })
  const modelscope = endpointOf(form.modelscopeEndpoint)
  if (modelscope === null) problems.push({ field: 'modelscopeEndpoint', key: 'hub.settings.err.endpoint' })
  // A number input's v-model may hand over a number.
  const raw = String(form.maxParallel).trim()
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || n < MIN_PARALLEL_DOWNLOADS || n > MAX_PARALLEL_DOWNLOADS) {
    problems.push({ field: 'maxParallel', key: 'hub.settings.err.parallel', params: { min: MIN_PARALLEL_DOWNLOADS, max: MAX_PARALLEL_DOWNLOADS } })
  }
  if (problems.length) return { ok: false, problems }
  const settings: HubSettings = { send_token_to_mirror: form.sendTokenToMirror, max_parallel_downloads: n }
  if (endpoint) settings.endpoint = endpoint
  if (modelscope) settings.modelscope_endpoint = modelscope
  return { ok: true, settings }
}
