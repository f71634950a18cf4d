import { t, useI18n } from '../../composables/useI18n'
import type { Download } from '../../generated/Download'
import type { FitSuggestion } from '../../generated/FitSuggestion'
import type { FitVerdict } from '../../generated/FitVerdict'
import type { ModelSource } from '../../generated/ModelSource'
import { formatBytes, formatRate, intlTag, percentOf } from '../format'

/** Where a model file was found, in the order the "On this computer" tab explains them. */
export const MODEL_SOURCES: readonly ModelSource[] = ['hugging_face', 'lm_studio', 'ollama', 'model_scope', 'llmops', 'folder']

const PARAM_UNITS: [number, string][] = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'K'],
]

/**
 * A parameter count the way model names say it: 134_515_008 → "135M", 7_615_616_512 → "7.6B",
 * 70_553_706_496 → "71B"; one decimal below 10 of a unit (and none when it is .0).
 */
export function formatParams(count: number | null | undefined): string {
  if (count == null || !Number.isFinite(count) || count <= 0) return t('common.na')
  for (const [size, unit] of PARAM_UNITS) {
    if (count >= size * 0.9995) {
      const value = count / size
      const text = value < 9.95 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value).toString()
      return `${text}${unit}`
    }
  }
  return String(Math.round(count))
}

const compactFormats = new Map<string, Intl.NumberFormat>()

/** A count in short form in the UI's language: downloads and likes ("12K", "1.2M"; "1.2万"). */
export function formatCompact(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return t('common.na')
  const tag = intlTag(useI18n().locale.value)
  let f = compactFormats.get(tag)
  if (!f) compactFormats.set(tag, (f = new Intl.NumberFormat(tag, { notation: 'compact', maximumFractionDigits: 1 })))
  return f.format(n)
}

/** A whole number grouped the UI language's way ("131,072"). */
export function formatInteger(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return t('common.na')
  return new Intl.NumberFormat(intlTag(useI18n().locale.value), { maximumFractionDigits: 0 }).format(n)
}

/** Time left: "45 s", "3 min 20 s", "2 h 5 min"; "—" when it is not known. */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return '—'
  const s = Math.round(seconds)
  if (s < 60) return t('hub.eta.s', { s })
  if (s < 3600) return t('hub.eta.min', { m: Math.floor(s / 60), s: s % 60 })
  const h = Math.floor(s / 3600)
  return t('hub.eta.h', { h, m: Math.floor((s % 3600) / 60) })
}

/** A download's speed: "1.5 MiB/s", or "—" while none is measured (queued, paused…). */
export function formatDownloadRate(bytesPerSecond: number | null | undefined): string {
  if (bytesPerSecond == null || !Number.isFinite(bytesPerSecond)) return '—'
  return formatRate(bytesPerSecond)
}

/** How far a download got, 0..100, or null while its size is not known. */
export function downloadPercent(d: Pick<Download, 'done_bytes' | 'total_bytes'>): number | null {
  return percentOf(d.done_bytes, d.total_bytes)
}

/** "1.2 GiB of 4.1 GiB". */
export function formatProgress(d: Pick<Download, 'done_bytes' | 'total_bytes'>): string {
  return t('hub.dl.progress', { done: formatBytes(d.done_bytes), total: formatBytes(d.total_bytes) })
}

/** Where a model would run, in words: "Fits on the GPU", "Partly on the GPU: 20 of 32 layers"… */
export function verdictText(verdict: FitVerdict): string {
  switch (verdict.kind) {
    case 'full_gpu':
      return t('hub.fit.verdict.full_gpu')
    case 'partial_gpu':
      return t('hub.fit.verdict.partial_gpu', { layers: verdict.layers, of: verdict.of })
    case 'cpu':
      return t('hub.fit.verdict.cpu')
    case 'does_not_fit':
      return t('hub.fit.verdict.does_not_fit')
  }
}

/** The badge colour of a verdict: fits (ok), partly or on the CPU (warn), not at all (danger). */
export function verdictTone(verdict: FitVerdict): 'ok' | 'warn' | 'danger' {
  if (verdict.kind === 'full_gpu') return 'ok'
  return verdict.kind === 'does_not_fit' ? 'danger' : 'warn'
}

/** What would make the model fit, in words. */
export function suggestionText(s: FitSuggestion): string {
  switch (s.kind) {
    case 'context':
      return t('hub.fit.suggest.context', { size: formatInteger(s.context_size) })
    case 'kv_cache':
      return t('hub.fit.suggest.kv_cache', { type: s.cache_type })
    case 'gpu_layers':
      return t('hub.fit.suggest.gpu_layers', { layers: s.layers })
    case 'smaller_quant':
      return t('hub.fit.suggest.smaller_quant', { file: s.file, size: formatBytes(s.bytes) })
  }
}

/** A commit as the hub shows it: its first 7 characters. */
export function shortCommit(commit: string): string {
  return commit.slice(0, 7)
}

/** Whether a listing's `commit` is a commit hash (Hugging Face), not a revision's name (ModelScope pins by branch: `master`). */
export function isCommitHash(commit: string): boolean {
  return /^[0-9a-f]{40}$/i.test(commit)
}

/** What a listing or download is pinned to, as shown: a commit by its first 7 characters, a revision by its name. */
export function pinnedTo(commit: string): { kind: 'commit' | 'revision'; text: string } {
  return isCommitHash(commit) ? { kind: 'commit', text: shortCommit(commit) } : { kind: 'revision', text: commit }
}

/** Whether a repository needs its licence accepted first (`gated` is `auto`, `manual`, `true`; `false` or absent when not). */
export function isGated(gated: string | null | undefined): boolean {
  return !!gated && gated !== 'false'
}

/** "llama.cpp's own check" lists MiB per device: the sum of one device's parts. */
export function deviceTotalMib(d: { model_mib: number; context_mib: number; compute_mib: number }): number {
  return d.model_mib + d.context_mib + d.compute_mib
}

/** How far llmops's estimate is from what a running instance really uses: "12% higher", "5% lower", "exact". */
export function estimateErrorText(error: number): string {
  const n = Math.round(Math.abs(error) * 100)
  if (!Number.isFinite(error) || n === 0) return t('hub.fit.measuredExact')
  return error > 0 ? t('hub.fit.measuredHigher', { n }) : t('hub.fit.measuredLower', { n })
}
