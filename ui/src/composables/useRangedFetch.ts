import { ref, shallowRef, type Ref } from 'vue'
import { toApiError, type ApiError } from '../api'
import { usePolling } from './usePolling'

/**
 * Data over a chosen time range (the History page, the Requests page's charts): fetched now and
 * again every `refreshMs(range)` while the component lives; only the newest fetch's answer or error
 * is kept. `choose` shows another range: what was shown goes, and it is fetched at once.
 */
export function useRangedFetch<R, T>(initial: R, fetch: (range: R) => Promise<T>, refreshMs: (range: R) => number) {
  const range = ref(initial) as Ref<R>
  const data = shallowRef<T | null>(null)
  const loading = ref(false)
  const error = ref<ApiError | null>(null)
  let generation = 0

  async function load(): Promise<void> {
    const gen = ++generation
    loading.value = true
    try {
      const answer = await fetch(range.value)
      if (gen !== generation) return
      data.value = answer
      error.value = null
    } catch (err) {
      if (gen === generation) error.value = toApiError(err)
    } finally {
      if (gen === generation) loading.value = false
    }
  }

  const { restart } = usePolling(load, () => refreshMs(range.value), ref(true))

  function choose(next: R): void {
    if (next === range.value) return
    range.value = next
    data.value = null
    restart()
  }

  return { range, data, loading, error, choose, restart }
}
