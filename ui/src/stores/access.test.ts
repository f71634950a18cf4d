import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'

import { ApiError } from '../api'
import type { ApiKeyInfo } from '../generated/ApiKeyInfo'
import type { Caller } from '../generated/Caller'
import { fake, installFakeApi } from '../testing/fakeApi'
import { useAccessStore } from './access'

const key = (id: string, name: string, scope: ApiKeyInfo['scope'] = 'read'): ApiKeyInfo => ({
  id, name, scope, prefix: `llm_${id}`, created_at: 1n, last_used_at: null,
})
const caller = (scope: Caller['scope'], via: Caller['via'] = 'session'): Caller => ({ scope, via, key_id: 'k1', key_name: 'phone' })

beforeEach(() => {
  setActivePinia(createPinia())
  installFakeApi()
})

describe('access store: the caller', () => {
  it('loads the caller and answers can() by scope', async () => {
    fake.api.whoami = vi.fn(async () => caller('operate'))
    const store = useAccessStore()
    // Unknown yet: nothing is hidden before the server says who is calling.
    expect(store.can('admin')).toBe(true)
    expect(store.isAdmin).toBe(false)
    void store.loadCaller()
    await vi.waitFor(() => expect(store.caller).not.toBeNull())
    expect(fake.api.whoami).toHaveBeenCalledTimes(1)
    expect([store.can('read'), store.can('operate'), store.can('admin')]).toEqual([true, true, false])
    expect(store.isAdmin).toBe(false)
    store.caller = caller('read')
    expect([store.can('read'), store.can('operate'), store.can('admin')]).toEqual([true, false, false])
    store.caller = caller('admin', 'local')
    expect(store.isAdmin).toBe(true)
    expect(store.can('admin')).toBe(true)
  })

  it('keeps the error when whoami fails', async () => {
    fake.api.whoami = vi.fn(async () => {
      throw new ApiError('network_error', 'down')
    })
    const store = useAccessStore()
    await store.loadCaller()
    expect(store.caller).toBeNull()
    expect(store.callerError?.code).toBe('network_error')
    expect(store.callerLoading).toBe(false)
  })

  it('logs out, or says why it could not', async () => {
    fake.api.logout = vi.fn(async () => {})
    const store = useAccessStore()
    expect(await store.logout()).toBe(true)
    fake.api.logout.mockRejectedValueOnce(new ApiError('network_error', 'down'))
    expect(await store.logout()).toBe(false)
    expect(store.logoutError?.code).toBe('network_error')
    expect(store.loggingOut).toBe(false)
  })
})

describe('access store: API keys', () => {
  it('lists, creates (keeping the secret until dismissed) and revokes keys', async () => {
    fake.api.listApiKeys = vi.fn(async () => [key('k1', 'laptop', 'admin')])
    fake.api.createApiKey = vi.fn(async () => ({ key: key('k2', 'phone'), secret: 'llm_s3cret' }))
    fake.api.revokeApiKey = vi.fn(async () => {})
    const store = useAccessStore()
    await store.loadKeys()
    expect(store.keysLoaded).toBe(true)
    expect(store.keys.map((k) => k.name)).toEqual(['laptop'])
    const created = await store.createKey({ name: 'phone', scope: 'read' })
    expect(fake.api.createApiKey).toHaveBeenCalledWith({ name: 'phone', scope: 'read' })
    expect(created?.secret).toBe('llm_s3cret')
    expect(store.created?.secret).toBe('llm_s3cret')
    expect(store.keys.map((k) => k.name)).toEqual(['laptop', 'phone'])
    // Reloading the list keeps the secret on screen.
    await store.loadKeys()
    expect(store.created?.secret).toBe('llm_s3cret')
    store.dismissSecret()
    expect(store.created).toBeNull()
    expect(await store.revokeKey('k1')).toBe(true)
    expect(fake.api.revokeApiKey).toHaveBeenCalledWith('k1')
    expect(store.keys.map((k) => k.id)).toEqual([])
  })

  it('forgets the secret of a key revoked before it was dismissed', async () => {
    fake.api.createApiKey = vi.fn(async () => ({ key: key('k2', 'phone'), secret: 'llm_s3cret' }))
    fake.api.revokeApiKey = vi.fn(async () => {})
    const store = useAccessStore()
    await store.createKey({ name: 'phone', scope: 'read' })
    await store.revokeKey('k2')
    expect(store.created).toBeNull()
  })

  it('surfaces typed errors for each action', async () => {
    fake.api.listApiKeys = vi.fn(async () => {
      throw new ApiError('insufficient_scope', 'This needs the admin scope.', 403)
    })
    fake.api.createApiKey = vi.fn(async () => {
      throw new ApiError('api_key_invalid', 'Give the key a name.', 400)
    })
    fake.api.revokeApiKey = vi.fn(async () => {
      throw new ApiError('api_key_not_found', 'No such key.', 404)
    })
    const store = useAccessStore()
    store.keys = [key('k1', 'laptop')]
    await store.loadKeys()
    expect(store.keysError?.code).toBe('insufficient_scope')
    expect(await store.createKey({ name: '', scope: 'read' })).toBeNull()
    expect(store.createError?.code).toBe('api_key_invalid')
    expect(store.created).toBeNull()
    expect(store.creating).toBe(false)
    expect(await store.revokeKey('k1')).toBe(false)
    expect(store.revokeError?.code).toBe('api_key_not_found')
    expect(store.keys).toHaveLength(1)
    expect(store.revoking).toEqual({})
  })

  it('ignores a second revoke of the same key while the first runs', async () => {
    let finish!: () => void
    fake.api.revokeApiKey = vi.fn(() => new Promise<void>((r) => (finish = r)))
    const store = useAccessStore()
    store.keys = [key('k1', 'laptop')]
    const first = store.revokeKey('k1')
    expect(store.revoking.k1).toBe(true)
    expect(await store.revokeKey('k1')).toBe(false)
    finish()
    expect(await first).toBe(true)
    expect(fake.api.revokeApiKey).toHaveBeenCalledTimes(1)
  })
})

describe('access store: login link, token and secrets', () => {
  const link = { url: 'http://192.168.1.5:8765/login#token=old', qr_svg: '<svg/>', token_file: '/data/token', remote_auth: true, note: null }

  it('loads everything an admin sees; one failure leaves the rest', async () => {
    fake.api.listApiKeys = vi.fn(async () => [key('k1', 'laptop')])
    fake.api.loginLink = vi.fn(async () => link)
    fake.api.secretStoreInfo = vi.fn(async () => {
      throw new ApiError('secret_store_unavailable', 'Locked.')
    })
    const store = useAccessStore()
    await store.loadAdmin()
    expect(store.keys).toHaveLength(1)
    expect(store.loginLink).toEqual(link)
    expect(store.secretStore).toBeNull()
    expect(store.secretStoreError?.code).toBe('secret_store_unavailable')
    fake.api.secretStoreInfo.mockResolvedValue({ backend: 'keyring', detail: 'Secret Service' })
    await store.loadSecretStore()
    expect(store.secretStore).toEqual({ backend: 'keyring', detail: 'Secret Service' })
    expect(store.secretStoreError).toBeNull()
  })

  it('rotates the token, then shows the new link', async () => {
    fake.api.rotateServerToken = vi.fn(async () => {})
    fake.api.loginLink = vi.fn(async () => ({ ...link, url: 'http://192.168.1.5:8765/login#token=new' }))
    const store = useAccessStore()
    store.loginLink = link
    expect(await store.rotateToken()).toBe(true)
    expect(store.loginLink?.url).toContain('token=new')
    expect(store.rotating).toBe(false)
  })

  it('keeps the old link when rotating fails', async () => {
    fake.api.rotateServerToken = vi.fn(async () => {
      throw new ApiError('token_write_failed', 'Could not write the token file.')
    })
    fake.api.loginLink = vi.fn()
    const store = useAccessStore()
    store.loginLink = link
    expect(await store.rotateToken()).toBe(false)
    expect(store.rotateError?.code).toBe('token_write_failed')
    expect(store.loginLink).toEqual(link)
    expect(fake.api.loginLink).not.toHaveBeenCalled()
  })
})
