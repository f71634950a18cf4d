import { defineStore } from 'pinia'
import { ApiError, getApi, toApiError } from '../api'
import type { SystemSnapshot } from '../generated/SystemSnapshot'

export const useSystemStore = defineStore('system', {
  state: () => ({
    snapshot: null as SystemSnapshot | null,
    loading: false,
    error: null as ApiError | null,
    initialized: false,
  }),
  actions: {
    async refresh() {
      this.loading = true
      try {
        this.apply(await getApi().systemStatus())
      } catch (err) {
        this.error = toApiError(err)
      } finally {
        this.loading = false
      }
    },
    apply(snapshot: SystemSnapshot) {
      // Ignore a sample older than the one shown (a slow fetch racing an event).
      if (this.snapshot && snapshot.at < this.snapshot.at) return
      this.snapshot = snapshot
      this.error = null
    },
    /** Fetches once, then follows `gpu_metrics_update` events; re-fetches on (re)connect. */
    init() {
      if (this.initialized) return
      this.initialized = true
      const api = getApi()
      api.onEvent((e) => {
        if (e.type === 'gpu_metrics_update') this.apply(e.data)
      })
      api.onConnectionChange((state) => {
        if (state === 'open') void this.refresh()
      })
      void this.refresh()
    },
  },
})
