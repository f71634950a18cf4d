/** One dispatched Server-Sent Event. */
export interface SseMessage {
  /** The `event:` field, `message` when absent. */
  event: string
  /** All `data:` lines of the event joined with `\n`. */
  data: string
  /** The last `id:` seen, if any. */
  id?: string
}

/**
 * Incremental parser for `text/event-stream` (WHATWG HTML, "Server-sent events").
 * Feed decoded text in chunks split anywhere; lines may end in LF, CRLF or CR.
 * Comments (lines starting with `:`) and unknown fields are ignored.
 */
export class SseParser {
  private buffer = ''
  /** The previous chunk ended with CR: a LF at the start of the next one belongs to it. */
  private skipLeadingLf = false
  private atStreamStart = true
  private data: string[] = []
  private eventType = ''
  private lastId: string | undefined

  /** Parses a chunk and returns the events it completed. */
  push(chunk: string): SseMessage[] {
    if (this.atStreamStart && chunk.length > 0) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1)
      this.atStreamStart = false
    }
    if (this.skipLeadingLf && chunk.length > 0) {
      if (chunk[0] === '\n') chunk = chunk.slice(1)
      this.skipLeadingLf = false
    }
    this.buffer += chunk
    const out: SseMessage[] = []
    let start = 0
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer[i]
      if (c !== '\n' && c !== '\r') continue
      this.processLine(this.buffer.slice(start, i), out)
      if (c === '\r') {
        if (i + 1 < this.buffer.length) {
          if (this.buffer[i + 1] === '\n') i++
        } else {
          this.skipLeadingLf = true
        }
      }
      start = i + 1
    }
    this.buffer = this.buffer.slice(start)
    return out
  }

  /**
   * Call at the end of the stream. Per the spec, an event not terminated by a blank line is
   * discarded; a final unterminated line is still processed for its fields.
   */
  end(): SseMessage[] {
    const out: SseMessage[] = []
    if (this.buffer.length > 0) this.processLine(this.buffer, out)
    this.buffer = ''
    this.data = []
    this.eventType = ''
    return out
  }

  private processLine(line: string, out: SseMessage[]): void {
    if (line === '') {
      this.dispatch(out)
      return
    }
    if (line[0] === ':') return
    const colon = line.indexOf(':')
    let field: string
    let value: string
    if (colon === -1) {
      field = line
      value = ''
    } else {
      field = line.slice(0, colon)
      value = line.slice(colon + 1)
      if (value[0] === ' ') value = value.slice(1)
    }
    switch (field) {
      case 'data':
        this.data.push(value)
        break
      case 'event':
        this.eventType = value
        break
      case 'id':
        if (!value.includes('\0')) this.lastId = value
        break
      default:
        // `retry` and unknown fields do not matter here
        break
    }
  }

  private dispatch(out: SseMessage[]): void {
    if (this.data.length > 0) {
      const msg: SseMessage = { event: this.eventType || 'message', data: this.data.join('\n') }
      if (this.lastId !== undefined) msg.id = this.lastId
      out.push(msg)
    }
    this.data = []
    this.eventType = ''
  }
}
