import type { DeployPreset } from '../../generated/DeployPreset'
import { en, type MessageKey } from '../../i18n/en'
import type { Translate } from '../errorText'

/** The translation of a preset family's notes (`presets.notes.<family_id>`), or null when there is none. */
export function presetNotesKey(familyId: string): MessageKey | null {
  const key = `presets.notes.${familyId}`
  return Object.prototype.hasOwnProperty.call(en, key) ? (key as MessageKey) : null
}

/** A deploy preset's notes in the UI's language, by its family; the server's (English) where there is no translation. */
export function presetNotes(preset: Pick<DeployPreset, 'family_id' | 'notes'>, t: Translate): string {
  const key = preset.family_id ? presetNotesKey(preset.family_id) : null
  return key ? t(key) : preset.notes
}
