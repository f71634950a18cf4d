import { t } from './useI18n'

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

export function useFormatBytes() {
  return { formatBytes, formatNumber, percentOf }
}
