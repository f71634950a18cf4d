import { onBeforeUnmount, ref, watch, type Ref } from 'vue'

/**
 * Calls `task` every `intervalMs` (a number, or a function read before each wait) while `active` is true (and the component is mounted).
 * Runs never overlap: the next one is scheduled after the previous one settles.
 */
export function usePolling(task: () => Promise<unknown>, intervalMs: number | (() => number), active: Ref<boolean>) {
  let timer: ReturnType<typeof setTimeout> | null = null
  let generation = 0
  const running = ref(false)

  const stop = () => {
    generation++
    if (timer) clearTimeout(timer)
    timer = null
    running.value = false
  }

  const loop = async (gen: number) => {
    try {
      await task()
    } catch {
      // the task reports its own errors; keep polling
    }
    if (gen !== generation) return
    timer = setTimeout(() => loop(gen), typeof intervalMs === 'function' ? intervalMs() : intervalMs)
  }

  const start = () => {
    stop()
    running.value = true
    void loop(generation)
  }

  watch(active, (on) => (on ? start() : stop()), { immediate: true })
  onBeforeUnmount(stop)

  return { running, restart: start, stop }
}
