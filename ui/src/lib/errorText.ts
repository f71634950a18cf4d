import { toApiError } from '../api/errors'
import { en, type MessageKey } from '../i18n/en'

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string

/** The names of a text's `{placeholders}`, in order. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
}

/** The translation of an error code: `errors.<code>` (`errors.http_status` for every `http_<status>`), or null when there is none. */
export function errorKey(code: string): MessageKey | null {
  const key = /^http_\d{3}$/.test(code) ? 'errors.http_status' : `errors.${code}`
  return Object.prototype.hasOwnProperty.call(en, key) ? (key as MessageKey) : null
}

/**
 * What to tell the user about a failure, in the UI's language: the translation of its code
 * filled with its params. The server's own sentence (English) stands in when the code has no
 * translation or the error lacks a value the translation names, so that no "{path}" shows.
 * Takes anything thrown: an `ApiError`, an `ErrorBody` (a failed answer, an engine's problem),
 * an `Error` or a string.
 */
export function errorText(err: unknown, t: Translate): string {
  return errorTranslation(err, t) ?? toApiError(err).message
}

/**
 * The translation of a failure's code filled with its params, or null when there is none (no
 * text for the code, or a value its text names is missing): for callers that fall back to
 * something other than the server's sentence.
 */
export function errorTranslation(err: unknown, t: Translate): string | null {
  const error = toApiError(err)
  const key = errorKey(error.code)
  if (!key) return null
  const params = error.params ?? {}
  const complete = placeholders(en[key]).every((name) => Object.prototype.hasOwnProperty.call(params, name))
  return complete ? t(key, params) : null
}
