// @vitest-environment jsdom
import { createPinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick } from 'vue'

const fake = vi.hoisted(() => ({
  connection: 'open' as string,
  listeners: [] as ((s: string) => void)[],
  api: {} as Record<string, unknown>,
}))
vi.mock('../../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../api')>()
  return { ...actual, getApi: () => fake.api }
})

import { setLocale } from '../../composables/useI18n'
import StaleBanner from './StaleBanner.vue'

function setConnection(state: string) {
  fake.connection = state
  fake.listeners.forEach((l) => l(state))
}

describe('StaleBanner', () => {
  let host: HTMLElement
  let unmount: () => void

  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(new Date(2026, 11, 1, 14, 5, 10))
    setLocale('en')
    // The staleness watch subscribes once per app (a module singleton): keep its listener across tests.
    fake.api = {
      get connection() {
        return fake.connection
      },
      onConnectionChange: (l: (s: string) => void) => {
        fake.listeners.push(l)
        return () => {}
      },
      systemStatus: vi.fn(async () => {
        throw new Error('offline')
      }),
      listModels: vi.fn(async () => []),
      listInstances: vi.fn(async () => []),
    }
    host = document.createElement('div')
    document.body.appendChild(host)
    const app = createApp({ render: () => h(StaleBanner) })
    app.use(createPinia())
    app.mount(host)
    unmount = () => {
      app.unmount()
      host.remove()
    }
  })
  afterEach(() => {
    unmount()
    vi.useRealTimers()
  })

  const banner = () => host.querySelector('[data-testid="stale-banner"]')

  it('stays hidden through a quick reconnect, then names the time the server was lost, and goes when it is back', async () => {
    expect(banner()).toBeNull()
    setConnection('closed')
    await vi.advanceTimersByTimeAsync(1_000)
    setConnection('connecting')
    await nextTick()
    expect(banner()).toBeNull()
    await vi.advanceTimersByTimeAsync(2_100)
    expect(banner()?.textContent).toMatch(/Can’t reach the llmops server since 14:05 — the numbers below are stale\..*Retrying/)
    expect(banner()?.getAttribute('role')).toBe('alert')

    // Retry now asks the server again, at once.
    ;(host.querySelector('[data-testid="stale-retry"]') as HTMLButtonElement).click()
    expect(fake.api.systemStatus).toHaveBeenCalled()

    setConnection('open')
    await nextTick()
    expect(banner()).toBeNull()
  })

  it('speaks the UI language', async () => {
    setLocale('zh')
    setConnection('closed')
    await vi.advanceTimersByTimeAsync(3_500)
    expect(banner()?.textContent).toMatch(/自 .*14:05.* 起无法连接 llmops 服务器/)
    setLocale('en')
    setConnection('open')
  })
})
