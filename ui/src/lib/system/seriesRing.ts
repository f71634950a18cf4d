import type { History } from '../../generated/History'
import type { SystemSnapshot } from '../../generated/SystemSnapshot'

/** How much live history the sparklines keep. */
export const LIVE_WINDOW_MS = 5 * 60_000
/** Hard cap per series, in case samples come faster than once a second. */
export const LIVE_MAX_POINTS = 1200

interface Series {
  t: number[]
  v: number[]
}

/**
 * The last `windowMs` of values per series key, for sparklines. Time is the samples' own clock
 * (the server's), so a skewed browser clock does not empty the window.
 */
export class SeriesRing {
  private series = new Map<string, Series>()
  private newest = -Infinity

  constructor(
    readonly windowMs = LIVE_WINDOW_MS,
    readonly maxPoints = LIVE_MAX_POINTS,
  ) {}

  /** Adds one value; a sample not newer than the series' last one is ignored. */
  push(key: string, t: number, value: number): void {
    let s = this.series.get(key)
    if (!s) {
      s = { t: [], v: [] }
      this.series.set(key, s)
    }
    const last = s.t[s.t.length - 1]
    if (last !== undefined && t <= last) return
    s.t.push(t)
    s.v.push(value)
    if (t > this.newest) this.newest = t
  }

  /** Appends every series of one snapshot, then trims. */
  /** Adds a snapshot's series, which the core flattened (`SystemSnapshot.series`). */
  appendSnapshot(snapshot: SystemSnapshot): void {
    for (const [key, v] of Object.entries(snapshot.series)) this.push(key, snapshot.at, v)
    this.trim()
  }

  /**
   * Seeds from a history answer (each point's average); points already held that are newer
   * than a series' last history point are kept after it. Then trims to the window.
   */
  seed(history: History): void {
    for (const hs of history.series) {
      const held = this.series.get(hs.key)
      const s: Series = { t: [], v: [] }
      for (const p of hs.points) {
        if (s.t.length && p.t <= s.t[s.t.length - 1]) continue
        s.t.push(p.t)
        s.v.push(p.avg)
      }
      const lastSeed = s.t.length ? s.t[s.t.length - 1] : -Infinity
      if (held) {
        for (let i = 0; i < held.t.length; i++) {
          if (held.t[i] > lastSeed) {
            s.t.push(held.t[i])
            s.v.push(held.v[i])
          }
        }
      }
      if (s.t.length) this.newest = Math.max(this.newest, s.t[s.t.length - 1])
      this.series.set(hs.key, s)
    }
    this.trim()
  }

  /**
   * Fills the start of the window from a coarser history (the stored minute averages of `24h`,
   * which outlive a server restart, unlike the raw samples): per series, only points older than
   * the first one held. Then trims to the window.
   */
  backfill(history: History): void {
    for (const hs of history.series) {
      const held = this.series.get(hs.key)
      const first = held && held.t.length ? held.t[0] : Infinity
      const t: number[] = []
      const v: number[] = []
      for (const p of hs.points) {
        if (p.t >= first || (t.length && p.t <= t[t.length - 1])) continue
        t.push(p.t)
        v.push(p.avg)
      }
      if (!t.length) continue
      if (held) {
        held.t.unshift(...t)
        held.v.unshift(...v)
      } else {
        this.series.set(hs.key, { t, v })
        this.newest = Math.max(this.newest, t[t.length - 1])
      }
    }
    this.trim()
  }

  /** Whether the samples held reach back (within `slackMs`) to the start of the window. */
  coversWindow(slackMs = 5_000): boolean {
    if (!Number.isFinite(this.newest)) return false
    let oldest = Infinity
    for (const s of this.series.values()) if (s.t.length) oldest = Math.min(oldest, s.t[0])
    return oldest <= this.newest - this.windowMs + slackMs
  }

  /** Drops points older than the window (measured from the newest sample) and empty series. */
  trim(): void {
    const cutoff = this.newest - this.windowMs
    for (const [key, s] of this.series) {
      let drop = 0
      while (drop < s.t.length && s.t[drop] < cutoff) drop++
      drop = Math.max(drop, s.t.length - this.maxPoints)
      if (drop > 0) {
        s.t.splice(0, drop)
        s.v.splice(0, drop)
      }
      if (s.t.length === 0) this.series.delete(key)
    }
  }

  /** Times (ms) and values of one series, oldest first; copies. */
  get(key: string): { t: number[]; v: number[] } {
    const s = this.series.get(key)
    return s ? { t: s.t.slice(), v: s.v.slice() } : { t: [], v: [] }
  }

  keys(): string[] {
    return [...this.series.keys()]
  }

  /** Time of the newest sample held, or null when empty. */
  get latest(): number | null {
    return Number.isFinite(this.newest) ? this.newest : null
  }

  clear(): void {
    this.series.clear()
    this.newest = -Infinity
  }
}
