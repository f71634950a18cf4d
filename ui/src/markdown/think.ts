export interface ThinkSplit {
  /** Text of the leading <think> blocks, trimmed. */
  reasoning: string
  /** Everything after them: the text to render as the answer. */
  answer: string
  /** A <think> is still open: the model is streaming its reasoning. */
  thinkingOpen: boolean
}

const OPEN = /^\s*<think>/i
const CLOSE = /<\/think>/i
const OPEN_TAG = '<think>'
const CLOSE_TAG = '</think>'

/** Length of the longest suffix of `text` that is a proper prefix of `tag`: a tag cut
 *  mid-stream ("<thi") must not flash in the output. */
function partialTagAtEnd(text: string, tag: string): number {
  const lower = text.toLowerCase()
  for (let n = Math.min(tag.length - 1, lower.length); n > 0; n--) {
    if (lower.endsWith(tag.slice(0, n))) return n
  }
  return 0
}

/**
 * Separates reasoning-model output (`<think>…</think>answer`) into reasoning and answer.
 * Only think blocks at the very start count (a <think> later on is the model talking
 * about the tag); consecutive leading blocks are joined. An unclosed <think> means the
 * reasoning is still streaming: all text after it is reasoning.
 */
export function splitThinking(text: string): ThinkSplit {
  const parts: string[] = []
  let rest = text
  for (let open = OPEN.exec(rest); open; open = OPEN.exec(rest)) {
    rest = rest.slice(open[0].length)
    const close = CLOSE.exec(rest)
    if (!close) {
      const body = rest.slice(0, rest.length - partialTagAtEnd(rest, CLOSE_TAG))
      parts.push(body.trim())
      return { reasoning: parts.filter(Boolean).join('\n\n'), answer: '', thinkingOpen: true }
    }
    parts.push(rest.slice(0, close.index).trim())
    rest = rest.slice(close.index + close[0].length)
  }
  // The stream has so far sent only the start of an opening tag.
  const trimmed = rest.trimStart()
  if (trimmed && partialTagAtEnd(trimmed, OPEN_TAG) === trimmed.length) rest = ''
  return {
    reasoning: parts.filter(Boolean).join('\n\n'),
    answer: parts.length ? rest.trimStart() : rest,
    thinkingOpen: false,
  }
}
