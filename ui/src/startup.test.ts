import { createPinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Event as LlmopsEvent } from './generated/Event'

const fake = vi.hoisted(() => ({
  events: [] as ((e: LlmopsEvent) => void)[],
  connection: [] as ((s: string) => void)[],
  api: {} as Record<string, ReturnType<typeof import('vitest').vi.fn>>,
}))

vi.mock('./api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./api')>()
  return { ...actual, getApi: () => fake.api }
})

import { useLiveSeries } from './composables/useLiveSeries'
import { installAppWiring } from './startup'
import { useAlertsStore } from './stores/alerts'
import { useBenchmarksStore } from './stores/benchmarks'
import { useDownloadsStore } from './stores/downloads'
import { useEnginesStore } from './stores/engines'
import { useGatewayStore } from './stores/gateway'
import { useLocalModelsStore } from './stores/localModels'
import { useModelsStore } from './stores/models'
import { useRunsStore } from './stores/runs'
import { useSweepsStore } from './stores/sweeps'
import { useSystemStore } from './stores/system'

beforeEach(() => {
  fake.events = []
  fake.connection = []
  fake.api = {
    whoami: vi.fn(async () => ({ scope: 'admin', via: 'local', key_id: null, key_name: null })),
    systemStatus: vi.fn(async () => {
      throw new Error('offline')
    }),
    systemHistory: vi.fn(async () => {
      throw new Error('offline')
    }),
    listModels: vi.fn(async () => []),
    listInstances: vi.fn(async () => []),
    listAlerts: vi.fn(async () => ({ active: [], recent: [] })),
    gatewayStatus: vi.fn(async () => ({ addresses: [], models: [], settings: { retention_days: 14 } })),
    onEvent: vi.fn((l: (e: LlmopsEvent) => void) => {
      fake.events.push(l)
      return () => {}
    }),
    onConnectionChange: vi.fn((l: (s: string) => void) => {
      fake.connection.push(l)
      return () => {}
    }),
  }
})

describe('installAppWiring', () => {
  it('subscribes each store and the live series once, loads once, and reloads on reconnect', async () => {
    const pinia = createPinia()
    installAppWiring(pinia)
    // system, models, alerts, the gateway, downloads, engine runtimes, local models, benchmarks, runs, sweeps and the live series: one subscription each.
    expect(fake.events).toHaveLength(11)
    expect(fake.connection).toHaveLength(11)
    await vi.waitFor(() => expect(useAlertsStore(pinia).loaded).toBe(true))
    await vi.waitFor(() => expect(useModelsStore(pinia).loaded).toBe(true))
    await vi.waitFor(() => expect(useSystemStore(pinia).loading).toBe(false))
    await vi.waitFor(() => expect(useGatewayStore(pinia).status).not.toBeNull())
    const loads = ['whoami', 'systemStatus', 'systemHistory', 'listModels', 'listInstances', 'listAlerts', 'gatewayStatus']
    for (const name of loads) expect(fake.api[name]).toHaveBeenCalledTimes(1)

    fake.connection.forEach((l) => l('open'))
    await vi.waitFor(() => expect(fake.api.listAlerts).toHaveBeenCalledTimes(2))
    for (const name of loads.slice(1)) expect(fake.api[name]).toHaveBeenCalledTimes(2)
    // The caller is loaded at start only.
    expect(fake.api.whoami).toHaveBeenCalledTimes(1)
  })

  it('leaves components that use the stores and the ring subscribing nothing more', () => {
    const pinia = createPinia()
    installAppWiring(pinia)
    useSystemStore(pinia)
    useModelsStore(pinia)
    useAlertsStore(pinia)
    useGatewayStore(pinia)
    useDownloadsStore(pinia)
    useLocalModelsStore(pinia)
    useBenchmarksStore(pinia)
    useRunsStore(pinia)
    useSweepsStore(pinia)
    useEnginesStore(pinia)
    useLiveSeries()
    expect(fake.events).toHaveLength(11)
    expect(fake.connection).toHaveLength(11)
  })
})
