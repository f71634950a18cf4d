import { describe, expect, it } from 'vitest'
import { asLocale, initialLocale } from './detect'

describe('initialLocale', () => {
  it('starts in Chinese when the browser prefers any Chinese variant', () => {
    for (const tag of ['zh', 'zh-CN', 'zh-Hans', 'zh-Hans-CN', 'zh-TW', 'ZH_cn'])
      expect(initialLocale(null, [tag, 'en-US'])).toBe('zh')
  })

  it('starts in English for English or unsupported languages, or none', () => {
    expect(initialLocale(null, ['en-US', 'zh-CN'])).toBe('en')
    expect(initialLocale(null, ['fr-FR', 'de'])).toBe('en')
    expect(initialLocale(undefined, [])).toBe('en')
    expect(initialLocale(null, [undefined, ''])).toBe('en')
  })

  it('skips languages the UI does not speak to find the first one it does', () => {
    expect(initialLocale(null, ['fr-FR', 'zh-CN', 'en'])).toBe('zh')
    expect(initialLocale(null, ['ja', 'en-GB', 'zh'])).toBe('en')
  })

  it('lets a saved choice win over the browser', () => {
    expect(initialLocale('en', ['zh-CN'])).toBe('en')
    expect(initialLocale('zh', ['en-US'])).toBe('zh')
    expect(initialLocale('klingon', ['zh-CN'])).toBe('zh')
  })

  it('only accepts known languages as saved choices', () => {
    expect(asLocale('zh')).toBe('zh')
    expect(asLocale('zh-CN')).toBeNull()
    expect(asLocale(null)).toBeNull()
  })
})
