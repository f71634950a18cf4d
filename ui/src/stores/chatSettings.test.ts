import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'

import { ApiError } from '../api'
import { fake, installFakeApi } from '../testing/fakeApi'
import { useChatSettingsStore } from './chatSettings'

const endpoint = { id: 'e1', name: 'Ollama', base_url: 'http://127.0.0.1:11434/v1', has_api_key: false, created_at: 1 }

beforeEach(() => {
  setActivePinia(createPinia())
  installFakeApi()
})

describe('chat settings store', () => {
  it('adds an endpoint, lists its models once, and removes it', async () => {
    fake.api.addChatEndpoint = vi.fn(async () => endpoint)
    fake.api.chatEndpointModels = vi.fn(async () => ['llama3.2', 'qwen3'])
    fake.api.removeChatEndpoint = vi.fn(async () => {})
    const store = useChatSettingsStore()
    expect(await store.addEndpoint({ name: 'Ollama', base_url: endpoint.base_url })).toEqual(endpoint)
    await vi.waitFor(() => expect(store.models.e1?.models).toEqual(['llama3.2', 'qwen3']))
    await store.loadModels('e1')
    expect(fake.api.chatEndpointModels).toHaveBeenCalledTimes(1)
    await store.loadModels('e1', true)
    expect(fake.api.chatEndpointModels).toHaveBeenCalledTimes(2)
    expect(await store.removeEndpoint('e1')).toBe(true)
    expect(store.endpoints).toEqual([])
    expect(store.models.e1).toBeUndefined()
  })

  it('remembers that an endpoint could not list its models', async () => {
    fake.api.chatEndpointModels = vi.fn(async () => {
      throw new ApiError('endpoint_unreachable', 'No answer from http://x.')
    })
    const store = useChatSettingsStore()
    await store.loadModels('e1')
    expect(store.models.e1).toMatchObject({ loading: false, models: [], loaded: true })
    expect(store.models.e1.error?.code).toBe('endpoint_unreachable')
  })

  it('shows why an endpoint could not be added', async () => {
    fake.api.addChatEndpoint = vi.fn(async () => {
      throw new ApiError('endpoint_invalid', 'The base URL must start with http:// or https://.')
    })
    const store = useChatSettingsStore()
    expect(await store.addEndpoint({ name: 'x', base_url: 'ftp://x' })).toBeNull()
    expect(store.addEndpointError?.code).toBe('endpoint_invalid')
    expect(store.addingEndpoint).toBe(false)
  })

  it('saves presets (same name replaces) and deletes them', async () => {
    const store = useChatSettingsStore()
    store.presets = [{ id: 'p1', name: 'Precise', params: { stop: [], temperature: 0.2 }, created_at: 1 }]
    const replaced = { id: 'p2', name: 'Precise', params: { stop: [], temperature: 0.1 }, created_at: 2 }
    fake.api.saveChatPreset = vi.fn(async () => replaced)
    fake.api.deleteChatPreset = vi.fn(async () => {})
    expect(await store.savePreset({ name: 'Precise', params: replaced.params })).toEqual(replaced)
    expect(store.presets).toEqual([replaced])
    expect(await store.deletePreset('p2')).toBe(true)
    expect(store.presets).toEqual([])
  })
})
