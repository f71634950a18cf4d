import { computed, ref } from 'vue'
import { getApi } from '../api'
import { LinkWatch, STALE_GRACE_MS } from '../lib/system/staleness'

const lostAt = ref<number | null>(null)
const stale = ref(false)
let started = false

/**
 * Whether the live figures are stale: the event link to the server has been down for a few
 * seconds (it keeps retrying by itself). Shared app-wide; subscribes once.
 */
export function useStaleness() {
  if (!started) {
    started = true
    const api = getApi()
    const watch = new LinkWatch(api.connection, Date.now())
    let timer: ReturnType<typeof setTimeout> | null = null
    const check = () => {
      if (timer) clearTimeout(timer)
      timer = null
      const now = Date.now()
      lostAt.value = watch.lostAt
      stale.value = watch.isStale(now, STALE_GRACE_MS)
      const wait = watch.msUntilStale(now, STALE_GRACE_MS)
      if (wait !== null) timer = setTimeout(check, wait)
    }
    api.onConnectionChange((state) => {
      watch.update(state, Date.now())
      check()
    })
    check()
  }
  return { stale: computed(() => stale.value), lostAt: computed(() => lostAt.value) }
}
