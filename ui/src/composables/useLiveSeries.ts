import { shallowRef } from 'vue'
import { getApi } from '../api'
import { SeriesRing } from '../lib/system/seriesRing'

const ring = new SeriesRing()
/** Bumped after every change of the ring; watch it to redraw. */
const version = shallowRef(0)
let seeding: Promise<void> | null = null

async function seed(): Promise<void> {
  try {
    ring.seed(await getApi().systemHistory({ range: '15m' }))
    version.value++
    // Raw samples live in memory only: a server started a minute ago has a minute of them. Its
    // stored minute averages (from before the restart) fill the rest of the window, so the
    // sparklines show history from the first paint instead of a sliver at the right.
    if (!ring.coversWindow()) {
      ring.backfill(await getApi().systemHistory({ range: '24h' }))
      version.value++
    }
  } catch {
    // no history (older server, or it failed): the sparklines fill from live samples
  }
}

function reseed(): void {
  if (!seeding) seeding = seed().finally(() => (seeding = null))
}

/**
 * Keeps the shared ring live: seeds it from the 15 min history (again after a reconnect, to fill
 * the gap) and appends each `gpu_metrics_update`. Called once, at app start (startup.ts).
 */
export function startLiveSeries(): void {
  const api = getApi()
  api.onEvent((e) => {
    if (e.type !== 'gpu_metrics_update') return
    ring.appendSnapshot(e.data)
    version.value++
  })
  api.onConnectionChange((state) => {
    if (state === 'open') reseed()
  })
  reseed()
}

/** The last ~5 minutes of every metric series, shared by all sparklines (kept live by `startLiveSeries`). */
export function useLiveSeries() {
  return { ring, version }
}
