import { describe, expect, it } from 'vitest'
import { SWEEP_LIMITS } from '../../generated/constants'
import { parametersFor, parseAxisValues, parseValue, splitValues, valuesText } from './sweepValues'

describe('which settings a sweep can vary', () => {
  it('depends on the engine', () => {
    expect(parametersFor('llama_cpp')).toEqual([
      'context_size', 'gpu_layers', 'threads', 'batch_size', 'ubatch_size', 'parallel', 'flash_attention', 'cache_type_k', 'cache_type_v',
    ])
    expect(parametersFor('vllm')).toEqual(['context_size', 'max_num_seqs', 'gpu_memory_utilization'])
    expect(parametersFor('vllm_docker')).toEqual(['context_size', 'max_num_seqs', 'gpu_memory_utilization'])
    expect(parametersFor('custom')).toEqual(['context_size'])
  })
})

describe('values as typed', () => {
  it('reads numbers, switches and names', () => {
    expect(parseValue(' 4096 ')).toBe(4096)
    expect(parseValue('-1')).toBe(-1)
    expect(parseValue('0.9')).toBe(0.9)
    expect(parseValue('On')).toBe(true)
    expect(parseValue('false')).toBe(false)
    expect(parseValue('q8_0')).toBe('q8_0')
    expect(splitValues(' 1, 4 ,,8;16，32 ')).toEqual(['1', '4', '8', '16', '32'])
  })

  it('checks each setting’s values as the core does', () => {
    expect(parseAxisValues('context_size', '4096, 8192')).toEqual({ ok: true, values: [4096, 8192] })
    expect(parseAxisValues('gpu_layers', '-1, 0, 20')).toEqual({ ok: true, values: [-1, 0, 20] })
    expect(parseAxisValues('flash_attention', 'on, off')).toEqual({ ok: true, values: [true, false] })
    expect(parseAxisValues('cache_type_k', 'f16, q8_0, q4_0')).toEqual({ ok: true, values: ['f16', 'q8_0', 'q4_0'] })
    expect(parseAxisValues('gpu_memory_utilization', '0.8, 0.95, 1')).toEqual({ ok: true, values: [0.8, 0.95, 1] })
    expect(parseAxisValues('max_num_seqs', '64 256')).toEqual({ ok: true, values: [64, 256] })
  })

  it('names the first bad value', () => {
    expect(parseAxisValues('context_size', '4096, 8k')).toEqual({ ok: false, problem: { key: 'sweeps.err.int', params: { value: '8k', min: 128, max: 10_000_000 } } })
    expect(parseAxisValues('context_size', '64')).toMatchObject({ ok: false, problem: { key: 'sweeps.err.int', params: { value: '64' } } })
    expect(parseAxisValues('threads', '4.5')).toMatchObject({ ok: false, problem: { key: 'sweeps.err.int', params: { value: '4.5' } } })
    expect(parseAxisValues('gpu_layers', '-2')).toMatchObject({ ok: false, problem: { key: 'sweeps.err.gpuLayers', params: { value: '-2' } } })
    expect(parseAxisValues('flash_attention', 'on, maybe')).toEqual({ ok: false, problem: { key: 'sweeps.err.bool', params: { value: 'maybe' } } })
    expect(parseAxisValues('cache_type_v', 'q3')).toMatchObject({ ok: false, problem: { key: 'sweeps.err.cacheType', params: { value: 'q3' } } })
    expect(parseAxisValues('gpu_memory_utilization', '1.2')).toEqual({ ok: false, problem: { key: 'sweeps.err.fraction', params: { value: '1.2' } } })
    expect(parseAxisValues('gpu_memory_utilization', '0')).toMatchObject({ ok: false, problem: { key: 'sweeps.err.fraction' } })
  })

  it('wants at least one value, at most the core’s limit, none twice', () => {
    expect(parseAxisValues('parallel', ' , ')).toEqual({ ok: false, problem: { key: 'sweeps.err.valuesEmpty' } })
    const many = Array.from({ length: SWEEP_LIMITS.max_values + 1 }, (_, i) => i + 1).join(',')
    expect(parseAxisValues('parallel', many)).toEqual({ ok: false, problem: { key: 'sweeps.err.tooManyValues', params: { max: SWEEP_LIMITS.max_values } } })
    expect(parseAxisValues('flash_attention', 'on, true')).toEqual({ ok: false, problem: { key: 'sweeps.err.duplicate', params: { value: 'true' } } })
  })

  it('shows a configuration’s values', () => {
    expect(valuesText({ context_size: 4096, flash_attention: false, cache_type_k: 'q8_0' })).toBe('context_size=4096 · flash_attention=off · cache_type_k=q8_0')
  })
})
