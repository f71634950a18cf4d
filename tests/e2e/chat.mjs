// Chat E2E in the browser (`llmops serve` + Debian chromium through playwright-core): create a
// conversation with the starter model, stream, stop with Esc, find it by search, export it as
// valid JSON, find it again after a reload; then an external endpoint (a scripted
// OpenAI-compatible server) whose reply carries XSS payloads that must render as inert text.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { startFakeEndpoint } from './fakeEndpoint.mjs';
import {
  api, freePort, outputDir, requireFile, startProcess, step, stopProcess, tempDataDir, waitFor,
  STARTER_NAME, TARGET, ROOT, CACHE,
} from './lib.mjs';

const out = outputDir('chat');
const binary = join(TARGET, 'debug/llmops');
const parts = [
  requireFile(binary, 'the llmops binary (cargo build -p llmops-server)'),
  requireFile('/usr/bin/chromium', 'Debian chromium'),
  requireFile(join(CACHE, 'models/SmolLM2-135M-Instruct-Q4_1.gguf'), 'the starter model'),
  requireFile(join(ROOT, 'ui/dist/index.html'), 'the built UI (npm run ui:build)'),
];
if (parts.includes(false)) process.exit(0);

const XSS_REPLY = [
  'Here is **bold** text and some payloads:',
  '<img src=x onerror="window.__xss=1">',
  '<script>window.__xss=2</script>',
  '[click me](javascript:window.__xss=3)',
  '<a href="javascript:window.__xss=4" onmouseover="window.__xss=5">hover</a>',
  '```js\nconst safe = "<b>not bold</b>";\n```',
].join('\n\n');

const dataDir = tempDataDir('chat');
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = startProcess(binary, ['serve', '--port', String(port), '--ui-dir', join(ROOT, 'ui/dist')], {
  env: { LLMOPS_DATA_DIR: dataDir },
  logName: 'server.log',
});
const endpoint = await startFakeEndpoint({ reply: () => XSS_REPLY, perSecond: 400 });
let browser;
try {
  step(`llmops serve on ${base}; the starter model started through the API`);
  await waitFor('the server', async () => (await api(base, 'GET', '/health')).status === 200);
  const starter = (await api(base, 'GET', '/models')).body.find((m) => m.name === STARTER_NAME);
  const instance = (await api(base, 'POST', `/models/${starter.id}/start`)).body;
  await waitFor('running', async () => (await api(base, 'GET', `/instances/${instance.id}`)).body.state.kind === 'running', 120_000);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('dialog', (d) => d.dismiss()); // an alert() from a payload would show up here
  await page.goto(`${base}/#/chat`);

  step('a new conversation: the first message creates it and the answer streams in');
  const target = page.getByTestId('chat-target');
  await target.waitFor();
  await target.selectOption(`model:${starter.id}`);
  await page.getByTestId('chat-input').fill('Name three colours of the sea.');
  await page.getByTestId('chat-send').click();
  const lastAnswer = page.locator('[data-testid="chat-message"][data-role="assistant"]').last();
  await waitFor('a finished answer', async () => (await lastAnswer.getAttribute('data-status')) !== 'streaming'
    && (await page.getByTestId('chat-stats').count()) > 0, 180_000, 200);
  const firstText = (await lastAnswer.getByTestId('markdown').innerText()).trim();
  assert.ok(firstText.length > 0, 'the model answered');
  const stats = await page.getByTestId('chat-stats').last().innerText();
  assert.match(stats, /tok\/s/, `speed shown: ${stats}`);
  const item = page.getByTestId('conversation-item').first();
  await waitFor('the automatic title', async () => /Name three colours/.test(await item.innerText()));
  const conversationId = await item.getAttribute('data-conversation-id');
  console.log(`    answer: ${firstText.slice(0, 100)} | ${stats}`);

  step('stop: Esc ends a long answer, the text so far stays, marked stopped');
  await page.getByTestId('chat-params-toggle').click();
  await page.getByTestId('param-max-tokens').fill('3000');
  await page.getByTestId('param-save').click();
  await page.getByTestId('param-saved').waitFor();
  await page.getByTestId('chat-input').fill('Write a very long story about a lighthouse.');
  await page.getByTestId('chat-send').click();
  const secondAnswer = page.locator('[data-testid="chat-message"][data-role="assistant"]').nth(1);
  await waitFor('some streamed text', async () => (await secondAnswer.getByTestId('markdown').count()) > 0
    && (await secondAnswer.getByTestId('markdown').innerText()).length > 40, 60_000, 100);
  await page.keyboard.press('Escape');
  await waitFor('stopped', async () => (await secondAnswer.getAttribute('data-status')) === 'stopped', 10_000, 100);
  await page.getByTestId('chat-stop').waitFor({ state: 'detached' });
  // The page shows "stopped" as soon as it closes the stream; the server saves the final state
  // when it sees the stream closed, a moment later.
  const saved = await waitFor('the server to save the answer as stopped', async () => {
    const body = (await api(base, 'GET', `/conversations/${conversationId}`)).body;
    return body.messages.at(-1)?.status === 'stopped' ? body : null;
  }, 10_000, 100);
  const stoppedMessage = saved.messages.at(-1);
  assert.equal(stoppedMessage.status, 'stopped', 'the server saved it as stopped');
  assert.ok(stoppedMessage.content.length > 40, `with its text: ${JSON.stringify(stoppedMessage)}`);
  await page.screenshot({ path: join(out, '1-conversation.png') });

  step('search finds the conversation by a word of the question');
  await page.getByTestId('chat-search').fill('lighthouse');
  const hit = page.getByTestId('chat-search-result').first();
  await hit.waitFor({ timeout: 10_000 });
  assert.match(await hit.innerText(), /lighthouse/i);
  assert.ok((await hit.locator('mark').count()) > 0, 'the match is highlighted');
  await page.getByTestId('chat-search').fill('');

  step('export: the JSON download is a valid conversation');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('chat-export-json').click()]);
  const file = join(out, download.suggestedFilename());
  await download.saveAs(file);
  const exported = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(exported.format, 'llmops.conversation.v1');
  assert.equal(exported.conversation.id, conversationId);
  assert.equal(exported.messages.length, 4);
  console.log(`    downloaded ${download.suggestedFilename()}`);

  step('after a reload the conversation and its messages are still there');
  await page.reload();
  await page.locator(`[data-testid="conversation-item"][data-conversation-id="${conversationId}"]`).click();
  await waitFor('four messages', async () => (await page.getByTestId('chat-message').count()) === 4, 10_000, 100);

  step('regenerate keeps the earlier answer as version 1 of 2; a deleted message comes back with Undo');
  await page.getByTestId('chat-params-toggle').click();
  await page.getByTestId('param-max-tokens').fill('24');
  await page.getByTestId('param-save').click();
  await page.getByTestId('param-saved').waitFor();
  const stoppedText = (await secondAnswer.getByTestId('markdown').innerText()).trim();
  await secondAnswer.hover();
  await secondAnswer.getByTestId('msg-regenerate').click();
  const regenerated = page.locator('[data-testid="chat-message"][data-role="assistant"]').nth(1);
  await waitFor('the new version', async () => (await regenerated.getAttribute('data-status')) === 'complete'
    && /2\s*\/\s*2/.test(await regenerated.getByTestId('msg-version-count').innerText().catch(() => '')), 120_000, 200);
  await regenerated.getByTestId('msg-version-prev').click();
  await waitFor('version 1 shown again', async () =>
    /1\s*\/\s*2/.test(await regenerated.getByTestId('msg-version-count').innerText().catch(() => ''))
    && (await regenerated.getByTestId('markdown').innerText()).trim() === stoppedText, 10_000, 100);
  await regenerated.getByTestId('msg-version-next').click();
  await waitFor('version 2 shown', async () =>
    /2\s*\/\s*2/.test(await regenerated.getByTestId('msg-version-count').innerText().catch(() => '')), 10_000, 100);
  const firstUser = page.locator('[data-testid="chat-message"][data-role="user"]').first();
  await firstUser.hover();
  await firstUser.getByTestId('msg-delete').click();
  await page.getByTestId('msg-undo').waitFor();
  await waitFor('three messages', async () => (await page.getByTestId('chat-message').count()) === 3, 10_000, 100);
  await page.getByTestId('msg-undo').click();
  await waitFor('four messages again', async () => (await page.getByTestId('chat-message').count()) === 4, 10_000, 100);
  const restored = (await api(base, 'GET', `/conversations/${conversationId}`)).body;
  assert.equal(restored.messages[0].content, 'Name three colours of the sea.', 'the first message is back in its place');
  assert.equal(restored.messages[3].versions, 2);

  step('the context meter shows how much of the 2,048-token context the chat uses');
  const contextLine = page.getByTestId('chat-context-text');
  await contextLine.waitFor();
  const contextText = await contextLine.innerText();
  assert.match(contextText, /\d[\d,]* \/ 2,048/, `context usage: ${contextText}`);
  assert.equal(Number(await page.getByTestId('chat-context-meter').getAttribute('aria-valuemax')), 2048);
  await page.screenshot({ path: join(out, '1b-versions-context.png') });
  console.log(`    context: ${contextText}`);

  step('an external endpoint: added in the UI, its reply with XSS payloads renders as text');
  await page.getByTestId('chat-new').click();
  await page.getByTestId('chat-start-panel').getByTestId('chat-endpoints-open').click();
  await page.getByTestId('endpoint-name').fill('Scripted');
  await page.getByTestId('endpoint-url').fill(endpoint.baseUrl);
  await page.getByTestId('endpoint-key').fill('sk-e2e');
  await page.getByTestId('endpoint-add').click();
  await page.getByTestId('endpoint-key-set').waitFor();
  await page.getByTestId('chat-endpoints-close').click();
  await waitFor('the endpoint model in the picker', async () =>
    (await page.locator(`[data-testid="chat-target"] option[value$=":${endpoint.model}"]`).count()) > 0, 10_000, 100);
  const value = await page.locator(`[data-testid="chat-target"] option[value$=":${endpoint.model}"]`).first().getAttribute('value');
  await page.getByTestId('chat-target').selectOption(value);
  await page.getByTestId('chat-input').fill('Show me something dangerous.');
  await page.getByTestId('chat-send').click();
  await waitFor('the scripted answer', async () => (await lastAnswer.getAttribute('data-status')) === 'complete', 30_000, 100);
  const markdown = lastAnswer.getByTestId('markdown');
  const shown = await markdown.innerText();
  assert.match(shown, /Here is bold text/);
  assert.match(shown, /<img src=x onerror="window.__xss=1">/, 'raw HTML shows as text');
  assert.match(shown, /<script>window.__xss=2<\/script>/);
  await markdown.getByText('hover').hover().catch(() => {});
  for (const link of await markdown.locator('a').all()) await link.click({ modifiers: ['Control'] }).catch(() => {});
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no payload ran');
  const unsafe = await markdown.evaluate((root) => [...root.querySelectorAll('*')].flatMap((el) =>
    [...el.attributes].filter((a) => /^on/i.test(a.name) || /javascript:/i.test(a.value)).map((a) => `${el.tagName} ${a.name}=${a.value}`)));
  assert.deepEqual(unsafe, [], 'no event handler or javascript: URL in the DOM');
  assert.equal(await markdown.locator('script, img, iframe').count(), 0);
  assert.ok((await markdown.locator('.code-block').count()) === 1, 'the code block is highlighted');
  const sent = endpoint.requests.find((r) => r.method === 'POST');
  assert.equal(sent.headers.authorization, 'Bearer sk-e2e', 'the API key reached the endpoint');
  await page.screenshot({ path: join(out, '2-endpoint-xss.png') });
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  console.log('chat e2e: passed');
} catch (err) {
  console.error(`chat e2e: FAILED: ${err.stack || err}`);
  process.exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  await endpoint.close();
  await stopProcess(server);
  writeFileSync(join(out, server.logName), server.logText());
}
