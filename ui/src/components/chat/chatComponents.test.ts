// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick, ref } from 'vue'
import type { ChatTarget } from '../../generated/ChatTarget'
import type { InstanceInfo } from '../../generated/InstanceInfo'
import { ApiError } from '../../api'
import { setLocale } from '../../composables/useI18n'
import { useChatStore } from '../../stores/chat'
import { useChatSettingsStore } from '../../stores/chatSettings'
import { useConversationsStore } from '../../stores/conversations'
import { useModelsStore } from '../../stores/models'
import { fake, key, localModel, mount, storedMessage as message, type, useChatTestSetup } from './chat.fixtures'
import ChatComposer from './ChatComposer.vue'
import ChatHeader from './ChatHeader.vue'
import ChatMessageItem from './ChatMessageItem.vue'
import ChatParamsPanel from './ChatParamsPanel.vue'
import ChatPresets from './ChatPresets.vue'
import ChatStart from './ChatStart.vue'
import ConversationSidebar from './ConversationSidebar.vue'

useChatTestSetup()

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
    // The reasoning scrolls past its max-height: the keyboard reaches it, and it has a name.
    const region = q('msg-reasoning-text')!
    expect(region.textContent).toBe('hm')
    expect(region.tabIndex).toBe(0)
    expect(region.getAttribute('role')).toBe('group')
    expect(region.getAttribute('aria-label')).toBe('Reasoning')
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

  it('says why an answer failed in the UI’s language, with the values the server sent', async () => {
    const error = {
      code: 'engine_unreachable',
      message: 'Could not reach the engine at http://127.0.0.1:41000: connection refused. The model may have stopped; check its logs',
      params: { url: 'http://127.0.0.1:41000', detail: 'connection refused' },
    }
    const { q } = mount(ChatMessageItem, { message: message({ status: 'failed', content: 'Part', error }), label: 'Qwen', last: false })
    expect(q('chat-error')!.textContent).toContain('Could not reach the engine at http://127.0.0.1:41000: connection refused.')
    setLocale('zh')
    await nextTick()
    expect(q('chat-error')!.textContent).toContain('无法连接位于 http://127.0.0.1:41000 的引擎：connection refused。模型可能已停止；请查看其日志。')
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

  it('deletes a message at once, without asking', async () => {
    const chat = useChatStore()
    const remove = vi.spyOn(chat, 'deleteMessage').mockResolvedValue(true)
    const { q } = mount(ChatMessageItem, { message: message({ content: 'Hi' }), label: 'Qwen', last: true })
    q<HTMLButtonElement>('msg-delete')!.click()
    await nextTick()
    expect(remove).toHaveBeenCalledWith('a1')
    expect(q('chat-message')!.textContent).not.toContain('Delete this message?')
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
      context: null,
      defaults: { stop: [] },
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
    binary_version: null, context_size: 4096, gpus: null, started_at: 1, updated_at: 1,
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

  describe('local models in the picker', () => {
    const of = (modelId: string, name: string, state: InstanceInfo['state'], at = 1): InstanceInfo => ({
      ...instance, id: `i-${modelId}-${at}`, model_id: modelId, model_name: name, state, started_at: at, updated_at: at,
    })

    beforeEach(() => {
      const models = useModelsStore()
      models.models = [localModel('m1', 'Smol'), localModel('m2', 'Qwen'), localModel('m3', 'Mistral'), localModel('m4', 'Phi')]
      models.instances = [
        instance,
        of('m3', 'Mistral', { kind: 'failed', reason: 'The engine exited with code 1 before becoming ready.' }),
        of('m4', 'Phi', { kind: 'starting' }),
      ]
    })

    const groups = (select: HTMLSelectElement) =>
      Array.from(select.querySelectorAll<HTMLOptGroupElement>('optgroup[data-testid="chat-target-local"]')).map((g) => [
        g.label,
        Array.from(g.querySelectorAll('option')).map((o) => o.textContent?.trim()),
      ])
    const pick = async (select: HTMLSelectElement, value: string) => {
      select.value = value
      select.dispatchEvent(new Event('change'))
      await nextTick()
    }

    it('lists every local model, grouped by its state, with the running ones first', async () => {
      const { q } = mountStart()
      const select = await ready(q)
      expect(groups(select)).toEqual([
        ['Running local models', ['Smol']],
        ['Local models starting', ['Phi · starting…']],
        ['Stopped local models (pick one to start it)', ['Qwen · stopped']],
        ['Local models that failed', ['Mistral · failed']],
      ])
      setLocale('zh')
      await nextTick()
      expect(groups(select)[2]).toEqual(['已停止的本地模型（选择即可启动）', ['Qwen · 已停止']])
      setLocale('en')
    })

    it('offers Start for a stopped model, shows it starting, and selects it once it runs', async () => {
      fake.api.startModel = vi.fn(async () => of('m2', 'Qwen', { kind: 'pending' }, 5))
      const { q, target } = mountStart()
      const select = await ready(q)
      expect(target.value).toEqual({ kind: 'model', model_id: 'm1' })
      await pick(select, 'model:m2')
      // Not chosen yet: the chat keeps its model until the picked one runs.
      expect(target.value).toEqual({ kind: 'model', model_id: 'm1' })
      expect(select.value).toBe('model:m2')
      expect(q('chat-model-start')!.dataset.phase).toBe('stopped')
      expect(q('chat-model-start')!.textContent).toContain('“Qwen” is not running. Start it to chat with it?')
      expect(fake.api.startModel).not.toHaveBeenCalled()
      // The chat cannot start with it yet (nor with the model the picker no longer shows).
      expect(q<HTMLButtonElement>('chat-start')!.disabled).toBe(true)
      q<HTMLButtonElement>('chat-model-start-button')!.click()
      await vi.waitFor(() => expect(fake.api.startModel).toHaveBeenCalledWith('m2'))
      await vi.waitFor(() => expect(q('chat-model-start')!.dataset.phase).toBe('starting'))
      expect(q('chat-model-start')!.textContent).toContain('Starting “Qwen”… It is selected as soon as it runs.')
      expect(target.value).toEqual({ kind: 'model', model_id: 'm1' })
      useModelsStore().upsertInstance(of('m2', 'Qwen', { kind: 'running' }, 5))
      await vi.waitFor(() => expect(target.value).toEqual({ kind: 'model', model_id: 'm2' }))
      await nextTick()
      expect(q('chat-model-start')).toBeNull()
      expect(q<HTMLSelectElement>('chat-target')!.value).toBe('model:m2')
      expect(q<HTMLButtonElement>('chat-start')!.disabled).toBe(false)
      expect(groups(q<HTMLSelectElement>('chat-target')!)[0]).toEqual(['Running local models', ['Smol', 'Qwen']])
    })

    it('shows why a start failed, with the engine’s output, and lets the user try again', async () => {
      fake.api.startModel = vi.fn(async () => {
        throw new ApiError('model_file_missing', 'The model file /models/m2.gguf does not exist', 400, { path: '/models/m2.gguf' })
      })
      const { q, target } = mountStart()
      const select = await ready(q)
      await pick(select, 'model:m2')
      q<HTMLButtonElement>('chat-model-start-button')!.click()
      await vi.waitFor(() => expect(q('chat-model-start')!.dataset.phase).toBe('failed'))
      expect(q('chat-model-start-failed')!.textContent).toBe('“Qwen” could not start:')
      expect(q('chat-model-start-reason')!.textContent?.trim()).toBe(
        'The model file /models/m2.gguf does not exist; check the path in the model’s settings, or download the model again.',
      )
      setLocale('zh')
      await nextTick()
      expect(q('chat-model-start-reason')!.textContent?.trim()).toBe('模型文件 /models/m2.gguf 不存在；请检查模型设置中的路径，或重新下载模型。')
      setLocale('en')
      await nextTick()
      expect(q('chat-model-start-button')!.textContent?.trim()).toBe('Try again')
      // A model that failed before says why as soon as it is picked.
      await pick(select, 'model:m3')
      expect(q('chat-model-start')!.dataset.phase).toBe('failed')
      expect(q('chat-model-start-reason')!.textContent?.trim()).toBe('The engine exited with code 1 before becoming ready.')
      // Cancel keeps the chat's model.
      q<HTMLButtonElement>('chat-model-start-cancel')!.click()
      await nextTick()
      expect(q('chat-model-start')).toBeNull()
      expect(target.value).toEqual({ kind: 'model', model_id: 'm1' })
      expect(q<HTMLSelectElement>('chat-target')!.value).toBe('model:m1')
    })

    it('offers the picker, not the empty state, when models exist but none runs', async () => {
      useModelsStore().instances = []
      fake.api.listChatEndpoints = vi.fn(async () => [])
      const { q, target } = mountStart()
      await vi.waitFor(() => expect(q('chat-start-panel')).not.toBeNull())
      expect(q('chat-empty')).toBeNull()
      expect(target.value).toBeNull()
      expect(q<HTMLSelectElement>('chat-target')!.value).toBe('')
    })
  })

  it('offers Start in a conversation whose model is stopped, and says when the model was removed', async () => {
    const models = useModelsStore()
    models.models = [
      {
        id: 'm2', name: 'Qwen', engine: 'llama_cpp', path: '/models/m2.gguf', context_size: 4096, extra_args: [], restart_policy: { kind: 'never' },
        port: null, settings: { engine: 'llama_cpp' }, secret_env: [], gpus: { mode: 'all' }, starter: false, created_at: 1, file_missing: false,
      },
    ]
    fake.api.startModel = vi.fn(async () => ({ ...instance, id: 'i2', model_id: 'm2', model_name: 'Qwen', state: { kind: 'starting' }, started_at: 5, updated_at: 5 }))
    const conversation = {
      id: 'c1', title: 'Hi', target: { kind: 'model', model_id: 'm2' } as ChatTarget, target_label: 'Qwen', params: { stop: [] }, pinned: false,
      created_at: 1, updated_at: 1,
    }
    useChatStore().adopt({ conversation, messages: [], context: null, defaults: { stop: [] } })
    const { q } = mount(ChatHeader, { paramsOpen: false })
    await vi.waitFor(() => expect(q('chat-target-stopped')).not.toBeNull())
    expect(q('chat-model-start')!.textContent).toContain('Qwen is not running: start it to continue this chat, or pick another model.')
    q<HTMLButtonElement>('chat-model-start-button')!.click()
    await vi.waitFor(() => expect(fake.api.startModel).toHaveBeenCalledWith('m2'))
    await vi.waitFor(() => expect(q('chat-model-start')!.dataset.phase).toBe('starting'))
    models.upsertInstance({ ...instance, id: 'i2', model_id: 'm2', model_name: 'Qwen', state: { kind: 'running' }, started_at: 5, updated_at: 6 })
    await vi.waitFor(() => expect(q('chat-target-stopped')).toBeNull())
    // Removed: nothing to start.
    models.models = []
    models.instances = []
    await vi.waitFor(() => expect(q('chat-target-stopped')?.textContent).toContain('Qwen was removed: pick another model.'))
    expect(q('chat-model-start')).toBeNull()
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
