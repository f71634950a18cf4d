import { describe, expect, it } from 'vitest'
import { requestRecord } from './gateway.fixtures'
import { requestTimeline } from './timeline'

describe('requestTimeline', () => {
  it('splits a request into proportional phases: start wait, queue, prompt, generation', () => {
    const t = requestTimeline(requestRecord({ start_wait_ms: 500, queue_ms: 100, ttft_ms: 800, e2el_ms: 1000 }))!
    expect(t.total).toBe(1000)
    expect(t.segments.map((s) => [s.kind, s.from, s.to, s.left, s.width])).toEqual([
      ['start_wait', 0, 500, 0, 50],
      ['queue', 500, 600, 50, 10],
      ['prefill', 600, 800, 60, 20],
      ['decode', 800, 1000, 80, 20],
    ])
    expect(t.marks.map((m) => [m.kind, m.at, m.left])).toEqual([
      ['received', 0, 0],
      ['ready', 500, 50],
      ['admitted', 600, 60],
      ['first_token', 800, 80],
      ['done', 1000, 100],
    ])
    // The phases fill the bar exactly.
    expect(t.segments.reduce((sum, s) => sum + s.width, 0)).toBeCloseTo(100)
  })

  it('leaves out phases that took no time (a model already running, a free slot)', () => {
    const t = requestTimeline(requestRecord({ start_wait_ms: 0, queue_ms: 0.02, ttft_ms: 250, e2el_ms: 1000 }))!
    expect(t.segments.map((s) => s.kind)).toEqual(['prefill', 'decode'])
    expect(t.segments[0]).toMatchObject({ from: 0.02, to: 250 })
    expect(t.marks.map((m) => m.kind)).toEqual(['received', 'ready', 'admitted', 'first_token', 'done'])
  })

  it('never lets a phase run backwards when separately rounded moments overlap', () => {
    const t = requestTimeline(requestRecord({ start_wait_ms: 10.4, queue_ms: 0.2, ttft_ms: 10.5, e2el_ms: 20 }))!
    for (const s of t.segments) expect(s.to).toBeGreaterThan(s.from)
    const ats = t.marks.map((m) => m.at)
    expect([...ats].sort((a, b) => a - b)).toEqual(ats)
  })

  it('draws what is known of a request still being answered, or refused before any measurement', () => {
    const waiting = requestTimeline(requestRecord({ outcome: 'in_progress', start_wait_ms: 3000, queue_ms: undefined, ttft_ms: undefined, e2el_ms: undefined }))!
    expect(waiting.total).toBe(3000)
    expect(waiting.segments.map((s) => s.kind)).toEqual(['start_wait'])
    const refused = requestRecord({ outcome: 'rejected', start_wait_ms: undefined, queue_ms: undefined, ttft_ms: undefined, e2el_ms: undefined })
    expect(requestTimeline(refused)).toBeNull()
  })

  it('says a request that ended without a token did not generate (a full queue, an engine that went away)', () => {
    const full = requestTimeline(requestRecord({ outcome: 'rejected', start_wait_ms: 5, queue_ms: undefined, ttft_ms: undefined, e2el_ms: 6 }))!
    expect(full.segments.map((s) => s.kind)).toEqual(['start_wait', 'no_token'])
    const refused = requestTimeline(requestRecord({ outcome: 'rejected', start_wait_ms: undefined, queue_ms: undefined, ttft_ms: undefined, e2el_ms: 1 }))!
    expect(refused.segments.map((s) => s.kind)).toEqual(['no_token'])
  })
})
