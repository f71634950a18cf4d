// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest'
import { createApp, h } from 'vue'
import { ApiError } from '../api'
import { useRangedFetch } from './useRangedFetch'

/** Runs the composable inside a component (polling stops when it unmounts). */
function withRangedFetch(fetch: (range: string) => Promise<string>) {
  let ranged!: ReturnType<typeof useRangedFetch<string, string>>
  const app = createApp({
    setup() {
      ranged = useRangedFetch<string, string>('1h', fetch, () => 60_000)
      return () => h('div')
    },
  })
  app.mount(document.createElement('div'))
  return { ranged, unmount: () => app.unmount() }
}

describe('useRangedFetch', () => {
  it('fetches at once, keeps only the newest answer when the range changes meanwhile, and clears on a change', async () => {
    const pending = new Map<string, (answer: string) => void>()
    const fetch = vi.fn((range: string) => new Promise<string>((resolve) => pending.set(range, resolve)))
    const { ranged, unmount } = withRangedFetch(fetch)
    expect(fetch).toHaveBeenCalledWith('1h')
    expect(ranged.loading.value).toBe(true)

    ranged.choose('24h')
    expect(ranged.range.value).toBe('24h')
    pending.get('24h')!('day')
    await vi.waitFor(() => expect(ranged.data.value).toBe('day'))
    pending.get('1h')!('hour') // the older answer comes last: dropped
    await Promise.resolve()
    expect(ranged.data.value).toBe('day')
    expect(ranged.loading.value).toBe(false)

    ranged.choose('24h') // the same range: nothing to do
    expect(fetch).toHaveBeenCalledTimes(2)
    ranged.choose('7d')
    expect(ranged.data.value).toBeNull()
    unmount()
  })

  it('keeps the error of a failed fetch until one works again', async () => {
    const fetch = vi.fn(async (): Promise<string> => {
      throw new ApiError('network_error', 'down')
    })
    const { ranged, unmount } = withRangedFetch(fetch)
    await vi.waitFor(() => expect(ranged.error.value?.code).toBe('network_error'))
    fetch.mockImplementation(async () => 'back')
    ranged.restart()
    await vi.waitFor(() => expect(ranged.data.value).toBe('back'))
    expect(ranged.error.value).toBeNull()
    unmount()
  })
})
