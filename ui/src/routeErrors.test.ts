import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { dismissRouteFailure, installRouteErrors, isChunkLoadError, retryRoute, useRouteFailure } from './routeErrors'

const page = { render: () => null }

describe('isChunkLoadError', () => {
  it('recognises each browser’s failed dynamic import and Vite’s failed CSS preload', () => {
    for (const message of [
      'Failed to fetch dynamically imported module: http://127.0.0.1:8765/assets/ChatPage-Bb3jlLDL.js',
      'error loading dynamically imported module: http://localhost/assets/DeployPage-x.js',
      'Importing a module script failed.',
      'Unable to preload CSS for /assets/ChatPage-CTW3GYuH.css',
      'Loading chunk 42 failed.',
    ]) {
      expect(isChunkLoadError(new TypeError(message)), message).toBe(true)
    }
    expect(isChunkLoadError(Object.assign(new Error('x'), { name: 'ChunkLoadError' }))).toBe(true)
  })

  it('leaves other errors alone', () => {
    expect(isChunkLoadError(new Error('Cannot read properties of undefined'))).toBe(false)
    expect(isChunkLoadError('Failed to fetch dynamically imported module')).toBe(false)
    expect(isChunkLoadError(null)).toBe(false)
  })
})

describe('installRouteErrors', () => {
  function setup(load: () => Promise<unknown>) {
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/', name: 'dashboard', component: page },
        { path: '/chat/:id?', name: 'chat', component: load },
        { path: '/broken', name: 'broken', component: page, beforeEnter: () => { throw new Error('guard exploded') } },
      ],
    })
    const uninstall = installRouteErrors(router)
    return { router, uninstall }
  }

  it('turns a page whose code cannot load into a visible failure, and Try again opens it once it can', async () => {
    let attempts = 0
    const { router, uninstall } = setup(async () => {
      attempts++
      if (attempts === 1) throw new TypeError('Failed to fetch dynamically imported module: /assets/ChatPage.js')
      return page
    })
    const { failure } = useRouteFailure()
    await router.push('/')
    await router.push('/chat/abc').catch(() => {})
    expect(router.currentRoute.value.fullPath).toBe('/')
    expect(failure.value).toMatchObject({ to: '/chat/abc', name: 'chat', chunk: true })
    await retryRoute()
    expect(router.currentRoute.value.fullPath).toBe('/chat/abc')
    expect(failure.value).toBeNull()
    uninstall()
  })

  it('reports other navigation errors with their message, and can be dismissed', async () => {
    const { router, uninstall } = setup(async () => page)
    const { failure } = useRouteFailure()
    await router.push('/')
    await router.push('/broken').catch(() => {})
    expect(failure.value).toMatchObject({ name: 'broken', chunk: false, message: 'guard exploded' })
    dismissRouteFailure()
    expect(failure.value).toBeNull()
    uninstall()
  })

  it('clears a failure on the next successful navigation', async () => {
    const { router, uninstall } = setup(async () => {
      throw new TypeError('Importing a module script failed.')
    })
    const { failure } = useRouteFailure()
    await router.push('/')
    await router.push('/chat').catch(() => {})
    expect(failure.value?.chunk).toBe(true)
    await router.push({ path: '/', query: { again: '1' } })
    expect(failure.value).toBeNull()
    uninstall()
  })
})
