import type { BenchEnvironment } from '../../generated/BenchEnvironment'
import type { Benchmark } from '../../generated/Benchmark'
import type { BenchmarkSpec } from '../../generated/BenchmarkSpec'
import type { Distribution } from '../../generated/Distribution'
import type { HardwareResult } from '../../generated/HardwareResult'
import type { LevelResult } from '../../generated/LevelResult'

/** A latency distribution centred on `p50` ms. */
export function distribution(p50: number, count = 8): Distribution {
  return { count, mean: p50 * 1.05, std: p50 / 10, min: p50 * 0.8, p50, p90: p50 * 1.3, p99: p50 * 1.6, max: p50 * 1.7 }
}

/** A level's result at `concurrency`. */
export function level(concurrency: number, patch: Partial<LevelResult> = {}): LevelResult {
  return {
    load: `concurrency ${concurrency}`, concurrency, rate: null, completed: 8, failed: 0, duration_s: 4.5, request_throughput: 1.78 * concurrency,
    output_throughput: 110 * concurrency, total_token_throughput: 330 * concurrency, goodput: null, input_tokens: 1024, output_tokens: 512,
    tokens_counted: false, max_in_flight: concurrency, peak_output_throughput: 130 * concurrency,
    ttft_ms: distribution(120 + concurrency * 10), tpot_ms: distribution(9), itl_ms: distribution(9, 504), itl_truncated: false, e2el_ms: distribution(690),
    engine: { client_decode_per_second: 111, engine_decode_per_second: 115, engine_prompt_per_second: 900, difference_percent: -3.5, disagrees: false },
    errors: [], samples: [], ...patch,
  }
}

/** The spec of a synthetic load benchmark against the running model m1. */
export function loadSpec(patch: Partial<BenchmarkSpec> = {}): BenchmarkSpec {
  return {
    target: { kind: 'model', model_id: 'm1' }, workload: { kind: 'synthetic', input: { mean: 128, spread: 0 }, output: { mean: 64, spread: 0 } },
    load: { kind: 'concurrency', levels: [1, 4] }, requests: 8, duration_s: null, warmup_requests: 1, seed: 0 as unknown as bigint,
    ignore_eos: true, slo: { ttft_ms: null, tpot_ms: null, e2el_ms: null }, label: null, ...patch,
  }
}

/** A completed load benchmark of Qwen at concurrency 1 and 4. */
export function loadBenchmark(patch: Partial<Benchmark> = {}, spec: Partial<BenchmarkSpec> = {}): Benchmark {
  return {
    id: 'b1', label: 'Qwen · concurrency 1, 4', state: 'completed', spec: { kind: 'load', ...loadSpec(spec) }, instance_id: 'i1', model_id: 'm1', model: 'Qwen',
    started_at: 1_700_000_000_000, ended_at: 1_700_000_010_000,
    progress: { level: 1, levels: 2, warming_up: false, done: 8, failed: 0, total: 8, in_flight: 0, output_throughput: 0 },
    results: [level(1), level(4)], hardware: null, environment: environment(), resources: [], error: null, tags: [], notes: '', ...patch,
  }
}

export function hardwareResult(patch: Partial<HardwareResult> = {}): HardwareResult {
  const test = { prompt_tokens: 0, generate_tokens: 0, samples: [], threads: 8, gpu_layers: 99, batch: 2048, ubatch: 512, type_k: 'f16', type_v: 'f16' }
  return {
    build_commit: 'abc1234', build_number: 4567 as unknown as bigint, cpu: 'AMD Ryzen 9 7950X', gpu: 'NVIDIA RTX 4090', backends: 'CUDA',
    model_type: 'llama 1B Q4_K_M', model_bytes: 800_000_000, model_parameters: 1_240_000_000,
    tests: [
      { ...test, name: 'pp512', prompt_tokens: 512, tokens_per_second: 5234.5, stddev: 12.3 },
      { ...test, name: 'tg128', generate_tokens: 128, tokens_per_second: 187.2, stddev: 1.4 },
    ],
    command: 'llama-bench -m /models/qwen.gguf -p 512 -n 128 -r 3 -o json', ...patch,
  }
}

/** A completed llama-bench run on m1. */
export function hardwareBenchmark(patch: Partial<Benchmark> = {}): Benchmark {
  return {
    id: 'h1', label: 'Qwen · llama-bench', state: 'completed',
    spec: { kind: 'hardware', model_id: 'm1', prompt_tokens: 512, generate_tokens: 128, repetitions: 3, threads: null, gpu_layers: null },
    instance_id: null, model_id: 'm1', model: 'Qwen', started_at: 1_700_000_100_000, ended_at: 1_700_000_130_000,
    progress: { level: 0, levels: 0, warming_up: false, done: 0, failed: 0, total: 0, in_flight: 0, output_throughput: 0 },
    results: [], hardware: hardwareResult(), environment: environment(), resources: [], error: null, tags: [], notes: '', ...patch,
  }
}

export function environment(patch: Partial<BenchEnvironment> = {}): BenchEnvironment {
  return {
    llmops_version: '0.1.0', engine: 'llama_cpp', engine_binary: '/opt/llama/llama-server', engine_version: 'b7000',
    argv: ['/opt/llama/llama-server', '-m', '/models/a.gguf', '--port', '41000'], context_size: 2048,
    model_path: '/models/a.gguf', model_bytes: 96_000_000, model_sha256: null, hostname: 'ws',
    cpu: 'Xeon', logical_cores: 16, memory_bytes: 64 * 1024 ** 3, gpus: ['NVIDIA H200 (143771 MiB)'], gpu_driver: '570.1',
    ...patch,
  }
}
