// `llmops.exe serve` under Wine (scripts/test-windows.sh prepares the prefix and builds the
// binaries): the health check, the embedded dashboard, a custom engine (the stand-in
// `stub_engine.exe`) deployed, chatted with through the /v1 gateway and stopped, with its helper
// process ended too; then the app killed outright while an engine runs, and the engine ended by
// the Job Object's kill-on-close.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  api, freePort, outputDir, processesNamed, requireFile, startProcess, step, stopProcess, tempDataDir, waitFor,
} from './lib.mjs';

const BIN = process.env.LLMOPS_WINDOWS_BIN;
const RUN = join(import.meta.dirname, '../../scripts/wine/run.sh');
assert.ok(BIN && process.env.WINEPREFIX, 'run through scripts/test-windows.sh');
const llmopsExe = join(BIN, 'llmops.exe');
const stubBuilt = join(BIN, 'examples', 'stub_engine.exe');
if (!requireFile(llmopsExe, 'llmops.exe') || !requireFile(stubBuilt, 'stub_engine.exe')) process.exit(0);

/** The Windows name of a Linux path: Wine maps drive Z: to `/`. */
const win = (path) => `Z:${path.replaceAll('/', '\\')}`;

const root = tempDataDir('windows');
// The engine is copied into this test's folder, so that its processes (and its helper's) can be
// told from any other by their command line.
const stubExe = join(root, 'stub_engine.exe');
// The models cache exists, so that the monitor reports the space of its drive.
mkdirSync(join(root, 'cache', 'models'), { recursive: true });
copyFileSync(stubBuilt, stubExe);
// Wine shows a program it started from Windows by its Windows path (`Z:\tmp\…`): match the
// folder's name, which both spellings hold.
const enginesAlive = () => processesNamed('', basename(root)).filter((pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('stub_engine.exe');
  } catch {
    return false;
  }
});

function serve(port) {
  return startProcess(RUN, [llmopsExe, 'serve', '--port', String(port)], {
    env: { LLMOPS_DATA_DIR: win(join(root, 'data')), LLMOPS_CACHE_DIR: win(join(root, 'cache')) },
    logName: 'llmops-serve.log',
  });
}

async function deployStub(base, name) {
  const deployed = await api(base, 'POST', '/models/deploy', {
    name,
    path: '',
    engine: 'custom',
    settings: {
      engine: 'custom',
      command: [win(stubExe), '--port', '{port}', '--name', '{name}'],
      health_path: '/health',
    },
  });
  assert.equal(deployed.status, 200, JSON.stringify(deployed.body));
  const instance = deployed.body;
  await waitFor('the stand-in engine running', async () => {
    const state = (await api(base, 'GET', `/instances/${instance.id}`)).body.state;
    if (state.kind === 'failed') throw new Error(`the engine failed: ${JSON.stringify(state)}`);
    return state.kind === 'running';
  }, 60_000, 250);
  return instance;
}

const log = outputDir('windows');
let server;
try {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  server = serve(port);
  await waitFor('llmops.exe to answer', async () => {
    if (server.exitCode !== null || server.signalCode !== null) throw new Error('llmops.exe exited; see its log');
    return (await api(base, 'GET', '/health')).status === 200;
  }, 120_000, 250);
  step(`llmops.exe serve answers under Wine on ${base}`);
  const health = (await api(base, 'GET', '/health')).body;
  assert.equal(typeof health, 'object', JSON.stringify(health));

  step('the embedded dashboard is served (no checkout, no ui/dist)');
  const page = await fetch(`${base}/`);
  const html = await page.text();
  assert.equal(page.status, 200);
  assert.match(html, /<script[^>]+type="module"/);
  const script = html.match(/src="([^"]+\.js)"/)[1];
  assert.equal((await fetch(new URL(script, base))).status, 200, script);

  step('a custom engine deployed, chatted with through /v1, and stopped with its helper');
  const instance = await deployStub(base, 'Stub');
  await waitFor('the engine and its helper', () => enginesAlive().length >= 2, 20_000);
  const chat = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'Stub', messages: [{ role: 'user', content: 'hi' }] }),
  });
  const reply = await chat.json();
  assert.equal(chat.status, 200, JSON.stringify(reply));
  assert.equal(reply.choices[0].message.content, 'Hello from the stub engine');
  step("the monitor reads the engine's process tree, memory and CPU, and the disks, through Win32");
  const snapshot = await waitFor('the engine in the monitor', async () => {
    const status = (await api(base, 'GET', '/system/status')).body;
    const mine = status.instances.find((i) => i.instance_id === instance.id);
    return mine && mine.pids.length >= 2 && mine.rss_bytes > 0 && mine.cpu_percent !== null ? status : null;
  }, 20_000, 500);
  writeFileSync(join(log, 'system-status.json'), JSON.stringify(snapshot, null, 2));
  assert.ok(snapshot.memory.total_bytes > 0 && snapshot.cpu.logical_cores > 0);
  const [disk] = snapshot.disks;
  assert.ok(disk && disk.total_bytes > 0 && disk.available_bytes > 0, JSON.stringify(snapshot.disks));
  assert.match(disk.mount_point, /^[A-Z]:\\$/, 'a drive root from GetVolumePathNameW');
  const stopped = await api(base, 'POST', `/instances/${instance.id}/stop`);
  assert.ok(stopped.status < 300, JSON.stringify(stopped.body));
  await waitFor('the instance stopped', async () => (await api(base, 'GET', `/instances/${instance.id}`)).body.state.kind === 'stopped', 30_000, 250);
  await waitFor('no engine process left (the job ended the helper too)', () => enginesAlive().length === 0, 10_000);

  step('llmops.exe killed outright: the Job Object ends the running engine');
  await deployStub(base, 'Stub again');
  await waitFor('the engine and its helper', () => enginesAlive().length >= 2, 20_000);
  server.kill('SIGKILL');
  await server.exited;
  await waitFor('no engine process left after the app died', () => enginesAlive().length === 0, 20_000);
} finally {
  if (server) {
    await stopProcess(server);
    writeFileSync(join(log, 'llmops-serve.log'), server.logText());
  }
}
console.log('windows: ok');
