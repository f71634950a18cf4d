import DOMPurify, { type Config, type DOMPurify as Purifier } from 'dompurify'

// Only what the markdown renderer itself emits. No style (CSS can exfiltrate and
// overlay the UI), no img/iframe/forms/svg/math, no id/name (DOM clobbering).
const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'strong', 'em', 'del', 's', 'code', 'pre', 'blockquote',
  'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
  'a', 'span', 'div', 'button',
]
const ALLOWED_ATTR = ['href', 'title', 'class', 'align', 'start', 'type', 'target', 'rel', 'data-copy-code']

const CONFIG: Config = {
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  // Links must point outside the app: a relative URL would navigate the app's own
  // window, and javascript:/data:/vbscript: would run or load attacker content.
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  // DOMPurify tests every attribute not marked URI-safe against the regexp above;
  // these never hold URLs, so exempt them (href stays the only URL attribute).
  ADD_URI_SAFE_ATTR: ['align', 'start', 'type', 'data-copy-code'],
}

const SAFE_HREF = /^(?:https?:\/\/|mailto:)/i

let instance: Purifier | undefined

/** A private DOMPurify instance, so these hooks never affect other callers. Created on
 *  first use because it needs `window`, which does not exist when tests import this in node. */
function purifier(): Purifier {
  if (instance) return instance
  const p = DOMPurify(window)
  // An image would make the app fetch a URL the model chose (tracking, LAN probing):
  // keep its alt text instead.
  p.addHook('uponSanitizeElement', (node, event) => {
    if (event.tagName !== 'img' || !(node instanceof Element)) return
    node.replaceWith(node.ownerDocument.createTextNode(node.getAttribute('alt') ?? ''))
  })
  p.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName !== 'A') return
    // Belt and braces beside ALLOWED_URI_REGEXP: whitespace/control chars are stripped
    // by browsers before the scheme is read, so check the trimmed value too.
    const href = (node.getAttribute('href') ?? '').replace(/[\u0000-\u0020]/g, '')
    if (!SAFE_HREF.test(href)) node.removeAttribute('href')
    node.setAttribute('target', '_blank')
    node.setAttribute('rel', 'noopener noreferrer nofollow')
  })
  instance = p
  return p
}

/** Removes everything outside the whitelist from `html`. */
export function sanitizeHtml(html: string): string {
  return purifier().sanitize(html, CONFIG)
}
