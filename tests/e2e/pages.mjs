// Page checks shared by the browser end-to-end tests: axe-core (WCAG 2 A/AA), one <h1> per page,
// no horizontal scroll on a phone, and a full-page screenshot.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { api, step, tempDataDir, waitFor } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The WCAG 2.0/2.1 level A and AA rules. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/** Violations of these impacts fail a page; "minor" and "moderate" are reported only. */
const FAILING_IMPACTS = new Set(['serious', 'critical']);

/**
 * Injects axe-core into the page (once per document) and runs the WCAG 2 A/AA rules. The source
 * goes in through the DevTools protocol rather than a <script> tag, so the app's Content Security
 * Policy (script-src 'self') stays in force while it is tested.
 */
export async function runAxe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(`${AXE_SOURCE}\n;void 0`);
  }
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target.join(' '),
        summary: (n.failureSummary || '').replace(/\s+/g, ' ').trim(),
        html: n.html.slice(0, 160),
      })),
    }));
  }, AXE_TAGS);
}

/** A readable list of violations, one line per rule and one per element. */
export function formatViolations(violations) {
  return violations
    .map((v) => [
      `[${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} element${v.nodes.length === 1 ? '' : 's'})`,
      ...v.nodes.slice(0, 8).map((n) => `      ${n.target} — ${n.summary}`),
      ...(v.nodes.length > 8 ? [`      … and ${v.nodes.length - 8} more`] : []),
    ].join('\n'))
    .join('\n');
}

/** How many <h1> elements the page has (hidden or not: a visually-hidden h1 still counts). */
export function countH1(page) {
  return page.evaluate(() => document.querySelectorAll('h1').length);
}

/**
 * Horizontal overflow of the page: null when the document is no wider than the viewport, else
 * the widths and the widest elements that stick out past the right edge (elements inside a
 * scrolling or clipping box are left out: they do not widen the page).
 */
export function horizontalOverflow(page) {
  return page.evaluate(() => {
    const viewport = window.innerWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth <= viewport) return null;
    const describe = (el) => {
      let s = el.tagName.toLowerCase();
      if (el.id) s += `#${el.id}`;
      const testid = el.getAttribute('data-testid');
      if (testid) s += `[data-testid="${testid}"]`;
      const cls = [...el.classList].slice(0, 3).join('.');
      if (cls) s += `.${cls}`;
      return s;
    };
    const clipped = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o !== 'visible') return true;
      }
      return false;
    };
    const offenders = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= viewport + 0.5 || clipped(el)) continue;
      offenders.push({ element: describe(el), width: Math.round(r.width), right: Math.round(r.right), text: (el.textContent || '').trim().slice(0, 60) });
    }
    offenders.sort((a, b) => b.width - a.width);
    return { viewport, scrollWidth, widest: offenders.slice(0, 3) };
  });
}

/**
 * Checks the page as it is now: axe (serious or critical violations fail), exactly one <h1>,
 * and, when `phone` is set, no horizontal scroll. Takes a full-page screenshot to `screenshot`.
 * Returns the problems found (empty: all good) and every violation axe reported.
 */
export async function checkPage(page, { label, phone = false, screenshot }) {
  const problems = [];
  const violations = await runAxe(page);
  const failing = violations.filter((v) => FAILING_IMPACTS.has(v.impact));
  if (failing.length) problems.push(`${label}: axe found ${failing.length} serious/critical violation(s):\n${formatViolations(failing)}`);
  const h1 = await countH1(page);
  if (h1 !== 1) problems.push(`${label}: expected exactly one <h1>, found ${h1}`);
  if (phone) {
    const overflow = await horizontalOverflow(page);
    if (overflow) {
      const widest = overflow.widest.map((o) => `${o.element} (${o.width} px wide, right edge at ${o.right} px${o.text ? `, “${o.text}”` : ''})`);
      problems.push(`${label}: the page scrolls sideways (${overflow.scrollWidth} px in a ${overflow.viewport} px viewport); widest: ${widest.join('; ') || 'none found'}`);
    }
  }
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  return { problems, violations };
}

/** Every page of the app, where to find it and what shows it is ready (beyond its own heading). */
const PAGES = [
  { name: 'dashboard', hash: () => '#/', ready: '[data-testid="cpu-usage"], [data-testid="model-row"]', all: true },
  { name: 'deploy', hash: () => '#/deploy', ready: '[data-testid="deploy-engine-status"]' },
  { name: 'model', hash: (ids) => `#/models/${ids.modelId}`, ready: '[data-testid="model-history"]' },
  { name: 'chat', hash: (ids) => `#/chat/${ids.conversationId}`, ready: '[data-testid="chat-message"]', extra: chatLayout },
  { name: 'requests', hash: () => '#/requests', ready: '[data-testid="request-row"], [data-testid="requests-empty"]' },
  { name: 'hub', hash: () => '#/hub', ready: '[data-testid="hub-search-input"]' },
  { name: 'engines', hash: () => '#/engines', ready: '[data-testid="engines-hardware"]' },
  { name: 'benchmarks', hash: () => '#/benchmarks', ready: '[data-testid="bench-start"]' },
  { name: 'runs', hash: () => '#/runs', ready: '[data-testid="run-filter-model"]' },
  { name: 'sweeps', hash: () => '#/sweeps', ready: '[data-testid="sweep-start"]' },
  { name: 'history', hash: () => '#/history', ready: '[data-testid="history-chart"]' },
  { name: 'alerts', hash: () => '#/alerts', ready: '[data-testid="alert-rules-form"] input' },
  { name: 'access', hash: () => '#/access', ready: '[data-testid="access-keys"]' },
  { name: 'settings', hash: () => '#/settings', ready: '[data-testid="settings-browser"]' },
];
const SIZES = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

/**
 * Every page, at desktop and phone size, in English and 简体中文 (chosen in the UI, as a user
 * would), with the theme following the system's dark and light schemes: axe-core's WCAG 2 A/AA
 * rules (serious or critical violations fail), exactly one <h1>, no sideways scroll on the phone,
 * and a full-page screenshot of each in test-output/browser/pages.
 */
export async function everyPage(browser, base, { dir, consoleErrors, ids, only = {} }) {
  const langs = only.langs ?? ['en', 'zh'];
  const sizes = only.sizes ?? ['desktop', 'phone'];
  const themes = only.themes ?? ['dark', 'light'];
  const pages = PAGES.filter((p) => !only.pages || only.pages.includes(p.name));
  step('Every page × desktop/phone × English/中文 × dark/light: axe, one <h1>, no sideways scroll');
  mkdirSync(dir, { recursive: true });
  const context = await browser.newContext({ viewport: SIZES.desktop, colorScheme: 'dark' });
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const problems = [];
  const report = [];
  const started = Date.now();
  try {
    await page.goto(base);
    for (const lang of langs) {
      await chooseLanguage(page, lang);
      for (const size of sizes) {
        await page.setViewportSize(SIZES[size]);
        for (const theme of themes) {
          await page.emulateMedia({ colorScheme: theme });
          for (const p of pages) {
            await openPage(page, p, ids, dir);
            const label = `${lang} ${size} ${theme} ${p.name}`;
            const screenshot = join(dir, `${lang}-${size}-${p.name}${theme === 'light' ? '-light' : ''}.png`);
            const result = await checkPage(page, { label, phone: size === 'phone', screenshot });
            problems.push(...result.problems);
            for (const v of result.violations) report.push({ page: label, ...v });
            if (p.extra) problems.push(...(await p.extra(page, { label, phone: size === 'phone' })));
          }
        }
      }
    }
  } finally {
    writeFileSync(join(dir, 'axe-report.json'), JSON.stringify(report, null, 2));
    await context.close();
  }
  console.log(`    ${pages.length * langs.length * sizes.length * themes.length} page views checked in ${((Date.now() - started) / 1000).toFixed(1)} s; ${report.length} axe finding(s) of any impact (see pages/axe-report.json)`);
  assert.equal(problems.length, 0, `page checks failed:\n${problems.join('\n')}`);
}

/** What the page pass shows: a failed model (for its folded log and failure reason) and the chat. */
export async function pageFixtures(base) {
  const conversations = (await api(base, 'GET', '/conversations')).body;
  assert.ok(conversations.length > 0, 'the chat step left a conversation');
  // A file that claims to be a GGUF but is not one: the engine starts and fails with its output.
  const file = join(tempDataDir('broken-gguf'), 'broken.gguf');
  writeFileSync(file, Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(60, 7)]));
  const added = await api(base, 'POST', '/models', { name: 'Broken weights', path: file });
  assert.equal(added.status < 300, true, `the broken model is added: ${JSON.stringify(added.body)}`);
  await api(base, 'POST', `/models/${added.body.id}/start`);
  await waitFor('the broken model to fail', async () => {
    const instances = (await api(base, 'GET', '/instances')).body;
    return instances.some((i) => i.model_id === added.body.id && i.state.kind === 'failed');
  }, 30_000, 200);
  return { modelId: added.body.id, conversationId: conversations[0].id };
}

/** Switches the language with the header's control (it persists), checked by the document's lang. */
async function chooseLanguage(page, lang) {
  const want = lang === 'zh' ? 'zh-CN' : 'en';
  if ((await page.evaluate(() => document.documentElement.lang)) !== want) await page.getByTestId('lang-toggle').click();
  await waitFor(`the UI in ${lang}`, async () => (await page.evaluate(() => document.documentElement.lang)) === want, 5_000, 50);
  await page.reload();
  assert.equal(await page.evaluate(() => document.documentElement.lang), want, 'the language choice persists across a reload');
}

/** Opens a page in the running app (no reload) and waits until it shows its content. */
async function openPage(page, p, ids, dir) {
  const target = p.hash(ids);
  const deadline = Date.now() + 30_000;
  try {
    // Just after a reload, the router puts back the address it loaded with when its first
    // navigation (a lazily loaded page) ends after our change: set it again until it sticks.
    for (;;) {
      await page.evaluate((hash) => { if (location.hash !== hash) location.hash = hash; }, target);
      try {
        await page.locator(p.ready).first().waitFor({ timeout: 1_000 });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
    }
  } catch (err) {
    // Say what the page showed instead, for the test output.
    await page.screenshot({ path: join(dir, `not-ready-${p.name}.png`), fullPage: true }).catch(() => {});
    const shown = (await page.evaluate(() => document.body.innerText).catch(() => '')).slice(0, 600);
    throw new Error(`${p.name} did not show ${p.ready} within 30 s (${page.url()}); it showed:\n${shown}\n${err.message}`);
  }
  // Let pending renders and transitions settle before measuring.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 120)))));
}

/**
 * The chat's layout: on a phone the messages keep most of the screen (the header's tools fold
 * behind a toggle), and the parameters panel never hides its Save button, at either size.
 */
async function chatLayout(page, { label, phone }) {
  const problems = [];
  const listHeight = async () => (await page.locator('.chat-list').boundingBox())?.height ?? 0;
  const viewport = page.viewportSize();
  if (phone) {
    const share = (await listHeight()) / viewport.height;
    if (share < 0.5) problems.push(`${label}: the messages get ${(share * 100).toFixed(0)} % of the phone's height (want at least 50 %)`);
    await page.getByTestId('chat-tools-toggle').click();
  }
  await page.getByTestId('chat-params-toggle').click();
  const save = await page.getByTestId('param-save').boundingBox();
  const panel = await page.getByTestId('chat-params').boundingBox();
  if (!save || !panel || save.y < panel.y - 1 || save.y + save.height > panel.y + panel.height + 1 || save.y + save.height > viewport.height) {
    problems.push(`${label}: with Parameters open, Save is not fully in view (save ${JSON.stringify(save)}, panel ${JSON.stringify(panel)})`);
  }
  if (phone && (await listHeight()) < 120) problems.push(`${label}: with Parameters open the messages shrink to ${await listHeight()} px`);
  await page.getByTestId('param-close').click();
  await page.getByTestId('chat-params').waitFor({ state: 'detached' });
  return problems;
}
