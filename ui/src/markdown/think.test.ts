import { describe, expect, it } from 'vitest'
import { splitThinking } from './think'

describe('splitThinking', () => {
  it('separates a closed think block from the answer', () => {
    expect(splitThinking('<think>\nLet me add.\n</think>\n\nThe sum is 4.')).toEqual({
      reasoning: 'Let me add.',
      answer: 'The sum is 4.',
      thinkingOpen: false,
    })
  })

  it('treats everything after an unclosed <think> as reasoning while streaming', () => {
    expect(splitThinking('<think>First, consider')).toEqual({
      reasoning: 'First, consider',
      answer: '',
      thinkingOpen: true,
    })
  })

  it('returns text without a think block unchanged', () => {
    expect(splitThinking('Just an answer.\n')).toEqual({ reasoning: '', answer: 'Just an answer.\n', thinkingOpen: false })
    expect(splitThinking('')).toEqual({ reasoning: '', answer: '', thinkingOpen: false })
  })

  it('leaves a think tag that is not at the start in the answer', () => {
    const text = 'Models emit <think>like this</think> before answering.'
    expect(splitThinking(text)).toEqual({ reasoning: '', answer: text, thinkingOpen: false })
  })

  it('allows leading whitespace and any tag case', () => {
    expect(splitThinking('  \n<THINK>hmm</Think>ok')).toEqual({ reasoning: 'hmm', answer: 'ok', thinkingOpen: false })
  })

  it('handles an empty think block', () => {
    expect(splitThinking('<think>\n\n</think>\n\nHello')).toEqual({ reasoning: '', answer: 'Hello', thinkingOpen: false })
  })

  it('joins consecutive leading think blocks', () => {
    expect(splitThinking('<think>a</think>\n<think>b</think>answer')).toEqual({
      reasoning: 'a\n\nb',
      answer: 'answer',
      thinkingOpen: false,
    })
  })

  it('hides a tag cut in the middle by streaming', () => {
    expect(splitThinking('<thi')).toEqual({ reasoning: '', answer: '', thinkingOpen: false })
    expect(splitThinking('<think>reasoning</thi')).toEqual({ reasoning: 'reasoning', answer: '', thinkingOpen: true })
  })

  it('keeps a later </think> in the answer once the first block is closed', () => {
    expect(splitThinking('<think>r</think>Use </think> to close.').answer).toBe('Use </think> to close.')
  })
})
