import { isTauri } from './index'

/**
 * UI preferences (language, …). In the desktop app they live in a JSON file kept by
 * tauri-plugin-store in the app's data dir, which survives webview storage resets; in a browser
 * they live in localStorage. Reads are async; callers keep a synchronous first guess.
 */
export interface Preferences {
  load(key: string): Promise<string | null>
  save(key: string, value: string): Promise<void>
}

const FILE = 'preferences.json'

class TauriPreferences implements Preferences {
  private store = import('@tauri-apps/plugin-store').then(({ load }) => load(FILE, { autoSave: true, defaults: {} }))

  async load(key: string): Promise<string | null> {
    const value = await (await this.store).get<string>(key)
    return typeof value === 'string' ? value : null
  }

  async save(key: string, value: string): Promise<void> {
    await (await this.store).set(key, value)
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
