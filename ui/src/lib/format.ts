import { t, useI18n } from '../composables/useI18n'
import type { Locale } from '../i18n/detect'
import { bytesText } from './bytes'

/** 1536 → "1.5 KiB"; null/undefined → localized "n/a". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return t('common.na')
  return bytesText(bytes)
}

/** A number with a unit suffix, or localized "n/a" for null. */
export function formatNumber(value: number | null | undefined, suffix = '', digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return t('common.na')
  return `${value.toFixed(digits)}${suffix}`
}

/** used/total as 0..100, or null when unknown. */
export function percentOf(used: number | null | undefined, total: number | null | undefined): number | null {
  if (used == null || total == null || total <= 0) return null
  return Math.min(100, Math.max(0, (used / total) * 100))
}

/** Bytes per second: "1.5 MiB/s". */
export function formatRate(bytesPerSecond: number | null | undefined): string {
  if (bytesPerSecond === null || bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond)) return t('common.na')
  return `${formatBytes(bytesPerSecond)}/s`
}

/** What a metric measures, for formatting its values. */
export type Unit = 'percent' | 'bytes' | 'rate' | 'celsius' | 'watts' | 'mhz' | 'plain'

/** A value in its unit, or localized "n/a". `digits` applies to the non-byte units. */
export function formatUnit(unit: Unit, value: number | null | undefined, digits?: number): string {
  switch (unit) {
    case 'percent':
      return formatNumber(value, ' %', digits ?? 1)
    case 'bytes':
      return formatBytes(value)
    case 'rate':
      return formatRate(value)
    case 'celsius':
      return formatNumber(value, ' °C', digits ?? 0)
    case 'watts':
      return formatNumber(value, ' W', digits ?? 1)
    case 'mhz':
      return formatNumber(value, ' MHz', digits ?? 0)
    default:
      return formatNumber(value, '', digits ?? 1)
  }
}

// Dates and times. Every one the UI shows goes through these, formatted by Intl in the UI's
// language: English with month names (so that day and month never swap: "Jan 3, 2025"), 中文 as
// 2025年1月3日; times of day on the 24-hour clock in both (unambiguous, and what 中文 uses).

/** The tag Intl formats the UI's language with. */
export function intlTag(locale: Locale): string {
  return locale === 'zh' ? 'zh-CN' : 'en'
}

const CLOCK: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
const CLOCK_SECONDS: Intl.DateTimeFormatOptions = { ...CLOCK, second: '2-digit' }
const DAY: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric' }
const DAY_YEAR: Intl.DateTimeFormatOptions = { ...DAY, year: 'numeric' }
const MONTH_YEAR: Intl.DateTimeFormatOptions = { month: 'short', year: 'numeric' }

const formatters = new Map<string, Intl.DateTimeFormat>()
/** Building a DateTimeFormat is slow and a chart formats hundreds of stamps: keep each one. */
function dateFormat(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`
  let f = formatters.get(key)
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(intlTag(locale), options)))
  return f
}

function currentLocale(): Locale {
  return useI18n().locale.value
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate()
}

/** Whether two unix times in ms fall on the same local day. */
export function isSameDay(a: number, b: number): boolean {
  return sameDay(new Date(a), new Date(b))
}

/** "Jan 3, 2025, 14:05:07" / "2025年1月3日 14:05:07" (without the seconds when `seconds` is false). */
export function formatDateTime(ms: number, locale: Locale = currentLocale(), seconds = true): string {
  return dateFormat(locale, { ...DAY_YEAR, ...(seconds ? CLOCK_SECONDS : CLOCK) }).format(ms)
}

/** The time of day: "14:05" (or "14:05:07"). */
export function formatClock(ms: number, locale: Locale = currentLocale(), seconds = false): string {
  return dateFormat(locale, seconds ? CLOCK_SECONDS : CLOCK).format(ms)
}

/** The day: "Jan 3" / "1月3日", with the year "Jan 3, 2025" / "2025年1月3日". */
export function formatDay(ms: number, locale: Locale = currentLocale(), withYear = false): string {
  return dateFormat(locale, withYear ? DAY_YEAR : DAY).format(ms)
}

/** When something changed, briefly: the time today, else the day (with the year when not this one). */
export function formatWhen(ms: number, locale: Locale = currentLocale(), now: Date = new Date()): string {
  const d = new Date(ms)
  if (sameDay(d, now)) return formatClock(ms, locale)
  return formatDay(ms, locale, d.getFullYear() !== now.getFullYear())
}

/** Since when something lasts: the time today, else the day and the time. */
export function formatSince(ms: number, locale: Locale = currentLocale(), now: Date = new Date()): string {
  const d = new Date(ms)
  if (sameDay(d, now)) return formatClock(ms, locale)
  return `${formatDay(ms, locale, d.getFullYear() !== now.getFullYear())} ${formatClock(ms, locale)}`
}

/** A unix time in ms as a date and time (or only the time) in the UI's language, or "n/a". */
export function formatTime(ms: number | null | undefined, withDate = true): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return t('common.na')
  return withDate ? formatDateTime(ms) : formatClock(ms, currentLocale(), true)
}

const DAY_S = 86_400

/**
 * The labels of a time axis's ticks (uPlot's `values`; `splits` and `incr` in seconds): the time
 * of day, with the day under the first tick and wherever the day changes; the day alone for
 * ticks a day or more apart, the month for ticks a month or more apart. Days of another year
 * than `now`'s carry their year.
 */
export function timeAxisLabels(
  splits: (number | null)[],
  incr: number,
  locale: Locale = currentLocale(),
  now: Date = new Date(),
): string[] {
  let prev: Date | null = null
  return splits.map((s) => {
    if (s === null || !Number.isFinite(s)) return ''
    const ms = s * 1000
    const d = new Date(ms)
    const newDay = prev === null || !sameDay(d, prev)
    prev = d
    const withYear = d.getFullYear() !== now.getFullYear()
    if (incr >= 28 * DAY_S) return dateFormat(locale, MONTH_YEAR).format(ms)
    if (incr >= DAY_S) return formatDay(ms, locale, withYear)
    const clock = formatClock(ms, locale, incr < 60)
    return newDay ? `${clock}\n${formatDay(ms, locale, withYear)}` : clock
  })
}
