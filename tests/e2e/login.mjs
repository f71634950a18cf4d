// Browser E2E for access control: `llmops serve --host 0.0.0.0` reached over this machine's LAN
// address, as a phone would. A browser without a session gets the login page; a wrong token is
// refused with a message; the login link (token in the URL fragment) opens the dashboard with an
// HttpOnly, SameSite=Strict session; logging out ends it. A page from another origin cannot open
// the event WebSocket or start a model (cross-site WebSocket hijacking and CSRF), while the
// dashboard's own page can.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { freePort, outputDir, requireFile, startProcess, step, stopProcess, tempDataDir, waitFor, ROOT, TARGET } from './lib.mjs';

const out = outputDir('login');
const binary = join(TARGET, 'debug/llmops');
const parts = [
  requireFile(binary, 'the llmops binary (cargo build -p llmops-server)'),
  requireFile('/usr/bin/chromium', 'Debian chromium'),
  requireFile(join(ROOT, 'ui/dist/index.html'), 'the built UI (npm run ui:build)'),
];
if (parts.includes(false)) process.exit(0);

/** This machine's first non-internal IPv4 address: how a phone on the LAN reaches it. */
function lanAddress() {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}
const lan = lanAddress();
if (!lan) {
  const message = 'this machine has no non-loopback IPv4 address to test LAN access with';
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`SKIPPED (not CI): ${message}`);
  process.exit(0);
}

const dataDir = tempDataDir('login');
const port = await freePort();
const base = `http://${lan}:${port}`;
const server = startProcess(binary, ['serve', '--host', '0.0.0.0', '--port', String(port), '--ui-dir', join(ROOT, 'ui/dist')], {
  env: { LLMOPS_DATA_DIR: dataDir },
  logName: 'server.log',
});
// A hostile page on another origin (any site the user visits).
const evilPort = await freePort();
const evil = createServer((_, res) => { res.setHeader('content-type', 'text/html'); res.end('<!doctype html><title>evil</title>'); });
await new Promise((r) => evil.listen(evilPort, '127.0.0.1', r));

let browser;
let page;
try {
  step(`llmops serve --host 0.0.0.0, reached at ${base}`);
  await waitFor('the server to answer', async () => (await fetch(`${base}/api/health`)).status === 401);
  const token = readFileSync(join(dataDir, 'server-token'), 'utf8').trim();

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });

  step('a browser without a session sees the login page, and a wrong token is refused');
  const stranger = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const strangerPage = await stranger.newPage();
  const first = await strangerPage.goto(`${base}/`);
  assert.equal(first.status(), 401);
  await strangerPage.locator('#token').waitFor();
  await strangerPage.fill('#token', 'not-the-token');
  await strangerPage.click('button[type=submit]');
  await waitFor('the refusal message', async () => /not valid/.test(await strangerPage.locator('#error').innerText()));
  assert.equal((await strangerPage.evaluate(async () => (await fetch('/api/models')).status)), 401);
  await strangerPage.screenshot({ path: join(out, '1-login-refused.png') });

  step('the login link opens the dashboard in a second browser context (a phone)');
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  page = await phone.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/login#token=${token}`);
  await page.getByTestId('cpu-card').waitFor({ timeout: 30_000 });
  assert.equal(new URL(page.url()).pathname, '/', 'redirected to the dashboard');
  assert.ok(!page.url().includes(token), 'the token is gone from the address bar');
  const [cookie] = await phone.cookies();
  assert.equal(cookie.name, 'llmops_session');
  assert.equal(cookie.httpOnly, true, 'scripts cannot read the session');
  assert.equal(cookie.sameSite, 'Strict');
  const who = await page.evaluate(async () => (await fetch('/api/auth/whoami')).json());
  assert.deepEqual([who.scope, who.via], ['admin', 'session']);
  // The dashboard's own page may open the event stream.
  const ownSocket = await page.evaluate((url) => new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.onopen = () => { ws.close(); resolve('open'); };
    ws.onerror = () => resolve('refused');
  }), `ws://${lan}:${port}/api/ws`);
  assert.equal(ownSocket, 'open');
  await page.screenshot({ path: join(out, '2-dashboard-after-login.png'), fullPage: true });

  step('the Access page: the login link for this LAN address as a QR code, a key made and used');
  await page.getByTestId('nav-access').click();
  const link = page.getByTestId('access-link-url');
  await link.waitFor();
  const linkText = (await link.inputValue().catch(() => link.innerText())).trim();
  assert.ok(linkText.includes(`${lan}:${port}/login#token=`), 'the link names the LAN address');
  const qrLoaded = await page.getByTestId('access-link-qr').evaluate((img) => img.complete && img.naturalWidth > 0);
  assert.ok(qrLoaded, 'the QR code renders');
  await page.getByTestId('access-key-new-name').fill('grafana');
  await page.getByTestId('access-key-new-scope').selectOption('read');
  await page.getByTestId('access-key-create').click();
  const secretBox = page.getByTestId('access-secret-value');
  await secretBox.waitFor();
  const apiKey = (await secretBox.inputValue().catch(() => secretBox.innerText())).trim();
  assert.ok(apiKey.startsWith('llmops_'), 'the new key is shown once');
  await page.locator('[data-testid="access-key"][data-scope="read"]').waitFor();
  await page.screenshot({ path: join(out, '3-access-page.png'), fullPage: true });
  const withKey = await fetch(`${base}/api/models`, { headers: { authorization: `Bearer ${apiKey}` } });
  assert.equal(withKey.status, 200, 'the key works for a script');
  const stopWithKey = await fetch(`${base}/api/instances/0b6c1d2e-8f7a-4c3b-9d1e-2f3a4b5c6d7e/stop`, {
    method: 'POST', headers: { authorization: `Bearer ${apiKey}` },
  });
  assert.equal(stopWithKey.status, 403, 'a read key cannot stop anything');

  step('a page from another origin, in the same logged-in browser, gets nothing');
  const evilPage = await phone.newPage();
  await evilPage.goto(`http://127.0.0.1:${evilPort}/`);
  const hijack = await evilPage.evaluate((url) => new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.onopen = () => resolve('open');
    ws.onerror = () => resolve('refused');
  }), `ws://${lan}:${port}/api/ws`);
  assert.equal(hijack, 'refused', 'cross-site WebSocket hijacking');
  const models = await page.evaluate(async () => (await fetch('/api/models')).json());
  const model = models[0];
  if (model) {
    await evilPage.evaluate(async ([url]) => {
      await fetch(url, { method: 'POST', mode: 'no-cors', body: 'x', headers: { 'content-type': 'text/plain' } }).catch(() => {});
    }, [`${base}/api/models/${model.id}/start`]);
    const instances = await page.evaluate(async () => (await fetch('/api/instances')).json());
    assert.equal(instances.length, 0, 'the cross-site POST started nothing');
  }

  step('logging out ends the session');
  await page.evaluate(async () => { await fetch('/api/auth/logout', { method: 'POST' }); });
  const after = await page.goto(`${base}/`);
  assert.equal(after.status(), 401);
  await page.locator('#token').waitFor();
  assert.deepEqual(errors, [], 'no page errors');
  console.log('login E2E passed');
} catch (err) {
  if (page) await page.screenshot({ path: join(out, 'failure.png'), fullPage: true }).catch(() => {});
  console.error(server.logText().slice(-4000));
  throw err;
} finally {
  if (browser) await browser.close();
  evil.close();
  await stopProcess(server);
}
