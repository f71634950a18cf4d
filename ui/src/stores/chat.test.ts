import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { AnswerStats } from '../generated/AnswerStats'
import type { ChatDefaults } from '../generated/ChatDefaults'
import type { ChatStreamEvent } from '../generated/ChatStreamEvent'
import type { Conversation } from '../generated/Conversation'
import type { StoredMessage } from '../generated/StoredMessage'
import type { TurnRequest } from '../generated/TurnRequest'

import { ApiError } from '../api'
import { fake, installFakeApi } from '../testing/fakeApi'
import { useChatStore } from './chat'
import { useChatSettingsStore } from './chatSettings'
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
  chat.adopt({ conversation: { ...conversation }, messages, context: null, defaults: { stop: [] } })
  return chat
}

beforeEach(() => {
  setActivePinia(createPinia())
  installFakeApi({
    getConversation: vi.fn(async () => ({ conversation: { ...conversation, title: 'Hello there', updated_at: 9 }, messages: [] })),
  })
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

  it('regenerate streams a new version of the last answer, keeping the earlier one as version 1', async () => {
    const stream = controllableTurn()
    const q = msg('user', 'Q')
    const old = msg('assistant', 'old answer', { answers: q.id })
    const chat = openWith([q, old])
    expect(chat.lastAssistantId).toBe(old.id)
    const started = chat.regenerate()
    // While waiting, the indicator stands in for the answer.
    expect(chat.messages.map((m) => m.id)).toEqual([q.id])
    await started
    expect(stream.requests).toEqual([{ action: 'regenerate' }])
    const fresh = msg('assistant', '', { status: 'streaming', answers: q.id, version: 2, versions: 2 })
    stream.emit({ event: 'started', user_message: null, assistant_message: fresh, conversation })
    stream.emit({ event: 'delta', content: 'new answer' })
    stream.emit({ event: 'done', finish_reason: 'stop', usage: null, stats })
    expect(chat.messages.map((m) => [m.id, m.content, m.version, m.versions])).toEqual([
      [q.id, 'Q', 1, 1],
      [fresh.id, 'new answer', 2, 2],
    ])
    expect(fake.api.getConversation).not.toHaveBeenCalled()
  })

  it('a regenerate stopped before its answer showed brings the earlier answer back from the server', async () => {
    const stream = controllableTurn()
    const q = msg('user', 'Q')
    const old = msg('assistant', 'old answer', { answers: q.id })
    const chat = openWith([q, old])
    fake.api.getConversation = vi.fn(async () => ({ conversation, messages: [q, old], context: null, defaults: { stop: [] } }))
    await chat.regenerate()
    await chat.stop()
    expect(stream.cancel).toHaveBeenCalled()
    await vi.waitFor(() => expect(chat.messages.map((m) => m.id)).toEqual([q.id, old.id]))
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
    fake.api.getConversation = vi.fn(async () => ({ conversation, messages: [a], context: null, defaults: { stop: [] } }))
    expect(await chat.deleteMessage(b.id)).toBe(true)
    expect(fake.api.deleteChatMessage).toHaveBeenCalledWith('c1', b.id)
    expect(chat.messages).toEqual([a])
    fake.api.deleteChatMessage = vi.fn(async () => {
      throw new ApiError('message_not_found', 'Gone.')
    })
    expect(await chat.deleteMessage(a.id)).toBe(false)
    expect(chat.messages).toEqual([a])
    expect(chat.deleteError?.code).toBe('message_not_found')
    // Only the delete that went through can be undone.
    expect(chat.deleted.map((d) => d.message.id)).toEqual([b.id])
  })

  it('saves parameters and target through updateConversation', async () => {
    const chat = openWith()
    const params = { stop: ['###'], temperature: 0.2 }
    fake.api.updateConversation = vi.fn(async (_id: string, patch: Partial<Conversation>) => ({ ...chat.conversation!, ...patch, updated_at: 5 }))
    // A new target is read again for what comes with it (context size, inherited parameters).
    fake.api.getConversation = vi.fn(async () => ({ conversation: { ...chat.conversation! }, messages: [], context: null, defaults: { stop: [] } }))
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

describe('answer versions', () => {
  it('shows another version of an answer and adopts what the server answers', async () => {
    const q = msg('user', 'Q')
    const v1 = msg('assistant', 'first', { answers: q.id, version: 1, versions: 2, stats })
    const v2 = msg('assistant', 'second', { answers: q.id, version: 2, versions: 2 })
    const chat = openWith([q, v2])
    const context = { used_tokens: 97, context_size: 2048, near_limit: false }
    fake.api.showAnswerVersion = vi.fn(async () => ({ conversation, messages: [q, v1], context, defaults: { stop: [] } }))
    // Out of range, or the version already shown: nothing to ask.
    expect(await chat.showVersion(v2.id, 3)).toBe(false)
    expect(await chat.showVersion(v2.id, 2)).toBe(false)
    expect(fake.api.showAnswerVersion).not.toHaveBeenCalled()

    const switching = chat.showVersion(v2.id, 1)
    expect(chat.switchingVersion).toBe(v2.id)
    expect(await switching).toBe(true)
    expect(fake.api.showAnswerVersion).toHaveBeenCalledWith('c1', v2.id, { version: 1 })
    expect(chat.switchingVersion).toBeNull()
    expect(chat.messages.map((m) => [m.content, m.version, m.versions])).toEqual([
      ['Q', 1, 1],
      ['first', 1, 2],
    ])
    expect(chat.detail?.context).toEqual(context)
  })

  it('reports a refused switch and never switches while an answer streams', async () => {
    const q = msg('user', 'Q')
    const v2 = msg('assistant', 'second', { answers: q.id, version: 2, versions: 2 })
    const chat = openWith([q, v2])
    fake.api.showAnswerVersion = vi.fn(async () => {
      throw new ApiError('conversation_busy', 'An answer is streaming.')
    })
    expect(await chat.showVersion(v2.id, 1)).toBe(false)
    expect(chat.versionError?.code).toBe('conversation_busy')
    expect(chat.messages).toEqual([q, v2])
    chat.status = 'streaming'
    fake.api.showAnswerVersion = vi.fn()
    expect(await chat.showVersion(v2.id, 1)).toBe(false)
    expect(fake.api.showAnswerVersion).not.toHaveBeenCalled()
  })
})

describe('delete and undo', () => {
  it('removes the message at once and puts it back on undo', async () => {
    const q1 = msg('user', 'one')
    const a1 = msg('assistant', 'first answer', { answers: q1.id })
    const q2 = msg('user', 'two')
    const chat = openWith([q1, a1, q2])
    let release!: () => void
    fake.api.deleteChatMessage = vi.fn(() => new Promise<void>((r) => (release = r)))
    fake.api.getConversation = vi.fn(async () => ({ conversation, messages: [q1, q2], context: null, defaults: { stop: [] } }))
    const deleting = chat.deleteMessage(a1.id)
    // Gone before the server answers, with its undo offered where it was.
    expect(chat.messages.map((m) => m.id)).toEqual([q1.id, q2.id])
    expect(chat.deleted).toMatchObject([{ conversationId: 'c1', after: q1.id, message: { id: a1.id } }])
    release()
    expect(await deleting).toBe(true)

    fake.api.restoreChatMessage = vi.fn(async () => ({ conversation, messages: [q1, a1, q2], context: null, defaults: { stop: [] } }))
    expect(await chat.restoreMessage(a1.id)).toBe(true)
    expect(fake.api.restoreChatMessage).toHaveBeenCalledWith('c1', a1.id)
    expect(chat.messages.map((m) => m.id)).toEqual([q1.id, a1.id, q2.id])
    expect(chat.deleted).toEqual([])
  })

  it('deleting the shown version of an answer shows the one the server shows instead', async () => {
    const q = msg('user', 'Q')
    const v1 = msg('assistant', 'first', { answers: q.id, version: 1, versions: 1 })
    const v2 = msg('assistant', 'second', { answers: q.id, version: 2, versions: 2 })
    const chat = openWith([q, v2])
    const context = { used_tokens: 40, context_size: 4096, near_limit: false }
    fake.api.deleteChatMessage = vi.fn(async () => {})
    fake.api.getConversation = vi.fn(async () => ({ conversation, messages: [q, v1], context, defaults: { stop: [] } }))
    expect(await chat.deleteMessage(v2.id)).toBe(true)
    await vi.waitFor(() => expect(chat.messages.map((m) => m.id)).toEqual([q.id, v1.id]))
    expect(chat.detail?.context).toEqual(context)
    expect(chat.deleted.map((d) => d.message.id)).toEqual([v2.id])
  })

  it('ends the undo offer when the next turn starts, and keeps it when the turn is refused', async () => {
    const q = msg('user', 'Q')
    const a = msg('assistant', 'A', { answers: q.id })
    const chat = openWith([q, a])
    fake.api.deleteChatMessage = vi.fn(async () => {})
    fake.api.getConversation = vi.fn(async () => ({ conversation, messages: [q], context: null, defaults: { stop: [] } }))
    await chat.deleteMessage(a.id)
    expect(chat.deleted).toHaveLength(1)

    fake.api.chatTurn = vi.fn(async () => {
      throw new ApiError('model_not_running', 'Start Qwen first.')
    })
    expect(await chat.send('again')).toBe(false)
    expect(chat.deleted).toHaveLength(1)

    const stream = controllableTurn()
    await chat.send('again')
    stream.emit({ event: 'started', user_message: msg('user', 'again'), assistant_message: msg('assistant', '', { status: 'streaming' }), conversation })
    expect(chat.deleted).toEqual([])
    stream.emit({ event: 'done', finish_reason: 'stop', usage: null, stats })
    fake.api.restoreChatMessage = vi.fn()
    expect(await chat.restoreMessage(a.id)).toBe(false)
    expect(fake.api.restoreChatMessage).not.toHaveBeenCalled()
  })

  it('drops every undo offer once the server says they expired', async () => {
    const q = msg('user', 'Q')
    const a = msg('assistant', 'A')
    const chat = openWith([q, a])
    fake.api.deleteChatMessage = vi.fn(async () => {})
    fake.api.getConversation = vi.fn(async () => ({ conversation, messages: [], context: null, defaults: { stop: [] } }))
    await chat.deleteMessage(q.id)
    await chat.deleteMessage(a.id)
    expect(chat.deleted.map((d) => [d.message.id, d.after])).toEqual([
      [q.id, null],
      [a.id, null],
    ])
    fake.api.restoreChatMessage = vi.fn(async () => {
      throw new ApiError('message_not_restorable', 'A newer turn dropped it.')
    })
    expect(await chat.restoreMessage(a.id)).toBe(false)
    expect(chat.restoreError?.code).toBe('message_not_restorable')
    expect(chat.deleted).toEqual([])
  })

  it('forgets the undo offers of a conversation that is closed', async () => {
    const chat = openWith([msg('user', 'Q')])
    fake.api.deleteChatMessage = vi.fn(async () => {})
    await chat.deleteMessage(chat.messages[0].id)
    chat.dismissDeleted('nope')
    expect(chat.deleted).toHaveLength(1)
    chat.dismissDeleted(chat.deleted[0].message.id)
    expect(chat.deleted).toEqual([])
    await chat.deleteMessage('missing')
    expect(fake.api.deleteChatMessage).toHaveBeenCalledOnce()
  })
})

describe('context usage', () => {
  it('follows each done event, and keeps it against a read that started before', async () => {
    const stream = controllableTurn()
    const chat = openWith()
    chat.detail!.context = { used_tokens: 0, context_size: 2048, near_limit: false }
    let answerRead!: (d: unknown) => void
    fake.api.getConversation = vi.fn(() => new Promise((r) => (answerRead = r)))
    const reading = chat.sync('c1')
    await chat.send('Hi')
    stream.emit({ event: 'started', user_message: msg('user', 'Hi'), assistant_message: msg('assistant', '', { status: 'streaming' }), conversation })
    const context = { used_tokens: 1800, context_size: 2048, near_limit: true }
    stream.emit({ event: 'done', finish_reason: 'stop', usage: null, stats, context })
    expect(chat.detail?.context).toEqual(context)
    answerRead({ conversation, messages: [], context: { used_tokens: 0, context_size: 2048, near_limit: false }, defaults: { stop: [] } })
    await reading
    expect(chat.detail?.context).toEqual(context)
    // An answer without context (an external endpoint) leaves it as it was.
    await chat.send('More')
    stream.emit({ event: 'started', user_message: msg('user', 'More'), assistant_message: msg('assistant', '', { status: 'streaming' }), conversation })
    stream.emit({ event: 'done', finish_reason: 'stop', usage: null, stats })
    expect(chat.detail?.context).toEqual(context)
  })

  it('reads the context size and the inherited parameters again when the model changes', async () => {
    const chat = openWith()
    const target = { kind: 'endpoint' as const, endpoint_id: 'e1', model: 'llama3.2' }
    fake.api.updateConversation = vi.fn(async () => ({ ...conversation, target }))
    fake.api.getConversation = vi.fn(async () => ({ conversation: { ...conversation, target }, messages: [], context: null, defaults: { stop: [], temperature: 0.5 } }))
    chat.detail!.context = { used_tokens: 10, context_size: 2048, near_limit: false }
    expect(await chat.setTarget(target)).toBe(true)
    await vi.waitFor(() => expect(chat.detail?.context).toBeNull())
    expect(chat.detail?.defaults).toEqual({ stop: [], temperature: 0.5 })
  })
})

describe('chat defaults', () => {
  function withDefaults(initial: ChatDefaults) {
    let stored = initial
    fake.api.getChatDefaults = vi.fn(async () => stored)
    fake.api.setChatDefaults = vi.fn(async (d: ChatDefaults) => (stored = d))
    fake.api.updateConversation = vi.fn(async (_id: string, patch: Partial<Conversation>) => ({ ...useChatStore().conversation!, ...patch }))
    return () => stored
  }

  it('saves the form as the model’s defaults over what they held, and lets the chat inherit them', async () => {
    const stored = withDefaults({ global: { stop: [], temperature: 0.7 }, models: { m1: { stop: [], top_p: 0.9 } } })
    const chat = openWith()
    chat.detail!.conversation.params = { stop: [], temperature: 0.2 }
    expect(await chat.saveAsDefault('model', { stop: [], temperature: 0.2, max_tokens: 256 })).toBe(true)
    // Read afresh, changed, written back.
    expect(fake.api.getChatDefaults).toHaveBeenCalledOnce()
    expect(stored()).toEqual({ global: { stop: [], temperature: 0.7 }, models: { m1: { stop: [], top_p: 0.9, temperature: 0.2, max_tokens: 256 } } })
    expect(fake.api.updateConversation).toHaveBeenCalledWith('c1', { params: { stop: [] } })
    expect(chat.conversation?.params).toEqual({ stop: [] })
    expect(chat.detail?.defaults).toEqual({ stop: [], temperature: 0.2, top_p: 0.9, max_tokens: 256 })
    expect(useChatSettingsStore().defaults).toEqual(stored())
  })

  it('saves for all chats, and keeps as the chat’s own what its model would override', async () => {
    const stored = withDefaults({ global: { stop: [] }, models: { m1: { stop: [], temperature: 0.2 } } })
    const chat = openWith()
    expect(await chat.saveAsDefault('global', { stop: ['###'], temperature: 1, system_prompt: 'Be brief.' })).toBe(true)
    expect(stored().global).toEqual({ stop: ['###'], temperature: 1, system_prompt: 'Be brief.' })
    expect(stored().models.m1).toEqual({ stop: [], temperature: 0.2 })
    expect(fake.api.updateConversation).toHaveBeenCalledWith('c1', { params: { stop: [], temperature: 1 } })
    expect(chat.detail?.defaults).toEqual({ stop: ['###'], temperature: 0.2, system_prompt: 'Be brief.' })
  })

  it('offers the model’s defaults only for a model of the library, and reports a refused save', async () => {
    withDefaults({ global: { stop: [] }, models: {} })
    const chat = openWith()
    chat.detail!.conversation.target = { kind: 'endpoint', endpoint_id: 'e1', model: 'x' }
    expect(await chat.saveAsDefault('model', { stop: [], temperature: 1 })).toBe(false)
    expect(fake.api.setChatDefaults).not.toHaveBeenCalled()
    fake.api.setChatDefaults = vi.fn(async () => {
      throw new ApiError('chat_params_invalid', 'temperature must be a number from 0 to 2.')
    })
    expect(await chat.saveAsDefault('global', { stop: [], temperature: 1 })).toBe(false)
    expect(chat.defaultsError?.code).toBe('chat_params_invalid')
    expect(fake.api.updateConversation).not.toHaveBeenCalled()
  })

  it('resets the chat to the defaults by clearing its own values', async () => {
    withDefaults({ global: { stop: [] }, models: {} })
    const chat = openWith()
    chat.detail!.conversation.params = { stop: ['x'], temperature: 0.3, system_prompt: 'Mine.' }
    expect(await chat.resetParams()).toBe(true)
    expect(fake.api.updateConversation).toHaveBeenCalledWith('c1', { params: { stop: [] } })
    expect(chat.conversation?.params).toEqual({ stop: [] })
  })
})
