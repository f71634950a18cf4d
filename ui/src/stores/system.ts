import { defineStore } from 'pinia'
import { ref } from 'vue'
import { ApiError, getApi, toApiError } from '../api'
import type { SystemSnapshot } from '../generated/SystemSnapshot'

export const useSystemStore = defineStore('system', () => {
  const snapshot = ref<SystemSnapshot | null>(null)
  const loading = ref(false)
  const error = ref<ApiError | null>(null)

  async function refresh(): Promise<void> {
    loading.value = true
    try {
      apply(await getApi().systemStatus())
    } catch (err) {
      error.value = toApiError(err)
    } finally {
      loading.value = false
    }
  }

  function apply(next: SystemSnapshot): void {
    // Ignore a sample older than the one shown (a slow fetch racing an event).
    if (snapshot.value && next.at < snapshot.value.at) return
    snapshot.value = next
    error.value = null
  }

  /**
   * Fetches once, then follows `gpu_metrics_update` events; re-fetches on (re)connect. Called once,
   * at app start (startup.ts).
   */
  function connect(): void {
    const api = getApi()
    api.onEvent((e) => {
      if (e.type === 'gpu_metrics_update') apply(e.data)
    })
    api.onConnectionChange((state) => {
      if (state === 'open') void refresh()
    })
    void refresh()
  }

  return { snapshot, loading, error, refresh, apply, connect }
})
