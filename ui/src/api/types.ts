import type { AlertList } from '../generated/AlertList'
import type { AlertRules } from '../generated/AlertRules'
import type { ChatRequest } from '../generated/ChatRequest'
import type { ChatStreamEvent } from '../generated/ChatStreamEvent'
import type { Event as LlmopsEvent } from '../generated/Event'
import type { History } from '../generated/History'
import type { HistoryRange } from '../generated/HistoryRange'
import type { InstanceInfo } from '../generated/InstanceInfo'
import type { LogLine } from '../generated/LogLine'
import type { Model } from '../generated/Model'
import type { ModelDetail } from '../generated/ModelDetail'
import type { NewModel } from '../generated/NewModel'
import type { SystemSnapshot } from '../generated/SystemSnapshot'

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

/** Everything the UI asks of llmops. Every method rejects with an `ApiError`. */
export interface LlmopsApi {
  readonly transport: 'http' | 'tauri'
  systemStatus(): Promise<SystemSnapshot>
  /** Metric history over `range`; only the `series` keys when given (all of them otherwise). */
  systemHistory(range: HistoryRange, series?: string[]): Promise<History>
  listAlerts(): Promise<AlertList>
  getAlertRules(): Promise<AlertRules>
  /** Saves the rules and resolves to what was saved; invalid rules reject with `alert_rules_invalid`. */
  setAlertRules(rules: AlertRules): Promise<AlertRules>
  listModels(): Promise<Model[]>
  addModel(model: NewModel): Promise<Model>
  /** A model with its instance history (newest first); an unknown id rejects with `model_not_found`. */
  modelDetail(id: string): Promise<ModelDetail>
  removeModel(id: string): Promise<void>
  listInstances(): Promise<InstanceInfo[]>
  startModel(modelId: string): Promise<InstanceInfo>
  stopInstance(instanceId: string): Promise<InstanceInfo>
  instanceLogs(instanceId: string, since?: number, limit?: number): Promise<LogLine[]>
  /** Rejects (before any event) when the stream cannot start. */
  chatStream(request: ChatRequest, onEvent: (e: ChatStreamEvent) => void): Promise<ChatHandle>
  /** Subscribes to pushed events; returns the unsubscribe function. */
  onEvent(listener: (e: LlmopsEvent) => void): () => void
  /** Current state of the event transport. */
  readonly connection: ConnectionState
  /** Called on every change of `connection`; returns the unsubscribe function. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void
}
