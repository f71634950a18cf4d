// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, h } from 'vue'
import { createPinia } from 'pinia'
import type { CpuStats } from '../../generated/CpuStats'
import CpuCard from './CpuCard.vue'

const cleanups: (() => void)[] = []

function mount(cpu: CpuStats) {
  const host = document.createElement('div')
  document.body.appendChild(host)
  const app = createApp({ render: () => h(CpuCard, { cpu }) })
  app.use(createPinia())
  app.mount(host)
  cleanups.push(() => {
    app.unmount()
    host.remove()
  })
  return host
}

const cpu: CpuStats = { brand: 'x', logical_cores: 4, usage_percent: 12, per_core_percent: [], load_average: [0.5, 1, 1.25] }

afterEach(() => cleanups.splice(0).forEach((c) => c()))

describe('CpuCard', () => {
  it('shows the three load averages', () => {
    expect(mount(cpu).querySelector('[data-testid="cpu-load"]')!.textContent).toBe('0.50 / 1.00 / 1.25')
  })

  it('says n/a where the OS has no load average (Windows)', () => {
    const text = mount({ ...cpu, load_average: null }).querySelector('[data-testid="cpu-load"]')!.textContent
    expect(text).toBe('n/a')
  })
})
