import { toApiError } from '../../api/errors'
import { errorTranslation, type Translate } from '../errorText'

/**
 * Codes whose translation cannot say the particulars (the core's sentence has a detail, a status
 * or a reason it sends no parameter for): the server's own sentence is shown under it.
 */
export const DETAIL_CODES: ReadonlySet<string> = new Set([
  'hub_bad_folder',
  'hub_io',
  'hub_engine_fit_failed',
  'hub_forbidden',
  'hub_entry_not_found',
  'hub_unreachable',
  'hub_status',
  'hub_bad_answer',
  'hub_invalid_input',
  'hub_disk_full',
  'hub_file_in_use',
  'gguf_corrupt',
  'gguf_io',
])

/** The server's sentence to show under a translated hub error, or null when the translation says it all. */
export function errorDetail(err: unknown, t: Translate): string | null {
  const error = toApiError(err)
  if (!DETAIL_CODES.has(error.code) || !error.message) return null
  const translated = errorTranslation(error, t)
  return translated !== null && translated !== error.message ? error.message : null
}
