//! The `llmops serve` binary over HTTP: error contract and bad input. The engine and model cache
//! is an empty temp dir here, so no real engine is involved (the E2E tests cover that).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Server {
    child: Child,
    base: String,
    _dirs: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dirs = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_llmops"))
            .args(["serve", "--port", &port.to_string()])
            .env("LLMOPS_DATA_DIR", dirs.path().join("data"))
            .env("LLMOPS_CACHE_DIR", dirs.path().join("cache"))
            .env("LLMOPS_UI_DIR", dirs.path().join("no-ui"))
            .env("LLMOPS_NVML_LIB", "/nonexistent/libnvidia-ml.so.1")
            .env_remove("LLMOPS_LLAMA_SERVER")
            .env("PATH", "/usr/bin:/bin")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            _dirs: dirs,
        }
    }

    async fn ready(&self, http: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if http
                .get(format!("{}/api/health", self.base))
                .send()
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("llmops serve did not answer within 30 s");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = nix_kill_term(self.child.id());
        let _ = self.child.wait();
    }
}

fn nix_kill_term(pid: u32) -> std::io::Result<()> {
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .map(|_| ())
}

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = http.request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn bad_input_gets_typed_errors_and_starts_nothing() {
    let server = Server::start();
    let http = reqwest::Client::new();
    server.ready(&http).await;
    let api = |path: &str| format!("{}/api{}", server.base, path);
    use reqwest::Method;

    let (status, snapshot) = call(&http, Method::GET, api("/system/status"), None).await;
    assert_eq!(status, 200);
    assert!(snapshot["cpu"]["logical_cores"].as_u64().unwrap() >= 1);
    assert_eq!(snapshot["gpu"]["kind"], "not_detected");

    // A model whose file does not exist can be added but not started.
    let (status, model) = call(
        &http,
        Method::POST,
        api("/models"),
        Some(json!({"name": "ghost", "path": "/nonexistent/ghost.gguf"})),
    )
    .await;
    assert_eq!(status, 200, "{model}");
    let (status, err) = call(
        &http,
        Method::POST,
        api(&format!("/models/{}/start", model["id"].as_str().unwrap())),
        None,
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("model_file_missing"))
    );
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("/nonexistent/ghost.gguf"));

    // A real file but no engine anywhere (empty cache, PATH without llama-server).
    let weights = server._dirs.path().join("real.gguf");
    std::fs::write(&weights, b"GGUF").unwrap();
    let (_, real) = call(
        &http,
        Method::POST,
        api("/models"),
        Some(json!({"name": "real", "path": weights})),
    )
    .await;
    let (status, err) = call(
        &http,
        Method::POST,
        api(&format!("/models/{}/start", real["id"].as_str().unwrap())),
        None,
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (503, Some("engine_binary_not_found"))
    );
    assert!(err["message"].as_str().unwrap().contains("npm start"));

    let (_, instances) = call(&http, Method::GET, api("/instances"), None).await;
    assert_eq!(instances, json!([]), "nothing was started");

    // Malformed and invalid requests.
    let (status, err) = call(
        &http,
        Method::POST,
        api("/models"),
        Some(json!({"name": "x"})),
    )
    .await;
    assert_eq!((status, err["code"].as_str()), (400, Some("bad_request")));
    let (status, err) = call(
        &http,
        Method::POST,
        api("/models"),
        Some(json!({"name": "x", "path": "rel.gguf"})),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("model_path_not_absolute"))
    );
    let (status, err) = call(&http, Method::POST, api("/models/nope/start"), None).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (404, Some("model_not_found"))
    );
    let (status, err) = call(&http, Method::POST, api("/instances/nope/stop"), None).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (404, Some("instance_not_found"))
    );
    let (status, err) = call(
        &http,
        Method::POST,
        api("/chat/completions"),
        Some(json!({"instance_id": "nope", "messages": [{"role": "user", "content": "hi"}]})),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (404, Some("instance_not_found"))
    );
    let (status, err) = call(&http, Method::GET, api("/no/such/route"), None).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (404, Some("route_not_found"))
    );

    // Without a built UI the root page says how to build it.
    let page = http.get(format!("{}/", server.base)).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 503);
    assert!(page.text().await.unwrap().contains("npm run build"));
}
