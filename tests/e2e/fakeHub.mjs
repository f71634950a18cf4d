// A local server that speaks the Hugging Face Hub's API shapes (hub-docs api.md, huggingface_hub
// hf_api.py / file_download.py), for the model hub tests: search with `Link` paging, repository
// info pinned to a commit, recursive tree listings with `lfs.oid`, `resolve` answering HEAD with
// X-Repo-Commit / X-Linked-Etag / X-Linked-Size and redirecting LFS files to a second "CDN" port,
// which serves Range requests. Gated and missing repositories answer with `X-Error-Code`.
// The same repositories are also served as ModelScope serves them (modelscope/hub/api.py before
// June 2026): `{Code, Data, Message, Success}` envelopes, `repo/files` listings with `Sha256`,
// `repo?FilePath=` downloads (302 to the CDN), and the web UI's search (`PUT /api/v1/dolphin/models`).
// Faults for file bodies from the CDN: `hub.faults` is a queue (each request takes the next one),
// `hub.fault` applies when the queue is empty: `dropAfter` N bytes, `stallAfter` N bytes,
// `ignoreRange` (answer 200 to a Range request), `bytesPerSecond` (throttle). Every request is logged with whether
// it carried an Authorization header.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';

const COMMIT = 'c0ffee'.padEnd(40, '0');

/** repos: [{ id, gated?, downloads, license, files: [{ path, file?, bytes?, size?, sha256? }] }] */
export async function startFakeHub({ repos }) {
  const log = [];
  const hub = { log, fault: null, faults: [], commit: COMMIT, repos };
  for (const repo of repos) {
    for (const f of repo.files) {
      if (f.file) {
        f.size ??= statSync(f.file).size;
        f.sha256 ??= await sha256OfFile(f.file);
      } else if (f.bytes) {
        f.size ??= f.bytes.length;
        f.sha256 ??= createHash('sha256').update(f.bytes).digest('hex');
      }
      f.lfs ??= f.path.endsWith('.gguf');
      f.oid ??= createHash('sha1').update(`blob ${f.size}\0${f.path}`).digest('hex');
    }
  }
  const cdn = createServer((req, res) => serveCdn(hub, req, res));
  const api = createServer((req, res) => serveApi(hub, req, res));
  await new Promise((r) => cdn.listen(0, '127.0.0.1', r));
  await new Promise((r) => api.listen(0, '127.0.0.1', r));
  hub.cdnBase = `http://127.0.0.1:${cdn.address().port}`;
  hub.endpoint = `http://127.0.0.1:${api.address().port}`;
  hub.close = () => Promise.all([cdn, api].map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
  return hub;
}

function sha256OfFile(path) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('data', (d) => hash.update(d)).on('end', () => resolve(hash.digest('hex'))).on('error', reject);
  });
}

function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function hubError(res, status, code, message) {
  res.writeHead(status, { 'content-type': 'application/json', 'x-error-code': code, 'x-error-message': message });
  res.end(JSON.stringify({ error: message }));
}

function findRepo(hub, id) {
  return hub.repos.find((r) => r.id === id);
}

/** Gated repositories need a token; missing ones answer like private ones (401, RepoNotFound). */
function refuse(hub, req, res, repo, id) {
  if (!repo) {
    hubError(res, 401, 'RepoNotFound', `Repository Not Found for url: ${req.url}.`);
    return true;
  }
  if (repo.gated && req.headers.authorization !== `Bearer ${repo.gatedToken}`) {
    hubError(res, 401, 'GatedRepo', `Access to model ${id} is restricted. You must have access to it and be authenticated to access it. Please log in.`);
    return true;
  }
  return false;
}

function modelscope(res, status, data, message = 'success') {
  json(res, status, { Code: status === 200 ? 200 : 10010101, Data: data, Message: message, RequestId: 'r', Success: status === 200 });
}

function serveModelScope(hub, req, res, url) {
  let m;
  if (req.method === 'PUT' && url.pathname === '/api/v1/dolphin/models') {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const query = JSON.parse(body);
      const name = String(query.Name ?? '').toLowerCase();
      const size = Number(query.PageSize ?? 10);
      const page = Number(query.PageNumber ?? 1);
      const found = hub.repos.filter((r) => !r.gated && r.id.toLowerCase().includes(name)).sort((a, b) => b.downloads - a.downloads);
      const models = found.slice((page - 1) * size, page * size).map((r) => {
        const [path, modelName] = r.id.split('/');
        return { Path: path, Name: modelName, ChineseName: '', Downloads: r.downloads, Stars: 1, Tasks: [] };
      });
      modelscope(res, 200, { Model: { Models: models, TotalCount: found.length } });
    });
    return true;
  }
  if (req.method === 'GET' && (m = url.pathname.match(/^\/api\/v1\/models\/([^/]+\/[^/]+)\/repo\/files$/))) {
    const repo = findRepo(hub, m[1]);
    if (!repo || repo.gated) {
      modelscope(res, 404, null, 'model not found');
      return true;
    }
    const files = repo.files.map((f) => ({
      Name: f.path.split('/').pop(), Path: f.path, Type: 'blob', Size: f.size, Sha256: f.listedSha256 ?? f.sha256, IsLFS: f.lfs, Revision: 'master',
    }));
    modelscope(res, 200, { Files: [{ Name: '.gitattributes', Path: '.gitattributes', Type: 'blob', Size: 10, Sha256: '' }, ...files] });
    return true;
  }
  if ((req.method === 'GET' || req.method === 'HEAD') && (m = url.pathname.match(/^\/api\/v1\/models\/([^/]+\/[^/]+)\/repo$/))) {
    const repo = findRepo(hub, m[1]);
    const file = repo?.files.find((f) => f.path === url.searchParams.get('FilePath'));
    if (!file) {
      modelscope(res, 404, null, 'file not found');
      return true;
    }
    res.writeHead(302, { location: `${hub.cdnBase}/blobs/${file.sha256}?repo=${encodeURIComponent(repo.id)}`, 'content-length': '0' });
    res.end();
    return true;
  }
  return false;
}

function serveApi(hub, req, res) {
  const url = new URL(req.url, hub.endpoint);
  hub.log.push({ host: 'api', method: req.method, path: url.pathname, authorization: req.headers.authorization ?? null });
  if (url.pathname.startsWith('/api/v1/') && serveModelScope(hub, req, res, url)) return;
  let m;
  if (req.method === 'GET' && url.pathname === '/api/models') {
    const q = (url.searchParams.get('search') ?? '').toLowerCase();
    const limit = Number(url.searchParams.get('limit') ?? 30);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const found = hub.repos
      .filter((r) => r.id.toLowerCase().includes(q))
      .sort((a, b) => b.downloads - a.downloads);
    const page = found.slice(offset, offset + limit).map((r) => ({
      _id: r.id, id: r.id, modelId: r.id, downloads: r.downloads, likes: 3, gated: r.gated ?? false,
      lastModified: '2026-11-30T10:00:00.000Z', pipeline_tag: 'text-generation', tags: ['gguf'],
    }));
    const headers = {};
    if (offset + limit < found.length) {
      const next = new URL(url);
      next.searchParams.set('offset', String(offset + limit));
      headers.link = `<${next}>; rel="next"`;
    }
    return json(res, 200, page, headers);
  }
  if (req.method === 'GET' && (m = url.pathname.match(/^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/))) {
    const repo = findRepo(hub, m[1]);
    if (refuse(hub, req, res, repo, m[1])) return;
    return json(res, 200, {
      _id: repo.id, id: repo.id, sha: hub.commit, gated: repo.gated ?? false, downloads: repo.downloads,
      cardData: { license: repo.license }, siblings: repo.files.map((f) => ({ rfilename: f.path })),
    });
  }
  if (req.method === 'GET' && (m = url.pathname.match(/^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)$/))) {
    const repo = findRepo(hub, m[1]);
    if (refuse(hub, req, res, repo, m[1])) return;
    const folders = new Set();
    const entries = [];
    for (const f of repo.files) {
      const parts = f.path.split('/');
      for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
      entries.push({
        type: 'file', oid: f.oid, size: f.lfs ? 134 : f.size, path: f.path,
        ...(f.lfs ? { lfs: { oid: f.listedSha256 ?? f.sha256, size: f.size, pointerSize: 134 } } : {}),
      });
    }
    for (const folder of folders) entries.unshift({ type: 'directory', oid: 'd'.repeat(40), size: 0, path: folder });
    return json(res, 200, entries);
  }
  if ((req.method === 'GET' || req.method === 'HEAD') && (m = url.pathname.match(/^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/))) {
    const repo = findRepo(hub, m[1]);
    if (refuse(hub, req, res, repo, m[1])) return;
    const path = decodeURIComponent(m[3]);
    const file = repo.files.find((f) => f.path === path);
    if (!file) return hubError(res, 404, 'EntryNotFound', `${path} does not exist on "main"`);
    const common = { 'x-repo-commit': hub.commit, 'accept-ranges': 'bytes' };
    if (file.lfs) {
      res.writeHead(302, {
        ...common,
        location: `${hub.cdnBase}/blobs/${file.sha256}?repo=${encodeURIComponent(repo.id)}&path=${encodeURIComponent(path)}`,
        'x-linked-etag': `"${file.sha256}"`,
        'x-linked-size': String(file.size),
        etag: `"${file.oid}"`,
        'content-length': '0',
      });
      return res.end();
    }
    res.writeHead(200, { ...common, etag: `"${file.oid}"`, 'content-length': String(file.size) });
    if (req.method === 'HEAD') return res.end();
    return sendBody({}, file, 0, file.size - 1, res, req);
  }
  hubError(res, 404, 'EntryNotFound', `no route for ${req.method} ${url.pathname}`);
}

function serveCdn(hub, req, res) {
  const url = new URL(req.url, hub.cdnBase);
  hub.log.push({ host: 'cdn', method: req.method, path: url.pathname, range: req.headers.range ?? null, authorization: req.headers.authorization ?? null });
  const m = url.pathname.match(/^\/blobs\/([0-9a-f]{64})$/);
  const repo = m && findRepo(hub, url.searchParams.get('repo'));
  const file = repo?.files.find((f) => f.sha256 === m[1]);
  if (!file) {
    res.writeHead(404);
    return res.end('no such blob');
  }
  let start = 0;
  let end = file.size - 1;
  const range = req.headers.range?.match(/^bytes=(\d+)-(\d*)$/);
  const fault = (req.method === 'GET' && hub.faults.shift()) || hub.fault || {};
  const ignoreRange = fault.ignoreRange;
  if (range && !ignoreRange) {
    start = Number(range[1]);
    if (range[2]) end = Math.min(Number(range[2]), file.size - 1);
    if (start >= file.size) {
      res.writeHead(416, { 'content-range': `bytes */${file.size}` });
      return res.end();
    }
    res.writeHead(206, {
      'content-range': `bytes ${start}-${end}/${file.size}`, 'content-length': String(end - start + 1), 'accept-ranges': 'bytes',
    });
  } else {
    res.writeHead(200, { 'content-length': String(file.size), 'accept-ranges': 'bytes', etag: `"${file.sha256}"` });
  }
  if (req.method === 'HEAD') return res.end();
  sendBody(fault, file, start, end, res, req);
}

/** Streams bytes start..=end of a file, applying the fault in effect. */
function sendBody(fault, file, start, end, res, req) {
  const source = file.file ? createReadStream(file.file, { start, end }) : null;
  const bytes = file.bytes ? file.bytes.subarray(start, end + 1) : null;
  let sent = 0;
  const cutAt = fault.dropAfter ?? fault.stallAfter ?? Infinity;
  const write = (chunk, next) => {
    if (sent + chunk.length >= cutAt) {
      const part = chunk.subarray(0, Math.max(0, cutAt - sent));
      res.write(part);
      sent += part.length;
      source?.destroy();
      if (fault.dropAfter !== undefined) {
        res.socket?.destroy();
      }
      // A stall keeps the connection open without sending anything more.
      return;
    }
    sent += chunk.length;
    const wait = fault.bytesPerSecond ? (chunk.length / fault.bytesPerSecond) * 1000 : 0;
    if (res.write(chunk) && !wait) next();
    else if (wait) setTimeout(next, wait);
    else res.once('drain', next);
  };
  if (bytes) {
    const chunkSize = fault.bytesPerSecond ? Math.max(1024, Math.floor(fault.bytesPerSecond / 10)) : 1 << 16;
    let at = 0;
    const pump = () => {
      if (at >= bytes.length) return res.end();
      const chunk = bytes.subarray(at, at + chunkSize);
      at += chunk.length;
      write(chunk, pump);
    };
    return pump();
  }
  req.on('close', () => source.destroy());
  source.pause();
  source.on('data', (chunk) => {
    source.pause();
    // Throttled: cut file chunks (64 KiB) smaller so that progress shows.
    const pieces = [];
    const size = fault.bytesPerSecond ? Math.max(1024, Math.floor(fault.bytesPerSecond / 10)) : chunk.length;
    for (let at = 0; at < chunk.length; at += size) pieces.push(chunk.subarray(at, at + size));
    const nextPiece = () => {
      const piece = pieces.shift();
      if (!piece) return source.resume();
      write(piece, nextPiece);
    };
    nextPiece();
  });
  source.on('end', () => res.end());
  source.resume();
}
