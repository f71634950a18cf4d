import { describe, expect, it } from 'vitest'
import { promotionChanges } from './promotion'
import { promotion } from './sweeps.fixtures'

describe('what a promotion changed', () => {
  it('lists the context size and the settings that moved', () => {
    expect(promotionChanges(promotion())).toEqual([
      { key: 'context_size', before: '8192', after: '4096' },
      { key: 'gpu_layers', before: '99', after: '20' },
    ])
  })

  it('shows settings set or unset, and nothing when nothing changed', () => {
    expect(promotionChanges(promotion({
      previous_settings: { engine: 'llama_cpp', threads: 8 }, settings: { engine: 'llama_cpp', flash_attention: true }, previous_context_size: 4096,
    }))).toEqual([
      { key: 'flash_attention', before: '—', after: 'true' },
      { key: 'threads', before: '8', after: '—' },
    ])
    expect(promotionChanges(promotion({ settings: { gpu_layers: 99 }, previous_settings: { gpu_layers: 99 }, previous_context_size: 4096 }))).toEqual([])
  })
})
