// Benchmark: the /v1 gateway versus the same llama-server directly, side by side in one run.
// Same model, same prompts, `ignore_eos` so every answer has exactly max_tokens tokens; each
// round runs both paths back to back at the same concurrency (1, 8, 32, 100), alternating which
// goes first. Client-side metrics as vLLM's benchmark defines them (vllm/benchmarks/serve.py):
// TTFT to the first SSE chunk with non-empty `choices`, ITL between such chunks, E2EL to the
// last, TPOT = (E2EL − TTFT)/(usage.completion_tokens − 1). Also the cold start: how much later
// than the engine's own readiness (plus its own prompt time, `timings.prompt_ms`) the first token
// of an on-demand request arrives.
// Writes bench-output/gateway.md. Usage: npm run bench (BENCH_PROFILE=debug for the debug build;
// BENCH_CONCURRENCY=1,8 for some levels only; BENCH_ROUNDS for the rounds at concurrency 1).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { api, freePort, ROOT, STARTER_NAME, startProcess, stopProcess, tempDataDir, TARGET, waitFor } from '../tests/e2e/lib.mjs';

const PLAN = [
  { concurrency: 1, rounds: Number(process.env.BENCH_ROUNDS || 20), maxTokens: 64 },
  { concurrency: 8, rounds: 4, maxTokens: 32 },
  { concurrency: 32, rounds: 2, maxTokens: 32 },
  { concurrency: 100, rounds: 1, maxTokens: 32 },
].filter((p) => !process.env.BENCH_CONCURRENCY || process.env.BENCH_CONCURRENCY.split(',').includes(String(p.concurrency)));
const COLD_STARTS = 3;

/** One streamed chat completion, timed by chunk. */
async function request(url, model, maxTokens, headers, i) {
  const body = {
    model,
    messages: [{ role: 'user', content: `Request ${i}: tell me a long story about a lighthouse keeper.` }],
    max_tokens: maxTokens, temperature: 0, ignore_eos: true, stream: true, stream_options: { include_usage: true },
  };
  const t0 = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  const decoder = new TextDecoder();
  let buffer = '';
  const times = [];
  let tokens = null;
  let promptMs = null;
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const data = buffer.slice(0, cut).split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
      buffer = buffer.slice(cut + 2);
      if (!data || data === '[DONE]') continue;
      const parsed = JSON.parse(data);
      if (parsed.choices?.length) times.push(performance.now());
      if (parsed.usage) tokens = parsed.usage.completion_tokens;
      if (parsed.timings) promptMs = parsed.timings.prompt_ms;
    }
  }
  const ttft = times[0] - t0;
  const e2el = times[times.length - 1] - t0;
  const itl = times.slice(1).map((t, k) => t - times[k]);
  return { ttft, e2el, itl, tpot: tokens > 1 ? (e2el - ttft) / (tokens - 1) : null, tokens, promptMs };
}

/** `count` requests at once; the wall time of the batch, each request's timings, and failures. */
async function batch(url, model, maxTokens, headers, count) {
  const t0 = performance.now();
  const settled = await Promise.allSettled(Array.from({ length: count }, (_, i) => request(url, model, maxTokens, headers, i)));
  const results = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value);
  const failures = settled.filter((s) => s.status === 'rejected').map((s) => String(s.reason?.cause?.code || s.reason?.message || s.reason));
  return { wall: performance.now() - t0, results, failures };
}

const pct = (xs, q) => {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] : NaN;
};
const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const PROFILE = process.env.BENCH_PROFILE || 'release';
const server = startProcess(join(TARGET, PROFILE, 'llmops'), ['serve', '--port', String(port), '--ui-dir', join(ROOT, 'ui/dist')], {
  env: { LLMOPS_DATA_DIR: tempDataDir('bench-gateway') },
});
try {
  await waitFor('llmops serve', async () => (await api(base, 'GET', '/health')).status === 200);
  const status = (await api(base, 'GET', '/gateway')).body;
  const starter = status.models.find((m) => m.display_name === STARTER_NAME);
  // The gateway as users get it: as many requests at once as the engine has slots (4), the rest
  // waiting in its fair queue (made long enough here that none is refused).
  await api(base, 'PUT', `/gateway/models/${starter.model_id}`, { queue_limit: 10000, idle_ttl_secs: 0 });
  const v1 = `${base}/v1/chat/completions`;

  // Cold start, on demand: first token minus (engine ready − request sent), minus a warm TTFT.
  const cold = [];
  for (let k = 0; k < COLD_STARTS; k++) {
    const sent = Date.now();
    const first = await request(v1, starter.name, 4, {}, 0);
    const detail = (await api(base, 'GET', `/models/${starter.model_id}`)).body;
    const latest = detail.history[0];
    const ready = latest.transitions.find((t) => t.state === 'running').at;
    const starting = latest.transitions.find((t) => t.state === 'starting').at;
    // The engine's own time to the first token of that request: its prompt processing.
    cold.push({ engineStart: ready - starting, afterReady: first.ttft - (ready - sent) - first.promptMs, ttft: first.ttft, promptMs: first.promptMs });
    await api(base, 'POST', `/models/${starter.model_id}/stop`);
  }

  await request(v1, starter.name, 4, {}, 0); // start it for the rest
  const instance = (await api(base, 'GET', '/instances')).body.find((i) => i.model_id === starter.model_id && i.state.kind === 'running');
  const environ = readFileSync(`/proc/${instance.pid}/environ`, 'utf8').split('\0');
  const engineKey = environ.find((e) => e.startsWith('LLAMA_API_KEY='))?.slice('LLAMA_API_KEY='.length);
  const direct = { url: `${instance.base_url}/chat/completions`, headers: engineKey ? { authorization: `Bearer ${engineKey}` } : {} };
  const gateway = { url: v1, headers: {} };
  await request(direct.url, starter.name, 8, direct.headers, 0); // warm both alike
  await request(gateway.url, starter.name, 8, gateway.headers, 0);

  const rows = [];
  for (const { concurrency, rounds, maxTokens } of PLAN) {
    const runs = { direct: [], gateway: [] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? ['direct', 'gateway'] : ['gateway', 'direct'];
      for (const name of order) {
        const path = name === 'direct' ? direct : gateway;
        runs[name].push(await batch(path.url, starter.name, maxTokens, path.headers, concurrency));
      }
    }
    const summary = (name) => {
      const all = runs[name].flatMap((b) => b.results);
      const tokens = runs[name].reduce((sum, b) => sum + b.results.reduce((s, x) => s + x.tokens, 0), 0);
      const wall = runs[name].reduce((sum, b) => sum + b.wall, 0);
      return {
        ttft50: pct(all.map((x) => x.ttft), 0.5), ttft99: pct(all.map((x) => x.ttft), 0.99),
        itl50: pct(all.flatMap((x) => x.itl), 0.5), itl99: pct(all.flatMap((x) => x.itl), 0.99),
        tpot50: pct(all.map((x) => x.tpot), 0.5), e2el50: pct(all.map((x) => x.e2el), 0.5),
        throughput: tokens / (wall / 1000), requests: all.length,
        failures: runs[name].flatMap((b) => b.failures),
      };
    };
    // At concurrency 1 the rounds pair up request by request: the median of the per-pair
    // differences cancels the machine's drift (2 shared cores).
    const pairs = runs.direct.map((d, k) => runs.gateway[k].results[0]?.ttft - d.results[0]?.ttft).filter(Number.isFinite);
    rows.push({ concurrency, maxTokens, d: summary('direct'), g: summary('gateway'), pairedTtft50: concurrency === 1 ? pct(pairs, 0.5) : null });
  }

  const failed = (x) => (x.failures.length ? ` (+${x.failures.length} failed: ${[...new Set(x.failures)].join(', ')})` : '');
  const table = rows.map(({ concurrency, d, g, pairedTtft50 }) => [
    `| ${concurrency} | direct | ${d.requests}${failed(d)} | ${f(d.ttft50)} | ${f(d.ttft99)} | ${f(d.itl50)} | ${f(d.itl99)} | ${f(d.tpot50)} | ${f(d.e2el50, 1)} | ${f(d.throughput, 1)} | |`,
    `| ${concurrency} | /v1 | ${g.requests}${failed(g)} | ${f(g.ttft50)} | ${f(g.ttft99)} | ${f(g.itl50)} | ${f(g.itl99)} | ${f(g.tpot50)} | ${f(g.e2el50, 1)} | ${f(g.throughput, 1)} | TTFT ${f(g.ttft50 - d.ttft50)} ms p50${pairedTtft50 != null ? ` (paired ${f(pairedTtft50)})` : ''}, ${f(g.ttft99 - d.ttft99)} ms p99; ${f((g.throughput / d.throughput) * 100, 1)} % tokens/s |`,
  ].join('\n'));
  const coldRows = cold.map((c, k) => `| ${k + 1} | ${f(c.engineStart, 0)} | ${f(c.ttft, 1)} | ${f(c.promptMs, 1)} | ${f(c.afterReady, 1)} |`);
  const report = [
    '# /v1 gateway vs direct llama-server',
    '',
    `${new Date().toISOString()}, ${PROFILE} build, starter model (${STARTER_NAME}), 4 engine slots, temperature 0, ignore_eos. Metrics as vLLM's benchmark defines them, over completed requests; times in ms; tokens/s = all completion tokens / wall time of the batches. Through /v1 the gateway lets 4 requests (the engine's slots) reach the engine at once and queues the rest in arrival order; direct, all of them connect to llama-server at once.`,
    '',
    '| concurrency | path | completed requests | TTFT p50 | TTFT p99 | ITL p50 | ITL p99 | TPOT p50 | E2EL p50 | tokens/s | added by /v1 |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...table,
    '',
    '## Cold start (on demand)',
    '',
    'A request to the stopped model starts it. "After ready" = its first token − (the engine\'s Running transition − the request\'s send) − the engine\'s own prompt time for it (`timings.prompt_ms`): what the gateway adds once the engine is ready (readiness detection + forwarding).',
    '',
    '| start | engine start (ms) | TTFT of the on-demand request (ms) | engine prompt time (ms) | after ready (ms) |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...coldRows,
    '',
    `Median after ready: **${f(pct(cold.map((c) => c.afterReady), 0.5), 1)} ms**.`,
  ].join('\n');
  const out = join(ROOT, 'bench-output');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'gateway.md'), report + '\n');
  console.log(report);
} finally {
  await stopProcess(server);
}
