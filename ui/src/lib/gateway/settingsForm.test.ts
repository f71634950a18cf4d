import { describe, expect, it } from 'vitest'
import { GATEWAY_LIMITS } from '../../generated/constants'
import { MAX_IDLE_MINUTES, toModelDraft, validateModelDraft, validateRetention, type GatewayModelDraft } from './settingsForm'

const DEFAULTS = { idle_ttl_secs: 600, aliases: [], queue_limit: 64, pinned: false, log_bodies: false }
const draft = (patch: Partial<GatewayModelDraft> = {}): GatewayModelDraft => ({ ...toModelDraft(DEFAULTS), ...patch })

describe('the gateway settings form', () => {
  it('shows the stored settings: minutes, a blank concurrency and group for the defaults', () => {
    expect(toModelDraft(DEFAULTS)).toEqual({ idleMinutes: '10', aliases: [], concurrency: '', queueLimit: '64', group: '', pinned: false, logBodies: false })
    expect(toModelDraft({ ...DEFAULTS, idle_ttl_secs: 90, concurrency: 2, group: 'gpu0' })).toMatchObject({ idleMinutes: '1.5', concurrency: '2', group: 'gpu0' })
  })

  it('saves minutes as seconds (0 = never), blanks as the defaults, and trimmed aliases', () => {
    const { settings, errors } = validateModelDraft(draft({ idleMinutes: ' 0 ', aliases: [' gpt-4o-mini ', '', 'local'], group: '  ', pinned: true, logBodies: true }))
    expect(errors).toEqual({})
    expect(settings).toEqual({ idle_ttl_secs: 0, aliases: ['gpt-4o-mini', 'local'], queue_limit: 64, pinned: true, log_bodies: true })
    expect(validateModelDraft(draft({ idleMinutes: '2.5', concurrency: '8', group: ' team ' })).settings).toMatchObject({ idle_ttl_secs: 150, concurrency: 8, group: 'team' })
  })

  it('holds numbers to the server’s limits', () => {
    const wrong = validateModelDraft(draft({ idleMinutes: '-1', concurrency: '0', queueLimit: String(GATEWAY_LIMITS.max_queue_limit + 1) }))
    expect(wrong.settings).toBeNull()
    expect(wrong.errors.idleMinutes?.key).toBe('gwSettings.err.idle')
    expect(wrong.errors.concurrency).toEqual({ key: 'gwSettings.err.range', params: { min: 1, max: GATEWAY_LIMITS.max_concurrency } })
    expect(wrong.errors.queueLimit).toEqual({ key: 'gwSettings.err.range', params: { min: 0, max: GATEWAY_LIMITS.max_queue_limit } })
    expect(validateModelDraft(draft({ concurrency: String(GATEWAY_LIMITS.max_concurrency + 1) })).errors.concurrency).toBeDefined()
    expect(validateModelDraft(draft({ concurrency: '2.5' })).errors.concurrency).toBeDefined()
    expect(validateModelDraft(draft({ idleMinutes: String(MAX_IDLE_MINUTES + 1) })).errors.idleMinutes?.key).toBe('gwSettings.err.range')
    expect(validateModelDraft(draft({ queueLimit: '0', concurrency: String(GATEWAY_LIMITS.max_concurrency) })).settings).not.toBeNull()
  })

  it('checks each alias: length in bytes, control characters, duplicates ignoring case, how many', () => {
    const long = 'é'.repeat(GATEWAY_LIMITS.max_alias_len / 2 + 1)
    const { settings, errors } = validateModelDraft(draft({ aliases: ['ok', long, 'tab\there', 'OK'] }))
    expect(settings).toBeNull()
    expect(Object.keys(errors).sort()).toEqual(['alias.1', 'alias.2', 'alias.3'])
    expect(errors['alias.1']).toEqual({ key: 'gwSettings.err.aliasLong', params: { max: GATEWAY_LIMITS.max_alias_len } })
    expect(errors['alias.2']?.key).toBe('gwSettings.err.aliasControl')
    expect(errors['alias.3']?.key).toBe('gwSettings.err.aliasDuplicate')
    const many = Array.from({ length: GATEWAY_LIMITS.max_aliases + 1 }, (_, i) => `a${i}`)
    expect(validateModelDraft(draft({ aliases: many })).errors.aliases?.key).toBe('gwSettings.err.aliasCount')
    expect(validateModelDraft(draft({ group: 'g'.repeat(65) })).errors.group?.key).toBe('gwSettings.err.groupLong')
  })
})

describe('the retention setting', () => {
  it('takes whole days from 1 to the limit', () => {
    expect(validateRetention(' 30 ')).toEqual({ days: 30, problem: null })
    expect(validateRetention(String(GATEWAY_LIMITS.max_retention_days)).days).toBe(GATEWAY_LIMITS.max_retention_days)
    for (const bad of ['0', '', '1.5', 'x', String(GATEWAY_LIMITS.max_retention_days + 1)]) {
      expect(validateRetention(bad), bad).toEqual({ days: null, problem: { key: 'gwSettings.err.range', params: { min: 1, max: GATEWAY_LIMITS.max_retention_days } } })
    }
  })
})
