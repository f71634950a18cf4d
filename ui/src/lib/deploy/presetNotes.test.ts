import { afterEach, describe, expect, it } from 'vitest'
import { setLocale, t } from '../../composables/useI18n'
import { en } from '../../i18n/en'
import { zh } from '../../i18n/zh'
import { readRepoFile } from '../../rust.fixtures'
import { presetNotes } from './presetNotes'

const PRESETS_RS = 'crates/core/src/engine/presets.rs'

/** The families of `presets.rs` (`const FAMILIES`): each one's id and its notes in English. */
function rustFamilies(text: string): Map<string, string> {
  const start = text.indexOf('const FAMILIES')
  const block = start < 0 ? '' : text.slice(start, text.indexOf('];', start))
  const families = new Map<string, string>()
  for (const m of block.matchAll(/Family\s*\{([^]*?)\n\s*\},?/g)) {
    const id = /\bid:\s*"([^"]+)"/.exec(m[1])?.[1]
    const notes = /\bnotes:\s*"((?:[^"\\]|\\.)*)"/.exec(m[1])?.[1]
    if (id) families.set(id, (notes ?? '').replace(/\\(.)/g, '$1'))
  }
  return families
}

const families = rustFamilies(readRepoFile(PRESETS_RS))
const notesKeys = (dict: Record<string, string>) =>
  new Set(Object.keys(dict).filter((k) => k.startsWith('presets.notes.')).map((k) => k.slice('presets.notes.'.length)))

afterEach(() => setLocale('en'))

describe('preset notes translations', () => {
  it('reads the families from presets.rs', () => {
    expect([...families.keys()].sort()).toEqual(['llama-3.1-8b-instruct', 'mistral-7b-instruct-v0.3', 'qwen2.5-7b-instruct'])
    for (const [id, notes] of families) expect(notes, id).not.toBe('')
  })

  it('has an English and a Chinese text for every family, and none for a family that is gone', () => {
    for (const [name, dict] of [['en', en], ['zh', zh]] as const) {
      const have = notesKeys(dict)
      expect([...families.keys()].filter((id) => !have.has(id)), `missing in ${name}.ts`).toEqual([])
      expect([...have].filter((id) => !families.has(id)), `not a family, in ${name}.ts`).toEqual([])
    }
  })

  it('says the notes in English as the core does', () => {
    for (const [id, notes] of families) expect((en as Record<string, string>)[`presets.notes.${id}`], id).toBe(notes)
  })
})

describe('presetNotes', () => {
  const qwen = { family_id: 'qwen2.5-7b-instruct', notes: 'Multilingual (strong in Chinese and English)…' }

  it('says a known family’s notes in the UI’s language', () => {
    expect(presetNotes(qwen, t)).toBe(en['presets.notes.qwen2.5-7b-instruct'])
    setLocale('zh')
    expect(presetNotes(qwen, t)).toBe('多语言（中文和英文尤其出色）；使用 ChatML 模板。Q4_K_M 量化约 5 GB，bf16 约 16 GB。')
  })

  it('falls back to the server’s notes for a family it does not know', () => {
    setLocale('zh')
    expect(presetNotes({ family_id: 'brand-new-7b', notes: 'New in English.' }, t)).toBe('New in English.')
    expect(presetNotes({ family_id: '', notes: 'No family.' }, t)).toBe('No family.')
  })
})
