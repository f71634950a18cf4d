import type { LevelFigures } from '../../generated/LevelFigures'
import type { Promotion } from '../../generated/Promotion'
import type { Sweep } from '../../generated/Sweep'
import type { SweepConfig } from '../../generated/SweepConfig'
import type { SweepSpec } from '../../generated/SweepSpec'

/** The figures of a benchmark level at `concurrency`, with the output throughput and TTFT p99 asked for. */
export function figures(output: number, ttftP99: number, patch: Partial<LevelFigures> = {}): LevelFigures {
  return {
    load: 'concurrency 4', completed: 8, failed: 0, output_throughput: output, request_throughput: output / 64, goodput: null,
    ttft_p50_ms: ttftP99 / 2, ttft_p99_ms: ttftP99, tpot_p50_ms: 11, tpot_p99_ms: 15, e2el_p50_ms: 800, e2el_p99_ms: 1200,
    ...patch,
  }
}

/** A sweep over the context size and GPU layers of Qwen (m1), best output throughput with TTFT p99 at most 500 ms. */
export function sweepSpec(patch: Partial<SweepSpec> = {}): SweepSpec {
  return {
    model_id: 'm1', label: null,
    axes: [
      { parameter: 'context_size', values: [4096, 8192] },
      { parameter: 'gpu_layers', values: [99, 20] },
    ],
    sampling: 'grid', seed: 0 as unknown as bigint, max_configs: 16, max_duration_s: null,
    benchmark: {
      workload: { kind: 'synthetic', input: { mean: 128, spread: 0 }, output: { mean: 64, spread: 0 } },
      load: { kind: 'concurrency', levels: [1, 4] }, requests: 8, duration_s: null, warmup_requests: 1, ignore_eos: true,
      slo: { ttft_ms: null, tpot_ms: null, e2el_ms: null },
    },
    objective: { metric: 'output_throughput', constraints: [{ metric: 'ttft_p99', at_most: 500, at_least: null }] },
    skip_unfit: true, start_timeout_s: null,
    ...patch,
  }
}

/** One configuration, completed with `level`'s figures unless patched. */
export function config(index: number, values: SweepConfig['values'], patch: Partial<SweepConfig> = {}): SweepConfig {
  const level = patch.level === undefined ? figures(400 + index * 10, 300) : patch.level
  return {
    index, values, settings: { engine: 'llama_cpp', gpu_layers: values.gpu_layers ?? 99 }, context_size: Number(values.context_size ?? 4096),
    outcome: 'completed', reason: null, error: null, fit: 'fits on the GPU (4.61 GiB)', run_id: `run-${index}`, benchmark_id: `bench-${index}`,
    level, objective: level ? level.output_throughput : null, meets_constraints: true, pareto: false,
    ...patch,
  }
}

/**
 * A completed sweep of four configurations: 0 and 1 on the Pareto front (1 the best), 2 dominated
 * and missing the constraint, 3 skipped as it would not fit.
 */
export function sweep(patch: Partial<Sweep> = {}): Sweep {
  return {
    id: 's1', label: 'Qwen · 4 configurations', model_id: 'm1', model_name: 'Qwen', engine: 'llama_cpp', state: 'completed',
    spec: sweepSpec(),
    configs: [
      config(0, { context_size: 4096, gpu_layers: 99 }, { level: figures(420, 180), pareto: true }),
      config(1, { context_size: 4096, gpu_layers: 20 }, { level: figures(510, 320), pareto: true }),
      config(2, { context_size: 8192, gpu_layers: 99 }, { level: figures(380, 650), meets_constraints: false }),
      config(3, { context_size: 8192, gpu_layers: 20 }, {
        outcome: 'skipped', reason: 'the fit estimate says it cannot fit: needs 71.20 GiB, 60.00 GiB of RAM is available', fit: 'needs 71.20 GiB, 60.00 GiB of RAM is available', run_id: null, benchmark_id: null, level: null,
        objective: null, meets_constraints: false,
      }),
    ],
    best: 1, current: null, started_at: 1_700_000_000_000, ended_at: 1_700_000_600_000, error: null, applied_at: null,
    ...patch,
  }
}

/** A sweep measuring its second configuration now. */
export function runningSweep(patch: Partial<Sweep> = {}): Sweep {
  const done = sweep()
  return sweep({
    id: 's2', label: 'Qwen · running', state: 'running', ended_at: null, best: null, current: 1,
    configs: [
      done.configs[0],
      config(1, { context_size: 4096, gpu_layers: 20 }, { outcome: 'running', level: null, objective: null, benchmark_id: null, pareto: false }),
      config(2, { context_size: 8192, gpu_layers: 99 }, { outcome: 'pending', level: null, objective: null, run_id: null, benchmark_id: null, fit: null }),
    ],
    ...patch,
  })
}

/** Configuration 1 of sweep s1 promoted to Qwen's settings. */
export function promotion(patch: Partial<Promotion> = {}): Promotion {
  return {
    id: 'p1', model_id: 'm1', model_name: 'Qwen', sweep_id: 's1', sweep_label: 'Qwen · 4 configurations', config_index: 1,
    run_id: 'run-1', benchmark_id: 'bench-1', values: { context_size: 4096, gpu_layers: 20 },
    settings: { engine: 'llama_cpp', gpu_layers: 20 }, context_size: 4096,
    previous_settings: { engine: 'llama_cpp', gpu_layers: 99 }, previous_context_size: 8192,
    metric: 'output_throughput', objective: 510, level: figures(510, 320), at: 1_700_000_700_000,
    ...patch,
  }
}
