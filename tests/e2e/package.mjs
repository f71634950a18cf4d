// The installed package, as a user gets it: the .deb that `scripts/package.sh --debug` made from
// the tests' build is linted with lintian and installed with dpkg into a fresh root, then its
// binaries run from outside the checkout with an empty HOME (no ui/dist, no engine, no model):
// `llmops --version`, `llmops serve` serving the dashboard it carries (rendered in chromium), and
// the desktop window under the display (tauri-driver). Sizes go to test-output/package/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import {
  CACHE, CHROMIUM, TARGET, api, freePort, outputDir, requireFile, sleep, startProcess, step, stopProcess, tempDataDir,
  waitFor,
} from './lib.mjs';
import { webDriverClient } from './webdriver.mjs';

const out = outputDir('package');
const debDir = join(TARGET, 'package-debug/debug/bundle/deb');
const tauriDriver = process.env.TAURI_DRIVER || join(CACHE, 'tools/tauri-driver-2.0.4/bin/tauri-driver');
const parts = [
  requireFile(debDir, 'the .deb (bash scripts/package.sh --debug)'),
  requireFile('/usr/bin/lintian', 'lintian (Debian)'),
  requireFile('/usr/bin/chromium', 'Debian chromium'),
  requireFile(tauriDriver, 'tauri-driver'),
  requireFile('/usr/bin/WebKitWebDriver', 'WebKitWebDriver (Debian webkit2gtk-driver)'),
];
if (parts.includes(false)) process.exit(0);
if (!process.env.DISPLAY) throw new Error('no display: run this test under xvfb-run (npm test does)');

const debs = readdirSync(debDir).filter((f) => f.endsWith('.deb'));
assert.equal(debs.length, 1, `one .deb in ${debDir}: ${debs}`);
const deb = join(debDir, debs[0]);
const run = (command, args, options = {}) => execFileSync(command, args, { encoding: 'utf8', ...options });

step(`lintian ${debs[0]}: no error and no warning`);
const lint = run('lintian', ['--tag-display-limit', '0', deb], { stdio: ['ignore', 'pipe', 'pipe'] });
writeFileSync(join(out, 'lintian.txt'), lint);
const findings = lint.split('\n').filter((l) => /^[EW]: /.test(l));
assert.deepEqual(findings, [], `lintian:\n${lint}`);

step('dpkg installs it into a fresh root');
const root = tempDataDir('package-root');
for (const dir of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/log']) mkdirSync(join(root, dir), { recursive: true });
writeFileSync(join(root, 'var/lib/dpkg/status'), '');
// The root has none of the libraries the package depends on; the host provides them.
run('dpkg', [`--root=${root}`, '--force-depends', '--force-not-root', '--log=/dev/null', '-i', deb], { stdio: 'pipe' });
const status = run('dpkg-query', [`--root=${root}`, '-W', '-f=${db:Status-Abbrev} ${Package} ${Version}', 'llm-local-ops-center']);
assert.match(status, /^ii +llm-local-ops-center 0\.1\.0/);
const bin = (name) => join(root, 'usr/bin', name);
for (const name of ['llmops', 'llmops-desktop']) assert.ok(statSync(bin(name)).mode & 0o111, `${name} is executable`);
const entries = readdirSync(join(root, 'usr/share/applications'));
const desktopEntry = readFileSync(join(root, 'usr/share/applications', entries[0]), 'utf8');
assert.match(desktopEntry, /^Exec=llmops-desktop$/m);
assert.match(desktopEntry, /^Icon=llmops-desktop$/m);
assert.ok(existsSync(join(root, 'usr/share/icons/hicolor/512x512/apps/llmops-desktop.png')));
assert.ok(existsSync(join(root, 'usr/share/man/man1/llmops.1.gz')));

// A user's machine: an empty home, run from a folder that is not the checkout.
const home = tempDataDir('package-home');
const userEnv = {
  HOME: home, PATH: `${join(root, 'usr/bin')}:/usr/bin:/bin`, LLMOPS_DATA_DIR: '', LLMOPS_CACHE_DIR: '',
  LLMOPS_UI_DIR: '', CARGO_TARGET_DIR: '', XDG_DATA_HOME: '', XDG_CACHE_HOME: '', XDG_CONFIG_HOME: '',
  LLMOPS_NVML_LIB: '/nonexistent/libnvidia-ml.so.1',
};
const cleanEnv = () => {
  const env = { ...process.env, ...userEnv };
  for (const [key, value] of Object.entries(env)) if (value === '') delete env[key];
  return env;
};

step('llmops --version names the build');
const version = run(bin('llmops'), ['--version'], { cwd: home, env: cleanEnv() }).trim();
assert.match(version, /^llmops 0\.1\.0 \([0-9a-f]{12} \d{4}-\d{2}-\d{2}, debug\)$/);

const report = { deb: debs[0], deb_bytes: statSync(deb).size, version };
let server;
let browser;
const driverPort = await freePort();
const driver = startProcess(tauriDriver, ['--port', String(driverPort), '--native-port', String(await freePort()),
  '--native-driver', '/usr/bin/WebKitWebDriver'], {
  env: { ...cleanEnv(), LLMOPS_PORT: String(await freePort()) }, inheritEnv: false, cwd: home, logName: 'tauri-driver.log',
});
const window = webDriverClient(`http://127.0.0.1:${driverPort}`, out);
try {
  step('the installed llmops serve serves the dashboard it carries');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  server = startProcess(bin('llmops'), ['serve', '--port', String(port)], {
    env: cleanEnv(), inheritEnv: false, cwd: home, logName: 'serve.log',
  });
  await waitFor('the installed server', async () => (await api(base, 'GET', '/health')).status === 200, 30_000);
  assert.ok(existsSync(join(home, '.local/share/llmops/server-token')), 'its data goes to the home folder');
  browser = await chromium.launch(CHROMIUM);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(base);
  await page.waitForSelector('h1', { timeout: 30_000 });
  assert.ok(await page.locator('nav a').count() >= 5, 'the navigation renders');
  await page.screenshot({ path: join(out, 'serve-dashboard.png') });

  step('the installed desktop app opens its window and renders the dashboard');
  await waitFor('tauri-driver', async () => (await fetch(`http://127.0.0.1:${driverPort}/status`)).ok, 20_000);
  await window.open(bin('llmops-desktop'));
  await waitFor('the dashboard in the window', () => window.find('h1'), 60_000, 250);
  assert.match(await window.title(), /LLM Local Ops Center$/);
  await window.screenshot('desktop-window.png');
  console.log(`    .deb ${(report.deb_bytes / 1e6).toFixed(1)} MB (debug build, stripped), ${version}`);
  console.log('package e2e: passed');
} catch (err) {
  if (window.session) await window.screenshot('failure.png').catch(() => {});
  console.error(`package e2e: FAILED: ${err.stack || err}`);
  process.exitCode = 1;
} finally {
  await window.close();
  await sleep(300);
  await stopProcess(driver);
  if (browser) await browser.close();
  if (server) await stopProcess(server);
  writeFileSync(join(out, 'report.json'), JSON.stringify(report, null, 2));
  for (const child of [driver, server].filter(Boolean)) writeFileSync(join(out, child.logName), child.logText());
}
