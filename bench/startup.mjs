// Benchmark: how fast llmops starts and what it costs idle, side by side in one run.
// - `llmops serve`: spawn → /api/health answers, then RSS and CPU over LLMOPS_IDLE_S seconds idle
//   (no page open; the monitor samples each second).
// - The desktop app (needs a display and a session bus: dbus-run-session -- xvfb-run, as
//   `npm run bench` does): spawn (a new WebDriver session through tauri-driver) → the app shell
//   (the header) and the dashboard's first card (with the first system sample) in the page, then after
//   LLMOPS_IDLE_S seconds idle on the dashboard the RSS and PSS (/proc/<pid>/smaps_rollup) of the
//   app and of each WebKit process below it, and their CPU.
// LLMOPS_STARTS launches of each (5); times are reported as min / median / max. Writes
// bench-output/startup/report.json and report.md. BENCH_PROFILE: release (default when built) or debug.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

import { cpuSeconds, memoryOf, treeOf } from './proc.mjs';
import { webDriverClient } from '../tests/e2e/webdriver.mjs';
import {
  CACHE, ROOT, TARGET, api, desktopAppsOn, freePort, sleep, startProcess, stopProcess, tempDataDir, waitFor,
} from '../tests/e2e/lib.mjs';

const PROFILE = process.env.BENCH_PROFILE || (existsSync(join(TARGET, 'release', 'llmops')) ? 'release' : 'debug');
const STARTS = Number(process.env.LLMOPS_STARTS || 5);
const IDLE_S = Number(process.env.LLMOPS_IDLE_S || 30);
const tauriDriver = process.env.TAURI_DRIVER || join(CACHE, 'tools/tauri-driver-2.0.4/bin/tauri-driver');
const out = join(ROOT, 'bench-output', 'startup');
mkdirSync(out, { recursive: true });

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
};
const fmt = (v, digits = 1) => (v === null || v === undefined ? '-' : v.toFixed(digits));

async function serveRun(idle) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const server = startProcess(join(TARGET, PROFILE, 'llmops'), ['serve', '--port', String(port)], {
    env: { LLMOPS_DATA_DIR: tempDataDir('startup-serve') }, logName: 'serve.log',
  });
  try {
    await waitFor('the server', async () => (await api(base, 'GET', '/health').catch(() => ({}))).status === 200, 30_000, 5);
    const readyMs = performance.now() - started;
    if (!idle) return { readyMs };
    const cpuBefore = cpuSeconds(server.pid);
    await sleep(IDLE_S * 1000);
    const cpuPercent = ((cpuSeconds(server.pid) - cpuBefore) / IDLE_S) * 100;
    return { readyMs, memory: memoryOf(server.pid), cpuPercent };
  } finally {
    await stopProcess(server);
  }
}

async function desktopRun(client, dataDir, idle) {
  const app = join(TARGET, PROFILE, 'llmops-desktop');
  const started = performance.now();
  await client.open(app);
  const sessionMs = performance.now() - started;
  const present = (css) => async () => {
    try {
      return await client.find(css);
    } catch {
      return null;
    }
  };
  await waitFor('the app shell', present('[data-testid="nav-dashboard"]'), 60_000, 10);
  const shellMs = performance.now() - started;
  await waitFor('the dashboard', async () => {
    try {
      return await client.find('[data-testid="cpu-card"]');
    } catch {
      return null;
    }
  }, 60_000, 10);
  const dashboardMs = performance.now() - started;
  const result = { sessionMs, shellMs, dashboardMs };
  if (idle) {
    const [pid] = desktopAppsOn(dataDir);
    const before = new Map(treeOf(pid).map((p) => [p.pid, cpuSeconds(p.pid)]));
    await sleep(IDLE_S * 1000);
    result.processes = treeOf(pid).map((p) => ({
      pid: p.pid, name: p.name,
      ...memoryOf(p.pid),
      cpuPercent: ((cpuSeconds(p.pid) - (before.get(p.pid) ?? 0)) / IDLE_S) * 100,
    }));
  }
  await client.close();
  await waitFor('the app to exit', async () => desktopAppsOn(dataDir).length === 0, 30_000, 50);
  return result;
}

async function desktopRuns() {
  if (!existsSync(join(TARGET, PROFILE, 'llmops-desktop')) || !existsSync(tauriDriver) || !process.env.DISPLAY) {
    console.warn('desktop app skipped: needs the llmops-desktop build, tauri-driver and a display (xvfb-run)');
    return null;
  }
  const dataDir = tempDataDir('startup-desktop');
  const home = tempDataDir('startup-home');
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), LLMOPS_DATA_DIR: dataDir, LLMOPS_PORT: String(await freePort()), LLMOPS_SECRET_STORE: 'file' };
  const driverPort = await freePort();
  const driver = startProcess(tauriDriver, ['--port', String(driverPort), '--native-port', String(await freePort()),
    '--native-driver', '/usr/bin/WebKitWebDriver'], { env, logName: 'tauri-driver.log' });
  try {
    await waitFor('tauri-driver', async () => (await fetch(`http://127.0.0.1:${driverPort}/status`).catch(() => ({}))).ok, 20_000);
    const client = webDriverClient(`http://127.0.0.1:${driverPort}`, out);
    const runs = [];
    for (let i = 0; i < STARTS; i++) runs.push(await desktopRun(client, dataDir, i === STARTS - 1));
    return runs;
  } finally {
    await stopProcess(driver);
  }
}

/** The floor: a Tauri window with an empty page (src-tauri/examples/floor.rs), idle as long. */
async function floorRun() {
  const floor = join(TARGET, PROFILE, 'examples', 'floor');
  if (!existsSync(floor) || !process.env.DISPLAY) {
    console.warn(`the floor skipped: build it (cargo build --${PROFILE === 'release' ? 'release ' : ''}--example floor -p llmops-desktop)`);
    return null;
  }
  const home = tempDataDir('startup-floor');
  const page = createServer((_, response) => response.end('<!doctype html><title>floor</title><p>floor</p>'));
  await new Promise((r) => page.listen(0, '127.0.0.1', r));
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), FLOOR_URL: `http://127.0.0.1:${page.address().port}/` };
  const child = startProcess(floor, [], { env, logName: 'floor.log' });
  try {
    await sleep(3000);
    const before = new Map(treeOf(child.pid).map((p) => [p.pid, cpuSeconds(p.pid)]));
    await sleep(IDLE_S * 1000);
    return treeOf(child.pid).map((p) => ({
      pid: p.pid, name: p.name, ...memoryOf(p.pid), cpuPercent: ((cpuSeconds(p.pid) - (before.get(p.pid) ?? 0)) / IDLE_S) * 100,
    }));
  } finally {
    await stopProcess(child);
    page.close();
  }
}

const serve = [];
for (let i = 0; i < STARTS; i++) serve.push(await serveRun(i === STARTS - 1));
const desktop = await desktopRuns();
const floor = desktop ? await floorRun() : null;
const serveIdle = serve[serve.length - 1];
const report = {
  at: new Date().toISOString(), profile: PROFILE, starts: STARTS, idleSeconds: IDLE_S,
  serve: { readyMs: stats(serve.map((r) => r.readyMs)), idle: { memory: serveIdle.memory, cpuPercent: serveIdle.cpuPercent } },
  desktop: desktop && {
    sessionMs: stats(desktop.map((r) => r.sessionMs)),
    shellMs: stats(desktop.map((r) => r.shellMs)),
    dashboardMs: stats(desktop.map((r) => r.dashboardMs)),
    idle: desktop[desktop.length - 1].processes,
  },
  floor,
};
writeFileSync(join(out, 'report.json'), JSON.stringify(report, null, 2) + '\n');

const lines = [
  `# Start and idle cost (${PROFILE} build)`, '',
  `${report.at}, ${STARTS} starts each, idle ${IDLE_S} s after the last one. Times: min / median / max.`, '',
  '| what | min | median | max |', '| --- | ---: | ---: | ---: |',
  `| \`llmops serve\`: spawn → /api/health answers (ms) | ${fmt(report.serve.readyMs.min)} | ${fmt(report.serve.readyMs.median)} | ${fmt(report.serve.readyMs.max)} |`,
];
if (report.desktop) {
  const { sessionMs: s, shellMs: h, dashboardMs: d } = report.desktop;
  lines.push(`| desktop: spawn → window ready (WebDriver session) (ms) | ${fmt(s.min)} | ${fmt(s.median)} | ${fmt(s.max)} |`);
  lines.push(`| desktop: spawn → the app shell painted (header) (ms) | ${fmt(h.min)} | ${fmt(h.median)} | ${fmt(h.max)} |`);
  lines.push(`| desktop: spawn → dashboard's first card in the page (ms) | ${fmt(d.min)} | ${fmt(d.median)} | ${fmt(d.max)} |`);
}
lines.push('', `## Idle after ${IDLE_S} s`, '', '| process | RSS (MiB) | PSS (MiB) | CPU (% of a core) |', '| --- | ---: | ---: | ---: |');
lines.push(`| llmops serve | ${fmt(serveIdle.memory?.rss)} | ${fmt(serveIdle.memory?.pss)} | ${fmt(serveIdle.cpuPercent, 2)} |`);
/** Rows of a process tree and its total line; returns the totals. */
function treeRows(title, processes) {
  const total = { rss: 0, pss: 0, cpu: 0 };
  for (const p of processes) {
    lines.push(`| ${title}: ${p.name} | ${fmt(p.rss)} | ${fmt(p.pss)} | ${fmt(p.cpuPercent, 2)} |`);
    total.rss += p.rss ?? 0;
    total.pss += p.pss ?? 0;
    total.cpu += p.cpuPercent;
  }
  lines.push(`| **${title}, all processes** | **${fmt(total.rss)}** | **${fmt(total.pss)}** | **${fmt(total.cpu, 2)}** |`);
  return total;
}
if (report.desktop) {
  const app = treeRows('desktop app', report.desktop.idle);
  if (report.floor) {
    const floorTotal = treeRows('floor (empty Tauri window)', report.floor);
    lines.push('', `The desktop app's PSS is ${fmt(app.pss / floorTotal.pss, 2)} × the floor's (${fmt(app.pss - floorTotal.pss)} MiB above it).`);
  }
}
writeFileSync(join(out, 'report.md'), lines.join('\n') + '\n');
console.log(lines.join('\n'));
