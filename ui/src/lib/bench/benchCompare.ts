import { t } from '../../composables/useI18n'
import type { Benchmark } from '../../generated/Benchmark'
import type { BenchmarkSpec } from '../../generated/BenchmarkSpec'
import type { HardwareSpec } from '../../generated/HardwareSpec'
import type { LevelResult } from '../../generated/LevelResult'
import type { MessageKey } from '../../i18n/en'
import { formatDecimal } from '../gateway/requestFormat'
import { formatMs, formatPerSecond, hardwareSpecOf, levelValue, loadSpecOf, loadText, sloText, targetText, workloadText } from './benchFormat'

/** Names of models and endpoints by id, for the targets' text. */
export interface Names {
  model?: (id: string) => string | null
  endpoint?: (id: string) => string | null
}

/** One setting across the compared benchmarks: its text in each, and whether they differ. */
export interface ConfigRow {
  field: string
  label: MessageKey
  values: string[]
  differs: boolean
}

interface ConfigField {
  field: string
  label: MessageKey
  /** The setting's value to compare and its text; null when the benchmark has no such setting. */
  read: (b: Benchmark, names: Names) => Setting | null
}

interface Setting {
  raw: unknown
  text: string
}

const yesNo = (v: boolean) => t(v ? 'bench.yes' : 'bench.no')
const orNone = (v: number | null) => (v === null ? t('bench.settings.notSet') : formatDecimal(v, 3))
const plain = (v: number | boolean | string): Setting => ({ raw: v, text: String(v) })

/** A setting of load benchmarks only. */
function loadField(field: string, label: MessageKey, read: (s: BenchmarkSpec, names: Names) => Setting): ConfigField {
  return { field, label, read: (b, names) => { const s = loadSpecOf(b); return s ? read(s, names) : null } }
}

/** A setting of hardware benchmarks only. */
function hardwareField(field: string, label: MessageKey, read: (s: HardwareSpec) => Setting): ConfigField {
  return { field, label, read: (b) => { const s = hardwareSpecOf(b); return s ? read(s) : null } }
}

const LOAD_FIELDS: ConfigField[] = [
  loadField('target', 'bench.settings.target', (s, n) => ({ raw: s.target, text: targetText(s.target, n) })),
  loadField('workload', 'bench.settings.workload', (s) => ({ raw: s.workload, text: workloadText(s.workload) })),
  loadField('load', 'bench.settings.load', (s) => ({ raw: s.load, text: loadText(s.load) })),
  loadField('requests', 'bench.settings.requests', (s) => plain(s.requests)),
  loadField('duration_s', 'bench.settings.duration', (s) => ({ raw: s.duration_s, text: orNone(s.duration_s) })),
  loadField('warmup_requests', 'bench.settings.warmup', (s) => plain(s.warmup_requests)),
  loadField('seed', 'bench.settings.seed', (s) => plain(String(s.seed))),
  loadField('ignore_eos', 'bench.settings.ignoreEos', (s) => ({ raw: s.ignore_eos, text: yesNo(s.ignore_eos) })),
  loadField('slo', 'bench.settings.slo', (s) => ({ raw: s.slo, text: sloText(s.slo) })),
]

const HARDWARE_FIELDS: ConfigField[] = [
  hardwareField('prompt_tokens', 'bench.hw.prompt', (s) => plain(s.prompt_tokens)),
  hardwareField('generate_tokens', 'bench.hw.generate', (s) => plain(s.generate_tokens)),
  hardwareField('repetitions', 'bench.hw.repetitions', (s) => plain(s.repetitions)),
  hardwareField('threads', 'bench.hw.threads', (s) => ({ raw: s.threads, text: orNone(s.threads) })),
  hardwareField('gpu_layers', 'bench.hw.gpuLayers', (s) => ({ raw: s.gpu_layers, text: orNone(s.gpu_layers) })),
]

/** What a benchmark measured on: a different engine build, command line, file or machine explains a different result. */
const ENVIRONMENT_FIELDS: ConfigField[] = [
  { field: 'engine_version', label: 'bench.settings.engineVersion', read: (b) => plain(b.environment.engine_version ?? '—') },
  { field: 'argv', label: 'bench.settings.argv', read: (b) => plain(b.environment.argv.join(' ') || '—') },
  {
    field: 'model_file',
    label: 'bench.settings.modelFile',
    read: (b) => plain(b.environment.model_sha256 ?? b.environment.model_path ?? '—'),
  },
  {
    field: 'machine',
    label: 'bench.settings.machine',
    read: (b) => plain([b.environment.cpu, ...b.environment.gpus].filter(Boolean).join(', ') || '—'),
  },
]

/** Canonical JSON (keys sorted), so that the same settings compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (value === undefined) return 'undefined'
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  )
}

/** The settings of the compared benchmarks side by side, each row saying whether those that have it differ. */
export function configRows(benchmarks: Benchmark[], names: Names = {}): ConfigRow[] {
  const anyLoad = benchmarks.some((b) => b.spec.kind === 'load')
  const anyHardware = benchmarks.some((b) => b.spec.kind === 'hardware')
  const fields: ConfigField[] = [
    { field: 'kind', label: 'bench.settings.kind', read: (b) => ({ raw: b.spec.kind, text: t(`bench.kind.${b.spec.kind}`) }) },
    { field: 'model', label: 'bench.settings.model', read: (b, n) => ({ raw: b.model ?? b.model_id, text: b.model ?? (b.model_id ? n.model?.(b.model_id) ?? b.model_id : '—') }) },
    ...(anyLoad ? LOAD_FIELDS : []),
    ...(anyHardware ? HARDWARE_FIELDS : []),
    ...ENVIRONMENT_FIELDS,
  ]
  return fields.map((f) => {
    const read = benchmarks.map((b) => f.read(b, names))
    // Among the benchmarks that have the setting (a hardware one has no seed; the kind row says they differ in kind).
    const keys = new Set(read.filter((r) => r !== null).map((r) => canonical(r.raw)))
    return { field: f.field, label: f.label, values: read.map((r) => r?.text ?? '—'), differs: keys.size > 1 }
  })
}

/** A figure of a level, as a comparison row shows it. */
interface LevelMetric {
  metric: string
  label: MessageKey
  value: (r: LevelResult) => string
}

export const LEVEL_METRICS: LevelMetric[] = [
  { metric: 'completed', label: 'bench.col.completedFailed', value: (r) => `${r.completed} / ${r.failed}` },
  { metric: 'request_throughput', label: 'bench.col.requestThroughput', value: (r) => formatPerSecond(r.request_throughput) },
  { metric: 'output_throughput', label: 'bench.col.outputThroughput', value: (r) => formatPerSecond(r.output_throughput) },
  { metric: 'total_token_throughput', label: 'bench.col.totalThroughput', value: (r) => formatPerSecond(r.total_token_throughput) },
  { metric: 'goodput', label: 'bench.col.goodput', value: (r) => formatPerSecond(r.goodput) },
  { metric: 'ttft_p50', label: 'bench.compare.ttftP50', value: (r) => formatMs(r.ttft_ms.count ? r.ttft_ms.p50 : null) },
  { metric: 'ttft_p99', label: 'bench.compare.ttftP99', value: (r) => formatMs(r.ttft_ms.count ? r.ttft_ms.p99 : null) },
  { metric: 'tpot_p50', label: 'bench.compare.tpotP50', value: (r) => formatMs(r.tpot_ms.count ? r.tpot_ms.p50 : null) },
  { metric: 'itl_p50', label: 'bench.compare.itlP50', value: (r) => formatMs(r.itl_ms.count ? r.itl_ms.p50 : null) },
  { metric: 'e2el_p50', label: 'bench.compare.e2elP50', value: (r) => formatMs(r.e2el_ms.count ? r.e2el_ms.p50 : null) },
]

/** One level (by its `load` name) across the compared benchmarks: its figures in each, '—' where one has no such level. */
export interface LevelGroup {
  load: string
  rows: { metric: string; label: MessageKey; values: string[] }[]
}

/** The levels of the compared load benchmarks, in the order they first appear. */
export function levelGroups(benchmarks: Benchmark[]): LevelGroup[] {
  const loads: string[] = []
  for (const b of benchmarks) for (const r of b.results) if (!loads.includes(r.load)) loads.push(r.load)
  return loads.map((load) => ({
    load,
    rows: LEVEL_METRICS.map((m) => ({
      metric: m.metric,
      label: m.label,
      values: benchmarks.map((b) => {
        const r = b.results.find((x) => x.load === load)
        return r ? m.value(r) : '—'
      }),
    })),
  }))
}

/** llama-bench tests (`pp512`, `tg128`) across the compared benchmarks: "t/s ± stddev" in each. */
export function hardwareRows(benchmarks: Benchmark[]): { name: string; values: string[] }[] {
  const names: string[] = []
  for (const b of benchmarks) for (const x of b.hardware?.tests ?? []) if (!names.includes(x.name)) names.push(x.name)
  return names.map((name) => ({
    name,
    values: benchmarks.map((b) => {
      const x = b.hardware?.tests.find((y) => y.name === name)
      return x ? `${formatPerSecond(x.tokens_per_second)} ± ${formatPerSecond(x.stddev)}` : '—'
    }),
  }))
}

/** One line (or set of points) of a benchmark chart, on the per-second or the millisecond scale. */
export interface BenchSeries {
  label: string
  values: (number | null)[]
  unit: 'perSecond' | 'ms'
}

/** Chart columns: x ascending, and one line per series (null where a series has no point). */
export interface Columns {
  x: number[]
  series: { label: string; values: (number | null)[] }[]
}

/** A benchmark's output tok/s and TTFT p50 by level, the levels in ascending order. */
export function levelColumns(b: Benchmark): { x: number[]; output: number[]; ttft: (number | null)[] } {
  const points = b.results
    .map((r, i) => ({ x: levelValue(r, i), output: r.output_throughput, ttft: r.ttft_ms.count ? r.ttft_ms.p50 : null }))
    .sort((a, c) => a.x - c.x)
  return { x: points.map((p) => p.x), output: points.map((p) => p.output), ttft: points.map((p) => p.ttft) }
}

/** Output tok/s by level, one line per load benchmark, over the levels of all of them. */
export function overlayColumns(benchmarks: Benchmark[]): Columns {
  const withLevels = benchmarks.filter((b) => b.results.length > 0)
  const x = [...new Set(withLevels.flatMap((b) => b.results.map((r, i) => levelValue(r, i))))].sort((a, c) => a - c)
  return {
    x,
    series: withLevels.map((b) => {
      const at = new Map(b.results.map((r, i) => [levelValue(r, i), r.output_throughput] as const))
      return { label: b.label, values: x.map((v) => at.get(v) ?? null) }
    }),
  }
}

/** Per-request E2EL (ms) against when the request was sent (s from its level's start), one set of points per level. */
export function sampleColumns(b: Benchmark): Columns {
  const points: { x: number; level: number; y: number }[] = []
  b.results.forEach((r, level) => {
    for (const s of r.samples) if (s.ok && s.e2el_ms !== null) points.push({ x: s.sent_ms / 1000, level, y: s.e2el_ms })
  })
  points.sort((a, c) => a.x - c.x)
  return {
    x: points.map((p) => p.x),
    series: b.results.map((r, level) => ({ label: r.load, values: points.map((p) => (p.level === level ? p.y : null)) })),
  }
}
