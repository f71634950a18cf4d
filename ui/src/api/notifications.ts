import type { DesktopNotification } from '../generated/DesktopNotification'
import { OPERATIONS } from '../generated/operations'

/**
 * Shows a native notification in the desktop app (command `show_notification`); the window words
 * it, so it is in the user's language. A browser has the page's own toasts instead.
 */
export async function showDesktopNotification(notification: DesktopNotification): Promise<void> {
  const { invoke } = await import('@tauri-apps/api/core')
  await invoke(OPERATIONS.showNotification.name, { notification })
}
