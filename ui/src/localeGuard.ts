/**
 * Some environments report a POSIX locale such as "C" as the browser language (WebKitGTK started
 * with LANG unset or LANG=C). That is not a valid BCP 47 tag, and libraries that format numbers at
 * load time (uPlot) would throw `RangeError: invalid language tag` and leave a blank window.
 * Imported first by main.ts, so it runs before any other module.
 */
function isValidTag(tag: string | undefined): boolean {
  if (!tag) return false
  try {
    new Intl.NumberFormat(tag)
    return true
  } catch {
    return false
  }
}

if (typeof navigator !== 'undefined' && !isValidTag(navigator.language)) {
  const valid = (navigator.languages ?? []).filter(isValidTag)
  const language = valid[0] ?? 'en-US'
  Object.defineProperty(navigator, 'language', { value: language, configurable: true })
  Object.defineProperty(navigator, 'languages', { value: valid.length ? valid : [language], configurable: true })
}

export {}
