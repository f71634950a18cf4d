import { BENCHMARK_LIMITS, SWEEP_LIMITS } from '../../generated/constants'
import type { Sampling } from '../../generated/Sampling'
import type { SweepAxis } from '../../generated/SweepAxis'
import type { SweepConstraint } from '../../generated/SweepConstraint'
import type { SweepMetric } from '../../generated/SweepMetric'
import type { SweepParameter } from '../../generated/SweepParameter'
import type { SweepSpec } from '../../generated/SweepSpec'
import { MAX_LABEL, decimal, parseNumberList, wholeNumber } from '../bench/benchForm'
import type { FieldProblem } from '../deploy/deployForm'
import { isRateMetric } from './sweepScore'
import { parametersFor, parseAxisValues, SWEEP_PARAMETERS } from './sweepValues'

export { SWEEP_LIMITS }

/** Every figure a sweep can optimise or bound, in the order the selects list them. */
export const SWEEP_METRICS = [
  'output_throughput', 'request_throughput', 'goodput', 'ttft_p50', 'ttft_p99', 'tpot_p50', 'tpot_p99', 'e2el_p50', 'e2el_p99',
] as const satisfies readonly SweepMetric[]

/** The figures a "less than" constraint bounds: the latencies. */
export const CONSTRAINT_METRICS: SweepMetric[] = SWEEP_METRICS.filter((m) => !isRateMetric(m))

/** The longest a sweep may run and a start may take, in seconds (the core takes any u32; these keep typos out). */
export const MAX_SWEEP_DURATION_S = 30 * 86_400
export const MAX_START_TIMEOUT_S = 86_400

/** One setting of the form: ticked to vary it, and its values as typed. */
export interface AxisForm {
  on: boolean
  values: string
}

/** The New sweep form, as typed. */
export interface SweepForm {
  modelId: string
  label: string
  axes: Record<SweepParameter, AxisForm>
  sampling: Sampling
  seed: string
  maxConfigs: string
  maxDuration: string
  inputTokens: string
  outputTokens: string
  levels: string
  requests: string
  warmup: string
  ignoreEos: boolean
  objective: SweepMetric
  /** '' for no constraint. */
  constraintMetric: SweepMetric | ''
  constraintMax: string
  skipUnfit: boolean
  startTimeout: string
}

/** A field of the form; each setting's values are `values:<parameter>`. */
export type SweepField =
  | 'modelId' | 'label' | 'axes' | `values:${SweepParameter}` | 'seed' | 'maxConfigs' | 'maxDuration' | 'inputTokens' | 'outputTokens'
  | 'levels' | 'requests' | 'warmup' | 'constraintMax' | 'startTimeout'

export type SweepErrors = Partial<Record<SweepField, FieldProblem>>

/** The defaults: nothing varied yet, a short benchmark at concurrency 1 and 4, the best output throughput. */
export function defaultSweepForm(modelId = ''): SweepForm {
  const axes = Object.fromEntries(SWEEP_PARAMETERS.map((p) => [p, { on: false, values: '' }])) as Record<SweepParameter, AxisForm>
  return {
    modelId,
    label: '',
    axes,
    sampling: 'grid',
    seed: '0',
    maxConfigs: '16',
    maxDuration: '',
    inputTokens: '128',
    outputTokens: '64',
    levels: '1, 4',
    requests: '8',
    warmup: '1',
    ignoreEos: true,
    objective: 'output_throughput',
    constraintMetric: '',
    constraintMax: '',
    skipUnfit: true,
    startTimeout: '',
  }
}

/** The settings ticked that apply to the engine, with their values as typed. */
function tickedAxes(form: SweepForm, engine: string): SweepParameter[] {
  return parametersFor(engine).filter((p) => form.axes[p].on)
}

/**
 * How many configurations the ticked settings make (every combination), or null while none is
 * ticked or one's values cannot be read.
 */
export function gridSize(form: SweepForm, engine: string): number | null {
  const ticked = tickedAxes(form, engine)
  if (ticked.length === 0) return null
  let size = 1
  for (const p of ticked) {
    const parsed = parseAxisValues(p, form.axes[p].values)
    if (!parsed.ok) return null
    size *= parsed.values.length
  }
  return size
}

/** How many configurations will be tried: the grid within the budget (a random sample of it when smaller). */
export function triedCount(grid: number, maxConfigs: number): number {
  return Math.max(0, Math.min(grid, maxConfigs))
}

export type SweepResult = { ok: true; spec: SweepSpec } | { ok: false; errors: SweepErrors }

function int(errors: SweepErrors, field: SweepField, text: string, min: number, max: number): number {
  const n = wholeNumber(text, min, max)
  if (n === null) errors[field] = { key: 'bench.err.int', params: { min, max } }
  return n ?? 0
}

/**
 * The sweep the form asks for, checked first as the core checks it (so that the user sees which
 * field to change): the ticked settings with their values, the budget, the benchmark each
 * configuration gets and what "best" means.
 */
export function buildSweepSpec(form: SweepForm, engine: string): SweepResult {
  const errors: SweepErrors = {}
  if (!form.modelId) errors.modelId = { key: 'sweeps.err.model' }

  const axes: SweepAxis[] = []
  const ticked = tickedAxes(form, engine)
  if (ticked.length === 0) errors.axes = { key: 'sweeps.err.noAxis' }
  for (const parameter of ticked) {
    const parsed = parseAxisValues(parameter, form.axes[parameter].values)
    if (parsed.ok) axes.push({ parameter, values: parsed.values })
    else errors[`values:${parameter}`] = parsed.problem
  }

  const seed = int(errors, 'seed', form.seed, 0, Number.MAX_SAFE_INTEGER)
  const maxConfigs = int(errors, 'maxConfigs', form.maxConfigs, 1, SWEEP_LIMITS.max_configs)
  const maxDuration = form.maxDuration.trim() ? int(errors, 'maxDuration', form.maxDuration, 1, MAX_SWEEP_DURATION_S) : null
  const input = int(errors, 'inputTokens', form.inputTokens, 1, BENCHMARK_LIMITS.max_input_tokens)
  const output = int(errors, 'outputTokens', form.outputTokens, 1, BENCHMARK_LIMITS.max_output_tokens)
  const levels = parseNumberList(form.levels, (s) => wholeNumber(s, 1, BENCHMARK_LIMITS.max_concurrency))
  if (!levels || levels.length === 0 || levels.length > BENCHMARK_LIMITS.max_levels) {
    errors.levels = { key: 'bench.err.levels', params: { levels: BENCHMARK_LIMITS.max_levels, max: BENCHMARK_LIMITS.max_concurrency } }
  }
  const requests = int(errors, 'requests', form.requests, 1, BENCHMARK_LIMITS.max_requests)
  const warmup = int(errors, 'warmup', form.warmup, 0, BENCHMARK_LIMITS.max_warmup)

  const constraints: SweepConstraint[] = []
  if (form.constraintMetric) {
    const max = decimal(form.constraintMax)
    if (max === null || max <= 0) errors.constraintMax = { key: 'bench.err.positive' }
    else constraints.push({ metric: form.constraintMetric, at_most: max, at_least: null })
  }
  const startTimeout = form.startTimeout.trim() ? int(errors, 'startTimeout', form.startTimeout, 1, MAX_START_TIMEOUT_S) : null
  const label = form.label.trim()
  if ([...label].length > MAX_LABEL) errors.label = { key: 'bench.err.label', params: { max: MAX_LABEL } }

  if (Object.keys(errors).length > 0) return { ok: false, errors }
  return {
    ok: true,
    spec: {
      model_id: form.modelId,
      label: label || null,
      axes,
      sampling: form.sampling,
      // ts-rs types a u64 as `bigint`, which JSON cannot write: the form's whole numbers up to 2^53 − 1 travel as numbers.
      seed: seed as unknown as bigint,
      max_configs: maxConfigs,
      max_duration_s: maxDuration,
      benchmark: {
        workload: { kind: 'synthetic', input: { mean: input, spread: 0 }, output: { mean: output, spread: 0 } },
        load: { kind: 'concurrency', levels: levels ?? [] },
        requests,
        duration_s: null,
        warmup_requests: warmup,
        ignore_eos: form.ignoreEos,
        slo: { ttft_ms: null, tpot_ms: null, e2el_ms: null },
      },
      objective: { metric: form.objective, constraints },
      skip_unfit: form.skipUnfit,
      start_timeout_s: startTimeout,
    },
  }
}
