import { toApiError } from '../../api/errors'
import { errorTranslation, type Translate } from '../errorText'

/**
 * Codes whose translation cannot say the particulars (the core's sentence has a detail it sends no
 * parameter for): the server's own sentence is shown under it. The hub's codes all send their
 * particulars now (a repository, a path, a detail, a status, sizes), and their texts say them.
 */
export const DETAIL_CODES: ReadonlySet<string> = new Set(['gguf_corrupt', 'gguf_io'])

/** The server's sentence to show under a translated hub error, or null when the translation says it all. */
export function errorDetail(err: unknown, t: Translate): string | null {
  const error = toApiError(err)
  if (!DETAIL_CODES.has(error.code) || !error.message) return null
  const translated = errorTranslation(error, t)
  return translated !== null && translated !== error.message ? error.message : null
}
