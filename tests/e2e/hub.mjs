// The model hub against a local server that speaks the Hugging Face API (fakeHub.mjs), with the
// real Python `huggingface_hub` and `gguf` packages (pinned by scripts/setup.sh) on the other side:
// search and paging, listings pinned to a commit, gated and missing repositories, the fit before
// download (header over HTTP Range), downloads that survive a dropped connection, a server that
// ignores Range, a lying sha256, a pause, a crash of the app, a full disk; the standard cache
// shared with huggingface_hub both ways; the index of LM Studio, Ollama, ModelScope and user
// folders; llama.cpp's llama-fit-params; and the estimate against the starter model's real RSS.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, readdirSync, symlinkSync, writeFileSync, createReadStream,
} from 'node:fs';
import { join } from 'node:path';

import { startFakeHub } from './fakeHub.mjs';
import { startFakeOllama } from './fakeOllama.mjs';
import {
  api, freePort, outputDir, requireFile, sleep, startProcess, step, stopProcess, tempDataDir, waitFor,
  STARTER_NAME, TARGET, ROOT, CACHE,
} from './lib.mjs';

const HF_VERSION = '2.4.0';
const GGUF_VERSION = '0.19.0';
const out = outputDir('hub');
const binary = join(TARGET, 'debug/llmops');
const hfPython = join(CACHE, `tools/huggingface_hub-${HF_VERSION}/bin/python`);
const ggufPython = join(CACHE, `tools/gguf-${GGUF_VERSION}/bin/python`);
const starter = join(CACHE, 'models/SmolLM2-135M-Instruct-Q4_1.gguf');
const parts = [
  requireFile(binary, 'the llmops binary (cargo build -p llmops-server)'),
  requireFile(hfPython, `the huggingface_hub ${HF_VERSION} venv (scripts/setup.sh)`),
  requireFile(ggufPython, `the gguf ${GGUF_VERSION} venv (scripts/setup.sh)`),
  requireFile(starter, 'the starter model'),
];
if (parts.includes(false)) process.exit(0);

const root = tempDataDir('hub');
const dataDir = join(root, 'data');
const home = join(root, 'home');
const hfCache = join(root, 'hf-cache');
const folder = join(root, 'my-models');
const GATED_TOKEN = 'hf_gatedtokengatedtokengatedtoken1234';

const sha256 = (path) => new Promise((resolve, reject) => {
  const hash = createHash('sha256');
  createReadStream(path).on('data', (d) => hash.update(d)).on('end', () => resolve(hash.digest('hex'))).on('error', reject);
});
// Asynchronous: the fake hub runs in this process and must answer while Python asks.
const python = (bin, args, env = {}) => new Promise((resolve, reject) => {
  const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  child.on('exit', (code) => {
    clearTimeout(timer);
    if (code !== 0) reject(new Error(`${args.join(' ')} failed:\n${stdout}\n${stderr}`));
    else resolve(JSON.parse(stdout.trim().split('\n').pop()));
  });
});

step('GGUF files written by the gguf package; other tools\' folders with the starter model');
const expected = await python(ggufPython, [join(ROOT, 'tests/e2e/hub_gguf.py'), 'models', join(folder, 'synthetic')]);
const starterSha = await sha256(starter);
const lmStudio = join(home, '.lmstudio/models/bartowski/SmolLM2-135M-Instruct-GGUF');
mkdirSync(lmStudio, { recursive: true });
symlinkSync(starter, join(lmStudio, 'SmolLM2-135M-Instruct-Q4_1.gguf'));
const ollama = join(home, '.ollama/models');
mkdirSync(join(ollama, 'manifests/registry.ollama.ai/library/smollm2'), { recursive: true });
mkdirSync(join(ollama, 'blobs'), { recursive: true });
writeFileSync(join(ollama, 'manifests/registry.ollama.ai/library/smollm2/135m'), JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 2 },
  layers: [{ mediaType: 'application/vnd.ollama.image.model', digest: `sha256:${starterSha}`, size: 1 }],
}));
symlinkSync(starter, join(ollama, `blobs/sha256-${starterSha}`));
writeFileSync(join(ollama, `blobs/sha256-${starterSha}-partial`), 'unfinished');
const modelscope = join(home, '.cache/modelscope/hub/models/HuggingFaceTB/SmolLM2___135M-GGUF');
mkdirSync(modelscope, { recursive: true });
symlinkSync(starter, join(modelscope, 'smollm2-135m-q4_1.gguf'));

const tiny = join(folder, 'synthetic/tiny-llama-F16.gguf');
const shards = readdirSync(join(folder, 'synthetic')).filter((f) => f.startsWith('split-qwen2-')).sort();
const starterFile = { path: 'SmolLM2-135M-Instruct-Q4_1.gguf', file: starter };
const hub = await startFakeHub({
  repos: [
    {
      id: 'llmops-test/SmolLM2-135M-Instruct-GGUF', downloads: 5000, license: 'apache-2.0',
      files: [
        { path: 'README.md', bytes: Buffer.from('# SmolLM2\n') },
        starterFile,
        { path: 'SmolLM2-135M-Instruct-Q8_0.gguf', file: tiny },
        // Listed only: far larger than any disk.
        { path: 'huge/Huge-Q2_K-00001-of-00002.gguf', size: 2 ** 52, sha256: 'a'.repeat(64), lfs: true },
        { path: 'huge/Huge-Q2_K-00002-of-00002.gguf', size: 2 ** 52, sha256: 'b'.repeat(64), lfs: true },
      ],
    },
    { id: 'llmops-test/tiny-split-GGUF', downloads: 40, license: 'mit', files: shards.map((f) => ({ path: `F16/${f}`, file: join(folder, 'synthetic', f) })) },
    { id: 'llmops-test/liar-GGUF', downloads: 30, files: [{ path: 'liar-Q4_0.gguf', file: tiny, listedSha256: 'f'.repeat(64) }] },
    { id: 'llmops-test/gated-GGUF', downloads: 20, gated: 'manual', gatedToken: GATED_TOKEN, files: [{ path: 'gated-Q4_0.gguf', file: tiny }] },
    { id: 'llmops-test/mirror-GGUF', downloads: 10, files: [{ ...starterFile }] },
    { id: 'llmops-test/quota-GGUF', downloads: 9, files: [{ ...starterFile }] },
    { id: 'llmops-test/cli-GGUF', downloads: 8, files: [{ path: 'cli-Q8_0.gguf', file: tiny }, { path: 'cli-Q4_K_M.gguf', file: starter }] },
  ],
});

const ollamaDaemon = await startFakeOllama({ models: [{ name: 'smollm2:135m', size: 98_000_000, digest: starterSha, loaded: true }] });
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const serverEnv = (extra = {}) => ({
  LLMOPS_DATA_DIR: dataDir, LLMOPS_NVML_LIB: '/nonexistent/libnvidia-ml.so.1', LLMOPS_TOOLS_HOME: home,
  HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: hfCache, HF_TOKEN: GATED_TOKEN,
  HF_HOME: '', HUGGINGFACE_HUB_CACHE: '', XDG_CACHE_HOME: '', OLLAMA_MODELS: '', MODELSCOPE_CACHE: '',
  MODELSCOPE_DOMAIN: hub.endpoint, MODELSCOPE_API_TOKEN: '', OLLAMA_HOST: ollamaDaemon.base,
  LLMOPS_HUB_STALL_SECS: '2', LLMOPS_HUB_RETRY_BASE_MS: '200', ...extra,
});
let serverCount = 0;
const startServer = async (extra) => {
  const child = startProcess(binary, ['serve', '--port', String(port), '--ui-dir', '/nonexistent/ui'], {
    env: serverEnv(extra), logName: `server-${++serverCount}.log`,
  });
  await waitFor('the server', async () => (await api(base, 'GET', '/health')).status === 200);
  return child;
};
const saveLog = (child) => writeFileSync(join(out, child.logName), child.logText());
const download = async (id) => (await api(base, 'GET', '/hub/downloads')).body.find((d) => d.id === id);
const until = (id, what, test, ms = 60_000) => waitFor(what, async () => {
  const d = await download(id);
  return d && test(d) ? d : null;
}, ms, 50);
/** Runs the llmops command line to its end: its exit code and output. */
const runCli = (args, env) => new Promise((resolve) => {
  const child = spawn(binary, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  child.on('exit', (code) => resolve({ code, stdout, stderr }));
});
const repoDir = (repo) => join(hfCache, `models--${repo.replace('/', '--')}`);

let server = await startServer();
try {
  step('settings: endpoint from HF_ENDPOINT, a token from HF_TOKEN that is not sent to a mirror');
  let settings = (await api(base, 'GET', '/hub/settings')).body;
  assert.equal(settings.endpoint, hub.endpoint);
  assert.equal(settings.endpoint_source, 'HF_ENDPOINT');
  assert.equal(settings.token_source, 'HF_TOKEN');
  assert.equal(settings.token_sent, false);
  assert.equal(settings.cache_dir, hfCache);
  assert.ok(!JSON.stringify(settings).includes(GATED_TOKEN), 'the token is never in an answer');

  step('search: most downloaded first, pages through Link');
  const page1 = (await api(base, 'GET', '/hub/search?q=llmops-test&limit=2')).body;
  assert.deepEqual(page1.models.map((m) => m.id), ['llmops-test/SmolLM2-135M-Instruct-GGUF', 'llmops-test/tiny-split-GGUF']);
  assert.ok(page1.next_cursor?.startsWith(hub.endpoint), JSON.stringify(page1));
  const page2 = (await api(base, 'GET', `/hub/search?cursor=${encodeURIComponent(page1.next_cursor)}`)).body;
  assert.deepEqual(page2.models.map((m) => m.id), ['llmops-test/liar-GGUF', 'llmops-test/gated-GGUF']);
  assert.equal(page2.models[1].gated, 'manual');
  const away = await api(base, 'GET', `/hub/search?cursor=${encodeURIComponent('http://evil.example/api/models')}`);
  assert.equal(away.status, 400);
  assert.equal(away.body.code, 'hub_invalid_input');

  step('a repository pinned to its commit, GGUF files grouped by quantisation');
  const repo = (await api(base, 'GET', '/hub/repo?repo=llmops-test/SmolLM2-135M-Instruct-GGUF')).body;
  assert.equal(repo.commit, hub.commit);
  assert.equal(repo.license, 'apache-2.0');
  const labels = Object.fromEntries(repo.quants.map((q) => [q.label, q]));
  assert.deepEqual(Object.keys(labels).sort(), ['Q2_K', 'Q4_1', 'Q8_0']);
  assert.equal(labels.Q2_K.files.length, 2);
  assert.equal(labels.Q4_1.size, readFileSync(starter).length);
  assert.ok(repo.files.find((f) => f.path === 'SmolLM2-135M-Instruct-Q4_1.gguf').sha256 === starterSha);

  step('missing and gated repositories: typed errors; the token goes to the mirror only when allowed');
  const missing = await api(base, 'GET', '/hub/repo?repo=llmops-test/nothing-here');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 'hub_repo_not_found');
  const gated = await api(base, 'GET', '/hub/repo?repo=llmops-test/gated-GGUF');
  assert.equal(gated.status, 409);
  assert.equal(gated.body.code, 'hub_gated');
  assert.match(gated.body.message, /accept its licence at .*llmops-test\/gated-GGUF/);
  assert.ok(hub.log.every((r) => r.authorization === null), 'no token sent to a mirror by default');
  settings = (await api(base, 'PUT', '/hub/settings', { send_token_to_mirror: true, max_parallel_downloads: 2 })).body;
  assert.equal(settings.token_sent, true);
  assert.equal((await api(base, 'GET', '/hub/repo?repo=llmops-test/gated-GGUF')).status, 200);
  const bad = await api(base, 'PUT', '/hub/settings', { endpoint: 'ftp://mirror', max_parallel_downloads: 2 });
  assert.equal(bad.status, 400);

  step('fit before download: the header read over HTTP Range, not the file');
  const remoteFit = await api(base, 'POST', '/hub/fit', { repo: 'llmops-test/SmolLM2-135M-Instruct-GGUF', file: 'SmolLM2-135M-Instruct-Q4_1.gguf', fit: { context_size: 4096 } });
  assert.equal(remoteFit.status, 200, JSON.stringify(remoteFit.body));
  assert.equal(remoteFit.body.gguf.architecture, 'llama');
  assert.equal(remoteFit.body.gguf.quantization, 'Q4_1');
  assert.ok(remoteFit.body.header_bytes_read < labels.Q4_1.size / 10, `${remoteFit.body.header_bytes_read} bytes read`);
  assert.equal(remoteFit.body.estimate.verdict.kind, 'cpu');
  writeFileSync(join(out, 'remote-fit.json'), JSON.stringify(remoteFit.body, null, 2));

  step('a download larger than the free disk is refused before it starts');
  const huge = await api(base, 'POST', '/hub/downloads', { repo: 'llmops-test/SmolLM2-135M-Instruct-GGUF', files: ['huge/Huge-Q2_K-00001-of-00002.gguf'] });
  assert.equal(huge.status, 503, JSON.stringify(huge.body));
  assert.equal(huge.body.code, 'hub_disk_full');

  step('a dropped connection: retried with Range, verified, linked into the standard cache');
  hub.faults.push({ dropAfter: 20 << 20 });
  let started = await api(base, 'POST', '/hub/downloads', { repo: 'llmops-test/SmolLM2-135M-Instruct-GGUF', files: ['SmolLM2-135M-Instruct-Q4_1.gguf'] });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  let done = await until(started.body.id, 'the download completed', (d) => d.state === 'completed');
  const cdnRanges = hub.log.filter((r) => r.host === 'cdn' && r.range);
  // Resumed from what arrived before the cut (bytes in flight when it dropped are lost).
  const resumedFrom = cdnRanges.map((r) => r.range.match(/^bytes=(\d+)-$/)).filter(Boolean).map((m) => Number(m[1]));
  assert.ok(resumedFrom.some((n) => n > (10 << 20) && n <= (20 << 20)), JSON.stringify(cdnRanges));
  assert.ok(hub.log.filter((r) => r.host === 'cdn').every((r) => r.authorization === null), 'the token never reaches the CDN');
  assert.ok(hub.log.some((r) => r.host === 'api' && r.authorization === `Bearer ${GATED_TOKEN}`));
  const smol = repoDir('llmops-test/SmolLM2-135M-Instruct-GGUF');
  assert.equal(await sha256(join(smol, 'blobs', starterSha)), starterSha);
  const pointer = join(smol, 'snapshots', hub.commit, 'SmolLM2-135M-Instruct-Q4_1.gguf');
  assert.ok(lstatSync(pointer).isSymbolicLink());
  assert.equal(readlinkSync(pointer), `../../blobs/${starterSha}`);
  assert.equal(readFileSync(join(smol, 'refs/main'), 'utf8'), hub.commit);
  assert.equal(done.local_path, pointer);
  assert.ok(!existsSync(join(smol, 'blobs', `${starterSha}.partial`)));

  step('huggingface_hub accepts what llmops downloaded (scan_cache_dir, local_files_only)');
  const hfEnv = { HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: hfCache, HF_HUB_DISABLE_TELEMETRY: '1', HF_TOKEN: '' };
  const accepted = await python(hfPython, [join(ROOT, 'tests/e2e/hub_hf.py'), 'check', 'llmops-test/SmolLM2-135M-Instruct-GGUF', 'SmolLM2-135M-Instruct-Q4_1.gguf', starterSha], hfEnv);
  assert.deepEqual(accepted.refs, ['main']);

  step('a split set comes whole; a stalled transfer is retried; a server that ignores Range restarts the file cleanly');
  hub.faults.push({ stallAfter: 10_000 }, { ignoreRange: true });
  const beforeSplit = hub.log.length;
  started = await api(base, 'POST', '/hub/downloads', { repo: 'llmops-test/tiny-split-GGUF', files: [`F16/${shards[0]}`] });
  assert.equal(started.body.files.length, 3);
  await until(started.body.id, 'the split set completed', (d) => d.state === 'completed');
  const splitRequests = hub.log.slice(beforeSplit).filter((r) => r.host === 'cdn');
  assert.equal(splitRequests[0].range, null, JSON.stringify(splitRequests));
  assert.equal(splitRequests[1].range, 'bytes=10000-', 'after the stall (no data for 2 s) it asked for the rest');
  for (const shard of shards) {
    const linked = join(repoDir('llmops-test/tiny-split-GGUF'), 'snapshots', hub.commit, 'F16', shard);
    assert.equal(await sha256(linked), await sha256(join(folder, 'synthetic', shard)));
    assert.equal(readlinkSync(linked).split('/').filter((p) => p === '..').length, 3);
  }

  step('a lying sha256: the file is deleted and the download fails with the reason');
  started = await api(base, 'POST', '/hub/downloads', { repo: 'llmops-test/liar-GGUF', files: ['liar-Q4_0.gguf'] });
  const lied = await until(started.body.id, 'the lie caught', (d) => d.state === 'failed');
  assert.equal(lied.error.code, 'hub_bad_answer');
  assert.match(lied.error.message, /sha256/);
  const liarBlobs = join(repoDir('llmops-test/liar-GGUF'), 'blobs');
  assert.deepEqual(existsSync(liarBlobs) ? readdirSync(liarBlobs) : [], []);
  assert.ok(!existsSync(join(repoDir('llmops-test/liar-GGUF'), 'snapshots')));

  step('pause keeps the bytes; resume continues with Range; a crash of the app resumes at the next start');
  hub.fault = { bytesPerSecond: 8 << 20 };
  started = await api(base, 'POST', '/hub/downloads', { repo: 'llmops-test/mirror-GGUF', files: ['SmolLM2-135M-Instruct-Q4_1.gguf'] });
  const mirrorId = started.body.id;
  let progress = await until(mirrorId, 'progress with a rate and ETA', (d) => d.state === 'downloading' && d.done_bytes > (4 << 20) && d.rate_bytes_per_second > 0 && d.eta_seconds > 0);
  const paused = (await api(base, 'POST', `/hub/downloads/${mirrorId}/pause`)).body;
  assert.equal(paused.state, 'paused');
  const partial = join(repoDir('llmops-test/mirror-GGUF'), 'blobs', `${starterSha}.partial`);
  await sleep(300);
  const kept = lstatSync(partial).size;
  await sleep(700);
  assert.equal(lstatSync(partial).size, kept, 'nothing is written while paused');
  assert.ok(kept >= progress.done_bytes - (2 << 20));
  assert.equal((await api(base, 'POST', `/hub/downloads/${mirrorId}/resume`)).status, 200);
  progress = await until(mirrorId, 'the resumed download past 30 MB', (d) => d.done_bytes > (30 << 20));
  assert.ok(hub.log.some((r) => r.host === 'cdn' && r.range && Number(r.range.slice(6, -1)) >= kept - (1 << 20)));
  server.kill('SIGKILL');
  await server.exited;
  saveLog(server);
  hub.fault = null;
  const rangesBefore = hub.log.length;
  server = await startServer();
  done = await until(mirrorId, 'the download resumed after the crash and completed', (d) => d.state === 'completed');
  const resumedAt = hub.log.slice(rangesBefore).find((r) => r.host === 'cdn');
  assert.ok(resumedAt?.range && Number(resumedAt.range.slice(6, -1)) > (20 << 20), JSON.stringify(resumedAt));
  assert.equal(await sha256(done.local_path), starterSha);

  step('a disk that fills (a write quota simulated in the writer) pauses cleanly; resume finishes');
  await stopProcess(server);
  saveLog(server);
  server = await startServer({ LLMOPS_HUB_TEST_WRITE_LIMIT: String(3 << 20) });
  started = await api(base, 'POST', '/hub/downloads', { repo: 'llmops-test/quota-GGUF', files: ['SmolLM2-135M-Instruct-Q4_1.gguf'] });
  const full = await until(started.body.id, 'paused by the full disk', (d) => d.state === 'paused');
  assert.equal(full.error.code, 'hub_disk_full');
  const quotaDir = repoDir('llmops-test/quota-GGUF');
  assert.ok(!existsSync(join(quotaDir, 'blobs', starterSha)), 'no complete blob');
  assert.ok(!existsSync(join(quotaDir, 'snapshots')), 'nothing linked');
  assert.ok(lstatSync(join(quotaDir, 'blobs', `${starterSha}.partial`)).size <= 3 << 20);
  await stopProcess(server);
  saveLog(server);
  server = await startServer();
  assert.equal((await download(started.body.id)).state, 'paused', 'a paused download stays paused after a restart');
  await api(base, 'POST', `/hub/downloads/${started.body.id}/resume`);
  await until(started.body.id, 'the quota download completed', (d) => d.state === 'completed');

  step('ModelScope: search, a listing with sha256, a download into ModelScope\'s own cache');
  const msSearch = (await api(base, 'GET', '/hub/search?source=model_scope&q=llmops-test&limit=2')).body;
  assert.deepEqual(msSearch.models.map((m) => m.id), ['llmops-test/SmolLM2-135M-Instruct-GGUF', 'llmops-test/tiny-split-GGUF']);
  assert.equal(msSearch.next_cursor, '2');
  const msPage2 = (await api(base, 'GET', '/hub/search?source=model_scope&q=llmops-test&limit=2&cursor=2')).body;
  assert.equal(msPage2.models[0].id, 'llmops-test/liar-GGUF');
  const msRepo = (await api(base, 'GET', '/hub/repo?source=model_scope&repo=llmops-test/tiny-split-GGUF')).body;
  assert.equal(msRepo.commit, 'master');
  assert.equal(msRepo.quants[0].files.length, 3);
  assert.ok(!msRepo.files.some((f) => f.path === '.gitattributes'));
  assert.equal((await api(base, 'GET', '/hub/repo?source=model_scope&repo=llmops-test/nothing-here')).body.code, 'hub_repo_not_found');
  started = await api(base, 'POST', '/hub/downloads', { source: 'model_scope', repo: 'llmops-test/SmolLM2-135M-Instruct-GGUF', files: ['SmolLM2-135M-Instruct-Q4_1.gguf'] });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  const fromMs = await until(started.body.id, 'the ModelScope download completed', (d) => d.state === 'completed');
  const msFile = join(home, '.cache/modelscope/hub/models/llmops-test/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct-Q4_1.gguf');
  assert.equal(fromMs.local_path, msFile);
  assert.equal(fromMs.source, 'model_scope');
  assert.equal(await sha256(msFile), starterSha);

  step('Ollama: its models and what is loaded, a pull with progress that survives a cut, its /v1 for chat');
  let daemon = (await api(base, 'GET', '/hub/ollama')).body;
  assert.equal(daemon.reachable, true);
  assert.equal(daemon.version, '0.12.3');
  assert.deepEqual(daemon.models.map((m) => [m.name, m.quantization_level]), [['smollm2:135m', 'Q4_1']]);
  assert.deepEqual(daemon.loaded.map((m) => m.name), ['smollm2:135m']);
  ollamaDaemon.dropPullAfter = 4;
  started = await api(base, 'POST', '/hub/ollama/pull', { name: 'tinyllama:1.1b' });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  const pulled = await until(started.body.id, 'the Ollama pull completed', (d) => d.state === 'completed');
  assert.equal(pulled.source, 'ollama');
  assert.equal(pulled.total_bytes, 40_001_000);
  assert.equal(ollamaDaemon.requests.filter((r) => r === 'POST /api/pull').length, 2, 'the cut pull was asked again');
  assert.ok((await api(base, 'GET', '/hub/ollama')).body.models.some((m) => m.name === 'tinyllama:1.1b'));
  started = await api(base, 'POST', '/hub/ollama/pull', { name: 'no-such-model' });
  const notPulled = await until(started.body.id, 'the failed pull', (d) => d.state === 'failed');
  assert.match(notPulled.error.message, /file does not exist/);
  assert.equal((await api(base, 'POST', '/hub/ollama/pull', { name: 'bad name;rm' })).body.code, 'hub_invalid_input');
  const endpoint = (await api(base, 'POST', '/hub/ollama/chat-endpoint')).body;
  assert.equal(endpoint.base_url, `${ollamaDaemon.base}/v1`);
  assert.equal((await api(base, 'POST', '/hub/ollama/chat-endpoint')).body.id, endpoint.id, 'added once');
  const served = (await api(base, 'GET', `/chat/endpoints/${endpoint.id}/models`)).body;
  assert.ok(served.includes('smollm2:135m'), JSON.stringify(served));

  step('huggingface_hub downloads from the hub; llmops indexes its file in place');
  const fromPython = await python(hfPython, [join(ROOT, 'tests/e2e/hub_hf.py'), 'download', 'llmops-test/SmolLM2-135M-Instruct-GGUF', 'SmolLM2-135M-Instruct-Q8_0.gguf'], hfEnv);
  assert.equal(fromPython.sha256, await sha256(tiny));

  step('the index: Hugging Face cache, LM Studio, Ollama, ModelScope, llmops and a user folder');
  const addFolder = await api(base, 'PUT', '/hub/folders', { folders: [folder] });
  assert.equal(addFolder.status, 200);
  assert.equal((await api(base, 'PUT', '/hub/folders', { folders: ['relative/path'] })).body.code, 'hub_bad_folder');
  const local = (await api(base, 'GET', '/hub/local')).body;
  writeFileSync(join(out, 'local-models.json'), JSON.stringify(local, null, 2));
  const bySource = (source) => local.models.filter((m) => m.found.source === source);
  const hfFiles = bySource('hugging_face').map((m) => `${m.found.repo}:${m.found.file}`).sort();
  assert.deepEqual(hfFiles, [
    'llmops-test/SmolLM2-135M-Instruct-GGUF:SmolLM2-135M-Instruct-Q4_1.gguf',
    'llmops-test/SmolLM2-135M-Instruct-GGUF:SmolLM2-135M-Instruct-Q8_0.gguf',
    'llmops-test/mirror-GGUF:SmolLM2-135M-Instruct-Q4_1.gguf',
    'llmops-test/quota-GGUF:SmolLM2-135M-Instruct-Q4_1.gguf',
    `llmops-test/tiny-split-GGUF:F16/${shards[0]}`,
  ]);
  const [lms] = bySource('lm_studio');
  assert.equal(lms.found.repo, 'bartowski/SmolLM2-135M-Instruct-GGUF');
  assert.equal(lms.owner, 'LM Studio');
  assert.equal(lms.gguf.quantization, 'Q4_1');
  const [oll] = bySource('ollama');
  assert.equal(oll.found.repo, 'smollm2:135m');
  assert.equal(oll.owner, 'Ollama');
  assert.equal(oll.gguf.architecture, 'llama');
  assert.equal(bySource('ollama').length, 1, 'a -partial blob is not a model');
  assert.deepEqual(bySource('model_scope').map((m) => m.found.repo).sort(), ['HuggingFaceTB/SmolLM2.135M-GGUF', 'llmops-test/SmolLM2-135M-Instruct-GGUF']);
  const starterEntry = bySource('llmops').find((m) => m.found.path === starter);
  assert.deepEqual(starterEntry.model_ids.length, 1, 'the starter model uses it');
  const mine = Object.fromEntries(bySource('folder').map((m) => [m.found.file, m]));
  for (const [file, want] of Object.entries(expected)) {
    const got = mine[file];
    assert.ok(got, `${file} in ${Object.keys(mine)}`);
    if (want.problem) {
      assert.equal(got.problem.code, want.problem, file);
      continue;
    }
    for (const key of ['architecture', 'block_count', 'context_length', 'quantization', 'parameter_count', 'has_chat_template', 'split_count']) {
      if (key in want) assert.equal(got.gguf[key], want[key], `${file} ${key}`);
    }
    if (want.shards) assert.equal(got.found.shards, want.shards);
  }
  assert.ok(!Object.keys(mine).some((f) => f.includes('-00002-of-')), 'a split set is listed once');

  step('deleting: refused for another application\'s model, done for ours (the blob goes with its link)');
  const refused = await api(base, 'POST', '/hub/local/delete', { path: oll.found.path });
  assert.equal(refused.status, 409);
  assert.equal(refused.body.code, 'hub_owned_by_other_tool');
  assert.match(refused.body.message, /Ollama/);
  assert.ok(existsSync(oll.found.path));
  const inUse = await api(base, 'POST', '/hub/local/delete', { path: starter });
  assert.equal(inUse.body.code, 'hub_file_in_use');
  const notIndexed = await api(base, 'POST', '/hub/local/delete', { path: '/etc/passwd' });
  assert.equal(notIndexed.body.code, 'hub_not_indexed');
  const quotaEntry = bySource('hugging_face').find((m) => m.found.repo === 'llmops-test/quota-GGUF');
  assert.equal((await api(base, 'POST', '/hub/local/delete', { path: quotaEntry.found.path })).status, 204);
  assert.ok(!existsSync(quotaEntry.found.path));
  assert.ok(!existsSync(join(quotaDir, 'blobs', starterSha)), 'the blob went with its only link');

  step('fit: the estimate and llama.cpp\'s llama-fit-params, then the starter model\'s real memory');
  const models = (await api(base, 'GET', '/models')).body;
  const starterModel = models.find((m) => m.name === STARTER_NAME);
  const context = starterModel.context_size;
  const fit = await api(base, 'POST', '/hub/local/fit', { path: starter, fit: { context_size: context } });
  assert.equal(fit.status, 200, JSON.stringify(fit.body));
  writeFileSync(join(out, 'fit.json'), JSON.stringify(fit.body, null, 2));
  const { estimate, engine } = fit.body;
  assert.equal(estimate.verdict.kind, 'cpu');
  assert.ok(engine, fit.body.engine_problem);
  assert.equal(engine.fits, true);
  assert.match(engine.arguments, new RegExp(`-c ${context}`));
  const host = engine.devices.find((d) => d.device === 'Host');
  const MiB = 1 << 20;
  const engineBytes = (host.model_mib + host.context_mib + host.compute_mib) * MiB;
  const ours = estimate.weights_bytes + estimate.kv_cache_bytes + estimate.compute_bytes;
  const fitError = ours / engineBytes - 1;
  assert.ok(Math.abs(fitError) < 0.15, `estimate ${ours} vs llama.cpp ${engineBytes}: ${(fitError * 100).toFixed(1)} %`);
  assert.ok(Math.abs(estimate.kv_cache_bytes / (host.context_mib * MiB) - 1) < 0.02, 'the KV cache as llama.cpp sizes it');

  await api(base, 'POST', `/models/${starterModel.id}/start`);
  const instance = await waitFor('the starter model running', async () => (await api(base, 'GET', '/instances')).body
    .find((i) => i.model_id === starterModel.id && i.state.kind === 'running'), 60_000, 200);
  // One short answer touches every weight page, as real use does.
  await fetch(`http://127.0.0.1:${instance.port}/v1/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Say hi' }], max_tokens: 8 }),
  });
  // A sample taken after the answer (the monitor samples once a second).
  const answered = Date.now();
  const rss = await waitFor('the instance\'s RSS after the answer', async () => {
    const status = (await api(base, 'GET', '/system/status')).body;
    return status.at > answered + 200 && status.instances.find((i) => i.model_id === starterModel.id)?.rss_bytes;
  }, 20_000, 250);
  const rssError = estimate.total_bytes / rss - 1;
  const measured = {
    estimate_total_bytes: estimate.total_bytes, rss_bytes: rss, estimate_vs_rss: rssError,
    estimate_without_overhead: ours, llama_fit_params_bytes: engineBytes, estimate_vs_llama_fit_params: fitError,
  };
  writeFileSync(join(out, 'fit-vs-rss.json'), JSON.stringify(measured, null, 2));
  step(`estimate ${(estimate.total_bytes / MiB).toFixed(0)} MiB, RSS ${(rss / MiB).toFixed(0)} MiB (${(rssError * 100).toFixed(1)} %), llama-fit-params ${(engineBytes / MiB).toFixed(0)} MiB (${(fitError * 100).toFixed(1)} %)`);
  // The documented error (docs/HUB.md): the estimate is what llama.cpp reserves, so the RSS after
  // a short answer stays below it (pages of the KV cache and compute buffers not touched yet),
  // and above the weights, which the answer reads.
  assert.ok(rss <= estimate.total_bytes * 1.1, JSON.stringify(measured));
  assert.ok(rss >= estimate.weights_bytes * 0.9, JSON.stringify(measured));
  const withInstance = (await api(base, 'POST', '/hub/local/fit', { path: starter, fit: { context_size: context }, engine_check: false })).body;
  assert.equal(withInstance.measured?.model_id, starterModel.id, JSON.stringify(withInstance.measured));
  assert.ok(withInstance.measured.estimate_error > -0.1, 'the fit reports the running instance\'s real use');
  await api(base, 'POST', `/models/${starterModel.id}/stop`);

  step('llmops pull from a terminal: Q4_K_M by default, the choices when the quant is not there');
  const pull = (ref) => runCli(['pull', ref, '--port', String(port)], { LLMOPS_DATA_DIR: dataDir });
  const wrongQuant = await pull('llmops-test/cli-GGUF:Q3_K_S');
  assert.equal(wrongQuant.code, 1);
  assert.match(wrongQuant.stderr, /no Q3_K_S there; it has Q8_0, Q4_K_M/);
  const pulledByCli = await pull('llmops-test/cli-GGUF');
  assert.equal(pulledByCli.code, 0, pulledByCli.stderr);
  const pulledPath = join(repoDir('llmops-test/cli-GGUF'), 'snapshots', hub.commit, 'cli-Q4_K_M.gguf');
  assert.match(pulledByCli.stdout, new RegExp(`downloaded llmops-test/cli-GGUF to ${pulledPath}`));
  assert.equal(await sha256(pulledPath), starterSha);
} finally {
  await stopProcess(server);
  saveLog(server);
  writeFileSync(join(out, 'fake-hub-requests.json'), JSON.stringify(hub.log, null, 2));
  await hub.close();
  await ollamaDaemon.close();
}
console.log('hub: all checks passed');
