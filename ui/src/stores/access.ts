import { defineStore } from 'pinia'
import { computed, ref, type Ref } from 'vue'
import { type ApiError, getApi, toApiError } from '../api'
import { scopeIncludes } from '../lib/access'
import type { ApiKeyInfo } from '../generated/ApiKeyInfo'
import type { Caller } from '../generated/Caller'
import type { CreatedApiKey } from '../generated/CreatedApiKey'
import type { LoginLink } from '../generated/LoginLink'
import type { NewApiKey } from '../generated/NewApiKey'
import type { Scope } from '../generated/Scope'
import type { SecretStoreInfo } from '../generated/SecretStoreInfo'

/**
 * Who is calling (loaded at app start) and, for admins, access management: API keys, the login
 * link of `llmops serve`, the server token and where secrets are kept.
 */
/**
 * Runs one request with `busy` set while it runs and its failure kept in `error` (cleared when it
 * starts); resolves to its answer, or null when it failed.
 */
async function tracked<T>(busy: Ref<boolean>, error: Ref<ApiError | null>, request: () => Promise<T>): Promise<T | null> {
  busy.value = true
  error.value = null
  try {
    return await request()
  } catch (err) {
    error.value = toApiError(err)
    return null
  } finally {
    busy.value = false
  }
}

export const useAccessStore = defineStore('access', () => {
  const caller = ref<Caller | null>(null)
  const callerLoading = ref(false)
  const callerError = ref<ApiError | null>(null)

  /** Known to be admin (the Access page's link waits for this). */
  const isAdmin = computed(() => caller.value?.scope === 'admin')

  /**
   * Whether the caller may do what needs `scope`. Until `whoami` answers this says yes: the
   * server checks every request anyway, and most callers (this machine, the desktop app) are
   * admins, so their buttons do not flicker at start.
   */
  function can(scope: Scope): boolean {
    return caller.value === null || scopeIncludes(caller.value.scope, scope)
  }

  /** Loads who is calling: at app start (startup.ts), and again on Retry. */
  async function loadCaller(): Promise<void> {
    const answer = await tracked(callerLoading, callerError, () => getApi().whoami())
    if (answer) caller.value = answer
  }

  const loggingOut = ref(false)
  const logoutError = ref<ApiError | null>(null)

  /** Ends the browser session; the API then opens the login page. */
  async function logout(): Promise<boolean> {
    if (loggingOut.value) return false
    return (await tracked(loggingOut, logoutError, () => getApi().logout().then(() => true))) ?? false
  }

  // API keys
  const keys = ref<ApiKeyInfo[]>([])
  const keysLoaded = ref(false)
  const keysLoading = ref(false)
  const keysError = ref<ApiError | null>(null)
  const creating = ref(false)
  const createError = ref<ApiError | null>(null)
  /** The key created last, with its secret: kept until the user dismisses it (never fetched again). */
  const created = ref<CreatedApiKey | null>(null)
  const revoking = ref<Record<string, boolean>>({})
  const revokeError = ref<ApiError | null>(null)

  async function loadKeys(): Promise<void> {
    const answer = await tracked(keysLoading, keysError, () => getApi().listApiKeys())
    if (answer) {
      keys.value = answer
      keysLoaded.value = true
    }
  }

  /** Creates a key; resolves to it (its secret is in `created` until dismissed), or null with `createError` set. */
  async function createKey(newKey: NewApiKey): Promise<CreatedApiKey | null> {
    if (creating.value) return null
    const answer = await tracked(creating, createError, () => getApi().createApiKey(newKey))
    if (answer) {
      created.value = answer
      keys.value = [...keys.value.filter((k) => k.id !== answer.key.id), answer.key]
    }
    return answer
  }

  /** Forgets the one-time secret: it cannot be shown again. */
  function dismissSecret(): void {
    created.value = null
  }

  async function revokeKey(id: string): Promise<boolean> {
    if (revoking.value[id]) return false
    revoking.value[id] = true
    revokeError.value = null
    try {
      await getApi().revokeApiKey(id)
      keys.value = keys.value.filter((k) => k.id !== id)
      if (created.value?.key.id === id) created.value = null
      return true
    } catch (err) {
      revokeError.value = toApiError(err)
      return false
    } finally {
      delete revoking.value[id]
    }
  }

  // Login link and server token
  const loginLink = ref<LoginLink | null>(null)
  const linkLoading = ref(false)
  const linkError = ref<ApiError | null>(null)
  const rotating = ref(false)
  const rotateError = ref<ApiError | null>(null)

  async function loadLoginLink(): Promise<void> {
    const answer = await tracked(linkLoading, linkError, () => getApi().loginLink())
    if (answer) loginLink.value = answer
  }

  /** Replaces the server token, then loads the new login link. */
  async function rotateToken(): Promise<boolean> {
    if (rotating.value) return false
    const rotated = await tracked(rotating, rotateError, () => getApi().rotateServerToken().then(() => true))
    if (!rotated) return false
    await loadLoginLink()
    return true
  }

  // Secret store
  const secretStore = ref<SecretStoreInfo | null>(null)
  const secretStoreLoading = ref(false)
  const secretStoreError = ref<ApiError | null>(null)

  async function loadSecretStore(): Promise<void> {
    const answer = await tracked(secretStoreLoading, secretStoreError, () => getApi().secretStoreInfo())
    if (answer) secretStore.value = answer
  }

  /** Everything the Access page shows an admin; each part fails on its own. */
  async function loadAdmin(): Promise<void> {
    await Promise.all([loadKeys(), loadLoginLink(), loadSecretStore()])
  }

  return {
    caller,
    callerLoading,
    callerError,
    isAdmin,
    can,
    loadCaller,
    loggingOut,
    logoutError,
    logout,
    keys,
    keysLoaded,
    keysLoading,
    keysError,
    creating,
    createError,
    created,
    revoking,
    revokeError,
    loadKeys,
    createKey,
    dismissSecret,
    revokeKey,
    loginLink,
    linkLoading,
    linkError,
    rotating,
    rotateError,
    loadLoginLink,
    rotateToken,
    secretStore,
    secretStoreLoading,
    secretStoreError,
    loadSecretStore,
    loadAdmin,
  }
})
