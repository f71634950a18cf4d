import { describe, expect, it } from 'vitest'
import { ApiError } from '../../api/errors'
import { setLocale, t } from '../../composables/useI18n'
import { errorDetail } from './hubErrors'
import { buildHubSettings, hubSettingsForm } from './hubSettingsForm'

describe('hub settings form', () => {
  it('round-trips the settings, the endpoint without a trailing slash and empty meaning the default', () => {
    const form = hubSettingsForm({ endpoint: 'https://hf-mirror.com', send_token_to_mirror: true, max_parallel_downloads: 3 })
    expect(form).toEqual({ endpoint: 'https://hf-mirror.com', sendTokenToMirror: true, maxParallel: '3' })
    expect(buildHubSettings({ ...form, endpoint: ' https://hf-mirror.com/ ' })).toEqual({
      ok: true, settings: { endpoint: 'https://hf-mirror.com', send_token_to_mirror: true, max_parallel_downloads: 3 },
    })
    expect(buildHubSettings({ endpoint: '', sendTokenToMirror: false, maxParallel: '1' })).toEqual({
      ok: true, settings: { send_token_to_mirror: false, max_parallel_downloads: 1 },
    })
  })

  it('refuses an address that is not http(s) and parallel downloads outside 1 to 8', () => {
    const fields = (endpoint: string, maxParallel: string) => {
      const r = buildHubSettings({ endpoint, sendTokenToMirror: false, maxParallel })
      return r.ok ? [] : r.problems.map((p) => p.field)
    }
    expect(fields('hf-mirror.com', '2')).toEqual(['endpoint'])
    expect(fields('ftp://mirror', '2')).toEqual(['endpoint'])
    expect(fields('https://x', '0')).toEqual(['maxParallel'])
    expect(fields('https://x', '9')).toEqual(['maxParallel'])
    expect(fields('https://x', '2.5')).toEqual(['maxParallel'])
    expect(fields('', '8')).toEqual([])
  })
})

describe('hub error detail', () => {
  it('adds the server’s sentence where the translation cannot say the particulars', () => {
    setLocale('en')
    const bad = new ApiError('hub_bad_folder', 'The folder "/x" is not an absolute path; give the full path')
    expect(errorDetail(bad, t)).toBe('The folder "/x" is not an absolute path; give the full path')
    // The translation says it all: nothing more.
    expect(errorDetail(new ApiError('hub_repo_not_found', 'x was not found', undefined, { repo: 'x' }), t)).toBeNull()
    // No translation at all: the error text is the server's sentence already.
    expect(errorDetail(new ApiError('something_new', 'Words'), t)).toBeNull()
  })
})
