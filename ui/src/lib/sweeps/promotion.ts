import type { Promotion } from '../../generated/Promotion'
import { settingText } from '../runs/runDiff'

/** One setting a promotion changed: its value before and after ('—' where unset). */
export interface SettingChange {
  key: string
  before: string
  after: string
}

/**
 * What applying a configuration changed in the model: the context size when it moved, then each
 * engine setting whose value is not the same (keys sorted; the engine tag left out).
 */
export function promotionChanges(p: Pick<Promotion, 'settings' | 'previous_settings' | 'context_size' | 'previous_context_size'>): SettingChange[] {
  const changes: SettingChange[] = []
  if (p.context_size !== p.previous_context_size) {
    changes.push({ key: 'context_size', before: String(p.previous_context_size), after: String(p.context_size) })
  }
  const keys = [...new Set([...Object.keys(p.previous_settings ?? {}), ...Object.keys(p.settings ?? {})])]
    .filter((k) => k !== 'engine')
    .sort((a, b) => a.localeCompare(b))
  for (const key of keys) {
    const before = settingText(p.previous_settings?.[key])
    const after = settingText(p.settings?.[key])
    if (before !== after) changes.push({ key, before, after })
  }
  return changes
}
