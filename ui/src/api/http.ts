import type { BenchmarkExport } from '../generated/BenchmarkExport'
import type { BenchmarkExportRequest } from '../generated/BenchmarkExportRequest'
import type { ChatStreamEvent } from '../generated/ChatStreamEvent'
import type { DesktopSettings } from '../generated/DesktopSettings'
import type { ExportFormat } from '../generated/ExportFormat'
import type { GatewayStatus } from '../generated/GatewayStatus'
import type { LanServing } from '../generated/LanServing'
import type { LogBatch } from '../generated/LogBatch'
import { bindOperations, OPERATIONS, type OperationCall, type OperationSpec, type Operations } from '../generated/operations'
import type { RunExportRequest } from '../generated/RunExportRequest'
import type { SweepExportRequest } from '../generated/SweepExportRequest'
import type { TurnRequest } from '../generated/TurnRequest'
import { ApiError, errorFromResponse, networkError } from './errors'
import { EventHub, WsEventSource } from './events'
import { SseParser } from './sse'
import type { ChatHandle, ConnectionState, ExportResult, LlmopsApi, LogFollow } from './types'
import type { Event as LlmopsEvent } from '../generated/Event'

export interface HttpApiOptions {
  /** Prefix of every path, '' for the page's own origin. */
  baseUrl?: string
  /** Opens a WebSocket (tests pass a fake); `new WebSocket(url)` when omitted. */
  webSocket?: (url: string) => WebSocket
  /** WebSocket URL of the event stream; derived from the page's location when omitted. */
  wsUrl?: string
  fetch?: typeof fetch
  /** Hands a downloaded file to the user; a temporary `<a download>` click when omitted. */
  download?: (file: Blob, filename: string) => void
  /**
   * Opens the login page once this browser's login is gone (or after logging out);
   * `window.location.assign('/login')` when omitted. Called at most once per `HttpApi`.
   */
  openLogin?: (url: string) => void
}

/** The server's login page (server-rendered, not part of this app). */
export const LOGIN_PATH = '/login'

/** 401 codes meaning this browser's login is gone: the session expired or was revoked, or there never was one. */
export const SESSION_LOST_CODES: readonly string[] = ['login_required', 'invalid_credentials']

/** Whether an error says that the user must log in again (not merely that a scope is too low). */
export function isSessionLost(err: ApiError): boolean {
  return err.status === 401 && SESSION_LOST_CODES.includes(err.code)
}

/** Saves `file` through a temporary `<a href download>` click. */
function clickDownload(file: Blob, filename: string): void {
  const url = URL.createObjectURL(file)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  // Give the browser time to start the download before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** The file name of a `Content-Disposition: attachment; filename=…` header, if it has one. */
export function dispositionFilename(header: string | null): string | null {
  if (!header) return null
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim())
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/.exec(header)
  if (!plain) return null
  return (plain[1] ?? plain[2]).replace(/\\(.)/g, '$1') || null
}

function defaultWsUrl(): string {
  const { protocol, host } = window.location
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}/api${OPERATIONS.events.path}`
}

/** An operation's URL below the server: `/api` + its path with the path arguments, and its query. */
export function operationUrl(op: OperationSpec, args: Record<string, unknown>): string {
  let path = op.path ?? ''
  const query = new URLSearchParams()
  for (const [name, place] of op.args) {
    const value = args[name]
    if (place === 'path') {
      path = path.replace(`{${name}}`, encodeURIComponent(String(value)))
    } else if (place === 'query' && value && typeof value === 'object') {
      for (const [key, field] of Object.entries(value)) {
        if (field !== undefined && field !== null) query.set(key, String(field))
      }
    }
  }
  const qs = query.toString()
  return `/api${path}${qs ? `?${qs}` : ''}`
}

/** The argument that travels as the JSON body, if the operation has one. */
function operationBody(op: OperationSpec, args: Record<string, unknown>): unknown {
  const body = op.args.find(([, place]) => place === 'body')
  return body ? args[body[0]] : undefined
}

/**
 * Sends a request; network failures and non-2xx answers become `ApiError`s. `onError` sees each
 * error answer before it is thrown (the session check).
 */
export async function request(
  fetchFn: typeof fetch,
  url: string,
  init?: RequestInit,
  onError?: (err: ApiError) => void,
): Promise<Response> {
  let res: Response
  try {
    res = await fetchFn(url, init)
  } catch {
    throw networkError()
  }
  if (!res.ok) {
    const err = await errorFromResponse(res)
    onError?.(err)
    throw err
  }
  return res
}

/** The JSON body of a successful answer; an unreadable one rejects with `invalid_response`. */
async function readJson<T>(res: Response): Promise<T> {
  try {
    return (await res.json()) as T
  } catch {
    throw new ApiError('invalid_response', 'The llmops server sent a response that could not be read.', res.status)
  }
}

const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' }

/** The typed calls, bound in the constructor (`bindOperations`). */
export interface HttpApi extends Operations {}

/** The browser's transport: `fetch` for calls and streams, a WebSocket for events. */
export class HttpApi implements LlmopsApi {
  readonly transport = 'http' as const
  private readonly base: string
  private readonly fetchFn: typeof fetch
  private readonly hub = new EventHub('connecting')
  private readonly ws: WsEventSource
  private readonly download: (file: Blob, filename: string) => void
  private readonly openLogin: (url: string) => void
  private readonly openSocket: (url: string) => WebSocket
  private leaving = false

  constructor(options: HttpApiOptions = {}) {
    this.base = options.baseUrl ?? ''
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init))
    this.download = options.download ?? clickDownload
    this.openLogin = options.openLogin ?? ((url) => window.location.assign(url))
    this.openSocket = options.webSocket ?? ((url) => new WebSocket(url))
    this.ws = new WsEventSource(options.wsUrl ?? defaultWsUrl(), this.hub)
    Object.assign(this, bindOperations(this.call))
  }

  /** Leaves for the login page, once: later calls (other requests failing meanwhile) do nothing. */
  private toLogin(): void {
    if (this.leaving) return
    this.leaving = true
    this.openLogin(this.base + LOGIN_PATH)
  }

  /** Every error answer passes here: a lost login sends the browser to the login page. */
  private readonly checkSession = (err: ApiError): void => {
    if (isSessionLost(err)) this.toLogin()
  }

  /** The one way this API sends a request (`path` is below `baseUrl`). */
  private fetchOk(path: string, init?: RequestInit): Promise<Response> {
    return request(this.fetchFn, this.base + path, init, this.checkSession)
  }

  /** Sends one operation of the table (the typed methods all come through here). */
  private readonly call: OperationCall = async <T>(op: OperationSpec, args: Record<string, unknown>): Promise<T> => {
    if (op.method === null) {
      throw new ApiError('desktop_only', `${op.name} is only available in the desktop app.`, undefined, { operation: op.name })
    }
    const body = operationBody(op, args)
    const res = await this.fetchOk(operationUrl(op, args), {
      method: op.method.toUpperCase(),
      headers: body === undefined ? { Accept: 'application/json' } : JSON_HEADERS,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (op.output === 'empty') return undefined as T
    return readJson<T>(res)
  }

  /** POSTs `body` and streams the SSE answer as `ChatStreamEvent`s; aborting the fetch stops it. */
  private async stream(path: string, body: unknown, onEvent: (e: ChatStreamEvent) => void): Promise<ChatHandle> {
    const controller = new AbortController()
    const res = await this.fetchOk(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify(body),
      signal: controller.signal,
    })
    if (!res.body) {
      throw new ApiError('invalid_response', 'The llmops server sent an empty chat stream.')
    }
    let cancelled = false
    const done = readChatStream(res.body, (e) => {
      if (!cancelled) onEvent(e)
    }, () => cancelled)
    return {
      done,
      cancel: async () => {
        if (cancelled) return
        cancelled = true
        controller.abort()
        await done
      },
    }
  }

  async logout(): Promise<void> {
    await this.call(OPERATIONS.logout, {})
    this.toLogin()
  }

  /** The desktop app's own settings: a browser has none, so these reject with `desktop_only`. */
  getDesktopSettings(): Promise<DesktopSettings> {
    return this.call<DesktopSettings>(OPERATIONS.getDesktopSettings, {})
  }

  setDesktopSettings(settings: DesktopSettings): Promise<DesktopSettings> {
    return this.call<DesktopSettings>(OPERATIONS.setDesktopSettings, { settings })
  }

  /** The desktop app's switch: a server decides by its `--host`, so this rejects with `desktop_only`. */
  setLanServing(serving: LanServing): Promise<GatewayStatus> {
    return this.call<GatewayStatus>(OPERATIONS.setLanServing, { serving })
  }

  chatTurn(conversationId: string, turn: TurnRequest, onEvent: (e: ChatStreamEvent) => void): Promise<ChatHandle> {
    return this.stream(operationUrl(OPERATIONS.chatTurn, { id: conversationId }), turn, onEvent)
  }

  async exportConversation(id: string, format: ExportFormat): Promise<ExportResult> {
    const res = await this.fetchOk(operationUrl(OPERATIONS.exportConversation, { id, query: { format } }))
    let file: Blob
    try {
      file = await res.blob()
    } catch {
      throw networkError()
    }
    const filename =
      dispositionFilename(res.headers.get('Content-Disposition')) ?? (format === 'json' ? 'conversation.json' : 'conversation.md')
    this.download(file, filename)
    return { filename }
  }

  async saveBenchmarkReport(request: BenchmarkExportRequest): Promise<ExportResult> {
    return this.downloadReport(await this.exportBenchmarks(request))
  }

  async saveRunReport(request: RunExportRequest): Promise<ExportResult> {
    return this.downloadReport(await this.exportRuns(request))
  }

  async saveSweepReport(request: SweepExportRequest): Promise<ExportResult> {
    return this.downloadReport(await this.exportSweep(request))
  }

  /** Hands a report the server wrote (`BenchmarkExport`) to the browser as a download. */
  private downloadReport(file: BenchmarkExport): ExportResult {
    this.download(new Blob([file.content], { type: file.content_type }), file.filename)
    return { filename: file.filename }
  }

  async followModelLogs(modelId: string, onBatch: (batch: LogBatch) => void, onLost: (err: ApiError) => void): Promise<LogFollow> {
    const origin = this.base || window.location.origin
    const url = origin.replace(/^http/, 'ws') + operationUrl(OPERATIONS.followModelLogs, { id: modelId })
    const socket = this.openSocket(url)
    let closed = false
    socket.onmessage = (msg: MessageEvent) => {
      if (closed || typeof msg.data !== 'string') return
      try {
        onBatch(JSON.parse(msg.data) as LogBatch)
      } catch {
        // a malformed batch is skipped; the next one carries on
      }
    }
    socket.onclose = () => {
      if (closed) return
      closed = true
      onLost(new ApiError('log_stream_lost', 'The live log stopped: the server is unreachable, or the model was removed.'))
    }
    return {
      close: () => {
        if (closed) return
        closed = true
        socket.close()
      },
    }
  }

  get connection(): ConnectionState {
    return this.hub.connection
  }

  onEvent(listener: (e: LlmopsEvent) => void): () => void {
    this.ws.start()
    return this.hub.onEvent(listener)
  }

  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    this.ws.start()
    return this.hub.onConnectionChange(listener)
  }
}

/**
 * Reads an SSE body of `ChatStreamEvent`s until `done` or `error`. Always resolves; a
 * broken or truncated stream is reported as an `error` event (unless it was cancelled).
 */
export async function readChatStream(
  body: ReadableStream<Uint8Array>,
  onEvent: (e: ChatStreamEvent) => void,
  isCancelled: () => boolean = () => false,
): Promise<void> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const parser = new SseParser()
  let finished = false

  const handle = (data: string): void => {
    if (finished) return
    let event: ChatStreamEvent
    try {
      event = JSON.parse(data) as ChatStreamEvent
    } catch {
      finished = true
      onEvent({ event: 'error', error: { code: 'invalid_response', message: 'The chat stream contained an unreadable event.' } })
      return
    }
    if (event.event === 'done' || event.event === 'error') finished = true
    onEvent(event)
  }

  try {
    while (!finished) {
      const { value, done } = await reader.read()
      if (done) {
        for (const m of parser.push(decoder.decode())) handle(m.data)
        for (const m of parser.end()) handle(m.data)
        break
      }
      for (const m of parser.push(decoder.decode(value, { stream: true }))) handle(m.data)
    }
    if (!finished && !isCancelled()) {
      onEvent({
        event: 'error',
        error: { code: 'stream_incomplete', message: 'The chat stream ended before the answer was complete.' },
      })
    }
  } catch {
    if (!finished && !isCancelled()) {
      onEvent({
        event: 'error',
        error: { code: 'stream_lost', message: 'The connection to the llmops server was lost during the answer.' },
      })
    }
  } finally {
    reader.cancel().catch(() => {})
  }
}
