import { t, useI18n } from '../../composables/useI18n'
import type { Benchmark } from '../../generated/Benchmark'
import type { BenchmarkSpec } from '../../generated/BenchmarkSpec'
import type { BenchTarget } from '../../generated/BenchTarget'
import type { HardwareSpec } from '../../generated/HardwareSpec'
import type { LevelResult } from '../../generated/LevelResult'
import type { LoadPattern } from '../../generated/LoadPattern'
import type { Slo } from '../../generated/Slo'
import type { Workload } from '../../generated/Workload'
import { formatDecimal } from '../gateway/requestFormat'
import { intlTag } from '../format'

/** The load benchmark's settings, or null for a hardware benchmark. */
export function loadSpecOf(b: Benchmark): BenchmarkSpec | null {
  return b.spec.kind === 'load' ? b.spec : null
}

/** The hardware benchmark's settings, or null for a load benchmark. */
export function hardwareSpecOf(b: Benchmark): HardwareSpec | null {
  return b.spec.kind === 'hardware' ? b.spec : null
}

const figureFormats = new Map<string, Intl.NumberFormat>()

/**
 * A measured figure as tables and charts show it: rounded, without thousands separators (so
 * that it reads, copies and parses as one number: "1234.5").
 */
export function formatFigure(value: number, digits: number): string {
  const tag = intlTag(useI18n().locale.value)
  const key = `${tag}|${digits}`
  let f = figureFormats.get(key)
  if (!f) figureFormats.set(key, (f = new Intl.NumberFormat(tag, { maximumFractionDigits: digits, minimumFractionDigits: 0, useGrouping: false })))
  return f.format(value)
}

/** A value in milliseconds, as a table shows it (the unit is in the header): "12.3", "—" when none. */
export function formatMs(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—'
  return formatFigure(ms, ms < 10 ? 2 : 1)
}

/** Requests or tokens per second, as a table shows it: "3.25", "412.5", "—" when none. */
export function formatPerSecond(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return '—'
  return formatFigure(v, v < 10 ? 2 : 1)
}

/** A duration in seconds: "12.4 s". */
export function formatSeconds(s: number | null | undefined): string {
  if (s == null || !Number.isFinite(s)) return '—'
  return t('gw.unit.s', { n: formatDecimal(s, s < 10 ? 2 : 1) })
}

/** The level's place on a chart's x axis: its concurrency or rate (its number from 1 when neither). */
export function levelValue(level: LevelResult, index: number): number {
  return level.concurrency ?? level.rate ?? index + 1
}

/** What a benchmark's levels vary: concurrency or request rate. */
export function levelKind(b: Benchmark): 'concurrency' | 'rate' {
  const spec = loadSpecOf(b)
  if (spec) return spec.load.kind
  return b.results.some((r) => r.rate !== null) ? 'rate' : 'concurrency'
}

export type Headline =
  | { kind: 'load'; bestOutput: number | null; ttftP50: number | null }
  | { kind: 'hardware'; pp: number | null; tg: number | null }

/** The list's figures: the best output tok/s and the first level's TTFT p50, or llama-bench's pp and tg. */
export function headline(b: Benchmark): Headline {
  if (b.spec.kind === 'hardware') {
    const tests = b.hardware?.tests ?? []
    const find = (prefix: string) => tests.find((x) => x.name.startsWith(prefix))?.tokens_per_second ?? null
    return { kind: 'hardware', pp: find('pp'), tg: find('tg') }
  }
  const completed = b.results.filter((r) => r.completed > 0)
  const bestOutput = completed.length ? Math.max(...completed.map((r) => r.output_throughput)) : null
  const first = b.results[0]
  return { kind: 'load', bestOutput, ttftP50: first && first.ttft_ms.count > 0 ? first.ttft_ms.p50 : null }
}

/** Names the target of a load benchmark ("Qwen (library model)"); `names` gives model and endpoint names by id. */
export function targetText(target: BenchTarget, names: { model?: (id: string) => string | null; endpoint?: (id: string) => string | null } = {}): string {
  switch (target.kind) {
    case 'model':
      return t('bench.target.modelText', { name: names.model?.(target.model_id) ?? target.model_id })
    case 'gateway':
      return t('bench.target.gatewayText', { name: target.model })
    case 'endpoint':
      return t('bench.target.endpointText', { endpoint: names.endpoint?.(target.endpoint_id) ?? target.endpoint_id, model: target.model })
    case 'instance':
      // A sweep measures the instance it started: named by the run's short id.
      return t('bench.target.instanceText', { run: target.instance_id.slice(0, 8) })
  }
}

/** The number of prompts in a JSONL dataset (its non-blank lines). */
export function datasetLines(jsonl: string): number {
  let n = 0
  for (const line of jsonl.split('\n')) if (line.trim()) n++
  return n
}

/** "128 → 64 tokens" (± spread), or "JSONL, 200 prompts, at most 256 tokens out". */
export function workloadText(w: Workload): string {
  if (w.kind === 'dataset') return t('bench.workload.datasetText', { lines: datasetLines(w.jsonl), max: w.max_output })
  const text = t('bench.workload.syntheticText', { input: w.input.mean, output: w.output.mean })
  return w.input.spread > 0 || w.output.spread > 0 ? `${text} ${t('bench.workload.spreadText', { spread: formatDecimal(w.input.spread, 2) })}` : text
}

/** "concurrency 1, 4, 8" or "0.5, 1 req/s (at most 8 at once)". */
export function loadText(load: LoadPattern): string {
  if (load.kind === 'concurrency') return t('bench.load.concurrencyText', { levels: load.levels.join(', ') })
  const rates = t('bench.load.rateText', { rates: load.rates.map((r) => formatDecimal(r, 3)).join(', ') })
  return load.max_concurrency !== null ? `${rates} ${t('bench.load.maxConcurrencyText', { n: load.max_concurrency })}` : rates
}

/** "TTFT ≤ 500 ms, TPOT ≤ 50 ms", or "none". */
export function sloText(slo: Slo): string {
  const parts: string[] = []
  if (slo.ttft_ms !== null) parts.push(`${t('gw.ttft')} ≤ ${t('gw.unit.ms', { n: formatDecimal(slo.ttft_ms, 1) })}`)
  if (slo.tpot_ms !== null) parts.push(`${t('gw.tpot')} ≤ ${t('gw.unit.ms', { n: formatDecimal(slo.tpot_ms, 1) })}`)
  if (slo.e2el_ms !== null) parts.push(`${t('gw.e2el')} ≤ ${t('gw.unit.ms', { n: formatDecimal(slo.e2el_ms, 1) })}`)
  return parts.length ? parts.join(', ') : t('bench.slo.none')
}

/** Where a running benchmark is: "Warming up", "Level 2 of 3 · concurrency 4", or "Running llama-bench". */
export function progressText(b: Benchmark): string {
  const p = b.progress
  if (b.spec.kind === 'hardware') return t('bench.running.hardware')
  if (p.warming_up) return t('bench.running.warmup')
  if (p.levels === 0) return t('bench.running.starting')
  const spec = loadSpecOf(b)
  const level = spec ? levelName(spec.load, p.level) : null
  const base = t('bench.running.level', { level: Math.min(p.level + 1, p.levels), levels: p.levels })
  return level ? `${base} · ${level}` : base
}

/** The name of level `index` of a load pattern ("concurrency 4", "2 req/s"), or null past its end. */
export function levelName(load: LoadPattern, index: number): string | null {
  if (load.kind === 'concurrency') {
    const c = load.levels[index]
    return c === undefined ? null : t('bench.load.concurrencyText', { levels: c })
  }
  const r = load.rates[index]
  return r === undefined ? null : t('bench.load.rateText', { rates: formatDecimal(r, 3) })
}

/** Tags as typed, `a, b`: trimmed, empty ones and repeats dropped. */
export function parseTags(text: string): string[] {
  const out: string[] = []
  for (const tag of text.split(/[,，]/).map((s) => s.trim())) if (tag && !out.includes(tag)) out.push(tag)
  return out
}
