// The dashboard's service worker. It keeps the app shell (the page, Vite's hashed assets, the icons
// and the manifest) so an installed dashboard opens without the network. It never keeps API data:
// that is live, private (the server marks it no-store) and depends on who is logged in.
// A classic worker without imports. The build stamps the cache name with a hash of its files (see
// ui/vite.config.ts): each build gets a cache of its own, and the previous one is dropped with its
// outdated assets.

const CACHE_PREFIX = 'llmops-shell-'
const CACHE_NAME = `${CACHE_PREFIX}__BUILD_ID__`
/** The page that answers navigations offline (the router keeps its place in the hash). */
const SHELL_URL = '/'
const SHELL_PATHS = ['/', '/index.html']
const PRECACHE_URLS = [SHELL_URL, '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png', '/icons/maskable-512.png']

/** Data and login paths: always the server's live answer, even for a navigation. */
const NEVER_CACHED = [/^\/api(\/|$)/, /^\/v1(\/|$)/, /^\/metrics(\/|$)/, /^\/login(\.js)?$/]
/** Files whose content never changes under their URL within one build. */
const STATIC_FILES = [/^\/assets\//, /^\/icons\//, /^\/manifest\.webmanifest$/]

/**
 * How the worker answers a request: 'network-first' (a navigation: the live page, the cached shell
 * when offline), 'cache-first' (a static file), or null (not ours: the browser fetches it exactly
 * as without a worker). Pure, so the rules can be unit-tested.
 */
function cachePolicy(request, origin) {
  if (request.method !== 'GET' || request.headers.has('upgrade')) return null
  const url = new URL(request.url)
  if (url.origin !== origin) return null
  if (NEVER_CACHED.some((path) => path.test(url.pathname))) return null
  if (request.mode === 'navigate') return 'network-first'
  if (STATIC_FILES.some((path) => path.test(url.pathname))) return 'cache-first'
  return null
}

/**
 * Whether a response may be kept: a whole (200, not a 206 range), same-origin answer that was not
 * redirected (a redirect there means "log in first") and that the server allows storing.
 */
function storable(response) {
  return response.status === 200 && response.type === 'basic' && !response.redirected
    && !/no-store/i.test(response.headers.get('cache-control') || '')
}

const isHtml = (response) => /^text\/html/i.test(response.headers.get('content-type') || '')

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()))
})

self.addEventListener('activate', (event) => {
  event.waitUntil(dropOldCaches().then(() => self.clients.claim()))
})

self.addEventListener('fetch', (event) => {
  const policy = cachePolicy(event.request, self.location.origin)
  if (policy === 'network-first') event.respondWith(networkFirst(event.request))
  else if (policy === 'cache-first') event.respondWith(cacheFirst(event.request))
})

async function precache() {
  const cache = await caches.open(CACHE_NAME)
  await Promise.all(PRECACHE_URLS.map(async (url) => {
    // no-cache: the HTTP cache may still hold the previous build's page.
    const response = await fetch(url, { cache: 'no-cache' })
    if (!storable(response)) throw new Error(`cannot pre-cache ${url}: HTTP ${response.status}`)
    await cache.put(url, response)
  }))
}

/** Deletes the caches of earlier builds (only ours: other caches of the origin are left alone). */
async function dropOldCaches() {
  const names = await caches.keys()
  await Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME).map((name) => caches.delete(name)))
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE_NAME)
  let response
  try {
    response = await fetch(request)
  } catch (offline) {
    const shell = await cache.match(SHELL_URL)
    if (shell) return shell
    throw offline
  }
  // Only the shell's own address refreshes it: a navigation straight to an icon is not the page.
  if (SHELL_PATHS.includes(new URL(request.url).pathname) && storable(response)) {
    await cache.put(SHELL_URL, response.clone())
  }
  return response
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE_NAME)
  const hit = await cache.match(request)
  if (hit) return hit
  const response = await fetch(request)
  // HTML here is the server's fallback page for a file that is gone (an older build's chunk).
  if (storable(response) && !isHtml(response)) await cache.put(request, response.clone())
  return response
}
