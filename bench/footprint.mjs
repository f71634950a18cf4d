// Benchmark: what an idle page of the dashboard costs over time. `llmops serve` pushes a system
// sample every second; the page just sits there, as the desktop app does on a second monitor.
// Every LLMOPS_SOAK_INTERVAL_S seconds, after a forced garbage collection, it samples the page
// through CDP (`Performance.getMetrics`: JS heap, DOM nodes, event listeners, documents), the RSS
// of the page's chromium renderer, and the RSS and CPU time of `llmops serve` (/proc). A growing
// figure is a leak: the slope per minute (least squares) of each one says how fast.
// Before the soak it measures an `about:blank` tab in the same browser, as the floor the page
// adds to. Writes bench-output/footprint/report.json and report.md.
// Usage: node bench/footprint.mjs (after a build; LLMOPS_SOAK_MINUTES (3), LLMOPS_SOAK_PAGE (the
// route, `/` for the dashboard), LLMOPS_SOAK_INTERVAL_S (10), LLMOPS_SOAK_UI_DIR (ui/dist: the
// build to serve, e.g. a copy of an older one), BENCH_PROFILE (release when built, else debug)).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

import { cpuSeconds, rssMiB, slope, treeOf } from './proc.mjs';
import { api, CHROMIUM, freePort, ROOT, sleep, startProcess, stopProcess, tempDataDir, TARGET, waitFor } from '../tests/e2e/lib.mjs';

const MINUTES = Number(process.env.LLMOPS_SOAK_MINUTES || 3);
const ROUTE = process.env.LLMOPS_SOAK_PAGE || '/';
const EVERY_S = Number(process.env.LLMOPS_SOAK_INTERVAL_S || 10);
const UI_DIR = resolve(ROOT, process.env.LLMOPS_SOAK_UI_DIR || 'ui/dist');
const PROFILE = process.env.BENCH_PROFILE || (existsSync(join(TARGET, 'release', 'llmops')) ? 'release' : 'debug');
/** The soak's first minute is the page settling (fonts, history seeding, JIT): the "after 1 min" figure is taken then. */
const SETTLE_S = 60;
/** PIDs of the chromium renderers below the process `root`. */
function renderers(root) {
  return treeOf(root).filter((p) => p.pid !== root && p.cmdline.includes('--type=renderer')).map((p) => p.pid);
}

/**
 * Opens `url` in a new tab and finds the renderer it got: the one that appeared meanwhile (site
 * isolation gives each site its own). Several new ones (the tab's first, blank one not gone yet):
 * the largest.
 */
async function openTab(browser, browserPid, url) {
  const before = new Set(renderers(browserPid));
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const pid = await waitFor(`the renderer of ${url}`, () => {
    const fresh = renderers(browserPid).filter((p) => !before.has(p));
    return fresh.sort((a, b) => (rssMiB(b) ?? 0) - (rssMiB(a) ?? 0))[0];
  });
  return { page, cdp, pid };
}

/** The JS chunks of the build, largest first, and which of them hold highlight.js (the chat's, to load only there). */
function chunks() {
  const dir = join(UI_DIR, 'assets');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.js'))
    .map((name) => {
      const text = readFileSync(join(dir, name), 'utf8');
      return { name, kiB: Buffer.byteLength(text) / 1024, highlightJs: text.includes('highlightAuto') };
    })
    .sort((a, b) => b.kiB - a.kiB);
}

/** The scripts the page loaded (file names under assets/). */
async function loadedScripts(page) {
  return page.evaluate(() => performance.getEntriesByType('resource')
    .map((e) => new URL(e.name).pathname)
    .filter((path) => path.endsWith('.js') && path.includes('/assets/'))
    .map((path) => path.slice(path.lastIndexOf('/') + 1)));
}

/** One sample of a tab (after a full collection, so that only what is still reachable counts). */
async function sampleTab(tab) {
  await tab.cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await tab.cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  return {
    jsHeapMiB: m.JSHeapUsedSize / 2 ** 20,
    nodes: m.Nodes,
    listeners: m.JSEventListeners,
    documents: m.Documents,
    rendererMiB: rssMiB(tab.pid),
  };
}

const COLUMNS = [
  ['jsHeapMiB', 'JS heap (MiB)', 2],
  ['nodes', 'DOM nodes', 0],
  ['listeners', 'JS listeners', 0],
  ['documents', 'documents', 0],
  ['rendererMiB', 'renderer RSS (MiB)', 1],
  ['rendererCpuPercent', 'renderer CPU (%)', 2],
  ['serverMiB', 'llmops RSS (MiB)', 1],
  ['serverCpuPercent', 'llmops CPU (%)', 2],
];

/** The samples from `minute` on (all of them when fewer than two are that late). */
function from(samples, minute) {
  const late = samples.filter((s) => s.minute >= minute);
  return late.length >= 2 ? late : samples;
}

/**
 * Per metric: first, last, the value after the settling, and the slope per minute from then on and
 * over the second half alone. The live charts keep a 5 min window, so they fill for 5 min: growth
 * that goes on in the second half of a longer soak is what the page keeps for good.
 */
function summarise(samples) {
  const settled = from(samples, SETTLE_S / 60);
  const secondHalf = from(samples, samples[samples.length - 1].minute / 2);
  const slopeOf = (part, key) => slope(part.map((s) => s.minute), part.map((s) => s[key]));
  return Object.fromEntries(COLUMNS.map(([key]) => {
    const values = settled.map((s) => s[key]);
    return [key, {
      first: samples[0][key],
      afterSettle: settled[0][key],
      last: samples[samples.length - 1][key],
      slopePerMinute: slopeOf(settled, key),
      slopeSecondHalf: slopeOf(secondHalf, key),
      mean: values.reduce((a, b) => a + b, 0) / values.length,
    }];
  }));
}

function markdown(report) {
  const fmt = (v, digits) => (v === null || v === undefined ? '—' : Number(v).toFixed(digits));
  const { summary, blank } = report;
  const lines = [
    `# Idle footprint of ${report.route}`,
    '',
    `${report.at}, ${report.profile} llmops serving ${report.uiDir}, Debian chromium (headless), ${report.minutes} min, a sample every ${report.intervalS} s after a forced GC. Slopes are per minute, least squares over the samples after the first ${SETTLE_S} s (the page settling), and over the second half alone (the live charts' 5 min window full on a soak of 10 min or more).`,
    '',
    '| metric | first | after 1 min | last | slope / min | slope / min, 2nd half | about:blank |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...COLUMNS.map(([key, label, digits]) => {
      const s = summary[key];
      const floor = key in blank ? fmt(blank[key], digits) : '';
      const signed = (v) => `${v >= 0 ? '+' : ''}${fmt(v, 3)}`;
      return `| ${label} | ${fmt(s.first, digits)} | ${fmt(s.afterSettle, digits)} | ${fmt(s.last, digits)} | ${signed(s.slopePerMinute)} | ${signed(s.slopeSecondHalf)} | ${floor} |`;
    }),
    '',
    `CPU on average: llmops ${fmt(summary.serverCpuPercent.mean, 2)} %, the page's renderer ${fmt(summary.rendererCpuPercent.mean, 2)} % of one core. Scripts loaded by the page: ${report.loaded.join(', ')}; highlight.js among them: ${report.chunks.some((c) => c.highlightJs && report.loaded.includes(c.name)) ? 'yes' : 'no'}.`,
    '',
    '## JS chunks of the build (largest first)',
    '',
    '| chunk | KiB | loaded on this page | highlight.js |',
    '| --- | ---: | --- | --- |',
    ...report.chunks.slice(0, 12).map((c) => `| ${c.name} | ${c.kiB.toFixed(1)} | ${report.loaded.includes(c.name) ? 'yes' : ''} | ${c.highlightJs ? 'yes' : ''} |`),
    '',
    '## Samples',
    '',
    `| min | ${COLUMNS.map(([, label]) => label).join(' | ')} |`,
    `| ---: | ${COLUMNS.map(() => '---:').join(' | ')} |`,
    ...report.samples.map((s) => `| ${s.minute.toFixed(2)} | ${COLUMNS.map(([key, , digits]) => fmt(s[key], digits)).join(' | ')} |`),
  ];
  return lines.join('\n') + '\n';
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = startProcess(join(TARGET, PROFILE, 'llmops'), ['serve', '--port', String(port), '--ui-dir', UI_DIR], {
  env: { LLMOPS_DATA_DIR: tempDataDir('footprint') },
});
let browser;
try {
  await waitFor('llmops serve', async () => (await api(base, 'GET', '/health')).status === 200);
  browser = await chromium.launch(CHROMIUM);
  // Playwright hides the browser's pid; its renderers are the only ones below this process.
  const browserPid = process.pid;

  // The floor: an empty tab in the same browser, measured before the page opens.
  const blankTab = await openTab(browser, browserPid, 'about:blank');
  await sleep(3000);
  const blank = await sampleTab(blankTab);
  await blankTab.page.close();

  const tab = await openTab(browser, browserPid, `${base}/#${ROUTE}`);
  console.log(`soaking ${ROUTE} for ${MINUTES} min (renderer ${tab.pid}, llmops ${server.pid}, ${UI_DIR})`);
  const samples = [];
  const t0 = Date.now();
  /** CPU seconds used so far, at the last sample. */
  const used = { server: cpuSeconds(server.pid), renderer: cpuSeconds(tab.pid), at: t0 };
  for (let i = 0; i * EVERY_S <= MINUTES * 60; i++) {
    await sleep(Math.max(0, t0 + i * EVERY_S * 1000 - Date.now()));
    const now = { server: cpuSeconds(server.pid), renderer: cpuSeconds(tab.pid), at: Date.now() };
    const share = (key) => (100 * (now[key] - used[key])) / ((now.at - used.at) / 1000);
    const busy = i === 0 ? {} : { serverCpuPercent: share('server'), rendererCpuPercent: share('renderer') };
    const page = await sampleTab(tab);
    // The sample's forced collection runs in the renderer: its CPU is left out of the next interval.
    Object.assign(used, now, { renderer: cpuSeconds(tab.pid) });
    samples.push({ minute: (now.at - t0) / 60_000, ...page, serverMiB: rssMiB(server.pid), ...busy });
    const s = samples[samples.length - 1];
    console.log(`  ${s.minute.toFixed(2)} min: heap ${s.jsHeapMiB.toFixed(2)} MiB, ${s.nodes} nodes, ${s.listeners} listeners, renderer ${s.rendererMiB?.toFixed(1)} MiB, llmops ${s.serverMiB?.toFixed(1)} MiB`);
  }
  // The first sample has no interval before it: it takes the second's CPU shares, so that the columns have no hole.
  Object.assign(samples[0], { serverCpuPercent: samples[1]?.serverCpuPercent ?? 0, rendererCpuPercent: samples[1]?.rendererCpuPercent ?? 0 });

  const report = {
    at: new Date().toISOString(),
    route: ROUTE,
    uiDir: UI_DIR,
    profile: PROFILE,
    minutes: MINUTES,
    intervalS: EVERY_S,
    blank,
    loaded: await loadedScripts(tab.page),
    chunks: chunks(),
    samples,
    summary: summarise(samples),
  };
  const out = join(ROOT, 'bench-output', 'footprint');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  const md = markdown(report);
  writeFileSync(join(out, 'report.md'), md);
  console.log(md.slice(0, md.indexOf('## Samples')));
} finally {
  await browser?.close().catch(() => {});
  await stopProcess(server);
}
