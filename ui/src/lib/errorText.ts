import { toApiError } from '../api/errors'
import { en, type MessageKey } from '../i18n/en'
import { bytesText } from './bytes'

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string

/**
 * Params the core sends as plain numbers that read better formatted, by code: byte counts
 * ("4294967296" → "4.0 GiB"). A value that is not a whole number is shown as sent.
 */
export const BYTE_PARAMS: Readonly<Record<string, readonly string[]>> = {
  hub_disk_full: ['needed', 'free'],
  gpu_placement_no_room: ['need', 'free'],
  // Why a start was placed on its GPUs (a placement's reason).
  placement_most_free: ['free'],
  placement_fits_one: ['free', 'need'],
  placement_split: ['free', 'need'],
}

/** An error's params as its text shows them: byte counts formatted (see `BYTE_PARAMS`). */
export function shownParams(code: string, params: Readonly<Record<string, string>>): Record<string, string> {
  const out = { ...params }
  for (const name of BYTE_PARAMS[code] ?? []) {
    const raw = out[name]
    if (raw !== undefined && /^\d+$/.test(raw)) out[name] = bytesText(Number(raw))
  }
  return out
}

/** The names of a text's `{placeholders}`, in order. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
}

/** `key` when there is a text for it, else null. */
export function messageKey(key: string): MessageKey | null {
  return Object.prototype.hasOwnProperty.call(en, key) ? (key as MessageKey) : null
}

/** The translation of an error code: `errors.<code>` (`errors.http_status` for every `http_<status>`), or null when there is none. */
export function errorKey(code: string): MessageKey | null {
  return messageKey(/^http_\d{3}$/.test(code) ? 'errors.http_status' : `errors.${code}`)
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
 * something other than the server's sentence. `keyOf` finds the text of a code (another kind of
 * coded sentence than a failure has its own keys).
 */
export function errorTranslation(err: unknown, t: Translate, keyOf: (code: string) => MessageKey | null = errorKey): string | null {
  const error = toApiError(err)
  const key = keyOf(error.code)
  if (!key) return null
  const params = error.params ?? {}
  const complete = placeholders(en[key]).every((name) => Object.prototype.hasOwnProperty.call(params, name))
  return complete ? t(key, shownParams(error.code, params)) : null
}
