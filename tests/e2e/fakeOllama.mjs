// A local server that speaks Ollama's API (ollama docs/api.md, server/routes.go): /api/version,
// /api/tags, /api/ps, /api/pull streaming NDJSON progress per layer, and the OpenAI-compatible
// /v1/models. `ollama.dropPullAfter` cuts the next pull's connection after that many progress
// lines (an interrupted pull); pulls continue where the layers were, as Ollama's own do.
import { createServer } from 'node:http';

export async function startFakeOllama({ models }) {
  const state = { models: [...models], pulled: new Map(), requests: [], dropPullAfter: null };
  const server = createServer((req, res) => {
    state.requests.push(`${req.method} ${req.url}`);
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/api/version') return send(200, { version: '0.12.3' });
    if (req.method === 'GET' && req.url === '/api/tags') {
      return send(200, { models: state.models.map((m) => ({ name: m.name, model: m.name, modified_at: '2026-11-30T10:00:00Z', size: m.size, digest: m.digest, details: { family: 'llama', parameter_size: '135M', quantization_level: 'Q4_1' } })) });
    }
    if (req.method === 'GET' && req.url === '/api/ps') {
      const loaded = state.models.filter((m) => m.loaded);
      return send(200, { models: loaded.map((m) => ({ name: m.name, model: m.name, size: m.size, size_vram: 0, expires_at: '2026-12-01T20:00:00Z' })) });
    }
    if (req.method === 'GET' && req.url === '/v1/models') {
      return send(200, { object: 'list', data: state.models.map((m) => ({ id: m.name, object: 'model', owned_by: 'library' })) });
    }
    if (req.method === 'POST' && req.url === '/api/pull') {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        const name = JSON.parse(body).model;
        if (!name.startsWith('tinyllama')) {
          res.writeHead(200, { 'content-type': 'application/x-ndjson' });
          res.write(`${JSON.stringify({ status: 'pulling manifest' })}\n`);
          return res.end(`${JSON.stringify({ error: 'pull model manifest: file does not exist' })}\n`);
        }
        const layers = [{ digest: 'sha256:aaaa', total: 40_000_000 }, { digest: 'sha256:bbbb', total: 1_000 }];
        const lines = [{ status: 'pulling manifest' }];
        for (const layer of layers) {
          const from = state.pulled.get(layer.digest) ?? 0;
          for (let done = from; done <= layer.total; done += layer.total / 8) {
            lines.push({ status: `pulling ${layer.digest.slice(7, 19)}`, digest: layer.digest, total: layer.total, completed: Math.min(done, layer.total), _layer: layer });
          }
        }
        lines.push({ status: 'verifying sha256 digest' }, { status: 'writing manifest' }, { status: 'success' });
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        const drop = state.dropPullAfter;
        state.dropPullAfter = null;
        let sent = 0;
        const next = () => {
          const line = lines.shift();
          if (!line) {
            state.models.push({ name, size: 40_001_000, digest: 'c'.repeat(64) });
            return res.end();
          }
          if (drop !== null && sent >= drop) return res.socket.destroy();
          if (line._layer) state.pulled.set(line.digest, line.completed);
          const { _layer, ...shown } = line;
          res.write(`${JSON.stringify(shown)}\n`);
          sent++;
          setTimeout(next, 30);
        };
        next();
      });
      return;
    }
    send(404, { error: `no route ${req.method} ${req.url}` });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  state.base = `http://127.0.0.1:${server.address().port}`;
  state.close = () => new Promise((r) => { server.closeAllConnections(); server.close(r); });
  return state;
}
