import uPlot from 'uplot'
// With the charts: pages that draw none do not load uPlot's styles either.
import 'uplot/dist/uPlot.min.css'
import { onBeforeUnmount, onMounted, type Ref } from 'vue'
import type { Locale } from '../i18n/detect'
import { formatDateTime, timeAxisLabels } from '../lib/format'
import { themeColor } from './useTheme'

/** A y scale from 0 up to `max`, else a tenth above the highest value (1 when there is none). */
export function fromZero(max: number | null = null): uPlot.Range.Function {
  return (_u, _min, dataMax) => [0, max ?? (Number.isFinite(dataMax) && dataMax > 0 ? dataMax * 1.1 : 1)]
}

/** The time column of a time chart: its legend label and value in the UI's language (uPlot's own are English, US-style). */
export function timeColumn(label: string, lang: Locale): uPlot.Series {
  return { label, value: (_u, v) => (v === null ? '–' : formatDateTime(v * 1000, lang)) }
}

/**
 * A time chart's axes in the theme's colours, read now (build the chart again on a theme change):
 * the time below in the UI's language, and the values at the left as `values` says.
 */
export function timeAxes(lang: Locale, values: Omit<uPlot.Axis, 'stroke' | 'grid' | 'ticks'>): uPlot.Axis[] {
  const stroke = themeColor('--chart-axis')
  const lines = { stroke: themeColor('--chart-grid', '#8882'), width: 1 }
  return [
    { stroke, grid: lines, ticks: lines, values: (_u, splits, _axis, _space, incr) => timeAxisLabels(splits, incr, lang) },
    { stroke, grid: lines, ticks: lines, ...values },
  ]
}

/**
 * A uPlot chart in `box`: built when the component mounts (as wide as the box, at least
 * `minWidth`), resized with it, destroyed with the component. `rebuild` builds it again (new
 * options: the theme, the language, other series); `refresh` swaps only its data.
 */
export function useUplot(
  box: Ref<HTMLElement | null>,
  options: (width: number) => uPlot.Options,
  data: () => uPlot.AlignedData,
  minWidth = 120,
) {
  let plot: uPlot | null = null
  let observer: ResizeObserver | null = null

  function rebuild(): void {
    const el = box.value
    if (!el) return
    plot?.destroy()
    plot = new uPlot(options(Math.max(el.clientWidth, minWidth)), data(), el)
  }

  function refresh(): void {
    plot?.setData(data())
  }

  onMounted(() => {
    rebuild()
    const el = box.value
    if (!el || typeof ResizeObserver === 'undefined') return
    observer = new ResizeObserver(() => {
      const width = el.clientWidth
      if (plot && width > 0 && width !== plot.width) plot.setSize({ width, height: plot.height })
    })
    observer.observe(el)
  })

  onBeforeUnmount(() => {
    observer?.disconnect()
    plot?.destroy()
    plot = null
  })

  return { rebuild, refresh }
}
