import type { AnswerStats } from '../../generated/AnswerStats'
import type { ImportReport } from '../../generated/ImportReport'
import type { MessageKey } from '../../i18n/en'

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string

/** "TTFT 120 ms · 148.3 tok/s · 12 prompt · 85 completion tokens"; "≈" marks counts we made ourselves. */
export function statsLine(stats: AnswerStats, t: Translate): string {
  const approx = stats.counted ? '≈' : ''
  const parts: string[] = []
  if (stats.ttft_ms != null) parts.push(t('chat.stats.ttft', { n: Math.round(stats.ttft_ms) }))
  if (stats.tokens_per_second != null) parts.push(t('chat.stats.speed', { n: stats.tokens_per_second.toFixed(1) }))
  if (stats.prompt_tokens != null) parts.push(t('chat.stats.prompt', { n: `${approx}${stats.prompt_tokens}` }))
  if (stats.completion_tokens != null) parts.push(t('chat.stats.completion', { n: `${approx}${stats.completion_tokens}` }))
  return parts.join(' · ')
}

/** The answer's total time, e.g. "2.4 s" or "850 ms". */
export function durationText(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`
}

/** A whole number grouped the locale's way: 2048 → "2,048". */
export function formatCount(n: number, locale: 'en' | 'zh'): string {
  return new Intl.NumberFormat(locale === 'zh' ? 'zh-CN' : 'en', { maximumFractionDigits: 0 }).format(n)
}

/** How full a context is, in whole percent (above 100 when the engine reported more than it holds). */
export function contextPercent(used: number, size: number): number {
  return size > 0 ? Math.round((used / size) * 100) : 0
}

/**
 * What an import did, in one sentence: "Imported 3 conversations from Open WebUI; 1 empty one
 * skipped." (or that nothing was, when every conversation of the file was empty).
 */
export function importSummary(report: ImportReport, t: Translate): string {
  const n = report.imported.length
  const skipped = report.skipped
  if (n === 0) {
    if (skipped === 0) return t('errors.import_empty')
    return skipped === 1 ? t('chat.import.noneOne') : t('chat.import.noneMany', { n: skipped })
  }
  const source = t(`chat.import.source.${report.format}`)
  const imported = n === 1 ? t('chat.import.importedOne', { source }) : t('chat.import.importedMany', { n, source })
  if (skipped === 0) return t('chat.import.summary', { imported })
  const left = skipped === 1 ? t('chat.import.skippedOne') : t('chat.import.skippedMany', { n: skipped })
  return t('chat.import.summarySkipped', { imported, skipped: left })
}
