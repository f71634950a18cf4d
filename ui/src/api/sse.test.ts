import { describe, expect, it } from 'vitest'
import { SseParser, type SseMessage } from './sse'

function feed(chunks: string[]): SseMessage[] {
  const p = new SseParser()
  const out: SseMessage[] = []
  for (const c of chunks) out.push(...p.push(c))
  out.push(...p.end())
  return out
}

/** Every way of cutting `text` into two pieces, plus one char at a time. */
function splits(text: string): string[][] {
  const ways: string[][] = [[text], text.split('')]
  for (let i = 1; i < text.length; i++) ways.push([text.slice(0, i), text.slice(i)])
  return ways
}

describe('SseParser', () => {
  it('parses simple events', () => {
    expect(feed(['data: {"a":1}\n\ndata: two\n\n'])).toEqual([
      { event: 'message', data: '{"a":1}' },
      { event: 'message', data: 'two' },
    ])
  })

  it('gives the same events however the stream is split', () => {
    const text = 'event: chunk\ndata: {"event":"delta","content":"héllo"}\n\n: keep-alive\n\ndata: a\ndata: b\n\n'
    const expected: SseMessage[] = [
      { event: 'chunk', data: '{"event":"delta","content":"héllo"}' },
      { event: 'message', data: 'a\nb' },
    ]
    for (const chunks of splits(text)) expect(feed(chunks)).toEqual(expected)
  })

  it('handles CRLF and lone CR line endings, including a CRLF split across chunks', () => {
    const crlf = 'data: one\r\ndata: two\r\n\r\ndata: three\r\n\r\n'
    const expected = [
      { event: 'message', data: 'one\ntwo' },
      { event: 'message', data: 'three' },
    ]
    for (const chunks of splits(crlf)) expect(feed(chunks)).toEqual(expected)
    expect(feed(['data: x\r\rdata: y\r', '\r'])).toEqual([
      { event: 'message', data: 'x' },
      { event: 'message', data: 'y' },
    ])
  })

  it('joins multi-line data with newlines and keeps empty data lines', () => {
    expect(feed(['data: first\ndata:\ndata:  indented\n\n'])).toEqual([
      { event: 'message', data: 'first\n\n indented' },
    ])
  })

  it('ignores comments, unknown fields and events without data', () => {
    expect(feed([': hello\nretry: 100\nfoo: bar\n\nevent: ping\n\n:comment only\n\ndata: real\n\n'])).toEqual([
      { event: 'message', data: 'real' },
    ])
  })

  it('strips only one leading space, handles a field without colon and tracks ids', () => {
    expect(feed(['id: 7\ndata:no-space\ndata\n\n'])).toEqual([{ event: 'message', data: 'no-space\n', id: '7' }])
  })

  it('does not dispatch an unterminated final event and emits nothing until the blank line', () => {
    const p = new SseParser()
    expect(p.push('data: partial')).toEqual([])
    expect(p.push('\n')).toEqual([])
    expect(p.end()).toEqual([])
  })

  it('drops a leading byte order mark', () => {
    expect(feed(['\ufeffdata: x\n\n'])).toEqual([{ event: 'message', data: 'x' }])
  })
})
