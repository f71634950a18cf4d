import { DEFAULT_ALERT_RULES } from '../../generated/constants'
import type { AlertRules } from '../../generated/AlertRules'
import type { Threshold } from '../../generated/Threshold'
import type { MessageKey } from '../../i18n/en'
import type { Unit } from '../format'

/** The AlertRules keys that hold a `Threshold`. */
export type ThresholdField = 'gpu_temperature_celsius' | 'gpu_memory_percent' | 'host_memory_percent' | 'disk_free_percent'

export interface ThresholdFieldInfo {
  field: ThresholdField
  /** `above`: raised when the value goes over `raise_at`; `below`: when it drops under. */
  direction: 'above' | 'below'
  unit: Unit
  min: number
  max: number
  label: MessageKey
}

export const THRESHOLD_FIELDS: ThresholdFieldInfo[] = [
  { field: 'gpu_temperature_celsius', direction: 'above', unit: 'celsius', min: 0, max: 150, label: 'rules.gpuTemp' },
  { field: 'gpu_memory_percent', direction: 'above', unit: 'percent', min: 0, max: 100, label: 'rules.gpuMem' },
  { field: 'host_memory_percent', direction: 'above', unit: 'percent', min: 0, max: 100, label: 'rules.hostMem' },
  { field: 'disk_free_percent', direction: 'below', unit: 'percent', min: 0, max: 100, label: 'rules.diskFree' },
]

/** The rules of a fresh install (the core's defaults), as a copy the caller may change. */
export function defaultRules(): AlertRules {
  return structuredClone(DEFAULT_ALERT_RULES)
}

/** What the form edits: the numbers as typed (a number input's v-model may yield a number). */
export interface ThresholdDraft {
  enabled: boolean
  raise: string | number
  clear: string | number
}
export type RulesDraft = Record<ThresholdField, ThresholdDraft> & { instance_failed: boolean }

export function toDraft(rules: AlertRules): RulesDraft {
  const draft = { instance_failed: rules.instance_failed } as RulesDraft
  for (const { field } of THRESHOLD_FIELDS) {
    const th = rules[field]
    draft[field] = { enabled: th.enabled, raise: String(th.raise_at), clear: String(th.clear_at) }
  }
  return draft
}

/** A problem with one input, keyed `<field>.raise`, `<field>.clear` or `<field>` (the pair). */
export type RuleErrors = Partial<Record<string, { key: MessageKey; params?: Record<string, string | number> }>>

function parseNumber(text: string | number): number | null {
  const s = String(text).trim()
  if (s === '') return null
  const n = Number(s)
  return Number.isFinite(n) ? n : null
}

/**
 * Checks the draft: numbers within range, and the clear level on the safe side of the raise
 * level (below it for "above" rules, above it for disk free space), so alerts cannot flap.
 * Returns the rules to save when there are no errors.
 */
export function validateRules(draft: RulesDraft): { rules: AlertRules | null; errors: RuleErrors } {
  const errors: RuleErrors = {}
  const rules = { instance_failed: draft.instance_failed } as AlertRules
  for (const info of THRESHOLD_FIELDS) {
    const d = draft[info.field]
    const raise = parseNumber(d.raise)
    const clear = parseNumber(d.clear)
    for (const [which, value] of [['raise', raise], ['clear', clear]] as const) {
      if (value === null) errors[`${info.field}.${which}`] = { key: 'rules.errNumber' }
      else if (value < info.min || value > info.max) {
        errors[`${info.field}.${which}`] = { key: 'rules.errRange', params: { min: info.min, max: info.max } }
      }
    }
    if (raise !== null && clear !== null && !errors[`${info.field}.raise`] && !errors[`${info.field}.clear`]) {
      if (info.direction === 'above' && !(clear < raise)) errors[info.field] = { key: 'rules.errClearBelow' }
      if (info.direction === 'below' && !(clear > raise)) errors[info.field] = { key: 'rules.errClearAbove' }
    }
    rules[info.field] = { enabled: d.enabled, raise_at: raise ?? NaN, clear_at: clear ?? NaN }
  }
  return { rules: Object.keys(errors).length === 0 ? rules : null, errors }
}

/** Whether the draft says something other than `rules` (a number typed another way, " 80" or 80, is the same). */
export function draftDiffers(draft: RulesDraft, rules: AlertRules): boolean {
  if (draft.instance_failed !== rules.instance_failed) return true
  return THRESHOLD_FIELDS.some(({ field }) => thresholdDiffers(draft[field], rules[field]))
}

function thresholdDiffers(draft: ThresholdDraft, threshold: Threshold): boolean {
  return draft.enabled !== threshold.enabled || parseNumber(draft.raise) !== threshold.raise_at || parseNumber(draft.clear) !== threshold.clear_at
}
