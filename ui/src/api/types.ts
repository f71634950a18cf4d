import type { BenchmarkExportRequest } from '../generated/BenchmarkExportRequest'
import type { ChatStreamEvent } from '../generated/ChatStreamEvent'
import type { DesktopSettings } from '../generated/DesktopSettings'
import type { Event as LlmopsEvent } from '../generated/Event'
import type { ExportFormat } from '../generated/ExportFormat'
import type { GatewayStatus } from '../generated/GatewayStatus'
import type { LanServing } from '../generated/LanServing'
import type { LogBatch } from '../generated/LogBatch'
import type { Operations } from '../generated/operations'
import type { RunExportRequest } from '../generated/RunExportRequest'
import type { SweepExportRequest } from '../generated/SweepExportRequest'
import type { TurnRequest } from '../generated/TurnRequest'
import type { ApiError } from './errors'

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

/** A model's live output being followed; `close` stops it (idempotent). */
export interface LogFollow {
  close(): void
}

/** A conversation written to a file: where the desktop app saved it, or the browser's download name. */
export interface ExportResult {
  filename: string
  /** Full path of the saved file (desktop app only). */
  path?: string
}

/**
 * Everything the UI asks of llmops. Every method rejects with an `ApiError`. The typed calls
 * (`Operations`) are generated from the core's operation table; the members below are the ones
 * each transport writes itself: streams, files, events and the browser's login.
 */
export interface LlmopsApi extends Operations {
  readonly transport: 'http' | 'tauri'
  /** Ends this browser's session (its cookie) and opens the login page; does nothing in the desktop app. */
  logout(): Promise<void>
  /**
   * Sends, regenerates or edits a turn and streams the answer: `started` first, then deltas,
   * then one `done` or `error`. Rejects (before any event) when the turn cannot start.
   */
  chatTurn(conversationId: string, turn: TurnRequest, onEvent: (e: ChatStreamEvent) => void): Promise<ChatHandle>
  /** Downloads (browser) or saves to the Downloads folder (desktop app) a conversation. */
  exportConversation(id: string, format: ExportFormat): Promise<ExportResult>
  /** Downloads (browser) or saves to the Downloads folder (desktop app) a benchmark report. */
  saveBenchmarkReport(request: BenchmarkExportRequest): Promise<ExportResult>
  /** Downloads (browser) or saves to the Downloads folder (desktop app) a run's report, or a comparison of runs. */
  saveRunReport(request: RunExportRequest): Promise<ExportResult>
  /** Downloads (browser) or saves to the Downloads folder (desktop app) a sweep's report. */
  saveSweepReport(request: SweepExportRequest): Promise<ExportResult>
  /**
   * Follows a model's output as the server pushes it: the latest instance's recent lines first,
   * then new lines, moving to the new instance when the model starts again (a batch's
   * `instance_id` says which). `onLost` is called once if the stream ends without `close`.
   */
  followModelLogs(modelId: string, onBatch: (batch: LogBatch) => void, onLost: (err: ApiError) => void): Promise<LogFollow>
  /**
   * "Serve on local network" (the desktop app; `GatewayStatus.lan.switchable` says it can): serves
   * the app's HTTP server on every address, behind keys, or on loopback again, and resolves to the
   * gateway's new status. Over HTTP it rejects with `desktop_only`.
   */
  setLanServing(serving: LanServing): Promise<GatewayStatus>
  /** How the desktop app behaves (close to tray, notifications, start at login, models started
   * with it). Over HTTP it rejects with `desktop_only`. */
  getDesktopSettings(): Promise<DesktopSettings>
  /** Saves them and answers what applies now (start at login as the system has it). */
  setDesktopSettings(settings: DesktopSettings): Promise<DesktopSettings>
  /** Subscribes to pushed events; returns the unsubscribe function. */
  onEvent(listener: (e: LlmopsEvent) => void): () => void
  /** Current state of the event transport. */
  readonly connection: ConnectionState
  /** Called on every change of `connection`; returns the unsubscribe function. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void
}
