import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { ChatRequest } from '../generated/ChatRequest'
import type { ChatStreamEvent } from '../generated/ChatStreamEvent'

const fake = vi.hoisted(() => ({ api: {} as Record<string, ReturnType<typeof import('vitest').vi.fn>> }))

vi.mock('../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../api')>()
  return { ...actual, getApi: () => fake.api }
})

import { ApiError } from '../api'
import { useChatStore } from './chat'

/** A fake stream whose events the test pushes one at a time. */
function controllableStream() {
  let emit!: (e: ChatStreamEvent) => void
  let requested: ChatRequest | undefined
  const cancel = vi.fn(async () => {})
  fake.api.chatStream = vi.fn(async (req: ChatRequest, onEvent: (e: ChatStreamEvent) => void) => {
    requested = req
    emit = onEvent
    return { cancel, done: new Promise<void>(() => {}) }
  })
  return { emit: (e: ChatStreamEvent) => emit(e), cancel, request: () => requested }
}

beforeEach(() => {
  setActivePinia(createPinia())
  fake.api = {}
})

describe('chat store', () => {
  it('goes idle → waiting → streaming → idle and keeps every delta', async () => {
    const stream = controllableStream()
    const chat = useChatStore()
    chat.selectInstance('i1')
    expect(chat.status).toBe('idle')

    const sent = chat.send('Hello')
    expect(chat.status).toBe('waiting')
    await sent
    expect(stream.request()).toEqual({ instance_id: 'i1', messages: [{ role: 'user', content: 'Hello' }] })

    stream.emit({ event: 'delta', content: 'Hi' })
    expect(chat.status).toBe('streaming')
    stream.emit({ event: 'delta', content: ' there' })
    await vi.waitFor(() => expect(chat.draft).toBe('Hi there'))
    stream.emit({ event: 'delta', content: '!' })
    // done arrives before the next frame: the pending "!" must not be lost
    stream.emit({ event: 'done', finish_reason: 'stop', usage: { prompt_tokens: 5, completion_tokens: 3, tokens_per_second: 42.5 } })

    expect(chat.status).toBe('idle')
    expect(chat.draft).toBe('')
    expect(chat.messages).toEqual([
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Hi there!' },
    ])
    expect(chat.usage?.tokens_per_second).toBe(42.5)
    expect(chat.error).toBeNull()
  })

  it('sends the whole conversation on the next turn', async () => {
    const stream = controllableStream()
    const chat = useChatStore()
    chat.selectInstance('i1')
    await chat.send('one')
    stream.emit({ event: 'delta', content: 'two' })
    stream.emit({ event: 'done', finish_reason: null, usage: null })
    await chat.send('three')
    expect(stream.request()?.messages.map((m) => m.content)).toEqual(['one', 'two', 'three'])
  })

  it('ends in error (keeping partial text) on an error event', async () => {
    const stream = controllableStream()
    const chat = useChatStore()
    chat.selectInstance('i1')
    await chat.send('Hello')
    stream.emit({ event: 'delta', content: 'Partial' })
    stream.emit({ event: 'error', error: { code: 'upstream_failed', message: 'The model stopped answering.' } })
    expect(chat.status).toBe('error')
    expect(chat.error).toBeInstanceOf(ApiError)
    expect(chat.error).toMatchObject({ code: 'upstream_failed', message: 'The model stopped answering.' })
    expect(chat.messages[chat.messages.length - 1]).toEqual({ role: 'assistant', content: 'Partial' })
    expect(chat.busy).toBe(false)
  })

  it('ends in error when the stream cannot start', async () => {
    fake.api.chatStream = vi.fn(async () => {
      throw new ApiError('instance_not_running', 'The instance is not running.')
    })
    const chat = useChatStore()
    chat.selectInstance('i1')
    await chat.send('Hello')
    expect(chat.status).toBe('error')
    expect(chat.error?.code).toBe('instance_not_running')
    expect(chat.messages).toEqual([{ role: 'user', content: 'Hello' }])
  })

  it('stop cancels the stream, keeps the partial answer and ignores later events', async () => {
    const stream = controllableStream()
    const chat = useChatStore()
    chat.selectInstance('i1')
    await chat.send('Hello')
    stream.emit({ event: 'delta', content: 'Par' })
    await chat.stop()
    expect(stream.cancel).toHaveBeenCalledOnce()
    expect(chat.status).toBe('idle')
    expect(chat.messages[chat.messages.length - 1]).toEqual({ role: 'assistant', content: 'Par' })
    stream.emit({ event: 'delta', content: 'tial' })
    stream.emit({ event: 'done', finish_reason: 'stop', usage: null })
    expect(chat.messages[chat.messages.length - 1]).toEqual({ role: 'assistant', content: 'Par' })
  })

  it('new chat clears the conversation', async () => {
    const stream = controllableStream()
    const chat = useChatStore()
    chat.selectInstance('i1')
    await chat.send('Hello')
    stream.emit({ event: 'delta', content: 'x' })
    await chat.newChat()
    expect(chat.messages).toEqual([])
    expect(chat.status).toBe('idle')
    expect(stream.cancel).toHaveBeenCalled()
  })
})
