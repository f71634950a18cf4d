import type { RequestRecord } from '../../generated/RequestRecord'

/**
 * The phases of one request, as llmops measured them from when it received it: waiting for an
 * on-demand start, waiting in the model's queue, the prompt until the first token, generating;
 * or, for a request that ended without a token (refused, failed), the time until it ended.
 */
export type PhaseKind = 'start_wait' | 'queue' | 'prefill' | 'decode' | 'no_token'
/** The moments between them: received, the model ready, a slot free, first token (TTFT), done (E2EL). */
export type MarkKind = 'received' | 'ready' | 'admitted' | 'first_token' | 'done'

export interface TimelineSegment {
  kind: PhaseKind
  /** Milliseconds from receipt. */
  from: number
  to: number
  /** Where it starts and how wide it is, in percent of the whole timeline. */
  left: number
  width: number
}

export interface TimelineMark {
  kind: MarkKind
  /** Milliseconds from receipt. */
  at: number
  /** Percent of the whole timeline. */
  left: number
}

export interface RequestTimeline {
  /** The span drawn, in ms: the end-to-end latency, or the last moment known. */
  total: number
  segments: TimelineSegment[]
  marks: TimelineMark[]
}

/** Phases shorter than this are too short to show (a free slot takes microseconds). */
export const MIN_PHASE_MS = 0.5

const finite = (v: number | undefined | null): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0

/**
 * The moments known of a request, in ms from receipt, each no earlier than the one before (the
 * phases are measured separately, so rounding may put one a hair before the previous).
 */
function moments(r: RequestRecord): { kind: MarkKind; at: number }[] {
  const out: { kind: MarkKind; at: number }[] = [{ kind: 'received', at: 0 }]
  let last = 0
  const push = (kind: MarkKind, at: number) => {
    last = Math.max(last, at)
    out.push({ kind, at: last })
  }
  if (finite(r.start_wait_ms)) push('ready', r.start_wait_ms)
  if (finite(r.queue_ms)) push('admitted', (finite(r.start_wait_ms) ? r.start_wait_ms : 0) + r.queue_ms)
  if (finite(r.ttft_ms)) push('first_token', r.ttft_ms)
  if (finite(r.e2el_ms)) push('done', r.e2el_ms)
  return out
}

const PHASE_ENDING_AT: Partial<Record<MarkKind, PhaseKind>> = {
  ready: 'start_wait',
  admitted: 'queue',
  first_token: 'prefill',
}

/** The phase that ends at `mark`: generating ends a request that had a first token; otherwise it ended without one. */
function phaseEndingAt(mark: MarkKind, previous: MarkKind): PhaseKind | undefined {
  if (mark === 'done') return previous === 'first_token' ? 'decode' : 'no_token'
  return PHASE_ENDING_AT[mark]
}

/**
 * The request's timeline as proportional horizontal segments: received → (start wait) → queued →
 * first token (TTFT) → done (E2EL). Phases that were not measured (no on-demand start, a request
 * refused before the queue, one still being answered) are left out, and so are those shorter than
 * `MIN_PHASE_MS` (their moments stay marked).
 * Null when nothing but the receipt is known.
 */
export function requestTimeline(r: RequestRecord): RequestTimeline | null {
  const known = moments(r)
  if (known.length < 2) return null
  const total = known[known.length - 1].at
  const pct = (ms: number) => (total > 0 ? (ms / total) * 100 : 0)
  const segments: TimelineSegment[] = []
  for (let i = 1; i < known.length; i++) {
    const from = known[i - 1].at
    const to = known[i].at
    const kind = phaseEndingAt(known[i].kind, known[i - 1].kind)
    if (kind && to - from >= MIN_PHASE_MS) segments.push({ kind, from, to, left: pct(from), width: pct(to - from) })
  }
  const marks = known.map(({ kind, at }) => ({ kind, at, left: pct(at) }))
  return { total, segments, marks }
}
