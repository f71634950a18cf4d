import { afterEach, describe, expect, it } from 'vitest'
import { setLocale, t } from '../../composables/useI18n'
import type { ImportReport } from '../../generated/ImportReport'
import type { InstanceInfo } from '../../generated/InstanceInfo'
import { formatStops, parseDraft, parseStops, toDraft, type ParamsDraft } from './chatParams'
import { durationText, importSummary, statsLine } from './chatFormat'
import { decodeTarget, encodeTarget, endpointChatLink, linkedTarget, localOptions, sameTarget, targetAvailable } from './chatTarget'
import { splitSnippet } from './snippet'

describe('target values', () => {
  it('encodes and decodes both kinds, model names with colons included', () => {
    const local = { kind: 'model' as const, model_id: 'm-1' }
    const remote = { kind: 'endpoint' as const, endpoint_id: 'e1', model: 'qwen3:8b' }
    expect(encodeTarget(local)).toBe('model:m-1')
    expect(encodeTarget(remote)).toBe('endpoint:e1:qwen3:8b')
    expect(decodeTarget('model:m-1')).toEqual(local)
    expect(decodeTarget('endpoint:e1:qwen3:8b')).toEqual(remote)
    expect(decodeTarget('endpoint:e1:')).toEqual({ kind: 'endpoint', endpoint_id: 'e1', model: '' })
    for (const bad of ['', 'model:', 'endpoint:', 'endpoint::x', 'endpoint:e1', 'other:x']) expect(decodeTarget(bad)).toBeNull()
    expect(sameTarget(local, { ...local })).toBe(true)
    expect(sameTarget(local, remote)).toBe(false)
    expect(sameTarget(null, null)).toBe(true)
  })

  it('offers each running model once and knows what is available', () => {
    const inst = (id: string, model_id: string, model_name: string) => ({ id, model_id, model_name }) as InstanceInfo
    const running = [inst('i1', 'm1', 'Qwen'), inst('i2', 'm1', 'Qwen'), inst('i3', 'm2', 'Llama')]
    expect(localOptions(running)).toEqual([
      { value: 'model:m1', label: 'Qwen' },
      { value: 'model:m2', label: 'Llama' },
    ])
    expect(targetAvailable({ kind: 'model', model_id: 'm2' }, running, [])).toBe(true)
    expect(targetAvailable({ kind: 'model', model_id: 'm3' }, running, [])).toBe(false)
    const endpoint = { id: 'e1', name: 'Ollama', base_url: 'http://x/v1', has_api_key: false, created_at: 1 }
    expect(targetAvailable({ kind: 'endpoint', endpoint_id: 'e1', model: 'x' }, [], [endpoint])).toBe(true)
    expect(targetAvailable({ kind: 'endpoint', endpoint_id: 'e2', model: 'x' }, [], [endpoint])).toBe(false)
  })
})

describe('links to a chat with an endpoint’s model', () => {
  it('names the endpoint and model in the address, and reads them back', () => {
    const link = endpointChatLink('e1', 'qwen2.5:7b')
    expect(link).toEqual({ name: 'chat', query: { endpoint: 'e1', model: 'qwen2.5:7b' } })
    expect(linkedTarget(link.query)).toEqual({ kind: 'endpoint', endpoint_id: 'e1', model: 'qwen2.5:7b' })
    expect(linkedTarget({ endpoint: ['e1', 'e2'], model: ['m'] })).toEqual({ kind: 'endpoint', endpoint_id: 'e1', model: 'm' })
    for (const bad of [{}, { endpoint: 'e1' }, { model: 'm' }, { endpoint: '', model: 'm' }, { endpoint: 'e:1', model: 'm' }, { endpoint: 'e1', model: ' ' }]) {
      expect(linkedTarget(bad)).toBeNull()
    }
  })
})

describe('search snippets', () => {
  it('splits marked terms from plain text', () => {
    expect(splitSnippet('…the \u0002sea\u0003 and the \u0002Sea\u0003s')).toEqual([
      { text: '…the ', mark: false },
      { text: 'sea', mark: true },
      { text: ' and the ', mark: false },
      { text: 'Sea', mark: true },
      { text: 's', mark: false },
    ])
  })

  it('keeps markup as text and tolerates unbalanced markers', () => {
    expect(splitSnippet('<b>x</b> \u0002<img src=x onerror=alert(1)>')).toEqual([
      { text: '<b>x</b> ', mark: false },
      { text: '<img src=x onerror=alert(1)>', mark: true },
    ])
    expect(splitSnippet('a\u0003b')).toEqual([{ text: 'ab', mark: false }])
    expect(splitSnippet('')).toEqual([])
  })
})

describe('parameters form', () => {
  const empty: ParamsDraft = { system: '', temperature: '', topP: '', maxTokens: '', stop: '', seed: '' }

  it('leaves empty fields to the engine', () => {
    expect(parseDraft(empty)).toEqual({ params: { stop: [] }, errors: {} })
  })

  it('parses every field', () => {
    const draft = { system: 'Be brief.', temperature: '0.7', topP: '0.9', maxTokens: '256', stop: '###, User:\n\\n\\n', seed: '-42' }
    expect(parseDraft(draft)).toEqual({
      params: { system_prompt: 'Be brief.', temperature: 0.7, top_p: 0.9, max_tokens: 256, stop: ['###', 'User:', '\n\n'], seed: -42 },
      errors: {},
    })
  })

  it('rejects what the server rejects', () => {
    const bad = { system: '', temperature: '2.5', topP: '0', maxTokens: '0', stop: 'a,b,c,d,e', seed: '1.5' }
    const { params, errors } = parseDraft(bad)
    expect(params).toBeNull()
    expect(Object.keys(errors).sort()).toEqual(['maxTokens', 'seed', 'stop', 'temperature', 'topP'])
    expect(parseDraft({ ...empty, temperature: 'warm' }).errors.temperature).toBe('chat.params.errTemperature')
    expect(parseDraft({ ...empty, topP: '1.01' }).errors.topP).toBe('chat.params.errTopP')
    expect(parseDraft({ ...empty, topP: '1', temperature: '0', maxTokens: '1' }).errors).toEqual({})
    expect(parseDraft({ ...empty, system: 'x'.repeat(100_001) }).errors.system).toBe('chat.params.errSystem')
  })

  it('splits stop sequences on commas and lines, with escapes, and round-trips them', () => {
    expect(parseStops(' a , ,b\n\nc\\,d ')).toEqual(['a', 'b', 'c,d'])
    expect(parseStops('\\nUser:, tab\\there, back\\\\slash')).toEqual(['\nUser:', 'tab\there', 'back\\slash'])
    const stops = ['\nUser:', 'a,b', 'c\\d', '###']
    expect(parseStops(formatStops(stops))).toEqual(stops)
  })

  it('fills the form from saved parameters', () => {
    expect(toDraft({ stop: ['###', '\n'], temperature: 0.5, seed: 7 })).toEqual({
      system: '',
      temperature: '0.5',
      topP: '',
      maxTokens: '',
      stop: '###, \\n',
      seed: '7',
    })
  })
})

describe('answer stats', () => {
  const t = (key: string, params?: Record<string, string | number>) =>
    ({
      'chat.stats.ttft': `TTFT ${params?.n} ms`,
      'chat.stats.speed': `${params?.n} tok/s`,
      'chat.stats.prompt': `${params?.n} prompt`,
      'chat.stats.completion': `${params?.n} completion tokens`,
    })[key] ?? key

  it('formats what the engine reported', () => {
    const stats = { ttft_ms: 120.4, duration_ms: 900, tokens_per_second: 148.26, prompt_tokens: 12, completion_tokens: 85, counted: false }
    expect(statsLine(stats, t)).toBe('TTFT 120 ms · 148.3 tok/s · 12 prompt · 85 completion tokens')
  })

  it('marks counts we made ourselves and skips what is unknown', () => {
    const stats = { ttft_ms: null, duration_ms: 900, tokens_per_second: null, prompt_tokens: null, completion_tokens: 40, counted: true }
    expect(statsLine(stats, t)).toBe('≈40 completion tokens')
    expect(durationText(850)).toBe('850 ms')
    expect(durationText(2400)).toBe('2.4 s')
  })
})

describe('import summary', () => {
  const report = (format: ImportReport['format'], n: number, skipped: number): ImportReport => ({
    format,
    imported: Array.from({ length: n }, (_, i) => ({
      id: `c${i}`, title: '', target: { kind: 'model', model_id: 'm1' }, target_label: 'Qwen', params: { stop: [] }, pinned: false, created_at: 1, updated_at: 1,
    })),
    skipped,
  })
  afterEach(() => setLocale('en'))

  it('says how many were imported from where, and how many empty ones were skipped', () => {
    expect(importSummary(report('open_webui', 3, 1), t)).toBe('Imported 3 conversations from Open WebUI; 1 empty one skipped.')
    expect(importSummary(report('llmops', 1, 2), t)).toBe('Imported 1 conversation from a llmops export; 2 empty ones skipped.')
    expect(importSummary(report('lm_studio', 2, 0), t)).toBe('Imported 2 conversations from LM Studio.')
    expect(importSummary(report('open_webui', 0, 1), t)).toBe('Nothing was imported: the conversation in this file has no messages.')
    expect(importSummary(report('open_webui', 0, 4), t)).toBe('Nothing was imported: none of the 4 conversations in this file has any messages.')
  })

  it('says it in Chinese', () => {
    setLocale('zh')
    expect(importSummary(report('open_webui', 3, 1), t)).toBe('已从 Open WebUI 导入 3 个对话；跳过了 1 个空对话。')
    expect(importSummary(report('llmops', 2, 0), t)).toBe('已从 llmops 导入 2 个对话。')
    expect(importSummary(report('open_webui', 0, 4), t)).toBe('没有导入任何内容：此文件中的 4 个对话都没有消息。')
  })
})
