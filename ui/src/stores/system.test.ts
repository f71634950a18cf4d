import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Event as LlmopsEvent } from '../generated/Event'
import type { SystemSnapshot } from '../generated/SystemSnapshot'

const fake = vi.hoisted(() => ({
  listeners: [] as ((e: LlmopsEvent) => void)[],
  status: null as unknown as () => Promise<SystemSnapshot>,
}))

vi.mock('../api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../api')>()
  return {
    ...actual,
    getApi: () => ({
      systemStatus: () => fake.status(),
      onEvent: (l: (e: LlmopsEvent) => void) => {
        fake.listeners.push(l)
        return () => {}
      },
      onConnectionChange: () => () => {},
    }),
  }
})

import { useSystemStore } from './system'
import { cpuSnapshot } from '../testing/snapshots'


beforeEach(() => {
  setActivePinia(createPinia())
  fake.listeners = []
})

describe('system store', () => {
  it('follows gpu_metrics_update events and ignores older samples', async () => {
    fake.status = async () => cpuSnapshot(10, 1)
    const store = useSystemStore()
    store.connect()
    await vi.waitFor(() => expect(store.snapshot?.at).toBe(10))
    const emit = (e: LlmopsEvent) => fake.listeners.forEach((l) => l(e))
    emit({ type: 'gpu_metrics_update', data: cpuSnapshot(20, 2) })
    expect(store.snapshot?.cpu.usage_percent).toBe(2)
    emit({ type: 'gpu_metrics_update', data: cpuSnapshot(15, 3) })
    expect(store.snapshot?.at).toBe(20)
  })
})
