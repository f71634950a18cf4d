// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as highlight from './highlight'
import { warmUpMarkdown } from './warmUp'

afterEach(() => vi.useRealTimers())

describe('warmUpMarkdown', () => {
  it('compiles every language grammar, one step per idle period', async () => {
    vi.useFakeTimers()
    const spy = vi.spyOn(highlight, 'highlightCode')
    warmUpMarkdown()
    await vi.runAllTimersAsync()
    const warmed = new Set(spy.mock.calls.map(([, lang]) => lang))
    expect(warmed).toEqual(new Set(highlight.highlightLanguages()))
  })

  it('stops when cancelled (the page was left)', async () => {
    vi.useFakeTimers()
    const spy = vi.spyOn(highlight, 'highlightCode')
    spy.mockClear()
    const stop = warmUpMarkdown()
    stop()
    await vi.runAllTimersAsync()
    expect(spy).not.toHaveBeenCalled()
  })
})
