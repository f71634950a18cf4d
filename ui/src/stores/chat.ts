import { defineStore } from 'pinia'
import { ApiError, getApi, toApiError, type ChatHandle } from '../api'
import type { ChatMessage } from '../generated/ChatMessage'
import type { ChatStreamEvent } from '../generated/ChatStreamEvent'
import type { ChatUsage } from '../generated/ChatUsage'

/** idle: ready; waiting: sent, nothing back yet; streaming: tokens arriving; error: the last turn failed. */
export type ChatStatus = 'idle' | 'waiting' | 'streaming' | 'error'

/** Runs `fn` on the next animation frame, or soon when there is none (tests, hidden tabs still flush on done). */
function nextFrame(fn: () => void): void {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => fn())
  else setTimeout(fn, 16)
}

// Not reactive state: the live handle and the not-yet-rendered text of the current turn.
let handle: ChatHandle | null = null
let turn = 0
let pendingText = ''
let flushScheduled = false

export const useChatStore = defineStore('chat', {
  state: () => ({
    instanceId: null as string | null,
    messages: [] as ChatMessage[],
    /** The assistant answer being streamed (not yet in `messages`). */
    draft: '',
    /** Whether the model is producing reasoning tokens before its answer. */
    reasoning: false,
    status: 'idle' as ChatStatus,
    error: null as ApiError | null,
    usage: null as ChatUsage | null,
  }),
  getters: {
    busy: (state): boolean => state.status === 'waiting' || state.status === 'streaming',
  },
  actions: {
    flush() {
      flushScheduled = false
      if (pendingText) {
        this.draft += pendingText
        pendingText = ''
      }
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
    /** Moves the streamed answer (if any) into the conversation. */
    commitDraft() {
      this.flush()
      if (this.draft) this.messages.push({ role: 'assistant', content: this.draft })
      this.draft = ''
      this.reasoning = false
    },
    handleEvent(myTurn: number, event: ChatStreamEvent) {
      if (myTurn !== turn) return
      switch (event.event) {
        case 'delta':
          this.status = 'streaming'
          this.reasoning = false
          pendingText += event.content
          this.scheduleFlush()
          break
        case 'reasoning':
          this.status = 'streaming'
          if (!this.draft && !pendingText) this.reasoning = true
          break
        case 'done':
          this.commitDraft()
          this.usage = event.usage
          this.status = 'idle'
          handle = null
          break
        case 'error':
          this.commitDraft()
          this.error = ApiError.fromBody(event.error)
          this.status = 'error'
          handle = null
          break
      }
    },
    /** Sends a user message and streams the answer. Resolves once the stream has started (or failed to). */
    async send(text: string): Promise<void> {
      const content = text.trim()
      if (!content || this.busy) return
      if (!this.instanceId) {
        this.error = new ApiError('no_instance', 'Choose a running model first.')
        this.status = 'error'
        return
      }
      const myTurn = ++turn
      pendingText = ''
      this.messages.push({ role: 'user', content })
      this.draft = ''
      this.reasoning = false
      this.error = null
      this.usage = null
      this.status = 'waiting'
      try {
        const h = await getApi().chatStream(
          { instance_id: this.instanceId, messages: this.messages.map((m) => ({ role: m.role, content: m.content })) },
          (e) => this.handleEvent(myTurn, e),
        )
        if (myTurn !== turn) {
          // Stopped or cleared while the stream was starting.
          void h.cancel()
          return
        }
        if (this.busy) handle = h
      } catch (err) {
        if (myTurn !== turn) return
        this.commitDraft()
        this.error = toApiError(err)
        this.status = 'error'
      }
    },
    /** Stops the answer in progress, keeping what arrived so far. */
    async stop(): Promise<void> {
      if (!this.busy) return
      turn++
      this.commitDraft()
      pendingText = ''
      this.status = 'idle'
      const h = handle
      handle = null
      if (h) await h.cancel()
    },
    async newChat(): Promise<void> {
      await this.stop()
      turn++
      this.messages = []
      this.draft = ''
      this.error = null
      this.usage = null
      this.status = 'idle'
    },
    selectInstance(id: string | null) {
      this.instanceId = id
    },
  },
})
