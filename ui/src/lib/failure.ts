import type { ErrorBody } from '../generated/ErrorBody'
import { en, type MessageKey } from '../i18n/en'
import { errorTranslation, type Translate } from './errorText'

/**
 * A failure reason from the server: its first line is the summary ("The engine exited with code 1
 * before becoming ready. …"), the lines after it the engine's last output ("Last output:" and the log).
 */
export interface FailureParts {
  summary: string
  /** The rest, as sent (empty when the reason is one line). */
  details: string
  /** How many lines of output `details` holds (its "Last output:" heading not counted). */
  outputLines: number
}

export function splitFailure(reason: string | null | undefined): FailureParts {
  const text = (reason ?? '').replace(/\r\n/g, '\n').trim()
  const nl = text.indexOf('\n')
  const summary = (nl < 0 ? text : text.slice(0, nl)).trim()
  const details = nl < 0 ? '' : text.slice(nl + 1).trim()
  const lines = details ? details.split('\n').filter((l) => l.trim()) : []
  const outputLines = lines.length > 0 && /^last output:?$/i.test(lines[0].trim()) ? lines.length - 1 : lines.length
  return { summary, details, outputLines }
}

/** Whether two reasons are the same failure (a transition repeats its instance's reason word for word). */
export function sameFailure(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.trim() === b.trim()
}

/** What a failed instance carries: the reason in English and, where the server sent them, its summary as a code and the hint's code. */
export interface FailureInfo {
  reason: string
  summary?: ErrorBody | null
  hint?: string | null
}

/** The translation of a hint's code (`hints.<code>`), or null when there is none. */
export function hintKey(code: string): MessageKey | null {
  const key = `hints.${code}`
  return Object.prototype.hasOwnProperty.call(en, key) ? (key as MessageKey) : null
}

/**
 * A failure's headline in the UI's language: its summary (`errors.<code>` with its params) and
 * its hint (`hints.<code>`). The reason's own first line (English) stands in when the server
 * sent no summary or either has no translation. The engine's output is never translated.
 */
export function failureHeadline(failure: FailureInfo, t: Translate): string {
  const english = splitFailure(failure.reason).summary
  const summary = failure.summary ? errorTranslation(failure.summary, t) : null
  if (summary === null) return english
  let hint: string | null = null
  if (failure.hint) {
    const key = hintKey(failure.hint)
    if (!key) return english
    hint = t(key)
  } else if (/;\s*it printed nothing\.?$/i.test(english)) {
    hint = t('failure.printedNothing')
  }
  return hint ? t('failure.headline', { summary, hint }) : summary
}
