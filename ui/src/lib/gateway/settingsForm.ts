import { GATEWAY_LIMITS } from '../../generated/constants'
import type { GatewayModelSettings } from '../../generated/GatewayModelSettings'
import type { MessageKey } from '../../i18n/en'

/** The longest group name the server keeps (it cuts longer ones). */
export const MAX_GROUP_CHARS = 64
/** `idle_ttl_secs` is a u32: the most whole minutes it holds. */
export const MAX_IDLE_MINUTES = Math.floor(0xffff_ffff / 60)

/** What the gateway form edits: numbers as typed, aliases one per row. */
export interface GatewayModelDraft {
  idleMinutes: string
  aliases: string[]
  /** Blank: the engine's parallel slots. */
  concurrency: string
  queueLimit: string
  group: string
  pinned: boolean
  logBodies: boolean
}

export interface FormProblem {
  key: MessageKey
  params?: Record<string, string | number>
}

/** A problem per input: `idleMinutes`, `concurrency`, `queueLimit`, `group`, `aliases` (the list) or `alias.<row>`. */
export type DraftErrors = Partial<Record<string, FormProblem>>

/** Minutes as the form shows them: whole when they are, else up to two decimals. */
function minutesText(secs: number): string {
  const minutes = secs / 60
  return Number.isInteger(minutes) ? String(minutes) : String(Math.round(minutes * 100) / 100)
}

export function toModelDraft(s: GatewayModelSettings): GatewayModelDraft {
  return {
    idleMinutes: minutesText(s.idle_ttl_secs),
    aliases: [...s.aliases],
    concurrency: s.concurrency == null ? '' : String(s.concurrency),
    queueLimit: String(s.queue_limit),
    group: s.group ?? '',
    pinned: s.pinned,
    logBodies: s.log_bodies,
  }
}

/** A whole number typed as digits, or null (blank, a sign, a fraction, letters). */
function wholeNumber(text: string): number | null {
  const s = text.trim()
  return /^\d+$/.test(s) ? Number(s) : null
}

function checkIdle(text: string, errors: DraftErrors): number | null {
  const s = text.trim()
  const minutes = /^\d+(\.\d+)?$/.test(s) ? Number(s) : null
  if (minutes === null) errors.idleMinutes = { key: 'gwSettings.err.idle' }
  else if (minutes > MAX_IDLE_MINUTES) errors.idleMinutes = { key: 'gwSettings.err.range', params: { min: 0, max: MAX_IDLE_MINUTES } }
  else return Math.round(minutes * 60)
  return null
}

function checkRange(text: string, field: string, min: number, max: number, errors: DraftErrors): number | null {
  const n = wholeNumber(text)
  if (n === null || n < min || n > max) {
    errors[field] = { key: 'gwSettings.err.range', params: { min, max } }
    return null
  }
  return n
}

const utf8Length = (s: string) => new TextEncoder().encode(s).length
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/** The aliases to save (blank rows dropped, each trimmed), with a problem per bad row. */
function checkAliases(rows: string[], errors: DraftErrors): string[] {
  const aliases: string[] = []
  const seen = new Set<string>()
  rows.forEach((row, index) => {
    const alias = row.trim()
    if (!alias) return
    if (utf8Length(alias) > GATEWAY_LIMITS.max_alias_len) {
      errors[`alias.${index}`] = { key: 'gwSettings.err.aliasLong', params: { max: GATEWAY_LIMITS.max_alias_len } }
    } else if (CONTROL.test(alias)) {
      errors[`alias.${index}`] = { key: 'gwSettings.err.aliasControl' }
    } else if (seen.has(alias.toLowerCase())) {
      // The gateway compares names without regard to case.
      errors[`alias.${index}`] = { key: 'gwSettings.err.aliasDuplicate' }
    }
    seen.add(alias.toLowerCase())
    aliases.push(alias)
  })
  if (aliases.length > GATEWAY_LIMITS.max_aliases) errors.aliases = { key: 'gwSettings.err.aliasCount', params: { max: GATEWAY_LIMITS.max_aliases } }
  return aliases
}

/**
 * Checks the draft as the server does (GATEWAY_LIMITS) and builds the settings to save: idle
 * minutes → `idle_ttl_secs` (0 = never), a blank concurrency → the engine's default, a blank
 * group → none. `settings` is null while any input is wrong.
 */
export function validateModelDraft(draft: GatewayModelDraft): { settings: GatewayModelSettings | null; errors: DraftErrors } {
  const errors: DraftErrors = {}
  const idle = checkIdle(draft.idleMinutes, errors)
  const aliases = checkAliases(draft.aliases, errors)
  const concurrency = draft.concurrency.trim() === '' ? undefined : checkRange(draft.concurrency, 'concurrency', 1, GATEWAY_LIMITS.max_concurrency, errors)
  const queueLimit = checkRange(draft.queueLimit, 'queueLimit', 0, GATEWAY_LIMITS.max_queue_limit, errors)
  const group = draft.group.trim()
  if ([...group].length > MAX_GROUP_CHARS) errors.group = { key: 'gwSettings.err.groupLong', params: { max: MAX_GROUP_CHARS } }
  if (Object.keys(errors).length || idle === null || queueLimit === null || concurrency === null) return { settings: null, errors }
  const settings: GatewayModelSettings = { idle_ttl_secs: idle, aliases, queue_limit: queueLimit, pinned: draft.pinned, log_bodies: draft.logBodies }
  if (concurrency !== undefined) settings.concurrency = concurrency
  if (group) settings.group = group
  return { settings, errors }
}

/** The retention input: whole days from 1 to the limit, or the problem. */
export function validateRetention(text: string): { days: number | null; problem: FormProblem | null } {
  const max = GATEWAY_LIMITS.max_retention_days
  const days = wholeNumber(text)
  if (days === null || days < 1 || days > max) return { days: null, problem: { key: 'gwSettings.err.range', params: { min: 1, max } } }
  return { days, problem: null }
}
