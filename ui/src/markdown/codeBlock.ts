import { escapeHtml } from './escape'
import { highlightCode } from './highlight'

/**
 * The language named by a fence's info string, reduced to characters that are safe
 * in a class name ("c++" and "c#" keep their symbols). Empty when none is given.
 */
export function fenceLanguage(info: string | undefined): string {
  const word = (info ?? '').trim().split(/\s+/)[0] ?? ''
  return word.toLowerCase().replace(/[^a-z0-9_+#.-]/g, '').slice(0, 32)
}

/**
 * A fenced code block with a header row (language + copy button). The button only
 * carries `data-copy-code`: MarkdownView handles clicks by delegation, so rendered
 * HTML needs no inline handlers (which the sanitiser would strip anyway).
 */
export function codeBlockHtml(code: string, info: string | undefined, copyLabel: string): string {
  const lang = fenceLanguage(info)
  const name = escapeHtml(lang || 'text')
  return (
    '<div class="code-block"><div class="code-head">' +
    `<span class="code-lang">${name}</span>` +
    `<button type="button" class="code-copy" data-copy-code>${escapeHtml(copyLabel)}</button>` +
    `</div><pre><code class="hljs language-${name}">${highlightCode(code, lang)}</code></pre></div>`
  )
}
