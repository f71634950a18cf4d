import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { defineComponent } from 'vue'
import type { Preferences } from './api/preferences'
import { installLastPage, LAST_PAGE_KEY } from './lastPage'

const page = defineComponent({ render: () => null })

function makeRouter() {
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', name: 'dashboard', component: page },
      { path: '/engines', name: 'engines', component: page },
      { path: '/runs/:id?', name: 'runs', component: page },
      { path: '/:pathMatch(.*)*', redirect: '/' },
    ],
  })
}

function memoryStore(initial: Record<string, string> = {}): Preferences & { values: Record<string, string> } {
  const values = { ...initial }
  return {
    values,
    load: async (key) => values[key] ?? null,
    save: async (key, value) => {
      values[key] = value
    },
  }
}

async function opened(at: string, store: Preferences, desktop = true) {
  const router = makeRouter()
  await router.push(at)
  await installLastPage(router, store, desktop)
  return router
}

describe('the desktop window reopens on its last page', () => {
  it('restores the saved page when it opens on the dashboard, and saves each page shown', async () => {
    const store = memoryStore({ [LAST_PAGE_KEY]: '/runs/r1' })
    const router = await opened('/', store)
    expect(router.currentRoute.value.fullPath).toBe('/runs/r1')
    await router.push('/engines')
    expect(store.values[LAST_PAGE_KEY]).toBe('/engines')
  })

  it('keeps a page it was opened on, and ignores a saved page that is no page any more', async () => {
    const store = memoryStore({ [LAST_PAGE_KEY]: '/runs/r1' })
    expect((await opened('/engines', store)).currentRoute.value.fullPath).toBe('/engines')
    const gone = memoryStore({ [LAST_PAGE_KEY]: '/retired-page' })
    expect((await opened('/', gone)).currentRoute.value.fullPath).toBe('/')
    const odd = memoryStore({ [LAST_PAGE_KEY]: 'https://elsewhere.test/' })
    expect((await opened('/', odd)).currentRoute.value.fullPath).toBe('/')
  })

  it('does nothing in a browser, which opens the address it is given', async () => {
    const store = memoryStore({ [LAST_PAGE_KEY]: '/engines' })
    const router = await opened('/', store, false)
    expect(router.currentRoute.value.fullPath).toBe('/')
    await router.push('/runs')
    expect(store.values[LAST_PAGE_KEY]).toBe('/engines')
  })
})
