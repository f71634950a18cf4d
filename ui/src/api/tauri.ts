import { Channel, invoke } from '@tauri-apps/api/core'
import { listen } from '@tauri-apps/api/event'
import type { BenchmarkExportRequest } from '../generated/BenchmarkExportRequest'
import type { ChatStreamEvent } from '../generated/ChatStreamEvent'
import type { DesktopSettings } from '../generated/DesktopSettings'
import type { Event as LlmopsEvent } from '../generated/Event'
import type { ExportFormat } from '../generated/ExportFormat'
import type { GatewayStatus } from '../generated/GatewayStatus'
import type { LanServing } from '../generated/LanServing'
import type { LogBatch } from '../generated/LogBatch'
import { bindOperations, OPERATIONS, type OperationCall, type OperationSpec, type Operations } from '../generated/operations'
import type { RunExportRequest } from '../generated/RunExportRequest'
import type { SweepExportRequest } from '../generated/SweepExportRequest'
import type { TurnRequest } from '../generated/TurnRequest'
import { ApiError, toApiError } from './errors'
import { EventHub } from './events'
import type { ChatHandle, ConnectionState, ExportResult, LlmopsApi, LogFollow } from './types'

export const TAURI_EVENT = 'llmops://event'

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args)
  } catch (err) {
    throw toApiError(err)
  }
}

/** `{ message_id: … }` → `{ messageId: … }`: Tauri names a command's arguments in camelCase. */
export function camelArgs(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args).map(([name, value]) => [name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), value]),
  )
}

/** Invokes one operation of the table as the Tauri command of the same name. */
export const invokeOperation: OperationCall = async <T>(op: OperationSpec, args: Record<string, unknown>): Promise<T> => {
  if (op.surface === 'http') {
    throw new ApiError('browser_only', `${op.name} is only served over HTTP.`, undefined, { operation: op.name })
  }
  const result = await call<T>(op.name, camelArgs(args))
  return (op.output === 'empty' ? undefined : result) as T
}

/** The last segment of a file path, whichever separator the OS uses. */
export function basename(path: string): string {
  const parts = path.split(/[\\/]/)
  return parts[parts.length - 1] || path
}

/**
 * Starts a command that streams `ChatStreamEvent`s through a `Channel` and resolves to a stream
 * id; the handle stops it with `cancel_stream`.
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
        await call(OPERATIONS.cancelStream.name, { streamId })
      } catch {
        // the stream may already have ended; nothing to undo
      }
    },
  }
}

/** The typed calls, bound in the constructor (`bindOperations`). */
export interface TauriApi extends Operations {}

/** The desktop app's transport: Tauri commands, a `Channel` per chat stream, and app events. */
export class TauriApi implements LlmopsApi {
  readonly transport = 'tauri' as const
  private readonly hub = new EventHub('connecting')
  private listening = false

  constructor() {
    Object.assign(this, bindOperations(invokeOperation))
  }

  /** The desktop app has no login, so nothing to end. */
  async logout(): Promise<void> {}

  chatTurn(conversationId: string, turn: TurnRequest, onEvent: (e: ChatStreamEvent) => void): Promise<ChatHandle> {
    return channelStream(OPERATIONS.chatTurn.name, { id: conversationId, turn }, onEvent)
  }

  async exportConversation(id: string, format: ExportFormat): Promise<ExportResult> {
    const path = await call<string>(OPERATIONS.exportConversation.name, { id, query: { format } })
    return { filename: basename(path), path }
  }

  async saveBenchmarkReport(request: BenchmarkExportRequest): Promise<ExportResult> {
    const path = await call<string>(OPERATIONS.saveBenchmarkExport.name, { request })
    return { filename: basename(path), path }
  }

  /** The core writes the run report into Downloads and answers its path. */
  async saveRunReport(request: RunExportRequest): Promise<ExportResult> {
    const path = await call<string>(OPERATIONS.saveRunExport.name, { request })
    return { filename: basename(path), path }
  }

  /** The core writes the sweep report into Downloads and answers its path. */
  async saveSweepReport(request: SweepExportRequest): Promise<ExportResult> {
    const path = await call<string>(OPERATIONS.saveSweepExport.name, { request })
    return { filename: basename(path), path }
  }

  /** The core's follower pushes batches on a `Channel`; `cancel_stream` stops it. */
  async followModelLogs(modelId: string, onBatch: (batch: LogBatch) => void, _onLost: (err: ApiError) => void): Promise<LogFollow> {
    let closed = false
    const channel = new Channel<LogBatch>()
    channel.onmessage = (batch) => {
      if (!closed) onBatch(batch)
    }
    const streamId = await call<string>(OPERATIONS.followModelLogs.name, { id: modelId, onBatch: channel })
    return {
      close: () => {
        if (closed) return
        closed = true
        call(OPERATIONS.cancelStream.name, { streamId }).catch(() => {
          // the window's follower may already be gone; nothing to undo
        })
      },
    }
  }

  /** Desktop-only commands (the window's own behaviour), so not among the typed calls. */
  getDesktopSettings(): Promise<DesktopSettings> {
    return invokeOperation<DesktopSettings>(OPERATIONS.getDesktopSettings, {})
  }

  setDesktopSettings(settings: DesktopSettings): Promise<DesktopSettings> {
    return invokeOperation<DesktopSettings>(OPERATIONS.setDesktopSettings, { settings })
  }

  /** A desktop-only command (the app's own HTTP server), so not among the typed calls. */
  setLanServing(serving: LanServing): Promise<GatewayStatus> {
    return invokeOperation<GatewayStatus>(OPERATIONS.setLanServing, { serving })
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
