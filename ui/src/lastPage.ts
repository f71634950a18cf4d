import type { Router } from 'vue-router'
import { isTauri } from './api'
import { preferences, type Preferences } from './api/preferences'

/** The preference holding the page the desktop window showed last. */
export const LAST_PAGE_KEY = 'ui.last_page'
/** Longer paths are not kept (a preference value is bounded, and no page needs more). */
const MAX_PATH = 512

/**
 * The desktop window opens on the page it showed last (a browser opens the address it is given).
 * Every navigation to a known page is saved; at start, when the window opens on the dashboard, the
 * saved page is restored if it still names a page. Returns a function that stops saving.
 */
export async function installLastPage(router: Router, store: Preferences = preferences(), desktop = isTauri()): Promise<() => void> {
  if (!desktop) return () => {}
  await router.isReady()
  const saved = await store.load(LAST_PAGE_KEY).catch(() => null)
  const atStart = router.currentRoute.value
  if (saved && saved !== atStart.fullPath && atStart.name === 'dashboard' && saved.startsWith('/') && saved.length <= MAX_PATH) {
    const target = router.resolve(saved)
    if (target.matched.length > 0 && target.name !== undefined) await router.replace(target).catch(() => {})
  }
  return router.afterEach((to, _from, failure) => {
    if (failure || !to.name || to.fullPath.length > MAX_PATH) return
    void store.save(LAST_PAGE_KEY, to.fullPath).catch(() => {})
  })
}
