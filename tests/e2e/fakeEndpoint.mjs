// A scripted OpenAI-compatible endpoint for the E2E tests and the UI benchmark: what a user's
// external endpoint (Ollama, a remote vLLM) looks like to llmops, but with a reply we choose.
import { createServer } from 'node:http';

/**
 * Starts the endpoint on a free loopback port. `reply(messages)` gives the answer text; it is
 * streamed in `pieces` (split by `split`) at `perSecond` pieces a second.
 */
export async function startFakeEndpoint({ reply, split = (t) => t.match(/\s*\S+/g) ?? [], perSecond = 200, model = 'fake-model' }) {
  const requests = [];
  const server = createServer(async (req, res) => {
    const body = await new Promise((resolve) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => resolve(data));
    });
    requests.push({ method: req.method, url: req.url, headers: req.headers, body });
    if (req.method === 'GET' && req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: model }] }));
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404).end();
      return;
    }
    const { messages } = JSON.parse(body);
    const pieces = split(await reply(messages));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let closed = false;
    req.on('close', () => (closed = true));
    const pause = 1000 / perSecond;
    let next = performance.now();
    for (const piece of pieces) {
      if (closed) return;
      res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: piece } }] })}\n\n`);
      next += pause;
      const wait = next - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    }
    const usage = { prompt_tokens: 10, completion_tokens: pieces.length };
    res.write(`data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    model,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }),
  };
}
