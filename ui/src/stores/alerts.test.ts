import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Alert } from '../generated/Alert'
import type { AlertList } from '../generated/AlertList'

const invoked = vi.hoisted(() => [] as Array<[string, unknown]>)
vi.mock('@tauri-apps/api/core', () => ({
  invoke: vi.fn(async (command: string, args?: unknown) => {
    invoked.push([command, args])
  }),
}))

import { ApiError } from '../api'
import { defaultRules } from '../lib/alerts/alertRules'
import { emit, fake, installFakeApi, setConnection } from '../testing/fakeApi'
import { TOAST_MS, useAlertsStore } from './alerts'

function alert(id: string, raised_at: number, cleared_at: number | null = null, kind: Alert['kind'] = 'gpu_temperature'): Alert {
  return {
    id, kind, subject: 'GPU 0 (NVIDIA H100)', severity: 'warning', message: 'GPU 0 is at 88 °C.',
    value: 88, threshold: 85, raised_at, cleared_at, acknowledged_at: null,
  }
}

let list: AlertList

beforeEach(() => {
  setActivePinia(createPinia())
  list = { active: [alert('a1', 100)], recent: [alert('a1', 100), alert('a0', 50, 60, 'host_memory')] }
  installFakeApi({
    listAlerts: vi.fn(async () => structuredClone(list)),
    getAlertRules: vi.fn(async () => defaultRules()),
    setAlertRules: vi.fn(async (r: unknown) => r),
    acknowledgeAlert: vi.fn(async (id: string) => ({ ...list.active.find((a) => a.id === id)!, acknowledged_at: 150 })),
  })
})

afterEach(() => {
  vi.useRealTimers()
})

async function connected() {
  const store = useAlertsStore()
  store.connect()
  await vi.waitFor(() => expect(store.loaded).toBe(true))
  return store
}

describe('alerts store', () => {
  it('loads the active and recent alerts', async () => {
    const store = await connected()
    expect(store.active.map((a) => a.id)).toEqual(['a1'])
    expect(store.recent.map((a) => a.id)).toEqual(['a1', 'a0'])
    expect(store.activeCount).toBe(1)
    expect(store.worstSeverity).toBe('warning')
  })

  it('lists active alerts among the recent ones even when the server left them out', async () => {
    list = { active: [alert('a1', 100)], recent: [alert('a0', 50, 60, 'host_memory')] }
    const store = await connected()
    expect(store.recent.map((a) => a.id)).toEqual(['a1', 'a0'])
  })

  it('adds a raised alert to active and to the top of recent, once', async () => {
    const store = await connected()
    emit({ type: 'system_alert', data: { ...alert('a2', 200, null, 'disk_space'), severity: 'critical' } })
    expect(store.active.map((a) => a.id)).toEqual(['a2', 'a1'])
    expect(store.recent.map((a) => a.id)).toEqual(['a2', 'a1', 'a0'])
    expect(store.worstSeverity).toBe('critical')
    emit({ type: 'system_alert', data: alert('a2', 200, null, 'disk_space') })
    expect(store.active).toHaveLength(2)
    expect(store.recent).toHaveLength(3)
  })

  it('removes a cleared alert from active and keeps it at the top of recent', async () => {
    const store = await connected()
    emit({ type: 'system_alert', data: alert('a2', 200) })
    emit({ type: 'system_alert', data: alert('a1', 100, 300) })
    expect(store.active.map((a) => a.id)).toEqual(['a2'])
    expect(store.recent.map((a) => [a.id, a.cleared_at])).toEqual([['a1', 300], ['a2', null], ['a0', 60]])
    emit({ type: 'system_alert', data: alert('a2', 200, 310) })
    expect(store.activeCount).toBe(0)
    expect(store.worstSeverity).toBeNull()
    expect(store.recent[0]).toMatchObject({ id: 'a2', cleared_at: 310 })
  })

  it('ignores other events', async () => {
    const store = await connected()
    emit({ type: 'models_changed', data: [] })
    expect(store.active.map((a) => a.id)).toEqual(['a1'])
  })

  it('refetches on reconnect, keeping an event that overtook the fetch', async () => {
    const store = await connected()
    let resolve!: (l: AlertList) => void
    fake.api.listAlerts.mockImplementationOnce(() => new Promise<AlertList>((r) => (resolve = r)))
    setConnection('open')
    emit({ type: 'system_alert', data: alert('a1', 100, 400) })
    resolve(structuredClone(list)) // the server's answer predates the clear
    await vi.waitFor(() => expect(store.loading).toBe(false))
    expect(fake.api.listAlerts).toHaveBeenCalledTimes(2)
    expect(store.active).toEqual([])
    expect(store.recent[0]).toMatchObject({ id: 'a1', cleared_at: 400 })
  })

  it('shows a toast for a newly raised alert for a few seconds (browser)', async () => {
    vi.useFakeTimers()
    const store = useAlertsStore()
    store.apply(alert('a5', 500))
    expect(store.toasts.map((a) => a.id)).toEqual(['a5'])
    store.apply(alert('a5', 500)) // same alert again: no second toast
    expect(store.toasts).toHaveLength(1)
    vi.advanceTimersByTime(TOAST_MS + 1)
    expect(store.toasts).toEqual([])
    store.apply(alert('a6', 600))
    store.apply(alert('a6', 600, 610)) // cleared: its toast goes
    expect(store.toasts).toEqual([])
  })

  it('in the desktop app, a newly raised alert is a native notification worded in the UI language', async () => {
    const { setLocale } = await import('../composables/useI18n')
    setLocale('zh')
    vi.stubGlobal('window', { ...(globalThis.window ?? {}), __TAURI_INTERNALS__: {} })
    try {
      invoked.length = 0
      const store = useAlertsStore()
      store.apply({ ...alert('a9', 900), kind: 'host_memory', subject: 'host', value: 93.5, threshold: 90 })
      expect(store.toasts).toEqual([])
      await vi.waitFor(() => expect(invoked).toHaveLength(1))
      const [command, args] = invoked[0]
      expect(command).toBe('show_notification')
      const { title, body } = (args as { notification: { title: string; body: string } }).notification
      expect(title).toContain('主机内存')
      expect(body).not.toBe('')
      expect(body).not.toMatch(/memory/i)
    } finally {
      vi.unstubAllGlobals()
      setLocale('en')
    }
  })

  it('in the desktop app, muted notifications (Settings) show none; the alert stays on the page', async () => {
    vi.stubGlobal('window', { ...(globalThis.window ?? {}), __TAURI_INTERNALS__: {} })
    try {
      invoked.length = 0
      fake.api.getDesktopSettings = vi.fn(async () => ({
        close_to_tray: true, notifications: false, start_models: [], start_at_login: false,
      }))
      const store = useAlertsStore()
      store.apply(alert('a10', 1000))
      await vi.waitFor(() => expect(fake.api.getDesktopSettings).toHaveBeenCalled())
      await new Promise((r) => setTimeout(r, 0))
      expect(invoked).toEqual([])
      expect(store.active.map((a) => a.id)).toContain('a10')
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('updates an acknowledged alert in place, and counts only unacknowledged ones as new', async () => {
    list = {
      active: [alert('a2', 200), { ...alert('a1', 100), severity: 'critical' }],
      recent: [alert('a2', 200), { ...alert('a1', 100), severity: 'critical' }, alert('a0', 50, 60, 'host_memory')],
    }
    const store = await connected()
    expect(store.unacknowledgedCount).toBe(2)
    expect(store.worstSeverity).toBe('critical')
    emit({ type: 'system_alert', data: { ...alert('a1', 100), severity: 'critical', acknowledged_at: 300 } })
    // Still active, same place in both lists, but no longer new.
    expect(store.active.map((a) => [a.id, a.acknowledged_at])).toEqual([['a2', null], ['a1', 300]])
    expect(store.recent.map((a) => [a.id, a.acknowledged_at])).toEqual([['a2', null], ['a1', 300], ['a0', null]])
    expect(store.activeCount).toBe(2)
    expect(store.unacknowledgedCount).toBe(1)
    expect(store.worstSeverity).toBe('warning')
    emit({ type: 'system_alert', data: { ...alert('a2', 200), acknowledged_at: 310 } })
    expect(store.unacknowledgedCount).toBe(0)
    expect(store.worstSeverity).toBeNull()
    // An acknowledged alert still clears as before.
    emit({ type: 'system_alert', data: { ...alert('a1', 100, 400), severity: 'critical', acknowledged_at: 300 } })
    expect(store.active.map((a) => a.id)).toEqual(['a2'])
    expect(store.recent[0]).toMatchObject({ id: 'a1', cleared_at: 400, acknowledged_at: 300 })
  })

  it('acknowledges at once and then applies the server answer', async () => {
    const store = await connected()
    let resolve!: (a: Alert) => void
    fake.api.acknowledgeAlert.mockImplementationOnce(() => new Promise<Alert>((r) => (resolve = r)))
    const done = store.acknowledge('a1')
    expect(fake.api.acknowledgeAlert).toHaveBeenCalledWith('a1')
    expect(store.active[0].acknowledged_at).not.toBeNull()
    expect(store.acknowledging).toEqual(['a1'])
    expect(store.unacknowledgedCount).toBe(0)
    resolve({ ...alert('a1', 100), acknowledged_at: 123 })
    await done
    expect(store.active.map((a) => [a.id, a.acknowledged_at])).toEqual([['a1', 123]])
    expect(store.recent[0]).toMatchObject({ id: 'a1', acknowledged_at: 123 })
    expect(store.acknowledging).toEqual([])
    // Already acknowledged: nothing more to send.
    await store.acknowledge('a1')
    expect(fake.api.acknowledgeAlert).toHaveBeenCalledTimes(1)
  })

  it('does not bring back an alert that cleared while its acknowledgement was on its way', async () => {
    const store = await connected()
    let resolve!: (a: Alert) => void
    fake.api.acknowledgeAlert.mockImplementationOnce(() => new Promise<Alert>((r) => (resolve = r)))
    const done = store.acknowledge('a1')
    emit({ type: 'system_alert', data: { ...alert('a1', 100, 140), acknowledged_at: 120 } })
    resolve({ ...alert('a1', 100), acknowledged_at: 120 })
    await done
    expect(store.active).toEqual([])
    expect(store.recent[0]).toMatchObject({ id: 'a1', cleared_at: 140 })
  })

  it('puts a failed acknowledgement back and keeps why; a gone alert reloads the lists', async () => {
    const store = await connected()
    fake.api.acknowledgeAlert.mockRejectedValueOnce(new ApiError('network_error', 'down'))
    await store.acknowledge('a1')
    expect(store.active[0]).toMatchObject({ id: 'a1', acknowledged_at: null })
    expect(store.unacknowledgedCount).toBe(1)
    expect(store.acknowledgeErrors.a1?.code).toBe('network_error')
    // Trying again forgets the old error.
    await store.acknowledge('a1')
    expect(store.acknowledgeErrors).toEqual({})
    expect(store.active[0].acknowledged_at).toBe(150)

    emit({ type: 'system_alert', data: alert('a3', 300, null, 'disk_space') })
    list = { active: [alert('a1', 100)], recent: [alert('a3', 300, 320, 'disk_space'), alert('a1', 100)] }
    fake.api.acknowledgeAlert.mockRejectedValueOnce(new ApiError('alert_not_found', 'No active alert a3.', 404))
    await store.acknowledge('a3')
    await vi.waitFor(() => expect(fake.api.listAlerts).toHaveBeenCalledTimes(2))
    await vi.waitFor(() => expect(store.active.map((a) => a.id)).toEqual(['a1']))
    expect(store.acknowledgeErrors).toEqual({})
  })

  it('does not toast an acknowledged alert, and drops the toast of one acknowledged elsewhere', () => {
    const store = useAlertsStore()
    store.apply(alert('a7', 700))
    expect(store.toasts.map((a) => a.id)).toEqual(['a7'])
    store.apply({ ...alert('a7', 700), acknowledged_at: 710 })
    expect(store.toasts).toEqual([])
    store.apply({ ...alert('a8', 800), acknowledged_at: 810 })
    expect(store.toasts).toEqual([])
    store.dismissToast('a7')
  })

  it('keeps the load error for a retry', async () => {
    fake.api.listAlerts.mockRejectedValueOnce(new ApiError('network_error', 'down'))
    const store = useAlertsStore()
    await store.refresh()
    expect(store.error?.code).toBe('network_error')
    await store.refresh()
    expect(store.error).toBeNull()
    expect(store.loaded).toBe(true)
  })

  it('saves rules and reports a server rejection', async () => {
    const store = useAlertsStore()
    const rules = { ...defaultRules(), instance_failed: false }
    expect(await store.saveRules(rules)).toBe(true)
    expect(fake.api.setAlertRules).toHaveBeenCalledWith(rules)
    expect(store.rules).toEqual(rules)
    fake.api.setAlertRules.mockRejectedValueOnce(new ApiError('alert_rules_invalid', 'Clear must be below raise.', 400))
    expect(await store.saveRules(rules)).toBe(false)
    expect(store.rulesSaveError?.code).toBe('alert_rules_invalid')
    expect(store.rulesSaving).toBe(false)
  })
})
