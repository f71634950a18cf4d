import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ApiError, getApi, isTauri, toApiError } from '../api'
import type { Alert } from '../generated/Alert'
import type { AlertRules } from '../generated/AlertRules'
import { t } from '../composables/useI18n'
import { alertMessage } from '../lib/alerts/alertFormat'
import { showDesktopNotification } from '../api/notifications'
import { useDesktopSettingsStore } from './desktopSettings'

/** How many alerts the recent list keeps. */
export const RECENT_LIMIT = 100
/** How long a browser toast for a new alert stays. */
export const TOAST_MS = 6000

const toastTimers = new Map<string, ReturnType<typeof setTimeout>>()
/** Events that arrived while a list fetch was in flight, re-applied over its (older) answer. */
let arrivedDuringFetch: Alert[] | null = null

export const useAlertsStore = defineStore('alerts', () => {
  /** Raised and not cleared, newest first. */
  const active = ref<Alert[]>([])
  /** Newest first, cleared ones included. */
  const recent = ref<Alert[]>([])
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref<ApiError | null>(null)
  /** Alerts raised while this page was open, shown as toasts (browser only). */
  const toasts = ref<Alert[]>([])
  /** Ids of alerts whose acknowledgement is on its way. */
  const acknowledging = ref<string[]>([])
  /** Why acknowledging an alert failed, by alert id (until it is tried again). */
  const acknowledgeErrors = ref<Record<string, ApiError>>({})

  const activeCount = computed((): number => active.value.length)
  /** Active alerts nobody has acknowledged yet: the "new" ones. */
  const unacknowledged = computed((): Alert[] => active.value.filter((a) => a.acknowledged_at === null))
  /** How many active alerts are not acknowledged (the header badge). */
  const unacknowledgedCount = computed((): number => unacknowledged.value.length)
  /** The worst severity among active, unacknowledged alerts, or null when there are none. */
  const worstSeverity = computed((): 'critical' | 'warning' | null => {
    const fresh = unacknowledged.value
    return fresh.some((a) => a.severity === 'critical') ? 'critical' : fresh.length ? 'warning' : null
  })

  async function refresh(): Promise<void> {
    loading.value = true
    const arrived: Alert[] = []
    arrivedDuringFetch = arrived
    try {
      const list = await getApi().listAlerts()
      active.value = [...list.active].sort((a, b) => b.raised_at - a.raised_at)
      // Recent holds the active ones too; add any the server left out.
      const missing = active.value.filter((a) => !list.recent.some((r) => r.id === a.id))
      recent.value = [...missing, ...list.recent].slice(0, RECENT_LIMIT)
      for (const a of arrived) merge(a)
      loaded.value = true
      error.value = null
    } catch (err) {
      error.value = toApiError(err)
    } finally {
      if (arrivedDuringFetch === arrived) arrivedDuringFetch = null
      loading.value = false
    }
  }

  /**
   * Puts one alert in place: newly raised → top of active and of recent; an update of an active
   * one (acknowledged) → replaced where it is in both; cleared → out of active, top of recent.
   */
  function merge(alert: Alert): void {
    const at = active.value.findIndex((a) => a.id === alert.id)
    if (alert.cleared_at === null && at >= 0) {
      active.value = active.value.map((a) => (a.id === alert.id ? alert : a))
      if (recent.value.some((a) => a.id === alert.id)) {
        recent.value = recent.value.map((a) => (a.id === alert.id ? alert : a))
        return
      }
    } else {
      active.value = active.value.filter((a) => a.id !== alert.id)
      if (alert.cleared_at === null) active.value.unshift(alert)
    }
    recent.value = [alert, ...recent.value.filter((a) => a.id !== alert.id)].slice(0, RECENT_LIMIT)
  }

  /**
   * Applies one `system_alert`: raised → active and top of recent; acknowledged → updated in
   * place; cleared → out of active, top of recent.
   */
  function apply(alert: Alert): void {
    const wasActive = active.value.some((a) => a.id === alert.id)
    merge(alert)
    arrivedDuringFetch?.push(alert)
    if (alert.cleared_at === null && alert.acknowledged_at === null && !wasActive) toast(alert)
    else if (alert.cleared_at !== null || alert.acknowledged_at !== null) dismissToast(alert.id)
  }

  /**
   * Acknowledges an active alert: shown as acknowledged at once, then as the server answered.
   * A failure puts it back and keeps why in `acknowledgeErrors`; an alert that is no longer
   * active (`alert_not_found`) makes the lists reload instead, as it has cleared meanwhile.
   */
  async function acknowledge(id: string): Promise<void> {
    const before = active.value.find((a) => a.id === id)
    if (!before || before.acknowledged_at !== null || acknowledging.value.includes(id)) return
    acknowledging.value = [...acknowledging.value, id]
    const errors = { ...acknowledgeErrors.value }
    delete errors[id]
    acknowledgeErrors.value = errors
    const optimistic = { ...before, acknowledged_at: Date.now() }
    merge(optimistic)
    try {
      const answer = await getApi().acknowledgeAlert(id)
      // A clear that arrived meanwhile wins over the (older) answer.
      if (answer.cleared_at !== null || active.value.some((a) => a.id === id)) {
        merge(answer)
        arrivedDuringFetch?.push(answer)
      }
    } catch (err) {
      undoAcknowledge(id, optimistic.acknowledged_at, before.acknowledged_at, toApiError(err))
    } finally {
      acknowledging.value = acknowledging.value.filter((a) => a !== id)
    }
  }

  /** After a failed acknowledgement: puts the alert back and keeps why (or reloads when it has gone). */
  function undoAcknowledge(id: string, optimisticAt: number, beforeAt: number | null, failure: ApiError): void {
    // Undo the optimistic change unless something newer replaced it.
    const now = active.value.find((a) => a.id === id)
    if (now && now.acknowledged_at === optimisticAt) merge({ ...now, acknowledged_at: beforeAt })
    if (failure.code === 'alert_not_found') void refresh()
    else acknowledgeErrors.value = { ...acknowledgeErrors.value, [id]: failure }
  }

  function toast(alert: Alert): void {
    // The desktop app shows a native notification instead, worded here in the user's language.
    if (isTauri()) return notifyDesktop(alert)
    toasts.value = [...toasts.value.filter((a) => a.id !== alert.id), alert].slice(-3)
    clearTimeout(toastTimers.get(alert.id))
    toastTimers.set(
      alert.id,
      setTimeout(() => dismissToast(alert.id), TOAST_MS),
    )
  }

  function notifyDesktop(alert: Alert): void {
    const title = `${t(`alerts.kind.${alert.kind}`)} · ${alert.subject}`
    // Muted in Settings → Desktop app: the alert is on the page and in the header's badge anyway.
    void useDesktopSettingsStore()
      .notificationsWanted()
      .then((wanted) => (wanted ? showDesktopNotification({ title, body: alertMessage(alert) }) : undefined))
      .catch(() => {
        // Nowhere to show it: the alert is on the page and in the header's badge all the same.
      })
  }

  function dismissToast(id: string): void {
    clearTimeout(toastTimers.get(id))
    toastTimers.delete(id)
    toasts.value = toasts.value.filter((a) => a.id !== id)
  }

  /** Follows `system_alert` events and reloads on every (re)connect; called once, at app start (startup.ts). */
  function connect(): void {
    const api = getApi()
    api.onEvent((e) => {
      if (e.type === 'system_alert') apply(e.data)
    })
    api.onConnectionChange((state) => {
      if (state === 'open') void refresh()
    })
    void refresh()
  }

  // Alert rules
  const rules = ref<AlertRules | null>(null)
  const rulesLoading = ref(false)
  const rulesLoadError = ref<ApiError | null>(null)
  const rulesSaving = ref(false)
  const rulesSaveError = ref<ApiError | null>(null)

  async function loadRules(): Promise<void> {
    rulesLoading.value = true
    try {
      rules.value = await getApi().getAlertRules()
      rulesLoadError.value = null
    } catch (err) {
      rulesLoadError.value = toApiError(err)
    } finally {
      rulesLoading.value = false
    }
  }

  /** Saves the rules; resolves to true when the server accepted them. */
  async function saveRules(next: AlertRules): Promise<boolean> {
    rulesSaving.value = true
    rulesSaveError.value = null
    try {
      rules.value = await getApi().setAlertRules(next)
      return true
    } catch (err) {
      rulesSaveError.value = toApiError(err)
      return false
    } finally {
      rulesSaving.value = false
    }
  }

  return {
    active,
    recent,
    loaded,
    loading,
    error,
    toasts,
    acknowledging,
    acknowledgeErrors,
    rules,
    rulesLoading,
    rulesLoadError,
    rulesSaving,
    rulesSaveError,
    activeCount,
    unacknowledged,
    unacknowledgedCount,
    worstSeverity,
    refresh,
    merge,
    apply,
    acknowledge,
    toast,
    dismissToast,
    connect,
    loadRules,
    saveRules,
  }
})
