import { describe, expect, it } from 'vitest'
import { LinkWatch, STALE_GRACE_MS } from './staleness'

describe('LinkWatch', () => {
  it('is fresh while the link is open', () => {
    const w = new LinkWatch('open', 1_000)
    expect(w.lostAt).toBeNull()
    expect(w.isStale(1_000_000)).toBe(false)
    expect(w.msUntilStale(5_000)).toBeNull()
  })

  it('turns stale only after the grace period, counted from the first moment the link went down', () => {
    const w = new LinkWatch('open', 0)
    expect(w.update('closed', 10_000)).toBe(true)
    // Retrying: connecting and closed alternate; the lost time stays the first one.
    expect(w.update('connecting', 10_500)).toBe(false)
    expect(w.update('closed', 11_000)).toBe(false)
    expect(w.lostAt).toBe(10_000)
    expect(w.isStale(10_000 + STALE_GRACE_MS - 1)).toBe(false)
    expect(w.msUntilStale(11_000)).toBe(STALE_GRACE_MS - 1_000)
    expect(w.isStale(10_000 + STALE_GRACE_MS)).toBe(true)
    expect(w.msUntilStale(10_000 + STALE_GRACE_MS)).toBeNull()
  })

  it('is fresh again as soon as the link reopens, and a later loss starts a new period', () => {
    const w = new LinkWatch('open', 0)
    w.update('closed', 1_000)
    expect(w.update('open', 60_000)).toBe(true)
    expect(w.isStale(60_000)).toBe(false)
    expect(w.update('open', 61_000)).toBe(false)
    w.update('connecting', 90_000)
    expect(w.lostAt).toBe(90_000)
  })

  it('counts a link that never opened as lost from the start, so an unreachable server is reported', () => {
    const w = new LinkWatch('connecting', 5_000)
    expect(w.lostAt).toBe(5_000)
    expect(w.isStale(5_000 + 100)).toBe(false)
    expect(w.isStale(5_000 + STALE_GRACE_MS, STALE_GRACE_MS)).toBe(true)
    expect(w.isStale(5_000 + 200, 100)).toBe(true)
  })
})
