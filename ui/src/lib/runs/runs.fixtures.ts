import type { BenchEnvironment } from '../../generated/BenchEnvironment'
import type { InstanceRequestStats } from '../../generated/InstanceRequestStats'
import type { ResourcePoint } from '../../generated/ResourcePoint'
import type { ResourceRollup } from '../../generated/ResourceRollup'
import type { Run } from '../../generated/Run'
import type { RunDetail } from '../../generated/RunDetail'
import { loadBenchmark } from '../bench/bench.fixtures'

/** What a llama.cpp run of Qwen measured on: this machine, the engine, the model file. */
export function runEnvironment(patch: Partial<BenchEnvironment> = {}): BenchEnvironment {
  return {
    llmops_version: '0.1.0', engine: 'llama_cpp', engine_binary: '/opt/llama/llama-server', engine_version: 'b7000',
    argv: ['/opt/llama/llama-server', '-m', '/models/qwen.gguf', '--port', '41000', '-c', '4096', '-ngl', '99'], context_size: 4096,
    model_path: '/models/qwen.gguf', model_bytes: 4_683_000_000, model_sha256: 'ab12cd34ef56', hostname: 'ws',
    cpu: 'AMD Ryzen 9 7950X', logical_cores: 32, memory_bytes: 64 * 1024 ** 3, gpus: ['NVIDIA RTX 4090 (24564 MiB)'], gpu_driver: '570.86',
    ...patch,
  }
}

/** Mean, p95 and max of every reading, as a run of a few minutes rolls them up. */
export function rollup(patch: Partial<ResourceRollup> = {}): ResourceRollup {
  return {
    samples: 180, stride_s: 1,
    cpu_percent: { mean: 12.5, p95: 30.2, max: 41 },
    instance_cpu_percent: { mean: 95, p95: 180, max: 210 },
    instance_rss_bytes: { mean: 1_200_000_000, p95: 1_300_000_000, max: 1_350_000_000 },
    instance_vram_bytes: { mean: 5_500_000_000, p95: 5_600_000_000, max: 5_700_000_000 },
    gpu_utilization_percent: { mean: 62, p95: 97, max: 100 },
    gpu_power_watts: { mean: 210.4, p95: 380.1, max: 402.7 },
    gpu_energy_wh: 10.52,
    ...patch,
  }
}

/** What the run answered through the gateway. */
export function requestStats(patch: Partial<InstanceRequestStats> = {}): InstanceRequestStats {
  return {
    requests: 42, succeeded: 39, failed: 2, client_closed: 1, prompt_tokens: 12_800, completion_tokens: 5_400,
    ttft_p50_ms: 130, ttft_p95_ms: 410, e2el_p50_ms: 1_900, e2el_p95_ms: 4_200, tpot_p50_ms: 11.5, truncated: false,
    ...patch,
  }
}

/** A finished run of Qwen (model m1) with llama.cpp: three minutes, stopped by the user. */
export function run(patch: Partial<Run> = {}): Run {
  return {
    id: 'r1', model_id: 'm1', model_name: 'Qwen', engine: 'llama_cpp', state: 'stopped', exit_reason: null, exit_summary: null,
    started_at: 1_700_000_000_000, ended_at: 1_700_000_180_000, environment: runEnvironment(),
    settings: { engine: 'llama_cpp', gpu_layers: 99, threads: 8, flash_attention: true },
    sweep_id: null, rollup: rollup(), requests: requestStats(), tags: [], notes: '',
    ...patch,
  }
}

/** A reading every second for `seconds` seconds, rising load. */
export function points(seconds: number, patch: Partial<ResourcePoint> = {}): ResourcePoint[] {
  return Array.from({ length: seconds }, (_, i) => ({
    at_ms: i * 1000, cpu_percent: 10 + i, instance_cpu_percent: 90 + i, instance_rss_bytes: 1_200_000_000 + i * 1_000_000,
    instance_vram_bytes: 5_500_000_000, gpu_utilization_percent: 50 + i, gpu_power_watts: 200 + i * 2,
    ...patch,
  }))
}

/** A run with its readings and one benchmark measured on it. */
export function runDetail(patch: Partial<Run> = {}, detail: Partial<RunDetail> = {}): RunDetail {
  const r = run(patch)
  return {
    run: r,
    resources: points(3),
    benchmarks: [loadBenchmark({ id: 'b1', instance_id: r.id, model_id: r.model_id })],
    ...detail,
  }
}
