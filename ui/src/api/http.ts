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
import { ApiError, errorFromResponse, networkError } from './errors'
import { EventHub, WsEventSource } from './events'
import { SseParser } from './sse'
import type { ChatHandle, ConnectionState, ExportResult, LlmopsApi } from './types'

export interface HttpApiOptions {
  /** Prefix of every path, '' for the page's own origin. */
  baseUrl?: string
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

type Method = 'POST' | 'PUT' | 'PATCH' | 'DELETE'

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
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}/api/ws`
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

export class HttpApi implements LlmopsApi {
  readonly transport = 'http' as const
  private readonly base: string
  private readonly fetchFn: typeof fetch
  private readonly hub = new EventHub('connecting')
  private readonly ws: WsEventSource
  private readonly download: (file: Blob, filename: string) => void
  private readonly openLogin: (url: string) => void
  private leaving = false

  constructor(options: HttpApiOptions = {}) {
    this.base = options.baseUrl ?? ''
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init))
    this.download = options.download ?? clickDownload
    this.openLogin = options.openLogin ?? ((url) => window.location.assign(url))
    this.ws = new WsEventSource(options.wsUrl ?? defaultWsUrl(), this.hub)
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

  private get<T>(path: string): Promise<T> {
    return this.fetchOk(path, { headers: { Accept: 'application/json' } }).then(readJson<T>)
  }

  private init(method: Method, body?: unknown): RequestInit {
    return {
      method,
      headers: body === undefined ? { Accept: 'application/json' } : JSON_HEADERS,
      body: body === undefined ? undefined : JSON.stringify(body),
    }
  }

  /** A request answered with JSON. */
  private send<T>(method: Method, path: string, body?: unknown): Promise<T> {
    return this.fetchOk(path, this.init(method, body)).then(readJson<T>)
  }

  /** A request whose answer has no body worth reading (204 No Content). */
  private async sendVoid(method: Method, path: string, body?: unknown): Promise<void> {
    await this.fetchOk(path, this.init(method, body))
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

  private post<T>(path: string, body?: unknown): Promise<T> {
    return this.send('POST', path, body)
  }

  whoami(): Promise<Caller> {
    return this.get('/api/auth/whoami')
  }

  async logout(): Promise<void> {
    await this.sendVoid('POST', '/api/auth/logout')
    this.toLogin()
  }

  listApiKeys(): Promise<ApiKeyInfo[]> {
    return this.get('/api/access/keys')
  }

  createApiKey(newKey: NewApiKey): Promise<CreatedApiKey> {
    return this.post('/api/access/keys', newKey)
  }

  revokeApiKey(id: string): Promise<void> {
    return this.sendVoid('DELETE', `/api/access/keys/${encodeURIComponent(id)}`)
  }

  loginLink(): Promise<LoginLink> {
    return this.get('/api/access/login-link')
  }

  rotateServerToken(): Promise<void> {
    return this.sendVoid('POST', '/api/access/rotate-token')
  }

  secretStoreInfo(): Promise<SecretStoreInfo> {
    return this.get('/api/access/secrets')
  }

  systemStatus(): Promise<SystemSnapshot> {
    return this.get('/api/system/status')
  }

  systemHistory(range: HistoryRange, series?: string[]): Promise<History> {
    let qs = `range=${encodeURIComponent(range)}`
    if (series && series.length > 0) qs += `&series=${series.map(encodeURIComponent).join(',')}`
    return this.get(`/api/system/history?${qs}`)
  }

  listAlerts(): Promise<AlertList> {
    return this.get('/api/alerts')
  }

  acknowledgeAlert(id: string): Promise<Alert> {
    return this.post(`/api/alerts/${encodeURIComponent(id)}/acknowledge`)
  }

  getAlertRules(): Promise<AlertRules> {
    return this.get('/api/alerts/rules')
  }

  setAlertRules(rules: AlertRules): Promise<AlertRules> {
    return this.send('PUT', '/api/alerts/rules', rules)
  }

  listModels(): Promise<Model[]> {
    return this.get('/api/models')
  }

  addModel(model: NewModel): Promise<Model> {
    return this.post('/api/models', model)
  }

  deployModel(model: NewModel): Promise<InstanceInfo> {
    return this.post('/api/models/deploy', model)
  }

  modelDetail(id: string): Promise<ModelDetail> {
    return this.get(`/api/models/${encodeURIComponent(id)}`)
  }

  removeModel(id: string): Promise<void> {
    return this.sendVoid('DELETE', `/api/models/${encodeURIComponent(id)}`)
  }

  listInstances(): Promise<InstanceInfo[]> {
    return this.get('/api/instances')
  }

  startModel(modelId: string): Promise<InstanceInfo> {
    return this.post(`/api/models/${encodeURIComponent(modelId)}/start`)
  }

  stopInstance(instanceId: string): Promise<InstanceInfo> {
    return this.post(`/api/instances/${encodeURIComponent(instanceId)}/stop`)
  }

  stopModel(modelId: string): Promise<InstanceInfo> {
    return this.post(`/api/models/${encodeURIComponent(modelId)}/stop`)
  }

  enginesInfo(): Promise<EngineInfo[]> {
    return this.get('/api/engines')
  }

  deployPresets(): Promise<DeployPreset[]> {
    return this.get('/api/engines/presets')
  }

  instanceLogs(instanceId: string, since?: number, limit?: number): Promise<LogLine[]> {
    const q = new URLSearchParams()
    if (since !== undefined) q.set('since', String(since))
    if (limit !== undefined) q.set('limit', String(limit))
    const qs = q.toString()
    return this.get(`/api/instances/${encodeURIComponent(instanceId)}/logs${qs ? `?${qs}` : ''}`)
  }

  listConversations(): Promise<Conversation[]> {
    return this.get('/api/conversations')
  }

  createConversation(conversation: NewConversation): Promise<Conversation> {
    return this.post('/api/conversations', conversation)
  }

  getConversation(id: string): Promise<ConversationDetail> {
    return this.get(`/api/conversations/${encodeURIComponent(id)}`)
  }

  updateConversation(id: string, patch: ConversationPatch): Promise<Conversation> {
    return this.send('PATCH', `/api/conversations/${encodeURIComponent(id)}`, patch)
  }

  deleteConversation(id: string): Promise<void> {
    return this.sendVoid('DELETE', `/api/conversations/${encodeURIComponent(id)}`)
  }

  deleteChatMessage(conversationId: string, messageId: string): Promise<void> {
    return this.sendVoid(
      'DELETE',
      `/api/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}`,
    )
  }

  chatTurn(conversationId: string, turn: TurnRequest, onEvent: (e: ChatStreamEvent) => void): Promise<ChatHandle> {
    return this.stream(`/api/conversations/${encodeURIComponent(conversationId)}/turns`, turn, onEvent)
  }

  searchConversations(query: string): Promise<SearchHit[]> {
    return this.get(`/api/chat/search?q=${encodeURIComponent(query)}`)
  }

  async exportConversation(id: string, format: ExportFormat): Promise<ExportResult> {
    const res = await this.fetchOk(`/api/conversations/${encodeURIComponent(id)}/export?format=${encodeURIComponent(format)}`)
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

  listChatEndpoints(): Promise<ChatEndpoint[]> {
    return this.get('/api/chat/endpoints')
  }

  addChatEndpoint(endpoint: NewChatEndpoint): Promise<ChatEndpoint> {
    return this.post('/api/chat/endpoints', endpoint)
  }

  removeChatEndpoint(id: string): Promise<void> {
    return this.sendVoid('DELETE', `/api/chat/endpoints/${encodeURIComponent(id)}`)
  }

  chatEndpointModels(id: string): Promise<string[]> {
    return this.get(`/api/chat/endpoints/${encodeURIComponent(id)}/models`)
  }

  listChatPresets(): Promise<ChatPreset[]> {
    return this.get('/api/chat/presets')
  }

  saveChatPreset(preset: NewChatPreset): Promise<ChatPreset> {
    return this.post('/api/chat/presets', preset)
  }

  deleteChatPreset(id: string): Promise<void> {
    return this.sendVoid('DELETE', `/api/chat/presets/${encodeURIComponent(id)}`)
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
        error: { code: 'network_error', message: 'The connection to the llmops server was lost during the answer.' },
      })
    }
  } finally {
    reader.cancel().catch(() => {})
  }
}
