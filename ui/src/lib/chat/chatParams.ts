import type { ChatParams } from '../../generated/ChatParams'
import type { MessageKey } from '../../i18n/en'

/** The parameters form as typed: every field a string, empty for the engine's default. */
export interface ParamsDraft {
  system: string
  temperature: string
  topP: string
  maxTokens: string
  stop: string
  seed: string
}

export type ParamsErrors = Partial<Record<keyof ParamsDraft, MessageKey>>

export const MAX_STOPS = 4
export const MAX_SYSTEM_CHARS = 100_000
const MAX_U32 = 4_294_967_295

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', ',': ',', '\\': '\\' }

/**
 * Stop sequences from the form: separated by commas or new lines, surrounding spaces trimmed,
 * empty ones dropped. `\n`, `\t`, `\,` and `\\` stand for a new line, a tab, a comma, a backslash.
 */
export function parseStops(text: string): string[] {
  const out: string[] = []
  let raw = ''
  const end = () => {
    const item = unescape(raw.trim())
    if (item) out.push(item)
    raw = ''
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\\' && i + 1 < text.length) {
      raw += c + text[i + 1]
      i++
    } else if (c === ',' || c === '\n' || c === '\r') {
      end()
    } else {
      raw += c
    }
  }
  end()
  return out
}

function unescape(s: string): string {
  return s.replace(/\\(.)/gs, (m, c: string) => ESCAPES[c] ?? m)
}

/** The form text for stop sequences: the inverse of `parseStops`. */
export function formatStops(stops: string[]): string {
  return stops
    .map((s) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/,/g, '\\,'))
    .join(', ')
}

export function toDraft(p: ChatParams): ParamsDraft {
  const str = (v: number | undefined) => (v === undefined || v === null ? '' : String(v))
  return {
    system: p.system_prompt ?? '',
    temperature: str(p.temperature),
    topP: str(p.top_p),
    maxTokens: str(p.max_tokens),
    stop: formatStops(p.stop ?? []),
    seed: str(p.seed),
  }
}

function num(text: string): number | undefined | null {
  const s = text.trim()
  if (!s) return undefined
  const n = Number(s)
  return Number.isFinite(n) ? n : null
}

/**
 * Parses and checks the form with the server's rules (temperature 0–2, top_p in (0, 1],
 * max_tokens ≥ 1, at most 4 stop sequences, integer seed). `params` is null when a field is wrong.
 */
export function parseDraft(d: ParamsDraft): { params: ChatParams | null; errors: ParamsErrors } {
  const errors: ParamsErrors = {}
  const params: ChatParams = { stop: parseStops(d.stop) }
  if (d.system.trim()) params.system_prompt = d.system
  if (d.system.length > MAX_SYSTEM_CHARS) errors.system = 'chat.params.errSystem'

  const temperature = num(d.temperature)
  if (temperature === null || (temperature !== undefined && (temperature < 0 || temperature > 2))) {
    errors.temperature = 'chat.params.errTemperature'
  } else if (temperature !== undefined) params.temperature = temperature

  const topP = num(d.topP)
  if (topP === null || (topP !== undefined && (topP <= 0 || topP > 1))) errors.topP = 'chat.params.errTopP'
  else if (topP !== undefined) params.top_p = topP

  const maxTokens = num(d.maxTokens)
  if (maxTokens === null || (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > MAX_U32))) {
    errors.maxTokens = 'chat.params.errMaxTokens'
  } else if (maxTokens !== undefined) params.max_tokens = maxTokens

  if (params.stop.length > MAX_STOPS) errors.stop = 'chat.params.errStop'

  const seed = num(d.seed)
  if (seed === null || (seed !== undefined && !Number.isSafeInteger(seed))) errors.seed = 'chat.params.errSeed'
  else if (seed !== undefined) params.seed = seed

  return { params: Object.keys(errors).length ? null : params, errors }
}
