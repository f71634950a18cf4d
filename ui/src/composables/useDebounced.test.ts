import { describe, expect, it, vi } from 'vitest'
import { debounce } from './useDebounced'

describe('debounce', () => {
  it('calls once with the last arguments after the quiet time', () => {
    vi.useFakeTimers()
    const fn = vi.fn()
    const d = debounce(fn, 200)
    d.call('a')
    vi.advanceTimersByTime(150)
    d.call('ab')
    vi.advanceTimersByTime(150)
    expect(fn).not.toHaveBeenCalled()
    vi.advanceTimersByTime(60)
    expect(fn).toHaveBeenCalledExactlyOnceWith('ab')
    d.call('x')
    d.cancel()
    vi.advanceTimersByTime(500)
    expect(fn).toHaveBeenCalledOnce()
    vi.useRealTimers()
  })
})
