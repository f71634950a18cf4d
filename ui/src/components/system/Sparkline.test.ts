// @vitest-environment jsdom
import { createPinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { ApiError } from '../../api'
import { startLiveSeries } from '../../composables/useLiveSeries'
import { emit, installFakeApi } from '../../testing/fakeApi'
import { mountApp, stubPage, usePageTestSetup } from '../../testing/mountApp'
import Sparkline from './Sparkline.vue'
import { cpuSnapshot } from '../../testing/snapshots'

const T0 = 1_700_000_000_000


/** The server pushes one sample a second, from `from` seconds after T0, `count` of them. */
function samples(from: number, count: number) {
  for (let s = from; s < from + count; s++) emit({ type: 'gpu_metrics_update', data: cpuSnapshot(T0 + s * 1000, s % 100) })
}

const points = (path: Element) => (path.getAttribute('d') ?? '').match(/[ML]/g)?.length ?? 0

usePageTestSetup()
beforeEach(() => {
  // No stored history: the sparkline fills from the pushed samples alone.
  installFakeApi({ systemHistory: vi.fn(async () => Promise.reject(new ApiError('network_error', 'down'))) })
  startLiveSeries()
})

describe('Sparkline', () => {
  it('draws the live window as two SVG paths and replaces only their data with each sample', async () => {
    samples(0, 3)
    const { q, host } = await mountApp({
      component: Sparkline,
      props: { seriesKey: 'cpu.usage_percent', max: 100, label: 'CPU usage' },
      pinia: createPinia(),
      routes: [{ path: '/', component: stubPage }],
    })
    const svg = q('sparkline')!
    expect(svg.tagName.toLowerCase()).toBe('svg')
    expect(svg.getAttribute('role')).toBe('img')
    expect(svg.getAttribute('aria-label')).toBe('CPU usage')
    const [area, line] = Array.from(svg.querySelectorAll('path'))
    expect(points(line)).toBe(3)
    const before = line.getAttribute('d')

    // Ten minutes of samples later: the same elements, holding the last five minutes only.
    samples(3, 600)
    await nextTick()
    expect(q('sparkline')).toBe(svg)
    expect(Array.from(svg.querySelectorAll('path'))).toEqual([area, line])
    expect(line.getAttribute('d')).not.toBe(before)
    expect(points(line)).toBeLessThanOrEqual(301)
    expect(host.querySelectorAll('svg, canvas')).toHaveLength(1)
  })
})
