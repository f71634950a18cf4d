import type { MessageKey } from '../../i18n/en'
import type { Unit } from '../format'

export type SeriesGroup = 'system' | 'gpu' | 'model' | 'other'

/** What the UI knows about one series key of the history API. */
export interface SeriesMeta {
  key: string
  group: SeriesGroup
  /** GPU index or model id for the gpu/model groups, '' otherwise. */
  owner: string
  metric: string
  unit: Unit
  label: MessageKey
  /** The colour's custom property (`--series-cpu`): charts read its value in the current theme. */
  color: string
  /** Fixed top of the y scale (percentages of a whole). */
  max?: number
  /** Sort position within its group. */
  order: number
}

interface MetricInfo {
  unit: Unit
  label: MessageKey
  color: string
  max?: number
}

const SYSTEM: Record<string, MetricInfo> = {
  'cpu.usage_percent': { unit: 'percent', label: 'metric.cpu', color: '--series-cpu', max: 100 },
  'memory.used_percent': { unit: 'percent', label: 'metric.memPercent', color: '--series-mem', max: 100 },
  'memory.used_bytes': { unit: 'bytes', label: 'metric.memBytes', color: '--series-mem' },
  'network.rx_bytes_per_second': { unit: 'rate', label: 'metric.netRx', color: '--series-rx' },
  'network.tx_bytes_per_second': { unit: 'rate', label: 'metric.netTx', color: '--series-tx' },
}

const GPU: Record<string, MetricInfo> = {
  utilization_percent: { unit: 'percent', label: 'metric.gpuUtil', color: '--series-cpu', max: 100 },
  memory_used_bytes: { unit: 'bytes', label: 'metric.gpuMem', color: '--series-mem' },
  temperature_celsius: { unit: 'celsius', label: 'metric.gpuTemp', color: '--series-temp' },
  power_watts: { unit: 'watts', label: 'metric.gpuPower', color: '--series-power' },
}

const MODEL: Record<string, MetricInfo> = {
  cpu_percent: { unit: 'percent', label: 'metric.modelCpu', color: '--series-model-cpu' },
  rss_bytes: { unit: 'bytes', label: 'metric.modelRss', color: '--series-mem' },
  gpu_memory_bytes: { unit: 'bytes', label: 'metric.modelGpuMem', color: '--series-gpu-mem' },
}

const position = (table: Record<string, MetricInfo>, name: string) => Object.keys(table).indexOf(name)

/** Classifies a series key such as `gpu.0.temperature_celsius` or `model.<id>.rss_bytes`. */
export function seriesMeta(key: string): SeriesMeta {
  const sys = SYSTEM[key]
  if (sys) return { key, group: 'system', owner: '', metric: key, ...sys, order: position(SYSTEM, key) }
  const dot = key.lastIndexOf('.')
  const metric = dot > 0 ? key.slice(dot + 1) : key
  if (key.startsWith('gpu.') && dot > 4 && GPU[metric]) {
    return { key, group: 'gpu', owner: key.slice(4, dot), metric, ...GPU[metric], order: position(GPU, metric) }
  }
  if (key.startsWith('model.') && dot > 6 && MODEL[metric]) {
    return { key, group: 'model', owner: key.slice(6, dot), metric, ...MODEL[metric], order: position(MODEL, metric) }
  }
  return { key, group: 'other', owner: '', metric: key, unit: 'plain', label: 'metric.other', color: '--series-other', order: 0 }
}

const GROUP_ORDER: Record<SeriesGroup, number> = { system: 0, gpu: 1, model: 2, other: 3 }

/** Orders series: system first, then GPUs by index, then models, then anything unknown. */
export function compareSeries(a: SeriesMeta, b: SeriesMeta): number {
  if (a.group !== b.group) return GROUP_ORDER[a.group] - GROUP_ORDER[b.group]
  if (a.owner !== b.owner) {
    if (a.group === 'gpu') return Number(a.owner) - Number(b.owner)
    return a.owner < b.owner ? -1 : 1
  }
  if (a.order !== b.order) return a.order - b.order
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0
}
