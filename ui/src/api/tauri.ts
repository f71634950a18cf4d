import { Channel, invoke } from '@tauri-apps/api/core'
import { listen } from '@tauri-apps/api/event'
import type { Alert } from '../generated/Alert'
import type { AlertList } from '../generated/AlertList'
import type { AlertRules } from '../generated/AlertRules'
import type { ApiKeyInfo } from '../generated/ApiKeyInfo'
import type { Caller } from '../generated/Caller'
import type { ChatEndpoint } from '../generated/ChatEndpoint'
import type { ChatPreset } from '../generated/ChatPreset'
import type { ChatStreamEvent } from '../generated/ChatStreamEvent'
import type { Conversation } from '../generated/Conversation'
import type { ConversationDetail } from '../generated/ConversationDetail'
import type { ConversationPatch } from '../generated/ConversationPatch'
import type { CreatedApiKey } from '../generated/CreatedApiKey'
import type { DeployPreset } from '../generated/DeployPreset'
import type { EngineInfo } from '../generated/EngineInfo'
import type { ExportFormat } from '../generated/ExportFormat'
import type { Event as LlmopsEvent } from '../generated/Event'
import type { History } from '../generated/History'
import type { HistoryRange } from '../generated/HistoryRange'
import type { InstanceInfo } from '../generated/InstanceInfo'
import type { LoginLink } from '../generated/LoginLink'
import type { LogLine } from '../generated/LogLine'
import type { Model } from '../generated/Model'
import type { ModelDetail } from '../generated/ModelDetail'
import type { NewApiKey } from '../generated/NewApiKey'
import type { NewChatEndpoint } from '../generated/NewChatEndpoint'
import type { NewChatPreset } from '../generated/NewChatPreset'
import type { NewConversation } from '../generated/NewConversation'
import type { NewModel } from '../generated/NewModel'
import type { SearchHit } from '../generated/SearchHit'
import type { SecretStoreInfo } from '../generated/SecretStoreInfo'
import type { SystemSnapshot } from '../generated/SystemSnapshot'
import type { TurnRequest } from '../generated/TurnRequest'
import { toApiError } from './errors'
import { EventHub } from './events'
import type { ChatHandle, ConnectionState, ExportResult, LlmopsApi } from './types'

export const TAURI_EVENT = 'llmops://event'

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args)
  } catch (err) {
    throw toApiError(err)
  }
}

/** The last segment of a file path, whichever separator the OS uses. */
export function basename(path: string): string {
  const parts = path.split(/[\\/]/)
  return parts[parts.length - 1] || path
}

/**
 * Starts a command that streams `ChatStreamEvent`s through a `Channel` and resolves to a stream
 * id; the handle stops it with `chat_cancel`.
 */
async function channelStream(
  command: string,
  args: Record<string, unknown>,
  onEvent: (e: ChatStreamEvent) => void,
): Promise<ChatHandle> {
  let cancelled = false
  let finish!: () => void
  const done = new Promise<void>((resolve) => (finish = resolve))
  const channel = new Channel<ChatStreamEvent>()
  channel.onmessage = (event) => {
    if (cancelled) return
    onEvent(event)
    if (event.event === 'done' || event.event === 'error') finish()
  }
  const streamId = await call<string>(command, { ...args, onEvent: channel })
  return {
    done,
    cancel: async () => {
      if (cancelled) return
      cancelled = true
      finish()
      try {
        await call('chat_cancel', { streamId })
      } catch {
        // the stream may already have ended; nothing to undo
      }
    },
  }
}

/** The desktop app's transport: Tauri commands, a `Channel` per chat stream, and app events. */
export class TauriApi implements LlmopsApi {
  readonly transport = 'tauri' as const
  private readonly hub = new EventHub('connecting')
  private listening = false

  whoami(): Promise<Caller> {
    return call('whoami')
  }

  /** The desktop app has no login, so nothing to end. */
  async logout(): Promise<void> {}

  listApiKeys(): Promise<ApiKeyInfo[]> {
    return call('list_api_keys')
  }

  createApiKey(newKey: NewApiKey): Promise<CreatedApiKey> {
    return call('create_api_key', { new: newKey })
  }

  async revokeApiKey(id: string): Promise<void> {
    await call<unknown>('revoke_api_key', { id })
  }

  loginLink(): Promise<LoginLink> {
    return call('login_link')
  }

  async rotateServerToken(): Promise<void> {
    await call<unknown>('rotate_server_token')
  }

  secretStoreInfo(): Promise<SecretStoreInfo> {
    return call('secret_store_info')
  }

  systemStatus(): Promise<SystemSnapshot> {
    return call('system_status')
  }

  systemHistory(range: HistoryRange, series?: string[]): Promise<History> {
    return call('system_history', { range, series: series && series.length > 0 ? series : null })
  }

  listAlerts(): Promise<AlertList> {
    return call('list_alerts')
  }

  acknowledgeAlert(id: string): Promise<Alert> {
    return call('acknowledge_alert', { id })
  }

  getAlertRules(): Promise<AlertRules> {
    return call('get_alert_rules')
  }

  setAlertRules(rules: AlertRules): Promise<AlertRules> {
    return call('set_alert_rules', { rules })
  }

  listModels(): Promise<Model[]> {
    return call('list_models')
  }

  addModel(model: NewModel): Promise<Model> {
    return call('add_model', { model })
  }

  deployModel(model: NewModel): Promise<InstanceInfo> {
    return call('deploy_model', { model })
  }

  modelDetail(id: string): Promise<ModelDetail> {
    return call('model_detail', { id })
  }

  async removeModel(id: string): Promise<void> {
    await call<unknown>('remove_model', { id })
  }

  listInstances(): Promise<InstanceInfo[]> {
    return call('list_instances')
  }

  startModel(modelId: string): Promise<InstanceInfo> {
    return call('start_model', { modelId })
  }

  stopInstance(instanceId: string): Promise<InstanceInfo> {
    return call('stop_instance', { instanceId })
  }

  stopModel(modelId: string): Promise<InstanceInfo> {
    return call('stop_model', { modelId })
  }

  enginesInfo(): Promise<EngineInfo[]> {
    return call('engines_info')
  }

  deployPresets(): Promise<DeployPreset[]> {
    return call('deploy_presets')
  }

  instanceLogs(instanceId: string, since?: number, limit?: number): Promise<LogLine[]> {
    return call('instance_logs', { instanceId, since: since ?? null, limit: limit ?? null })
  }

  listConversations(): Promise<Conversation[]> {
    return call('list_conversations')
  }

  createConversation(conversation: NewConversation): Promise<Conversation> {
    return call('create_conversation', { conversation })
  }

  getConversation(id: string): Promise<ConversationDetail> {
    return call('get_conversation', { id })
  }

  updateConversation(id: string, patch: ConversationPatch): Promise<Conversation> {
    return call('update_conversation', { id, patch })
  }

  async deleteConversation(id: string): Promise<void> {
    await call<unknown>('delete_conversation', { id })
  }

  async deleteChatMessage(conversationId: string, messageId: string): Promise<void> {
    await call<unknown>('delete_chat_message', { conversationId, messageId })
  }

  chatTurn(conversationId: string, turn: TurnRequest, onEvent: (e: ChatStreamEvent) => void): Promise<ChatHandle> {
    return channelStream('chat_turn', { conversationId, turn }, onEvent)
  }

  searchConversations(query: string): Promise<SearchHit[]> {
    return call('search_conversations', { query })
  }

  async exportConversation(id: string, format: ExportFormat): Promise<ExportResult> {
    const path = await call<string>('save_conversation_export', { id, format })
    return { filename: basename(path), path }
  }

  listChatEndpoints(): Promise<ChatEndpoint[]> {
    return call('list_chat_endpoints')
  }

  addChatEndpoint(endpoint: NewChatEndpoint): Promise<ChatEndpoint> {
    return call('add_chat_endpoint', { endpoint })
  }

  async removeChatEndpoint(id: string): Promise<void> {
    await call<unknown>('remove_chat_endpoint', { id })
  }

  chatEndpointModels(id: string): Promise<string[]> {
    return call('chat_endpoint_models', { id })
  }

  listChatPresets(): Promise<ChatPreset[]> {
    return call('list_chat_presets')
  }

  saveChatPreset(preset: NewChatPreset): Promise<ChatPreset> {
    return call('save_chat_preset', { preset })
  }

  async deleteChatPreset(id: string): Promise<void> {
    await call<unknown>('delete_chat_preset', { id })
  }

  get connection(): ConnectionState {
    return this.hub.connection
  }

  private ensureListening(): void {
    if (this.listening) return
    this.listening = true
    listen<LlmopsEvent>(TAURI_EVENT, (e) => this.hub.emit(e.payload)).then(
      () => this.hub.setConnection('open'),
      (err) => {
        console.error('llmops: could not listen to app events', err)
        this.hub.setConnection('closed')
      },
    )
  }

  onEvent(listener: (e: LlmopsEvent) => void): () => void {
    this.ensureListening()
    return this.hub.onEvent(listener)
  }

  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    this.ensureListening()
    return this.hub.onConnectionChange(listener)
  }
}
