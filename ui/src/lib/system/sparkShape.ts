/** A sparkline's box is this many units wide (one a second over the 5 min window); the SVG stretches it. */
export const SPARK_WIDTH = 300
/** Room above and below the line, in px: a 1.5 px line at 0 % or 100 % stays whole. */
const PAD_Y = 2

/** SVG path data of a sparkline: its line, and the area under it (closed down to zero). */
export interface SparkShape {
  line: string
  area: string
}

export interface SparkFrame {
  /** The time (ms) at the right edge: the newest sample's, so the line scrolls as samples come. */
  end: number
  windowMs: number
  /** The value at the top; when null, a tenth above the highest value shown (1 when there is none). */
  max: number | null
  /** The box's height in px (the SVG's height, unscaled). */
  height: number
}

/** The value drawn at the top of the box. */
function topOf(v: readonly number[], max: number | null): number {
  if (max !== null && max > 0) return max
  let highest = 0
  for (const x of v) if (Number.isFinite(x) && x > highest) highest = x
  return highest > 0 ? highest * 1.1 : 1
}

/**
 * The shape of one series over the window ending at `frame.end`, in a box `SPARK_WIDTH` wide and
 * `frame.height` high: x by time, y from zero at the bottom to the top value, clamped into the box.
 * Points without a finite value are left out. Empty paths when nothing is drawn.
 */
export function sparkShape(t: readonly number[], v: readonly number[], frame: SparkFrame): SparkShape {
  const top = topOf(v, frame.max)
  const start = frame.end - frame.windowMs
  const inner = frame.height - 2 * PAD_Y
  const xs: string[] = []
  const ys: string[] = []
  for (let i = 0; i < t.length; i++) {
    if (!Number.isFinite(v[i]) || t[i] < start || t[i] > frame.end) continue
    const share = Math.min(1, Math.max(0, v[i] / top))
    xs.push((((t[i] - start) / frame.windowMs) * SPARK_WIDTH).toFixed(1))
    ys.push((PAD_Y + (1 - share) * inner).toFixed(1))
  }
  if (xs.length === 0) return { line: '', area: '' }
  const line = xs.map((x, i) => `${i === 0 ? 'M' : 'L'}${x} ${ys[i]}`).join('')
  const bottom = (frame.height - PAD_Y).toFixed(1)
  return { line, area: `${line}L${xs[xs.length - 1]} ${bottom}L${xs[0]} ${bottom}Z` }
}
