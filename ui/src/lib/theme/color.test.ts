import { describe, expect, it } from 'vitest'
import { withAlpha } from './color'

describe('withAlpha', () => {
  it('adds a hex alpha to #rrggbb and #rgb colours', () => {
    expect(withAlpha('#4f8cff', 0.4)).toBe('#4f8cff66')
    expect(withAlpha(' #0969DA ', 1)).toBe('#0969DAff')
    expect(withAlpha('#abc', 0)).toBe('#aabbcc00')
  })

  it('clamps the alpha and leaves other notations opaque rather than broken', () => {
    expect(withAlpha('#000000', 2)).toBe('#000000ff')
    expect(withAlpha('#000000', -1)).toBe('#00000000')
    expect(withAlpha('rgb(1, 2, 3)', 0.5)).toBe('rgb(1, 2, 3)')
    expect(withAlpha('#4f8cff80', 0.5)).toBe('#4f8cff80')
  })
})
