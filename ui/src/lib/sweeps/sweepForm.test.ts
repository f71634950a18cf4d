import { describe, expect, it } from 'vitest'
import { buildSweepSpec, CONSTRAINT_METRICS, defaultSweepForm, gridSize, triedCount, type SweepForm } from './sweepForm'

function form(patch: Partial<SweepForm> = {}): SweepForm {
  const f = defaultSweepForm('m1')
  f.axes.context_size = { on: true, values: '4096, 8192' }
  f.axes.gpu_layers = { on: true, values: '99, 20, 0' }
  return { ...f, ...patch }
}

describe('the New sweep form', () => {
  it('counts the grid of the ticked settings that apply to the engine, and what the budget tries', () => {
    expect(gridSize(defaultSweepForm('m1'), 'llama_cpp')).toBeNull()
    expect(gridSize(form(), 'llama_cpp')).toBe(6)
    // GPU layers are no vLLM setting: left out.
    expect(gridSize(form(), 'vllm')).toBe(2)
    const bad = form()
    bad.axes.gpu_layers.values = '99, lots'
    expect(gridSize(bad, 'llama_cpp')).toBeNull()
    expect(triedCount(6, 4)).toBe(4)
    expect(triedCount(6, 16)).toBe(6)
  })

  it('builds the spec the core takes', () => {
    const f = form({ label: ' Night run ', seed: '7', maxConfigs: '4', maxDuration: '3600', levels: '1, 4, 8', constraintMetric: 'ttft_p99', constraintMax: '500', startTimeout: '600', sampling: 'random' })
    f.axes.threads = { on: false, values: 'ignored' }
    const result = buildSweepSpec(f, 'llama_cpp')
    expect(result).toEqual({
      ok: true,
      spec: {
        model_id: 'm1', label: 'Night run',
        axes: [{ parameter: 'context_size', values: [4096, 8192] }, { parameter: 'gpu_layers', values: [99, 20, 0] }],
        sampling: 'random', seed: 7, max_configs: 4, max_duration_s: 3600,
        benchmark: {
          workload: { kind: 'synthetic', input: { mean: 128, spread: 0 }, output: { mean: 64, spread: 0 } },
          load: { kind: 'concurrency', levels: [1, 4, 8] }, requests: 8, duration_s: null, warmup_requests: 1, ignore_eos: true,
          slo: { ttft_ms: null, tpot_ms: null, e2el_ms: null },
        },
        objective: { metric: 'output_throughput', constraints: [{ metric: 'ttft_p99', at_most: 500, at_least: null }] },
        skip_unfit: true, start_timeout_s: 600,
      },
    })
  })

  it('leaves optional parts out', () => {
    const result = buildSweepSpec(form({ skipUnfit: false, ignoreEos: false }), 'llama_cpp')
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect([result.spec.label, result.spec.max_duration_s, result.spec.start_timeout_s, result.spec.objective.constraints]).toEqual([null, null, null, []])
    expect([result.spec.skip_unfit, result.spec.benchmark.ignore_eos]).toEqual([false, false])
  })

  it('says which fields to fix', () => {
    const f = form({ modelId: '', maxConfigs: '0', levels: '1, x', constraintMetric: 'e2el_p99', constraintMax: '-1', requests: '' })
    f.axes.gpu_layers.values = '99, many'
    const result = buildSweepSpec(f, 'llama_cpp')
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(Object.keys(result.errors).sort()).toEqual(['constraintMax', 'levels', 'maxConfigs', 'modelId', 'requests', 'values:gpu_layers'])
    expect(result.errors['values:gpu_layers']).toEqual({ key: 'sweeps.err.gpuLayers', params: { value: 'many', min: -1, max: 2_147_483_647 } })
    expect(result.errors.maxConfigs).toEqual({ key: 'bench.err.int', params: { min: 1, max: 256 } })
    expect(buildSweepSpec(defaultSweepForm('m1'), 'llama_cpp')).toEqual({ ok: false, errors: { axes: { key: 'sweeps.err.noAxis' } } })
  })

  it('bounds only latencies with a maximum', () => {
    expect(CONSTRAINT_METRICS).toEqual(['ttft_p50', 'ttft_p99', 'tpot_p50', 'tpot_p99', 'e2el_p50', 'e2el_p99'])
  })
})
