import { afterEach, describe, expect, it } from 'vitest'
import { ApiError, networkError, toApiError } from '../api/errors'
import { setLocale, t } from '../composables/useI18n'
import { errorKey, errorText, errorTranslation, placeholders, shownParams } from './errorText'

afterEach(() => setLocale('en'))

const duplicate = ApiError.fromBody({
  code: 'model_path_duplicate',
  message: 'The model "Qwen" already uses /m/qwen.gguf',
  params: { name: 'Qwen', path: '/m/qwen.gguf' },
})

describe('errorText', () => {
  it('says a server error in the UI’s language, with its params', () => {
    expect(errorText(duplicate, t)).toBe('The model “Qwen” already uses /m/qwen.gguf; edit that model instead, or choose another file.')
    setLocale('zh')
    expect(errorText(duplicate, t)).toBe('模型“Qwen”已在使用 /m/qwen.gguf；请改为编辑该模型，或选择其他文件。')
  })

  it('takes an ErrorBody as it is (a failed answer, an engine problem)', () => {
    setLocale('zh')
    const body = { code: 'engine_unreachable', message: 'Could not reach…', params: { url: 'http://127.0.0.1:41000', detail: 'connection refused' } }
    expect(errorText(body, t)).toBe('无法连接位于 http://127.0.0.1:41000 的引擎：connection refused。模型可能已停止；请查看其日志。')
  })

  it('falls back to the server’s sentence when a placeholder has no value', () => {
    setLocale('zh')
    const partial = new ApiError('model_context_size_invalid', 'Context size 99 is out of range', undefined, { size: '99' })
    expect(errorText(partial, t)).toBe('Context size 99 is out of range')
    expect(errorText(partial, t)).not.toContain('{')
  })

  it('falls back to the server’s sentence for a code it does not know', () => {
    setLocale('zh')
    expect(errorText(new ApiError('brand_new_code', 'Something new happened'), t)).toBe('Something new happened')
  })

  it('translates codes without params, and the UI’s own codes', () => {
    setLocale('zh')
    expect(errorText(networkError(), t)).toBe('无法连接 llmops 服务器。请确认它正在运行（npm run serve），然后重试。')
    expect(errorText({ code: 'import_empty', message: 'The file has no conversation to import' }, t)).toBe('文件中没有可导入的对话。')
    setLocale('en')
    expect(errorText({ code: 'import_empty', message: 'x' }, t)).toBe('The file has no conversation to import.')
  })

  it('says any HTTP status with one text', () => {
    const err = new ApiError('http_502', 'The llmops server answered 502 Bad Gateway.', 502, { status: '502 Bad Gateway' })
    expect(errorKey('http_502')).toBe('errors.http_status')
    setLocale('zh')
    expect(errorText(err, t)).toBe('llmops 服务器返回了 502 Bad Gateway。请重试；如果仍然出现，请查看服务器日志。')
  })

  it('says what an unexpected throw said', () => {
    setLocale('zh')
    expect(errorText(new Error('boom'), t)).toBe('出错了：boom')
    expect(errorText('boom', t)).toBe('出错了：boom')
    expect(toApiError({ weird: true }).code).toBe('unexpected')
    expect(errorText({ weird: true }, t)).toBe('发生了意外错误。请刷新页面后重试。')
  })

  it('keeps params through toBody and fromBody (a turn that failed before streaming)', () => {
    expect(ApiError.fromBody(duplicate.toBody()).params).toEqual({ name: 'Qwen', path: '/m/qwen.gguf' })
    expect(new ApiError('x', 'y').toBody()).toEqual({ code: 'x', message: 'y' })
  })
})

describe('errorTranslation', () => {
  it('is the translation, or null where errorText would fall back to the server’s sentence', () => {
    setLocale('zh')
    expect(errorTranslation(duplicate, t)).toBe(errorText(duplicate, t))
    expect(errorTranslation(new ApiError('brand_new_code', 'Something new happened'), t)).toBeNull()
    expect(errorTranslation(new ApiError('model_context_size_invalid', 'Context size 99 is out of range', undefined, { size: '99' }), t)).toBeNull()
  })
})

describe('errorKey and placeholders', () => {
  it('finds a code’s translation, or none', () => {
    expect(errorKey('model_not_found')).toBe('errors.model_not_found')
    expect(errorKey('nope')).toBeNull()
    expect(errorKey('http_status_x')).toBeNull()
    expect(errorKey('toString')).toBeNull()
  })

  it('lists a text’s placeholders', () => {
    expect(placeholders('Port {port} on {host}, {port}')).toEqual(['port', 'host', 'port'])
  })
})

describe('shownParams', () => {
  it('formats the byte counts a code sends as plain numbers, and leaves the rest as sent', () => {
    expect(shownParams('hub_disk_full', { folder: '/c', needed: '1536', free: '0' })).toEqual({ folder: '/c', needed: '1.5 KiB', free: '0 B' })
    expect(shownParams('hub_disk_full', { folder: '/c', needed: 'many', free: '-1' })).toEqual({ folder: '/c', needed: 'many', free: '-1' })
    expect(shownParams('model_path_duplicate', { name: '1536', path: '/m' })).toEqual({ name: '1536', path: '/m' })
  })
})
