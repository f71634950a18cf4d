// The dashboard as an installable app (`llmops serve` + Debian chromium through playwright-core):
// the manifest is linked, served and complete, its icons are PNGs of the sizes it declares, the
// service worker controls the page, Chrome finds the app installable, Cache Storage holds the
// app shell and never API data, and with the server gone a reload still shows the shell while
// the data visibly fails to load. Phone-sized screenshots go to test-output/pwa.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { checkPage } from './pages.mjs';
import {
  api, freePort, outputDir, requireFile, startProcess, step, stopProcess, tempDataDir, waitFor, TARGET, ROOT,
} from './lib.mjs';

const out = outputDir('pwa');
const binary = join(TARGET, 'debug/llmops');
const dist = join(ROOT, 'ui/dist');
const parts = [
  requireFile(binary, 'the llmops binary (cargo build -p llmops-server)'),
  requireFile('/usr/bin/chromium', 'Debian chromium'),
  requireFile(join(dist, 'index.html'), 'the built UI (npm run ui:build)'),
  requireFile(join(dist, 'sw.js'), 'the built service worker (npm run ui:build)'),
];
if (parts.includes(false)) process.exit(0);

const PHONE = { width: 390, height: 844 };
/** Paths whose answers are data or the login: never in Cache Storage. */
const PRIVATE_URL = /\/api\/|\/v1\/|\/metrics|\/login/;
/** Pages that load data from the API, by their navigation link, and what shows they loaded. */
const DATA_PAGES = [
  ['nav-runs', '[data-testid="run-filter-model"]'],
  ['nav-requests', '[data-testid="request-row"], [data-testid="requests-empty"]'],
  ['nav-history', '[data-testid="history-chart"]'],
  ['nav-alerts', '[data-testid="alert-rules-form"] input'],
  ['nav-dashboard', '[data-testid="cpu-card"]'],
];
const LOAD_ERRORS = '[data-testid="models-load-error"], [data-testid="system-error"], [data-testid="stale-banner"]';
/** A model the dashboard lists while the server runs (its file need not exist to be listed). */
const MODEL_NAME = 'PWA listed model';

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = startProcess(binary, ['serve', '--port', String(port), '--ui-dir', dist], {
  env: { LLMOPS_DATA_DIR: tempDataDir('pwa') },
  logName: 'server.log',
});
let context;
let page;
const started = Date.now();
try {
  step(`llmops serve on ${base}`);
  await waitFor('the server to answer /api/health', async () => (await api(base, 'GET', '/health')).status === 200);
  const added = await api(base, 'POST', '/models', { name: MODEL_NAME, path: '/nonexistent/pwa-listed.gguf' });
  assert.ok(added.status < 300, `the model is added: ${JSON.stringify(added.body)}`);
  const manifest = await checkManifest();

  // A persistent profile: Chrome never offers to install from an incognito one, and a plain
  // browser.newContext() is one.
  context = await chromium.launchPersistentContext(tempDataDir('pwa-profile'), {
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    colorScheme: 'dark',
  });
  page = context.pages()[0] ?? (await context.newPage());
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(base);
  await page.getByTestId('nav-dashboard').waitFor();

  await checkHead(manifest);
  await checkWorker();
  await checkInstallable();
  await checkCacheStorage();
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  await checkPhone('online');
  await checkOffline();
  console.log(`pwa e2e: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (err) {
  if (page) await page.screenshot({ path: join(out, 'failure.png'), fullPage: true }).catch(() => {});
  console.error(`pwa e2e: FAILED: ${err.stack || err}`);
  process.exitCode = 1;
} finally {
  await context?.close().catch(() => {});
  await stopProcess(server);
  writeFileSync(join(out, server.logName), server.logText());
}

/** The manifest as served: JSON with the app's identity, and icons that are what they claim. */
async function checkManifest() {
  step('the manifest is served as JSON with name, scope, display, colours and icons');
  const response = await fetch(`${base}/manifest.webmanifest`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /json/);
  const manifest = JSON.parse(await response.text());
  assert.equal(manifest.name, 'LLM Local Ops Center');
  assert.equal(manifest.short_name, 'llmops');
  assert.ok(manifest.description?.length > 0, 'a description');
  for (const field of ['id', 'start_url', 'scope']) assert.equal(manifest[field], '/', field);
  assert.equal(manifest.display, 'standalone');
  for (const field of ['theme_color', 'background_color']) assert.match(manifest[field], /^#[0-9a-f]{6}$/i, field);
  for (const icon of manifest.icons) {
    assert.equal(icon.type, 'image/png', icon.src);
    const { width, height } = await fetchPng(icon.src);
    assert.equal(`${width}x${height}`, icon.sizes, `${icon.src} is as large as declared`);
  }
  const kinds = manifest.icons.map((icon) => `${icon.sizes} ${icon.purpose ?? 'any'}`);
  for (const kind of ['192x192 any', '512x512 any', '512x512 maskable']) assert.ok(kinds.includes(kind), `an icon ${kind}: ${kinds}`);
  return manifest;
}

/** Fetches a PNG from the server and answers its size, read from its IHDR chunk. */
async function fetchPng(path) {
  const response = await fetch(new URL(path, base));
  assert.equal(response.status, 200, path);
  assert.equal(response.headers.get('content-type'), 'image/png', path);
  const bytes = Buffer.from(await response.arrayBuffer());
  assert.equal(bytes.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', `${path} is a PNG`);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The page's head links the manifest (with credentials), the icons, and theme colours that are the app's. */
async function checkHead(manifest) {
  step('the page links the manifest with credentials, a theme colour, an icon and an Apple touch icon');
  const head = await page.evaluate(() => {
    const link = (rel) => document.querySelector(`link[rel="${rel}"]`);
    const colour = (el) => getComputedStyle(el).backgroundColor;
    return {
      manifest: link('manifest')?.href,
      credentials: link('manifest')?.getAttribute('crossorigin'),
      icon: link('icon')?.href,
      appleTouchIcon: link('apple-touch-icon')?.href,
      themeColours: [...document.querySelectorAll('meta[name="theme-color"]')].map((m) => m.content),
      header: colour(document.querySelector('.app-header')),
      body: colour(document.body),
    };
  });
  assert.equal(head.manifest, `${base}/manifest.webmanifest`);
  assert.equal(head.credentials, 'use-credentials', 'on the LAN the manifest needs the login cookie');
  assert.ok(head.themeColours.includes(manifest.theme_color), `theme-color ${head.themeColours} has ${manifest.theme_color}`);
  await fetchPng(head.icon);
  const touch = await fetchPng(head.appleTouchIcon);
  assert.equal(touch.width, 180, 'the Apple touch icon is 180 px');
  // The installed window's title bar continues the header; its splash screen is the page's background.
  assert.equal(head.header, rgb(manifest.theme_color), 'theme_color is the dark header');
  assert.equal(head.body, rgb(manifest.background_color), 'background_color is the dark page');
}

/** #rrggbb as getComputedStyle writes it. */
function rgb(hex) {
  return `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
}

/** The worker registers for the whole origin, controls the page after a reload, and serves the assets. */
async function checkWorker() {
  step('the service worker registers, then controls the page after a reload and serves its assets');
  const scope = await waitFor('an active service worker', () => page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    return registration?.active?.state === 'activated' ? registration.scope : null;
  }), 15_000, 100);
  assert.equal(scope, `${base}/`);
  const answered = [];
  const onResponse = (r) => answered.push({ path: new URL(r.url()).pathname, worker: r.fromServiceWorker() });
  page.on('response', onResponse);
  await page.reload();
  await page.getByTestId('nav-dashboard').waitFor();
  await page.locator(LOAD_ERRORS).or(page.getByTestId('cpu-card')).first().waitFor();
  page.off('response', onResponse);
  assert.equal(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL), `${base}/sw.js`);
  const fromWorker = answered.filter((a) => a.worker).map((a) => a.path);
  assert.ok(fromWorker.some((p) => p.startsWith('/assets/')), `the worker served the assets: ${fromWorker}`);
  assert.deepEqual(fromWorker.filter((p) => PRIVATE_URL.test(p)), [], 'the worker served no data');
}

/** Chrome's own installability check, through the DevTools protocol. */
async function checkInstallable() {
  step("Chrome's installability check passes and the manifest parses without errors");
  const cdp = await context.newCDPSession(page);
  const manifest = await cdp.send('Page.getAppManifest');
  assert.equal(manifest.url, `${base}/manifest.webmanifest`);
  assert.deepEqual(manifest.errors, [], 'the manifest parses cleanly');
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  assert.deepEqual(installabilityErrors, [], 'Chrome finds the app installable');
  const { appId } = await cdp.send('Page.getAppId');
  assert.equal(appId, `${base}/`, 'the app id is the origin\'s root');
  await cdp.detach();
}

/** After pages that load data, Cache Storage has the shell (page, assets, manifest, icons) and no data. */
async function checkCacheStorage() {
  step('after pages that call the API, Cache Storage holds the shell and no API, /v1 or /metrics answer');
  const dataCalls = new Set();
  const onRequest = (r) => PRIVATE_URL.test(r.url()) && dataCalls.add(new URL(r.url()).pathname);
  page.on('request', onRequest);
  for (const [link, ready] of DATA_PAGES) {
    await page.getByTestId(link).click();
    await page.locator(ready).first().waitFor();
  }
  // Through the worker's fetch listener too: the gateway and the metrics, which the pages do not call.
  const statuses = await page.evaluate(() => Promise.all(['/api/health', '/v1/models', '/metrics'].map(async (p) => (await fetch(p)).status)));
  page.off('request', onRequest);
  assert.deepEqual(statuses, [200, 200, 200]);
  assert.ok(dataCalls.size >= 5, `the pages called the API: ${[...dataCalls]}`);

  const cached = await cacheStorage();
  const names = Object.keys(cached);
  assert.equal(names.length, 1, `one cache: ${names}`);
  assert.match(names[0], /^llmops-shell-[0-9a-f]{16}$/, 'the cache is named after the build');
  const urls = cached[names[0]];
  for (const path of ['/', '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png', '/icons/maskable-512.png']) {
    assert.ok(urls.includes(`${base}${path}`), `${path} is cached: ${urls}`);
  }
  assert.ok(urls.some((u) => /\/assets\/index-[\w-]+\.js$/.test(u)), 'the entry script is cached');
  assert.ok(urls.some((u) => /\/assets\/RunsPage-[\w-]+\.js$/.test(u)), 'a page loaded on demand is cached once used');
  assert.deepEqual(urls.filter((u) => PRIVATE_URL.test(u)), [], 'no data in the cache');
}

/** Every cache of the origin and the URLs in it. */
function cacheStorage() {
  return page.evaluate(async () => {
    const all = {};
    for (const name of await caches.keys()) all[name] = (await (await caches.open(name)).keys()).map((r) => r.url);
    return all;
  });
}

/** The dashboard at phone size, as an app installed on a phone shows it: no sideways scroll, a screenshot. */
async function checkPhone(label) {
  step(`phone ${PHONE.width}×${PHONE.height} (${label}): no sideways scroll, one <h1>, no serious axe findings`);
  await page.setViewportSize(PHONE);
  const { problems } = await checkPage(page, { label: `phone ${label}`, phone: true, screenshot: join(out, `phone-${label}.png`) });
  assert.deepEqual(problems, []);
}

/** The server stopped: a reload shows the cached shell, and the data fails visibly instead of coming from a cache. */
async function checkOffline() {
  step('offline: with the server stopped, a reload shows the app shell and the data visibly fails');
  const model = page.locator(`[data-testid="model-row"][data-model-name="${MODEL_NAME}"]`);
  await model.waitFor();
  await stopProcess(server);
  await page.reload();
  await page.getByTestId('nav-dashboard').waitFor();
  assert.ok(await page.locator('#app header nav a').count() >= 5, 'the navigation is there');
  await page.locator('#app h1').waitFor();
  await page.locator(LOAD_ERRORS).first().waitFor({ timeout: 15_000 });
  assert.equal(await model.count(), 0, 'the model list does not come from a cache');
  assert.notEqual(await page.getByTestId('connection-state').getAttribute('data-state'), 'open');
  const answer = await page.evaluate(() => fetch('/api/system/status').then((r) => `HTTP ${r.status}`, () => 'failed'));
  assert.equal(answer, 'failed', 'an API call fails rather than answering from a cache');
  await checkPhone('offline');
}
