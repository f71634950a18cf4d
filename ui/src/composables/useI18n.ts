import { ref } from 'vue'
import { preferences } from '../api/preferences'
import { en, type MessageKey } from '../i18n/en'
import { asLocale, browserLanguages, initialLocale, type Locale } from '../i18n/detect'
import { zh } from '../i18n/zh'
import { errorText as translatedError } from '../lib/errorText'

export type { Locale }

const STORAGE_KEY = 'llmops.locale'
const dictionaries: Record<Locale, Record<MessageKey, string>> = { en, zh }

function readStoredLocale(): string | null {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null
  } catch {
    return null // storage unavailable (private mode, tests)
  }
}

// A saved choice wins; until the user picks one, the browser's language decides.
const locale = ref<Locale>(initialLocale(readStoredLocale(), browserLanguages()))

function applyDocumentLang(l: Locale): void {
  if (typeof document !== 'undefined') document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en'
}
applyDocumentLang(locale.value)

export function setLocale(l: Locale): void {
  locale.value = l
  applyDocumentLang(l)
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, l)
  } catch {
    // the first-paint cache is optional
  }
  void preferences().save(STORAGE_KEY, l).catch(() => {})
}

/** Applies the saved language once the preferences store answers (the desktop app's file). */
export async function restoreLocale(): Promise<void> {
  try {
    const saved = asLocale(await preferences().load(STORAGE_KEY))
    if (saved && saved !== locale.value) setLocale(saved)
  } catch {
    // keep the first guess
  }
}

/** Looks up `key` in the current language and fills `{name}` placeholders from `params`. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const template = dictionaries[locale.value][key] ?? en[key]
  if (!params) return template
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m))
}

/**
 * A failure in the UI's language (`errors.<code>` with its params), or the server's own sentence
 * where there is no translation; see `lib/errorText`.
 */
export function errorText(err: unknown): string {
  return translatedError(err, t)
}

export function useI18n() {
  return {
    locale,
    t,
    errorText,
    setLocale,
    toggleLocale: () => setLocale(locale.value === 'en' ? 'zh' : 'en'),
  }
}
