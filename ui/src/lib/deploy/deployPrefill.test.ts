import { describe, expect, it } from 'vitest'
import { emptySettingsForm } from '../modelSettings'
import { emptyDeployForm } from './deployForm'
import { applyPrefill, prefillFromQuery, prefillQuery } from './deployPrefill'

describe('deploy prefill', () => {
  it('travels as a query and comes back the same', () => {
    const prefill = { path: '/m/smol.gguf', name: 'SmolLM2-135M-Instruct Q4_1', context_size: 4096, gpu_layers: -1, cache_type_k: 'q8_0', cache_type_v: 'q8_0' }
    const query = prefillQuery(prefill)
    expect(query).toEqual({ path: '/m/smol.gguf', name: 'SmolLM2-135M-Instruct Q4_1', context_size: '4096', gpu_layers: '-1', cache_type_k: 'q8_0', cache_type_v: 'q8_0' })
    expect(prefillFromQuery(query as Record<string, string>)).toEqual(prefill)
    expect(prefillQuery({ path: '/m/x.gguf' })).toEqual({ path: '/m/x.gguf' })
  })

  it('needs a path, and leaves out values that are not valid', () => {
    expect(prefillFromQuery({})).toBeNull()
    expect(prefillFromQuery({ name: 'x' })).toBeNull()
    expect(prefillFromQuery({ path: '  ' })).toBeNull()
    expect(prefillFromQuery({ path: ['/a.gguf', '/b.gguf'], context_size: 'lots', gpu_layers: '-2', cache_type_k: 'q9_9', cache_type_v: 'Q4_0' })).toEqual({
      path: '/a.gguf', cache_type_v: 'q4_0',
    })
    expect(prefillFromQuery({ path: '/a.gguf', context_size: '100' })).toEqual({ path: '/a.gguf' })
  })

  it('fills a llama.cpp form, clearing a preset and settings it had', () => {
    const form = emptyDeployForm('vllm')
    form.presetId = 'qwen-vllm'
    form.port = '8081'
    const llama = form.llama
    llama.threads = '8'
    applyPrefill(form, { path: '/m/smol.gguf', name: 'Smol Q4_1', context_size: 4096, gpu_layers: 20, cache_type_k: 'q8_0', cache_type_v: 'q8_0' })
    expect(form).toMatchObject({ engine: 'llama_cpp', presetId: '', model: '/m/smol.gguf', name: 'Smol Q4_1', context: '4096', port: '8081' })
    // The same object (the fields' component holds it), with only the suggested settings.
    expect(form.llama).toBe(llama)
    expect(form.llama).toEqual({ ...emptySettingsForm(), gpu_layers: '20', cache_type_k: 'q8_0', cache_type_v: 'q8_0' })
    applyPrefill(form, { path: '/m/other.gguf' })
    expect(form).toMatchObject({ model: '/m/other.gguf', name: '', context: '' })
    expect(form.llama).toEqual(emptySettingsForm())
  })
})
