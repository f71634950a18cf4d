// Browser E2E: `llmops serve` + Debian chromium through playwright-core. The dashboard shows the
// system cards, the starter model starts, a chat streams visible text, bad input shows a clear
// error, and stopping leaves no llama-server behind.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import {
  api, freePort, llamaServersWith, outputDir, processAlive, processesNamed, requireFile, startProcess, step, stopProcess,
  tempDataDir, waitFor, STARTER_NAME, TARGET, ROOT, CACHE,
} from './lib.mjs';
import { checkPage, everyPage, pageFixtures } from './pages.mjs';

const out = outputDir('browser');
const STUB = join(ROOT, 'crates/core/tests/fake_engines/openai_stub.py');
const binary = join(TARGET, 'debug/llmops');
const parts = [
  requireFile(binary, 'the llmops binary (cargo build -p llmops-server)'),
  requireFile('/usr/bin/chromium', 'Debian chromium'),
  requireFile(join(CACHE, 'models/SmolLM2-135M-Instruct-Q4_1.gguf'), 'the starter model'),
  requireFile(join(ROOT, 'ui/dist/index.html'), 'the built UI (npm run ui:build)'),
];
if (parts.includes(false)) process.exit(0);

const dataDir = tempDataDir('browser');
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = startProcess(binary, ['serve', '--port', String(port), '--ui-dir', join(ROOT, 'ui/dist')], {
  env: { LLMOPS_DATA_DIR: dataDir },
  logName: 'server.log',
});
let browser;
let page;
try {
  step(`llmops serve on ${base} (data in ${dataDir})`);
  await waitFor('the server to answer /api/health', async () => (await api(base, 'GET', '/health')).status === 200);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
  const consoleErrors = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(base);

  step('dashboard shows CPU, memory and GPU cards');
  await page.getByTestId('cpu-card').waitFor();
  await page.getByTestId('memory-card').waitFor();
  const gpuCard = page.getByTestId('gpu-card');
  await gpuCard.waitFor();
  const status = (await api(base, 'GET', '/system/status')).body;
  if (status.gpu.kind === 'not_detected') {
    await waitFor('the calm no-GPU state', async () => /No NVIDIA GPU detected/.test(await gpuCard.innerText()));
  }
  await waitFor('a CPU usage figure', async () => /\d/.test(await page.getByTestId('cpu-card').innerText()));

  step('the starter model is listed');
  const starter = page.locator(`[data-testid="model-row"][data-model-name="${STARTER_NAME}"]`);
  await starter.waitFor();
  await page.screenshot({ path: join(out, '1-dashboard.png'), fullPage: true });

  step('bad input: a model whose file does not exist gives a clear error and no process');
  await page.getByTestId('add-model-name').fill('Ghost model');
  await page.getByTestId('add-model-path').fill('/nonexistent/ghost.gguf');
  await page.getByTestId('add-model-submit').click();
  const ghost = page.locator('[data-testid="model-row"][data-model-name="Ghost model"]');
  await ghost.waitFor();
  await ghost.getByTestId('start-model').click();
  await waitFor('the missing-file message', async () => /does not exist/.test(await ghost.getByTestId('model-error').innerText()));
  assert.equal((await api(base, 'GET', '/instances')).body.length, 0, 'no instance was created');
  await page.screenshot({ path: join(out, '2-missing-file-error.png'), fullPage: true });

  step('bad input: an extra argument llmops manages itself is refused when adding');
  await page.getByTestId('add-model-name').fill('Port override');
  await page.getByTestId('add-model-path').fill('/models/port-override.gguf');
  await page.getByTestId('add-model-advanced').locator('summary').click();
  await page.getByTestId('setting-extra_args').fill('--port 80');
  await page.getByTestId('add-model-submit').click();
  await waitFor('the bad-argument message', async () => /sets this flag itself/.test(await page.getByTestId('add-model-error').innerText()));
  await page.getByTestId('setting-extra_args').fill('');
  await page.getByTestId('add-model-advanced').locator('summary').click();

  step('Start the starter model: Starting → Running');
  await starter.getByTestId('start-model').click();
  const state = starter.getByTestId('instance-state');
  await waitFor('state running', async () => (await state.getAttribute('data-state')) === 'running', 120_000);
  const [instance] = (await api(base, 'GET', '/instances')).body;
  assert.equal(instance.state.kind, 'running');
  assert.ok(processAlive(instance.pid), 'llama-server runs');
  const seen = await api(base, 'GET', `/instances/${instance.id}/logs?limit=50`);
  assert.ok(seen.body.length > 0, 'engine logs are available');

  step('Logs: search and copy the engine output');
  await starter.getByTestId('toggle-logs').click();
  await waitFor('engine output in the log panel', async () => /llama/i.test(await starter.getByTestId('instance-logs').innerText()));
  await starter.getByTestId('logs-search').fill('listening on');
  await waitFor('the search to narrow the lines', async () => /\d+/.test(await starter.getByTestId('logs-matches').innerText()));
  const shownLog = (await starter.getByTestId('instance-logs').innerText()).trim();
  assert.ok(shownLog.length > 0 && shownLog.split('\n').every((l) => /listening/i.test(l)), `only matching lines: ${shownLog}`);
  await starter.getByTestId('logs-copy').click();
  await starter.getByTestId('logs-copied').waitFor();
  await accessible(page, 'dashboard with a running model and its log open');
  assert.equal((await page.evaluate(() => navigator.clipboard.readText())).trim(), shownLog);
  await starter.getByTestId('toggle-logs').click();

  step('Chat: the answer streams in');
  await page.getByTestId('nav-chat').click();
  const target = page.getByTestId('chat-target');
  await target.waitFor();
  await target.selectOption(`model:${instance.model_id}`);
  // Record every length the answer takes on screen: a streamed answer grows in many steps.
  await page.evaluate(() => {
    window.__answerLengths = new Set();
    new MutationObserver(() => {
      const answers = document.querySelectorAll('[data-testid="chat-message"][data-role="assistant"] [data-testid="markdown"]');
      const last = answers[answers.length - 1];
      if (last) window.__answerLengths.add(last.textContent.length);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByTestId('chat-input').fill('Write three sentences about the sea.');
  await page.getByTestId('chat-send').click();
  const answer = page.locator('[data-testid="chat-message"][data-role="assistant"]').last().getByTestId('markdown');
  // A tiny model sometimes rambles to its context limit: allow for it.
  await page.getByTestId('chat-stats').waitFor({ timeout: 180_000 });
  const text = (await answer.innerText()).trim();
  const steps = await page.evaluate(() => window.__answerLengths.size);
  assert.ok(text.length > 0, 'the assistant answered');
  console.log(`    answer (${text.length} chars, shown in ${steps} growing steps): ${text.slice(0, 120)}`);
  assert.ok(steps >= 3, `the answer streamed in (${steps} steps seen)`);
  await page.screenshot({ path: join(out, '3-chat.png'), fullPage: true });

  await gatewayRequests(page);
  await monitoringPages(page, instance);

  step('Live logs over the WebSocket /api/models/{id}/logs');
  const batch = await page.evaluate((modelId) => new Promise((resolve, reject) => {
    const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/api/models/${modelId}/logs`);
    ws.onmessage = (m) => { ws.close(); resolve(JSON.parse(m.data)); };
    ws.onerror = () => reject(new Error('websocket failed'));
    setTimeout(() => reject(new Error('no log batch within 10 s')), 10_000);
  }), instance.model_id);
  assert.equal(batch.instance_id, instance.id);
  assert.ok(batch.lines.length > 0 && batch.lines.some((l) => /llama|server/i.test(l.text)), 'engine output arrives');

  step('Stop: the process and its port are gone');
  await page.getByTestId('nav-dashboard').click();
  await starter.getByTestId('stop-model').click();
  await waitFor('state stopped', async () => (await state.getAttribute('data-state')) === 'stopped', 30_000);
  await waitFor('llama-server to exit', async () => !processAlive(instance.pid), 5_000);
  assert.equal(llamaServersWith(`--port ${instance.port}`).length, 0);
  await page.screenshot({ path: join(out, '4-stopped.png'), fullPage: true });

  step('Model detail: settings and the instance history with its transitions');
  await starter.getByTestId('model-link').click();
  await page.getByTestId('model-settings').waitFor();
  const past = page.locator(`[data-testid="history-instance"][data-instance-id="${instance.id}"]`);
  await past.waitFor();
  assert.equal(await past.getAttribute('data-state'), 'stopped');
  const states = await past.getByTestId('history-transition').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
  assert.deepEqual(states, ['pending', 'starting', 'running', 'stopping', 'stopped']);
  await page.screenshot({ path: join(out, '4b-model-detail.png'), fullPage: true });

  step('Edit: the context size changes after the model was added, validated like Add');
  const editContext = async (value) => {
    await page.getByTestId('edit-model').click();
    await page.getByTestId('model-edit').waitFor();
    await page.getByTestId('deploy-context').fill(value);
    await page.getByTestId('model-edit-save').click();
  };
  await editContext('10');
  await page.locator('[data-testid="model-edit"] [aria-invalid="true"]').first().waitFor();
  await page.getByTestId('deploy-context').fill('1024');
  await page.getByTestId('model-edit-save').click();
  await page.getByTestId('model-edit-saved').waitFor();
  await page.screenshot({ path: join(out, '4c-model-edited.png'), fullPage: true });
  await page.getByTestId('model-edit-close').click();
  const contextValue = page.locator('[data-testid="setting-value"][data-field="context_size"]');
  await waitFor('the new context size on the page', async () => (await contextValue.innerText()).trim() === '1024', 10_000, 100);
  const models = (await api(base, 'GET', '/models')).body;
  assert.equal(models.find((m) => m.id === instance.model_id).context_size, 1024, 'saved on the server');
  await editContext('2048');
  await page.getByTestId('model-edit-saved').waitFor();
  await page.getByTestId('model-edit-close').click();
  await page.getByTestId('model-detail-back').click();

  await deployPage(page);
  await everyPage(browser, base, { dir: join(out, 'pages'), consoleErrors, ids: await pageFixtures(base) });
  await themeChoice(browser, base);
  await formsTakeYouToTheProblem(browser, base);
  assert.deepEqual(consoleErrors.filter((e) => !/Failed to load resource/.test(e)), [], 'no console errors');
  await missingEngineShowsAClearError(browser);
  await serverGoesAway(browser);
  await gpuCardWithFakeNvml(browser);
  console.log('browser e2e: passed');
} catch (err) {
  if (page) await page.screenshot({ path: join(out, 'failure.png'), fullPage: true }).catch(() => {});
  console.error(`browser e2e: FAILED: ${err.stack || err}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
  await stopProcess(server);
  writeFileSync(join(out, 'server.log'), server.logText());
  const leftovers = llamaServersWith(dataDir).concat(llamaServersWith('SmolLM2'));
  if (leftovers.length && process.exitCode !== 1) {
    console.error(`browser e2e: FAILED: llama-server processes left behind: ${leftovers}`);
    process.exitCode = 1;
  }
}

/**
 * The Deploy page: engine statuses (llama.cpp found, vLLM contract-only), a bad custom template
 * refused next to its field, then a custom engine (a stand-in OpenAI server started from a
 * command template) deployed, Running on its detail page, and stopped.
 */
async function deployPage(page) {
  step('Deploy: engine status, validation, and a custom command deployed and stopped');
  await page.getByTestId('nav-deploy').click();
  await page.getByTestId('deploy-form').waitFor();
  const status = page.getByTestId('deploy-engine-status');
  await waitFor('llama.cpp status', async () => /llama-server/.test(await status.innerText()), 10_000, 100);
  await page.getByTestId('deploy-engine-vllm').check();
  await waitFor('vLLM status', async () => (await page.getByTestId('deploy-engine-verified').getAttribute('data-verified')) === 'false', 10_000, 100);
  await page.getByTestId('deploy-engine-custom').check();
  await page.getByTestId('deploy-name').fill('stub-server');
  await page.getByTestId('deploy-model').fill('stub-weights');
  await page.getByTestId('deploy-command').fill(['python3', STUB, '--port', '{prot}'].join('\n'));
  await page.getByTestId('deploy-health-path').fill('/health');
  await page.getByTestId('deploy-submit').click();
  const fieldError = page.locator('[data-testid="deploy-field-error"]').first();
  await fieldError.waitFor({ timeout: 5_000 });
  assert.match(await fieldError.innerText(), /\{prot\}|placeholder/i, 'the typo is named');
  await page.getByTestId('deploy-command').fill(['python3', STUB, '--port', '{port}', '--served-model-name', '{name}'].join('\n'));
  assert.match(await page.getByTestId('deploy-command-preview').innerText(), /--port.*8080/s);
  await page.getByTestId('deploy-submit').click();
  // A custom command runs a program: Deploy first says exactly what will run, and asks.
  const confirm = page.getByTestId('deploy-confirm');
  await confirm.waitFor({ timeout: 5_000 });
  assert.match(await confirm.innerText(), /python3/, 'the program is named');
  await page.screenshot({ path: join(out, '5a-deploy-confirm.png'), fullPage: true });
  await accessible(page, 'Deploy with its confirmation dialog open');
  await page.getByTestId('deploy-confirm-yes').click();
  await page.getByTestId('model-settings').waitFor({ timeout: 15_000 });
  const state = page.locator('[data-testid="instance-state"]').first();
  await waitFor('the custom engine running', async () => (await state.getAttribute('data-state')) === 'running', 30_000, 200);
  const stubs = processesNamed('python3', STUB);
  assert.equal(stubs.length, 1, 'one stand-in server runs');
  await page.screenshot({ path: join(out, '5-deployed-custom.png'), fullPage: true });
  await page.locator('[data-testid="stop-model"]').first().click();
  await waitFor('stopped', async () => !processAlive(stubs[0]), 15_000, 100);
}

/** A second server whose configured llama-server does not exist: Start says how to fix it. */
async function missingEngineShowsAClearError(browser) {
  step('bad input: a missing engine binary gives a clear error and no process');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const broken = startProcess(binary, ['serve', '--port', String(port), '--ui-dir', join(ROOT, 'ui/dist')], {
    env: { LLMOPS_DATA_DIR: tempDataDir('browser-noengine'), LLMOPS_LLAMA_SERVER: '/nonexistent/llama-server' },
    logName: 'server-noengine.log',
  });
  try {
    await waitFor('the second server', async () => (await api(base, 'GET', '/health')).status === 200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(base);
    const row = page.locator(`[data-testid="model-row"][data-model-name="${STARTER_NAME}"]`);
    await row.getByTestId('start-model').click();
    const error = row.getByTestId('model-error');
    await waitFor('the missing-engine message', async () => /LLMOPS_LLAMA_SERVER/.test(await error.innerText()));
    await page.screenshot({ path: join(out, '5-missing-engine-error.png'), fullPage: true });
    assert.equal((await api(base, 'GET', '/instances')).body.length, 0, 'no instance was created');
    await page.close();
  } finally {
    await stopProcess(broken);
  }
}

/**
 * A chat completion through the OpenAI-compatible `/v1` (the starter model by its stable name, as
 * GET /v1/models lists it) shows up live on the Requests page; its detail has the timeline.
 */
async function gatewayRequests(page) {
  step('Requests: a chat completion through /v1 appears live, with its timeline');
  await page.getByTestId('nav-requests').click();
  await page.getByTestId('request-list').waitFor();
  const listed = await (await fetch(`${base}/v1/models`)).json();
  const model = listed.data.find((m) => m.llmops?.display_name === STARTER_NAME)?.id ?? listed.data[0].id;
  const answer = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer any-key-on-loopback' },
    body: JSON.stringify({ model, stream: true, max_tokens: 24, messages: [{ role: 'user', content: 'Name a colour.' }] }),
  });
  assert.equal(answer.status, 200, `the /v1 chat completion: ${answer.status}`);
  await answer.text();
  const row = page.locator('[data-testid="request-row"][data-outcome="ok"]').first();
  await row.waitFor({ timeout: 15_000 });
  assert.equal((await row.getByTestId('request-model').innerText()).trim(), model);
  assert.match(await row.getByTestId('request-ttft').innerText(), /\d/, 'its TTFT is shown');
  await row.getByTestId('request-open').click();
  const detail = page.getByTestId('request-detail');
  await detail.waitFor();
  assert.ok((await detail.getByTestId('timeline-segment').count()) >= 1, 'the timeline has its phases');
  assert.match(await detail.getByTestId('timeline-mark-first_token').innerText(), /\d/);
  await page.screenshot({ path: join(out, '3a-request-detail.png'), fullPage: true });
  await accessible(page, 'Requests with a request’s detail open');
  await page.getByTestId('request-detail-close').click();
  await detail.waitFor({ state: 'detached' });
}

/** History charts render from real samples; an alert rule edited in the UI raises and clears. */
async function monitoringPages(page, instance) {
  step('History: charts of the last 15 minutes, including the running model');
  await page.getByTestId('nav-history').click();
  await page.locator('[data-testid="history-range"][data-range="15m"]').click();
  await page.locator('[data-testid="history-chart"][data-series="cpu.usage_percent"]').waitFor({ timeout: 15_000 });
  await page.locator(`[data-testid="history-chart"][data-series="model.${instance.model_id}.rss_bytes"]`).waitFor({ timeout: 15_000 });
  await page.screenshot({ path: join(out, '3b-history.png'), fullPage: true });

  step('Alerts: a rule lowered in the UI raises an alert; restoring it clears the alert');
  await page.getByTestId('nav-alerts').click();
  await page.getByTestId('alert-rules-form').waitFor();
  await page.getByTestId('rule-host_memory_percent-raise').fill('1');
  await page.getByTestId('rule-host_memory_percent-clear').fill('0.5');
  await page.getByTestId('rules-save').click();
  const active = page.locator('[data-testid="alert-item"][data-kind="host_memory"][data-state="active"]');
  await active.first().waitFor({ timeout: 15_000 });
  await waitFor('the alert badge', async () => Number((await page.getByTestId('alerts-badge').innerText()).trim()) >= 1);
  await page.screenshot({ path: join(out, '3c-alert-raised.png'), fullPage: true });
  await page.getByTestId('rule-host_memory_percent-raise').fill('90');
  await page.getByTestId('rule-host_memory_percent-clear').fill('85');
  await page.getByTestId('rules-save').click();
  await page.locator('[data-testid="alert-item"][data-kind="host_memory"][data-state="cleared"]').first().waitFor({ timeout: 15_000 });
  assert.equal(await active.count(), 0, 'the alert cleared');
}

/**
 * The GPU card against the fake two-GPU libnvidia-ml the Rust tests build (no GPU here): every
 * GPU listed, "n/a" where the board has no fan, and a compute process listed as "other".
 */
async function gpuCardWithFakeNvml(browser) {
  step('GPU card with two (fake NVML) GPUs: readings, n/a and processes');
  const dir = tempDataDir('fake-nvml');
  const lib = join(dir, 'libnvidia-ml.so.1');
  execFileSync('cc', ['-shared', '-fPIC', '-o', lib, join(ROOT, 'crates/core/tests/fake_nvml/fake_nvml.c')]);
  writeFileSync(join(dir, 'fake_nvml_processes'), '0 1 256\n');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const gpuServer = startProcess(binary, ['serve', '--port', String(port), '--ui-dir', join(ROOT, 'ui/dist')], {
    env: { LLMOPS_DATA_DIR: join(dir, 'data'), LLMOPS_NVML_LIB: lib },
    logName: 'server-fake-nvml.log',
  });
  try {
    await waitFor('the GPU server', async () => (await api(base, 'GET', '/health')).status === 200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(base);
    await waitFor('two GPUs', async () => (await page.getByTestId('gpu-item').count()) === 2);
    const first = page.locator('[data-testid="gpu-item"][data-gpu-index="0"]');
    await waitFor('GPU 0 temperature', async () => /45\s*°C/.test(await first.getByTestId('gpu-temp').innerText()));
    assert.match(await first.getByTestId('gpu-temp').innerText(), /n\/a/, 'GPU 0 has no fan: n/a');
    assert.match(await first.innerText(), /Fake H100 #0/);
    const other = first.locator('[data-testid="gpu-process"][data-pid="1"]');
    await other.waitFor();
    assert.match(await other.innerText(), /other/i);
    await page.screenshot({ path: join(out, '6-fake-gpus.png'), fullPage: true });
    await page.close();
  } finally {
    await stopProcess(gpuServer);
  }
}

/**
 * The colour theme follows the system by default, live; a choice of Light or Dark overrides it
 * and survives a reload, like the language.
 */
async function themeChoice(browser, base) {
  step('Theme: follows the system live; Light/Dark override it and persist');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
  const page = await context.newPage();
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  try {
    await page.goto(base);
    await page.getByTestId('cpu-usage').waitFor();
    assert.equal(await theme(), 'dark');
    assert.equal(await page.getByTestId('theme-select').inputValue(), 'system');
    const dark = await background();
    await page.emulateMedia({ colorScheme: 'light' });
    await waitFor('the light theme, without a reload', async () => (await theme()) === 'light', 5_000, 50);
    assert.notEqual(await background(), dark, 'the colours change with the theme');
    await page.getByTestId('theme-select').selectOption('dark');
    assert.equal(await theme(), 'dark', 'Dark wins over a light system');
    await page.reload();
    await page.getByTestId('cpu-usage').waitFor();
    assert.equal(await theme(), 'dark', 'the choice persists across a reload');
    assert.equal(await page.getByTestId('theme-select').inputValue(), 'dark');
    await page.getByTestId('theme-select').selectOption('system');
    assert.equal(await theme(), 'light', 'System follows the system again');
  } finally {
    await context.close();
  }
}

/** An invalid form takes the user to its first wrong field (a phone: it is far above the button). */
async function formsTakeYouToTheProblem(browser, base) {
  step('Invalid forms scroll to and focus their first wrong field (Add model, alert rules), on a phone');
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
  const inView = (testid) => page.getByTestId(testid).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  });
  try {
    await page.goto(base);
    await page.getByTestId('add-model-submit').scrollIntoViewIfNeeded();
    await page.getByTestId('add-model-submit').click();
    await waitFor('the name field focused', async () => (await focused()) === 'add-model-name', 5_000, 50);
    assert.equal(await page.getByTestId('add-model-name').getAttribute('aria-invalid'), 'true');
    await waitFor('the name field in view', () => inView('add-model-name'), 5_000, 50);
    await page.getByTestId('add-model-name').fill('Port typo');
    await page.getByTestId('add-model-path').fill('/models/port-typo.gguf');
    await page.getByTestId('add-model-port').fill('80');
    await page.getByTestId('add-model-submit').click();
    await waitFor('the port field focused', async () => (await focused()) === 'add-model-port', 5_000, 50);
    assert.match(await page.getByTestId('add-model-error').innerText(), /1024/);

    await page.getByTestId('nav-alerts').click();
    await page.getByTestId('rule-host_memory_percent-raise').waitFor();
    await page.getByTestId('rule-host_memory_percent-raise').fill('50');
    await page.getByTestId('rule-host_memory_percent-clear').fill('60');
    await page.getByTestId('rules-save').scrollIntoViewIfNeeded();
    await page.getByTestId('rules-save').click();
    await waitFor('the wrong threshold focused', async () => /rule-host_memory_percent-(raise|clear)/.test(await focused() ?? ''), 5_000, 50);
    await page.screenshot({ path: join(out, '7-rules-invalid-focused.png') });
  } finally {
    await context.close();
  }
}

/**
 * The server goes away under an open dashboard: a banner says since when the figures are stale and
 * that it retries, and the figures dim; a page whose code was never loaded says it cannot open
 * instead of doing nothing. When the server is back, Try again opens it and the banner goes.
 */
async function serverGoesAway(browser) {
  step('The server goes away: a stale banner with the time, dimmed figures, and a page that cannot load says so');
  const dataDir = tempDataDir('browser-away');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const serve = (logName) => startProcess(binary, ['serve', '--port', String(port), '--ui-dir', join(ROOT, 'ui/dist')], {
    env: { LLMOPS_DATA_DIR: dataDir },
    logName,
  });
  let away = serve('server-away.log');
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await waitFor('the server', async () => (await api(base, 'GET', '/health')).status === 200);
    await page.goto(base);
    await page.getByTestId('cpu-usage').waitFor();
    await page.getByTestId('connection-state').locator('text=/Live/').waitFor();
    assert.equal(await page.getByTestId('stale-banner').count(), 0, 'no banner while the server answers');
    await stopProcess(away);
    const banner = page.getByTestId('stale-banner');
    await banner.waitFor({ timeout: 15_000 });
    assert.match(await banner.innerText(), /Can’t reach the llmops server since \d{2}:\d{2} — the numbers below are stale\.[\s\S]*Retrying/);
    assert.equal(await page.locator('.dashboard').getAttribute('data-stale'), 'true', 'the figures are marked stale');
    const dimmed = await page.getByTestId('cpu-usage').evaluate((el) => getComputedStyle(el).color);
    const muted = await page.evaluate(() => {
      const probe = document.body.appendChild(document.createElement('span'));
      probe.style.color = 'var(--muted)';
      const colour = getComputedStyle(probe).color;
      probe.remove();
      return colour;
    });
    assert.equal(dimmed, muted, 'the stale CPU figure is dimmed to the muted colour');
    await page.screenshot({ path: join(out, '8-server-away.png'), fullPage: true });

    // The chat's code was never loaded, and now cannot be: the click must say so.
    await page.getByTestId('nav-chat').click();
    const routeError = page.getByTestId('route-error');
    await routeError.waitFor({ timeout: 10_000 });
    assert.match(await routeError.innerText(), /Couldn’t open Chat/);
    assert.equal(await routeError.getAttribute('data-chunk'), 'true');
    await page.screenshot({ path: join(out, '8b-page-cannot-load.png'), fullPage: true });

    away = serve('server-away-back.log');
    await waitFor('the server back', async () => (await api(base, 'GET', '/health')).status === 200);
    await page.getByTestId('route-error-retry').click();
    await page.locator('.chat-page').waitFor({ timeout: 10_000 });
    assert.equal(await routeError.count(), 0, 'the error goes once the page opens');
    await page.getByTestId('nav-dashboard').click();
    await waitFor('the banner to go once the link is back', async () => (await page.getByTestId('stale-banner').count()) === 0, 20_000, 200);
    assert.equal(await page.locator('.dashboard').getAttribute('data-stale'), 'false');
  } finally {
    await page.close();
    await stopProcess(away);
  }
}

/** axe (WCAG 2 A/AA) and the one-<h1> rule on the page as it is now: states the page pass does not reach. */
async function accessible(page, label) {
  const { problems } = await checkPage(page, { label });
  assert.deepEqual(problems, [], problems.join('\n'));
}
