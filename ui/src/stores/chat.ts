import { defineStore } from 'pinia'
import { computed, ref, type Ref } from 'vue'
import { ApiError, getApi, toApiError, type ChatHandle } from '../api'
import type { AnswerStats } from '../generated/AnswerStats'
import type { ChatParams } from '../generated/ChatParams'
import type { ChatStreamEvent } from '../generated/ChatStreamEvent'
import type { ChatTarget } from '../generated/ChatTarget'
import type { Conversation } from '../generated/Conversation'
import type { ConversationDetail } from '../generated/ConversationDetail'
import type { ErrorBody } from '../generated/ErrorBody'
import type { StoredMessage } from '../generated/StoredMessage'
import type { TurnRequest } from '../generated/TurnRequest'
import { useConversationsStore } from './conversations'

/** idle: ready; waiting: sent, nothing back yet; streaming: tokens arriving; error: the last turn failed. */
export type ChatStatus = 'idle' | 'waiting' | 'streaming' | 'error'

/** Ids of messages shown before the server confirmed them (replaced on `started`). */
export const LOCAL_PREFIX = 'local-'

/** Runs `fn` on the next animation frame, or soon when there is none (tests, hidden tabs still flush on done). */
function nextFrame(fn: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => fn())
  else setTimeout(fn, 16)
}

function lastIndex<T>(list: T[], pred: (item: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (pred(list[i])) return i
  return -1
}

// Not reactive state: the live handle and the not-yet-rendered text of the current turn.
let handle: ChatHandle | null = null
let turn = 0
let openSeq = 0
const pending = { content: '', reasoning: '' }
let flushScheduled = false

export const useChatStore = defineStore('chat', () => {
  /** The open conversation with its messages. */
  const detail = ref<ConversationDetail | null>(null)
  const loading = ref(false)
  const loadError = ref<ApiError | null>(null)
  const status = ref<ChatStatus>('idle')
  /** The last turn's error. */
  const error = ref<ApiError | null>(null)
  /** The error is shown on the failed answer itself (it came mid-stream). */
  const errorInMessage = ref(false)
  /** The assistant message being streamed. */
  const streamingId = ref<string | null>(null)
  const savingParams = ref(false)
  const paramsError = ref<ApiError | null>(null)
  const savingTarget = ref(false)
  const targetError = ref<ApiError | null>(null)
  /** Messages being deleted, and the last failed deletion's error. */
  const deleting = ref<Record<string, boolean>>({})
  const deleteError = ref<ApiError | null>(null)

  const busy = computed((): boolean => status.value === 'waiting' || status.value === 'streaming')
  const conversation = computed((): Conversation | null => detail.value?.conversation ?? null)
  const messages = computed((): StoredMessage[] => detail.value?.messages ?? [])
  /** The answer regenerate would replace. */
  const lastAssistantId = computed((): string | null => {
    const last = messages.value[messages.value.length - 1]
    return last?.role === 'assistant' ? last.id : null
  })

  function streamingMessage(): StoredMessage | undefined {
    if (!detail.value || !streamingId.value) return undefined
    const list = detail.value.messages
    const i = lastIndex(list, (m) => m.id === streamingId.value)
    return i === -1 ? undefined : list[i]
  }

  function flush(): void {
    flushScheduled = false
    const msg = streamingMessage()
    if (!msg) return
    if (pending.content) msg.content += pending.content
    if (pending.reasoning) msg.reasoning += pending.reasoning
    pending.content = ''
    pending.reasoning = ''
  }

  function scheduleFlush(): void {
    if (flushScheduled) return
    flushScheduled = true
    const myTurn = turn
    nextFrame(() => {
      flushScheduled = false
      if (myTurn === turn) flush()
    })
  }

  /** Ends the turn in progress in the store (not on the server). */
  function endTurn(next: ChatStatus): void {
    flush()
    pending.content = ''
    pending.reasoning = ''
    streamingId.value = null
    status.value = next
    handle = null
  }

  function onStarted(user: StoredMessage | null, answer: StoredMessage): void {
    const list = detail.value!.messages
    let keep = list.filter((m) => !m.id.startsWith(LOCAL_PREFIX))
    if (user) {
      const at = keep.findIndex((m) => m.id === user.id)
      keep = at === -1 ? [...keep, user] : [...keep.slice(0, at), user]
    } else {
      keep = keep.slice(0, lastIndex(keep, (m) => m.role === 'user') + 1)
    }
    keep.push(answer)
    detail.value!.messages = keep
    streamingId.value = answer.id
  }

  function handleEvent(myTurn: number, event: ChatStreamEvent): void {
    if (myTurn !== turn || !detail.value) return
    switch (event.event) {
      case 'started':
        onStarted(event.user_message, event.assistant_message)
        showConversation(event.conversation)
        break
      case 'delta':
      case 'reasoning':
        status.value = 'streaming'
        pending[event.event === 'delta' ? 'content' : 'reasoning'] += event.content
        scheduleFlush()
        break
      case 'done':
        finishTurn(event.finish_reason === 'cancelled' ? 'stopped' : 'complete', event.stats)
        if (event.conversation) showConversation(event.conversation)
        break
      case 'error':
        failTurn(event.error)
        break
    }
  }

  /** The stream ended: marks the answer stopped or complete. */
  function finishTurn(outcome: 'stopped' | 'complete', stats: AnswerStats): void {
    flush()
    const msg = streamingMessage()
    if (msg) {
      msg.status = outcome
      msg.stats = stats
    }
    endTurn('idle')
  }

  /** The conversation as the server saved it (title, label, `updated_at`), in the list and here. */
  function showConversation(saved: Conversation): void {
    useConversationsStore().upsert(saved)
    applyConversation(saved)
  }

  /** The stream failed midway: the error goes on the answer when there is one. */
  function failTurn(body: ErrorBody): void {
    flush()
    const msg = streamingMessage()
    if (msg) {
      msg.status = 'failed'
      msg.error = body
    }
    error.value = ApiError.fromBody(body)
    errorInMessage.value = !!msg
    endTurn('error')
  }

  /**
   * Starts a turn after showing `optimistic` changes; resolves to false (with the changes
   * undone and `error` set) when the server refused it before streaming.
   */
  async function startTurn(request: TurnRequest, optimistic: (messages: StoredMessage[]) => StoredMessage[]): Promise<boolean> {
    const current = detail.value
    if (!current || busy.value) return false
    const id = current.conversation.id
    const before = current.messages
    const myTurn = ++turn
    pending.content = ''
    pending.reasoning = ''
    error.value = null
    errorInMessage.value = false
    streamingId.value = null
    status.value = 'waiting'
    current.messages = optimistic(before.slice())
    try {
      const h = await getApi().chatTurn(id, request, (e) => handleEvent(myTurn, e))
      if (myTurn !== turn) {
        // Stopped (or another conversation opened) while the turn was starting.
        await h.cancel()
        void sync(id, true)
      } else if (busy.value) {
        handle = h
      }
      return true
    } catch (err) {
      // Undo the optimistic change unless another turn has started since.
      if (detail.value?.conversation.id === id && (myTurn === turn || !busy.value)) detail.value.messages = before
      if (myTurn !== turn) return false
      error.value = toApiError(err)
      errorInMessage.value = false
      endTurn('error')
      return false
    }
  }

  /** Sends a message; resolves to false when it could not be sent (keep the draft then). */
  function send(text: string): Promise<boolean> {
    const content = text.trim()
    if (!content || !detail.value) return Promise.resolve(false)
    const conversationId = detail.value.conversation.id
    return startTurn({ action: 'send', content }, (list) => {
      const now = Date.now()
      list.push({
        id: `${LOCAL_PREFIX}${turn}`,
        conversation_id: conversationId,
        role: 'user',
        content,
        reasoning: '',
        answers: null,
        version: 1,
        versions: 1,
        status: 'complete',
        error: null,
        stats: null,
        created_at: now,
        updated_at: now,
      })
      return list
    })
  }

  /** Answers the last user message again, replacing the answers after it. */
  function regenerate(): Promise<boolean> {
    return startTurn({ action: 'regenerate' }, (list) => list.slice(0, lastIndex(list, (m) => m.role === 'user') + 1))
  }

  /** Replaces a user message's text, drops everything after it and answers again. */
  function edit(messageId: string, text: string): Promise<boolean> {
    const content = text.trim()
    if (!content) return Promise.resolve(false)
    return startTurn({ action: 'edit', message_id: messageId, content }, (list) => {
      const at = list.findIndex((m) => m.id === messageId)
      if (at === -1) return list
      return [...list.slice(0, at), { ...list[at], content }]
    })
  }

  /** Stops the answer in progress, keeping what arrived so far. */
  async function stop(): Promise<void> {
    if (!busy.value) return
    turn++
    flush()
    const msg = streamingMessage()
    if (msg) msg.status = 'stopped'
    const h = handle
    const id = detail.value?.conversation.id
    endTurn('idle')
    if (h) await h.cancel()
    if (id) void sync(id)
  }

  /** Re-reads the conversation's metadata (title, updated_at), and its messages when asked. */
  async function sync(id: string, withMessages = false): Promise<void> {
    try {
      const fresh = await getApi().getConversation(id)
      useConversationsStore().upsert(fresh.conversation)
      if (withMessages && detail.value?.conversation.id === id && !busy.value) detail.value.messages = fresh.messages
    } catch {
      // a background refresh: the next one will do
    }
  }

  /** Applies a conversation's new metadata when it is the open one. */
  function applyConversation(next: Conversation): void {
    if (detail.value?.conversation.id === next.id) detail.value.conversation = next
  }

  /** Shows a conversation that is already loaded (e.g. just created). */
  function adopt(next: ConversationDetail): void {
    openSeq++
    detail.value = next
    loading.value = false
    loadError.value = null
  }

  async function open(id: string): Promise<void> {
    if (detail.value?.conversation.id === id && !loadError.value) return
    const stopping = stop()
    const seq = ++openSeq
    detail.value = null
    loading.value = true
    loadError.value = null
    error.value = null
    status.value = 'idle'
    deleteError.value = null
    paramsError.value = null
    targetError.value = null
    try {
      await stopping
      const loaded = await getApi().getConversation(id)
      if (seq !== openSeq) return
      detail.value = loaded
      useConversationsStore().upsert(loaded.conversation)
    } catch (err) {
      if (seq === openSeq) loadError.value = toApiError(err)
    } finally {
      if (seq === openSeq) loading.value = false
    }
  }

  async function close(): Promise<void> {
    await stop()
    openSeq++
    detail.value = null
    loading.value = false
    loadError.value = null
    error.value = null
    status.value = 'idle'
  }

  async function deleteMessage(messageId: string): Promise<boolean> {
    const current = detail.value
    if (!current || busy.value || deleting.value[messageId]) return false
    deleting.value[messageId] = true
    deleteError.value = null
    try {
      await getApi().deleteChatMessage(current.conversation.id, messageId)
      current.messages = current.messages.filter((m) => m.id !== messageId)
      return true
    } catch (err) {
      deleteError.value = toApiError(err)
      return false
    } finally {
      delete deleting.value[messageId]
    }
  }

  async function patch(kind: 'params' | 'target', work: (id: string) => Promise<Conversation>): Promise<boolean> {
    if (!detail.value) return false
    const saving: Ref<boolean> = kind === 'params' ? savingParams : savingTarget
    const failure: Ref<ApiError | null> = kind === 'params' ? paramsError : targetError
    saving.value = true
    failure.value = null
    try {
      const updated = await work(detail.value.conversation.id)
      useConversationsStore().upsert(updated)
      return true
    } catch (err) {
      failure.value = toApiError(err)
      return false
    } finally {
      saving.value = false
    }
  }

  function updateParams(params: ChatParams): Promise<boolean> {
    return patch('params', (id) => getApi().updateConversation(id, { params }))
  }

  function setTarget(target: ChatTarget): Promise<boolean> {
    return patch('target', (id) => getApi().updateConversation(id, { target }))
  }

  return {
    detail,
    loading,
    loadError,
    status,
    error,
    errorInMessage,
    streamingId,
    savingParams,
    paramsError,
    savingTarget,
    targetError,
    deleting,
    deleteError,
    busy,
    conversation,
    messages,
    lastAssistantId,
    streamingMessage,
    flush,
    scheduleFlush,
    endTurn,
    onStarted,
    handleEvent,
    startTurn,
    send,
    regenerate,
    edit,
    stop,
    sync,
    applyConversation,
    adopt,
    open,
    close,
    deleteMessage,
    patch,
    updateParams,
    setTarget,
  }
})
