import { afterEach, describe, expect, it, vi } from 'vitest'

describe('localeGuard', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.resetModules()
  })

  it('replaces a POSIX "C" language with a valid tag before anything formats numbers', async () => {
    vi.stubGlobal('navigator', { language: 'C', languages: ['C', 'zh-CN'] })
    await import('./localeGuard')
    expect(navigator.language).toBe('zh-CN')
    expect(() => new Intl.NumberFormat(navigator.language)).not.toThrow()
  })

  it('falls back to en-US and leaves valid languages alone', async () => {
    vi.stubGlobal('navigator', { language: 'C', languages: [] })
    await import('./localeGuard')
    expect(navigator.language).toBe('en-US')
    vi.resetModules()
    vi.stubGlobal('navigator', { language: 'fr-FR', languages: ['fr-FR'] })
    await import('./localeGuard')
    expect(navigator.language).toBe('fr-FR')
  })
})
