// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import type { ChatDefaults } from '../../generated/ChatDefaults'
import type { StoredMessage } from '../../generated/StoredMessage'
import { setLocale } from '../../composables/useI18n'
import { useChatStore } from '../../stores/chat'
import { useModelsStore } from '../../stores/models'
import { conversation, fake, localModel as model, mount, storedMessage, type, useChatTestSetup } from './chat.fixtures'
import ChatContextUsage from './ChatContextUsage.vue'
import ChatDefaultsDialog from './ChatDefaultsDialog.vue'
import ChatMessageItem from './ChatMessageItem.vue'
import ChatMessages from './ChatMessages.vue'
import ChatParamsPanel from './ChatParamsPanel.vue'

useChatTestSetup()

function message(id: string, role: StoredMessage['role'], content: string, extra: Partial<StoredMessage> = {}): StoredMessage {
  return storedMessage({ id, role, content, ...extra })
}

function open(messages: StoredMessage[] = [], extra: Partial<Parameters<ReturnType<typeof useChatStore>['adopt']>[0]> = {}) {
  const chat = useChatStore()
  chat.adopt({ conversation: { ...conversation }, messages, context: null, defaults: { stop: [] }, ...extra })
  return chat
}

describe('answer versions', () => {
  it('shows ‹ n/total › on an answer with versions and switches between them', async () => {
    const q = message('q', 'user', 'Q')
    const v2 = message('v2', 'assistant', 'second', { answers: 'q', version: 2, versions: 3 })
    const v3 = message('v3', 'assistant', 'third', { answers: 'q', version: 3, versions: 3 })
    open([q, v2])
    fake.api.showAnswerVersion = vi.fn(async () => ({ conversation, messages: [q, v3], context: null, defaults: { stop: [] } }))
    const { q: get } = mount(ChatMessages)
    expect(get('msg-version-count')!.textContent).toBe('2/3')
    expect(get('msg-versions')!.getAttribute('aria-label')).toBe('Answer version 2 of 3')
    const prev = get<HTMLButtonElement>('msg-version-prev')!
    const next = get<HTMLButtonElement>('msg-version-next')!
    expect([prev.getAttribute('aria-label'), next.getAttribute('aria-label')]).toEqual(['Previous version', 'Next version'])
    expect([prev.disabled, next.disabled]).toEqual([false, false])
    next.focus()
    next.click()
    await vi.waitFor(() => expect(get('msg-version-count')!.textContent).toBe('3/3'))
    expect(fake.api.showAnswerVersion).toHaveBeenCalledWith('c1', 'v2', { version: 3 })
    expect(get('chat-message')!.parentElement!.textContent).toContain('third')
    // At the end Next is disabled: the focus moves to Previous, on the same control.
    expect(get<HTMLButtonElement>('msg-version-next')!.disabled).toBe(true)
    await vi.waitFor(() => expect(document.activeElement).toBe(get('msg-version-prev')))
  })

  it('shows no version control on an answer with one version, and disables it while an answer streams', async () => {
    const one = mount(ChatMessageItem, { message: message('a', 'assistant', 'only'), label: 'Qwen', last: true })
    expect(one.q('msg-versions')).toBeNull()
    const chat = useChatStore()
    const first = mount(ChatMessageItem, { message: message('b', 'assistant', 'x', { version: 1, versions: 2 }), label: 'Qwen', last: false })
    expect(first.q<HTMLButtonElement>('msg-version-prev')!.disabled).toBe(true)
    expect(first.q<HTMLButtonElement>('msg-version-next')!.disabled).toBe(false)
    chat.status = 'streaming'
    await nextTick()
    expect(first.q<HTMLButtonElement>('msg-version-next')!.disabled).toBe(true)
  })
})

describe('edit and resend', () => {
  async function startEditing(get: ReturnType<typeof mount>['q'], text: string) {
    get<HTMLButtonElement>('msg-edit')!.click()
    await nextTick()
    type(get<HTMLTextAreaElement>('msg-edit-input')!, text)
    await nextTick()
    get<HTMLButtonElement>('msg-edit-save')!.click()
    await nextTick()
    await nextTick()
  }

  it('says how many messages the edit removes before resending', async () => {
    const u1 = message('u1', 'user', 'first')
    const chat = open([u1, message('a1', 'assistant', 'one', { versions: 2, version: 2 }), message('u2', 'user', 'second'), message('a2', 'assistant', 'two')])
    const edit = vi.spyOn(chat, 'edit').mockResolvedValue(true)
    const { q: get } = mount(ChatMessageItem, { message: u1, label: 'You', last: false })
    await startEditing(get, 'first, better')
    expect(edit).not.toHaveBeenCalled()
    const warning = get('msg-edit-warning')!
    expect(warning.textContent).toContain('This removes the 3 messages after it.')
    expect(warning.textContent).toContain('The earlier answer versions there (1) go too.')
    expect(warning.textContent).toContain('Save and resend?')
    expect(document.activeElement).toBe(get('msg-edit-confirm'))
    // Keep editing: back in the text, nothing sent.
    get<HTMLButtonElement>('msg-edit-keep')!.click()
    await nextTick()
    await nextTick()
    expect(get('msg-edit-warning')).toBeNull()
    expect(document.activeElement).toBe(get('msg-edit-input'))
    get<HTMLButtonElement>('msg-edit-save')!.click()
    await nextTick()
    get<HTMLButtonElement>('msg-edit-confirm')!.click()
    expect(edit).toHaveBeenCalledWith('u1', 'first, better')
  })

  it('says "the message" for one, in Chinese too, and asks nothing when nothing follows', async () => {
    const u1 = message('u1', 'user', 'first')
    const u2 = message('u2', 'user', 'last')
    const chat = open([u1, message('a1', 'assistant', 'one'), u2])
    const edit = vi.spyOn(chat, 'edit').mockResolvedValue(true)
    setLocale('zh')
    const one = mount(ChatMessageItem, { message: message('a0', 'user', 'x'), label: 'You', last: false })
    expect(one.q('msg-edit')).not.toBeNull()
    const firstItem = mount(ChatMessageItem, { message: u1, label: 'You', last: false })
    await startEditing(firstItem.q, 'changed')
    expect(firstItem.q('msg-edit-warning')!.textContent).toContain('这会删除它之后的 2 条消息。')
    setLocale('en')
    const lastItem = mount(ChatMessageItem, { message: u2, label: 'You', last: false })
    await startEditing(lastItem.q, 'last, edited')
    expect(lastItem.q('msg-edit-warning')).toBeNull()
    expect(edit).toHaveBeenCalledWith('u2', 'last, edited')
  })
})

describe('delete and undo', () => {
  it('deletes at once and offers Undo where the message was, until the next turn', async () => {
    const q = message('q', 'user', 'Question')
    const a = message('a', 'assistant', 'A long answer', { answers: 'q' })
    const chat = open([q, a])
    fake.api.deleteChatMessage = vi.fn(async () => {})
    fake.api.getConversation = vi.fn(async () => ({ conversation, messages: [q], context: null, defaults: { stop: [] } }))
    fake.api.restoreChatMessage = vi.fn(async () => ({ conversation, messages: [q, a], context: null, defaults: { stop: [] } }))
    const { q: get, all } = mount(ChatMessages)
    all('msg-delete')[1].click()
    await vi.waitFor(() => expect(get('msg-deleted')).not.toBeNull())
    expect(fake.api.deleteChatMessage).toHaveBeenCalledWith('c1', 'a')
    expect(all('chat-message').map((m) => m.dataset.messageId)).toEqual(['q'])
    const notice = get('msg-deleted')!
    expect(notice.getAttribute('role')).toBe('status')
    expect(notice.textContent).toContain('Message deleted')
    expect(notice.textContent).toContain('“A long answer”')
    // Right where the answer was: after the question.
    expect(notice.previousElementSibling?.getAttribute('data-message-id')).toBe('q')
    // The Delete button went with the message: the keyboard lands on Undo.
    expect(document.activeElement).toBe(get('msg-undo'))
    get<HTMLButtonElement>('msg-undo')!.click()
    await vi.waitFor(() => expect(all('chat-message').map((m) => m.dataset.messageId)).toEqual(['q', 'a']))
    expect(fake.api.restoreChatMessage).toHaveBeenCalledWith('c1', 'a')
    expect(get('msg-deleted')).toBeNull()

    // Deleted again, then a turn starts: the offer goes.
    all('msg-delete')[1].click()
    await vi.waitFor(() => expect(get('msg-deleted')).not.toBeNull())
    chat.status = 'waiting'
    await nextTick()
    expect(get('msg-deleted')).toBeNull()
  })

  it('can dismiss the offer, and says when the message can no longer be restored', async () => {
    const q = message('q', 'user', 'Question')
    open([q])
    fake.api.deleteChatMessage = vi.fn(async () => {})
    const { q: get } = mount(ChatMessages)
    get<HTMLButtonElement>('msg-delete')!.click()
    await vi.waitFor(() => expect(get('msg-deleted')).not.toBeNull())
    expect(get('msg-undo-dismiss')!.getAttribute('aria-label')).toBe('Dismiss (the message stays deleted)')
    const { ApiError } = await import('../../api')
    fake.api.restoreChatMessage = vi.fn(async () => {
      throw new ApiError('message_not_restorable', 'The conversation went on since.')
    })
    get<HTMLButtonElement>('msg-undo')!.click()
    await vi.waitFor(() => expect(get('msg-restore-error')?.textContent).toContain('A newer turn has ended the undo'))
    expect(get('msg-deleted')).toBeNull()
  })
})

describe('context usage', () => {
  it('shows used / size tokens with a meter, and warns before sending when nearly full', async () => {
    const chat = open([], { context: { used_tokens: 812, context_size: 2048, near_limit: false } })
    const onNew = vi.fn()
    const { q: get } = mount(ChatContextUsage, { onNewChat: onNew })
    expect(get('chat-context-text')!.textContent).toBe('812 / 2,048 tokens')
    const meter = get('chat-context-meter')!
    expect(meter.getAttribute('role')).toBe('meter')
    expect([meter.getAttribute('aria-valuemin'), meter.getAttribute('aria-valuenow'), meter.getAttribute('aria-valuemax')]).toEqual(['0', '812', '2048'])
    expect(meter.getAttribute('aria-valuetext')).toBe('812 of 2,048 tokens (40 %)')
    expect(get('chat-context')!.querySelector('[title]')!.getAttribute('title')).toContain('unknown for external endpoints')
    expect(get('chat-context-warning')).toBeNull()

    chat.detail!.context = { used_tokens: 1800, context_size: 2048, near_limit: true }
    await nextTick()
    const warning = get('chat-context-warning')!
    expect(warning.getAttribute('role')).toBe('alert')
    expect(warning.textContent).toContain('This chat uses 88 % of the model’s context. Older messages may be cut off: start a new chat or shorten it.')
    get<HTMLButtonElement>('chat-context-new')!.click()
    expect(onNew).toHaveBeenCalled()

    setLocale('zh')
    await nextTick()
    expect(get('chat-context-text')!.textContent).toBe('1,800 / 2,048 词元')

    chat.detail!.context = null
    await nextTick()
    expect(get('chat-context')).toBeNull()
  })

  it('updates from the done event of each answer', async () => {
    const chat = open([], { context: { used_tokens: 0, context_size: 4096, near_limit: false } })
    let emit!: (e: unknown) => void
    fake.api.chatTurn = vi.fn(async (_id: string, _turn: unknown, onEvent: (e: unknown) => void) => {
      emit = onEvent
      return { cancel: vi.fn(), done: new Promise(() => {}) }
    })
    const { q: get } = mount(ChatContextUsage)
    expect(get('chat-context-text')!.textContent).toBe('0 / 4,096 tokens')
    await chat.send('Hi')
    emit({ event: 'started', user_message: message('u', 'user', 'Hi'), assistant_message: message('x', 'assistant', '', { status: 'streaming' }), conversation })
    const stats = { ttft_ms: 1, duration_ms: 2, tokens_per_second: 3, prompt_tokens: 3700, completion_tokens: 100, counted: false }
    emit({ event: 'done', finish_reason: 'stop', usage: null, stats, context: { used_tokens: 3800, context_size: 4096, near_limit: true } })
    await nextTick()
    expect(get('chat-context-text')!.textContent).toBe('3,800 / 4,096 tokens')
    expect(get('chat-context-warning')!.textContent).toContain('93 %')
  })
})

describe('defaults in the parameters panel', () => {
  beforeEach(() => {
    useModelsStore().models = [model('m1', 'Qwen')]
    fake.api.listChatPresets = vi.fn(async () => [])
  })

  it('shows what empty fields inherit, greyed', async () => {
    open([], { defaults: { stop: ['###'], temperature: 0.7, system_prompt: 'Be brief.' } })
    const { q: get } = mount(ChatParamsPanel)
    expect(get<HTMLInputElement>('param-temperature')!.placeholder).toBe('default: 0.7')
    expect(get<HTMLInputElement>('param-top-p')!.placeholder).toBe('default')
    expect(get<HTMLTextAreaElement>('param-system')!.placeholder).toBe('Be brief.')
    expect(get('param-system-inherited')!.textContent).toContain('the default system prompt shown greyed is used')
    expect(get<HTMLTextAreaElement>('param-stop')!.placeholder).toBe('default: ###')
    type(get<HTMLTextAreaElement>('param-system')!, 'My own prompt.')
    await nextTick()
    expect(get('param-system-inherited')).toBeNull()
  })

  it('saves the form as the model’s default (merged into what was saved) and resets to the defaults', async () => {
    const chat = open([], { defaults: { stop: [], temperature: 0.7 } })
    let stored: ChatDefaults = { global: { stop: [], temperature: 0.7 }, models: { m1: { stop: [], top_p: 0.9 } } }
    fake.api.getChatDefaults = vi.fn(async () => stored)
    fake.api.setChatDefaults = vi.fn(async (d: ChatDefaults) => (stored = d))
    fake.api.updateConversation = vi.fn(async (_id: string, patch: object) => ({ ...chat.conversation!, ...patch }))
    const { q: get } = mount(ChatParamsPanel)
    expect(get('param-save-model-default')!.textContent).toContain('Save as default for this model')
    expect(get('param-save-model-default')!.getAttribute('title')).toContain('Qwen')
    type(get<HTMLInputElement>('param-max-tokens')!, '256')
    await nextTick()
    get<HTMLButtonElement>('param-save-model-default')!.click()
    await vi.waitFor(() => expect(get('param-defaults-done')?.textContent).toBe('Saved as the default for Qwen.'))
    expect(fake.api.setChatDefaults).toHaveBeenCalledWith({ global: { stop: [], temperature: 0.7 }, models: { m1: { stop: [], top_p: 0.9, max_tokens: 256 } } })
    // The chat now inherits the value: the field is empty, with the default greyed.
    expect(fake.api.updateConversation).toHaveBeenCalledWith('c1', { params: { stop: [] } })
    expect(get<HTMLInputElement>('param-max-tokens')!.value).toBe('')
    expect(get<HTMLInputElement>('param-max-tokens')!.placeholder).toBe('default: 256')
    expect(get<HTMLInputElement>('param-top-p')!.placeholder).toBe('default: 0.9')

    type(get<HTMLInputElement>('param-seed')!, '4')
    await nextTick()
    get<HTMLButtonElement>('param-save')!.click()
    await vi.waitFor(() => expect(chat.conversation?.params).toEqual({ stop: [], seed: 4 }))
    get<HTMLButtonElement>('param-reset')!.click()
    await vi.waitFor(() => expect(get('param-defaults-done')?.textContent).toBe('This chat uses the defaults again.'))
    expect(chat.conversation?.params).toEqual({ stop: [] })
    expect(get<HTMLInputElement>('param-seed')!.value).toBe('')
  })

  it('offers only the all-chats default for an endpoint, and validates before saving', async () => {
    open()
    useChatStore().detail!.conversation.target = { kind: 'endpoint', endpoint_id: 'e1', model: 'x' }
    fake.api.getChatDefaults = vi.fn()
    const { q: get, host } = mount(ChatParamsPanel)
    expect(get('param-save-model-default')).toBeNull()
    type(get<HTMLInputElement>('param-temperature')!, '3')
    await nextTick()
    get<HTMLButtonElement>('param-save-global-default')!.click()
    await nextTick()
    expect(host.textContent).toContain('A number from 0 to 2')
    expect(fake.api.getChatDefaults).not.toHaveBeenCalled()
  })
})

describe('ChatDefaultsDialog', () => {
  it('lists every chat and each model by name, edits one with the same validation and saves it', async () => {
    useModelsStore().models = [model('m1', 'Qwen'), model('m2', 'Llama')]
    useModelsStore().loaded = true
    let stored: ChatDefaults = { global: { stop: [], temperature: 0.7 }, models: { m1: { stop: [], top_p: 0.9 } } }
    fake.api.getChatDefaults = vi.fn(async () => stored)
    fake.api.setChatDefaults = vi.fn(async (d: ChatDefaults) => (stored = d))
    const { q: get, host } = mount(ChatDefaultsDialog)
    await vi.waitFor(() => expect(get('chat-defaults-scope')).not.toBeNull())
    const select = get<HTMLSelectElement>('chat-defaults-scope')!
    expect(Array.from(select.options).map((o) => o.textContent)).toEqual(['All chats', 'Llama', 'Qwen · own defaults'])
    expect(get<HTMLInputElement>('defaults-temperature')!.value).toBe('0.7')
    expect(get<HTMLInputElement>('defaults-top-p')!.placeholder).toBe('engine default')
    expect(get<HTMLButtonElement>('chat-defaults-save')!.disabled).toBe(true)

    select.value = 'model:m2'
    select.dispatchEvent(new Event('change'))
    await nextTick()
    // A model's empty fields inherit the defaults for every chat.
    expect(get<HTMLInputElement>('defaults-temperature')!.placeholder).toBe('default: 0.7')
    type(get<HTMLInputElement>('defaults-temperature')!, '3')
    await nextTick()
    expect(Array.from(select.options).map((o) => o.textContent)[1]).toBe('Llama · unsaved')
    get<HTMLButtonElement>('chat-defaults-save')!.click()
    await vi.waitFor(() => expect(host.textContent).toContain('A number from 0 to 2'))
    expect(get('chat-defaults-problem')!.textContent).toBe('Fix the highlighted fields of “Llama”.')
    expect(fake.api.setChatDefaults).not.toHaveBeenCalled()
    type(get<HTMLInputElement>('defaults-temperature')!, '0.4')
    await nextTick()
    get<HTMLButtonElement>('chat-defaults-save')!.click()
    await vi.waitFor(() => expect(get('chat-defaults-saved')).not.toBeNull())
    expect(fake.api.setChatDefaults).toHaveBeenCalledWith({
      global: { stop: [], temperature: 0.7 },
      models: { m1: { stop: [], top_p: 0.9 }, m2: { stop: [], temperature: 0.4 } },
    })
  })

  it('clears a model’s defaults', async () => {
    useModelsStore().models = [model('m1', 'Qwen')]
    let stored: ChatDefaults = { global: { stop: [] }, models: { m1: { stop: [], top_p: 0.9 } } }
    fake.api.getChatDefaults = vi.fn(async () => stored)
    fake.api.setChatDefaults = vi.fn(async (d: ChatDefaults) => (stored = d))
    const onClose = vi.fn()
    const { q: get } = mount(ChatDefaultsDialog, { initialModel: 'm1', onClose })
    await vi.waitFor(() => expect(get<HTMLInputElement>('defaults-top-p')?.value).toBe('0.9'))
    get<HTMLButtonElement>('chat-defaults-clear')!.click()
    await nextTick()
    expect(get<HTMLInputElement>('defaults-top-p')!.value).toBe('')
    get<HTMLButtonElement>('chat-defaults-save')!.click()
    await vi.waitFor(() => expect(fake.api.setChatDefaults).toHaveBeenCalledWith({ global: { stop: [] }, models: {} }))
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', cancelable: true }))
    expect(onClose).toHaveBeenCalled()
  })
})
