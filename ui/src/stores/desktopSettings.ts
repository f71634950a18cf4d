import { defineStore } from 'pinia'
import { ref } from 'vue'
import { ApiError, getApi, isTauri, toApiError } from '../api'
import type { DesktopSettings } from '../generated/DesktopSettings'

/**
 * How the desktop app behaves (close to tray, notifications, start at login, models started with
 * it), kept by the core. Only the desktop app has them: in a browser `available` is false and
 * nothing is asked. The alerts store reads `notifications` before showing a desktop notification.
 */
export const useDesktopSettingsStore = defineStore('desktopSettings', () => {
  const available = isTauri()
  const settings = ref<DesktopSettings | null>(null)
  const loading = ref(false)
  const loadError = ref<ApiError | null>(null)
  const saving = ref(false)
  const saveError = ref<ApiError | null>(null)

  async function load(): Promise<void> {
    if (!available || loading.value) return
    loading.value = true
    loadError.value = null
    try {
      settings.value = await getApi().getDesktopSettings()
    } catch (err) {
      loadError.value = toApiError(err)
    } finally {
      loading.value = false
    }
  }

  /** Saves a change at once (each control applies when changed); keeps the old value on failure. */
  async function save(change: Partial<DesktopSettings>): Promise<boolean> {
    if (!settings.value) return false
    saving.value = true
    saveError.value = null
    try {
      settings.value = await getApi().setDesktopSettings({ ...settings.value, ...change })
      return true
    } catch (err) {
      saveError.value = toApiError(err)
      return false
    } finally {
      saving.value = false
    }
  }

  /** Whether a desktop notification may be shown (loads the settings once if needed). */
  async function notificationsWanted(): Promise<boolean> {
    if (!settings.value) await load()
    return settings.value?.notifications ?? true
  }

  return { available, settings, loading, loadError, saving, saveError, load, save, notificationsWanted }
})
