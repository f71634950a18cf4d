"""A stand-in OpenAI-compatible server for contract tests of the vLLM and custom engines.

Takes the arguments vLLM takes (`--port`, `--served-model-name`, anything else ignored), answers
/health, /v1/models and a streamed /v1/chat/completions that echoes the last user message, and
refuses any other `model` as vLLM does (404). Prints vLLM's ready line once it listens.
With `VLLM_API_KEY` in its environment, `/v1/*` needs `Authorization: Bearer <key>` (401
otherwise), as vLLM's own key check does; `/health` stays open.
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def arg(name, default=None):
    args = sys.argv[1:]
    return args[args.index(name) + 1] if name in args else default


PORT = int(arg("--port"))
SERVED = arg("--served-model-name", "stub")
API_KEY = os.environ.get("VLLM_API_KEY")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def key_refused(self):
        if API_KEY and self.path.startswith("/v1") and self.headers.get("Authorization") != f"Bearer {API_KEY}":
            self.send_json(401, {"error": "Unauthorized"})
            return True
        return False

    def do_GET(self):
        if self.key_refused():
            return
        if self.path == "/health":
            self.send_json(200, {})
        elif self.path == "/v1/models":
            self.send_json(200, {"object": "list", "data": [{"id": SERVED}]})
        else:
            self.send_json(404, {"error": {"message": "not found"}})

    def do_POST(self):
        if self.key_refused():
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body.get("model") != SERVED:
            message = f"The model `{body.get('model')}` does not exist."
            return self.send_json(404, {"error": {"message": message}})
        words = ("echo: " + body["messages"][-1]["content"]).split(" ")
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        for i, word in enumerate(words):
            piece = word if i == 0 else " " + word
            chunk = {"choices": [{"delta": {"content": piece}}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        done = {"choices": [{"delta": {}, "finish_reason": "stop"}]}
        self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
        self.wfile.flush()
        self.close_connection = True


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print("INFO:     Application startup complete.", flush=True)
server.serve_forever()
