// The core build plus a hand-picked set of languages: the full highlight.js bundle
// registers ~190 languages (~1 MB), far more than chat answers need.
import hljs from 'highlight.js/lib/core'
import bash from 'highlight.js/lib/languages/bash'
import c from 'highlight.js/lib/languages/c'
import cpp from 'highlight.js/lib/languages/cpp'
import css from 'highlight.js/lib/languages/css'
import go from 'highlight.js/lib/languages/go'
import java from 'highlight.js/lib/languages/java'
import javascript from 'highlight.js/lib/languages/javascript'
import json from 'highlight.js/lib/languages/json'
import markdown from 'highlight.js/lib/languages/markdown'
import python from 'highlight.js/lib/languages/python'
import rust from 'highlight.js/lib/languages/rust'
import shell from 'highlight.js/lib/languages/shell'
import sql from 'highlight.js/lib/languages/sql'
import typescript from 'highlight.js/lib/languages/typescript'
import xml from 'highlight.js/lib/languages/xml'
import yaml from 'highlight.js/lib/languages/yaml'
import { escapeHtml } from './escape'

const languages = { bash, c, cpp, css, go, java, javascript, json, markdown, python, rust, shell, sql, typescript, xml, yaml }
for (const [name, fn] of Object.entries(languages)) hljs.registerLanguage(name, fn)

/** The languages highlighted (their grammars compile on first use). */
export function highlightLanguages(): string[] {
  return Object.keys(languages)
}

/**
 * Highlighted HTML for `code` (highlight.js escapes what it emits). An unknown or
 * missing language gives escaped plain text: auto-detection runs every grammar over
 * the block, too slow to repeat on each streamed token.
 */
export function highlightCode(code: string, lang: string): string {
  if (lang && hljs.getLanguage(lang)) {
    // ignoreIllegals: half-streamed or slightly wrong code still gets colours.
    return hljs.highlight(code, { language: lang, ignoreIllegals: true }).value
  }
  return escapeHtml(code)
}
