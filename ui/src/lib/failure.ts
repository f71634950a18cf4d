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
