import { defineStore } from 'pinia'
import { computed, ref, type Ref } from 'vue'
import { ApiError, getApi, toApiError, type ChatHandle } from '../api'
import type { AnswerStats } from '../generated/AnswerStats'
import type { ChatDefaults } from '../generated/ChatDefaults'
import type { ChatParams } from '../generated/ChatParams'
import type { ChatStreamEvent } from '../generated/ChatStreamEvent'
import type { ChatTarget } from '../generated/ChatTarget'
import type { Conversation } from '../generated/Conversation'
import type { ConversationDetail } from '../generated/ConversationDetail'
import type { ErrorBody } from '../generated/ErrorBody'
import type { StoredMessage } from '../generated/StoredMessage'
import type { TurnRequest } from '../generated/TurnRequest'
import { defaultsFor, mergeIntoDefaults, paramsOver, withoutInherited } from '../lib/chat/chatDefaults'
import { useChatSettingsStore } from './chatSettings'
import { useConversationsStore } from './conversations'

/** idle: ready; waiting: sent, nothing back yet; streaming: tokens arriving; error: the last turn failed. */
export type ChatStatus = 'idle' | 'waiting' | 'streaming' | 'error'

/** Ids of messages shown before the server confirmed them (replaced on `started`). */
export const LOCAL_PREFIX = 'local-'

/**
 * A message deleted in this session, offered for undo until the conversation's next turn (the
 * server then drops it for good). `after` is the shown message it followed, where the undo shows.
 */
export interface DeletedMessage {
  conversationId: string
  message: StoredMessage
  after: string | null
  restoring: boolean
}

/** Where "save as default" writes: the conversation's model, or every chat. */
export type DefaultsScope = 'model' | 'global'

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
// Bumped by every change of the shown messages or context that does not come from a read (a turn,
// a delete, a restore, another version); a read that started before one is not applied.
let epoch = 0
// Deletes, restores and version switches on their way to the server.
let inflight = 0

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
  /** Deleted messages that can still be restored, oldest first. */
  const deleted = ref<DeletedMessage[]>([])
  const restoreError = ref<ApiError | null>(null)
  /** The answer whose shown version is being switched, and the last failed switch's error. */
  const switchingVersion = ref<string | null>(null)
  const versionError = ref<ApiError | null>(null)
  const savingDefaults = ref<DefaultsScope | 'reset' | null>(null)
  const defaultsError = ref<ApiError | null>(null)

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
        // The server drops deleted messages for good once a turn starts.
        dropDeleted(event.conversation.id)
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
        if (event.context) {
          epoch++
          detail.value.context = event.context
        }
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
    epoch++
    pending.content = ''
    pending.reasoning = ''
    error.value = null
    errorInMessage.value = false
    streamingId.value = null
    status.value = 'waiting'
    current.messages = optimistic(before.slice())
    try {
      const h = await getApi().chatTurn(id, request, (e) => handleEvent(myTurn, e))
      // Accepted: the server started the turn, which ends the undo of deleted messages.
      dropDeleted(id)
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

  /**
   * Answers the last user message again. The earlier answer is kept as another version (the
   * new one comes back as "2 of 2"); until then the waiting indicator stands in for it.
   */
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
    // Stopped before the answer showed: what the list hid while waiting (a regenerated answer)
    // comes back from the server.
    if (id) void sync(id, !msg)
  }

  /**
   * Re-reads the conversation: its metadata (title, updated_at) and what it inherits always; its
   * context, and its messages when asked, unless they changed here since the read began.
   */
  async function sync(id: string, withMessages = false): Promise<void> {
    const since = epoch
    try {
      const fresh = await getApi().getConversation(id)
      useConversationsStore().upsert(fresh.conversation)
      const current = detail.value
      if (current?.conversation.id !== id) return
      current.defaults = fresh.defaults
      if (since !== epoch || inflight > 0 || busy.value) return
      current.context = fresh.context
      if (withMessages) current.messages = fresh.messages
    } catch {
      // a background refresh: the next one will do
    }
  }

  /** Shows what the server answered for the open conversation (a restore, another version). */
  function applyDetail(fresh: ConversationDetail): void {
    const current = detail.value
    if (!current || current.conversation.id !== fresh.conversation.id) return
    useConversationsStore().upsert(fresh.conversation)
    if (busy.value) return
    current.messages = fresh.messages
    current.context = fresh.context
    current.defaults = fresh.defaults
  }

  /** Forgets the deleted messages of a conversation (the server no longer keeps them). */
  function dropDeleted(conversationId: string): void {
    if (deleted.value.some((d) => d.conversationId === conversationId)) {
      deleted.value = deleted.value.filter((d) => d.conversationId !== conversationId)
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
    clearMessageErrors()
  }

  function clearMessageErrors(): void {
    deleted.value = []
    deleteError.value = null
    restoreError.value = null
    versionError.value = null
    defaultsError.value = null
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
    clearMessageErrors()
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
    clearMessageErrors()
  }

  /**
   * Deletes a message at once, offering its undo (`deleted`) until the next turn; resolves to
   * false, with the message back and `deleteError` set, when the server refused.
   */
  async function deleteMessage(messageId: string): Promise<boolean> {
    const current = detail.value
    if (!current || busy.value || deleting.value[messageId]) return false
    const id = current.conversation.id
    const at = current.messages.findIndex((m) => m.id === messageId)
    if (at === -1) return false
    const message = current.messages[at]
    const after = at > 0 ? current.messages[at - 1].id : null
    deleting.value[messageId] = true
    deleteError.value = null
    restoreError.value = null
    // Undo offers shown after this message now show where it was.
    for (const d of deleted.value) if (d.after === messageId) d.after = after
    current.messages = current.messages.filter((m) => m.id !== messageId)
    deleted.value.push({ conversationId: id, message, after, restoring: false })
    epoch++
    inflight++
    let ok = false
    try {
      await getApi().deleteChatMessage(id, messageId)
      ok = true
      return true
    } catch (err) {
      // Refused: the message comes back where it was.
      deleted.value = deleted.value.filter((d) => d.message.id !== messageId)
      const open = detail.value
      if (open?.conversation.id === id && !open.messages.some((m) => m.id === messageId)) {
        const list = open.messages.slice()
        const before = after === null ? -1 : list.findIndex((m) => m.id === after)
        list.splice(after === null ? 0 : before === -1 ? Math.min(at, list.length) : before + 1, 0, message)
        open.messages = list
      }
      deleteError.value = toApiError(err)
      return false
    } finally {
      delete deleting.value[messageId]
      inflight--
      epoch++
      // Deleting an answer shows its newest other version, and changes what the context holds.
      if (ok && message.role === 'assistant') void sync(id, true)
    }
  }

  /** Undoes a delete; resolves to false with `restoreError` set when it can no longer be undone. */
  async function restoreMessage(messageId: string): Promise<boolean> {
    const current = detail.value
    const record = deleted.value.find((d) => d.message.id === messageId)
    if (!current || !record || record.conversationId !== current.conversation.id || busy.value || record.restoring) return false
    const id = record.conversationId
    record.restoring = true
    restoreError.value = null
    deleteError.value = null
    epoch++
    inflight++
    try {
      const fresh = await getApi().restoreChatMessage(id, messageId)
      // Offers that stood in the same place and came later now follow the restored message.
      for (const d of deleted.value) {
        if (d !== record && d.after === record.after && d.message.created_at > record.message.created_at) d.after = messageId
      }
      deleted.value = deleted.value.filter((d) => d !== record)
      applyDetail(fresh)
      return true
    } catch (err) {
      const failure = toApiError(err)
      // A turn started elsewhere (another window): nothing deleted before it can come back.
      if (failure.code === 'message_not_restorable') dropDeleted(id)
      restoreError.value = failure
      return false
    } finally {
      record.restoring = false
      inflight--
      epoch++
    }
  }

  /** Stops offering to undo a delete (the message stays deleted). */
  function dismissDeleted(messageId: string): void {
    deleted.value = deleted.value.filter((d) => d.message.id !== messageId)
  }

  /** Shows another version (from 1) of an answer; resolves to false with `versionError` set when refused. */
  async function showVersion(messageId: string, version: number): Promise<boolean> {
    const current = detail.value
    if (!current || busy.value || switchingVersion.value) return false
    const message = current.messages.find((m) => m.id === messageId)
    if (!message || version < 1 || version > message.versions || version === message.version) return false
    switchingVersion.value = messageId
    versionError.value = null
    epoch++
    inflight++
    try {
      applyDetail(await getApi().showAnswerVersion(current.conversation.id, messageId, { version }))
      return true
    } catch (err) {
      versionError.value = toApiError(err)
      return false
    } finally {
      switchingVersion.value = null
      inflight--
      epoch++
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

  /** Changes the model; what the conversation inherits and its context size come with it. */
  async function setTarget(target: ChatTarget): Promise<boolean> {
    const id = detail.value?.conversation.id
    const changed = await patch('target', (cid) => getApi().updateConversation(cid, { target }))
    if (changed && id) {
      const settings = useChatSettingsStore()
      if (settings.defaultsLoaded && detail.value?.conversation.id === id) detail.value.defaults = defaultsFor(settings.defaults, target)
      void sync(id)
    }
    return changed
  }

  /** Clears the conversation's own parameters: it uses the defaults again. */
  async function resetParams(): Promise<boolean> {
    if (!detail.value) return false
    savingDefaults.value = 'reset'
    defaultsError.value = null
    try {
      return await updateParams({ stop: [] })
    } finally {
      savingDefaults.value = null
    }
  }

  /** Shows what conversations inherit after the defaults changed (the open one's part of them). */
  function applyDefaults(defaults: ChatDefaults): void {
    if (detail.value) detail.value.defaults = defaultsFor(defaults, detail.value.conversation.target)
  }

  /**
   * Saves `params` (the parameters form) as the defaults of the conversation's model or of every
   * chat: the values it sets replace those defaults, the others stay (read-modify-write). The
   * conversation then keeps as its own only the values that differ from what it now inherits,
   * so that it follows the defaults and answers as the form said.
   */
  async function saveAsDefault(scope: DefaultsScope, params: ChatParams): Promise<boolean> {
    const current = detail.value
    if (!current || savingDefaults.value) return false
    const target = current.conversation.target
    if (scope === 'model' && target.kind !== 'model') return false
    const modelId = scope === 'model' && target.kind === 'model' ? target.model_id : null
    const settings = useChatSettingsStore()
    savingDefaults.value = scope
    defaultsError.value = null
    try {
      const saved = await settings.saveDefaults((fresh) => mergeIntoDefaults(fresh, modelId, params))
      if (!saved) {
        defaultsError.value = settings.defaultsSaveError
        return false
      }
      if (detail.value?.conversation.id !== current.conversation.id) return true
      const own = withoutInherited(paramsOver(params, { stop: [] }), defaultsFor(saved, target))
      return await updateParams(own)
    } finally {
      savingDefaults.value = null
    }
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
    deleted,
    restoreError,
    switchingVersion,
    versionError,
    savingDefaults,
    defaultsError,
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
    restoreMessage,
    dismissDeleted,
    showVersion,
    applyDetail,
    patch,
    updateParams,
    setTarget,
    resetParams,
    applyDefaults,
    saveAsDefault,
  }
})
