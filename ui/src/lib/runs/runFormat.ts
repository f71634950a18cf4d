import { t } from '../../composables/useI18n'
import type { Model } from '../../generated/Model'
import type { Rollup } from '../../generated/Rollup'
import type { Run } from '../../generated/Run'
import type { MessageKey } from '../../i18n/en'
import { formatFigure } from '../bench/benchFormat'
import { formatBytes, formatDateTime } from '../format'

/** Which runs the list shows by their state: every one, those still going, those that ended, those that failed. */
export const RUN_STATE_FILTERS = ['all', 'live', 'ended', 'failed'] as const
export type RunStateFilter = (typeof RUN_STATE_FILTERS)[number]

/** The list's filters as chosen: a model id ('' for every model), a tag, a state and free text. */
export interface RunFilter {
  model: string
  tag: string
  state: RunStateFilter
  text: string
}

export function emptyRunFilter(model = ''): RunFilter {
  return { model, tag: '', state: 'all', text: '' }
}

/** A run is live until it has ended (its instance still starting, running or stopping). */
export function isLiveRun(run: Pick<Run, 'ended_at'>): boolean {
  return run.ended_at === null
}

/** Whether a run passes the filters: its model, a tag containing the text typed (any case), its state, and the text in its model's name or notes. */
export function matchesRun(run: Run, filter: RunFilter): boolean {
  if (filter.model && run.model_id !== filter.model) return false
  const tag = filter.tag.trim().toLowerCase()
  if (tag && !run.tags.some((x) => x.toLowerCase().includes(tag))) return false
  switch (filter.state) {
    case 'live':
      if (!isLiveRun(run)) return false
      break
    case 'ended':
      if (isLiveRun(run)) return false
      break
    case 'failed':
      if (run.state !== 'failed') return false
      break
    case 'all':
      break
  }
  const text = filter.text.trim().toLowerCase()
  if (text && !`${run.model_name}\n${run.notes}`.toLowerCase().includes(text)) return false
  return true
}

export function filterRuns(runs: readonly Run[], filter: RunFilter): Run[] {
  return runs.filter((r) => matchesRun(r, filter))
}

/** The models the model filter offers: the configured ones, then any other a run names, by name. */
export function modelChoices(runs: readonly Run[], models: readonly Pick<Model, 'id' | 'name'>[]): { id: string; name: string }[] {
  const out = new Map<string, string>()
  for (const m of models) out.set(m.id, m.name)
  for (const r of runs) if (!out.has(r.model_id)) out.set(r.model_id, r.model_name)
  return [...out].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
}

/** A run (an instance) as a filter names it: the first 8 characters of its id (a UUID). */
export function shortRunId(id: string): string {
  return id.slice(0, 8)
}

/** How long a run lasted, or null while it is live. */
export function runDurationMs(run: Pick<Run, 'started_at' | 'ended_at'>): number | null {
  return run.ended_at === null ? null : Math.max(0, run.ended_at - run.started_at)
}

/** A duration: "45 s", "3 min 20 s", "2 h 05 min". */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000)
  if (total < 60) return t('runs.duration.s', { s: total })
  const s = total % 60
  const m = Math.floor(total / 60) % 60
  const h = Math.floor(total / 3600)
  if (h === 0) return t('runs.duration.ms', { m, s: String(s).padStart(2, '0') })
  return t('runs.duration.hm', { h, m: String(m).padStart(2, '0') })
}

/** A run as a comparison names it: its model and when it started. */
export function runLabel(run: Pick<Run, 'model_name' | 'started_at'>): string {
  return `${run.model_name} · ${formatDateTime(run.started_at, undefined, false)}`
}

/** The i18n key of a run's state, when the UI has one (the instance states); the state as sent otherwise. */
export function runStateText(state: string): string {
  const known = ['pending', 'starting', 'running', 'stopping', 'stopped', 'failed']
  return known.includes(state) ? t(`state.${state}` as MessageKey) : state
}

/** An engine's name as the UI writes it ("llama.cpp", "vLLM"); an engine it does not know, as sent. */
export function engineName(engine: string): string {
  return ['llama_cpp', 'vllm', 'vllm_docker', 'custom'].includes(engine) ? t(`engine.${engine}` as MessageKey) : engine
}

/** What a reading measures, for its values' format. */
export type ReadingUnit = 'percent' | 'bytes' | 'watts'

/** A reading's value: "41.2 %", "1.3 GiB", "210 W", "—" when never read. */
export function formatReading(unit: ReadingUnit, value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return '—'
  if (unit === 'bytes') return formatBytes(value)
  if (unit === 'watts') return t('bench.resources.watts', { n: formatFigure(value, value < 10 ? 1 : 0) })
  return t('bench.resources.percent', { n: formatFigure(value, 1) })
}

/** The readings a run rolls up, in the order tables show them. */
export const ROLLUP_READINGS = [
  { key: 'cpu', field: 'cpu_percent', unit: 'percent' },
  { key: 'instanceCpu', field: 'instance_cpu_percent', unit: 'percent' },
  { key: 'instanceRss', field: 'instance_rss_bytes', unit: 'bytes' },
  { key: 'instanceVram', field: 'instance_vram_bytes', unit: 'bytes' },
  { key: 'gpuUtilization', field: 'gpu_utilization_percent', unit: 'percent' },
  { key: 'gpuPower', field: 'gpu_power_watts', unit: 'watts' },
] as const satisfies readonly { key: string; field: keyof Run['rollup']; unit: ReadingUnit }[]

export type ReadingKey = (typeof ROLLUP_READINGS)[number]['key']

/** The statistics of a rollup, in column order. */
export const ROLLUP_STATS = ['mean', 'p95', 'max'] as const satisfies readonly (keyof Rollup)[]

/** The label of a reading (`bench.resources.*`). */
export function readingLabel(key: ReadingKey): MessageKey {
  return `bench.resources.${key}`
}

/** Watt-hours: "10.52 Wh". */
export function formatEnergy(wh: number | null | undefined): string {
  if (wh == null || !Number.isFinite(wh)) return '—'
  return t('runs.rollup.wh', { n: formatFigure(wh, wh < 10 ? 2 : 1) })
}
