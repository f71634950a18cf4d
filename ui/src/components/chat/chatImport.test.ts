// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { RouterView } from 'vue-router'
import { ApiError } from '../../api'
import { setLocale } from '../../composables/useI18n'
import type { ChatTarget } from '../../generated/ChatTarget'
import type { Conversation } from '../../generated/Conversation'
import type { ImportReport } from '../../generated/ImportReport'
import ChatPage from '../../pages/ChatPage.vue'
import { useConversationsStore } from '../../stores/conversations'
import { useModelsStore } from '../../stores/models'
import { conversation, fake, localModel, mount, useChatTestSetup } from './chat.fixtures'
import ChatImportDialog from './ChatImportDialog.vue'
import ConversationSidebar from './ConversationSidebar.vue'

useChatTestSetup()

const imported = (id: string, title: string): Conversation => ({ ...conversation, id, title, updated_at: 10 })
const report: ImportReport = { format: 'open_webui', imported: [imported('n1', 'First'), imported('n2', 'Second'), imported('n3', 'Third')], skipped: 1 }
const qwen: ChatTarget = { kind: 'model', model_id: 'm1' }

/** A chosen file, as the dialog reads it (`File.text()`). */
function chooseFile(input: HTMLInputElement, content: string, size = content.length) {
  const file = { name: 'chats.json', size, text: vi.fn(async () => content) }
  Object.defineProperty(input, 'files', { value: [file], configurable: true })
  input.dispatchEvent(new Event('change'))
  return file
}

beforeEach(() => {
  const models = useModelsStore()
  models.models = [localModel('m1', 'Qwen'), localModel('m2', 'Llama')]
  models.loaded = true
  fake.api.listChatEndpoints = vi.fn(async () => [])
})

describe('importing conversations', () => {
  it('offers Import… next to New chat', async () => {
    const onImport = vi.fn()
    const { q } = mount(ConversationSidebar, { activeId: null, onImport })
    const button = q<HTMLButtonElement>('chat-import-open')!
    expect(button.textContent?.trim()).toBe('Import…')
    expect(button.parentElement).toBe(q('chat-new')!.parentElement)
    button.click()
    expect(onImport).toHaveBeenCalled()
  })

  it('imports the chosen file with the selected model and says what it imported', async () => {
    fake.api.importConversations = vi.fn(async () => report)
    const onImported = vi.fn()
    const { q } = mount(ChatImportDialog, { initialTarget: qwen, onImported })
    await nextTick()
    expect(q<HTMLSelectElement>('chat-target')!.value).toBe('model:m1')
    expect(q<HTMLInputElement>('chat-import-file')!.accept).toBe('.json,application/json')
    expect(q('chat-import')!.textContent).toContain('A llmops export keeps its own model or endpoint')
    const submit = q<HTMLButtonElement>('chat-import-submit')!
    expect(submit.disabled).toBe(true)
    chooseFile(q<HTMLInputElement>('chat-import-file')!, '[{"chat":{}}]')
    await nextTick()
    submit.click()
    await vi.waitFor(() => expect(q('chat-import-summary')!.textContent).toBe('Imported 3 conversations from Open WebUI; 1 empty one skipped.'))
    expect(fake.api.importConversations).toHaveBeenCalledWith({ content: '[{"chat":{}}]', target: qwen })
    expect(onImported).toHaveBeenCalledWith(report)
    expect(useConversationsStore().list.map((c) => c.id)).toEqual(['n1', 'n2', 'n3'])
    // The same file would import twice: the next import needs a file chosen again.
    expect(q<HTMLButtonElement>('chat-import-submit')!.disabled).toBe(true)
    expect(document.activeElement).toBe(q('chat-import-done'))
  })

  it('says it in Chinese too, and one conversation in the singular', async () => {
    setLocale('zh')
    fake.api.importConversations = vi.fn(async (): Promise<ImportReport> => ({ format: 'lm_studio', imported: [imported('n1', 'x')], skipped: 0 }))
    const { q } = mount(ChatImportDialog, { initialTarget: qwen })
    chooseFile(q<HTMLInputElement>('chat-import-file')!, '{}')
    await nextTick()
    q<HTMLButtonElement>('chat-import-submit')!.click()
    await vi.waitFor(() => expect(q('chat-import-summary')!.textContent).toBe('已从 LM Studio 导入 1 个对话。'))
    setLocale('en')
    await nextTick()
    expect(q('chat-import-summary')!.textContent).toBe('Imported 1 conversation from LM Studio.')
  })

  it('refuses a file over 32 MB before sending it, with the server’s message in the UI’s language', async () => {
    setLocale('zh')
    fake.api.importConversations = vi.fn()
    const { q } = mount(ChatImportDialog, { initialTarget: qwen })
    const file = chooseFile(q<HTMLInputElement>('chat-import-file')!, '', 32 * 1024 * 1024 + 1)
    await nextTick()
    q<HTMLButtonElement>('chat-import-submit')!.click()
    await vi.waitFor(() => expect(q('chat-import-error')!.textContent).toBe('文件超过 32 MB；请每次导出较少的对话。'))
    expect(file.text).not.toHaveBeenCalled()
    expect(fake.api.importConversations).not.toHaveBeenCalled()
  })

  it('shows the server’s refusal translated', async () => {
    setLocale('zh')
    fake.api.importConversations = vi.fn(async () => {
      throw new ApiError('import_invalid', 'The file could not be imported: it is not JSON (expected value at line 1)', 400, {
        detail: 'it is not JSON (expected value at line 1)',
      })
    })
    const { q } = mount(ChatImportDialog, { initialTarget: qwen })
    chooseFile(q<HTMLInputElement>('chat-import-file')!, 'nope')
    await nextTick()
    q<HTMLButtonElement>('chat-import-submit')!.click()
    await vi.waitFor(() => expect(q('chat-import-error')!.textContent).toBe('无法导入该文件：it is not JSON (expected value at line 1)'))
  })

  it('lets a stopped model be the target as it is, without starting it', async () => {
    fake.api.importConversations = vi.fn(async () => report)
    fake.api.startModel = vi.fn()
    const { q } = mount(ChatImportDialog, { initialTarget: qwen })
    await nextTick()
    const select = q<HTMLSelectElement>('chat-target')!
    expect(select.getAttribute('aria-label')).toBe('Model for the imported conversations')
    select.value = 'model:m2'
    select.dispatchEvent(new Event('change'))
    await nextTick()
    expect(q('chat-model-start')).toBeNull()
    chooseFile(q<HTMLInputElement>('chat-import-file')!, '{}')
    await nextTick()
    q<HTMLButtonElement>('chat-import-submit')!.click()
    await vi.waitFor(() => expect(fake.api.importConversations).toHaveBeenCalledWith({ content: '{}', target: { kind: 'model', model_id: 'm2' } }))
    expect(fake.api.startModel).not.toHaveBeenCalled()
  })

  it('opens the first imported conversation on the chat page, with the list showing them', async () => {
    fake.api.listConversations = vi.fn(async () => [])
    fake.api.importConversations = vi.fn(async () => report)
    fake.api.getConversation = vi.fn(async (id: string) => ({
      conversation: report.imported.find((c) => c.id === id)!,
      messages: [],
      context: null,
      defaults: { stop: [] },
    }))
    fake.api.listChatPresets = vi.fn(async () => [])
    const { q, all, router } = mount(RouterView, {}, [
      { path: '/', redirect: '/chat' },
      { path: '/chat/:id?', name: 'chat', component: ChatPage, props: true },
    ])
    await router.push('/chat')
    await vi.waitFor(() => expect(q('chat-import-open')).not.toBeNull())
    q<HTMLButtonElement>('chat-import-open')!.click()
    await nextTick()
    chooseFile(q<HTMLInputElement>('chat-import-file')!, '[]')
    await nextTick()
    q<HTMLButtonElement>('chat-import-submit')!.click()
    await vi.waitFor(() => expect(router.currentRoute.value.params.id).toBe('n1'))
    await vi.waitFor(() => expect(fake.api.getConversation).toHaveBeenCalledWith('n1'))
    expect(all('conversation-item').map((i) => i.dataset.conversationId)).toEqual(['n1', 'n2', 'n3'])
    // The dialog stays, saying what was imported, until Done.
    expect(q('chat-import-summary')!.textContent).toContain('Imported 3 conversations')
    q<HTMLButtonElement>('chat-import-done')!.click()
    await nextTick()
    expect(q('chat-import')).toBeNull()
  })
})
