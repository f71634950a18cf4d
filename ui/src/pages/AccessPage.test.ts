// @vitest-environment jsdom
import { createPinia, type Pinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick } from 'vue'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import type { ApiKeyInfo } from '../generated/ApiKeyInfo'
import type { Caller } from '../generated/Caller'
import type { LoginLink } from '../generated/LoginLink'

const fake = vi.hoisted(() => ({ api: {} as Record<string, ReturnType<typeof import('vitest').vi.fn>> }))
vi.mock('../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../api')>()
  return { ...actual, getApi: () => fake.api }
})

import { ApiError } from '../api'
import { setLocale } from '../composables/useI18n'
import { useAccessStore } from '../stores/access'
import AccessPage from './AccessPage.vue'

const LOCAL: Caller = { scope: 'admin', via: 'local', key_id: null, key_name: null }
const QR = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 21 21"><path d="M0 0h7v7H0z"/><script>alert(1)</script></svg>'
const LINK: LoginLink = { url: 'http://192.168.1.5:8765/login#token=abc', qr_svg: QR, token_file: '/home/me/.local/share/llmops/server-token', remote_auth: true, note: null }
const key = (id: string, name: string, scope: ApiKeyInfo['scope'], lastUsed: bigint | null = null): ApiKeyInfo => ({
  id, name, scope, prefix: `llm_${id}`, created_at: 1700000000000n, last_used_at: lastUsed,
})

const cleanups: (() => void)[] = []

async function mountPage(caller: Caller | null) {
  const host = document.createElement('div')
  document.body.appendChild(host)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: { render: () => null } },
      { path: '/access', name: 'access', component: AccessPage },
      { path: '/requests', name: 'requests', component: { render: () => null } },
    ],
  })
  await router.push('/access')
  const pinia: Pinia = createPinia()
  const store = useAccessStore(pinia)
  store.caller = caller
  const app = createApp({ render: () => h(RouterView) })
  app.use(pinia).use(router)
  app.mount(host)
  cleanups.push(() => {
    app.unmount()
    host.remove()
  })
  await nextTick()
  const q = <T extends HTMLElement = HTMLElement>(testid: string) => host.querySelector<T>(`[data-testid="${testid}"]`)
  const all = (testid: string) => Array.from(host.querySelectorAll<HTMLElement>(`[data-testid="${testid}"]`))
  const click = async (testid: string, index = 0) => {
    all(testid)[index].click()
    await nextTick()
  }
  const type = async (testid: string, value: string) => {
    const el = q<HTMLInputElement>(testid)!
    el.value = value
    el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input'))
    await nextTick()
  }
  return { host, store, q, all, click, type }
}

beforeEach(() => {
  setLocale('en')
  fake.api = {
    listApiKeys: vi.fn(async () => [key('k1', 'laptop', 'admin', 1700000600000n), key('k2', 'phone', 'read')]),
    loginLink: vi.fn(async () => LINK),
    secretStoreInfo: vi.fn(async () => ({ backend: 'keyring', detail: 'Secret Service (GNOME Keyring), collection “login”' })),
    createApiKey: vi.fn(async (n: { name: string; scope: ApiKeyInfo['scope'] }) => ({ key: key('k3', n.name, n.scope), secret: 'llm_k3_S3cr3tValue' })),
    revokeApiKey: vi.fn(async () => {}),
    rotateServerToken: vi.fn(async () => {}),
    logout: vi.fn(async () => {}),
    whoami: vi.fn(async () => LOCAL),
  }
})

afterEach(() => {
  cleanups.splice(0).forEach((c) => c())
  vi.unstubAllGlobals()
})

describe('AccessPage: who you are', () => {
  it('says this machine needs no login, with no Log out', async () => {
    const { q } = await mountPage(LOCAL)
    expect(q('access-who')?.textContent).toBe('This machine (no login needed)')
    expect(q('access-logout')).toBeNull()
  })

  it('names the key and scope of a browser session, logs out, and shows nothing for admins', async () => {
    const { q, click } = await mountPage({ scope: 'read', via: 'session', key_id: 'k2', key_name: 'phone' })
    expect(q('access-who')?.textContent).toBe('Signed in with key “phone” (read)')
    expect(q('access-admin-only')?.textContent).toBe('Managing API keys and login links needs the admin scope.')
    expect(q('access-link')).toBeNull()
    expect(q('access-keys')).toBeNull()
    expect(fake.api.listApiKeys).not.toHaveBeenCalled()
    expect(fake.api.loginLink).not.toHaveBeenCalled()
    await click('access-logout')
    expect(fake.api.logout).toHaveBeenCalledTimes(1)
    setLocale('zh')
    await nextTick()
    expect(q('access-who')?.textContent).toBe('已用密钥“phone”登录（只读）')
  })

  it('names the server token for a session made with it, and says why logging out failed', async () => {
    fake.api.logout.mockRejectedValue(new ApiError('network_error', 'down'))
    const { q, click } = await mountPage({ scope: 'admin', via: 'session', key_id: null, key_name: null })
    expect(q('access-who')?.textContent).toBe('Signed in with the server token (admin)')
    await click('access-logout')
    await vi.waitFor(() => expect(q('access-logout-error')?.textContent).toContain('The llmops server is unreachable'))
  })
})

describe('AccessPage: connect a phone', () => {
  it('shows the link with a copy button and the QR code as an image, never as markup', async () => {
    const writeText = vi.fn(async () => {})
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    const { host, q, click } = await mountPage(LOCAL)
    await vi.waitFor(() => expect(q('access-link-url')).not.toBeNull())
    expect(q<HTMLInputElement>('access-link-url')!.value).toBe(LINK.url)
    const img = q<HTMLImageElement>('access-link-qr')!
    expect(img.tagName).toBe('IMG')
    expect(img.alt).toBe('QR code of the login link')
    const src = img.getAttribute('src')!
    expect(src.startsWith('data:image/svg+xml;base64,')).toBe(true)
    expect(atob(src.split(',')[1])).toBe(QR)
    // The SVG never becomes part of the page.
    expect(host.querySelector('svg')).toBeNull()
    expect(host.querySelector('script')).toBeNull()
    expect(q('access-token-file')?.textContent).toBe(LINK.token_file)
    expect(q('access-no-remote-auth')).toBeNull()
    await click('access-link-copy')
    expect(writeText).toHaveBeenCalledWith(LINK.url)
    await vi.waitFor(() => expect(q('access-link-copy-done')?.textContent).toBe('Copied.'))
  })

  it('says how to get a link when there is none, in the UI’s words, and warns when other machines need no login', async () => {
    fake.api.loginLink.mockResolvedValue({ ...LINK, url: null, qr_svg: null, remote_auth: false, note: 'this server listens on 127.0.0.1 only; restart it with `llmops serve --host 0.0.0.0` to reach it from a phone' })
    const { q } = await mountPage(LOCAL)
    await vi.waitFor(() => expect(q('access-link-note')).not.toBeNull())
    expect(q('access-link-note')?.textContent).toBe('This server listens on 127.0.0.1 only. To reach it from a phone, restart it with llmops serve --host 0.0.0.0.')
    expect(q('access-link-url')).toBeNull()
    expect(q('access-link-qr')).toBeNull()
    expect(q('access-no-remote-auth')?.textContent).toContain('without logging in')
    setLocale('zh')
    await nextTick()
    expect(q('access-link-note')?.textContent).toContain('llmops serve --host 0.0.0.0')
    expect(q('access-link-note')?.textContent).toContain('若要从手机访问')
  })

  it('in the desktop app, points to "Serve on local network" on the Requests page while it is off', async () => {
    fake.api.loginLink.mockResolvedValue({ ...LINK, url: null, qr_svg: null, note: 'this app serves this machine only. Turn on "Serve on local network" (Requests page) to reach it from a phone' })
    ;(window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {}
    try {
      const { q } = await mountPage(LOCAL)
      await vi.waitFor(() => expect(q('access-link-note')).not.toBeNull())
      expect(q('access-link-note')?.textContent?.replace(/\s+/g, ' ').trim()).toBe(
        'This app serves this machine only. To reach it from a phone, turn on “Serve on local network” under Connect your tools. Go to the Requests page',
      )
      expect(q('access-link-lan-setting')?.getAttribute('href')).toBe('/requests')
      expect(q('access-no-remote-auth')).toBeNull()
    } finally {
      delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__
    }
  })

  it('rotates the token only after a confirmation that says what stops working', async () => {
    const { q, click } = await mountPage(LOCAL)
    await vi.waitFor(() => expect(q('access-link-url')).not.toBeNull())
    await click('access-rotate')
    expect(q('access-rotate-confirm')?.textContent).toContain('Every login link and browser session made with the old token stops working.')
    await click('access-rotate-cancel')
    expect(fake.api.rotateServerToken).not.toHaveBeenCalled()
    fake.api.loginLink.mockResolvedValue({ ...LINK, url: 'http://192.168.1.5:8765/login#token=new' })
    await click('access-rotate')
    await click('access-rotate-yes')
    expect(fake.api.rotateServerToken).toHaveBeenCalledTimes(1)
    await vi.waitFor(() => expect(q('access-rotated')).not.toBeNull())
    expect(q<HTMLInputElement>('access-link-url')!.value).toContain('token=new')
  })

  it('says why the link could not be loaded, and retries', async () => {
    fake.api.loginLink.mockRejectedValueOnce(new ApiError('internal', 'The token file is unreadable.'))
    const { q } = await mountPage(LOCAL)
    await vi.waitFor(() => expect(q('access-link-error')?.textContent).toContain('The token file is unreadable.'))
    q('access-link-error')!.querySelector('button')!.click()
    await vi.waitFor(() => expect(q('access-link-url')).not.toBeNull())
    expect(q('access-link-error')).toBeNull()
  })
})

describe('AccessPage: API keys', () => {
  it('lists the keys without secrets: name, scope, prefix, created, last used', async () => {
    const { all, q } = await mountPage(LOCAL)
    await vi.waitFor(() => expect(all('access-key')).toHaveLength(2))
    const rows = all('access-key')
    expect(rows.map((r) => r.dataset.scope)).toEqual(['admin', 'read'])
    expect(all('access-key-name').map((e) => e.textContent)).toEqual(['laptop', 'phone'])
    expect(all('access-key-prefix').map((e) => e.textContent)).toEqual(['llm_k1…', 'llm_k2…'])
    expect(all('access-key-last-used')[1].textContent).toBe('Never')
    expect(all('access-key-last-used')[0].textContent).not.toBe('Never')
    expect(rows[1].querySelector('td[data-label="Scope"]')?.textContent?.trim()).toBe('read')
    expect(q('access-keys-none')).toBeNull()
  })

  it('creates a key, explains each scope, and shows its secret once with a warning', async () => {
    const writeText = vi.fn(async () => {})
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    const { q, all, click, type, store } = await mountPage(LOCAL)
    await vi.waitFor(() => expect(all('access-key')).toHaveLength(2))
    expect(q('access-scope-list')?.textContent).toContain('read: See the dashboard.')
    expect(q('access-scope-list')?.textContent).toContain('operate: Also start and stop models, and chat.')
    expect(q('access-scope-list')?.textContent).toContain('admin: Also add, deploy, edit and remove models, which run programs, and change settings and keys.')
    // No name: said next to the form, nothing sent.
    await click('access-key-create')
    expect(q('access-key-name-missing')?.textContent).toBe('Give the key a name.')
    expect(fake.api.createApiKey).not.toHaveBeenCalled()
    await type('access-key-new-name', '  tablet ')
    await type('access-key-new-scope', 'operate')
    expect(q('access-scope-list')?.querySelector('li.chosen')?.getAttribute('data-scope')).toBe('operate')
    await click('access-key-create')
    expect(fake.api.createApiKey).toHaveBeenCalledWith({ name: 'tablet', scope: 'operate' })
    await vi.waitFor(() => expect(q('access-secret')).not.toBeNull())
    expect(q('access-secret')?.textContent).toContain('New key “tablet” (operate)')
    expect(q('access-secret-warning')?.textContent).toContain('it will not be shown again')
    expect(q<HTMLInputElement>('access-secret-value')!.value).toBe('llm_k3_S3cr3tValue')
    await vi.waitFor(() => expect(q<HTMLInputElement>('access-key-new-name')!.value).toBe(''))
    expect(all('access-key')).toHaveLength(3)
    await click('access-secret-copy')
    expect(writeText).toHaveBeenCalledWith('llm_k3_S3cr3tValue')
    await click('access-secret-done')
    expect(q('access-secret')).toBeNull()
    expect(store.created).toBeNull()
    expect(document.body.innerHTML).not.toContain('llm_k3_S3cr3tValue')
  })

  it('shows why a key could not be created', async () => {
    fake.api.createApiKey.mockRejectedValue(new ApiError('api_key_name_taken', 'A key named “phone” already exists.'))
    const { q, click, type } = await mountPage(LOCAL)
    await type('access-key-new-name', 'phone')
    await click('access-key-create')
    await vi.waitFor(() => expect(q('access-create-error')?.textContent).toBe('A key named “phone” already exists.'))
    expect(q('access-secret')).toBeNull()
  })

  it('revokes a key after a confirmation that names it', async () => {
    const { q, all, click } = await mountPage(LOCAL)
    await vi.waitFor(() => expect(all('access-key')).toHaveLength(2))
    await click('access-key-revoke', 1)
    expect(all('access-key')[1].textContent).toContain('Revoke “phone”? Scripts and browsers using it stop working at once.')
    await click('access-key-revoke-cancel')
    expect(fake.api.revokeApiKey).not.toHaveBeenCalled()
    await click('access-key-revoke', 1)
    await click('access-key-revoke-yes')
    expect(fake.api.revokeApiKey).toHaveBeenCalledWith('k2')
    await vi.waitFor(() => expect(all('access-key')).toHaveLength(1))
    expect(q('access-revoke-error')).toBeNull()
  })

  it('says when there are no keys yet', async () => {
    fake.api.listApiKeys.mockResolvedValue([])
    const { q } = await mountPage(LOCAL)
    await vi.waitFor(() => expect(q('access-keys-none')?.textContent).toBe('No API keys yet.'))
  })
})

describe('AccessPage: where secrets are kept', () => {
  it('names the OS keyring or the private file, with the detail', async () => {
    const { q } = await mountPage(LOCAL)
    await vi.waitFor(() => expect(q('access-secrets-backend')).not.toBeNull())
    expect(q('access-secrets-backend')?.textContent?.trim()).toBe('OS keyring')
    expect(q('access-secrets-detail')?.textContent).toContain('GNOME Keyring')
    cleanups.splice(0).forEach((c) => c())
    fake.api.secretStoreInfo.mockResolvedValue({ backend: 'file', detail: '/home/me/.local/share/llmops/secrets.json (mode 0600)' })
    const file = await mountPage(LOCAL)
    await vi.waitFor(() => expect(file.q('access-secrets-backend')?.textContent?.trim()).toBe('A file readable only by you'))
    setLocale('zh')
    await nextTick()
    expect(file.q('access-secrets-backend')?.textContent?.trim()).toBe('只有你能读取的文件')
  })

  it('loads the admin parts once the caller turns out to be an admin', async () => {
    const { store, q } = await mountPage(null)
    expect(fake.api.listApiKeys).not.toHaveBeenCalled()
    expect(q('access-admin-only')).toBeNull()
    store.caller = LOCAL
    await vi.waitFor(() => expect(q('access-secrets-backend')).not.toBeNull())
    expect(fake.api.listApiKeys).toHaveBeenCalledTimes(1)
  })
})
