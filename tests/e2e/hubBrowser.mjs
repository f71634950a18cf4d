// The model hub in the browser (Debian chromium + playwright-core) against a local server that
// speaks the Hugging Face API (fakeHub.mjs): search, pick a quant, check its fit, download with
// visible progress, pause, resume, deploy from the download (the Deploy form pre-filled), chat
// with the deployed model, and find it under "On this computer".
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { startFakeHub } from './fakeHub.mjs';
import { checkPage } from './pages.mjs';
import {
  api, freePort, outputDir, requireFile, startProcess, step, stopProcess, tempDataDir, waitFor, TARGET, ROOT, CACHE,
} from './lib.mjs';
import { writeFileSync } from 'node:fs';

const out = outputDir('hub-browser');
const binary = join(TARGET, 'debug/llmops');
const starter = join(CACHE, 'models/SmolLM2-135M-Instruct-Q4_1.gguf');
const parts = [
  requireFile(binary, 'the llmops binary (cargo build -p llmops-server)'),
  requireFile('/usr/bin/chromium', 'Debian chromium'),
  requireFile(starter, 'the starter model'),
  requireFile(join(ROOT, 'ui/dist/index.html'), 'the built UI (npm run ui:build)'),
];
if (parts.includes(false)) process.exit(0);

const REPO = 'HuggingFaceTB/SmolLM2-135M-Instruct-GGUF';
const hub = await startFakeHub({
  repos: [
    { id: REPO, downloads: 12000, license: 'apache-2.0', files: [{ path: 'smollm2-135m-instruct-q4_1.gguf', file: starter }, { path: 'README.md', bytes: Buffer.from('# card\n') }] },
    { id: 'someone/SmolLM2-other-GGUF', downloads: 10, files: [] },
  ],
});
const root = tempDataDir('hub-browser');
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = startProcess(binary, ['serve', '--port', String(port), '--ui-dir', join(ROOT, 'ui/dist')], {
  env: {
    LLMOPS_DATA_DIR: join(root, 'data'), LLMOPS_TOOLS_HOME: join(root, 'home'), LLMOPS_NVML_LIB: '/nonexistent/libnvidia-ml.so.1',
    HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: join(root, 'hf'), HF_TOKEN: '', HF_HOME: '', XDG_CACHE_HOME: '',
    OLLAMA_MODELS: '', MODELSCOPE_CACHE: '', LLMOPS_HUB_WATCH_SECS: '1',
  },
  logName: 'server.log',
});
let browser;
try {
  await waitFor('the server', async () => (await api(base, 'GET', '/health')).status === 200);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  await page.goto(`${base}/#/hub`);

  step('search the hub and open a repository');
  await page.getByTestId('hub-search-input').fill('SmolLM2');
  const result = page.locator(`[data-testid="hub-result"][data-repo="${REPO}"]`);
  await result.waitFor();
  assert.equal(await page.getByTestId('hub-result').count(), 2);
  await result.click();
  const quant = page.locator('[data-testid="quant-row"][data-quant="Q4_1"][data-projector="false"]');
  await quant.waitFor();
  assert.match(await page.getByTestId('hub-repo-license').innerText(), /apache-2.0/);

  step('check the fit before downloading (the header over HTTP Range)');
  await quant.getByTestId('quant-fit').click();
  const verdict = quant.getByTestId('fit-verdict');
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute('data-verdict'), 'cpu');
  await page.screenshot({ path: join(out, '1-find-and-fit.png'), fullPage: true });

  step('download with visible progress; pause and resume');
  hub.fault = { bytesPerSecond: 6 << 20 };
  await quant.getByTestId('quant-download').click();
  await page.getByTestId('hub-tab-downloads').click();
  const row = page.locator(`[data-testid="download-row"][data-repo="${REPO}"]`);
  await row.waitFor();
  const progress = row.getByTestId('download-progress');
  await waitFor('progress shown', async () => Number(await progress.getAttribute('aria-valuenow')) > 3, 60_000, 100);
  await row.getByTestId('download-rate').waitFor();
  await page.screenshot({ path: join(out, '2-downloading.png'), fullPage: true });
  await row.getByTestId('download-pause').click();
  await waitFor('paused', async () => (await row.getAttribute('data-state')) === 'paused', 10_000, 100);
  const pausedAt = Number(await progress.getAttribute('aria-valuenow'));
  await page.screenshot({ path: join(out, '3-paused.png'), fullPage: true });
  hub.fault = null;
  await row.getByTestId('download-resume').click();
  await waitFor('completed', async () => (await row.getAttribute('data-state')) === 'completed', 120_000, 100);
  assert.ok(pausedAt > 0 && pausedAt < 100, `paused at ${pausedAt} %`);
  // The fit read the header with `bytes=0-…`; the resume asks for the rest from where it paused.
  const resumed = hub.log.filter((r) => r.host === 'cdn' && /^bytes=[1-9]\d*-$/.test(r.range ?? ''));
  assert.equal(resumed.length, 1, `the resume asked for the rest with Range: ${JSON.stringify(hub.log.filter((r) => r.host === 'cdn'))}`);
  const { problems } = await checkPage(page, { label: 'hub downloads' });
  assert.deepEqual(problems, []);

  step('deploy the download: the Deploy form comes pre-filled');
  await row.getByTestId('download-deploy').click();
  await page.getByTestId('deploy-prefilled').waitFor();
  await page.getByTestId('deploy-submit').click();
  if (await page.getByTestId('deploy-confirm').isVisible().catch(() => false)) await page.getByTestId('deploy-confirm-yes').click();
  const deployed = await waitFor('the model deployed and running', async () => {
    const instances = (await api(base, 'GET', '/instances')).body;
    return instances.find((i) => i.state.kind === 'running');
  }, 120_000, 200);
  const models = (await api(base, 'GET', '/models')).body;
  const model = models.find((m) => m.id === deployed.model_id);
  assert.ok(model.path.includes(`models--${REPO.replace('/', '--')}/snapshots/`), model.path);

  step('chat with the deployed model');
  // A tiny model sometimes rambles to its context limit: a default answer length bounds the wait.
  const defaults = await api(base, 'PUT', '/chat/defaults', { global: { max_tokens: 48, stop: [] }, models: {} });
  assert.equal(defaults.status, 200, JSON.stringify(defaults.body));
  await page.goto(`${base}/#/chat`);
  const target = page.getByTestId('chat-target');
  await target.waitFor();
  await target.selectOption(`model:${model.id}`);
  await page.getByTestId('chat-input').fill('Say hello.');
  await page.getByTestId('chat-send').click();
  const answer = page.locator('[data-testid="chat-message"][data-role="assistant"]').last();
  await waitFor('a finished answer', async () => (await answer.getAttribute('data-status')) === 'complete', 120_000, 200);
  assert.ok((await answer.getByTestId('markdown').innerText()).trim().length > 0);
  await page.screenshot({ path: join(out, '4-chat.png'), fullPage: true });

  step('the download is under "On this computer", used by the deployed model');
  await page.goto(`${base}/#/hub?tab=local`);
  const local = page.locator(`[data-testid="local-model-row"][data-path="${model.path}"]`);
  await local.waitFor({ timeout: 30_000 });
  assert.equal(await local.getAttribute('data-source'), 'hugging_face');
  await page.screenshot({ path: join(out, '5-local.png'), fullPage: true });
  await api(base, 'POST', `/models/${model.id}/stop`);
  assert.deepEqual(pageErrors, [], 'no page errors');
} finally {
  await browser?.close();
  await stopProcess(server);
  writeFileSync(join(out, 'server.log'), server.logText());
  await hub.close();
}
console.log('hub browser: all checks passed');
