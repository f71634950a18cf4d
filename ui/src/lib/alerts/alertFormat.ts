import type { Alert } from '../../generated/Alert'
import type { AlertKind } from '../../generated/AlertKind'
import { en, type MessageKey } from '../../i18n/en'
import { errorTranslation } from '../errorText'
import { formatUnit, intlTag, type Unit } from '../format'
import { t, useI18n } from '../../composables/useI18n'

const KIND_UNIT: Record<AlertKind, Unit | null> = {
  gpu_temperature: 'celsius',
  gpu_memory: 'percent',
  host_memory: 'percent',
  disk_space: 'percent',
  instance_failed: null,
  gpu_lost: null,
}

/** "92.3 % (threshold 90.0 %)", or '' when the alert carries no value. */
export function alertValueText(alert: Alert): string {
  const unit = KIND_UNIT[alert.kind]
  if (!unit || alert.value === null) return ''
  const value = formatUnit(unit, alert.value)
  if (alert.threshold === null) return value
  return t('alerts.valueVs', { value, threshold: formatUnit(unit, alert.threshold) })
}

/** A number formatted for the UI's language (its separators), with at most `digits` decimals. */
function localNumber(value: number, digits: number): string {
  return new Intl.NumberFormat(intlTag(useI18n().locale.value), { maximumFractionDigits: digits }).format(value)
}

/**
 * What an alert says, in the UI's language: worded from its kind, subject, value and threshold
 * as the server words `message` (in English), numbers formatted for the language; a failed
 * instance's from its `detail` (the failure's summary). The server's `message` stands in where
 * a value is missing or the summary has no translation.
 */
export function alertMessage(alert: Alert): string {
  if (alert.kind === 'instance_failed') {
    const reason = alert.detail ? errorTranslation(alert.detail, t) : null
    return reason === null ? alert.message : t('alerts.message.instance_failed', { subject: alert.subject, reason })
  }
  if (alert.kind === 'gpu_lost') return t('alerts.message.gpu_lost', { subject: alert.subject })
  const key = `alerts.message.${alert.kind}` as MessageKey
  if (!(key in en) || alert.value === null || alert.threshold === null || !Number.isFinite(alert.value) || !Number.isFinite(alert.threshold)) {
    return alert.message
  }
  return t(key, { subject: alert.subject, value: localNumber(alert.value, 0), threshold: localNumber(alert.threshold, 2) })
}
