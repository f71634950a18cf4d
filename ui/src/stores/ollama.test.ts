import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { ChatEndpoint } from '../generated/ChatEndpoint'
import type { Download } from '../generated/Download'

import { ApiError } from '../api'
import { OLLAMA_URL, ollamaDown, ollamaPull, ollamaStatus } from '../lib/hub/hub.fixtures'
import { emit, fake, installFakeApi } from '../testing/fakeApi'
import { useChatSettingsStore } from './chatSettings'
import { useDownloadsStore } from './downloads'
import { useOllamaStore } from './ollama'

const endpoint = (patch: Partial<ChatEndpoint> = {}): ChatEndpoint => ({ id: 'e-ol', name: 'Ollama', base_url: `${OLLAMA_URL}/v1`, has_api_key: false, created_at: 1, ...patch })
const update = (d: Download) => emit({ type: 'download_update', data: d })

beforeEach(() => {
  setActivePinia(createPinia())
  installFakeApi({
    ollamaStatus: vi.fn(async () => ollamaStatus()),
    pullOllamaModel: vi.fn(async (p: { name: string }) => ollamaPull({ repo: p.name })),
    connectOllamaChat: vi.fn(async () => endpoint()),
    listChatEndpoints: vi.fn(async () => []),
    listDownloads: vi.fn(async () => []),
  })
})

describe('ollama store', () => {
  it('asks the daemon; an Ollama that does not answer is an answer, a failed question an error', async () => {
    const store = useOllamaStore()
    const asking = store.check()
    expect(store.checking).toBe(true)
    await asking
    expect(store.checking).toBe(false)
    expect(store.status?.reachable).toBe(true)
    expect(store.status?.models.map((m) => m.name)).toEqual(['qwen2.5:7b', 'llama3.2:3b'])

    fake.api.ollamaStatus.mockResolvedValueOnce(ollamaDown())
    await store.check()
    expect(store.status?.reachable).toBe(false)
    expect(store.status?.problem).toContain('start it')
    expect(store.checkError).toBeNull()

    fake.api.ollamaStatus.mockRejectedValueOnce(new ApiError('network_error', 'down'))
    await store.check()
    expect(store.checkError?.code).toBe('network_error')
    // What was known stays shown.
    expect(store.status?.reachable).toBe(false)
    await store.check()
    expect(store.checkError).toBeNull()
  })

  it('keeps only the latest answer when asked twice', async () => {
    let first!: (s: ReturnType<typeof ollamaStatus>) => void
    fake.api.ollamaStatus.mockImplementationOnce(() => new Promise((resolve) => (first = resolve)))
    const store = useOllamaStore()
    const older = store.check()
    await store.check()
    first(ollamaDown())
    await older
    expect(store.status?.reachable).toBe(true)
  })

  it('pulls: the download joins the list, and a completed pull asks the daemon again', async () => {
    const downloads = useDownloadsStore()
    downloads.connect()
    const store = useOllamaStore()
    await store.check()
    const d = await store.pull('llama3.2:3b')
    expect(fake.api.pullOllamaModel).toHaveBeenCalledWith({ name: 'llama3.2:3b' })
    expect(d?.source).toBe('ollama')
    expect(downloads.byId('p1')?.repo).toBe('llama3.2:3b')
    expect(store.lastPull?.id).toBe('p1')
    expect(fake.api.ollamaStatus).toHaveBeenCalledTimes(1)

    update(ollamaPull({ state: 'downloading', total_bytes: 100, done_bytes: 50 }))
    expect(store.lastPull?.state).toBe('downloading')
    update(ollamaPull({ state: 'completed', total_bytes: 100, done_bytes: 100 }))
    await vi.waitFor(() => expect(fake.api.ollamaStatus).toHaveBeenCalledTimes(2))
    // Another hub's download completing is not Ollama's news.
    update(ollamaPull({ id: 'hf', source: 'hugging_face', state: 'completed' }))
    await Promise.resolve()
    expect(fake.api.ollamaStatus).toHaveBeenCalledTimes(2)
  })

  it('keeps why a pull was refused, and clears it on the next', async () => {
    const store = useOllamaStore()
    fake.api.pullOllamaModel.mockRejectedValueOnce(
      new ApiError('hub_invalid_input', '"a b" is not an Ollama model name', 400, { detail: '"a b" is not an Ollama model name; use e.g. qwen2.5:7b' }),
    )
    expect(await store.pull('a b')).toBeNull()
    expect(store.pullError?.code).toBe('hub_invalid_input')
    expect(store.pulling).toBe(false)
    expect(store.lastPull).toBeNull()
    await store.pull('qwen2.5:7b')
    expect(store.pullError).toBeNull()
  })

  it('adds Ollama to the chat once, and knows an endpoint added for it before', async () => {
    const settings = useChatSettingsStore()
    const store = useOllamaStore()
    await store.check()
    expect(store.chatEndpoint).toBeNull()

    // Added before: found among the chat's endpoints by its address.
    fake.api.listChatEndpoints.mockResolvedValueOnce([endpoint({ id: 'before', base_url: `${OLLAMA_URL}/v1` }), endpoint({ id: 'lm', base_url: 'http://127.0.0.1:1234/v1' })])
    store.ensureChatEndpoints()
    store.ensureChatEndpoints()
    await vi.waitFor(() => expect(store.chatEndpoint?.id).toBe('before'))
    expect(fake.api.listChatEndpoints).toHaveBeenCalledTimes(1)

    // Removed in the chat: not connected any more.
    settings.endpoints = settings.endpoints.filter((e) => e.id !== 'before')
    expect(store.chatEndpoint).toBeNull()

    const added = await store.connectChat()
    expect(added?.id).toBe('e-ol')
    expect(store.chatEndpoint?.id).toBe('e-ol')
    expect(settings.endpoints.map((e) => e.id)).toEqual(['lm', 'e-ol'])
    // Asked again, the server answers the same one: listed once.
    await store.connectChat()
    expect(settings.endpoints.map((e) => e.id)).toEqual(['lm', 'e-ol'])
  })

  it('keeps why Use in chat failed', async () => {
    const store = useOllamaStore()
    fake.api.connectOllamaChat.mockRejectedValueOnce(
      new ApiError('hub_unreachable', 'no Ollama', 502, { endpoint: OLLAMA_URL, detail: 'connection refused' }),
    )
    expect(await store.connectChat()).toBeNull()
    expect(store.connectError?.code).toBe('hub_unreachable')
    expect(store.chatEndpoint).toBeNull()
    expect(store.connecting).toBe(false)
  })
})
