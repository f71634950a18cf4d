import { defineStore } from 'pinia'
import { ApiError, getApi, isTauri, toApiError } from '../api'
import type { Alert } from '../generated/Alert'
import type { AlertRules } from '../generated/AlertRules'

/** How many alerts the recent list keeps. */
export const RECENT_LIMIT = 100
/** How long a browser toast for a new alert stays. */
export const TOAST_MS = 6000

const toastTimers = new Map<string, ReturnType<typeof setTimeout>>()
/** Events that arrived while a list fetch was in flight, re-applied over its (older) answer. */
let arrivedDuringFetch: Alert[] | null = null

export const useAlertsStore = defineStore('alerts', {
  state: () => ({
    /** Raised and not cleared, newest first. */
    active: [] as Alert[],
    /** Newest first, cleared ones included. */
    recent: [] as Alert[],
    loaded: false,
    loading: false,
    error: null as ApiError | null,
    /** Alerts raised while this page was open, shown as toasts (browser only). */
    toasts: [] as Alert[],
    rules: null as AlertRules | null,
    rulesLoading: false,
    rulesLoadError: null as ApiError | null,
    rulesSaving: false,
    rulesSaveError: null as ApiError | null,
    initialized: false,
  }),
  getters: {
    activeCount: (state): number => state.active.length,
    /** The worst severity among active alerts, or null when there are none. */
    worstSeverity: (state) =>
      state.active.some((a) => a.severity === 'critical') ? 'critical' : state.active.length ? 'warning' : null,
  },
  actions: {
    async refresh() {
      this.loading = true
      const arrived: Alert[] = []
      arrivedDuringFetch = arrived
      try {
        const list = await getApi().listAlerts()
        this.active = [...list.active].sort((a, b) => b.raised_at - a.raised_at)
        // Recent holds the active ones too; add any the server left out.
        const missing = this.active.filter((a) => !list.recent.some((r) => r.id === a.id))
        this.recent = [...missing, ...list.recent].slice(0, RECENT_LIMIT)
        for (const a of arrived) this.merge(a)
        this.loaded = true
        this.error = null
      } catch (err) {
        this.error = toApiError(err)
      } finally {
        if (arrivedDuringFetch === arrived) arrivedDuringFetch = null
        this.loading = false
      }
    },
    /** Puts one alert in place: active when not cleared, and at the top of recent. */
    merge(alert: Alert) {
      this.active = this.active.filter((a) => a.id !== alert.id)
      if (alert.cleared_at === null) this.active.unshift(alert)
      this.recent = [alert, ...this.recent.filter((a) => a.id !== alert.id)].slice(0, RECENT_LIMIT)
    },
    /** Applies one `system_alert`: raised → active and top of recent; cleared → out of active, top of recent. */
    apply(alert: Alert) {
      const wasActive = this.active.some((a) => a.id === alert.id)
      this.merge(alert)
      arrivedDuringFetch?.push(alert)
      if (alert.cleared_at === null && !wasActive) this.toast(alert)
      else if (alert.cleared_at !== null) this.dismissToast(alert.id)
    },
    toast(alert: Alert) {
      // The desktop app shows a native notification itself.
      if (isTauri()) return
      this.toasts = [...this.toasts.filter((a) => a.id !== alert.id), alert].slice(-3)
      clearTimeout(toastTimers.get(alert.id))
      toastTimers.set(
        alert.id,
        setTimeout(() => this.dismissToast(alert.id), TOAST_MS),
      )
    },
    dismissToast(id: string) {
      clearTimeout(toastTimers.get(id))
      toastTimers.delete(id)
      this.toasts = this.toasts.filter((a) => a.id !== id)
    },
    init() {
      if (this.initialized) return
      this.initialized = true
      const api = getApi()
      api.onEvent((e) => {
        if (e.type === 'system_alert') this.apply(e.data)
      })
      api.onConnectionChange((state) => {
        if (state === 'open') void this.refresh()
      })
      void this.refresh()
    },
    async loadRules() {
      this.rulesLoading = true
      try {
        this.rules = await getApi().getAlertRules()
        this.rulesLoadError = null
      } catch (err) {
        this.rulesLoadError = toApiError(err)
      } finally {
        this.rulesLoading = false
      }
    },
    /** Saves the rules; resolves to true when the server accepted them. */
    async saveRules(rules: AlertRules): Promise<boolean> {
      this.rulesSaving = true
      this.rulesSaveError = null
      try {
        this.rules = await getApi().setAlertRules(rules)
        return true
      } catch (err) {
        this.rulesSaveError = toApiError(err)
        return false
      } finally {
        this.rulesSaving = false
      }
    },
  },
})
