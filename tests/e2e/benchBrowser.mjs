// Benchmarks in the browser (`llmops serve` + Debian chromium): start a load benchmark against
// the running starter model and watch its progress, open the result, run llama-bench, compare two
// load benchmarks and export the comparison, and cancel a long one.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import {
  api, freePort, outputDir, requireFile, startProcess, step, stopProcess, tempDataDir, waitFor,
  STARTER_NAME, TARGET, ROOT, CACHE,
} from './lib.mjs';

const out = outputDir('bench-browser');
const binary = join(TARGET, 'debug/llmops');
const parts = [
  requireFile(binary, 'the llmops binary (cargo build -p llmops-server)'),
  requireFile('/usr/bin/chromium', 'Debian chromium'),
  requireFile(join(CACHE, 'models/SmolLM2-135M-Instruct-Q4_1.gguf'), 'the starter model'),
  requireFile(join(ROOT, 'ui/dist/index.html'), 'the built UI (npm run ui:build)'),
];
if (parts.includes(false)) process.exit(0);

const dataDir = tempDataDir('bench-browser');
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = startProcess(binary, ['serve', '--port', String(port), '--ui-dir', join(ROOT, 'ui/dist')], {
  env: { LLMOPS_DATA_DIR: dataDir },
  logName: 'server.log',
});
let browser;

/** Fills the new load benchmark form and starts it; answers the new benchmark's id. */
async function startLoad(page, { target, levels, requests, output, seed }) {
  const before = new Set(await page.getByTestId('bench-item').evaluateAll((rows) => rows.map((r) => r.dataset.benchmarkId)));
  await page.getByTestId('bench-target').selectOption(target);
  await page.getByTestId('bench-input-tokens').fill('16');
  await page.getByTestId('bench-output-tokens').fill(String(output));
  await page.getByTestId('bench-levels').fill(levels);
  await page.getByTestId('bench-requests').fill(String(requests));
  await page.getByTestId('bench-warmup').fill('0');
  await page.getByTestId('bench-seed').fill(String(seed));
  await page.getByTestId('bench-start').click();
  return waitFor('the new benchmark in the list', async () => {
    const ids = await page.getByTestId('bench-item').evaluateAll((rows) => rows.map((r) => r.dataset.benchmarkId));
    return ids.find((id) => !before.has(id)) ?? null;
  }, 15_000, 100);
}

const item = (page, id) => page.locator(`[data-testid="bench-item"][data-benchmark-id="${id}"]`);
const stateOf = (page, id) => item(page, id).getAttribute('data-state');

try {
  step(`llmops serve on ${base}; the starter model started through the API`);
  await waitFor('the server', async () => (await api(base, 'GET', '/health')).status === 200);
  const starter = (await api(base, 'GET', '/models')).body.find((m) => m.name === STARTER_NAME);
  const instance = (await api(base, 'POST', `/models/${starter.id}/start`)).body;
  await waitFor('running', async () => (await api(base, 'GET', `/instances/${instance.id}`)).body.state.kind === 'running', 120_000);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${base}/#/benchmarks`);
  await page.getByTestId('benchmarks-page').waitFor();

  step('a load benchmark at concurrency 1 and 2: live progress, then its result');
  const target = `model:${starter.id}`;
  const first = await startLoad(page, { target, levels: '1, 2', requests: 4, output: 24, seed: 1 });
  const running = page.getByTestId('bench-running');
  await running.waitFor({ timeout: 10_000 });
  assert.equal(await running.getAttribute('data-benchmark-id'), first);
  await page.getByTestId('bench-progress').waitFor();
  await waitFor('completed', async () => (await stateOf(page, first)) === 'completed', 180_000, 200);
  await item(page, first).getByTestId('bench-open').click();
  const detail = page.getByTestId('bench-detail');
  await detail.waitFor();
  assert.equal(await detail.getAttribute('data-benchmark-id'), first);
  const levels = detail.getByTestId('bench-level');
  assert.equal(await levels.count(), 2, 'one row per level');
  assert.deepEqual(await levels.evaluateAll((rows) => rows.map((r) => r.dataset.load)), ['concurrency 1', 'concurrency 2']);
  const ttft = Number(await levels.first().getByTestId('bench-ttft-p50').getAttribute('data-value'));
  const throughput = Number(await levels.first().getByTestId('bench-output-throughput').getAttribute('data-value'));
  assert.ok(ttft > 0 && throughput > 0, `TTFT p50 ${ttft} ms, ${throughput} tok/s`);
  console.log(`    concurrency 1: TTFT p50 ${ttft.toFixed(1)} ms, ${throughput.toFixed(1)} output tok/s`);
  // What it measured on, and the machine while it ran.
  assert.match(await detail.getByTestId('bench-env-argv').innerText(), /llama-server .*--port/);
  const rss = detail.locator('[data-testid="bench-resource"][data-key="instanceRss"]');
  assert.ok(Number(await rss.getAttribute('data-max')) > 10_000_000, 'the engine\'s memory was read');
  const recorded = (await api(base, 'GET', `/benchmarks/${first}`)).body;
  assert.equal(recorded.results[0].ttft_ms.p50.toFixed(1), ttft.toFixed(1), 'the page shows what was recorded');
  await detail.getByTestId('bench-tags').fill('baseline, e2e');
  await detail.getByTestId('bench-save').click();
  await waitFor('tags saved', async () => (await api(base, 'GET', `/benchmarks/${first}`)).body.tags.join() === 'baseline,e2e');
  await page.screenshot({ path: join(out, '1-detail.png'), fullPage: true });

  step('llama-bench on the starter model: prompt and generation speed');
  await page.goto(`${base}/#/benchmarks`);
  await page.getByTestId('hw-model').selectOption(starter.id);
  await page.getByTestId('hw-prompt').fill('16');
  await page.getByTestId('hw-generate').fill('4');
  await page.getByTestId('hw-repetitions').fill('1');
  const beforeHardware = (await api(base, 'GET', '/benchmarks')).body.length;
  await page.getByTestId('hw-start').click();
  const hardware = await waitFor('the hardware benchmark', async () => {
    const all = (await api(base, 'GET', '/benchmarks')).body;
    return all.length > beforeHardware ? all[0].id : null;
  }, 15_000, 100);
  await waitFor('llama-bench done', async () => (await stateOf(page, hardware)) === 'completed', 180_000, 200);
  await item(page, hardware).getByTestId('bench-open').click();
  const tests = page.getByTestId('hw-test');
  await tests.first().waitFor();
  assert.deepEqual(await tests.evaluateAll((rows) => rows.map((r) => r.dataset.name)), ['pp16', 'tg4']);

  step('compare two load benchmarks: the settings that differ are marked; export the comparison');
  await page.goto(`${base}/#/benchmarks`);
  const second = await startLoad(page, { target, levels: '1', requests: 2, output: 16, seed: 2 });
  await waitFor('completed', async () => (await stateOf(page, second)) === 'completed', 120_000, 200);
  await item(page, first).getByTestId('bench-select').check();
  await item(page, second).getByTestId('bench-select').check();
  await page.getByTestId('bench-compare').click();
  const comparison = page.getByTestId('bench-comparison');
  await comparison.waitFor();
  const differing = await comparison.getByTestId('bench-diff-row').evaluateAll((rows) => rows.map((r) => r.dataset.field));
  for (const field of ['load', 'requests', 'seed', 'workload']) assert.ok(differing.includes(field), `${field} differs: ${differing}`);
  const [download] = await Promise.all([page.waitForEvent('download'), comparison.getByTestId('bench-export-markdown').click()]);
  const file = join(out, download.suggestedFilename());
  await download.saveAs(file);
  const report = readFileSync(file, 'utf8');
  assert.match(report, /^# Benchmarks/);
  assert.ok(report.includes('concurrency 2') && report.split('\n').filter((l) => l.includes('| concurrency ')).length === 3,
    'three level rows: two of the first, one of the second');
  await page.screenshot({ path: join(out, '2-compare.png'), fullPage: true });

  step('cancel a long benchmark: it stops, marked cancelled');
  await page.goto(`${base}/#/benchmarks`);
  const long = await startLoad(page, { target, levels: '1', requests: 200, output: 64, seed: 3 });
  await page.getByTestId('bench-cancel').click();
  await waitFor('cancelled', async () => (await stateOf(page, long)) === 'cancelled', 30_000, 100);
  const cancelled = (await api(base, 'GET', `/benchmarks/${long}`)).body;
  assert.ok(cancelled.results[0].completed < 200, 'it stopped early');
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  console.log('bench browser e2e: passed');
} catch (err) {
  console.error(`bench browser e2e: FAILED: ${err.stack || err}`);
  process.exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  await stopProcess(server);
  writeFileSync(join(out, server.logName), server.logText());
}
