import { t } from '../../composables/useI18n'
import { en, type MessageKey } from '../../i18n/en'
import type { Run } from '../../generated/Run'
import { formatBytes } from '../format'
import { engineName } from './runFormat'

/**
 * One configuration fact of a run: what it ran (engine, binary, version, command line, context),
 * on which file, on which machine, and each launch setting (`settings.<key>`). `raw` is compared,
 * `text` shown; null where the run does not say.
 */
export interface ConfigFact {
  field: string
  label: string
  raw: unknown
  text: string
}

interface FactField {
  field: string
  label: MessageKey
  read: (run: Run) => { raw: unknown; text: string } | null
}

const orNull = <T>(v: T | null | undefined, text: (v: T) => string = String): { raw: unknown; text: string } | null =>
  v === null || v === undefined || v === '' ? null : { raw: v, text: text(v) }

/** The facts every run has a place for, in the order the configuration shows them. */
const FACT_FIELDS: FactField[] = [
  { field: 'engine', label: 'runs.config.engine', read: (r) => orNull(r.environment.engine ?? r.engine, engineName) },
  { field: 'engine_binary', label: 'runs.config.binary', read: (r) => orNull(r.environment.engine_binary) },
  { field: 'engine_version', label: 'runs.config.version', read: (r) => orNull(r.environment.engine_version) },
  { field: 'argv', label: 'runs.config.argv', read: (r) => (r.environment.argv.length ? { raw: r.environment.argv, text: r.environment.argv.join(' ') } : null) },
  { field: 'context_size', label: 'runs.config.contextSize', read: (r) => orNull(r.environment.context_size) },
  { field: 'model_path', label: 'runs.config.modelFile', read: (r) => orNull(r.environment.model_path) },
  { field: 'model_bytes', label: 'runs.config.modelSize', read: (r) => orNull(r.environment.model_bytes, formatBytes) },
  { field: 'model_sha256', label: 'runs.config.sha256', read: (r) => orNull(r.environment.model_sha256) },
  { field: 'cpu', label: 'runs.config.cpu', read: (r) => orNull(r.environment.cpu) },
  { field: 'logical_cores', label: 'runs.config.cores', read: (r) => orNull(r.environment.logical_cores) },
  { field: 'memory_bytes', label: 'runs.config.memory', read: (r) => orNull(r.environment.memory_bytes, formatBytes) },
  { field: 'gpus', label: 'runs.config.gpus', read: (r) => (r.environment.gpus.length ? { raw: r.environment.gpus, text: r.environment.gpus.join(', ') } : null) },
  { field: 'gpu_driver', label: 'runs.config.driver', read: (r) => orNull(r.environment.gpu_driver) },
]

/** A launch setting's value as text: a list joined, anything else structured as JSON. */
export function settingText(value: unknown): string {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) return value.join(' ')
  return JSON.stringify(value)
}

/** The label of a launch setting: the settings list's own name for it where there is one, else its key. */
export function settingLabel(key: string): string {
  const known = `settings.${key}`
  return Object.prototype.hasOwnProperty.call(en, known) ? t(known as MessageKey) : key
}

/** The launch settings of a run by key (without the engine tag, which the engine fact says), keys sorted. */
export function runSettings(run: Pick<Run, 'settings'>): [string, unknown][] {
  const settings = run.settings ?? {}
  return Object.entries(settings)
    .filter(([key, value]) => key !== 'engine' && value !== null && value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
}

/** A run's configuration: every fact it records, then its launch settings (`settings.<key>`). */
export function configFacts(run: Run): ConfigFact[] {
  const facts: ConfigFact[] = []
  for (const f of FACT_FIELDS) {
    const v = f.read(run)
    if (v) facts.push({ field: f.field, label: t(f.label), raw: v.raw, text: v.text })
  }
  for (const [key, value] of runSettings(run)) {
    facts.push({ field: `settings.${key}`, label: settingLabel(key), raw: value, text: settingText(value) })
  }
  return facts
}

/** Canonical JSON (object keys sorted), so that equal values compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (value === undefined) return 'undefined'
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  )
}

/** One configuration fact that differs between the compared runs: its text in each ('—' where a run has none). */
export interface DiffRow {
  field: string
  label: string
  values: string[]
}

/**
 * What differs between runs: one row per fact or launch setting whose value is not the same in
 * every run (a setting one run has and another lacks differs), in configuration order, the
 * settings after the facts. Empty when the runs were configured alike.
 */
export function diffRows(runs: readonly Run[]): DiffRow[] {
  const perRun = runs.map((r) => new Map(configFacts(r).map((f) => [f.field, f] as const)))
  const fields: { field: string; label: string }[] = []
  const seen = new Set<string>()
  const add = (field: string, label: string) => {
    if (seen.has(field)) return
    seen.add(field)
    fields.push({ field, label })
  }
  for (const f of FACT_FIELDS) add(f.field, t(f.label))
  const settingKeys = [...new Set(runs.flatMap((r) => runSettings(r).map(([key]) => key)))].sort((a, b) => a.localeCompare(b))
  for (const key of settingKeys) add(`settings.${key}`, settingLabel(key))
  return fields.flatMap(({ field, label }) => {
    const facts = perRun.map((m) => m.get(field) ?? null)
    if (facts.every((f) => f === null)) return []
    const keys = new Set(facts.map((f) => (f ? canonical(f.raw) : '∅')))
    if (keys.size < 2) return []
    return [{ field, label, values: facts.map((f) => f?.text ?? '—') }]
  })
}
