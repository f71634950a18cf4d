import { describe, expect, it } from 'vitest'
import { defaultsFor, isEmptyParams, mergeIntoDefaults, paramsOver, replaceInDefaults, withoutInherited } from './chatDefaults'
import { contextPercent, formatCount } from './chatFormat'

describe('chat defaults', () => {
  it('fills unset parameters from the fallback like the core (an empty stop list and a blank prompt are unset)', () => {
    expect(paramsOver({ stop: [], temperature: 0.2, system_prompt: '  ' }, { stop: ['###'], temperature: 0.7, top_p: 0.9, system_prompt: 'Be brief.' })).toEqual({
      stop: ['###'],
      temperature: 0.2,
      top_p: 0.9,
      system_prompt: 'Be brief.',
    })
    expect(paramsOver({ stop: ['x'], seed: 0 }, { stop: ['###'], seed: 4 })).toEqual({ stop: ['x'], seed: 0 })
  })

  it('gives a conversation its model’s defaults over the global ones; an endpoint gets the global ones', () => {
    const defaults = { global: { stop: [], temperature: 0.7, max_tokens: 512 }, models: { m1: { stop: [], temperature: 0.2 } } }
    expect(defaultsFor(defaults, { kind: 'model', model_id: 'm1' })).toEqual({ stop: [], temperature: 0.2, max_tokens: 512 })
    expect(defaultsFor(defaults, { kind: 'model', model_id: 'm2' })).toEqual({ stop: [], temperature: 0.7, max_tokens: 512 })
    expect(defaultsFor(defaults, { kind: 'endpoint', endpoint_id: 'e1', model: 'm1' })).toEqual({ stop: [], temperature: 0.7, max_tokens: 512 })
  })

  it('keeps of a conversation’s values only those that differ from what it inherits', () => {
    expect(withoutInherited({ stop: ['###'], temperature: 0.2, top_p: 0.5, system_prompt: 'Hi' }, { stop: ['###'], temperature: 0.7, top_p: 0.5, system_prompt: 'Hi' })).toEqual({
      stop: [],
      temperature: 0.2,
    })
    expect(isEmptyParams(withoutInherited({ stop: [] }, { stop: [], seed: 1 }))).toBe(true)
  })

  it('merges into one scope or replaces it, dropping a model left with nothing', () => {
    const defaults = { global: { stop: [], temperature: 0.7 }, models: { m1: { stop: [], top_p: 0.9 } } }
    expect(mergeIntoDefaults(defaults, 'm1', { stop: [], temperature: 0.2 })).toEqual({
      global: { stop: [], temperature: 0.7 },
      models: { m1: { stop: [], top_p: 0.9, temperature: 0.2 } },
    })
    expect(mergeIntoDefaults(defaults, null, { stop: ['x'] }).global).toEqual({ stop: ['x'], temperature: 0.7 })
    expect(replaceInDefaults(defaults, 'm1', { stop: [] }).models).toEqual({})
    expect(replaceInDefaults(defaults, null, { stop: [], seed: 3 }).global).toEqual({ stop: [], seed: 3 })
    // The input is never changed.
    expect(defaults.models.m1).toEqual({ stop: [], top_p: 0.9 })
  })
})

describe('context figures', () => {
  it('groups digits the locale’s way and rounds the percentage', () => {
    expect(formatCount(2048, 'en')).toBe('2,048')
    expect(formatCount(131072, 'zh')).toBe('131,072')
    expect(contextPercent(1800, 2048)).toBe(88)
    expect(contextPercent(5, 0)).toBe(0)
  })
})
