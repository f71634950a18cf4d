import { readonly, ref } from 'vue'
import type { RouteLocationNormalized, Router } from 'vue-router'

/**
 * What browsers and Vite say when a lazily loaded page's code cannot be fetched (the server went
 * away, or a new build replaced the files): Chromium, Firefox, Safari, and Vite's CSS preloader.
 */
const CHUNK_ERRORS = [
  /failed to fetch dynamically imported module/i,
  /error loading dynamically imported module/i,
  /importing a module script failed/i,
  /unable to preload css/i,
  /loading (css )?chunk \S+ failed/i,
]

/** Whether a navigation failed because a page's code could not be loaded. */
export function isChunkLoadError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false
  const { name, message } = err as { name?: unknown; message?: unknown }
  if (name === 'ChunkLoadError') return true
  return typeof message === 'string' && CHUNK_ERRORS.some((re) => re.test(message))
}

export interface RouteFailure {
  /** Where the user was going (full path, for Try again). */
  to: string
  /** The route's name, for the page's name in the message. */
  name: string | null
  /** The code of the page could not be loaded (else another error, with its message). */
  chunk: boolean
  message: string
}

const failure = ref<RouteFailure | null>(null)
let current: Router | null = null

/**
 * Makes a failed navigation visible: without this, clicking a page whose code cannot load (the
 * server is down) does nothing at all. The failure clears on the next successful navigation.
 */
export function installRouteErrors(router: Router): () => void {
  current = router
  const offError = router.onError((err: unknown, to: RouteLocationNormalized) => {
    failure.value = {
      to: to.fullPath,
      name: typeof to.name === 'string' ? to.name : null,
      chunk: isChunkLoadError(err),
      message: err instanceof Error ? err.message : String(err),
    }
  })
  const offAfter = router.afterEach((_to, _from, navFailure) => {
    if (!navFailure) failure.value = null
  })
  return () => {
    offError()
    offAfter()
    if (current === router) current = null
  }
}

/** Tries the failed navigation again. */
export async function retryRoute(): Promise<void> {
  const f = failure.value
  if (!f || !current) return
  await current.push(f.to).catch(() => {})
}

export function dismissRouteFailure(): void {
  failure.value = null
}

export function useRouteFailure() {
  return { failure: readonly(failure), retry: retryRoute, dismiss: dismissRouteFailure }
}
