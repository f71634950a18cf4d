import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Conversation } from '../generated/Conversation'

import { ApiError } from '../api'
import { fake, installFakeApi } from '../testing/fakeApi'
import { useChatStore } from './chat'
import { readRepoFile } from '../rust.fixtures'
import { compareConversations, MAX_IMPORT_MB, useConversationsStore } from './conversations'

function conv(id: string, updated_at: number, pinned = false): Conversation {
  return {
    id,
    title: `Chat ${id}`,
    target: { kind: 'model', model_id: 'm1' },
    target_label: 'Qwen',
    params: { stop: [] },
    pinned,
    created_at: 1,
    updated_at,
  }
}

beforeEach(() => {
  setActivePinia(createPinia())
  installFakeApi()
})

describe('conversations store', () => {
  it('orders pinned first, then the most recently updated', () => {
    const list = [conv('a', 1), conv('b', 3), conv('c', 2, true), conv('d', 5)]
    expect(list.sort(compareConversations).map((c) => c.id)).toEqual(['c', 'd', 'b', 'a'])
  })

  it('loads the list and reports a failure', async () => {
    fake.api.listConversations = vi.fn(async () => [conv('a', 1), conv('b', 2)])
    const store = useConversationsStore()
    await store.load()
    expect(store.loaded).toBe(true)
    expect(store.list.map((c) => c.id)).toEqual(['b', 'a'])
    fake.api.listConversations = vi.fn(async () => {
      throw new ApiError('network_error', 'down')
    })
    await store.load()
    expect(store.loadError?.code).toBe('network_error')
    expect(store.list).toHaveLength(2)
  })

  it('creates a conversation at the top', async () => {
    const store = useConversationsStore()
    store.list = [conv('old', 1)]
    fake.api.createConversation = vi.fn(async () => conv('new', 10))
    const created = await store.create({ target: { kind: 'model', model_id: 'm1' } })
    expect(created?.id).toBe('new')
    expect(store.list.map((c) => c.id)).toEqual(['new', 'old'])
    fake.api.createConversation = vi.fn(async () => {
      throw new ApiError('model_not_found', 'No such model.')
    })
    expect(await store.create({ target: { kind: 'model', model_id: 'x' } })).toBeNull()
    expect(store.createError?.code).toBe('model_not_found')
  })

  it('renames and pins, re-sorting, and updates the open conversation', async () => {
    const store = useConversationsStore()
    store.list = [conv('a', 3), conv('b', 2)]
    const chat = useChatStore()
    chat.adopt({ conversation: conv('b', 2), messages: [], context: null, defaults: { stop: [] } })
    fake.api.updateConversation = vi.fn(async (id: string, patch: Partial<Conversation>) => ({ ...store.byId(id)!, ...patch }))
    await store.rename('b', '  Renamed ')
    expect(fake.api.updateConversation).toHaveBeenCalledWith('b', { title: 'Renamed' })
    expect(chat.conversation?.title).toBe('Renamed')
    await store.setPinned('b', true)
    expect(store.list.map((c) => [c.id, c.pinned])).toEqual([
      ['b', true],
      ['a', false],
    ])
    expect(store.pinned.map((c) => c.id)).toEqual(['b'])
    expect(store.others.map((c) => c.id)).toEqual(['a'])
  })

  it('keeps an error per conversation when an action fails', async () => {
    const store = useConversationsStore()
    store.list = [conv('a', 1)]
    fake.api.updateConversation = vi.fn(async () => {
      throw new ApiError('chat_title_invalid', 'Too long.')
    })
    expect(await store.rename('a', 'x')).toBeNull()
    expect(store.errors.a?.code).toBe('chat_title_invalid')
    expect(store.pending.a).toBeUndefined()
    expect(store.list[0].title).toBe('Chat a')
  })

  it('deletes a conversation and closes it when it is open', async () => {
    const store = useConversationsStore()
    store.list = [conv('a', 2), conv('b', 1)]
    const chat = useChatStore()
    chat.adopt({ conversation: conv('a', 2), messages: [], context: null, defaults: { stop: [] } })
    fake.api.deleteConversation = vi.fn(async () => {})
    expect(await store.remove('a')).toBe(true)
    expect(store.list.map((c) => c.id)).toEqual(['b'])
    expect(chat.detail).toBeNull()
  })

  it('applies only the latest search and clears on an empty query', async () => {
    const store = useConversationsStore()
    const answers: Record<string, (v: unknown) => void> = {}
    fake.api.searchConversations = vi.fn(({ q }: { q: string }) => new Promise((resolve) => (answers[q] = resolve)))
    const first = store.search('he')
    const second = store.search('hello')
    expect(store.searching).toBe(true)
    const hit = { conversation_id: 'a', conversation_title: 'A', message_id: 'm', role: 'user', snippet: '\u0002hello\u0003', updated_at: 1 }
    answers.hello([hit])
    await second
    answers.he([])
    await first
    expect(store.hits).toEqual([hit])
    expect(store.searching).toBe(false)
    await store.search('  ')
    expect(store.hits).toEqual([])
    expect(store.query).toBe('')
  })
})

describe('importing conversations', () => {
  const target = { kind: 'model' as const, model_id: 'm1' }
  const file = (content: string, size = content.length) => ({ name: 'chats.json', size, text: vi.fn(async () => content) })

  it('sends the file’s text with the target and puts the imported conversations in the list', async () => {
    const store = useConversationsStore()
    store.list = [conv('old', 5)]
    const report = { format: 'open_webui' as const, imported: [conv('n1', 9), conv('n2', 1)], skipped: 1 }
    fake.api.importConversations = vi.fn(async () => report)
    expect(await store.importFile(file('[{"chat":{}}]'), target)).toEqual(report)
    expect(fake.api.importConversations).toHaveBeenCalledWith({ content: '[{"chat":{}}]', target })
    expect(store.list.map((c) => c.id)).toEqual(['n1', 'old', 'n2'])
    expect(store.importing).toBe(false)
    expect(store.importError).toBeNull()
  })

  it('refuses a file over the limit before reading or sending it, as the server would', async () => {
    const store = useConversationsStore()
    fake.api.importConversations = vi.fn()
    const big = file('x', MAX_IMPORT_MB * 1024 * 1024 + 1)
    expect(await store.importFile(big, target)).toBeNull()
    expect(big.text).not.toHaveBeenCalled()
    expect(fake.api.importConversations).not.toHaveBeenCalled()
    expect(store.importError).toMatchObject({ code: 'import_too_large', params: { megabytes: '32' } })
  })

  it('says when the file cannot be read, and keeps the server’s refusal', async () => {
    const store = useConversationsStore()
    const unreadable = { name: 'gone.json', size: 10, text: vi.fn(async () => Promise.reject(new Error('NotReadableError'))) }
    expect(await store.importFile(unreadable, target)).toBeNull()
    expect(store.importError).toMatchObject({ code: 'file_unreadable', params: { name: 'gone.json' } })
    fake.api.importConversations = vi.fn(async () => {
      throw new ApiError('import_unrecognised', 'This file is not a conversation export llmops can read')
    })
    expect(await store.importFile(file('{}'), target)).toBeNull()
    expect(store.importError?.code).toBe('import_unrecognised')
  })

  it('takes files up to the core’s limit (MAX_IMPORT_BYTES)', () => {
    const rust = readRepoFile('crates/core/src/chat/import.rs')
    expect(rust).toContain(`pub const MAX_IMPORT_BYTES: usize = ${MAX_IMPORT_MB} * 1024 * 1024;`)
  })
})
