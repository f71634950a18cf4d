import { onBeforeUnmount } from 'vue'

/** Calls `fn` once `ms` have passed without another call; `flush` runs a pending call now. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined
  let pending: A | null = null
  const run = () => {
    timer = undefined
    const args = pending
    pending = null
    if (args) fn(...args)
  }
  return {
    call(...args: A) {
      pending = args
      clearTimeout(timer)
      timer = setTimeout(run, ms)
    },
    flush() {
      clearTimeout(timer)
      run()
    },
    cancel() {
      clearTimeout(timer)
      timer = undefined
      pending = null
    },
  }
}

/** A debounced function that is cancelled when the component unmounts. */
export function useDebounced<A extends unknown[]>(fn: (...args: A) => void, ms: number) {
  const d = debounce(fn, ms)
  onBeforeUnmount(d.cancel)
  return d
}
