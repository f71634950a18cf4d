import type { BenchmarkSpec } from '../../generated/BenchmarkSpec'
import type { BenchTarget } from '../../generated/BenchTarget'
import { BENCHMARK_LIMITS } from '../../generated/constants'
import type { HardwareSpec } from '../../generated/HardwareSpec'
import type { LoadPattern } from '../../generated/LoadPattern'
import type { Workload } from '../../generated/Workload'
import type { FieldProblem } from '../deploy/deployForm'

export { BENCHMARK_LIMITS }

/** The longest label the core keeps (`bench::service::MAX_LABEL`). */
export const MAX_LABEL = 200
/** The core's limits of a `llama-bench` run (`bench::llama_bench::check`). */
export const HARDWARE_LIMITS = { max_prompt_tokens: 65_536, max_generate_tokens: 8192, max_repetitions: 20, max_threads: 1024 } as const

/**
 * A target as a `<select>` value: `model:<model_id>`, `gateway:<name>` or
 * `endpoint:<endpoint_id>:<model>` (a model name may itself hold colons; ids never do).
 */
export function encodeBenchTarget(target: BenchTarget): string {
  switch (target.kind) {
    case 'model':
      return `model:${target.model_id}`
    case 'gateway':
      return `gateway:${target.model}`
    case 'endpoint':
      return `endpoint:${target.endpoint_id}:${target.model}`
    case 'instance':
      return `instance:${target.instance_id}`
  }
}

/** The target a `<select>` value stands for, or null for none. */
export function decodeBenchTarget(value: string): BenchTarget | null {
  if (value.startsWith('model:')) {
    const model_id = value.slice('model:'.length)
    return model_id ? { kind: 'model', model_id } : null
  }
  if (value.startsWith('gateway:')) {
    const model = value.slice('gateway:'.length)
    return model ? { kind: 'gateway', model } : null
  }
  if (value.startsWith('endpoint:')) {
    const rest = value.slice('endpoint:'.length)
    const colon = rest.indexOf(':')
    if (colon <= 0 || colon === rest.length - 1) return null
    return { kind: 'endpoint', endpoint_id: rest.slice(0, colon), model: rest.slice(colon + 1) }
  }
  if (value.startsWith('instance:')) {
    const instance_id = value.slice('instance:'.length)
    return instance_id ? { kind: 'instance', instance_id } : null
  }
  return null
}

/** The New load benchmark form, as typed. */
export interface LoadForm {
  /** An `encodeBenchTarget` value, '' for none chosen. */
  target: string
  workload: 'synthetic' | 'dataset'
  inputTokens: string
  outputTokens: string
  spread: string
  /** The picked JSONL file: its name, text and size in bytes ('' / 0 when none). */
  datasetName: string
  dataset: string
  datasetBytes: number
  maxOutput: string
  loadKind: 'concurrency' | 'rate'
  /** Concurrency levels, `1, 4, 8`. */
  levels: string
  /** Request rates per second, `0.5, 1, 2`. */
  rates: string
  maxConcurrency: string
  requests: string
  duration: string
  warmup: string
  seed: string
  ignoreEos: boolean
  sloTtft: string
  sloTpot: string
  sloE2el: string
  label: string
}

export type LoadField =
  | 'target' | 'inputTokens' | 'outputTokens' | 'spread' | 'dataset' | 'maxOutput' | 'levels' | 'rates' | 'maxConcurrency'
  | 'requests' | 'duration' | 'warmup' | 'seed' | 'sloTtft' | 'sloTpot' | 'sloE2el' | 'label'

export type LoadErrors = Partial<Record<LoadField, FieldProblem>>

/** The defaults: a short synthetic workload at concurrency 1 and 4, reproducible, every answer its full length. */
export function defaultLoadForm(target = ''): LoadForm {
  return {
    target,
    workload: 'synthetic',
    inputTokens: '128',
    outputTokens: '64',
    spread: '0',
    datasetName: '',
    dataset: '',
    datasetBytes: 0,
    maxOutput: '256',
    loadKind: 'concurrency',
    levels: '1, 4',
    rates: '1, 2',
    maxConcurrency: '',
    requests: '8',
    duration: '',
    warmup: '1',
    seed: '0',
    ignoreEos: true,
    sloTtft: '',
    sloTpot: '',
    sloE2el: '',
    label: '',
  }
}

/** A whole number from `min` to `max`, or null. */
export function wholeNumber(text: string, min: number, max: number): number | null {
  const s = text.trim()
  if (!/^\d+$/.test(s)) return null
  const n = Number(s)
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null
}

/** A finite number, or null (`0.5`, `.5`, `1e2`; not '', not `1,5`). */
export function decimal(text: string): number | null {
  const s = text.trim()
  if (!/^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return null
  const n = Number(s)
  return Number.isFinite(n) ? n : null
}

/** The items of a list typed as `1, 4, 8` (commas, semicolons or spaces between), or null when one is not a number. */
export function parseNumberList(text: string, parse: (item: string) => number | null): number[] | null {
  const items = text.split(/[\s,;，]+/).filter((s) => s.length > 0)
  const out: number[] = []
  for (const item of items) {
    const n = parse(item)
    if (n === null) return null
    out.push(n)
  }
  return out
}

const L = BENCHMARK_LIMITS

function int(errors: LoadErrors, field: LoadField, text: string, min: number, max: number): number {
  const n = wholeNumber(text, min, max)
  if (n === null) errors[field] = { key: 'bench.err.int', params: { min, max } }
  return n ?? 0
}

function optionalPositive(errors: LoadErrors, field: LoadField, text: string): number | null {
  if (!text.trim()) return null
  const n = decimal(text)
  if (n === null || n <= 0) errors[field] = { key: 'bench.err.positive' }
  return n
}

export type LoadResult = { ok: true; spec: BenchmarkSpec } | { ok: false; errors: LoadErrors }

/**
 * The spec the form asks for, checked against the core's limits first (so that the user sees
 * which field to change): levels parsed from their lists, SLOs only when given.
 */
export function buildLoadSpec(form: LoadForm): LoadResult {
  const errors: LoadErrors = {}
  const target = decodeBenchTarget(form.target)
  if (!target) errors.target = { key: 'bench.err.target' }

  let workload: Workload
  if (form.workload === 'synthetic') {
    const input = int(errors, 'inputTokens', form.inputTokens, 1, L.max_input_tokens)
    const output = int(errors, 'outputTokens', form.outputTokens, 1, L.max_output_tokens)
    const spread = decimal(form.spread)
    if (spread === null || spread < 0 || spread > 1) errors.spread = { key: 'bench.err.spread' }
    workload = { kind: 'synthetic', input: { mean: input, spread: spread ?? 0 }, output: { mean: output, spread: spread ?? 0 } }
  } else {
    if (!form.dataset.trim()) errors.dataset = { key: 'bench.err.dataset' }
    else if (form.datasetBytes > L.max_dataset_bytes) errors.dataset = { key: 'bench.err.datasetSize', params: { max: L.max_dataset_bytes / (1024 * 1024) } }
    const maxOutput = int(errors, 'maxOutput', form.maxOutput, 1, L.max_output_tokens)
    workload = { kind: 'dataset', jsonl: form.dataset, max_output: maxOutput }
  }

  let load: LoadPattern
  if (form.loadKind === 'concurrency') {
    const levels = parseNumberList(form.levels, (s) => wholeNumber(s, 1, L.max_concurrency))
    if (!levels || levels.length === 0 || levels.length > L.max_levels) {
      errors.levels = { key: 'bench.err.levels', params: { levels: L.max_levels, max: L.max_concurrency } }
    }
    load = { kind: 'concurrency', levels: levels ?? [] }
  } else {
    const rates = parseNumberList(form.rates, (s) => {
      const n = decimal(s)
      return n !== null && n > 0 && n <= L.max_rate ? n : null
    })
    if (!rates || rates.length === 0 || rates.length > L.max_levels) {
      errors.rates = { key: 'bench.err.rates', params: { levels: L.max_levels, max: L.max_rate } }
    }
    const maxConcurrency = form.maxConcurrency.trim() ? int(errors, 'maxConcurrency', form.maxConcurrency, 1, L.max_concurrency) : null
    load = { kind: 'rate', rates: rates ?? [], max_concurrency: maxConcurrency }
  }

  const requests = int(errors, 'requests', form.requests, 1, L.max_requests)
  const duration = form.duration.trim() ? int(errors, 'duration', form.duration, 1, L.max_duration_s) : null
  const warmup = int(errors, 'warmup', form.warmup, 0, L.max_warmup)
  const seed = int(errors, 'seed', form.seed, 0, Number.MAX_SAFE_INTEGER)
  const slo = {
    ttft_ms: optionalPositive(errors, 'sloTtft', form.sloTtft),
    tpot_ms: optionalPositive(errors, 'sloTpot', form.sloTpot),
    e2el_ms: optionalPositive(errors, 'sloE2el', form.sloE2el),
  }
  const label = form.label.trim()
  if ([...label].length > MAX_LABEL) errors.label = { key: 'bench.err.label', params: { max: MAX_LABEL } }

  if (Object.keys(errors).length > 0 || !target) return { ok: false, errors }
  return {
    ok: true,
    spec: {
      target,
      workload,
      load,
      requests,
      duration_s: duration,
      warmup_requests: warmup,
      seed: jsonSeed(seed),
      ignore_eos: form.ignoreEos,
      slo,
      label: label || null,
    },
  }
}

/**
 * The seed as JSON carries it: a number (ts-rs types a u64 as `bigint`, which JSON cannot
 * write); whole numbers up to 2^53 − 1, which the form allows, keep every digit.
 */
function jsonSeed(seed: number): bigint {
  return seed as unknown as bigint
}

/** The Hardware benchmark form, as typed. */
export interface HardwareForm {
  modelId: string
  prompt: string
  generate: string
  repetitions: string
  threads: string
}

export type HardwareField = 'modelId' | 'prompt' | 'generate' | 'repetitions' | 'threads'
export type HardwareErrors = Partial<Record<HardwareField, FieldProblem>>
export type HardwareResultOf = { ok: true; spec: HardwareSpec } | { ok: false; errors: HardwareErrors }

export function defaultHardwareForm(modelId = ''): HardwareForm {
  return { modelId, prompt: '512', generate: '128', repetitions: '3', threads: '' }
}

/** The `llama-bench` run the form asks for, checked as the core checks it. */
export function buildHardwareSpec(form: HardwareForm): HardwareResultOf {
  const errors: HardwareErrors = {}
  const H = HARDWARE_LIMITS
  if (!form.modelId) errors.modelId = { key: 'bench.err.hwModel' }
  const num = (field: HardwareField, text: string, min: number, max: number) => {
    const n = wholeNumber(text, min, max)
    if (n === null) errors[field] = { key: 'bench.err.int', params: { min, max } }
    return n ?? 0
  }
  const prompt = num('prompt', form.prompt, 0, H.max_prompt_tokens)
  const generate = num('generate', form.generate, 0, H.max_generate_tokens)
  if (!errors.prompt && !errors.generate && prompt === 0 && generate === 0) errors.prompt = { key: 'bench.err.hwNothing' }
  const repetitions = num('repetitions', form.repetitions, 1, H.max_repetitions)
  const threads = form.threads.trim() ? num('threads', form.threads, 1, H.max_threads) : null
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  return { ok: true, spec: { model_id: form.modelId, prompt_tokens: prompt, generate_tokens: generate, repetitions, threads, gpu_layers: null } }
}
