// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { RouterView } from 'vue-router'
import type { ChatEndpoint } from '../../generated/ChatEndpoint'
import type { ChatTarget } from '../../generated/ChatTarget'
import type { InstanceInfo } from '../../generated/InstanceInfo'
import ChatPage from '../../pages/ChatPage.vue'
import { useChatStore } from '../../stores/chat'
import { useModelsStore } from '../../stores/models'
import { conversation, fake, localModel, mount, useChatTestSetup } from './chat.fixtures'

useChatTestSetup()

/** A link from the Models page's Ollama tab: a new chat with one of Ollama's models. */
const LINK = '/chat?endpoint=e-ol&model=llama3.2%3A3b'
const ollama: ChatEndpoint = { id: 'e-ol', name: 'Ollama', base_url: 'http://127.0.0.1:11434/v1', has_api_key: false, created_at: 1 }
const running: InstanceInfo = {
  id: 'i1', model_id: 'm1', model_name: 'Smol', served_model: 'Smol', engine: 'llama_cpp', port: 41000, pid: 42, state: { kind: 'running' },
  base_url: 'http://127.0.0.1:41000', binary: 'llama-server', binary_source: 'path', binary_version: null, context_size: 4096, gpus: null, started_at: 1, updated_at: 1,
}

beforeEach(() => {
  const models = useModelsStore()
  models.models = [localModel('m1', 'Smol')]
  // A local model runs: without the link, the new chat would default to it.
  models.instances = [running]
  models.loaded = true
  fake.api.listChatEndpoints = vi.fn(async () => [ollama])
  fake.api.chatEndpointModels = vi.fn(async () => ['qwen2.5:7b', 'llama3.2:3b'])
  fake.api.listConversations = vi.fn(async () => [])
  fake.api.listChatPresets = vi.fn(async () => [])
  fake.api.createConversation = vi.fn(async (c: { target: ChatTarget }) => ({ ...conversation, id: 'c9', title: 'New chat', target: c.target }))
})

function mountChat() {
  return mount(RouterView, {}, [
    { path: '/', redirect: '/chat' },
    { path: '/chat/:id?', name: 'chat', component: ChatPage, props: true },
  ])
}

describe('a link to chat with an endpoint’s model', () => {
  it('starts a new chat with that endpoint and model picked', async () => {
    const { q, router } = mountChat()
    await router.push(LINK)
    await vi.waitFor(() => expect(q<HTMLSelectElement>('chat-target')?.value).toBe('endpoint:e-ol:llama3.2:3b'))
    // The endpoint's models arrive: the choice stays.
    await vi.waitFor(() => expect(fake.api.chatEndpointModels).toHaveBeenCalledWith('e-ol'))
    await vi.waitFor(() => expect(q('chat-target')?.querySelector('option[value="endpoint:e-ol:qwen2.5:7b"]')).not.toBeNull())
    expect(q<HTMLSelectElement>('chat-target')?.value).toBe('endpoint:e-ol:llama3.2:3b')
    // The composer is there: the first message starts the chat.
    expect(q('chat-input')).not.toBeNull()
    q<HTMLButtonElement>('chat-start')!.click()
    await vi.waitFor(() => expect(fake.api.createConversation).toHaveBeenCalledWith({ target: { kind: 'endpoint', endpoint_id: 'e-ol', model: 'llama3.2:3b' } }))
    await vi.waitFor(() => expect(router.currentRoute.value.params.id).toBe('c9'))
  })

  it('keeps the choice while the endpoints still load', async () => {
    let answer!: (list: ChatEndpoint[]) => void
    fake.api.listChatEndpoints = vi.fn(() => new Promise<ChatEndpoint[]>((resolve) => (answer = resolve)))
    const { q, router } = mountChat()
    await router.push(LINK)
    await vi.waitFor(() => expect(fake.api.listChatEndpoints).toHaveBeenCalled())
    // Meanwhile the running local model is offered; the link's choice is not replaced by it.
    await new Promise((resolve) => setTimeout(resolve, 10))
    answer([ollama])
    await vi.waitFor(() => expect(fake.api.chatEndpointModels).toHaveBeenCalled())
    expect(q<HTMLSelectElement>('chat-target')?.value).toBe('endpoint:e-ol:llama3.2:3b')
  })

  it('opens a new chat rather than the conversation left open', async () => {
    useChatStore().adopt({ conversation, messages: [], context: null, defaults: { stop: [] } })
    const { q, router } = mountChat()
    await router.push(LINK)
    await vi.waitFor(() => expect(q<HTMLSelectElement>('chat-target')?.value).toBe('endpoint:e-ol:llama3.2:3b'))
    expect(router.currentRoute.value.params.id).toBeFalsy()
    expect(useChatStore().detail).toBeNull()
  })
})
