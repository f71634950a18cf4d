/** A piece of a search snippet: plain text, or a matched term to highlight. */
export interface SnippetPart {
  text: string
  mark: boolean
}

const START = '\u0002'
const END = '\u0003'

/**
 * Splits a search snippet whose matched terms are wrapped in U+0002 … U+0003 into parts, to
 * render as text nodes (never as HTML). Unbalanced markers are tolerated; empty parts dropped.
 */
export function splitSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = []
  let mark = false
  let text = ''
  const push = () => {
    if (!text) return
    const last = parts[parts.length - 1]
    if (last && last.mark === mark) last.text += text
    else parts.push({ text, mark })
    text = ''
  }
  for (const ch of snippet) {
    if (ch === START || ch === END) {
      push()
      mark = ch === START
    } else {
      text += ch
    }
  }
  push()
  return parts
}
