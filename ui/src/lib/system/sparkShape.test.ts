import { describe, expect, it } from 'vitest'
import { SPARK_WIDTH, sparkShape } from './sparkShape'

const END = 1_700_000_300_000
const frame = { end: END, windowMs: 300_000, max: 100, height: 32 }

describe('sparkShape', () => {
  it('puts time across the window and the value from the bottom (0) to the top (max)', () => {
    const shape = sparkShape([END - 300_000, END - 150_000, END], [0, 50, 100], frame)
    // x: 0, half, full width; y: 30 (bottom, 2 px padding), 16 (middle), 2 (top).
    expect(shape.line).toBe(`M0.0 30.0L150.0 16.0L${SPARK_WIDTH}.0 2.0`)
    expect(shape.area).toBe(`${shape.line}L300.0 30.0L0.0 30.0Z`)
  })

  it('scales to a tenth above the highest value without a max, and clamps what overshoots a max', () => {
    expect(sparkShape([END], [10], { ...frame, max: null }).line).toBe('M300.0 4.5')
    expect(sparkShape([END], [0], { ...frame, max: null }).line).toBe('M300.0 30.0')
    expect(sparkShape([END - 1000, END], [150, -5], frame).line).toBe('M299.0 2.0L300.0 30.0')
  })

  it('leaves out points before the window and values that are not numbers', () => {
    const shape = sparkShape([END - 400_000, END - 150_000, END], [50, Number.NaN, 50], frame)
    expect(shape.line).toBe('M300.0 16.0')
  })

  it('draws nothing for an empty series', () => {
    expect(sparkShape([], [], frame)).toEqual({ line: '', area: '' })
  })

  it('holds one point per sample, however long the page stays open', () => {
    const t = Array.from({ length: 300 }, (_, i) => END - 299_000 + i * 1000)
    const shape = sparkShape(t, t.map(() => 42), frame)
    expect(shape.line.match(/[ML]/g)).toHaveLength(300)
  })
})
