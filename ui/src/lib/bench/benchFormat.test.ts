import { describe, expect, it } from 'vitest'

import { targetText } from './benchFormat'

describe('a benchmark target in words', () => {
  it('names every kind, resolving ids to names where it can', () => {
    const names = { model: (id: string) => (id === 'm1' ? 'Qwen' : null), endpoint: () => 'Ollama' }
    expect(targetText({ kind: 'model', model_id: 'm1' }, names)).toBe('Qwen (library model, straight to its engine)')
    expect(targetText({ kind: 'model', model_id: 'm2' }, names)).toContain('m2')
    expect(targetText({ kind: 'gateway', model: 'qwen' })).toBe('qwen through the gateway')
    expect(targetText({ kind: 'endpoint', endpoint_id: 'e1', model: 'x' }, names)).toBe('x on the endpoint Ollama')
    expect(targetText({ kind: 'instance', instance_id: '0f8e3c2a-1111-4222-8333-444455556666' })).toBe('the run 0f8e3c2a (straight to its engine)')
  })
})
