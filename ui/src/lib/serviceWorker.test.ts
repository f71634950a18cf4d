// The service worker (ui/public/sw.js) run as written: its source is evaluated with a fake `self`,
// Cache Storage and network, and driven through its own install, activate and fetch listeners.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import workerSource from '../../public/sw.js?raw'

const ORIGIN = 'http://127.0.0.1:8765'

interface FakeRequest {
  url: string
  method: string
  mode: string
  headers: Headers
}
interface FakeResponse {
  status: number
  type: string
  redirected: boolean
  headers: Headers
  body: string
  clone(): FakeResponse
}
type Policy = 'network-first' | 'cache-first' | null
type Listener = (event: Record<string, unknown>) => void

function request(path: string, init: { method?: string; mode?: string; headers?: Record<string, string> } = {}): FakeRequest {
  return { url: new URL(path, ORIGIN).href, method: init.method ?? 'GET', mode: init.mode ?? 'cors', headers: new Headers(init.headers) }
}
const navigation = (path: string) => request(path, { mode: 'navigate' })

function response(body: string, init: { status?: number; type?: string; redirected?: boolean; headers?: Record<string, string> } = {}): FakeResponse {
  const r: FakeResponse = {
    status: init.status ?? 200,
    type: init.type ?? 'basic',
    redirected: init.redirected ?? false,
    headers: new Headers(init.headers ?? { 'content-type': 'text/javascript' }),
    body,
    clone: () => ({ ...r }),
  }
  return r
}
const page = (body: string, headers: Record<string, string> = {}) => response(body, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', ...headers } })

const urlOf = (r: FakeRequest | string) => new URL(typeof r === 'string' ? r : r.url, ORIGIN).href
/** The network when the server is unreachable. */
const offline = async (): Promise<FakeResponse> => {
  throw new TypeError('Failed to fetch')
}

/** Cache Storage, keyed by absolute URL. */
class FakeCaches {
  stores = new Map<string, Map<string, FakeResponse>>()
  async open(name: string) {
    if (!this.stores.has(name)) this.stores.set(name, new Map())
    const store = this.stores.get(name)!
    return {
      match: async (r: FakeRequest | string) => store.get(urlOf(r)),
      put: async (r: FakeRequest | string, res: FakeResponse) => void store.set(urlOf(r), res),
    }
  }
  async keys() {
    return [...this.stores.keys()]
  }
  async delete(name: string) {
    return this.stores.delete(name)
  }
  /** Every cached URL, of every cache. */
  urls() {
    return [...this.stores.values()].flatMap((store) => [...store.keys()])
  }
}

/** A fresh worker: its listeners, its pure rules, and the fakes it runs against. */
function loadWorker() {
  const listeners = new Map<string, Listener>()
  const caches = new FakeCaches()
  const network = vi.fn<(r: FakeRequest | string) => Promise<FakeResponse>>(offline)
  const self = {
    location: new URL('/sw.js', ORIGIN),
    addEventListener: (type: string, listener: Listener) => listeners.set(type, listener),
    skipWaiting: vi.fn(async () => {}),
    clients: { claim: vi.fn(async () => {}) },
  }
  // The source's top-level functions are globals of the worker; returning them exposes its rules.
  const rules = new Function('self', 'caches', 'fetch', `${workerSource}\nreturn { cachePolicy, storable }`)(self, caches, network) as {
    cachePolicy: (r: FakeRequest, origin: string) => Policy
    storable: (r: FakeResponse) => boolean
  }
  const policy = (r: FakeRequest) => rules.cachePolicy(r, ORIGIN)

  /** Runs a lifecycle event to the end of its waitUntil. */
  async function lifecycle(type: 'install' | 'activate') {
    let pending: Promise<unknown> = Promise.resolve()
    listeners.get(type)!({ waitUntil: (p: Promise<unknown>) => (pending = p) })
    await pending
  }
  /** Dispatches a fetch: the worker's answer, or undefined when it leaves the request to the browser. */
  async function dispatch(r: FakeRequest): Promise<FakeResponse | undefined> {
    let answer: Promise<FakeResponse> | undefined
    listeners.get('fetch')!({ request: r, respondWith: (p: Promise<FakeResponse>) => (answer = p) })
    return answer
  }
  return { policy, storable: rules.storable, caches, network, self, lifecycle, dispatch }
}

let worker: ReturnType<typeof loadWorker>
beforeEach(() => {
  worker = loadWorker()
})

describe('the caching rules', () => {
  it('never handles API, gateway, metrics or login requests, even as navigations', () => {
    for (const path of ['/api/system/status', '/api/events', '/api', '/v1/models', '/v1/chat/completions', '/v1', '/metrics', '/login', '/login.js']) {
      expect(worker.policy(request(path)), path).toBeNull()
      expect(worker.policy(navigation(path)), path).toBeNull()
    }
  })

  it('answers navigations network first', () => {
    expect(worker.policy(navigation('/'))).toBe('network-first')
    expect(worker.policy(navigation('/index.html'))).toBe('network-first')
    expect(worker.policy(navigation('/?lang=zh#/runs'))).toBe('network-first')
  })

  it("answers Vite's hashed assets, the icons and the manifest cache first", () => {
    expect(worker.policy(request('/assets/index-Cz83CqS9.js'))).toBe('cache-first')
    expect(worker.policy(request('/assets/index-DpHHJmuH.css'))).toBe('cache-first')
    expect(worker.policy(request('/icons/icon-192.png'))).toBe('cache-first')
    expect(worker.policy(request('/manifest.webmanifest'))).toBe('cache-first')
  })

  it('leaves other origins, other methods, WebSocket upgrades and unknown files alone', () => {
    expect(worker.policy(request('https://cdn.example.com/assets/x.js'))).toBeNull()
    expect(worker.policy(request('http://127.0.0.1:9999/assets/x.js'))).toBeNull()
    expect(worker.policy(request('/assets/x.js', { method: 'POST' }))).toBeNull()
    expect(worker.policy(request('/', { method: 'POST', mode: 'navigate' }))).toBeNull()
    expect(worker.policy(request('/assets/x.js', { method: 'HEAD' }))).toBeNull()
    expect(worker.policy(request('/api/events', { headers: { upgrade: 'websocket' } }))).toBeNull()
    expect(worker.policy(request('/assets/live', { headers: { upgrade: 'websocket' } }))).toBeNull()
    expect(worker.policy(request('/sw.js'))).toBeNull()
    expect(worker.policy(request('/report.json'))).toBeNull()
  })

  it('stores only whole, same-origin, unredirected answers that allow it', () => {
    expect(worker.storable(response('ok'))).toBe(true)
    expect(worker.storable(response('gone', { status: 404 }))).toBe(false)
    expect(worker.storable(response('part', { status: 206 }))).toBe(false)
    expect(worker.storable(response('', { type: 'opaque', status: 0 }))).toBe(false)
    expect(worker.storable(response('', { type: 'opaqueredirect', status: 0 }))).toBe(false)
    expect(worker.storable(response('login', { redirected: true }))).toBe(false)
    expect(worker.storable(response('data', { headers: { 'cache-control': 'private, no-store' } }))).toBe(false)
  })
})

describe('the worker', () => {
  const shellFiles = ['/', '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png', '/icons/maskable-512.png']

  /** Installs it against a server that has the shell's files. */
  async function install() {
    worker.network.mockImplementation(async (r) => (urlOf(r) === `${ORIGIN}/` ? page('<div id="app">v1</div>') : response(`file ${urlOf(r)}`)))
    await worker.lifecycle('install')
  }

  it('pre-caches the shell, the manifest and the icons on install, then takes over', async () => {
    await install()
    expect(worker.caches.urls().sort()).toEqual(shellFiles.map((p) => `${ORIGIN}${p}`).sort())
    expect(worker.self.skipWaiting).toHaveBeenCalled()
    await worker.lifecycle('activate')
    expect(worker.self.clients.claim).toHaveBeenCalled()
  })

  it('fails to install rather than keep the login page as the shell', async () => {
    const login = response('log in', { redirected: true, headers: { 'content-type': 'text/html' } })
    worker.network.mockImplementation(async (r) => (urlOf(r) === `${ORIGIN}/` ? login : response('file')))
    await expect(worker.lifecycle('install')).rejects.toThrow(/pre-cache \//)
  })

  it("drops earlier builds' caches on activate and keeps other caches", async () => {
    const earlier = ['llmops-shell-0123456789abcdef', 'someone-else']
    for (const name of earlier) await worker.caches.open(name)
    await install()
    const current = (await worker.caches.keys()).filter((name) => !earlier.includes(name))
    expect(current).toHaveLength(1)
    await worker.lifecycle('activate')
    expect((await worker.caches.keys()).sort()).toEqual([...current, 'someone-else'].sort())
  })

  it('passes API calls to the network untouched and keeps nothing of them', async () => {
    await install()
    const before = worker.caches.urls().length
    for (const path of ['/api/system/status', '/v1/models', '/metrics']) {
      expect(await worker.dispatch(request(path)), path).toBeUndefined()
    }
    expect(worker.caches.urls()).toHaveLength(before)
  })

  it('serves a navigation from the network, refreshes the shell, and falls back to it offline', async () => {
    await install()
    worker.network.mockImplementation(async () => page('<div id="app">v2</div>'))
    expect((await worker.dispatch(navigation('/')))!.body).toContain('v2')
    worker.network.mockImplementation(offline)
    expect((await worker.dispatch(navigation('/')))!.body).toContain('v2')
  })

  it('does not take a non-shell navigation or a no-store page as the shell', async () => {
    await install()
    worker.network.mockImplementation(async () => response('png bytes', { headers: { 'content-type': 'image/png' } }))
    await worker.dispatch(navigation('/icons/icon-192.png'))
    worker.network.mockImplementation(async () => page('private', { 'cache-control': 'no-store' }))
    await worker.dispatch(navigation('/'))
    worker.network.mockImplementation(offline)
    expect((await worker.dispatch(navigation('/')))!.body).toContain('v1')
  })

  it('serves assets from the cache once fetched, without the network', async () => {
    await install()
    worker.network.mockImplementation(async () => response('console.log(1)'))
    expect((await worker.dispatch(request('/assets/index-abc.js')))!.body).toBe('console.log(1)')
    worker.network.mockClear()
    worker.network.mockImplementation(offline)
    expect((await worker.dispatch(request('/assets/index-abc.js')))!.body).toBe('console.log(1)')
    expect(worker.network).not.toHaveBeenCalled()
  })

  it("does not keep the server's fallback page in place of a missing asset", async () => {
    await install()
    worker.network.mockImplementation(async () => page('<div id="app"></div>'))
    await worker.dispatch(request('/assets/OldPage-gone.js'))
    expect(worker.caches.urls()).not.toContain(`${ORIGIN}/assets/OldPage-gone.js`)
  })
})
