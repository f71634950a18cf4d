import { createPinia, type Pinia } from 'pinia'
import { afterEach, beforeEach, expect, vi } from 'vitest'
import { createApp, h, nextTick, type Component } from 'vue'
import { createMemoryHistory, createRouter, RouterView, type RouteRecordRaw, type Router } from 'vue-router'
import { setLocale } from '../composables/useI18n'
import { removeFakeApi } from './fakeApi'

/*
 * Mounting components and pages in tests (jsdom), with stores and a router, and driving them as
 * a user would. Tests only.
 */

/** A route's component that renders nothing: the target of links a test only reads. */
export const stubPage: Component = { render: () => null }

export interface MountOptions {
  /** The router's routes (the page under test, and stubs for the pages it links to). */
  routes: RouteRecordRaw[]
  /** Where the router is before mounting (`mountApp`); the first route when absent. */
  path?: string
  /** What is mounted: a `RouterView` (the route at `path`) when absent. */
  component?: Component
  props?: Record<string, unknown>
  /** The stores (a test may have filled some); new ones when absent. */
  pinia?: Pinia
}

/** A mounted app and what a test reads and does with it; elements are found by `data-testid`. */
export interface Mounted {
  host: HTMLElement
  router: Router
  pinia: Pinia
  q<T extends Element = HTMLElement>(testid: string, root?: ParentNode): T | null
  all(testid: string, root?: ParentNode): HTMLElement[]
  /** Clicks an element (which must be there), then lets Vue render. */
  click(el: Element | null): Promise<void>
  /** Types `value` into a field (an `input` event), then lets Vue render. */
  type(el: HTMLInputElement | HTMLTextAreaElement | null, value: string): Promise<void>
  /** Picks `value` in a select (a `change` event), then lets Vue render. */
  choose(el: HTMLSelectElement | null, value: string): Promise<void>
  /** The values a select offers. */
  options(testid: string): string[]
}

const mounted: (() => void)[] = []

/**
 * Mounts an app (see `MountOptions`) into the document at once, the router at its first route
 * (`path` is not used: see `mountApp`); `unmountAll` takes it away.
 */
export function mountNow(options: MountOptions): Mounted {
  return mountWith(createRouter({ history: createMemoryHistory(), routes: options.routes }), options)
}

/** Mounts an app (see `MountOptions`) into the document, with the router at `path`; `unmountAll` takes it away. */
export async function mountApp(options: MountOptions): Promise<Mounted> {
  const router = createRouter({ history: createMemoryHistory(), routes: options.routes })
  if (options.path !== undefined) await router.push(options.path)
  const app = mountWith(router, options)
  await nextTick()
  return app
}

function mountWith(router: Router, options: MountOptions): Mounted {
  const host = document.createElement('div')
  document.body.appendChild(host)
  const pinia = options.pinia ?? createPinia()
  const component = options.component ?? RouterView
  const app = createApp({ render: () => h(component, options.props ?? {}) })
  app.use(pinia).use(router)
  app.mount(host)
  mounted.push(() => {
    app.unmount()
    host.remove()
  })

  const q = <T extends Element = HTMLElement>(testid: string, root: ParentNode = host) => root.querySelector<T>(`[data-testid="${testid}"]`)
  const all = (testid: string, root: ParentNode = host) => Array.from(root.querySelectorAll<HTMLElement>(`[data-testid="${testid}"]`))
  const click = async (el: Element | null) => {
    expect(el).not.toBeNull()
    ;(el as HTMLElement).click()
    await nextTick()
  }
  const type = async (el: HTMLInputElement | HTMLTextAreaElement | null, value: string) => {
    expect(el).not.toBeNull()
    el!.value = value
    el!.dispatchEvent(new Event('input', { bubbles: true }))
    await nextTick()
  }
  const choose = async (el: HTMLSelectElement | null, value: string) => {
    expect(el).not.toBeNull()
    el!.value = value
    el!.dispatchEvent(new Event('change'))
    await nextTick()
  }
  const options_ = (testid: string) => Array.from(q<HTMLSelectElement>(testid)?.options ?? []).map((o) => o.value)
  return { host, router, pinia, q, all, click, type, choose, options: options_ }
}

/** Unmounts every app `mountApp` mounted (in `afterEach`). */
export function unmountAll(): void {
  while (mounted.length) mounted.pop()!()
}

/**
 * Registers the setup of page and component tests: English before each test; after each, the
 * apps mounted go, spies are restored and the fake transport (`installFakeApi`) is taken away.
 */
export function usePageTestSetup(): void {
  beforeEach(() => setLocale('en'))
  afterEach(() => {
    unmountAll()
    vi.restoreAllMocks()
    removeFakeApi()
  })
}
