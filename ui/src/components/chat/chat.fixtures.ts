import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { afterEach, beforeEach, vi } from 'vitest'
import type { Component } from 'vue'
import type { RouteRecordRaw } from 'vue-router'
import { setLocale } from '../../composables/useI18n'
import type { Conversation } from '../../generated/Conversation'
import type { Model } from '../../generated/Model'
import type { StoredMessage } from '../../generated/StoredMessage'
import { fake, installFakeApi, removeFakeApi } from '../../testing/fakeApi'
import { mountNow, stubPage, unmountAll } from '../../testing/mountApp'

/** The API the chat components talk to: each test puts on it the calls it needs (`fake.api.x = vi.fn(…)`). */
export { fake }

let pinia: Pinia

/**
 * Registers the chat components' setup: before each test fresh stores and an empty fake API;
 * after it, the mounted components go, timers are real again and the language is English.
 */
export function useChatTestSetup(): void {
  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
    installFakeApi()
  })
  afterEach(() => {
    unmountAll()
    vi.useRealTimers()
    setLocale('en')
    removeFakeApi()
  })
}

/** Routes for components that only link to the chat. */
const LINK_ROUTES: RouteRecordRaw[] = [
  { path: '/chat/:id?', name: 'chat', component: stubPage },
  { path: '/', component: stubPage },
]

/**
 * Mounts a component with the test's stores and a router (for its links, or `routes` to render
 * pages through a `RouterView`); `q`/`all` find by `data-testid`.
 */
export function mount(component: Component, props: Record<string, unknown> = {}, routes: RouteRecordRaw[] = LINK_ROUTES) {
  const { host, q, all, router } = mountNow({ component, props, routes, pinia })
  return { host, q, all, router }
}

/** Types `value` into a field as the user would (an `input` event). */
export function type(el: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  el.value = value
  el.dispatchEvent(new Event('input', { bubbles: true }))
}

/** Presses a key on `el`; `keyCode` 229 is an IME composing. */
export function key(el: Element, init: KeyboardEventInit & { keyCode?: number }): KeyboardEvent {
  const e = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init })
  if (init.keyCode !== undefined) Object.defineProperty(e, 'keyCode', { value: init.keyCode })
  el.dispatchEvent(e)
  return e
}

/** Conversation `c1`, talking to local model `m1` (Qwen). */
export const conversation: Conversation = {
  id: 'c1', title: 'Hi', target: { kind: 'model', model_id: 'm1' }, target_label: 'Qwen', params: { stop: [] }, pinned: false, created_at: 1, updated_at: 1,
}

/** A complete answer `a1` of conversation `c1`, with `extra` over it. */
export function storedMessage(extra: Partial<StoredMessage> = {}): StoredMessage {
  return {
    id: 'a1', conversation_id: 'c1', role: 'assistant', content: '', reasoning: '', answers: null, version: 1, versions: 1,
    status: 'complete', error: null, stats: null, created_at: 1, updated_at: 1, ...extra,
  }
}

/** A local llama.cpp model. */
export function localModel(id: string, name: string): Model {
  return {
    id, name, engine: 'llama_cpp', path: `/models/${id}.gguf`, context_size: 4096, extra_args: [], restart_policy: { kind: 'never' },
    port: null, settings: { engine: 'llama_cpp' }, secret_env: [], gpus: { mode: 'all' }, starter: false, created_at: 1, file_missing: false,
  }
}
