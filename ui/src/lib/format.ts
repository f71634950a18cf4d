import { t, useI18n } from '../composables/useI18n'

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

/** 1536 → "1.5 KiB"; null/undefined → localized "n/a". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return t('common.na')
  let value = Math.max(0, bytes)
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1
  return `${value.toFixed(digits)} ${UNITS[unit]}`
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

/** A unix time in ms as a local date and time in the UI's language. */
export function formatTime(ms: number | null | undefined, withDate = true): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return t('common.na')
  const tag = useI18n().locale.value === 'zh' ? 'zh-CN' : 'en'
  const d = new Date(ms)
  return withDate ? d.toLocaleString(tag) : d.toLocaleTimeString(tag)
}
