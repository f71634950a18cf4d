import { isTauri } from '../api'

/** The worker (ui/public/sw.js), at the root so that it controls every page of the dashboard. */
export const SERVICE_WORKER_URL = '/sw.js'

/**
 * Registers the service worker that keeps the app shell for offline use and installs the
 * dashboard as an app — only where it belongs: a production build in a browser. Not in the Tauri
 * window (its files are local already), not under `vite` dev (a cached shell would hide edits),
 * and not where the browser offers no workers (http:// to a LAN address is not a secure context).
 * Never throws: the dashboard works the same without it.
 */
export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!import.meta.env.PROD || isTauri() || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return null
  try {
    return await navigator.serviceWorker.register(SERVICE_WORKER_URL, { scope: '/' })
  } catch (err) {
    console.warn('llmops: the service worker did not register; the dashboard will not work offline', err)
    return null
  }
}
