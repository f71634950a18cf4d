import { t, useI18n } from '../../composables/useI18n'
import type { RequestRecord } from '../../generated/RequestRecord'
import { formatClock, formatDateTime, intlTag, isSameDay } from '../format'

const numberFormats = new Map<string, Intl.NumberFormat>()

/** A number grouped and rounded the UI language's way ("1,234.5"). */
export function formatDecimal(value: number, digits = 0): string {
  const tag = intlTag(useI18n().locale.value)
  const key = `${tag}|${digits}`
  let f = numberFormats.get(key)
  if (!f) numberFormats.set(key, (f = new Intl.NumberFormat(tag, { maximumFractionDigits: digits, minimumFractionDigits: 0 })))
  return f.format(value)
}

/** A latency: "850 ms" under a second, "1.24 s" from one, "—" when not measured. */
export function formatLatency(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—'
  if (ms < 1000) return t('gw.unit.ms', { n: formatDecimal(ms, ms < 10 ? 1 : 0) })
  return t('gw.unit.s', { n: formatDecimal(ms / 1000, ms < 10_000 ? 2 : 1) })
}

/** Decode speed from the time per output token: 1000 / TPOT, or null when unknown. */
export function tokensPerSecond(tpotMs: number | null | undefined): number | null {
  return tpotMs != null && Number.isFinite(tpotMs) && tpotMs > 0 ? 1000 / tpotMs : null
}

/** "42.1 tok/s", or "—". */
export function formatSpeed(perSecond: number | null | undefined): string {
  if (perSecond == null || !Number.isFinite(perSecond)) return '—'
  return t('gw.unit.tokS', { n: formatDecimal(perSecond, 1) })
}

/** A token count, "≈" in front when llmops counted the stream's chunks itself. */
export function formatTokens(n: number | null | undefined, counted = false): string {
  if (n == null) return '—'
  return `${counted ? '≈' : ''}${formatDecimal(n)}`
}

/** The name a row shows for its model: the stable name it went to, else what the client asked for. */
export function requestModelName(r: RequestRecord): string {
  return r.model_name ?? r.model
}

/** When a request came: the time to the second today, else the day too. */
export function formatReceived(ms: number, now: number = Date.now()): string {
  return isSameDay(ms, now) ? formatClock(ms, useI18n().locale.value, true) : formatDateTime(ms)
}
