// Desktop smoke: the real Tauri window under a display (xvfb-run in CI), driven through
// tauri-driver + WebKitWebDriver with plain W3C WebDriver calls. The window opens, the dashboard
// lists the starter model, a model starts and a chat streams over the Tauri channel, and closing
// the app stops the model. Screenshots go to test-output/desktop/.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';

import {
  CACHE, TARGET, STARTER_NAME, desktopAppsOn, freePort, llamaServersWith, outputDir, processAlive, requireFile, sleep,
  startProcess, step, stopProcess, tempDataDir, waitFor,
} from './lib.mjs';
import { webDriverClient } from './webdriver.mjs';

const out = outputDir('desktop');
const app = join(TARGET, 'debug/llmops-desktop');
const tauriDriver = process.env.TAURI_DRIVER || join(CACHE, 'tools/tauri-driver-2.0.4/bin/tauri-driver');
const parts = [
  requireFile(app, 'the desktop app (cargo build -p llmops-desktop --features custom-protocol)'),
  requireFile(tauriDriver, 'tauri-driver'),
  requireFile('/usr/bin/WebKitWebDriver', 'WebKitWebDriver (Debian webkit2gtk-driver)'),
];
if (parts.includes(false)) process.exit(0);
if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  throw new Error('no display: run this test under xvfb-run (npm test does)');
}

const dataDir = tempDataDir('desktop');
// The export goes to the Downloads folder that the XDG user dirs name: a temporary one, never the
// user's own.
const xdgConfig = tempDataDir('desktop-xdg');
const downloads = join(xdgConfig, 'Downloads');
mkdirSync(downloads);
writeFileSync(join(xdgConfig, 'user-dirs.dirs'), `XDG_DOWNLOAD_DIR="${downloads}"\n`);
const port = await freePort();
const nativePort = await freePort();
// The app serves the /v1 gateway on loopback; a free port, never the user's 8765.
const gatewayPort = await freePort();
const driver = startProcess(tauriDriver, ['--port', String(port), '--native-port', String(nativePort), '--native-driver', '/usr/bin/WebKitWebDriver'], {
  env: { LLMOPS_DATA_DIR: dataDir, XDG_CONFIG_HOME: xdgConfig, LLMOPS_PORT: String(gatewayPort) },
  logName: 'tauri-driver.log',
});
const wd = `http://127.0.0.1:${port}`;
const driverClient = webDriverClient(wd, out);
const { find, findAll, textOf, attrOf, click, type, script, screenshot } = driverClient;

try {
  step('tauri-driver + WebKitWebDriver');
  await waitFor('tauri-driver to listen', async () => (await fetch(`${wd}/status`)).ok, 20_000);
  await driverClient.open(app);

  step('the window opens and the dashboard lists the starter model');
  const modelList = await waitFor('the model list', () => find('[data-testid="model-list"]'), 60_000, 250);
  await waitFor('the starter model row', async () => (await textOf(modelList)).includes('SmolLM2'), 30_000, 250);
  await find('[data-testid="cpu-card"]');
  await find('[data-testid="gpu-card"]');
  const title = await driverClient.title();
  console.log(`    window title: ${title}`);
  await screenshot('1-dashboard.png');

  step('Start the starter model through a Tauri command');
  const row = await find(`[data-testid="model-row"][data-model-name="${STARTER_NAME}"]`);
  const startButton = await find(`[data-testid="model-row"][data-model-name="${STARTER_NAME}"] [data-testid="start-model"]`);
  await click(startButton);
  const stateSelector = `[data-testid="model-row"][data-model-name="${STARTER_NAME}"] [data-testid="instance-state"]`;
  await waitFor('state running', async () => (await attrOf(await find(stateSelector), 'data-state')) === 'running', 120_000, 250);
  const pids = llamaServersWith('--alias');
  assert.ok(pids.length >= 1, 'a llama-server process runs');
  assert.ok(row);

  step('The live log arrives over a Tauri channel (the core pushes it; nothing polls)');
  await click(await find(`[data-testid="model-row"][data-model-name="${STARTER_NAME}"] [data-testid="toggle-logs"]`));
  const logBox = `[data-testid="model-row"][data-model-name="${STARTER_NAME}"] [data-testid="instance-logs"]`;
  await waitFor('engine output in the log panel', async () => /llama|server/i.test(await textOf(await find(logBox))), 20_000, 250);
  await click(await find(`[data-testid="model-row"][data-model-name="${STARTER_NAME}"] [data-testid="toggle-logs"]`));

  step('Chat streams over the Tauri channel');
  await click(await find('[data-testid="nav-chat"]'));
  const select = await waitFor('the chat target picker', () => find('[data-testid="chat-target"]'), 10_000, 200);
  await waitFor('a running model to pick', async () => (await findAll('[data-testid="chat-target"] option[value^="model:"]')).length >= 1, 10_000, 200);
  await script('const s = arguments[0]; const o = [...s.options].find((x) => x.value.startsWith("model:")); if (s.value !== o.value) { s.value = o.value; s.dispatchEvent(new Event("change")); }', [driverClient.ref(select)]);
  await type(await find('[data-testid="chat-input"]'), 'Say hello in five words.');
  await click(await find('[data-testid="chat-send"]'));
  // A tiny model sometimes rambles to its context limit (a loop of one word, slow in the window on
  // 2 cores): what is checked here is that it streams over the channel, so after 45 s the answer
  // is stopped, as a user would, and its text so far counts. An error fails at once.
  const sent = Date.now();
  let stopped = false;
  await waitFor('the streamed answer to finish', async () => {
    const errors = await findAll('[data-testid="chat-error"]');
    if (errors.length) throw new Error(`the chat failed: ${await textOf(errors[0])}`);
    if ((await findAll('[data-testid="chat-stats"]')).length > 0) return true;
    if ((await findAll('[data-testid="chat-message"][data-role="assistant"][data-status="stopped"]')).length > 0) return true;
    const stop = await findAll('[data-testid="chat-stop"]');
    if (!stopped && Date.now() - sent > 45_000 && stop.length) {
      stopped = true;
      console.log('    the answer rambled for 45 s: stopped');
      await click(stop[0]);
    }
    return false;
  }, 180_000, 250);
  const answers = await findAll('[data-testid="chat-message"][data-role="assistant"] [data-testid="markdown"]');
  const answer = (await textOf(answers[answers.length - 1])).trim();
  console.log(`    answer: ${answer.slice(0, 120)}`);
  assert.ok(answer.length > 0, 'the assistant answered in the window');
  await screenshot('2-chat.png');

  step('The app serves the OpenAI-compatible /v1 on loopback for other tools');
  const gateway = `http://127.0.0.1:${gatewayPort}/v1`;
  const listed = await (await fetch(`${gateway}/models`)).json();
  const served = listed.data.find((m) => m.llmops.display_name === STARTER_NAME);
  assert.equal(served?.llmops.state, 'running', JSON.stringify(listed));
  const completion = await fetch(`${gateway}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-any-key' },
    body: JSON.stringify({ model: served.id, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4 }),
  });
  assert.equal(completion.status, 200, await completion.clone().text());
  assert.equal((await completion.json()).usage.completion_tokens <= 4, true);

  step('"Serve on local network": other devices need a key; switched off, the LAN cannot connect');
  const lan = Object.values(networkInterfaces()).flat().find((a) => a?.family === 'IPv4' && !a.internal)?.address;
  if (!lan) throw new Error('this machine has no non-loopback IPv4 address to test LAN serving with');
  const setLan = (enabled) => driverClient.scriptAsync(
    'const done = arguments[arguments.length - 1]; window.__TAURI_INTERNALS__.invoke("set_lan_serving", { serving: { enabled: arguments[0] } }).then(done, (e) => done({ failed: e }));',
    [enabled],
  );
  const onLan = await setLan(true);
  assert.equal(onLan.lan?.enabled, true, JSON.stringify(onLan));
  assert.equal(onLan.addresses.length, 2, JSON.stringify(onLan.addresses));
  assert.match(onLan.lan.qr_svg, /<svg/);
  const fromLan = await fetch(`http://${lan}:${gatewayPort}/v1/models`);
  assert.equal(fromLan.status, 401, 'a LAN client without a key is refused');
  assert.equal((await fromLan.json()).error.type, 'authentication_error');
  assert.equal((await fetch(`${gateway}/models`)).status, 200, 'this machine needs no key');
  const offLan = await setLan(false);
  assert.equal(offLan.lan.enabled, false);
  await assert.rejects(fetch(`http://${lan}:${gatewayPort}/v1/models`), 'loopback only again');
  assert.equal((await fetch(`${gateway}/models`)).status, 200);

  step('Export: the conversation is saved as a JSON file in Downloads');
  await click(await find('[data-testid="chat-export-json"]'));
  const done = await waitFor('the export', () => find('[data-testid="chat-export-done"]'), 10_000, 200);
  const saved = (await textOf(done)).replace(/^.*?(\/\S+\.json).*$/s, '$1');
  assert.ok(saved.startsWith(`${downloads}/`), `${saved} is in the Downloads folder`);
  const exported = JSON.parse(readFileSync(saved, 'utf8'));
  assert.equal(exported.format, 'llmops.conversation.v1');
  assert.equal(exported.messages.length, 2);
  rmSync(saved);
  console.log(`    saved ${saved}`);

  step('Quitting the app (SIGTERM, as on logout or Ctrl+C) stops the model it started');
  const appPids = desktopAppsOn(dataDir);
  assert.equal(appPids.length, 1, `one desktop app runs (${appPids})`);
  process.kill(appPids[0], 'SIGTERM');
  await waitFor('llama-server to be stopped by the app on exit', async () => pids.every((pid) => !processAlive(pid)), 30_000, 250);
  await waitFor('the app to exit', async () => !processAlive(appPids[0]), 15_000, 250);
  const appLog = readdirSync(join(dataDir, 'logs')).find((f) => /^llmops.*\.jsonl$/.test(f));
  const history = readFileSync(join(dataDir, 'logs', appLog), 'utf8');
  assert.match(history, /"state":"stopped"/, 'the stop was graceful and logged');
  await driverClient.close();
  console.log('desktop e2e: passed');
} catch (err) {
  if (driverClient.session) await screenshot('failure.png').catch(() => {});
  console.error(`desktop e2e: FAILED: ${err.stack || err}`);
  process.exitCode = 1;
} finally {
  await driverClient.close();
  await sleep(500);
  await stopProcess(driver);
  writeFileSync(join(out, 'tauri-driver.log'), driver.logText());
  const leftovers = llamaServersWith('--alias').filter(processAlive);
  if (leftovers.length) {
    console.error(`desktop e2e: llama-server processes left behind: ${leftovers}; killing them`);
    for (const pid of leftovers) process.kill(pid, 'SIGKILL');
    process.exitCode = 1;
  }
}
