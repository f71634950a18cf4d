// The API document: `GET /api/openapi.json` validates as OpenAPI 3.1 (@apidevtools/swagger-parser),
// and schemathesis (pinned, from PyPI; installed by scripts/setup.sh) fuzzes every operation with
// it, except those that start processes, open WebSockets or reach out to other servers. It must
// find no 5xx, and every answer must match its documented status codes, content type and schema.
// Two request-strictness checks are left out: JSON Schema cannot say what our validation says
// (an existing absolute path, raise above clear), so schema-valid requests may rightly get a 400.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';

import { freePort, outputDir, requireFile, startProcess, step, stopProcess, tempDataDir, waitFor, CACHE, TARGET } from './lib.mjs';

const SCHEMATHESIS_VERSION = '4.32.5';
const out = outputDir('api');
const binary = join(TARGET, 'debug/llmops');
const schemathesis = join(CACHE, `tools/schemathesis-${SCHEMATHESIS_VERSION}/bin/schemathesis`);
const parts = [
  requireFile(binary, 'the llmops binary (cargo build -p llmops-server)'),
  requireFile(schemathesis, `schemathesis ${SCHEMATHESIS_VERSION} (scripts/setup.sh)`),
];
if (parts.includes(false)) process.exit(0);

// By operationId, which is the operation's name in crates/core/src/operations/table.rs.
const EXCLUDED = [
  'start_model', 'deploy_model', 'chat_turn', 'chat_completions', // start engines
  'events', 'follow_model_logs', // WebSockets
  'chat_endpoint_models', // requests a URL the fuzzer chose
  // Reach out to a model hub or an Ollama daemon (tested against local ones in tests/e2e/hub.mjs).
  'search_hub', 'hub_repo', 'fit_hub_file', 'start_download', 'resume_download', 'pull_ollama_model', 'connect_ollama_chat',
  // Send load through the gateway (which starts models) or run llama-bench (crates/core/tests/bench.rs).
  'start_benchmark', 'start_hardware_benchmark',
  // Restarts models once per configuration (crates/core/tests/runs_sweeps.rs).
  'start_sweep',
  // Reach out to a release server (tested against a local one in crates/server/tests/engines.rs).
  'list_engine_releases', 'install_engine_runtime',
];

const dir = tempDataDir('api');
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = startProcess(binary, ['serve', '--port', String(port), '--ui-dir', '/nonexistent/ui'], {
  env: {
    LLMOPS_DATA_DIR: join(dir, 'data'), LLMOPS_CACHE_DIR: join(dir, 'cache'), LLMOPS_NVML_LIB: '/nonexistent/libnvidia-ml.so.1',
    // The model index and hub caches in the temporary dir too: the fuzzer deletes what it can.
    LLMOPS_TOOLS_HOME: join(dir, 'home'), HF_HUB_CACHE: join(dir, 'hf'), HF_HOME: join(dir, 'hf-home'), OLLAMA_MODELS: join(dir, 'ollama'),
    MODELSCOPE_CACHE: join(dir, 'modelscope'), HF_ENDPOINT: 'http://127.0.0.1:9', OLLAMA_HOST: '127.0.0.1:9', MODELSCOPE_DOMAIN: 'http://127.0.0.1:9',
  },
  logName: 'server.log',
});
try {
  await waitFor('the server', async () => (await fetch(`${base}/api/health`)).ok);

  step('GET /api/openapi.json is a valid OpenAPI 3.1 document covering every route');
  const doc = await (await fetch(`${base}/api/openapi.json`)).json();
  assert.equal(doc.openapi, '3.1.0');
  await SwaggerParser.validate(structuredClone(doc));
  const routes = spawnSync(binary, ['routes'], { encoding: 'utf8' }).stdout.trim().split('\n');
  for (const line of routes) {
    const [method, path, scope, name] = line.trim().split(/\s+/);
    const op = doc.paths[path]?.[method.toLowerCase()];
    assert.ok(op, `${method} ${path} is documented`);
    assert.equal(op['x-llmops-scope'], scope, `${method} ${path} scope`);
    assert.equal(op.operationId, name, `${method} ${path} operationId`);
    assert.ok(op.summary, `${method} ${path} has a summary`);
  }
  console.log(`    ${routes.length} routes, ${Object.keys(doc.components.schemas).length} schemas`);

  step(`schemathesis ${SCHEMATHESIS_VERSION}: no 5xx, every answer as documented`);
  const args = ['run', `${base}/api/openapi.json`, '--max-examples', '30', '--no-color',
    '--exclude-checks', 'positive_data_acceptance,negative_data_rejection'];
  for (const id of EXCLUDED) {
    assert.ok(Object.values(doc.paths).some((item) => Object.values(item).some((op) => op.operationId === id)), `${id} is an operation`);
    args.push('--exclude-operation-id', id);
  }
  // Run in the temporary dir: schemathesis keeps a cache in its working directory.
  const run = spawnSync(schemathesis, args, { cwd: dir, encoding: 'utf8', timeout: 600_000, env: { ...process.env, NO_COLOR: '1' } });
  const report = `${run.stdout}\n${run.stderr}`;
  (await import('node:fs')).writeFileSync(join(out, 'schemathesis.txt'), report);
  console.log(report.split('\n').filter((l) => /Tested|generated|Failures|passed|failed/.test(l)).map((l) => `    ${l.trim()}`).join('\n'));
  assert.equal(run.status, 0, `schemathesis found problems; see ${join(out, 'schemathesis.txt')}`);
  console.log('api E2E passed');
} catch (err) {
  console.error(server.logText().slice(-3000));
  throw err;
} finally {
  await stopProcess(server);
}
