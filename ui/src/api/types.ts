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

/** State of the push-event transport (WebSocket in the browser, Tauri events in the app). */
export type ConnectionState = 'connecting' | 'open' | 'closed'

/**
 * A running chat stream. `done` always resolves (never rejects): when the stream ends with
 * `done` or `error` (delivered through `onEvent`), or once it was cancelled. A cancelled
 * stream delivers no further events.
 */
export interface ChatHandle {
  cancel(): Promise<void>
  done: Promise<void>
}

/** A conversation written to a file: where the desktop app saved it, or the browser's download name. */
export interface ExportResult {
  filename: string
  /** Full path of the saved file (desktop app only). */
  path?: string
}

/** Everything the UI asks of llmops. Every method rejects with an `ApiError`. */
export interface LlmopsApi {
  readonly transport: 'http' | 'tauri'
  /** Who is calling: in the desktop app and on the server's own machine, always `admin` via `local`. */
  whoami(): Promise<Caller>
  /** Ends this browser's session (its cookie) and opens the login page; does nothing in the desktop app. */
  logout(): Promise<void>
  /** The API keys, without their secrets (admin). */
  listApiKeys(): Promise<ApiKeyInfo[]>
  /** Creates a key; the answer holds its secret, which is never shown again (admin). */
  createApiKey(newKey: NewApiKey): Promise<CreatedApiKey>
  /** Revokes a key: requests and sessions made with it stop working (admin). */
  revokeApiKey(id: string): Promise<void>
  /** The link (and its QR code) that logs another device in, or why there is none (admin). */
  loginLink(): Promise<LoginLink>
  /** Replaces the server token: every login link and session made with the old one stops working (admin). */
  rotateServerToken(): Promise<void>
  /** Where secrets (endpoint keys, secret engine environment) are kept (admin). */
  secretStoreInfo(): Promise<SecretStoreInfo>
  systemStatus(): Promise<SystemSnapshot>
  /** Metric history over `range`; only the `series` keys when given (all of them otherwise). */
  systemHistory(range: HistoryRange, series?: string[]): Promise<History>
  listAlerts(): Promise<AlertList>
  /**
   * Marks an active alert as seen: it stays active until its cause goes, but is no longer new.
   * Resolves to the updated alert; one no longer active rejects with `alert_not_found`.
   */
  acknowledgeAlert(id: string): Promise<Alert>
  getAlertRules(): Promise<AlertRules>
  /** Saves the rules and resolves to what was saved; invalid rules reject with `alert_rules_invalid`. */
  setAlertRules(rules: AlertRules): Promise<AlertRules>
  listModels(): Promise<Model[]>
  addModel(model: NewModel): Promise<Model>
  /**
   * Adds a model and starts it in one operation. When the start is refused before an engine
   * process exists (missing file or engine, no port, too many instances) the server removes the
   * model again and rejects with why; once a process ran, the model stays, with its instance.
   */
  deployModel(model: NewModel): Promise<InstanceInfo>
  /** A model with its instance history (newest first); an unknown id rejects with `model_not_found`. */
  modelDetail(id: string): Promise<ModelDetail>
  /** Removes a model, stopping its live instance first. */
  removeModel(id: string): Promise<void>
  listInstances(): Promise<InstanceInfo[]>
  startModel(modelId: string): Promise<InstanceInfo>
  stopInstance(instanceId: string): Promise<InstanceInfo>
  /** Stops the model's live instance (the server finds it); none rejects with `model_not_running`. */
  stopModel(modelId: string): Promise<InstanceInfo>
  /** Each engine on this machine: its binary, where it was found and its version, or what is missing. */
  enginesInfo(): Promise<EngineInfo[]>
  /** Presets that pre-fill the Deploy form, per model family and engine. */
  deployPresets(): Promise<DeployPreset[]>
  instanceLogs(instanceId: string, since?: number, limit?: number): Promise<LogLine[]>
  /** Saved conversations, pinned first, then the most recently updated. */
  listConversations(): Promise<Conversation[]>
  createConversation(conversation: NewConversation): Promise<Conversation>
  getConversation(id: string): Promise<ConversationDetail>
  updateConversation(id: string, patch: ConversationPatch): Promise<Conversation>
  deleteConversation(id: string): Promise<void>
  deleteChatMessage(conversationId: string, messageId: string): Promise<void>
  /**
   * Sends, regenerates or edits a turn and streams the answer: `started` first, then deltas,
   * then one `done` or `error`. Rejects (before any event) when the turn cannot start.
   */
  chatTurn(conversationId: string, turn: TurnRequest, onEvent: (e: ChatStreamEvent) => void): Promise<ChatHandle>
  searchConversations(query: string): Promise<SearchHit[]>
  /** Downloads (browser) or saves to the Downloads folder (desktop app) a conversation. */
  exportConversation(id: string, format: ExportFormat): Promise<ExportResult>
  listChatEndpoints(): Promise<ChatEndpoint[]>
  addChatEndpoint(endpoint: NewChatEndpoint): Promise<ChatEndpoint>
  removeChatEndpoint(id: string): Promise<void>
  /** The model names an endpoint serves (its `/models`). */
  chatEndpointModels(id: string): Promise<string[]>
  listChatPresets(): Promise<ChatPreset[]>
  /** Saves a preset; one with the same name is replaced. */
  saveChatPreset(preset: NewChatPreset): Promise<ChatPreset>
  deleteChatPreset(id: string): Promise<void>
  /** Subscribes to pushed events; returns the unsubscribe function. */
  onEvent(listener: (e: LlmopsEvent) => void): () => void
  /** Current state of the event transport. */
  readonly connection: ConnectionState
  /** Called on every change of `connection`; returns the unsubscribe function. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void
}
