import type { Pinia } from 'pinia'
import { startLiveSeries } from './composables/useLiveSeries'
import { useAccessStore } from './stores/access'
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

/**
 * App-lifetime wiring, installed exactly once at start (main.ts): loads who is calling, connects
 * the stores to the pushed events (each refetches when the connection (re)opens) and keeps the
 * live series going. Components and pages only read the stores; none of them subscribes.
 */
export function installAppWiring(pinia: Pinia): void {
  void useAccessStore(pinia).loadCaller()
  useSystemStore(pinia).connect()
  useModelsStore(pinia).connect()
  useAlertsStore(pinia).connect()
  useGatewayStore(pinia).connect()
  useDownloadsStore(pinia).connect()
  useEnginesStore(pinia).connect()
  useLocalModelsStore(pinia).connect()
  useBenchmarksStore(pinia).connect()
  useRunsStore(pinia).connect()
  useSweepsStore(pinia).connect()
  startLiveSeries()
}
