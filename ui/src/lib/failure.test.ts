import { describe, expect, it } from 'vitest'
import { sameFailure, splitFailure } from './failure'

const REASON = [
  'The engine exited with code 1 before becoming ready. The model file could not be loaded: it may be incomplete or not a GGUF file; download it again.',
  'Last output:',
  "0.00.015.394 I srv    load_model: loading model '/tmp/broken.gguf'",
  '0.00.015.568 E gguf_init_from_reader: failed to read header',
  '',
  '0.00.016.334 E srv  llama_server: exiting due to model loading error',
].join('\n')

describe('splitFailure', () => {
  it('splits the summary line from the engine output and counts the output lines', () => {
    const parts = splitFailure(REASON)
    expect(parts.summary).toMatch(/^The engine exited with code 1 .* download it again\.$/)
    expect(parts.details.startsWith('Last output:\n0.00.015.394')).toBe(true)
    expect(parts.outputLines).toBe(3)
  })

  it('keeps a one-line reason whole, and copes with nothing', () => {
    expect(splitFailure('  The engine was not healthy within 8 s, so it was stopped.  ')).toEqual({
      summary: 'The engine was not healthy within 8 s, so it was stopped.',
      details: '',
      outputLines: 0,
    })
    expect(splitFailure(null)).toEqual({ summary: '', details: '', outputLines: 0 })
    expect(splitFailure('a\r\nb\r\nc').outputLines).toBe(2)
  })
})

describe('sameFailure', () => {
  it('compares reasons ignoring surrounding space, never matching an empty one', () => {
    expect(sameFailure(REASON, `${REASON}\n`)).toBe(true)
    expect(sameFailure(REASON, 'other')).toBe(false)
    expect(sameFailure('', '')).toBe(false)
    expect(sameFailure(null, REASON)).toBe(false)
  })
})
