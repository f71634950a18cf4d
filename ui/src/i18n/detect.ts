export type Locale = 'en' | 'zh'

/** Narrows a stored value to a known language, or null when it is missing or unknown. */
export function asLocale(value: unknown): Locale | null {
  return value === 'en' || value === 'zh' ? value : null
}

/**
 * The language to start in. A saved choice always wins; without one, the first browser language
 * the UI speaks decides (`zh`, `zh-CN`, `zh-Hans`, `zh-TW`… → 中文, `en-*` → English); none: English.
 */
export function initialLocale(saved: unknown, languages: readonly (string | null | undefined)[]): Locale {
  const chosen = asLocale(saved)
  if (chosen) return chosen
  for (const tag of languages) {
    const primary = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0]
    if (primary === 'zh') return 'zh'
    if (primary === 'en') return 'en'
  }
  return 'en'
}

/** The browser's preferred languages, most preferred first (empty outside a browser). */
export function browserLanguages(): string[] {
  if (typeof navigator === 'undefined') return []
  const list = Array.isArray(navigator.languages) ? [...navigator.languages] : []
  return list.length ? list : navigator.language ? [navigator.language] : []
}
