// The desktop app as a desktop session has it (a D-Bus session bus, as dbus-run-session gives):
// a second launch hands over to the running app and exits; the window's size is remembered; the
// desktop settings persist, start at login writes the XDG autostart entry, and a model chosen to
// start with the app starts at the next launch; the tray menu (over D-Bus, as a panel uses it)
// stops and starts the model and shows the window again; closing the window hides it to the tray
// while the app (and its /v1 endpoint) keeps running; Quit asks first while a model runs.
// Screenshots go to test-output/desktop-session/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  CACHE, ROOT, TARGET, STARTER_NAME, desktopAppsOn, freePort, outputDir, processAlive, requireFile, sleep, startProcess, step,
  stopProcess, tempDataDir, waitFor,
} from './lib.mjs';
import { trayMenuOf } from './trayMenu.mjs';
import { webDriverClient } from './webdriver.mjs';

const out = outputDir('desktop-session');
const app = join(TARGET, 'debug/llmops-desktop');
const tauriDriver = process.env.TAURI_DRIVER || join(CACHE, 'tools/tauri-driver-2.0.4/bin/tauri-driver');
const parts = [
  requireFile(app, 'the desktop app (cargo build -p llmops-desktop --features custom-protocol)'),
  requireFile(tauriDriver, 'tauri-driver'),
  requireFile('/usr/bin/WebKitWebDriver', 'WebKitWebDriver (Debian webkit2gtk-driver)'),
];
if (parts.includes(false)) process.exit(0);
if (!process.env.DISPLAY || !process.env.DBUS_SESSION_BUS_ADDRESS) {
  throw new Error('run this test in a desktop session: dbus-run-session -- xvfb-run ... (npm test does)');
}

const dataDir = tempDataDir('desktop-session');
// A home of its own: the autostart entry goes to ~/.config/autostart whatever XDG_CONFIG_HOME
// says, and the window state to the config dir; the user's own must stay untouched.
const home = tempDataDir('desktop-session-home');
const xdgConfig = join(home, '.config');
const gatewayPort = await freePort();
const appEnv = {
  HOME: home, LLMOPS_CACHE_DIR: CACHE, LLMOPS_DATA_DIR: dataDir, XDG_CONFIG_HOME: xdgConfig,
  LLMOPS_PORT: String(gatewayPort), LLMOPS_SECRET_STORE: 'file',
};
const driverPort = await freePort();
const driver = startProcess(tauriDriver, ['--port', String(driverPort), '--native-port', String(await freePort()),
  '--native-driver', '/usr/bin/WebKitWebDriver'], { env: appEnv, logName: 'tauri-driver.log' });
const window = webDriverClient(`http://127.0.0.1:${driverPort}`, out);
const invoke = (command, args) => window.scriptAsync(
  'const done = arguments[arguments.length - 1]; window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then(done, (e) => done({ failed: e }));',
  [command, args],
);
const appPid = () => {
  const pids = desktopAppsOn(dataDir);
  assert.equal(pids.length, 1, `one app on this data dir: ${pids}`);
  return pids[0];
};
const gatewayAnswers = async () => (await fetch(`http://127.0.0.1:${gatewayPort}/v1/models`)).status === 200;

/** Opens the app and waits for the dashboard to list the starter model. */
async function launch() {
  await window.open(app);
  const list = await waitFor('the model list', () => window.find('[data-testid="model-list"]'), 60_000, 250);
  await waitFor('the starter model', async () => (await window.textOf(list)).includes('SmolLM2'), 30_000, 250);
}

/** Quits as a logout does (SIGTERM) and waits for the exit. */
async function quit() {
  const pid = appPid();
  process.kill(pid, 'SIGTERM');
  await waitFor('the app to exit', async () => !processAlive(pid), 30_000, 250);
  await window.close();
}

try {
  await waitFor('tauri-driver', async () => (await fetch(`http://127.0.0.1:${driverPort}/status`)).ok, 20_000);
  await launch();

  step('a second launch hands over to the running app and exits');
  const second = startProcess(app, [], { env: appEnv, logName: 'second-launch.log' });
  const { code } = await waitFor('the second launch to exit', async () => (second.exitCode !== null ? second.exited : null), 30_000, 100);
  assert.equal(code, 0, second.logText());
  const logFile = readdirSync(join(dataDir, 'logs')).find((f) => /^llmops.*\.jsonl$/.test(f));
  await waitFor('the handover in the first app\'s log', async () => readFileSync(join(dataDir, 'logs', logFile), 'utf8').includes('a second launch'), 10_000, 200);

  step('desktop settings: saved, start at login writes the XDG autostart entry');
  const defaults = await invoke('get_desktop_settings', {});
  assert.deepEqual(defaults, { close_to_tray: true, notifications: true, start_models: [], start_at_login: false });
  const models = await invoke('list_models', {});
  const starter = models.find((m) => m.name === STARTER_NAME);
  const saved = await invoke('set_desktop_settings', {
    settings: { close_to_tray: true, notifications: false, start_models: [starter.id, starter.id], start_at_login: true },
  });
  assert.deepEqual(saved, { close_to_tray: true, notifications: false, start_models: [starter.id], start_at_login: true });
  const autostart = join(xdgConfig, 'autostart');
  const entry = readdirSync(autostart).find((f) => f.endsWith('.desktop'));
  assert.match(readFileSync(join(autostart, entry), 'utf8'), /^Exec=.*llmops-desktop/m);
  const tooMany = await invoke('set_desktop_settings', {
    settings: { ...saved, start_models: Array.from({ length: 17 }, (_, i) => `m${i}`) },
  });
  assert.equal(tooMany.failed?.code, 'too_many_start_models', JSON.stringify(tooMany));

  step('the window is resized, then the app quits');
  await window.call('POST', `/session/${window.session}/window/rect`, { width: 1000, height: 700 });
  await quit();

  step('next launch: the same window size, and the chosen model starts by itself');
  await launch();
  const rect = await window.call('GET', `/session/${window.session}/window/rect`);
  assert.deepEqual([rect.width, rect.height], [1000, 700], JSON.stringify(rect));
  const stateOf = `[data-testid="model-row"][data-model-name="${STARTER_NAME}"] [data-testid="instance-state"]`;
  await waitFor('the starter model to run', async () => (await window.attrOf(await window.find(stateOf), 'data-state')) === 'running', 120_000, 250);
  assert.equal((await invoke('get_desktop_settings', {})).start_at_login, true, 'read back from the system');
  // The Settings page shows what was saved.
  await window.click(await window.find('[data-testid="settings-open"]'));
  const notifications = await waitFor('the Settings page', () => window.find('[data-testid="desktop-notifications"]'), 10_000, 200);
  assert.equal(await window.script('return arguments[0].checked', [window.ref(notifications)]), false);
  const chosen = await window.find(`[data-testid="desktop-start-model"][data-model-name="${STARTER_NAME}"]`);
  assert.equal(await window.script('return arguments[0].checked', [window.ref(chosen)]), true);
  await window.screenshot('relaunched.png');
  const off = await invoke('set_desktop_settings', { settings: { ...saved, start_at_login: false } });
  assert.equal(off.start_at_login, false);
  assert.deepEqual(readdirSync(autostart).filter((f) => f.endsWith('.desktop')), [], 'the autostart entry is gone');

  step('the tray menu (driven over D-Bus as a panel does): the model running, Stop, then Start');
  const pid = appPid();
  const tray = await waitFor('the tray menu on the bus', async () => trayMenuOf(pid), 10_000, 250);
  const label = () => tray.items().find((i) => i.label.includes(STARTER_NAME))?.label ?? '';
  await waitFor('the tray to show the model running', async () => label().startsWith(`■ Stop ${STARTER_NAME} (running)`), 10_000, 250)
    .catch((err) => { throw new Error(`${err.message}; the tray shows ${JSON.stringify(tray.items())}`); });
  tray.click(`■ Stop ${STARTER_NAME}`);
  await waitFor('the tray stop', async () => label().startsWith(`▶ Start ${STARTER_NAME}`), 30_000, 250);
  tray.click(`▶ Start ${STARTER_NAME}`);
  await waitFor('the tray start', async () => label().startsWith(`■ Stop ${STARTER_NAME} (running)`), 120_000, 250);

  step('closing the window hides it to the tray: the app and /v1 keep running; Open shows it again');
  const visibility = () => window.script('return document.visibilityState');
  // The window manager's close button, as X11 has it (there is no window manager under Xvfb).
  execFileSync('python3', [join(ROOT, 'tests/e2e/x11_close.py'), 'LLM Local Ops Center']);
  await waitFor('the window to be hidden', async () => (await visibility()) === 'hidden', 10_000, 200);
  assert.ok(processAlive(pid), 'the app still runs');
  assert.ok(await gatewayAnswers(), '/v1 still answers');
  tray.click('Open dashboard');
  await waitFor('the window to show again', async () => (await visibility()) === 'visible', 10_000, 200);

  step('Quit in the tray while a model runs asks first; dismissing the question keeps the app');
  tray.click('Quit');
  // The question is a window of its own; closing it (as its title bar would) answers Cancel.
  await waitFor('the quit question', async () => {
    try {
      execFileSync('python3', [join(ROOT, 'tests/e2e/x11_close.py'), 'Quit LLM Local Ops Center?'], { stdio: 'pipe' });
      return true;
    } catch {
      return false;
    }
  }, 10_000, 200);
  await sleep(500);
  assert.ok(processAlive(pid), 'the app still runs after Cancel');
  assert.ok(await gatewayAnswers(), '/v1 still answers');
  await quit();
  console.log('desktop session e2e: passed');
} catch (err) {
  if (window.session) await window.screenshot('failure.png').catch(() => {});
  console.error(`desktop session e2e: FAILED: ${err.stack || err}`);
  process.exitCode = 1;
} finally {
  await window.close();
  for (const pid of desktopAppsOn(dataDir)) process.kill(pid, 'SIGTERM');
  await sleep(500);
  await stopProcess(driver);
}
