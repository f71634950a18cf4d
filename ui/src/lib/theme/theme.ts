/** What the user picked: follow the system's light/dark setting, or one of them always. */
export type ThemeChoice = 'system' | 'light' | 'dark'
/** What is shown. */
export type Theme = 'light' | 'dark'

export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark']
/** The preference key, in localStorage (the first-paint cache) and the desktop app's preferences file. */
export const THEME_STORAGE_KEY = 'llmops.theme'
export const DARK_QUERY = '(prefers-color-scheme: dark)'

/** Narrows a stored value to a known choice, or null when it is missing or unknown. */
export function asThemeChoice(value: unknown): ThemeChoice | null {
  return value === 'system' || value === 'light' || value === 'dark' ? value : null
}

/** The theme to show for a choice, given whether the system currently prefers dark. */
export function resolveTheme(choice: ThemeChoice, systemPrefersDark: boolean): Theme {
  if (choice === 'system') return systemPrefersDark ? 'dark' : 'light'
  return choice
}

/** The bits of `window.matchMedia(DARK_QUERY)` the controller uses. */
export interface DarkQuery {
  readonly matches: boolean
  addEventListener(type: 'change', listener: (e: { matches: boolean }) => void): void
  removeEventListener(type: 'change', listener: (e: { matches: boolean }) => void): void
}

/** Where a choice is kept: a synchronous first-paint cache and the durable store (see `api/preferences`). */
export interface ThemeStorage {
  readCached(): string | null
  writeCached(value: string): void
  load(): Promise<string | null>
  save(value: string): Promise<void>
}

export interface ThemeState {
  choice: ThemeChoice
  systemDark: boolean
  theme: Theme
}

/**
 * Keeps the shown theme in step with the user's choice and, for "system", with the system's
 * setting as it changes. `apply` is called with every new state (and once at creation).
 * Framework-free so it can be tested without a browser; `useTheme` wraps it in Vue refs.
 */
export function createThemeController(opts: {
  storage: ThemeStorage
  query: DarkQuery | null
  apply: (state: ThemeState) => void
}) {
  const { storage, query, apply } = opts
  const state: ThemeState = {
    choice: asThemeChoice(storage.readCached()) ?? 'system',
    // Without a media query (old webviews, tests) the app's original dark look stays.
    systemDark: query ? query.matches : true,
    theme: 'dark',
  }
  const update = () => {
    state.theme = resolveTheme(state.choice, state.systemDark)
    apply({ ...state })
  }
  const onSystemChange = (e: { matches: boolean }) => {
    state.systemDark = e.matches
    update()
  }
  query?.addEventListener('change', onSystemChange)
  update()

  return {
    get state(): ThemeState {
      return { ...state }
    },
    /** The user picks a theme: shown now, and kept for the next start. */
    choose(choice: ThemeChoice): Promise<void> {
      state.choice = choice
      update()
      storage.writeCached(choice)
      return storage.save(choice).catch(() => {})
    },
    /** Applies the durable store's choice once it answers (the desktop app's file may differ from the cache). */
    async restore(): Promise<void> {
      try {
        const saved = asThemeChoice(await storage.load())
        if (saved && saved !== state.choice) {
          state.choice = saved
          update()
          storage.writeCached(saved)
        }
      } catch {
        // keep the cached choice
      }
    },
    dispose(): void {
      query?.removeEventListener('change', onSystemChange)
    },
  }
}
