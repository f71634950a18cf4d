import type { Event as LlmopsEvent } from '../generated/Event'
import type { ConnectionState } from './types'

/** Fan-out of pushed events and of the transport's connection state. */
export class EventHub {
  private listeners = new Set<(e: LlmopsEvent) => void>()
  private connectionListeners = new Set<(s: ConnectionState) => void>()
  private state: ConnectionState

  constructor(initial: ConnectionState = 'connecting') {
    this.state = initial
  }

  get connection(): ConnectionState {
    return this.state
  }

  setConnection(state: ConnectionState): void {
    if (state === this.state) return
    this.state = state
    for (const l of [...this.connectionListeners]) safeCall(() => l(state))
  }

  emit(event: LlmopsEvent): void {
    for (const l of [...this.listeners]) safeCall(() => l(event))
  }

  onEvent(listener: (e: LlmopsEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  onConnectionChange(listener: (s: ConnectionState) => void): () => void {
    this.connectionListeners.add(listener)
    return () => this.connectionListeners.delete(listener)
  }
}

function safeCall(fn: () => void): void {
  try {
    fn()
  } catch (err) {
    console.error('llmops: event listener failed', err)
  }
}

export const RECONNECT_MIN_MS = 500
export const RECONNECT_MAX_MS = 10_000

/** Delay before reconnect attempt `attempt` (0-based): 0.5 s doubling up to 10 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(RECONNECT_MIN_MS * 2 ** attempt, RECONNECT_MAX_MS)
}

/**
 * Keeps a WebSocket to `/api/ws` open, reconnecting with exponential backoff. Each text
 * message is one JSON `Event`.
 */
export class WsEventSource {
  private socket: WebSocket | null = null
  private attempt = 0
  private timer: ReturnType<typeof setTimeout> | null = null
  private started = false

  constructor(
    private readonly url: string,
    private readonly hub: EventHub,
  ) {}

  start(): void {
    if (this.started) return
    this.started = true
    this.connect()
    if (typeof window !== 'undefined') {
      // Come back at once when the network returns instead of waiting out the backoff.
      window.addEventListener('online', () => this.reconnectNow())
    }
  }

  private reconnectNow(): void {
    if (this.socket || !this.started) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.attempt = 0
    this.connect()
  }

  private connect(): void {
    this.hub.setConnection('connecting')
    let ws: WebSocket
    try {
      ws = new WebSocket(this.url)
    } catch {
      this.scheduleReconnect()
      return
    }
    this.socket = ws
    ws.onopen = () => {
      this.attempt = 0
      this.hub.setConnection('open')
    }
    ws.onmessage = (msg: MessageEvent) => {
      if (typeof msg.data !== 'string') return
      let event: LlmopsEvent
      try {
        event = JSON.parse(msg.data) as LlmopsEvent
      } catch {
        console.warn('llmops: ignoring a malformed event', msg.data)
        return
      }
      this.hub.emit(event)
    }
    ws.onclose = () => {
      if (this.socket !== ws) return
      this.socket = null
      this.hub.setConnection('closed')
      this.scheduleReconnect()
    }
    // An error is always followed by a close, which reconnects.
    ws.onerror = () => {}
  }

  private scheduleReconnect(): void {
    const delay = reconnectDelay(this.attempt)
    this.attempt++
    this.timer = setTimeout(() => {
      this.timer = null
      this.connect()
    }, delay)
  }
}
