import { describe, expect, it } from 'vitest'
import { defaultRules, draftDiffers, toDraft, validateRules } from './alertRules'

describe('alert rules validation', () => {
  it('accepts the defaults and gives back the same rules', () => {
    const { rules, errors } = validateRules(toDraft(defaultRules()))
    expect(errors).toEqual({})
    expect(rules).toEqual(defaultRules())
  })

  it('has the documented defaults', () => {
    expect(defaultRules()).toEqual({
      gpu_temperature_celsius: { enabled: true, raise_at: 85, clear_at: 80 },
      gpu_memory_percent: { enabled: true, raise_at: 95, clear_at: 90 },
      host_memory_percent: { enabled: true, raise_at: 90, clear_at: 85 },
      disk_free_percent: { enabled: true, raise_at: 10, clear_at: 12 },
      instance_failed: true,
    })
  })

  it('parses typed numbers (strings or numbers) and keeps enabled flags', () => {
    const draft = toDraft(defaultRules())
    draft.gpu_temperature_celsius = { enabled: false, raise: ' 90.5 ', clear: 70 }
    draft.instance_failed = false
    const { rules } = validateRules(draft)
    expect(rules?.gpu_temperature_celsius).toEqual({ enabled: false, raise_at: 90.5, clear_at: 70 })
    expect(rules?.instance_failed).toBe(false)
  })

  it('requires clear below raise for the "above" rules', () => {
    const draft = toDraft(defaultRules())
    draft.gpu_memory_percent.clear = '95'
    draft.host_memory_percent.clear = '91'
    const { rules, errors } = validateRules(draft)
    expect(rules).toBeNull()
    expect(errors.gpu_memory_percent?.key).toBe('rules.errClearBelow')
    expect(errors.host_memory_percent?.key).toBe('rules.errClearBelow')
    expect(errors.gpu_temperature_celsius).toBeUndefined()
  })

  it('requires clear above raise for disk free space', () => {
    const draft = toDraft(defaultRules())
    draft.disk_free_percent = { enabled: true, raise: '15', clear: '12' }
    expect(validateRules(draft).errors.disk_free_percent?.key).toBe('rules.errClearAbove')
    draft.disk_free_percent.clear = '15'
    expect(validateRules(draft).errors.disk_free_percent?.key).toBe('rules.errClearAbove')
    draft.disk_free_percent.clear = '20'
    expect(validateRules(draft).rules?.disk_free_percent).toEqual({ enabled: true, raise_at: 15, clear_at: 20 })
  })

  it('rejects empty, non-numeric and out-of-range values per input', () => {
    const draft = toDraft(defaultRules())
    draft.gpu_temperature_celsius.raise = ''
    draft.gpu_memory_percent.clear = 'abc'
    draft.host_memory_percent.raise = '120'
    const { rules, errors } = validateRules(draft)
    expect(rules).toBeNull()
    expect(errors['gpu_temperature_celsius.raise']?.key).toBe('rules.errNumber')
    expect(errors['gpu_memory_percent.clear']?.key).toBe('rules.errNumber')
    expect(errors['host_memory_percent.raise']).toEqual({ key: 'rules.errRange', params: { min: 0, max: 100 } })
    // no ordering complaint on top of a bad number
    expect(errors.gpu_temperature_celsius).toBeUndefined()
  })
})

describe('draftDiffers', () => {
  it('sees an edit, but not the same number typed another way', () => {
    const draft = toDraft(defaultRules())
    expect(draftDiffers(draft, defaultRules())).toBe(false)
    draft.gpu_temperature_celsius.raise = ' 85.0 '
    draft.gpu_memory_percent.clear = 90
    expect(draftDiffers(draft, defaultRules())).toBe(false)
    draft.disk_free_percent.enabled = false
    expect(draftDiffers(draft, defaultRules())).toBe(true)
    const typed = toDraft(defaultRules())
    typed.host_memory_percent.raise = ''
    expect(draftDiffers(typed, defaultRules())).toBe(true)
    const failed = toDraft(defaultRules())
    failed.instance_failed = false
    expect(draftDiffers(failed, defaultRules())).toBe(true)
  })
})
