// Benchmark: chat streaming through llmops versus directly to the same llama-server, interleaved
// in one run. Two llmops paths: `POST /api/chat/completions` (a plain stream) and
// `POST /api/conversations/{id}/turns` (the UI's path: saved to SQLite as it streams).
// Reports time to first token (TTFT) and tokens/s per path and their ratio to direct; writes
// bench-output/chat-stream.md. Usage: npm run bench  (builds the release binary first;
// BENCH_PROFILE=debug uses the debug build of `npm test`).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { api, freePort, ROOT, STARTER_NAME, startProcess, stopProcess, tempDataDir, TARGET, waitFor } from '../tests/e2e/lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS || 10);
const MAX_TOKENS = 128;
const messages = [{ role: 'user', content: 'Tell me a long story about a lighthouse keeper.' }];

/** Streams one request and times it; `extract` turns one SSE data payload into text (or null). */
async function timed(url, body, extract, headers = {}) {
  const t0 = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  const decoder = new TextDecoder();
  let buffer = '';
  let first = null;
  let last = null;
  let pieces = 0;
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
      if (!data || data === '[DONE]') continue;
      if (extract(JSON.parse(data))) {
        const now = performance.now();
        first ??= now;
        last = now;
        pieces++;
      }
    }
  }
  return { ttft: first - t0, tokensPerSecond: (pieces - 1) / ((last - first) / 1000), pieces };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const PROFILE = process.env.BENCH_PROFILE || 'release';
const server = startProcess(join(TARGET, PROFILE, 'llmops'), ['serve', '--port', String(port), '--ui-dir', join(ROOT, 'ui/dist')], {
  env: { LLMOPS_DATA_DIR: tempDataDir('bench') },
});
try {
  await waitFor('llmops serve', async () => (await api(base, 'GET', '/health')).status === 200);
  const starter = (await api(base, 'GET', '/models')).body.find((m) => m.name === STARTER_NAME);
  const instance = (await api(base, 'POST', `/models/${starter.id}/start`)).body;
  await waitFor('running', async () => (await api(base, 'GET', `/instances/${instance.id}`)).body.state.kind === 'running', 120_000);

  const params = { temperature: 0, max_tokens: MAX_TOKENS };
  // The engine answers only with its per-instance key, which llmops keeps in the engine's
  // environment; the benchmark runs as the same user, so it reads it there, as llmops would send it.
  const running = (await api(base, 'GET', `/instances/${instance.id}`)).body;
  const environ = readFileSync(`/proc/${running.pid}/environ`, 'utf8').split('\0');
  const engineKey = environ.find((e) => e.startsWith('LLAMA_API_KEY='))?.slice('LLAMA_API_KEY='.length);
  const auth = engineKey ? { authorization: `Bearer ${engineKey}` } : {};
  const direct = () => timed(`${instance.base_url}/chat/completions`, { messages, stream: true, ...params },
    (c) => c.choices?.[0]?.delta?.content, auth);
  const delta = (c) => (c.event === 'delta' ? c.content : null);
  const gateway = () => timed(`${base}/api/chat/completions`, { instance_id: instance.id, messages, ...params }, delta);
  const conversation = (await api(base, 'POST', '/conversations', { target: { kind: 'model', model_id: starter.id }, params: { ...params, stop: [] } })).body;
  const turns = `${base}/api/conversations/${conversation.id}/turns`;
  // Every round regenerates the answer to the same question: same prompt as the other paths.
  const saved = () => timed(turns, { action: 'regenerate' }, delta);

  await direct(); // warm the prompt cache and the page cache alike for every path
  await gateway();
  await timed(turns, { action: 'send', content: messages[0].content }, delta);
  const paths = [['direct', direct], ['gateway', gateway], ['saved', saved]];
  const results = { direct: [], gateway: [], saved: [] };
  for (let i = 0; i < ROUNDS; i++) {
    const order = paths.map((_, k) => paths[(k + i) % paths.length]); // rotate who goes first
    for (const [name, run] of order) results[name].push(await run());
  }
  await api(base, 'POST', `/instances/${instance.id}/stop`);

  const row = (name) => {
    const r = results[name];
    return { ttft: median(r.map((x) => x.ttft)), tps: median(r.map((x) => x.tokensPerSecond)), pieces: median(r.map((x) => x.pieces)) };
  };
  const d = row('direct');
  const g = row('gateway');
  const c = row('saved');
  // Each round runs every path back to back: comparing within a round cancels the machine's
  // drift (2 shared cores), so the medians of the per-round ratios and differences are reported.
  const ratio = (name) => {
    const tps = median(results[name].map((r, i) => r.tokensPerSecond / results.direct[i].tokensPerSecond));
    const ttft = median(results[name].map((r, i) => r.ttft - results.direct[i].ttft));
    return `${(tps * 100).toFixed(1)} % tokens/s, TTFT ${ttft >= 0 ? '+' : ''}${ttft.toFixed(1)} ms`;
  };
  const report = [
    `# Chat streaming: llmops vs direct llama-server`,
    ``,
    `${new Date().toISOString()}, ${ROUNDS} interleaved rounds, ${PROFILE} build, starter model, temperature 0, max_tokens ${MAX_TOKENS}.`,
    ``,
    `| path | median TTFT (ms) | median tokens/s | deltas |`,
    `| --- | ---: | ---: | ---: |`,
    `| direct to llama-server | ${d.ttft.toFixed(1)} | ${d.tps.toFixed(1)} | ${d.pieces} |`,
    `| through llmops (/api/chat/completions) | ${g.ttft.toFixed(1)} | ${g.tps.toFixed(1)} | ${g.pieces} |`,
    `| through llmops, saved conversation (/api/conversations/{id}/turns) | ${c.ttft.toFixed(1)} | ${c.tps.toFixed(1)} | ${c.pieces} |`,
    ``,
    `Versus direct, median of the per-round comparisons: plain stream **${ratio('gateway')}**; saved conversation (the UI's path) **${ratio('saved')}**.`,
  ].join('\n');
  const out = join(ROOT, 'bench-output');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'chat-stream.md'), report + '\n');
  console.log(report);
} finally {
  await stopProcess(server);
}
