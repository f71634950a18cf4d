import type { AnswerStats } from '../../generated/AnswerStats'
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

/** When a conversation changed: the time today, else the date (with the year when not this one). */
export function shortTime(ms: number, locale: 'en' | 'zh', now = new Date()): string {
  const tag = locale === 'zh' ? 'zh-CN' : 'en'
  const d = new Date(ms)
  if (d.toDateString() === now.toDateString()) return d.toLocaleTimeString(tag, { hour: '2-digit', minute: '2-digit' })
  const sameYear = d.getFullYear() === now.getFullYear()
  return d.toLocaleDateString(tag, sameYear ? { month: 'short', day: 'numeric' } : { year: 'numeric', month: 'short', day: 'numeric' })
}

/** A whole number grouped the locale's way: 2048 → "2,048". */
export function formatCount(n: number, locale: 'en' | 'zh'): string {
  return new Intl.NumberFormat(locale === 'zh' ? 'zh-CN' : 'en', { maximumFractionDigits: 0 }).format(n)
}

/** How full a context is, in whole percent (above 100 when the engine reported more than it holds). */
export function contextPercent(used: number, size: number): number {
  return size > 0 ? Math.round((used / size) * 100) : 0
}
