// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { setLocale } from './composables/useI18n'
import { installPageTitle, pageTitle } from './pageTitle'

const page = { render: () => null }

describe('page title', () => {
  beforeEach(() => setLocale('en'))
  afterEach(() => setLocale('en'))

  it('names every page of the app router', async () => {
    // The pages pull in uPlot, which asks matchMedia for the pixel ratio when it loads; jsdom has none.
    const media = { matches: false, addEventListener() {}, removeEventListener() {}, addListener() {}, removeListener() {} }
    globalThis.matchMedia ??= (() => media) as unknown as typeof matchMedia
    const { router: appRouter } = await import('./router')
    for (const route of appRouter.getRoutes()) {
      if (!route.name) continue
      expect(pageTitle(route.name), String(route.name)).toMatch(/^.+ · LLM Local Ops Center$/)
    }
    expect(pageTitle('chat')).toBe('Chat · LLM Local Ops Center')
    expect(pageTitle('runs')).toBe('Runs · LLM Local Ops Center')
    expect(pageTitle('sweeps')).toBe('Sweeps · LLM Local Ops Center')
    expect(pageTitle(undefined)).toBe('LLM Local Ops Center')
    expect(pageTitle('nowhere')).toBe('LLM Local Ops Center')
  })

  it('follows navigation and language changes', async () => {
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/', name: 'dashboard', component: page },
        { path: '/chat/:id?', name: 'chat', component: page },
        { path: '/models/:id', name: 'model', component: page },
      ],
    })
    const stop = installPageTitle(router)
    await router.push('/')
    await nextTick()
    expect(document.title).toBe('Dashboard · LLM Local Ops Center')
    await router.push('/chat/c1')
    await nextTick()
    expect(document.title).toBe('Chat · LLM Local Ops Center')
    setLocale('zh')
    await nextTick()
    expect(document.title).toBe('对话 · LLM Local Ops Center')
    await router.push('/models/m1')
    await nextTick()
    expect(document.title).toBe('模型 · LLM Local Ops Center')
    stop()
  })
})
