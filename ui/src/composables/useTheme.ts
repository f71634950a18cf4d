import { readonly, ref } from 'vue'
import { preferences } from '../api/preferences'
import {
  createThemeController, DARK_QUERY, THEME_STORAGE_KEY, type DarkQuery, type Theme, type ThemeChoice, type ThemeState,
} from '../lib/theme/theme'

export type { Theme, ThemeChoice }

const choice = ref<ThemeChoice>('system')
const theme = ref<Theme>('dark')

function applyToDocument(state: ThemeState): void {
  choice.value = state.choice
  theme.value = state.theme
  if (typeof document === 'undefined') return
  const root = document.documentElement
  root.dataset.theme = state.theme
  root.style.colorScheme = state.theme
}

function darkQuery(): DarkQuery | null {
  try {
    return typeof window !== 'undefined' && typeof window.matchMedia === 'function' ? window.matchMedia(DARK_QUERY) : null
  } catch {
    return null
  }
}

const controller = createThemeController({
  query: darkQuery(),
  apply: applyToDocument,
  storage: {
    readCached: () => {
      try {
        return globalThis.localStorage?.getItem(THEME_STORAGE_KEY) ?? null
      } catch {
        return null // storage unavailable (private mode, tests)
      }
    },
    writeCached: (value) => {
      try {
        globalThis.localStorage?.setItem(THEME_STORAGE_KEY, value)
      } catch {
        // the first-paint cache is optional
      }
    },
    load: () => preferences().load(THEME_STORAGE_KEY),
    save: (value) => preferences().save(THEME_STORAGE_KEY, value),
  },
})

export function setThemeChoice(next: ThemeChoice): void {
  void controller.choose(next)
}

/** Applies the saved choice once the preferences store answers (the desktop app's file). */
export function restoreTheme(): Promise<void> {
  return controller.restore()
}

/**
 * The value of a colour custom property (`--text`, `--chart-grid`, …) in the theme shown now, for
 * what CSS cannot colour itself (canvas charts). Read it again when `theme` changes.
 */
export function themeColor(name: string, fallback = '#888'): string {
  if (typeof document === 'undefined') return fallback
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim()
  return value || fallback
}

/** The theme choice (System / Light / Dark) and the theme it resolves to, shared app-wide. */
export function useTheme() {
  return { choice: readonly(choice), theme: readonly(theme), setThemeChoice }
}
