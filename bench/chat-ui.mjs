// Benchmark: is the chat page responsive while a 4,000-token answer streams in? A scripted
// OpenAI-compatible endpoint streams Markdown (paragraphs, lists, code) at 400 tokens/s through
// `llmops serve` into Debian chromium; a PerformanceObserver counts long tasks (> 50 ms) on the
// page's main thread during the stream. Writes bench-output/chat-ui.md.
// Usage: npm run bench (or node bench/chat-ui.mjs after a build).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { startFakeEndpoint } from '../tests/e2e/fakeEndpoint.mjs';
import { api, freePort, ROOT, startProcess, stopProcess, tempDataDir, TARGET, waitFor } from '../tests/e2e/lib.mjs';

const TOKENS = 4000;
const RATE = Number(process.env.BENCH_UI_RATE || 400);
const PROFILE = process.env.BENCH_PROFILE || 'release';

/** About TOKENS pieces of varied Markdown. */
function answer() {
  const pieces = [];
  let section = 0;
  while (pieces.length < TOKENS) {
    section++;
    pieces.push(`\n\n## Part ${section}\n\n`);
    for (let w = 0; w < 60; w++) pieces.push(`${w % 9 === 0 ? '**word**' : 'word'}${w} `);
    pieces.push('\n\n- item one\n- item `two`\n- item three\n\n```rust\n');
    for (let l = 0; l < 20; l++) pieces.push(`let value_${l} = compute(${l}); // step\n`);
    pieces.push('```\n');
  }
  return pieces.slice(0, TOKENS);
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = startProcess(join(TARGET, PROFILE, 'llmops'), ['serve', '--port', String(port), '--ui-dir', join(ROOT, 'ui/dist')], {
  env: { LLMOPS_DATA_DIR: tempDataDir('bench-ui') },
});
const pieces = answer();
const endpoint = await startFakeEndpoint({ reply: () => pieces.join(''), split: () => pieces, perSecond: RATE });
let browser;
try {
  await waitFor('llmops serve', async () => (await api(base, 'GET', '/health')).status === 200);
  const added = (await api(base, 'POST', '/chat/endpoints', { name: 'bench', base_url: endpoint.baseUrl })).body;
  const conversation = (await api(base, 'POST', '/conversations', { target: { kind: 'endpoint', endpoint_id: added.id, model: endpoint.model } })).body;

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/#/chat/${conversation.id}`);
  await page.getByTestId('chat-input').waitFor();
  // Let the page settle (the chat warms up its Markdown renderer while idle), as it has by the
  // time a user has typed a question: the measure is the stream, not the page load.
  await page.waitForTimeout(1500);
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ duration: e.duration, at: e.startTime - (window.__sentAt ?? 0) });
    }).observe({ type: 'longtask', buffered: false });
    // Frame gaps: how smooth the page stays while the text grows.
    window.__frames = [];
    let last = performance.now();
    const tick = (now) => { window.__frames.push(now - last); last = now; if (!window.__stopFrames) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  await page.getByTestId('chat-input').fill('Stream the long answer.');
  await page.evaluate(() => { window.__sentAt = performance.now(); });
  const t0 = Date.now();
  await page.getByTestId('chat-send').click();
  const answerEl = page.locator('[data-testid="chat-message"][data-role="assistant"]').last();
  await waitFor('the whole answer', async () => (await answerEl.getAttribute('data-status')) === 'complete', 120_000, 100);
  const seconds = (Date.now() - t0) / 1000;
  const { longTasks, frames, chars } = await page.evaluate(() => {
    window.__stopFrames = true;
    const md = [...document.querySelectorAll('[data-testid="chat-message"][data-role="assistant"] [data-testid="markdown"]')].pop();
    return { longTasks: window.__longTasks, frames: window.__frames, chars: md.textContent.length };
  });
  const sorted = [...frames].sort((a, b) => a - b);
  const p = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const report = [
    '# Chat UI responsiveness while streaming',
    '',
    `${new Date().toISOString()}, ${PROFILE} llmops, Debian chromium (headless), ${TOKENS} tokens of Markdown at ${RATE} tokens/s from a scripted endpoint.`,
    '',
    `| measure | value |`,
    `| --- | ---: |`,
    `| stream duration | ${seconds.toFixed(1)} s |`,
    `| characters rendered | ${chars} |`,
    `| long tasks (> 50 ms) | ${longTasks.length} |`,
    `| longest task | ${longTasks.length ? Math.max(...longTasks.map((t) => t.duration)).toFixed(0) + ' ms' : '—'} |`,
    `| long tasks at (ms after send) | ${longTasks.map((t) => `${t.at.toFixed(0)} (${t.duration.toFixed(0)} ms)`).join(', ') || '—'} |`,
    `| frames | ${frames.length} |`,
    `| frame gap median / p95 / p99 / max | ${p(0.5).toFixed(1)} / ${p(0.95).toFixed(1)} / ${p(0.99).toFixed(1)} / ${sorted.at(-1).toFixed(1)} ms |`,
  ].join('\n');
  const out = join(ROOT, 'bench-output');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'chat-ui.md'), report + '\n');
  console.log(report);
} finally {
  await browser?.close().catch(() => {});
  await endpoint.close();
  await stopProcess(server);
}
