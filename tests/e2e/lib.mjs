// Helpers shared by the end-to-end tests: the llmops binaries, free ports, waiting, processes.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, homedir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CACHE = process.env.LLMOPS_CACHE_DIR || join(homedir(), '.cache/llmops');
export const TARGET = process.env.CARGO_TARGET_DIR || join(CACHE, 'target');
export const OUTPUT = process.env.LLMOPS_TEST_OUTPUT || join(ROOT, 'test-output');
export const STARTER_NAME = 'SmolLM2 135M Instruct (Q4_1)';
/** Debian chromium, headless, without the background connections this closed network refuses. */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
};

export function outputDir(name) {
  const dir = join(OUTPUT, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Temporary folders of this test, removed when it exits (LLMOPS_KEEP_TEST_DIRS=1 keeps them). */
const tempDirs = [];
process.on('exit', () => {
  if (process.env.LLMOPS_KEEP_TEST_DIRS === '1') return;
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

export function tempDataDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `llmops-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** A real part is missing: fail under CI, otherwise say so loudly and skip. */
export function requireFile(path, what) {
  if (existsSync(path)) return true;
  const message = `${what} is missing at ${path}; run scripts/setup.sh (npm start) first`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`SKIPPED (not CI): ${message}`);
  return false;
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what, probe, timeoutMs = 30_000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

export function processAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie is as good as gone once its parent reaps it; treat it as gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** PIDs of live processes whose program is `name` and whose command line mentions `needle`. */
export function processesNamed(name, needle = '') {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmd[0].endsWith(name) && cmd.join(' ').includes(needle) && processAlive(Number(entry))) pids.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

export const llamaServersWith = (needle) => processesNamed('llama-server', needle);

/** PIDs of the desktop apps of this test: those whose environment names its data dir (another
 * app may run on the same machine, e.g. the user's own). */
export function desktopAppsOn(dataDir) {
  return processesNamed('llmops-desktop').filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`LLMOPS_DATA_DIR=${dataDir}`);
    } catch {
      return false; // gone meanwhile
    }
  });
}

/** Starts a child with output captured to a log file in the test output folder; `inheritEnv: false`
 * gives it `env` alone. */
export function startProcess(command, args, { env, logName, cwd, inheritEnv = true }) {
  const fullEnv = inheritEnv ? { ...process.env, ...env } : env;
  const child = spawn(command, args, { env: fullEnv, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks = [];
  child.stdout.on('data', (d) => chunks.push(d));
  child.stderr.on('data', (d) => chunks.push(d));
  child.logText = () => Buffer.concat(chunks).toString('utf8');
  child.exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  child.logName = logName;
  return child;
}

export async function stopProcess(child, timeoutMs = 20_000) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exited;
  child.kill('SIGTERM');
  // The timer is cleared once the child exits: a pending one would keep Node alive until it fires.
  let timer;
  const timeout = new Promise((r) => { timer = setTimeout(() => r(null), timeoutMs); });
  const result = await Promise.race([child.exited, timeout]);
  clearTimeout(timer);
  if (result) return result;
  child.kill('SIGKILL');
  return child.exited;
}

export async function api(base, method, path, body) {
  const response = await fetch(`${base}/api${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, body: json };
}

export function step(message) {
  console.log(`  • ${message}`);
}
