// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, h, nextTick } from 'vue'
import { setLocale } from '../../composables/useI18n'
import type { DiskUsage } from '../../generated/DiskUsage'
import StorageCard from './StorageCard.vue'

const GiB = 1024 ** 3
const cleanups: (() => void)[] = []

function mount(disks: DiskUsage[]) {
  const host = document.createElement('div')
  document.body.appendChild(host)
  const app = createApp({ render: () => h(StorageCard, { disks, network: null }) })
  app.mount(host)
  cleanups.push(() => {
    app.unmount()
    host.remove()
  })
  return host
}

const disk: DiskUsage = { folder: '/models', mount_point: '/', total_bytes: 252 * GiB, available_bytes: 63 * GiB, models_bytes: 5 * GiB }

beforeEach(() => setLocale('en'))
afterEach(() => {
  cleanups.splice(0).forEach((c) => c())
  setLocale('en')
})

describe('StorageCard', () => {
  it('says the percentage is the used share, the same one the bar shows', async () => {
    const host = mount([disk])
    const bar = host.querySelector('[role="progressbar"]')!
    expect(bar.getAttribute('aria-valuenow')).toBe('75')
    const line = host.querySelector('[data-testid="disk-item"] .disk-line')!.textContent!
    expect(line).toContain('63.0 GiB free of 252 GiB')
    expect(line).not.toContain('25 %')
    expect(host.querySelector('[data-testid="disk-used-percent"]')!.textContent).toBe('75 % used')
    setLocale('zh')
    await nextTick()
    expect(host.querySelector('[data-testid="disk-used-percent"]')!.textContent).toBe('已用 75 %')
  })
})
