// The /v1 gateway through the official `openai` Python SDK (pinned from PyPI in a venv under the
// cache by scripts/setup.sh): a fresh `llmops serve` with the starter model stopped; the SDK lists
// models, chats (plain and streamed with usage), completes, stops at stop sequences, and gets
// typed errors. Then every request is in the Requests list with its measurements.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import {
  api, freePort, outputDir, requireFile, startProcess, step, stopProcess, tempDataDir, waitFor,
  STARTER_NAME, TARGET, ROOT, CACHE,
} from './lib.mjs';

const OPENAI_VERSION = '3.57.0';
const out = outputDir('gateway');
const binary = join(TARGET, 'debug/llmops');
const python = join(CACHE, `tools/openai-${OPENAI_VERSION}/bin/python`);
const parts = [
  requireFile(binary, 'the llmops binary (cargo build -p llmops-server)'),
  requireFile(python, `the openai ${OPENAI_VERSION} SDK venv (scripts/setup.sh)`),
  requireFile(join(CACHE, 'models/SmolLM2-135M-Instruct-Q4_1.gguf'), 'the starter model'),
];
if (parts.includes(false)) process.exit(0);

const dataDir = tempDataDir('gateway');
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = startProcess(binary, ['serve', '--port', String(port), '--ui-dir', '/nonexistent/ui'], {
  env: { LLMOPS_DATA_DIR: dataDir, LLMOPS_NVML_LIB: '/nonexistent/libnvidia-ml.so.1' },
  logName: 'server.log',
});
try {
  await waitFor('the server', async () => (await api(base, 'GET', '/health')).status === 200);
  const status = (await api(base, 'GET', '/gateway')).body;
  const starter = status.models.find((m) => m.display_name === STARTER_NAME);
  assert.ok(starter, `the starter model in ${JSON.stringify(status.models)}`);
  assert.equal(starter.state, 'stopped');
  assert.deepEqual(status.addresses, [`${base}/v1`]);

  step(`the openai ${OPENAI_VERSION} SDK against ${base}/v1 (model ${starter.name}, started on demand)`);
  const run = spawnSync(python, [join(ROOT, 'tests/e2e/gateway_openai.py')], {
    env: { ...process.env, OPENAI_BASE_URL: `${base}/v1`, LLMOPS_MODEL: starter.name },
    encoding: 'utf8',
    timeout: 300_000,
  });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  assert.equal(run.status, 0, 'every SDK check passes');

  step('every SDK request is recorded, measured and counted');
  // Written a moment after each answer ends.
  let records = [];
  await waitFor('the last request recorded', async () => {
    records = (await api(base, 'GET', '/gateway/requests?limit=100')).body;
    return records.some((r) => r.outcome === 'engine_error');
  }, 10_000);
  const streamed = records.filter((r) => r.streamed && r.outcome === 'ok');
  assert.ok(streamed.length >= 2, JSON.stringify(records));
  for (const record of streamed) {
    assert.ok(record.ttft_ms > 0 && record.e2el_ms >= record.ttft_ms, JSON.stringify(record));
    assert.equal(record.model_name, starter.name);
  }
  assert.ok(records.some((r) => r.outcome === 'rejected' && r.error.code === 'model_not_found'));
  assert.ok(records.some((r) => r.outcome === 'engine_error' && r.status === 400));
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, new RegExp(`llmops_requests_total\\{model="${starter.name}",status="200"\\} \\d+`));
  assert.match(metrics, /llmops_engine_llamacpp_tokens_predicted_total\{model="[^"]+",instance_id="[^"]+"\} \d+/);
  step(`gateway E2E passed; server log in ${out}`);
} finally {
  await stopProcess(server);
}
