import { HttpApi } from './http'
import { TauriApi } from './tauri'
import type { LlmopsApi } from './types'

export { ApiError, NETWORK_ERROR, toApiError } from './errors'
export type { ChatHandle, ConnectionState, ExportResult, LlmopsApi } from './types'

/** True inside the desktop app (Tauri injects its IPC bridge before the page loads). */
export function isTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window
}

let current: LlmopsApi | null = null

/** The API for this page: Tauri commands in the desktop app, HTTP + WebSocket in a browser. */
export function getApi(): LlmopsApi {
  if (!current) current = isTauri() ? new TauriApi() : new HttpApi()
  return current
}

/** Replaces the API (tests, storybooks). */
export function setApi(api: LlmopsApi | null): void {
  current = api
}
