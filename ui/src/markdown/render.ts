import { Marked, type Token, type Tokens } from 'marked'
import { codeBlockHtml } from './codeBlock'
import { escapeHtml } from './escape'
import { sanitizeHtml } from './sanitize'

export interface RenderOptions {
  /** Text of each code block's copy button (localised by the caller). */
  copyLabel?: string
}

// marked renders synchronously, so the label of the call in progress can live here
// instead of rebuilding the Marked instance for each language.
let copyLabel = 'Copy'

const BR_TAG = /^<br\s*\/?>$/i

// A private instance: the global `marked` may be configured by other code.
const marked = new Marked({
  gfm: true,
  // Models write single newlines meaning line breaks.
  breaks: true,
  async: false,
  renderer: {
    code: ({ text, lang }: Tokens.Code) => codeBlockHtml(text, lang, copyLabel),
    // Raw HTML from the model is shown as text, never parsed. `<br>` alone is kept:
    // models often use it for line breaks inside table cells.
    html: ({ text, block }: Tokens.HTML | Tokens.Tag) => {
      if (BR_TAG.test(text.trim())) return '<br>'
      return block ? `<p class="raw-html">${escapeHtml(text.trim())}</p>` : escapeHtml(text)
    },
    // No remote loads chosen by the model: an image becomes its alt text.
    image: ({ text }: Tokens.Image) => escapeHtml(text),
    // The sanitiser allows no <input>: show task-list boxes as characters.
    checkbox: ({ checked }: Tokens.Checkbox) => `<span class="task-box">${checked ? '☑' : '☐'}</span> `,
  },
})

// Sanitised HTML of recent top-level blocks, keyed by their source. While an answer
// streams only its last block changes, so each frame parses and sanitises just that
// block instead of the whole answer (DOMPurify dominates the cost: it builds a DOM).
// Concatenating sanitised fragments is safe: each is a complete, well-formed fragment.
const BLOCK_CACHE_SIZE = 500
const blockCache = new Map<string, string>()

function cachedBlock(key: string, render: () => string): string {
  let html = blockCache.get(key)
  if (html === undefined) {
    html = render()
    if (blockCache.size >= BLOCK_CACHE_SIZE) blockCache.delete(blockCache.keys().next().value as string)
  } else {
    blockCache.delete(key) // re-inserted below: least recently used goes first
  }
  blockCache.set(key, html)
  return html
}

// The token list of the last source lexed. An answer that streams only grows at its end, so
// the blocks before the last two cannot change: only the tail is lexed again. That keeps each
// frame's work proportional to the new text, not to the whole answer.
const TAIL_BLOCKS = 2
let lastLex: { source: string; tokens: Token[] } = { source: '', tokens: [] }

function lex(source: string): Token[] {
  const previous = lastLex
  let tokens: Token[] | null = null
  if (previous.tokens.length > TAIL_BLOCKS && source.startsWith(previous.source)) {
    const kept = previous.tokens.slice(0, previous.tokens.length - TAIL_BLOCKS)
    const offset = kept.reduce((n, t) => n + t.raw.length, 0)
    const tail = marked.lexer(source.slice(offset))
    // Reference definitions resolve across the whole text: those need a full pass.
    if (Object.keys(tail.links).length === 0 && source.slice(0, offset) === kept.map((t) => t.raw).join('')) {
      tokens = kept.concat(tail)
    }
  }
  if (!tokens) {
    const full = marked.lexer(source)
    if (Object.keys(full.links).length > 0) {
      lastLex = { source: '', tokens: [] }
      return full
    }
    tokens = [...full]
  }
  lastLex = { source, tokens }
  return tokens
}

/**
 * Markdown (GFM) to sanitised HTML, one string per top-level block, each safe for v-html on
 * its own. A streaming answer changes only its last block, so a view that renders blocks
 * separately patches only that one.
 */
export function renderMarkdownBlocks(source: string, options: RenderOptions = {}): string[] {
  copyLabel = options.copyLabel ?? 'Copy'
  const tokens = lex(source)
  // Reference links resolve at lex time against definitions anywhere in the source,
  // so a block's output also depends on them.
  const links = (tokens as Token[] & { links?: Record<string, unknown> }).links
  const defs = links && Object.keys(links).length ? JSON.stringify(links) : ''
  const blocks: string[] = []
  for (const token of tokens) {
    if (token.type === 'space' || token.type === 'def') continue
    const key = `${copyLabel}\u0000${defs}\u0000${token.type}\u0000${token.raw}`
    blocks.push(cachedBlock(key, () => sanitizeHtml(marked.parser([token]))))
  }
  return blocks
}

/** Markdown (GFM) to sanitised HTML, safe for v-html. */
export function renderMarkdown(source: string, options: RenderOptions = {}): string {
  return renderMarkdownBlocks(source, options).join('')
}
