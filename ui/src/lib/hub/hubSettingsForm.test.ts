import { describe, expect, it } from 'vitest'
import { ApiError } from '../../api/errors'
import { setLocale, t } from '../../composables/useI18n'
import { errorText } from '../errorText'
import { errorDetail } from './hubErrors'
import { buildHubSettings, hubSettingsForm } from './hubSettingsForm'

describe('hub settings form', () => {
  it('round-trips the settings, each endpoint without a trailing slash and empty meaning the default', () => {
    const form = hubSettingsForm({ endpoint: 'https://hf-mirror.com', send_token_to_mirror: true, max_parallel_downloads: 3 })
    expect(form).toEqual({ endpoint: 'https://hf-mirror.com', sendTokenToMirror: true, maxParallel: '3', modelscopeEndpoint: '' })
    expect(buildHubSettings({ ...form, endpoint: ' https://hf-mirror.com/ ' })).toEqual({
      ok: true, settings: { endpoint: 'https://hf-mirror.com', send_token_to_mirror: true, max_parallel_downloads: 3 },
    })
    expect(buildHubSettings({ endpoint: '', sendTokenToMirror: false, maxParallel: '1', modelscopeEndpoint: '' })).toEqual({
      ok: true, settings: { send_token_to_mirror: false, max_parallel_downloads: 1 },
    })
    // ModelScope's address.
    const ms = hubSettingsForm({ send_token_to_mirror: false, max_parallel_downloads: 2, modelscope_endpoint: 'https://modelscope.example' })
    expect(ms.modelscopeEndpoint).toBe('https://modelscope.example')
    expect(buildHubSettings({ ...ms, modelscopeEndpoint: ' https://www.modelscope.ai/ ' })).toEqual({
      ok: true, settings: { send_token_to_mirror: false, max_parallel_downloads: 2, modelscope_endpoint: 'https://www.modelscope.ai' },
    })
  })

  it('refuses an address that is not http(s) and parallel downloads outside 1 to 8', () => {
    const fields = (endpoint: string, maxParallel: string, modelscopeEndpoint = '') => {
      const r = buildHubSettings({ endpoint, sendTokenToMirror: false, maxParallel, modelscopeEndpoint })
      return r.ok ? [] : r.problems.map((p) => p.field)
    }
    expect(fields('hf-mirror.com', '2')).toEqual(['endpoint'])
    expect(fields('ftp://mirror', '2')).toEqual(['endpoint'])
    expect(fields('https://x', '0')).toEqual(['maxParallel'])
    expect(fields('https://x', '9')).toEqual(['maxParallel'])
    expect(fields('https://x', '2.5')).toEqual(['maxParallel'])
    expect(fields('', '8')).toEqual([])
    expect(fields('', '2', 'modelscope.cn')).toEqual(['modelscopeEndpoint'])
    expect(fields('nope', '0', 'file:///x')).toEqual(['endpoint', 'modelscopeEndpoint', 'maxParallel'])
  })
})

describe('hub error detail', () => {
  it('adds the server’s sentence only where the translation cannot say the particulars', () => {
    setLocale('en')
    const corrupt = new ApiError('gguf_corrupt', '/m/x.gguf has a corrupt GGUF header: a key is 9 GB long', undefined, { path: '/m/x.gguf' })
    expect(errorDetail(corrupt, t)).toBe('/m/x.gguf has a corrupt GGUF header: a key is 9 GB long')
    // The hub's codes send their particulars: the translation says them.
    const bad = new ApiError('hub_bad_folder', 'The folder "x" is not an absolute path; give the full path', undefined, {
      path: 'x', reason: 'is not an absolute path; give the full path',
    })
    expect(errorDetail(bad, t)).toBeNull()
    expect(errorText(bad, t)).toBe('The folder “x” cannot be added: it is not an absolute path; give the full path.')
    expect(errorDetail(new ApiError('hub_repo_not_found', 'x was not found', undefined, { repo: 'x' }), t)).toBeNull()
    // No translation at all: the error text is the server's sentence already.
    expect(errorDetail(new ApiError('something_new', 'Words'), t)).toBeNull()
  })

  it('says the hub’s particulars in both languages, sizes in bytes made readable', () => {
    const full = new ApiError('hub_disk_full', 'Not enough disk space…', undefined, { folder: '/cache', needed: '5368709120', free: '1073741824' })
    const status = new ApiError('hub_status', 'The hub answered 503…', undefined, { what: 'org/x', status: '503', detail: 'Service Unavailable' })
    const unreachable = new ApiError('hub_unreachable', 'The hub at …', undefined, { endpoint: 'https://www.modelscope.cn', detail: 'timed out' })
    const inUse = new ApiError('hub_file_in_use', '…', undefined, { path: '/m/a.gguf', model: 'Smol' })
    setLocale('en')
    expect(errorText(full, t)).toBe(
      'Not enough disk space in /cache: 5.0 GiB needed (with a margin), 1.0 GiB free. Free some space, or choose another cache folder (HF_HUB_CACHE; MODELSCOPE_CACHE for ModelScope).',
    )
    expect(errorText(status, t)).toBe('The hub answered 503 for org/x: Service Unavailable')
    expect(errorText(unreachable, t)).toContain('The hub at https://www.modelscope.cn could not be reached: timed out.')
    expect(errorText(inUse, t)).toBe('/m/a.gguf is used by the model “Smol”; remove that model first.')
    setLocale('zh')
    expect(errorText(full, t)).toContain('/cache 的磁盘空间不足：需要 5.0 GiB（含余量），可用 1.0 GiB。')
    expect(errorText(status, t)).toBe('模型站点对 org/x 返回了 503：Service Unavailable')
    expect(errorDetail(full, t)).toBeNull()
    // A size that is not a whole number is shown as sent.
    expect(errorText(new ApiError('hub_disk_full', 'x', undefined, { folder: '/c', needed: 'lots', free: '0' }), t)).toContain('需要 lots（含余量），可用 0 B')
    setLocale('en')
  })
})
