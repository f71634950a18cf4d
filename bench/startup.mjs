// Benchmark: how fast llmops starts and what it costs idle, side by side in one run.
// - `llmops serve`: spawn → /api/health answers, then RSS and CPU over LLMOPS_IDLE_S seconds idle
//   (no page open; the monitor samples each second).
// - The desktop app (needs a display and a session bus: dbus-run-session -- xvfb-run, as
//   `npm run bench` does): spawn (a new WebDriver session through tauri-driver) → the app shell
//   (the header) and the dashboard's first card (with the first system sample) in the page, then after
//   LLMOPS_IDLE_S seconds idle on the dashboard the RSS and PSS (/proc/<pid>/smaps_rollup) of the
//   app and of each WebKit process below it, and their CPU.
// - The floor (src-tauri/examples/floor.rs, an empty Tauri window of the same build): its starts
//   the same way (→ window ready, → its page's one word), then its idle memory, so that the app's
//   times and memory read against what any Tauri window costs on this machine.
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

/** Runs `fn(client)` with a tauri-driver of its own, started with `env` (the apps it opens inherit it). */
async function withDriver(env, fn) {
  const driverPort = await freePort();
  const driver = startProcess(tauriDriver, ['--port', String(driverPort), '--native-port', String(await freePort()),
    '--native-driver', '/usr/bin/WebKitWebDriver'], { env, logName: 'tauri-driver.log' });
  try {
    await waitFor('tauri-driver', async () => (await fetch(`http://127.0.0.1:${driverPort}/status`).catch(() => ({}))).ok, 20_000);
    return await fn(webDriverClient(`http://127.0.0.1:${driverPort}`, out));
  } finally {
    await stopProcess(driver);
  }
}

async function desktopRuns() {
  if (!existsSync(join(TARGET, PROFILE, 'llmops-desktop')) || !existsSync(tauriDriver) || !process.env.DISPLAY) {
    console.warn('desktop app skipped: needs the llmops-desktop build, tauri-driver and a display (xvfb-run)');
    return null;
  }
  const dataDir = tempDataDir('startup-desktop');
  const home = tempDataDir('startup-home');
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), LLMOPS_DATA_DIR: dataDir, LLMOPS_PORT: String(await freePort()), LLMOPS_SECRET_STORE: 'file' };
  return withDriver(env, async (client) => {
    const runs = [];
    for (let i = 0; i < STARTS; i++) runs.push(await desktopRun(client, dataDir, i === STARTS - 1));
    return runs;
  });
}

/** A page of one word for the floor window, served until `fn` returns. */
async function withFloorPage(fn) {
  const page = createServer((_, response) => response.end('<!doctype html><title>floor</title><p id="floor">floor</p>'));
  await new Promise((r) => page.listen(0, '127.0.0.1', r));
  try {
    return await fn(`http://127.0.0.1:${page.address().port}/`);
  } finally {
    page.close();
  }
}

/**
 * The floor's start, the same way as the app's (a WebDriver session): spawn → window ready and
 * → its one word in the page. What the app takes beyond these is its own start; the rest is what
 * any Tauri window takes on this machine.
 */
async function floorStarts(floor) {
  const home = tempDataDir('startup-floor-starts');
  return withFloorPage((url) => withDriver({ HOME: home, XDG_CONFIG_HOME: join(home, '.config'), FLOOR_URL: url }, async (client) => {
    const runs = [];
    for (let i = 0; i < STARTS; i++) {
      const started = performance.now();
      await client.open(floor);
      const sessionMs = performance.now() - started;
      await waitFor('the floor page', async () => client.find('#floor').catch(() => null), 30_000, 10);
      runs.push({ sessionMs, pageMs: performance.now() - started });
      await client.close();
    }
    return runs;
  }));
}

/** The floor: a Tauri window with an empty page (src-tauri/examples/floor.rs), its starts, then idle as long. */
async function floorRun() {
  const floor = join(TARGET, PROFILE, 'examples', 'floor');
  if (!existsSync(floor) || !process.env.DISPLAY) {
    console.warn(`the floor skipped: build it (cargo build --${PROFILE === 'release' ? 'release ' : ''}--example floor -p llmops-desktop)`);
    return null;
  }
  const starts = await floorStarts(floor);
  const home = tempDataDir('startup-floor');
  const idle = await withFloorPage(async (url) => {
    const child = startProcess(floor, [], { env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), FLOOR_URL: url }, logName: 'floor.log' });
    try {
      await sleep(3000);
      const before = new Map(treeOf(child.pid).map((p) => [p.pid, cpuSeconds(p.pid)]));
      await sleep(IDLE_S * 1000);
      return treeOf(child.pid).map((p) => ({
        pid: p.pid, name: p.name, ...memoryOf(p.pid), cpuPercent: ((cpuSeconds(p.pid) - (before.get(p.pid) ?? 0)) / IDLE_S) * 100,
      }));
    } finally {
      await stopProcess(child);
    }
  });
  return {
    sessionMs: stats(starts.map((r) => r.sessionMs)),
    pageMs: stats(starts.map((r) => r.pageMs)),
    idle,
  };
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
if (report.floor) {
  const { sessionMs: s, pageMs: p } = report.floor;
  lines.push(`| floor (empty Tauri window): spawn → window ready (ms) | ${fmt(s.min)} | ${fmt(s.median)} | ${fmt(s.max)} |`);
  lines.push(`| floor (empty Tauri window): spawn → its page's one word (ms) | ${fmt(p.min)} | ${fmt(p.median)} | ${fmt(p.max)} |`);
}
if (report.desktop && report.floor) {
  const own = report.desktop.dashboardMs.median - report.floor.pageMs.median;
  lines.push('', `Beyond an empty Tauri window's start (medians): ${fmt(report.desktop.sessionMs.median - report.floor.sessionMs.median)} ms to the window, ${fmt(report.desktop.shellMs.median - report.floor.pageMs.median)} ms to the app shell, ${fmt(own)} ms to the dashboard's first card.`);
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
    const floorTotal = treeRows('floor (empty Tauri window)', report.floor.idle);
    lines.push('', `The desktop app's PSS is ${fmt(app.pss / floorTotal.pss, 2)} × the floor's (${fmt(app.pss - floorTotal.pss)} MiB above it).`);
  }
}
writeFileSync(join(out, 'report.md'), lines.join('\n') + '\n');
console.log(lines.join('\n'));
