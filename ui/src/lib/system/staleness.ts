import type { ConnectionState } from '../../api/types'

/** How long the live link may be down before the figures count as stale (rides out a quick reconnect). */
export const STALE_GRACE_MS = 3_000

/**
 * When the live link to the server was lost. The figures on screen are only as new as the last
 * event; once the link has been down for a grace period they are stale, until it opens again.
 */
export class LinkWatch {
  private lost: number | null

  /** `state` is the link's state now; `now` the clock (ms). A link that is not open counts as lost from now. */
  constructor(state: ConnectionState, now: number) {
    this.lost = state === 'open' ? null : now
  }

  /** Feeds a change of the link's state; returns whether the lost time changed. */
  update(state: ConnectionState, now: number): boolean {
    if (state === 'open') {
      const changed = this.lost !== null
      this.lost = null
      return changed
    }
    // connecting ↔ closed while retrying: still lost since the first moment it went down.
    if (this.lost !== null) return false
    this.lost = now
    return true
  }

  /** Since when the link has been down (ms), or null while it is open. */
  get lostAt(): number | null {
    return this.lost
  }

  /** Whether the figures are stale at `now`: the link has been down for at least `grace` ms. */
  isStale(now: number, grace = STALE_GRACE_MS): boolean {
    return this.lost !== null && now - this.lost >= grace
  }

  /** Milliseconds from `now` until the figures turn stale; null when the link is open or they already are. */
  msUntilStale(now: number, grace = STALE_GRACE_MS): number | null {
    if (this.lost === null) return null
    const left = this.lost + grace - now
    return left > 0 ? left : null
  }
}
