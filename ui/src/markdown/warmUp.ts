import { highlightCode, highlightLanguages } from './highlight'
import { renderMarkdown } from './render'

/**
 * The first answer would otherwise pay for compiling the parser, the sanitiser and each
 * language's grammar (about 60 ms in one go, a visible hitch as it starts to stream). Do it
 * while the page is idle, one piece per idle period.
 */
export function warmUpMarkdown(): () => void {
  const steps: Array<() => void> = [
    () => renderMarkdown('# Warm\n\nA **short** list:\n\n- one\n- `two`\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n[link](https://example.com)'),
    ...highlightLanguages().map((lang) => () => void highlightCode('let x = 1 // warm', lang)),
  ]
  const idle: (cb: () => void) => number =
    typeof requestIdleCallback === 'function' ? (cb) => requestIdleCallback(cb) : (cb) => window.setTimeout(cb, 50)
  const cancelIdle: (id: number) => void =
    typeof cancelIdleCallback === 'function' ? cancelIdleCallback : (id) => window.clearTimeout(id)
  let handle = 0
  let cancelled = false
  const next = (): void => {
    const step = steps.shift()
    if (!step || cancelled) return
    step()
    handle = idle(next)
  }
  handle = idle(next)
  return () => {
    cancelled = true
    cancelIdle(handle)
  }
}
