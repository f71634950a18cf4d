import { afterEach, describe, expect, it, vi } from 'vitest'
import { registerServiceWorker, SERVICE_WORKER_URL } from './pwa'

/** A browser page as registration sees it: the Tauri bridge or not, a worker container or not. */
function stubPage({ tauri = false, register }: { tauri?: boolean; register?: ServiceWorkerContainer['register'] }) {
  vi.stubGlobal('window', tauri ? { __TAURI_INTERNALS__: {} } : {})
  vi.stubGlobal('navigator', register ? { serviceWorker: { register } } : {})
}

const registration = { scope: 'http://127.0.0.1:8765/' } as ServiceWorkerRegistration

afterEach(() => {
  vi.unstubAllGlobals()
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

describe('registerServiceWorker', () => {
  it('registers /sw.js for the whole origin in a production build in a browser', async () => {
    vi.stubEnv('PROD', true)
    const register = vi.fn(async () => registration)
    stubPage({ register })
    expect(await registerServiceWorker()).toBe(registration)
    expect(register).toHaveBeenCalledWith(SERVICE_WORKER_URL, { scope: '/' })
    expect(SERVICE_WORKER_URL).toBe('/sw.js')
  })

  it('does not register inside the Tauri window', async () => {
    vi.stubEnv('PROD', true)
    const register = vi.fn(async () => registration)
    stubPage({ tauri: true, register })
    expect(await registerServiceWorker()).toBeNull()
    expect(register).not.toHaveBeenCalled()
  })

  it('does not register under the dev server', async () => {
    vi.stubEnv('PROD', false)
    const register = vi.fn(async () => registration)
    stubPage({ register })
    expect(await registerServiceWorker()).toBeNull()
    expect(register).not.toHaveBeenCalled()
  })

  it('does nothing where the browser has no service workers (http:// on the LAN)', async () => {
    vi.stubEnv('PROD', true)
    stubPage({})
    expect(await registerServiceWorker()).toBeNull()
  })

  it('warns and carries on when registration fails', async () => {
    vi.stubEnv('PROD', true)
    const failure = new DOMException('The operation is insecure.', 'SecurityError')
    stubPage({ register: vi.fn(async () => Promise.reject(failure)) })
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    await expect(registerServiceWorker()).resolves.toBeNull()
    expect(warn).toHaveBeenCalledOnce()
    expect(warn.mock.calls[0]).toContain(failure)
  })
})
