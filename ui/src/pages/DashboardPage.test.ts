// @vitest-environment jsdom
import { createPinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { entry, overview, runtime } from '../lib/engines/engines.fixtures'
import { useEnginesStore } from '../stores/engines'
import { emit, fake, installFakeApi } from '../testing/fakeApi'
import { mountApp, stubPage as stub, usePageTestSetup } from '../testing/mountApp'
import DashboardPage from './DashboardPage.vue'

const routes = [
  { path: '/', name: 'dashboard', component: DashboardPage },
  { path: '/engines', name: 'engines', component: stub },
  { path: '/chat/:id?', name: 'chat', component: stub },
  { path: '/deploy', name: 'deploy', component: stub },
  { path: '/requests', name: 'requests', component: stub },
  { path: '/models/:id', name: 'model', component: stub },
  { path: '/access', name: 'access', component: stub },
]

async function mountDashboard(pinia = createPinia()) {
  useEnginesStore(pinia).connect()
  return mountApp({ path: '/', pinia, routes })
}

usePageTestSetup()
beforeEach(() => {
  installFakeApi()
})

describe('the dashboard’s engine hint', () => {
  it('says nothing while a llama-server is there (the fake transport’s default)', async () => {
    const { q } = await mountDashboard()
    await vi.waitFor(() => expect(fake.api.listEngineRuntimes).toHaveBeenCalledTimes(1))
    await Promise.resolve()
    expect(q('dashboard-get-engine')).toBeNull()
  })

  it('links to the Engines page while nothing can run llama.cpp, asking once, until a runtime is installed', async () => {
    fake.api.listEngineRuntimes.mockResolvedValue(overview({ fallback: null }))
    const pinia = createPinia()
    const first = await mountDashboard(pinia)
    const banner = await vi.waitFor(() => {
      const el = first.q<HTMLAnchorElement>('dashboard-get-engine')
      expect(el).not.toBeNull()
      return el!
    })
    expect(banner.textContent?.replace(/\s+/g, ' ').trim()).toBe('No llama.cpp engine yet — get one')
    expect(banner.getAttribute('href')).toBe('/engines')

    // Shown again: not asked again.
    const again = await mountApp({ path: '/', pinia, routes })
    expect(again.q('dashboard-get-engine')).not.toBeNull()
    expect(fake.api.listEngineRuntimes).toHaveBeenCalledTimes(1)

    const installed = runtime()
    fake.api.listEngineRuntimes.mockResolvedValue(overview({ fallback: null, default_id: installed.id, runtimes: [entry(installed, { is_default: true })] }))
    emit({ type: 'engine_runtime_update', data: installed })
    await vi.waitFor(() => expect(first.q('dashboard-get-engine')).toBeNull())
  })
})
