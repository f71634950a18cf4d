import { describe, expect, it } from 'vitest'
import { en } from './en'
import { zh } from './zh'

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('translations', () => {
  it('have the same keys in every language', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort())
  })

  it('use the same {placeholders} in every language, and no empty strings', () => {
    const mismatched = (Object.keys(en) as (keyof typeof en)[]).filter(
      (key) => placeholders(en[key]).join() !== placeholders(zh[key]).join(),
    )
    expect(mismatched).toEqual([])
    expect(Object.entries(zh).filter(([, text]) => !text.trim())).toEqual([])
  })

  it('label the export buttons with the action, not only the format', () => {
    expect([en['chat.export.md'], en['chat.export.json']]).toEqual(['Export Markdown', 'Export JSON'])
    expect([zh['chat.export.md'], zh['chat.export.json']]).toEqual(['导出 Markdown', '导出 JSON'])
  })
})
