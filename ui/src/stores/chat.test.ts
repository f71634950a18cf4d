import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { AnswerStats } from '../generated/AnswerStats'
import type { ChatStreamEvent } from '../generated/ChatStreamEvent'
import type { Conversation } from '../generated/Conversation'
import type { StoredMessage } from '../generated/StoredMessage'
import type { TurnRequest } from '../generated/TurnRequest'

const fake = vi.hoisted(() => ({ api: {} as Record<string, ReturnType<typeof import('vitest').vi.fn>> }))

vi.mock('../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../api')>()
  return { ...actual, getApi: () => fake.api }
})

import { ApiError } from '../api'
import { useChatStore } from './chat'
import { useConversationsStore } from './conversations'

const conversation: Conversation = {
  id: 'c1',
  title: 'New chat',
  target: { kind: 'model', model_id: 'm1' },
  target_label: 'Qwen',
  params: { stop: [] },
  pinned: false,
  created_at: 1,
  updated_at: 1,
}

let nextId = 0
function msg(role: StoredMessage['role'], content: string, extra: Partial<StoredMessage> = {}): StoredMessage {
  nextId++
  return {
    id: `${role}-${nextId}`,
    conversation_id: 'c1',
    role,
    content,
    reasoning: '',
    answers: null,
    version: 1,
    versions: 1,
    status: 'complete',
    error: null,
    stats: null,
    created_at: nextId,
    updated_at: nextId,
    ...extra,
  }
}

const stats: AnswerStats = {
  ttft_ms: 120,
  duration_ms: 900,
  tokens_per_second: 148.3,
  prompt_tokens: 12,
  completion_tokens: 85,
  counted: false,
}

/** A fake turn stream whose events the test pushes one at a time. */
function controllableTurn() {
  let emit!: (e: ChatStreamEvent) => void
  const requests: TurnRequest[] = []
  const cancel = vi.fn(async () => {})
  fake.api.chatTurn = vi.fn(async (_id: string, turn: TurnRequest, onEvent: (e: ChatStreamEvent) => void) => {
    requests.push(turn)
    emit = onEvent
    return { cancel, done: new Promise<void>(() => {}) }
  })
  return { emit: (e: ChatStreamEvent) => emit(e), cancel, requests }
}

function openWith(messages: StoredMessage[] = []) {
  const chat = useChatStore()
  chat.adopt({ conversation: { ...conversation }, messages, context: null })
  return chat
}

beforeEach(() => {
  setActivePinia(createPinia())
  fake.api = {
    getConversation: vi.fn(async () => ({ conversation: { ...conversation, title: 'Hello there', updated_at: 9 }, messages: [] })),
  }
})

describe('chat store', () => {
  it('goes idle → waiting → streaming → idle in started/delta/done order', async () => {
    const stream = controllableTurn()
    const chat = openWith()
    expect(chat.status).toBe('idle')

    const sent = chat.send('  Hello  ')
    expect(chat.status).toBe('waiting')
    // The message shows at once, before the server confirms it.
    expect(chat.messages.map((m) => [m.role, m.content])).toEqual([['user', 'Hello']])
    expect(await sent).toBe(true)
    expect(stream.requests).toEqual([{ action: 'send', content: 'Hello' }])

    const user = msg('user', 'Hello')
    const answer = msg('assistant', '', { status: 'streaming' })
    const titled = { ...conversation, title: 'Hello there', updated_at: 9 }
    stream.emit({ event: 'started', user_message: user, assistant_message: answer, conversation: titled })
    expect(chat.messages.map((m) => m.id)).toEqual([user.id, answer.id])
    // The first turn titles the conversation: started carries it, nothing is read again.
    expect(useConversationsStore().list[0]?.title).toBe('Hello there')
    expect(chat.conversation?.title).toBe('Hello there')
    expect(chat.status).toBe('waiting')
    expect(chat.streamingId).toBe(answer.id)

    stream.emit({ event: 'delta', content: 'Hi' })
    expect(chat.status).toBe('streaming')
    stream.emit({ event: 'delta', content: ' there' })
    await vi.waitFor(() => expect(chat.messages[1].content).toBe('Hi there'))
    stream.emit({ event: 'delta', content: '!' })
    // done arrives before the next frame: the pending "!" must not be lost
    stream.emit({ event: 'done', finish_reason: 'stop', usage: null, stats, conversation: { ...titled, updated_at: 10 } })

    expect(chat.status).toBe('idle')
    expect(chat.busy).toBe(false)
    expect(chat.streamingId).toBeNull()
    expect(chat.messages[1]).toMatchObject({ content: 'Hi there!', status: 'complete', stats })
    expect(chat.error).toBeNull()
    expect(chat.conversation?.updated_at).toBe(10)
    expect(useConversationsStore().list[0]?.updated_at).toBe(10)
    expect(fake.api.getConversation).not.toHaveBeenCalled()
  })

  it('never loses text when many deltas and reasoning arrive between frames', async () => {
    const stream = controllableTurn()
    const chat = openWith()
    await chat.send('Count')
    stream.emit({ event: 'started', user_message: msg('user', 'Count'), assistant_message: msg('assistant', '', { status: 'streaming' }), conversation })
    stream.emit({ event: 'reasoning', content: 'Let me ' })
    stream.emit({ event: 'reasoning', content: 'think.' })
    let expected = ''
    for (let i = 0; i < 50; i++) {
      stream.emit({ event: 'delta', content: `${i} ` })
      expected += `${i} `
      if (i === 20) await new Promise((r) => setTimeout(r, 20))
    }
    stream.emit({ event: 'done', finish_reason: 'stop', usage: null, stats })
    expect(chat.messages[1].content).toBe(expected)
    expect(chat.messages[1].reasoning).toBe('Let me think.')
  })

  it('marks an answer the server cancelled as stopped', async () => {
    const stream = controllableTurn()
    const chat = openWith()
    await chat.send('Hi')
    stream.emit({ event: 'started', user_message: msg('user', 'Hi'), assistant_message: msg('assistant', '', { status: 'streaming' }), conversation })
    stream.emit({ event: 'done', finish_reason: 'cancelled', usage: null, stats })
    expect(chat.messages[1].status).toBe('stopped')
  })

  it('stop cancels the stream, keeps the partial answer as stopped and ignores later events', async () => {
    const stream = controllableTurn()
    const chat = openWith()
    await chat.send('Hello')
    stream.emit({ event: 'started', user_message: msg('user', 'Hello'), assistant_message: msg('assistant', '', { status: 'streaming' }), conversation })
    stream.emit({ event: 'delta', content: 'Par' })
    await chat.stop()
    expect(stream.cancel).toHaveBeenCalledOnce()
    expect(chat.status).toBe('idle')
    expect(chat.messages[1]).toMatchObject({ content: 'Par', status: 'stopped' })
    stream.emit({ event: 'delta', content: 'tial' })
    stream.emit({ event: 'done', finish_reason: 'stop', usage: null, stats })
    await new Promise((r) => setTimeout(r, 20))
    expect(chat.messages[1]).toMatchObject({ content: 'Par', status: 'stopped' })
  })

  it('keeps the text and shows the error when the stream fails mid-answer', async () => {
    const stream = controllableTurn()
    const chat = openWith()
    await chat.send('Hello')
    stream.emit({ event: 'started', user_message: msg('user', 'Hello'), assistant_message: msg('assistant', '', { status: 'streaming' }), conversation })
    stream.emit({ event: 'delta', content: 'Partial' })
    const error = { code: 'upstream_failed', message: 'The model stopped answering.' }
    stream.emit({ event: 'error', error })
    expect(chat.status).toBe('error')
    expect(chat.busy).toBe(false)
    expect(chat.error).toBeInstanceOf(ApiError)
    expect(chat.error).toMatchObject(error)
    expect(chat.errorInMessage).toBe(true)
    expect(chat.messages[1]).toMatchObject({ content: 'Partial', status: 'failed', error })
  })

  it('regenerate drops the last answer and streams a new one', async () => {
    const stream = controllableTurn()
    const q = msg('user', 'Q')
    const old = msg('assistant', 'old answer')
    const chat = openWith([q, old])
    expect(chat.lastAssistantId).toBe(old.id)
    const started = chat.regenerate()
    expect(chat.messages.map((m) => m.id)).toEqual([q.id])
    await started
    expect(stream.requests).toEqual([{ action: 'regenerate' }])
    const fresh = msg('assistant', '', { status: 'streaming' })
    stream.emit({ event: 'started', user_message: null, assistant_message: fresh, conversation })
    stream.emit({ event: 'delta', content: 'new answer' })
    stream.emit({ event: 'done', finish_reason: 'stop', usage: null, stats })
    expect(chat.messages.map((m) => [m.id, m.content])).toEqual([
      [q.id, 'Q'],
      [fresh.id, 'new answer'],
    ])
  })

  it('edit replaces the message and drops everything after it', async () => {
    const stream = controllableTurn()
    const q1 = msg('user', 'first')
    const a1 = msg('assistant', 'one')
    const q2 = msg('user', 'second')
    const a2 = msg('assistant', 'two')
    const chat = openWith([q1, a1, q2, a2])
    const started = chat.edit(q1.id, 'first, edited')
    expect(chat.messages.map((m) => m.content)).toEqual(['first, edited'])
    await started
    expect(stream.requests).toEqual([{ action: 'edit', message_id: q1.id, content: 'first, edited' }])
    const answer = msg('assistant', '', { status: 'streaming' })
    stream.emit({ event: 'started', user_message: { ...q1, content: 'first, edited' }, assistant_message: answer, conversation })
    stream.emit({ event: 'delta', content: 'again' })
    stream.emit({ event: 'done', finish_reason: 'stop', usage: null, stats })
    expect(chat.messages.map((m) => [m.id, m.content])).toEqual([
      [q1.id, 'first, edited'],
      [answer.id, 'again'],
    ])
  })

  it('a turn refused before streaming shows the error and undoes the optimistic message', async () => {
    fake.api.chatTurn = vi.fn(async () => {
      throw new ApiError('model_not_running', 'Start Qwen first.')
    })
    const earlier = msg('user', 'earlier')
    const chat = openWith([earlier])
    expect(await chat.send('Hello')).toBe(false)
    expect(chat.status).toBe('error')
    expect(chat.error).toMatchObject({ code: 'model_not_running', message: 'Start Qwen first.' })
    expect(chat.errorInMessage).toBe(false)
    expect(chat.messages).toEqual([earlier])
  })

  it('a refused edit puts the old messages back', async () => {
    fake.api.chatTurn = vi.fn(async () => {
      throw new ApiError('conversation_busy', 'An answer is streaming.')
    })
    const list = [msg('user', 'a'), msg('assistant', 'b')]
    const chat = openWith(list.map((m) => ({ ...m })))
    expect(await chat.edit(list[0].id, 'changed')).toBe(false)
    expect(chat.messages).toEqual(list)
    expect(chat.error?.code).toBe('conversation_busy')
  })

  it('ignores empty messages and a second send while busy', async () => {
    const stream = controllableTurn()
    const chat = openWith()
    expect(await chat.send('   ')).toBe(false)
    await chat.send('one')
    expect(await chat.send('two')).toBe(false)
    expect(stream.requests).toHaveLength(1)
  })

  it('deletes a message, and keeps it when the server refuses', async () => {
    const a = msg('user', 'a')
    const b = msg('assistant', 'b')
    const chat = openWith([a, b])
    fake.api.deleteChatMessage = vi.fn(async () => {})
    expect(await chat.deleteMessage(b.id)).toBe(true)
    expect(fake.api.deleteChatMessage).toHaveBeenCalledWith('c1', b.id)
    expect(chat.messages).toEqual([a])
    fake.api.deleteChatMessage = vi.fn(async () => {
      throw new ApiError('message_not_found', 'Gone.')
    })
    expect(await chat.deleteMessage(a.id)).toBe(false)
    expect(chat.messages).toEqual([a])
    expect(chat.deleteError?.code).toBe('message_not_found')
  })

  it('saves parameters and target through updateConversation', async () => {
    const chat = openWith()
    const params = { stop: ['###'], temperature: 0.2 }
    fake.api.updateConversation = vi.fn(async (_id: string, patch: Partial<Conversation>) => ({ ...chat.conversation!, ...patch, updated_at: 5 }))
    expect(await chat.updateParams(params)).toBe(true)
    expect(fake.api.updateConversation).toHaveBeenCalledWith('c1', { params })
    expect(chat.conversation?.params).toEqual(params)
    const target = { kind: 'endpoint' as const, endpoint_id: 'e1', model: 'llama3.2' }
    expect(await chat.setTarget(target)).toBe(true)
    expect(chat.conversation?.target).toEqual(target)

    fake.api.updateConversation = vi.fn(async () => {
      throw new ApiError('chat_params_invalid', 'temperature must be a number from 0 to 2.')
    })
    expect(await chat.updateParams({ stop: [], temperature: 3 })).toBe(false)
    expect(chat.paramsError?.message).toContain('temperature')
    expect(chat.conversation?.params).toEqual(params)
  })

  it('opens a conversation, and reports one that cannot be loaded', async () => {
    const detail = { conversation, messages: [msg('user', 'x')] }
    fake.api.getConversation = vi.fn(async (id: string) => {
      if (id === 'c1') return detail
      throw new ApiError('conversation_not_found', 'No such conversation.')
    })
    const chat = useChatStore()
    const opening = chat.open('c1')
    expect(chat.loading).toBe(true)
    await opening
    expect(chat.detail).toEqual(detail)
    expect(chat.loading).toBe(false)
    await chat.open('nope')
    expect(chat.detail).toBeNull()
    expect(chat.loadError?.code).toBe('conversation_not_found')
  })

  it('opening another conversation stops the answer in progress', async () => {
    const stream = controllableTurn()
    const chat = openWith()
    await chat.send('Hello')
    stream.emit({ event: 'started', user_message: msg('user', 'Hello'), assistant_message: msg('assistant', '', { status: 'streaming' }), conversation })
    fake.api.getConversation = vi.fn(async () => ({ conversation: { ...conversation, id: 'c2' }, messages: [] }))
    await chat.open('c2')
    expect(stream.cancel).toHaveBeenCalled()
    expect(chat.conversation?.id).toBe('c2')
    expect(chat.busy).toBe(false)
  })
})
