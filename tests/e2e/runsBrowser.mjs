// Runs and sweeps in the browser (`llmops serve` + Debian chromium): two runs of the starter model
// (one measured by a benchmark) are listed and opened (configuration, rollups, log, requests,
// benchmarks, tags), compared (what differs, overlaid readings) and exported as HTML; a two-point
// sweep of `--parallel` is started from the form, watched, opened (table, Pareto scatter), applied
// to the model and exported.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import {
  api, freePort, outputDir, requireFile, startProcess, step, stopProcess, tempDataDir, waitFor,
  STARTER_NAME, TARGET, ROOT, CACHE,
} from './lib.mjs';

const out = outputDir('runs-browser');
const binary = join(TARGET, 'debug/llmops');
const parts = [
  requireFile(binary, 'the llmops binary (cargo build -p llmops-server)'),
  requireFile('/usr/bin/chromium', 'Debian chromium'),
  requireFile(join(CACHE, 'models/SmolLM2-135M-Instruct-Q4_1.gguf'), 'the starter model'),
  requireFile(join(ROOT, 'ui/dist/index.html'), 'the built UI (npm run ui:build)'),
];
if (parts.includes(false)) process.exit(0);

const dataDir = tempDataDir('runs-browser');
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = startProcess(binary, ['serve', '--port', String(port), '--ui-dir', join(ROOT, 'ui/dist')], {
  env: { LLMOPS_DATA_DIR: dataDir },
  logName: 'server.log',
});
let browser;

/** Starts the model, waits until it runs, and answers the instance (the run's id). */
async function startModel(modelId) {
  const instance = (await api(base, 'POST', `/models/${modelId}/start`)).body;
  await waitFor('running', async () => (await api(base, 'GET', `/instances/${instance.id}`)).body.state.kind === 'running', 120_000);
  return instance;
}

/** Stops the instance and waits until its run has ended. */
async function stopModel(modelId, runId) {
  await api(base, 'POST', `/models/${modelId}/stop`);
  await waitFor('the run ended', async () => (await api(base, 'GET', `/runs/${runId}`)).body.run.ended_at != null, 30_000);
}

/** Clicks an export button and answers the downloaded file's text. */
async function download(page, button, name) {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = join(out, name ?? file.suggestedFilename());
  await file.saveAs(path);
  return readFileSync(path, 'utf8');
}

const runItem = (page, id) => page.locator(`[data-testid="run-item"][data-run-id="${id}"]`);

try {
  step(`llmops serve on ${base}; two runs of the starter model, the first measured by a benchmark`);
  await waitFor('the server', async () => (await api(base, 'GET', '/health')).status === 200);
  const starter = (await api(base, 'GET', '/models')).body.find((m) => m.name === STARTER_NAME);
  const first = await startModel(starter.id);
  const benchmark = (await api(base, 'POST', '/benchmarks', {
    target: { kind: 'model', model_id: starter.id },
    workload: { kind: 'synthetic', input: { mean: 16, spread: 0 }, output: { mean: 8, spread: 0 } },
    load: { kind: 'concurrency', levels: [1] }, requests: 2, warmup_requests: 0, seed: 1, ignore_eos: true,
  })).body;
  await waitFor('the benchmark', async () => (await api(base, 'GET', `/benchmarks/${benchmark.id}`)).body.state === 'completed', 120_000);
  await new Promise((r) => setTimeout(r, 2500)); // a few readings at 1 Hz
  await stopModel(starter.id, first.id);
  const second = await startModel(starter.id);
  await stopModel(starter.id, second.id);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  step('the Runs page lists both; open the measured one');
  await page.goto(`${base}/#/runs`);
  await runItem(page, first.id).waitFor({ timeout: 15_000 });
  await runItem(page, second.id).waitFor();
  assert.equal(await runItem(page, first.id).getAttribute('data-state'), 'stopped');
  await page.goto(`${base}/#/runs/${first.id}`);
  const detail = page.getByTestId('run-detail');
  await detail.waitFor();
  assert.match(await detail.getByTestId('run-config').innerText(), /llama-server/);
  await detail.getByTestId('run-rollup').waitFor();
  await detail.getByTestId('run-chart').first().waitFor();
  await waitFor('the engine log', async () => (await detail.getByTestId('run-log').innerText()).includes('llama'), 15_000, 200);
  await detail.getByTestId('run-requests').waitFor();
  const links = await detail.getByTestId('run-benchmarks').locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(links.some((href) => href.includes(benchmark.id)), `the benchmark is linked: ${links}`);
  await detail.getByTestId('run-tags').fill('baseline, e2e');
  await detail.getByTestId('run-save').click();
  await waitFor('tags saved', async () => (await api(base, 'GET', `/runs/${first.id}`)).body.run.tags.join() === 'baseline,e2e');
  await page.screenshot({ path: join(out, '1-run.png'), fullPage: true });

  step('compare the two runs: what differs, readings overlaid; export the comparison as HTML');
  await page.goto(`${base}/#/runs`);
  await runItem(page, first.id).getByTestId('run-select').check();
  await runItem(page, second.id).getByTestId('run-select').check();
  await page.getByTestId('run-compare').click();
  const compare = page.getByTestId('run-compare-view');
  await compare.waitFor();
  assert.match(await compare.getByTestId('run-diff').innerText(), /--port/, 'their ports differ');
  await compare.getByTestId('run-compare-chart').first().waitFor();
  const html = await download(page, compare.getByTestId('run-compare-export-html'));
  assert.match(html, /^<!DOCTYPE html>/);
  assert.ok(html.includes('Runs compared') && html.includes('<svg'), 'a self-contained report with charts');
  await page.screenshot({ path: join(out, '2-compare.png'), fullPage: true });

  step('a sweep of --parallel 1 and 2 from the form: watched, opened, applied, exported');
  await page.goto(`${base}/#/sweeps`);
  const form = page.getByTestId('sweep-form');
  await form.waitFor();
  await page.getByTestId('sweep-model').selectOption(starter.id);
  await page.getByTestId('sweep-label').fill('e2e parallel');
  await page.getByTestId('sweep-axis-parallel').check();
  await page.getByTestId('sweep-values-parallel').fill('1, 2');
  await page.getByTestId('sweep-input-tokens').fill('16');
  await page.getByTestId('sweep-output-tokens').fill('8');
  await page.getByTestId('sweep-levels').fill('2');
  await page.getByTestId('sweep-requests').fill('4');
  await page.getByTestId('sweep-warmup').fill('0');
  await page.getByTestId('sweep-max-configs').fill('4');
  const before = new Set((await api(base, 'GET', '/sweeps')).body.map((s) => s.id));
  await page.getByTestId('sweep-start').click();
  const sweepId = await waitFor('the new sweep', async () => (await api(base, 'GET', '/sweeps')).body.map((s) => s.id).find((id) => !before.has(id)) ?? null, 15_000, 100);
  await page.getByTestId('sweep-running').waitFor({ timeout: 15_000 });
  const sweepItem = page.locator(`[data-testid="sweep-item"][data-sweep-id="${sweepId}"]`);
  await waitFor('the sweep completed', async () => (await sweepItem.getAttribute('data-state')) === 'completed', 300_000, 250);
  await page.goto(`${base}/#/sweeps/${sweepId}`);
  const sweepDetail = page.getByTestId('sweep-detail');
  await sweepDetail.waitFor();
  const rows = sweepDetail.getByTestId('sweep-config');
  assert.equal(await rows.count(), 2);
  assert.deepEqual(await rows.evaluateAll((r) => r.map((row) => row.dataset.outcome)), ['completed', 'completed']);
  assert.equal(await sweepDetail.locator('[data-testid="sweep-config"][data-best="true"]').count(), 1);
  assert.ok(await sweepDetail.locator('[data-testid="sweep-config"][data-pareto="true"]').count() >= 1);
  await sweepDetail.getByTestId('sweep-scatter').locator('svg, circle').first().waitFor();
  const recorded = (await api(base, 'GET', `/sweeps/${sweepId}`)).body;
  const best = recorded.configs[recorded.best];
  await sweepDetail.getByTestId('sweep-apply').click();
  await sweepDetail.getByTestId('sweep-applied').waitFor({ timeout: 15_000 });
  const model = (await api(base, 'GET', `/models/${starter.id}`)).body.model;
  assert.equal(model.settings.parallel, best.values.parallel, 'the best configuration is in the model');
  await waitFor('the promotion listed', async () => (await sweepDetail.getByTestId('sweep-promotions').innerText()).includes('e2e parallel'), 10_000, 200);
  const report = await download(page, sweepDetail.getByTestId('sweep-export-html'));
  assert.ok(report.includes('Pareto front') && report.includes('<svg'), 'the report has the scatter');
  await page.screenshot({ path: join(out, '3-sweep.png'), fullPage: true });
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  console.log('runs browser e2e: passed');
} catch (err) {
  console.error(`runs browser e2e: FAILED: ${err.stack || err}`);
  process.exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  await stopProcess(server);
  writeFileSync(join(out, server.logName), server.logText());
}
