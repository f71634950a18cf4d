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
    /** Ids of alerts whose acknowledgement is on its way. */
    acknowledging: [] as string[],
    /** Why acknowledging an alert failed, by alert id (until it is tried again). */
    acknowledgeErrors: {} as Record<string, ApiError>,
    rules: null as AlertRules | null,
    rulesLoading: false,
    rulesLoadError: null as ApiError | null,
    rulesSaving: false,
    rulesSaveError: null as ApiError | null,
    initialized: false,
  }),
  getters: {
    activeCount: (state): number => state.active.length,
    /** Active alerts nobody has acknowledged yet: the "new" ones. */
    unacknowledged: (state): Alert[] => state.active.filter((a) => a.acknowledged_at === null),
    /** How many active alerts are not acknowledged (the header badge). */
    unacknowledgedCount(): number {
      return this.unacknowledged.length
    },
    /** The worst severity among active, unacknowledged alerts, or null when there are none. */
    worstSeverity(): 'critical' | 'warning' | null {
      const fresh = this.unacknowledged
      return fresh.some((a) => a.severity === 'critical') ? 'critical' : fresh.length ? 'warning' : null
    },
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
    /**
     * Puts one alert in place: newly raised → top of active and of recent; an update of an active
     * one (acknowledged) → replaced where it is in both; cleared → out of active, top of recent.
     */
    merge(alert: Alert) {
      const at = this.active.findIndex((a) => a.id === alert.id)
      if (alert.cleared_at === null && at >= 0) {
        this.active = this.active.map((a) => (a.id === alert.id ? alert : a))
        if (this.recent.some((a) => a.id === alert.id)) {
          this.recent = this.recent.map((a) => (a.id === alert.id ? alert : a))
          return
        }
      } else {
        this.active = this.active.filter((a) => a.id !== alert.id)
        if (alert.cleared_at === null) this.active.unshift(alert)
      }
      this.recent = [alert, ...this.recent.filter((a) => a.id !== alert.id)].slice(0, RECENT_LIMIT)
    },
    /**
     * Applies one `system_alert`: raised → active and top of recent; acknowledged → updated in
     * place; cleared → out of active, top of recent.
     */
    apply(alert: Alert) {
      const wasActive = this.active.some((a) => a.id === alert.id)
      this.merge(alert)
      arrivedDuringFetch?.push(alert)
      if (alert.cleared_at === null && alert.acknowledged_at === null && !wasActive) this.toast(alert)
      else if (alert.cleared_at !== null || alert.acknowledged_at !== null) this.dismissToast(alert.id)
    },
    /**
     * Acknowledges an active alert: shown as acknowledged at once, then as the server answered.
     * A failure puts it back and keeps why in `acknowledgeErrors`; an alert that is no longer
     * active (`alert_not_found`) makes the lists reload instead, as it has cleared meanwhile.
     */
    async acknowledge(id: string) {
      const before = this.active.find((a) => a.id === id)
      if (!before || before.acknowledged_at !== null || this.acknowledging.includes(id)) return
      this.acknowledging = [...this.acknowledging, id]
      const errors = { ...this.acknowledgeErrors }
      delete errors[id]
      this.acknowledgeErrors = errors
      const optimistic = { ...before, acknowledged_at: Date.now() }
      this.merge(optimistic)
      try {
        const answer = await getApi().acknowledgeAlert(id)
        // A clear that arrived meanwhile wins over the (older) answer.
        if (answer.cleared_at !== null || this.active.some((a) => a.id === id)) {
          this.merge(answer)
          arrivedDuringFetch?.push(answer)
        }
      } catch (err) {
        const error = toApiError(err)
        // Undo the optimistic change unless something newer replaced it.
        const now = this.active.find((a) => a.id === id)
        if (now && now.acknowledged_at === optimistic.acknowledged_at) this.merge({ ...now, acknowledged_at: before.acknowledged_at })
        if (error.code === 'alert_not_found') void this.refresh()
        else this.acknowledgeErrors = { ...this.acknowledgeErrors, [id]: error }
      } finally {
        this.acknowledging = this.acknowledging.filter((a) => a !== id)
      }
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
