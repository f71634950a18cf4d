import type { Alert } from '../../generated/Alert'
import type { AlertKind } from '../../generated/AlertKind'
import { formatUnit, type Unit } from '../format'
import { t } from '../../composables/useI18n'

const KIND_UNIT: Record<AlertKind, Unit | null> = {
  gpu_temperature: 'celsius',
  gpu_memory: 'percent',
  host_memory: 'percent',
  disk_space: 'percent',
  instance_failed: null,
}

/** "92.3 % (threshold 90.0 %)", or '' when the alert carries no value. */
export function alertValueText(alert: Alert): string {
  const unit = KIND_UNIT[alert.kind]
  if (!unit || alert.value === null) return ''
  const value = formatUnit(unit, alert.value)
  if (alert.threshold === null) return value
  return t('alerts.valueVs', { value, threshold: formatUnit(unit, alert.threshold) })
}
