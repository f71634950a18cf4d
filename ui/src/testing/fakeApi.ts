import { vi, type Mock } from 'vitest'
import { type ConnectionState, type LlmopsApi, setApi } from '../api'
import type { Event as LlmopsEvent } from '../generated/Event'
import { overview } from '../lib/engines/engines.fixtures'

/*
 * The fake transport of tests (stores, components, pages): what `getApi()` answers while a test
 * runs. Tests only. Each test puts on it the calls it needs; the stores' event and connection
 * subscriptions are kept, so that a test can push events (`emit`) and reconnect (`setConnection`).
 */

/** The fake transport now installed: its calls, and the listeners the stores subscribed. */
export const fake = {
  api: {} as Record<string, Mock>,
  listeners: [] as ((e: LlmopsEvent) => void)[],
  connection: [] as ((state: ConnectionState) => void)[],
}

/**
 * Installs a fresh fake transport (`setApi`) with the calls given, plus `onEvent` and
 * `onConnectionChange` that keep their listeners, and `listEngineRuntimes` (the dashboard asks
 * it: an overview with a build from source, so that no "get an engine" banner shows), unless
 * `calls` has its own. Returns it (`fake.api`); a test may put more calls on it later
 * (`fake.api.x = vi.fn(…)`).
 */
export function installFakeApi(calls: Record<string, Mock> = {}): Record<string, Mock> {
  fake.listeners = []
  fake.connection = []
  fake.api = {
    onEvent: vi.fn((listener: (e: LlmopsEvent) => void) => {
      fake.listeners.push(listener)
      return () => {}
    }),
    onConnectionChange: vi.fn((listener: (state: ConnectionState) => void) => {
      fake.connection.push(listener)
      return () => {}
    }),
    listEngineRuntimes: vi.fn(async () => overview()),
    ...calls,
  }
  setApi(fake.api as unknown as LlmopsApi)
  return fake.api
}

/** Takes the fake transport away (`getApi()` makes a real one again). */
export function removeFakeApi(): void {
  setApi(null)
}

/** Pushes an event, as the server does, to every subscriber. */
export function emit(e: LlmopsEvent): void {
  fake.listeners.forEach((l) => l(e))
}

/** The event connection changes state (`open` again: a reconnect, after which stores reload). */
export function setConnection(state: ConnectionState): void {
  fake.connection.forEach((l) => l(state))
}
