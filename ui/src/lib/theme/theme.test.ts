import { describe, expect, it, vi } from 'vitest'
import { asThemeChoice, createThemeController, resolveTheme, type DarkQuery, type ThemeState, type ThemeStorage } from './theme'

function fakeQuery(matches: boolean) {
  const listeners = new Set<(e: { matches: boolean }) => void>()
  const query: DarkQuery & { flip(next: boolean): void; listeners: typeof listeners } = {
    matches,
    addEventListener: (_t, l) => listeners.add(l),
    removeEventListener: (_t, l) => listeners.delete(l),
    flip(next) {
      ;(this as { matches: boolean }).matches = next
      for (const l of listeners) l({ matches: next })
    },
    listeners,
  }
  return query
}

function fakeStorage(cached: string | null = null, durable: string | null = null) {
  const s = {
    cached,
    durable,
    saves: [] as string[],
    failSave: false,
    readCached: () => s.cached,
    writeCached: (v: string) => void (s.cached = v),
    load: async () => s.durable,
    save: async (v: string) => {
      s.saves.push(v)
      if (s.failSave) throw new Error('disk full')
      s.durable = v
    },
  }
  return s satisfies ThemeStorage
}

describe('resolveTheme', () => {
  it('follows the system for "system" and is fixed otherwise', () => {
    expect(resolveTheme('system', true)).toBe('dark')
    expect(resolveTheme('system', false)).toBe('light')
    expect(resolveTheme('light', true)).toBe('light')
    expect(resolveTheme('dark', false)).toBe('dark')
  })

  it('only accepts known choices', () => {
    expect(asThemeChoice('light')).toBe('light')
    expect(asThemeChoice('system')).toBe('system')
    expect(asThemeChoice('Dark')).toBeNull()
    expect(asThemeChoice(null)).toBeNull()
    expect(asThemeChoice(1)).toBeNull()
  })
})

describe('createThemeController', () => {
  it('starts on "system" without a saved choice, and follows the system live', () => {
    const query = fakeQuery(false)
    const applied: ThemeState[] = []
    const c = createThemeController({ storage: fakeStorage(), query, apply: (s) => applied.push(s) })
    expect(c.state).toEqual({ choice: 'system', systemDark: false, theme: 'light' })
    query.flip(true)
    expect(c.state.theme).toBe('dark')
    expect(applied.map((s) => s.theme)).toEqual(['light', 'dark'])
    c.dispose()
    expect(query.listeners.size).toBe(0)
  })

  it('keeps an explicit choice whatever the system does', () => {
    const query = fakeQuery(true)
    const c = createThemeController({ storage: fakeStorage('light'), query, apply: () => {} })
    expect(c.state.theme).toBe('light')
    query.flip(false)
    query.flip(true)
    expect(c.state).toEqual({ choice: 'light', systemDark: true, theme: 'light' })
  })

  it('is dark without a media query (the original look)', () => {
    const c = createThemeController({ storage: fakeStorage('bogus'), query: null, apply: () => {} })
    expect(c.state).toEqual({ choice: 'system', systemDark: true, theme: 'dark' })
  })

  it('persists a choice to the cache and the durable store', async () => {
    const storage = fakeStorage()
    const apply = vi.fn()
    const c = createThemeController({ storage, query: fakeQuery(true), apply })
    await c.choose('light')
    expect(storage.cached).toBe('light')
    expect(storage.durable).toBe('light')
    expect(apply).toHaveBeenLastCalledWith({ choice: 'light', systemDark: true, theme: 'light' })
    await c.choose('system')
    expect(c.state.theme).toBe('dark')
    expect(storage.saves).toEqual(['light', 'system'])
  })

  it('still applies a choice the durable store fails to save', async () => {
    const storage = fakeStorage()
    storage.failSave = true
    const c = createThemeController({ storage, query: fakeQuery(false), apply: () => {} })
    await expect(c.choose('dark')).resolves.toBeUndefined()
    expect(c.state.theme).toBe('dark')
    expect(storage.cached).toBe('dark')
  })

  it('restores the durable choice over the first-paint cache', async () => {
    const storage = fakeStorage('light', 'dark')
    const c = createThemeController({ storage, query: fakeQuery(false), apply: () => {} })
    expect(c.state.theme).toBe('light')
    await c.restore()
    expect(c.state).toEqual({ choice: 'dark', systemDark: false, theme: 'dark' })
    expect(storage.cached).toBe('dark')
  })

  it('keeps the cached choice when the durable store has none, a bad one, or fails', async () => {
    for (const durable of [null, 'purple']) {
      const c = createThemeController({ storage: fakeStorage('light', durable), query: fakeQuery(true), apply: () => {} })
      await c.restore()
      expect(c.state.choice).toBe('light')
    }
    const failing = { ...fakeStorage('dark'), load: async () => Promise.reject(new Error('no file')) }
    const c = createThemeController({ storage: failing, query: fakeQuery(false), apply: () => {} })
    await c.restore()
    expect(c.state.choice).toBe('dark')
  })
})
