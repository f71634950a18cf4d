import { KV_CACHE_TYPES, LLAMA_CPP_LIMITS, SWEEP_LIMITS } from '../../generated/constants'
import type { SweepAxis } from '../../generated/SweepAxis'
import type { SweepParameter } from '../../generated/SweepParameter'
import type { FieldProblem } from '../deploy/deployForm'

/** Every setting a sweep can vary, in the order the form lists them. */
export const SWEEP_PARAMETERS = [
  'context_size', 'gpu_layers', 'threads', 'batch_size', 'ubatch_size', 'parallel', 'flash_attention', 'cache_type_k', 'cache_type_v',
  'max_num_seqs', 'gpu_memory_utilization',
] as const satisfies readonly SweepParameter[]

/** A value a sweep tries. */
export type SweepValue = SweepAxis['values'][number]

/**
 * The settings a sweep can vary for a model of `engine`: llama.cpp's launch settings; vLLM's
 * sequence count and memory share; only the context size of a custom command.
 */
export function parametersFor(engine: string): SweepParameter[] {
  switch (engine) {
    case 'llama_cpp':
      return SWEEP_PARAMETERS.filter((p) => p !== 'max_num_seqs' && p !== 'gpu_memory_utilization')
    case 'vllm':
    case 'vllm_docker':
      return ['context_size', 'max_num_seqs', 'gpu_memory_utilization']
    default:
      return ['context_size']
  }
}

/** What values a setting takes, as the core checks them. */
type Kind =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'bool' }
  | { kind: 'cacheType' }
  | { kind: 'fraction' }

const KINDS: Record<SweepParameter, Kind> = {
  context_size: { kind: 'int', min: 128, max: 10_000_000 },
  gpu_layers: { kind: 'int', min: -1, max: 2_147_483_647 },
  threads: { kind: 'int', min: 1, max: LLAMA_CPP_LIMITS.threads },
  batch_size: { kind: 'int', min: 1, max: LLAMA_CPP_LIMITS.batch_size },
  ubatch_size: { kind: 'int', min: 1, max: LLAMA_CPP_LIMITS.ubatch_size },
  parallel: { kind: 'int', min: 1, max: LLAMA_CPP_LIMITS.parallel },
  flash_attention: { kind: 'bool' },
  cache_type_k: { kind: 'cacheType' },
  cache_type_v: { kind: 'cacheType' },
  max_num_seqs: { kind: 'int', min: 1, max: 65_536 },
  gpu_memory_utilization: { kind: 'fraction' },
}

/** An example of the values each setting takes, for its field's placeholder. */
export const VALUE_EXAMPLES: Record<SweepParameter, string> = {
  context_size: '4096, 8192, 16384',
  gpu_layers: '-1, 40, 20',
  threads: '4, 8, 16',
  batch_size: '512, 2048',
  ubatch_size: '256, 512',
  parallel: '1, 4, 8',
  flash_attention: 'on, off',
  cache_type_k: 'f16, q8_0',
  cache_type_v: 'f16, q8_0',
  max_num_seqs: '64, 128, 256',
  gpu_memory_utilization: '0.8, 0.9',
}

const BOOLEANS: Record<string, boolean> = { true: true, on: true, false: false, off: false }

/**
 * One typed value as JSON carries it: a number (`4096`, `-1`, `0.9`), a switch (`true`, `false`,
 * `on`, `off`, any case) or else the text itself (a cache type such as `q8_0`).
 */
export function parseValue(item: string): SweepValue {
  const s = item.trim()
  const lower = s.toLowerCase()
  if (lower in BOOLEANS) return BOOLEANS[lower]
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) {
    const n = Number(s)
    if (Number.isFinite(n)) return n
  }
  return s
}

/** The items of a values field: split on commas (or spaces, semicolons), blanks dropped. */
export function splitValues(text: string): string[] {
  return text.split(/[\s,;，；]+/).filter((s) => s.length > 0)
}

export type AxisValues = { ok: true; values: SweepValue[] } | { ok: false; problem: FieldProblem }

function check(parameter: SweepParameter, item: string): SweepValue | FieldProblem {
  const kind = KINDS[parameter]
  const value = parseValue(item)
  switch (kind.kind) {
    case 'int':
      if (typeof value === 'number' && Number.isInteger(value) && value >= kind.min && value <= kind.max) return value
      return { key: parameter === 'gpu_layers' ? 'sweeps.err.gpuLayers' : 'sweeps.err.int', params: { value: item, min: kind.min, max: kind.max } }
    case 'bool':
      if (typeof value === 'boolean') return value
      return { key: 'sweeps.err.bool', params: { value: item } }
    case 'cacheType':
      if (typeof value === 'string' && (KV_CACHE_TYPES as readonly string[]).includes(value)) return value
      return { key: 'sweeps.err.cacheType', params: { value: item, types: KV_CACHE_TYPES.join(', ') } }
    case 'fraction':
      if (typeof value === 'number' && value > 0 && value <= 1) return value
      return { key: 'sweeps.err.fraction', params: { value: item } }
  }
}

/**
 * The values typed for one setting, checked as the core checks them: `4096, 8192` for a size,
 * `on, off` for flash attention, `f16, q8_0` for a cache type, `0.8, 0.9` for a memory share.
 * At least one, at most `SWEEP_LIMITS.max_values`, none twice; the first bad one is named.
 */
export function parseAxisValues(parameter: SweepParameter, text: string): AxisValues {
  const items = splitValues(text)
  if (items.length === 0) return { ok: false, problem: { key: 'sweeps.err.valuesEmpty' } }
  if (items.length > SWEEP_LIMITS.max_values) return { ok: false, problem: { key: 'sweeps.err.tooManyValues', params: { max: SWEEP_LIMITS.max_values } } }
  const values: SweepValue[] = []
  for (const item of items) {
    const v = check(parameter, item)
    if (typeof v === 'object') return { ok: false, problem: v }
    if (values.includes(v)) return { ok: false, problem: { key: 'sweeps.err.duplicate', params: { value: item } } }
    values.push(v)
  }
  return { ok: true, values }
}

/** A tried value as the UI shows it: switches as on/off, the rest as they are. */
export function valueText(value: SweepValue): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off'
  return String(value)
}

/** A configuration's values in axis order: "context_size=4096 · gpu_layers=20". */
export function valuesText(values: Record<string, SweepValue>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${valueText(v)}`)
    .join(' · ')
}
