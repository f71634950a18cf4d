import type { Caller } from '../generated/Caller'
import type { Scope } from '../generated/Scope'
import type { MessageKey } from '../i18n/en'

/** The scopes, weakest first: each one includes those before it. */
export const SCOPES: readonly Scope[] = ['read', 'operate', 'admin']

/** Whether a caller with scope `have` may do what needs `need`. */
export function scopeIncludes(have: Scope, need: Scope): boolean {
  return SCOPES.indexOf(have) >= SCOPES.indexOf(need)
}

/** A message to show, translated when shown (so it follows the language). */
export interface Message {
  key: MessageKey
  params?: Record<string, string | number>
}

/** Who the caller is, in words: this machine, a key by its name, or the server token. */
export function callerMessage(caller: Caller): Message {
  if (caller.via === 'local') return { key: 'access.who.local' }
  if (caller.key_name !== null) return { key: 'access.who.key', params: { name: caller.key_name } }
  return { key: 'access.who.token' }
}

/**
 * An SVG document as a `data:` URL for an `<img>`: the image cannot run scripts or touch the
 * page, unlike SVG markup put into the DOM. UTF-8, then base64.
 */
export function svgDataUrl(svg: string): string {
  const bytes = new TextEncoder().encode(svg)
  let binary = ''
  // In slices: String.fromCharCode takes its bytes as arguments, and arguments are limited.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return `data:image/svg+xml;base64,${btoa(binary)}`
}

/** A time from the server as a number of ms: `bigint` in the generated types, a number in JSON. */
export function toMs(value: bigint | number | null): number | null {
  return value === null ? null : Number(value)
}
