// Benchmark: chat streaming through llmops (`POST /api/chat/completions`, SSE re-framed by the
// core) versus directly to the same llama-server, interleaved in one run. Reports time to first
// token (TTFT) and tokens/s per path and their ratio; writes bench-output/chat-stream.md.
// Usage: npm run bench  (after npm run build)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { api, freePort, ROOT, STARTER_NAME, startProcess, stopProcess, tempDataDir, TARGET, waitFor } from '../tests/e2e/lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS || 10);
const MAX_TOKENS = 128;
const messages = [{ role: 'user', content: 'Tell me a long story about a lighthouse keeper.' }];

/** Streams one request and times it; `extract` turns one SSE data payload into text (or null). */
async function timed(url, body, extract) {
  const t0 = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
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
const server = startProcess(join(TARGET, 'debug/llmops'), ['serve', '--port', String(port), '--ui-dir', join(ROOT, 'ui/dist')], {
  env: { LLMOPS_DATA_DIR: tempDataDir('bench') },
});
try {
  await waitFor('llmops serve', async () => (await api(base, 'GET', '/health')).status === 200);
  const starter = (await api(base, 'GET', '/models')).body.find((m) => m.name === STARTER_NAME);
  const instance = (await api(base, 'POST', `/models/${starter.id}/start`)).body;
  await waitFor('running', async () => (await api(base, 'GET', `/instances/${instance.id}`)).body.state.kind === 'running', 120_000);

  const params = { temperature: 0, max_tokens: MAX_TOKENS };
  const direct = () => timed(`${instance.base_url}/chat/completions`, { messages, stream: true, ...params },
    (c) => c.choices?.[0]?.delta?.content);
  const gateway = () => timed(`${base}/api/chat/completions`, { instance_id: instance.id, messages, ...params },
    (c) => (c.event === 'delta' ? c.content : null));

  await direct(); // warm the prompt cache and the page cache alike for both paths
  await gateway();
  const results = { direct: [], gateway: [] };
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 ? [['gateway', gateway], ['direct', direct]] : [['direct', direct], ['gateway', gateway]];
    for (const [name, run] of order) results[name].push(await run());
  }
  await api(base, 'POST', `/instances/${instance.id}/stop`);

  const row = (name) => {
    const r = results[name];
    return { ttft: median(r.map((x) => x.ttft)), tps: median(r.map((x) => x.tokensPerSecond)), pieces: median(r.map((x) => x.pieces)) };
  };
  const d = row('direct');
  const g = row('gateway');
  const report = [
    `# Chat streaming: llmops vs direct llama-server`,
    ``,
    `${new Date().toISOString()}, ${ROUNDS} interleaved rounds, starter model, temperature 0, max_tokens ${MAX_TOKENS}.`,
    ``,
    `| path | median TTFT (ms) | median tokens/s | deltas |`,
    `| --- | ---: | ---: | ---: |`,
    `| direct to llama-server | ${d.ttft.toFixed(1)} | ${d.tps.toFixed(1)} | ${d.pieces} |`,
    `| through llmops (/api/chat/completions) | ${g.ttft.toFixed(1)} | ${g.tps.toFixed(1)} | ${g.pieces} |`,
    ``,
    `Ratio tokens/s (llmops / direct): **${(g.tps / d.tps * 100).toFixed(1)} %**; TTFT added at the median: **${(g.ttft - d.ttft).toFixed(1)} ms**.`,
  ].join('\n');
  const out = join(ROOT, 'bench-output');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'chat-stream.md'), report + '\n');
  console.log(report);
} finally {
  await stopProcess(server);
}
