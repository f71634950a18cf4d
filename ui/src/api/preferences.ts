import { OPERATIONS } from '../generated/operations'
import { isTauri } from './index'

/**
 * UI preferences (language, …). In the desktop app they live in `preferences.json` in llmops' data
 * dir (commands `load_preference` / `save_preference`: the window names a key, never a file),
 * which survives webview storage resets; in a browser they live in localStorage. Reads are async;
 * callers keep a synchronous first guess.
 */
export interface Preferences {
  load(key: string): Promise<string | null>
  save(key: string, value: string): Promise<void>
}

class TauriPreferences implements Preferences {
  private readonly core = import('@tauri-apps/api/core')

  async load(key: string): Promise<string | null> {
    const value = await (await this.core).invoke<string | null>(OPERATIONS.loadPreference.name, { key })
    return typeof value === 'string' ? value : null
  }

  async save(key: string, value: string): Promise<void> {
    await (await this.core).invoke(OPERATIONS.savePreference.name, { key, value })
  }
}

class BrowserPreferences implements Preferences {
  async load(key: string): Promise<string | null> {
    try {
      return globalThis.localStorage?.getItem(key) ?? null
    } catch {
      return null // storage unavailable (private mode)
    }
  }

  async save(key: string, value: string): Promise<void> {
    try {
      globalThis.localStorage?.setItem(key, value)
    } catch {
      // not persisted; the choice still applies to this page
    }
  }
}

let current: Preferences | null = null

export function preferences(): Preferences {
  if (!current) current = isTauri() ? new TauriPreferences() : new BrowserPreferences()
  return current
}
