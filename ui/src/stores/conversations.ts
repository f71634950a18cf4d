import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ApiError, getApi, toApiError } from '../api'
import type { ChatTarget } from '../generated/ChatTarget'
import type { Conversation } from '../generated/Conversation'
import type { ImportReport } from '../generated/ImportReport'
import type { NewConversation } from '../generated/NewConversation'
import type { SearchHit } from '../generated/SearchHit'
import { useChatStore } from './chat'

export type ConversationAction = 'renaming' | 'pinning' | 'deleting'

/** Pinned first, then the most recently updated (the server's order). */
export function compareConversations(a: Conversation, b: Conversation): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1
  return b.updated_at - a.updated_at
}

/** The largest file an import takes, in MB (the core's `MAX_IMPORT_BYTES`, crates/core/src/chat/import.rs). */
export const MAX_IMPORT_MB = 32

/** What an import reads of the chosen file (a `File`). */
export type ImportFile = Pick<File, 'name' | 'size' | 'text'>

/** The server's own refusal of a file over the limit, made here before the file is read or sent. */
function importTooLarge(): ApiError {
  return new ApiError('import_too_large', `The file is larger than ${MAX_IMPORT_MB} MB; export fewer conversations at a time`, undefined, {
    megabytes: String(MAX_IMPORT_MB),
  })
}

// Only the latest search's answer is applied (an older one may arrive last).
let searchSeq = 0

export const useConversationsStore = defineStore('conversations', () => {
  const list = ref<Conversation[]>([])
  const loaded = ref(false)
  const loading = ref(false)
  const loadError = ref<ApiError | null>(null)
  const creating = ref(false)
  const createError = ref<ApiError | null>(null)
  /** The action in flight per conversation id. */
  const pending = ref<Record<string, ConversationAction>>({})
  /** The last failed action's error per conversation id. */
  const errors = ref<Record<string, ApiError>>({})
  const query = ref('')
  const hits = ref<SearchHit[]>([])
  const searching = ref(false)
  const searchError = ref<ApiError | null>(null)
  const importing = ref(false)
  const importError = ref<ApiError | null>(null)

  const pinned = computed((): Conversation[] => list.value.filter((c) => c.pinned))
  const others = computed((): Conversation[] => list.value.filter((c) => !c.pinned))
  const byId = computed(() => (id: string): Conversation | undefined => list.value.find((c) => c.id === id))

  async function load(): Promise<void> {
    loading.value = true
    try {
      list.value = (await getApi().listConversations()).slice().sort(compareConversations)
      loaded.value = true
      loadError.value = null
    } catch (err) {
      loadError.value = toApiError(err)
    } finally {
      loading.value = false
    }
  }

  /** Adds or replaces a conversation, keeps the order, and updates the open one. */
  function upsert(conversation: Conversation): void {
    const idx = list.value.findIndex((c) => c.id === conversation.id)
    if (idx === -1) list.value.push(conversation)
    else list.value.splice(idx, 1, conversation)
    list.value.sort(compareConversations)
    useChatStore().applyConversation(conversation)
  }

  /** Creates a conversation; resolves to it, or to null with `createError` set. */
  async function create(conversation: NewConversation): Promise<Conversation | null> {
    creating.value = true
    createError.value = null
    try {
      const created = await getApi().createConversation(conversation)
      upsert(created)
      return created
    } catch (err) {
      createError.value = toApiError(err)
      return null
    } finally {
      creating.value = false
    }
  }

  /**
   * Saves the conversations of an exported file (a llmops JSON export, an Open WebUI export or an
   * LM Studio conversation) as new conversations answering with `target` (a llmops export keeps
   * its own model or endpoint when it still exists), and puts them in the list. Resolves to what
   * was imported, or to null with `importError` set. A file over the limit is refused here,
   * before it is read or sent.
   */
  async function importFile(file: ImportFile, target: ChatTarget): Promise<ImportReport | null> {
    importing.value = true
    importError.value = null
    try {
      if (file.size > MAX_IMPORT_MB * 1024 * 1024) throw importTooLarge()
      let content: string
      try {
        content = await file.text()
      } catch {
        throw new ApiError('file_unreadable', `The file ${file.name} could not be read`, undefined, { name: file.name })
      }
      const report = await getApi().importConversations({ content, target })
      const ids = new Set(report.imported.map((c) => c.id))
      list.value = [...list.value.filter((c) => !ids.has(c.id)), ...report.imported].sort(compareConversations)
      return report
    } catch (err) {
      importError.value = toApiError(err)
      return null
    } finally {
      importing.value = false
    }
  }

  async function run(id: string, action: ConversationAction, work: () => Promise<void>): Promise<boolean> {
    if (pending.value[id]) return false
    pending.value[id] = action
    delete errors.value[id]
    try {
      await work()
      return true
    } catch (err) {
      errors.value[id] = toApiError(err)
      return false
    } finally {
      delete pending.value[id]
    }
  }

  /** Renames; resolves to the updated conversation, or null with `errors[id]` set. */
  async function rename(id: string, title: string): Promise<Conversation | null> {
    let updated: Conversation | null = null
    await run(id, 'renaming', async () => {
      updated = await getApi().updateConversation(id, { title: title.trim() })
      upsert(updated)
    })
    return updated
  }

  async function setPinned(id: string, pin: boolean): Promise<Conversation | null> {
    let updated: Conversation | null = null
    await run(id, 'pinning', async () => {
      updated = await getApi().updateConversation(id, { pinned: pin })
      upsert(updated)
    })
    return updated
  }

  function remove(id: string): Promise<boolean> {
    return run(id, 'deleting', async () => {
      await getApi().deleteConversation(id)
      const chat = useChatStore()
      if (chat.conversation?.id === id) await chat.close()
      list.value = list.value.filter((c) => c.id !== id)
      hits.value = hits.value.filter((h) => h.conversation_id !== id)
      delete errors.value[id]
    })
  }

  /** Searches titles and messages; an empty query clears the results. */
  async function search(text: string): Promise<void> {
    const q = text.trim()
    const seq = ++searchSeq
    query.value = q
    searchError.value = null
    if (!q) {
      hits.value = []
      searching.value = false
      return
    }
    searching.value = true
    try {
      const found = await getApi().searchConversations({ q })
      if (seq === searchSeq) hits.value = found
    } catch (err) {
      if (seq === searchSeq) searchError.value = toApiError(err)
    } finally {
      if (seq === searchSeq) searching.value = false
    }
  }

  return {
    list,
    loaded,
    loading,
    loadError,
    creating,
    createError,
    pending,
    errors,
    query,
    hits,
    searching,
    searchError,
    importing,
    importError,
    pinned,
    others,
    byId,
    load,
    upsert,
    create,
    importFile,
    run,
    rename,
    setPinned,
    remove,
    search,
  }
})
