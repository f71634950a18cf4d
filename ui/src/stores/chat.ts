import { defineStore } from 'pinia'
import { ApiError, getApi, toApiError, type ChatHandle } from '../api'
import type { ChatParams } from '../generated/ChatParams'
import type { ChatStreamEvent } from '../generated/ChatStreamEvent'
import type { ChatTarget } from '../generated/ChatTarget'
import type { Conversation } from '../generated/Conversation'
import type { ConversationDetail } from '../generated/ConversationDetail'
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

export const useChatStore = defineStore('chat', {
  state: () => ({
    /** The open conversation with its messages. */
    detail: null as ConversationDetail | null,
    loading: false,
    loadError: null as ApiError | null,
    status: 'idle' as ChatStatus,
    /** The last turn's error. */
    error: null as ApiError | null,
    /** The error is shown on the failed answer itself (it came mid-stream). */
    errorInMessage: false,
    /** The assistant message being streamed. */
    streamingId: null as string | null,
    savingParams: false,
    paramsError: null as ApiError | null,
    savingTarget: false,
    targetError: null as ApiError | null,
    /** Messages being deleted, and the last failed deletion's error. */
    deleting: {} as Record<string, boolean>,
    deleteError: null as ApiError | null,
  }),
  getters: {
    busy: (state): boolean => state.status === 'waiting' || state.status === 'streaming',
    conversation: (state): Conversation | null => state.detail?.conversation ?? null,
    messages: (state): StoredMessage[] => state.detail?.messages ?? [],
    /** The answer regenerate would replace. */
    lastAssistantId(): string | null {
      const last = this.messages[this.messages.length - 1]
      return last?.role === 'assistant' ? last.id : null
    },
  },
  actions: {
    streamingMessage(): StoredMessage | undefined {
      if (!this.detail || !this.streamingId) return undefined
      const list = this.detail.messages
      const i = lastIndex(list, (m) => m.id === this.streamingId)
      return i === -1 ? undefined : list[i]
    },
    flush() {
      flushScheduled = false
      const msg = this.streamingMessage()
      if (!msg) return
      if (pending.content) msg.content += pending.content
      if (pending.reasoning) msg.reasoning += pending.reasoning
      pending.content = ''
      pending.reasoning = ''
    },
    scheduleFlush() {
      if (flushScheduled) return
      flushScheduled = true
      const myTurn = turn
      nextFrame(() => {
        flushScheduled = false
        if (myTurn === turn) this.flush()
      })
    },
    /** Ends the turn in progress in the store (not on the server). */
    endTurn(status: ChatStatus) {
      this.flush()
      pending.content = ''
      pending.reasoning = ''
      this.streamingId = null
      this.status = status
      handle = null
    },
    onStarted(user: StoredMessage | null, answer: StoredMessage) {
      const list = this.detail!.messages
      const firstTurn = !list.some((m) => !m.id.startsWith(LOCAL_PREFIX))
      let keep = list.filter((m) => !m.id.startsWith(LOCAL_PREFIX))
      if (user) {
        const at = keep.findIndex((m) => m.id === user.id)
        keep = at === -1 ? [...keep, user] : [...keep.slice(0, at), user]
      } else {
        keep = keep.slice(0, lastIndex(keep, (m) => m.role === 'user') + 1)
      }
      keep.push(answer)
      this.detail!.messages = keep
      this.streamingId = answer.id
      // The server titles a new conversation after its first message.
      if (firstTurn) void this.sync(this.detail!.conversation.id)
    },
    handleEvent(myTurn: number, event: ChatStreamEvent) {
      if (myTurn !== turn || !this.detail) return
      switch (event.event) {
        case 'started':
          this.onStarted(event.user_message, event.assistant_message)
          break
        case 'delta':
        case 'reasoning':
          this.status = 'streaming'
          pending[event.event === 'delta' ? 'content' : 'reasoning'] += event.content
          this.scheduleFlush()
          break
        case 'done': {
          this.flush()
          const msg = this.streamingMessage()
          if (msg) {
            msg.status = event.finish_reason === 'cancelled' ? 'stopped' : 'complete'
            msg.stats = event.stats
          }
          this.endTurn('idle')
          void this.sync(this.detail.conversation.id)
          break
        }
        case 'error': {
          this.flush()
          const msg = this.streamingMessage()
          if (msg) {
            msg.status = 'failed'
            msg.error = event.error
          }
          this.error = ApiError.fromBody(event.error)
          this.errorInMessage = !!msg
          this.endTurn('error')
          void this.sync(this.detail.conversation.id)
          break
        }
      }
    },
    /**
     * Starts a turn after showing `optimistic` changes; resolves to false (with the changes
     * undone and `error` set) when the server refused it before streaming.
     */
    async startTurn(request: TurnRequest, optimistic: (messages: StoredMessage[]) => StoredMessage[]): Promise<boolean> {
      const detail = this.detail
      if (!detail || this.busy) return false
      const id = detail.conversation.id
      const before = detail.messages
      const myTurn = ++turn
      pending.content = ''
      pending.reasoning = ''
      this.error = null
      this.errorInMessage = false
      this.streamingId = null
      this.status = 'waiting'
      detail.messages = optimistic(before.slice())
      try {
        const h = await getApi().chatTurn(id, request, (e) => this.handleEvent(myTurn, e))
        if (myTurn !== turn) {
          // Stopped (or another conversation opened) while the turn was starting.
          await h.cancel()
          void this.sync(id, true)
        } else if (this.busy) {
          handle = h
        }
        return true
      } catch (err) {
        // Undo the optimistic change unless another turn has started since.
        if (this.detail?.conversation.id === id && (myTurn === turn || !this.busy)) this.detail.messages = before
        if (myTurn !== turn) return false
        this.error = toApiError(err)
        this.errorInMessage = false
        this.endTurn('error')
        return false
      }
    },
    /** Sends a message; resolves to false when it could not be sent (keep the draft then). */
    send(text: string): Promise<boolean> {
      const content = text.trim()
      if (!content || !this.detail) return Promise.resolve(false)
      const conversationId = this.detail.conversation.id
      return this.startTurn({ action: 'send', content }, (list) => {
        const now = Date.now()
        list.push({
          id: `${LOCAL_PREFIX}${turn}`,
          conversation_id: conversationId,
          role: 'user',
          content,
          reasoning: '',
          status: 'complete',
          error: null,
          stats: null,
          created_at: now,
          updated_at: now,
        })
        return list
      })
    },
    /** Answers the last user message again, replacing the answers after it. */
    regenerate(): Promise<boolean> {
      return this.startTurn({ action: 'regenerate' }, (list) => list.slice(0, lastIndex(list, (m) => m.role === 'user') + 1))
    },
    /** Replaces a user message's text, drops everything after it and answers again. */
    edit(messageId: string, text: string): Promise<boolean> {
      const content = text.trim()
      if (!content) return Promise.resolve(false)
      return this.startTurn({ action: 'edit', message_id: messageId, content }, (list) => {
        const at = list.findIndex((m) => m.id === messageId)
        if (at === -1) return list
        return [...list.slice(0, at), { ...list[at], content }]
      })
    },
    /** Stops the answer in progress, keeping what arrived so far. */
    async stop(): Promise<void> {
      if (!this.busy) return
      turn++
      this.flush()
      const msg = this.streamingMessage()
      if (msg) msg.status = 'stopped'
      const h = handle
      const id = this.detail?.conversation.id
      this.endTurn('idle')
      if (h) await h.cancel()
      if (id) void this.sync(id)
    },
    /** Re-reads the conversation's metadata (title, updated_at), and its messages when asked. */
    async sync(id: string, withMessages = false) {
      try {
        const fresh = await getApi().getConversation(id)
        useConversationsStore().upsert(fresh.conversation)
        if (withMessages && this.detail?.conversation.id === id && !this.busy) this.detail.messages = fresh.messages
      } catch {
        // a background refresh: the next one will do
      }
    },
    /** Applies a conversation's new metadata when it is the open one. */
    applyConversation(conversation: Conversation) {
      if (this.detail?.conversation.id === conversation.id) this.detail.conversation = conversation
    },
    /** Shows a conversation that is already loaded (e.g. just created). */
    adopt(detail: ConversationDetail) {
      openSeq++
      this.detail = detail
      this.loading = false
      this.loadError = null
    },
    async open(id: string) {
      if (this.detail?.conversation.id === id && !this.loadError) return
      const stopping = this.stop()
      const seq = ++openSeq
      this.detail = null
      this.loading = true
      this.loadError = null
      this.error = null
      this.status = 'idle'
      this.deleteError = null
      this.paramsError = null
      this.targetError = null
      try {
        await stopping
        const detail = await getApi().getConversation(id)
        if (seq !== openSeq) return
        this.detail = detail
        useConversationsStore().upsert(detail.conversation)
      } catch (err) {
        if (seq === openSeq) this.loadError = toApiError(err)
      } finally {
        if (seq === openSeq) this.loading = false
      }
    },
    async close() {
      await this.stop()
      openSeq++
      this.detail = null
      this.loading = false
      this.loadError = null
      this.error = null
      this.status = 'idle'
    },
    async deleteMessage(messageId: string): Promise<boolean> {
      const detail = this.detail
      if (!detail || this.busy || this.deleting[messageId]) return false
      this.deleting[messageId] = true
      this.deleteError = null
      try {
        await getApi().deleteChatMessage(detail.conversation.id, messageId)
        detail.messages = detail.messages.filter((m) => m.id !== messageId)
        return true
      } catch (err) {
        this.deleteError = toApiError(err)
        return false
      } finally {
        delete this.deleting[messageId]
      }
    },
    async patch(kind: 'params' | 'target', work: (id: string) => Promise<Conversation>): Promise<boolean> {
      if (!this.detail) return false
      const saving = kind === 'params' ? 'savingParams' : 'savingTarget'
      const failure = kind === 'params' ? 'paramsError' : 'targetError'
      this[saving] = true
      this[failure] = null
      try {
        const updated = await work(this.detail.conversation.id)
        useConversationsStore().upsert(updated)
        return true
      } catch (err) {
        this[failure] = toApiError(err)
        return false
      } finally {
        this[saving] = false
      }
    },
    updateParams(params: ChatParams): Promise<boolean> {
      return this.patch('params', (id) => getApi().updateConversation(id, { params }))
    },
    setTarget(target: ChatTarget): Promise<boolean> {
      return this.patch('target', (id) => getApi().updateConversation(id, { target }))
    },
  },
})
