// @vitest-environment jsdom
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, nextTick, ref, type Component } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { ChatTarget } from '../../generated/ChatTarget'
import type { InstanceInfo } from '../../generated/InstanceInfo'
import type { StoredMessage } from '../../generated/StoredMessage'

const fake = vi.hoisted(() => ({ api: {} as Record<string, ReturnType<typeof import('vitest').vi.fn>> }))
vi.mock('../../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../api')>()
  return { ...actual, getApi: () => fake.api }
})

import { useChatStore } from '../../stores/chat'
import { useChatSettingsStore } from '../../stores/chatSettings'
import { useConversationsStore } from '../../stores/conversations'
import { useModelsStore } from '../../stores/models'
import ChatComposer from './ChatComposer.vue'
import ChatMessageItem from './ChatMessageItem.vue'
import ChatParamsPanel from './ChatParamsPanel.vue'
import ChatPresets from './ChatPresets.vue'
import ChatStart from './ChatStart.vue'
import ConversationSidebar from './ConversationSidebar.vue'

let pinia: Pinia
const mounted: (() => void)[] = []

function mount(component: Component, props: Record<string, unknown> = {}) {
  const host = document.createElement('div')
  document.body.appendChild(host)
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/chat/:id?', name: 'chat', component: { render: () => null } }, { path: '/', component: { render: () => null } }] })
  const app = createApp({ render: () => h(component, props) })
  app.use(pinia).use(router)
  app.mount(host)
  mounted.push(() => {
    app.unmount()
    host.remove()
  })
  const q = <T extends Element = HTMLElement>(testid: string) => host.querySelector<T>(`[data-testid="${testid}"]`)
  const all = (testid: string) => Array.from(host.querySelectorAll<HTMLElement>(`[data-testid="${testid}"]`))
  return { host, q, all }
}

function key(el: Element, init: KeyboardEventInit & { keyCode?: number }) {
  const e = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init })
  if (init.keyCode !== undefined) Object.defineProperty(e, 'keyCode', { value: init.keyCode })
  el.dispatchEvent(e)
  return e
}

function type(el: HTMLInputElement | HTMLTextAreaElement, value: string) {
  el.value = value
  el.dispatchEvent(new Event('input', { bubbles: true }))
}

function message(extra: Partial<StoredMessage>): StoredMessage {
  return {
    id: 'a1',
    conversation_id: 'c1',
    role: 'assistant',
    content: '',
    reasoning: '',
    status: 'complete',
    error: null,
    stats: null,
    created_at: 1,
    updated_at: 1,
    ...extra,
  }
}

beforeEach(() => {
  pinia = createPinia()
  setActivePinia(pinia)
  fake.api = {}
})
afterEach(() => {
  while (mounted.length) mounted.pop()!()
  vi.useRealTimers()
})

describe('ChatComposer', () => {
  it('sends on Enter, not on Shift+Enter nor while an IME composes', async () => {
    const submit = vi.fn(async () => true)
    const { q } = mount(ChatComposer, { submit })
    const input = q<HTMLTextAreaElement>('chat-input')!
    type(input, '你好')
    await nextTick()
    expect(key(input, { key: 'Enter', isComposing: true }).defaultPrevented).toBe(false)
    key(input, { key: 'Enter', keyCode: 229 })
    key(input, { key: 'Enter', shiftKey: true })
    expect(submit).not.toHaveBeenCalled()
    key(input, { key: 'Enter' })
    expect(submit).toHaveBeenCalledWith('你好')
    await vi.waitFor(() => expect(input.value).toBe(''))
  })

  it('gives the text back when it could not be sent', async () => {
    const submit = vi.fn(async () => false)
    const { q } = mount(ChatComposer, { submit })
    const input = q<HTMLTextAreaElement>('chat-input')!
    type(input, 'keep me')
    await nextTick()
    q<HTMLButtonElement>('chat-send')!.click()
    await vi.waitFor(() => expect(input.value).toBe('keep me'))
  })

  it('shows Stop only while an answer is on its way', async () => {
    const { q } = mount(ChatComposer, { submit: async () => true })
    expect(q('chat-stop')).toBeNull()
    useChatStore().status = 'streaming'
    await nextTick()
    expect(q('chat-stop')).not.toBeNull()
  })
})

describe('ChatMessageItem', () => {
  it('shows thinking open while it streams and the answer as Markdown', async () => {
    const chat = useChatStore()
    chat.streamingId = 'a1'
    chat.status = 'streaming'
    const m = message({ content: '<think>Let me see', status: 'streaming' })
    const { q, host } = mount(ChatMessageItem, { message: m, label: 'Qwen', last: true })
    const details = q<HTMLDetailsElement>('msg-reasoning')!
    expect(details.open).toBe(true)
    expect(details.textContent).toContain('Let me see')
    expect(q('msg-copy')).toBeNull()
    expect(host.querySelector('[data-testid="chat-message"]')?.getAttribute('data-status')).toBe('streaming')
  })

  it('closes the reasoning and shows stats once finished', () => {
    const stats = { ttft_ms: 120, duration_ms: 900, tokens_per_second: 148.3, prompt_tokens: 12, completion_tokens: 85, counted: true }
    const m = message({ content: '<think>hm</think>**Yes.**', reasoning: '', stats })
    const { q } = mount(ChatMessageItem, { message: m, label: 'Qwen', last: true })
    expect(q<HTMLDetailsElement>('msg-reasoning')!.open).toBe(false)
    expect(q('markdown')!.querySelector('strong')?.textContent).toBe('Yes.')
    expect(q('chat-stats')!.textContent).toBe('TTFT 120 ms · 148.3 tok/s · ≈12 prompt · ≈85 completion tokens')
    expect(q('msg-regenerate')).not.toBeNull()
  })

  it('says why an answer ended early', () => {
    const failed = mount(ChatMessageItem, {
      message: message({ status: 'failed', content: 'Part', error: { code: 'upstream_failed', message: 'The model crashed.' } }),
      label: 'Qwen',
      last: false,
    })
    expect(failed.q('chat-error')!.textContent).toContain('The model crashed.')
    expect(failed.q('msg-regenerate')).toBeNull()
    expect(mount(ChatMessageItem, { message: message({ status: 'stopped', content: 'x' }), label: '', last: false }).q('msg-stopped')).not.toBeNull()
    expect(mount(ChatMessageItem, { message: message({ status: 'incomplete', content: 'x' }), label: '', last: false }).q('msg-incomplete')).not.toBeNull()
  })

  it('edits a user message inline and resends it', async () => {
    const chat = useChatStore()
    const edit = vi.spyOn(chat, 'edit').mockResolvedValue(true)
    const { q } = mount(ChatMessageItem, { message: message({ id: 'u1', role: 'user', content: 'old' }), label: 'You', last: false })
    expect(q('chat-message')!.querySelector('.chat-text')!.textContent).toBe('old')
    q<HTMLButtonElement>('msg-edit')!.click()
    await nextTick()
    const input = q<HTMLTextAreaElement>('msg-edit-input')!
    expect(input.value).toBe('old')
    type(input, 'new text')
    await nextTick()
    q<HTMLButtonElement>('msg-edit-save')!.click()
    expect(edit).toHaveBeenCalledWith('u1', 'new text')
  })

  it('asks before deleting a message', async () => {
    const chat = useChatStore()
    const remove = vi.spyOn(chat, 'deleteMessage').mockResolvedValue(true)
    const { q } = mount(ChatMessageItem, { message: message({ content: 'Hi' }), label: 'Qwen', last: true })
    q<HTMLButtonElement>('msg-delete')!.click()
    await nextTick()
    await nextTick()
    expect(remove).not.toHaveBeenCalled()
    expect(q('msg-delete')).toBeNull()
    expect(q('chat-message')!.textContent).toContain('Delete this message?')
    expect(document.activeElement).toBe(q('msg-delete-cancel'))
    q<HTMLButtonElement>('msg-delete-cancel')!.click()
    await nextTick()
    expect(q('msg-delete-confirm')).toBeNull()
    expect(remove).not.toHaveBeenCalled()
    q<HTMLButtonElement>('msg-delete')!.click()
    await nextTick()
    q<HTMLButtonElement>('msg-delete-confirm')!.click()
    await nextTick()
    expect(remove).toHaveBeenCalledWith('a1')
    expect(q('msg-delete')).not.toBeNull()
  })
})

describe('ConversationSidebar', () => {
  it('highlights search matches as text, never as HTML', async () => {
    vi.useFakeTimers()
    fake.api.searchConversations = vi.fn(async () => [
      { conversation_id: 'c1', conversation_title: 'Sea', message_id: 'm1', role: 'user', snippet: 'about the \u0002sea\u0003 <img src=x onerror=alert(1)>', updated_at: 1 },
    ])
    const { q, all } = mount(ConversationSidebar, { activeId: null })
    type(q<HTMLInputElement>('chat-search')!, 'sea')
    vi.advanceTimersByTime(150)
    expect(fake.api.searchConversations).not.toHaveBeenCalled()
    vi.advanceTimersByTime(60)
    expect(fake.api.searchConversations).toHaveBeenCalledWith({ q: 'sea' })
    vi.useRealTimers()
    await vi.waitFor(() => expect(all('chat-search-result')).toHaveLength(1))
    const result = all('chat-search-result')[0]
    expect(result.querySelector('mark')?.textContent).toBe('sea')
    expect(result.querySelector('img')).toBeNull()
    expect(result.textContent).toContain('<img src=x onerror=alert(1)>')
  })

  it('groups pinned conversations on top and renames inline', async () => {
    const store = useConversationsStore()
    const base = { target: { kind: 'model' as const, model_id: 'm1' }, target_label: 'Qwen', params: { stop: [] }, created_at: 1 }
    store.list = [
      { ...base, id: 'p', title: 'Pinned one', pinned: true, updated_at: 1 },
      { ...base, id: 'r', title: 'Recent one', pinned: false, updated_at: 2 },
    ]
    store.loaded = true
    fake.api.updateConversation = vi.fn(async (id: string, patch: object) => ({ ...store.byId(id)!, ...patch }))
    const { all, q } = mount(ConversationSidebar, { activeId: 'r' })
    await nextTick()
    const items = all('conversation-item')
    expect(items.map((i) => [i.dataset.conversationId, i.dataset.pinned])).toEqual([
      ['p', 'true'],
      ['r', 'false'],
    ])
    items[1].querySelector<HTMLButtonElement>('[data-testid="conversation-rename"]')!.click()
    await nextTick()
    const input = q<HTMLInputElement>('conversation-rename-input')!
    type(input, 'Renamed')
    key(input, { key: 'Enter' })
    await vi.waitFor(() => expect(fake.api.updateConversation).toHaveBeenCalledWith('r', { title: 'Renamed' }))
    await vi.waitFor(() => expect(all('conversation-item')[1].textContent).toContain('Renamed'))
  })
})

describe('ChatParamsPanel', () => {
  it('validates before saving and saves what the form says', async () => {
    const chat = useChatStore()
    chat.adopt({
      conversation: { id: 'c1', title: 't', target: { kind: 'model', model_id: 'm1' }, target_label: 'Qwen', params: { stop: [] }, pinned: false, created_at: 1, updated_at: 1 },
      messages: [],
    })
    fake.api.listChatPresets = vi.fn(async () => [])
    fake.api.updateConversation = vi.fn(async (_id: string, patch: object) => ({ ...chat.conversation!, ...patch }))
    const { q, host } = mount(ChatParamsPanel)
    type(q<HTMLInputElement>('param-temperature')!, '3')
    await nextTick()
    q<HTMLButtonElement>('param-save')!.click()
    await nextTick()
    expect(fake.api.updateConversation).not.toHaveBeenCalled()
    expect(host.textContent).toContain('A number from 0 to 2')
    type(q<HTMLInputElement>('param-temperature')!, '0.4')
    type(q<HTMLTextAreaElement>('param-stop')!, '###, User:')
    await nextTick()
    q<HTMLButtonElement>('param-save')!.click()
    await vi.waitFor(() => expect(q('param-saved')).not.toBeNull())
    expect(fake.api.updateConversation).toHaveBeenCalledWith('c1', { params: { stop: ['###', 'User:'], temperature: 0.4 } })
  })
})

describe('ChatPresets', () => {
  it('says the presets are loading, then that there are none', async () => {
    let release!: () => void
    fake.api.listChatPresets = vi.fn(() => new Promise((r) => (release = () => r([]))))
    const { q } = mount(ChatPresets, { current: () => null })
    const firstOption = () => q<HTMLSelectElement>('preset-select')!.options[0].textContent
    await vi.waitFor(() => expect(firstOption()).toBe('Loading…'))
    release()
    await vi.waitFor(() => expect(firstOption()).toBe('No presets yet'))
  })
})

describe('ChatStart', () => {
  const instance: InstanceInfo = {
    id: 'i1', model_id: 'm1', model_name: 'Smol', served_model: 'Smol', engine: 'llama_cpp', port: 41000, pid: 42,
    state: { kind: 'running' }, base_url: 'http://127.0.0.1:41000', binary: 'llama-server', binary_source: 'path',
    binary_version: null, started_at: 1, updated_at: 1,
  }
  const endpoint = { id: 'e1', name: 'Ollama', base_url: 'http://127.0.0.1:11434/v1', has_api_key: false, created_at: 1 }

  /** ChatStart with its target held and created the way the chat page does. */
  function mountStart() {
    const target = ref<ChatTarget | null>(null)
    const conversations = useConversationsStore()
    const Host = defineComponent({
      setup: () => () =>
        h(ChatStart, {
          modelValue: target.value,
          'onUpdate:modelValue': (v: ChatTarget) => (target.value = v),
          onCreate: () => void conversations.create({ target: target.value! }),
        }),
    })
    return { target, ...mount(Host) }
  }

  beforeEach(() => {
    const models = useModelsStore()
    models.instances = [instance]
    models.loaded = true
    fake.api.listChatEndpoints = vi.fn(async () => [endpoint])
    fake.api.chatEndpointModels = vi.fn(async () => ['llama3'])
    fake.api.createConversation = vi.fn(async (c: { target: ChatTarget }) => ({
      id: 'c9', title: 'New chat', target: c.target, target_label: 'x', params: { stop: [] }, pinned: false, created_at: 1, updated_at: 1,
    }))
  })

  async function ready(q: ReturnType<typeof mount>['q']) {
    await vi.waitFor(() => expect(q('chat-target-manual')).not.toBeNull())
    return q<HTMLSelectElement>('chat-target')!
  }

  it('keeps a model name typed for an endpoint and creates the conversation with it', async () => {
    const { q, target } = mountStart()
    const select = await ready(q)
    expect(target.value).toEqual({ kind: 'model', model_id: 'm1' })
    select.value = 'endpoint:e1:'
    select.dispatchEvent(new Event('change'))
    await nextTick()
    type(q<HTMLInputElement>('chat-target-model')!, 'foo')
    await nextTick()
    q<HTMLButtonElement>('chat-target-model-apply')!.click()
    await nextTick()
    await nextTick()
    expect(target.value).toEqual({ kind: 'endpoint', endpoint_id: 'e1', model: 'foo' })
    expect(q<HTMLSelectElement>('chat-target')!.value).toBe('endpoint:e1:foo')
    q<HTMLButtonElement>('chat-start')!.click()
    await vi.waitFor(() => expect(fake.api.createConversation).toHaveBeenCalled())
    expect(fake.api.createConversation).toHaveBeenCalledWith({ target: { kind: 'endpoint', endpoint_id: 'e1', model: 'foo' } })
  })

  it('replaces a target once its endpoint is removed, or its model no longer runs', async () => {
    const { q, target } = mountStart()
    await ready(q)
    target.value = { kind: 'endpoint', endpoint_id: 'e1', model: 'foo' }
    await nextTick()
    await nextTick()
    expect(target.value).toEqual({ kind: 'endpoint', endpoint_id: 'e1', model: 'foo' })
    useChatSettingsStore().endpoints = []
    await vi.waitFor(() => expect(target.value).toEqual({ kind: 'model', model_id: 'm1' }))
    useChatSettingsStore().endpoints = [endpoint]
    target.value = { kind: 'endpoint', endpoint_id: 'e1', model: 'llama3' }
    await vi.waitFor(() => expect(q<HTMLSelectElement>('chat-target')!.value).toBe('endpoint:e1:llama3'))
    useModelsStore().instances = []
    await nextTick()
    expect(target.value).toEqual({ kind: 'endpoint', endpoint_id: 'e1', model: 'llama3' })
    target.value = { kind: 'model', model_id: 'm1' }
    await vi.waitFor(() => expect(target.value).toEqual({ kind: 'endpoint', endpoint_id: 'e1', model: 'llama3' }))
  })
})
