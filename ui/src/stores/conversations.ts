import { defineStore } from 'pinia'
import { ApiError, getApi, toApiError } from '../api'
import type { Conversation } from '../generated/Conversation'
import type { NewConversation } from '../generated/NewConversation'
import type { SearchHit } from '../generated/SearchHit'
import { useChatStore } from './chat'

export type ConversationAction = 'renaming' | 'pinning' | 'deleting'

/** Pinned first, then the most recently updated (the server's order). */
export function compareConversations(a: Conversation, b: Conversation): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1
  return b.updated_at - a.updated_at
}

// Only the latest search's answer is applied (an older one may arrive last).
let searchSeq = 0

export const useConversationsStore = defineStore('conversations', {
  state: () => ({
    list: [] as Conversation[],
    loaded: false,
    loading: false,
    loadError: null as ApiError | null,
    creating: false,
    createError: null as ApiError | null,
    /** The action in flight per conversation id. */
    pending: {} as Record<string, ConversationAction>,
    /** The last failed action's error per conversation id. */
    errors: {} as Record<string, ApiError>,
    query: '',
    hits: [] as SearchHit[],
    searching: false,
    searchError: null as ApiError | null,
  }),
  getters: {
    pinned: (state): Conversation[] => state.list.filter((c) => c.pinned),
    others: (state): Conversation[] => state.list.filter((c) => !c.pinned),
    byId: (state) => (id: string): Conversation | undefined => state.list.find((c) => c.id === id),
  },
  actions: {
    async load() {
      this.loading = true
      try {
        this.list = (await getApi().listConversations()).slice().sort(compareConversations)
        this.loaded = true
        this.loadError = null
      } catch (err) {
        this.loadError = toApiError(err)
      } finally {
        this.loading = false
      }
    },
    /** Adds or replaces a conversation, keeps the order, and updates the open one. */
    upsert(conversation: Conversation) {
      const idx = this.list.findIndex((c) => c.id === conversation.id)
      if (idx === -1) this.list.push(conversation)
      else this.list.splice(idx, 1, conversation)
      this.list.sort(compareConversations)
      useChatStore().applyConversation(conversation)
    },
    /** Creates a conversation; resolves to it, or to null with `createError` set. */
    async create(conversation: NewConversation): Promise<Conversation | null> {
      this.creating = true
      this.createError = null
      try {
        const created = await getApi().createConversation(conversation)
        this.upsert(created)
        return created
      } catch (err) {
        this.createError = toApiError(err)
        return null
      } finally {
        this.creating = false
      }
    },
    async run(id: string, action: ConversationAction, work: () => Promise<void>): Promise<boolean> {
      if (this.pending[id]) return false
      this.pending[id] = action
      delete this.errors[id]
      try {
        await work()
        return true
      } catch (err) {
        this.errors[id] = toApiError(err)
        return false
      } finally {
        delete this.pending[id]
      }
    },
    /** Renames; resolves to the updated conversation, or null with `errors[id]` set. */
    async rename(id: string, title: string): Promise<Conversation | null> {
      let updated: Conversation | null = null
      await this.run(id, 'renaming', async () => {
        updated = await getApi().updateConversation(id, { title: title.trim() })
        this.upsert(updated)
      })
      return updated
    },
    async setPinned(id: string, pinned: boolean): Promise<Conversation | null> {
      let updated: Conversation | null = null
      await this.run(id, 'pinning', async () => {
        updated = await getApi().updateConversation(id, { pinned })
        this.upsert(updated)
      })
      return updated
    },
    remove(id: string): Promise<boolean> {
      return this.run(id, 'deleting', async () => {
        await getApi().deleteConversation(id)
        const chat = useChatStore()
        if (chat.conversation?.id === id) await chat.close()
        this.list = this.list.filter((c) => c.id !== id)
        this.hits = this.hits.filter((h) => h.conversation_id !== id)
        delete this.errors[id]
      })
    },
    /** Searches titles and messages; an empty query clears the results. */
    async search(query: string) {
      const q = query.trim()
      const seq = ++searchSeq
      this.query = q
      this.searchError = null
      if (!q) {
        this.hits = []
        this.searching = false
        return
      }
      this.searching = true
      try {
        const hits = await getApi().searchConversations({ q })
        if (seq === searchSeq) this.hits = hits
      } catch (err) {
        if (seq === searchSeq) this.searchError = toApiError(err)
      } finally {
        if (seq === searchSeq) this.searching = false
      }
    },
  },
})
