//! The OpenAI-compatible gateway `/v1` with a real `llama-server` and the starter model: on
//! demand starts (one start for concurrent first requests), idle stops, eviction that never
//! touches a model still answering, a client that goes away, an engine killed mid-answer, 100
//! concurrent streams with every body checked, GPU memory (fake NVML) making room, and the
//! security stack in front of `/v1`.

mod common;

use std::time::{Duration, Instant};

use common::{call, real_parts, Server};
use llmops_core::chat::SseParser;
use reqwest::Method;
use serde_json::{json, Value};

struct Gateway {
    server: Server,
    http: reqwest::Client,
    model_path: String,
}

impl Gateway {
    async fn start(extra_env: &[(&str, &str)]) -> Option<Gateway> {
        let (engine, model_path) = real_parts()?;
        let mut env: Vec<(&str, &std::ffi::OsStr)> =
            vec![("LLMOPS_LLAMA_SERVER", engine.as_os_str())];
        env.extend(
            extra_env
                .iter()
                .map(|(k, v)| (*k, std::ffi::OsStr::new(*v))),
        );
        let server = Server::start_with(&env);
        let http = reqwest::Client::new();
        server.ready(&http).await;
        Some(Gateway {
            server,
            http,
            model_path: model_path.display().to_string(),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base)
    }

    /// Adds a model (not started) and returns its id. Each model gets its own link to the
    /// starter model's file (a path serves one model).
    async fn add_model(&self, name: &str) -> String {
        let path = self.server.dirs.path().join(format!("{name}.gguf"));
        std::os::unix::fs::symlink(&self.model_path, &path).unwrap();
        let (status, model) = call(
            &self.http,
            Method::POST,
            self.url("/api/models"),
            Some(json!({"name": name, "path": path, "context_size": 2048})),
        )
        .await;
        assert_eq!(status, 200, "{model}");
        model["id"].as_str().unwrap().to_string()
    }

    /// A model's id by its stable name.
    async fn model_id(&self, name: &str) -> String {
        let (_, status) = call(&self.http, Method::GET, self.url("/api/gateway"), None).await;
        status["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {status}"))["model_id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn set_model(&self, id: &str, settings: Value) {
        let (status, body) = call(
            &self.http,
            Method::PUT,
            self.url(&format!("/api/gateway/models/{id}")),
            Some(settings),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }

    async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(self.url(&format!("/v1{path}")))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// The state `/v1/models` gives the model.
    async fn state(&self, name: &str) -> String {
        let (_, list) = call(&self.http, Method::GET, self.url("/v1/models"), None).await;
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == name)
            .unwrap_or_else(|| panic!("{name} in {list}"))["llmops"]["state"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn wait_for_state(&self, name: &str, wanted: &str, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let state = self.state(name).await;
            if state == wanted {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{name} stayed {state}, not {wanted}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn instances_of(&self, id: &str) -> Vec<Value> {
        let (_, detail) = call(
            &self.http,
            Method::GET,
            self.url(&format!("/api/models/{id}")),
            None,
        )
        .await;
        detail["history"].as_array().unwrap().clone()
    }

    /// The records once `count` are there (they are written a moment after the answer ends).
    async fn records_when(&self, query: &str, count: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let records = self.records(query).await;
            if records.len() >= count || Instant::now() > deadline {
                return records;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn records(&self, query: &str) -> Vec<Value> {
        let (status, list) = call(
            &self.http,
            Method::GET,
            self.url(&format!("/api/gateway/requests{query}")),
            None,
        )
        .await;
        assert_eq!(status, 200, "{list}");
        list.as_array().unwrap().clone()
    }
}

fn chat(model: &str, max_tokens: u32, stream: bool) -> Value {
    json!({
        "model": model,
        "messages": [{"role": "user", "content": "Tell me a long story about a lighthouse."}],
        "max_tokens": max_tokens,
        "temperature": 0,
        "stream": stream,
        "stream_options": {"include_usage": true},
    })
}

/// Every SSE event of a response as JSON (`[DONE]` as the string "[DONE]").
async fn events_of(response: reqwest::Response) -> Vec<Value> {
    let text = response.text().await.unwrap();
    let mut parser = SseParser::new();
    parser
        .feed(text.as_bytes())
        .into_iter()
        .map(|e| serde_json::from_str(&e.data).unwrap_or(Value::String(e.data)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_model_starts_on_demand_once_and_stops_when_idle() {
    let Some(gateway) = Gateway::start(&[]).await else {
        return;
    };
    let id = gateway.add_model("Tiny Story").await;
    gateway.set_model(&id, json!({"idle_ttl_secs": 2})).await;
    assert_eq!(gateway.state("tiny-story").await, "stopped");
    // A model whose name reads the same gets its own stable name; the first keeps the plain one.
    gateway.add_model("TINY story!").await;
    assert_eq!(gateway.state("tiny-story-2").await, "stopped");
    assert_eq!(gateway.model_id("tiny-story").await, id);
    // OpenAI clients always send some key: on loopback an unknown one counts as none on /v1
    // (only there: /api still refuses a wrong key).
    let with_dummy_key = |path: &str| {
        gateway
            .http
            .get(gateway.url(path))
            .bearer_auth("sk-dummy")
            .send()
    };
    assert_eq!(with_dummy_key("/v1/models").await.unwrap().status(), 200);
    assert_eq!(with_dummy_key("/api/models").await.unwrap().status(), 401);

    // Two first requests at once: one start, two answers.
    let (a, b) = tokio::join!(
        gateway.post("/chat/completions", chat("tiny-story", 8, true)),
        gateway.post("/chat/completions", chat("Tiny Story", 8, false)),
    );
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let streamed = events_of(a).await;
    assert_eq!(streamed.last().unwrap(), "[DONE]");
    let usage = &streamed[streamed.len() - 2]["usage"];
    assert_eq!(usage["completion_tokens"], 8, "{streamed:?}");
    let whole: Value = b.json().await.unwrap();
    assert!(
        whole["choices"][0]["message"]["content"].is_string(),
        "{whole}"
    );
    assert_eq!(
        gateway.instances_of(&id).await.len(),
        1,
        "one start for both"
    );
    assert_eq!(gateway.state("tiny-story").await, "running");

    // Idle for its TTL (2 s): stopped by the gateway.
    gateway
        .wait_for_state("tiny-story", "stopped", Duration::from_secs(15))
        .await;

    // Measured and kept: the streamed one has its TTFT, ITL and usage tokens.
    let records = gateway.records_when("?model=tiny-story", 2).await;
    assert_eq!(records.len(), 2, "{records:?}");
    let streamed = records.iter().find(|r| r["streamed"] == true).unwrap();
    assert_eq!(streamed["outcome"], "ok");
    assert!(streamed["ttft_ms"].as_f64().unwrap() > 0.0, "{streamed}");
    assert!(streamed["itl_p50_ms"].as_f64().unwrap() > 0.0, "{streamed}");
    assert!(
        streamed["e2el_ms"].as_f64() >= streamed["ttft_ms"].as_f64(),
        "{streamed}"
    );
    assert_eq!(streamed["completion_tokens"], 8);
    assert_eq!(streamed["tokens_counted"], false);
    let plain = records.iter().find(|r| r["streamed"] == false).unwrap();
    assert_eq!(plain["completion_tokens"], 8, "{plain}");

    // The next request starts it again; a `keep_alive` of 0 stops it right after.
    let mut again = chat("tiny-story", 2, false);
    again["keep_alive"] = json!(0);
    assert_eq!(gateway.post("/chat/completions", again).await.status(), 200);
    gateway
        .wait_for_state("tiny-story", "stopped", Duration::from_secs(10))
        .await;
    assert_eq!(gateway.instances_of(&id).await.len(), 2);

    // Errors are OpenAI-shaped and recorded.
    let unknown = gateway
        .post("/chat/completions", chat("no-such-model", 1, false))
        .await;
    assert_eq!(unknown.status(), 404);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["error"]["code"], "model_not_found");
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("tiny-story"),
        "names the known models: {body}"
    );
    let no_model = gateway
        .post("/chat/completions", json!({"messages": []}))
        .await;
    assert_eq!(no_model.status(), 400);
    let not_json = gateway
        .http
        .post(gateway.url("/v1/chat/completions"))
        .body("[1,2]")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    let rejected = gateway.records_when("?outcome=rejected", 3).await;
    assert_eq!(rejected.len(), 3, "{rejected:?}");

    // Prometheus: request counters, histograms and the engine's own series relabelled.
    let metrics = gateway
        .http
        .get(gateway.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("llmops_requests_total{model=\"tiny-story\",status=\"200\"} 3"),
        "{metrics}"
    );
    assert!(metrics.contains("llmops_requests_total{model=\"unknown\",status=\"404\"} 1"));
    assert!(metrics.contains("llmops_request_ttft_seconds_count{model=\"tiny-story\"} 1"));
    common::check_with_promtool(&metrics);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_limit_of_one_the_idle_model_makes_room_but_never_one_answering() {
    let Some(gateway) = Gateway::start(&[("LLMOPS_MAX_INSTANCES", "1")]).await else {
        return;
    };
    let first = gateway.add_model("First").await;
    let second = gateway.add_model("Second").await;
    assert_eq!(
        gateway
            .post("/chat/completions", chat("first", 2, false))
            .await
            .status(),
        200
    );

    // While "first" answers a long stream, "second" cannot take its place.
    let mut long = gateway
        .post("/chat/completions", chat("first", 400, true))
        .await;
    assert_eq!(long.status(), 200);
    let _ = long.chunk().await.unwrap();
    let refused = gateway
        .post("/chat/completions", chat("second", 2, false))
        .await;
    assert_eq!(refused.status(), 503);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "gateway_no_room", "{body}");
    while long.chunk().await.unwrap().is_some() {}

    // Idle now: "first" is stopped to make room for "second".
    let answered = gateway
        .post("/chat/completions", chat("second", 2, false))
        .await;
    assert_eq!(answered.status(), 200);
    assert_eq!(gateway.state("first").await, "stopped");
    assert_eq!(gateway.state("second").await, "running");

    // A model the user started by hand is never stopped by the gateway.
    call(
        &gateway.http,
        Method::POST,
        gateway.url(&format!("/api/models/{second}/stop")),
        None,
    )
    .await;
    let (status, _) = call(
        &gateway.http,
        Method::POST,
        gateway.url(&format!("/api/models/{first}/start")),
        None,
    )
    .await;
    assert!(status < 300);
    gateway
        .wait_for_state("first", "running", Duration::from_secs(30))
        .await;
    let refused = gateway
        .post("/chat/completions", chat("second", 2, false))
        .await;
    assert_eq!(refused.status(), 503);
    assert_eq!(gateway.state("first").await, "running");

    // Models of one group are never stopped for each other, even when idle.
    let stop_first = gateway.url(&format!("/api/models/{first}/stop"));
    call(&gateway.http, Method::POST, stop_first, None).await;
    for id in [&first, &second] {
        gateway.set_model(id, json!({"group": "team"})).await;
    }
    let started = gateway
        .post("/chat/completions", chat("first", 2, false))
        .await;
    assert_eq!(started.status(), 200);
    let refused = gateway
        .post("/chat/completions", chat("second", 2, false))
        .await;
    assert_eq!(refused.status(), 503);
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["error"]["message"].as_str().unwrap().contains("group"),
        "{body}"
    );
    assert_eq!(gateway.state("first").await, "running");
}

/// The engine's `/slots`, with its key from the engine's environment (as llmops sends it).
async fn engine_busy(http: &reqwest::Client, instance: &Value) -> bool {
    let pid = instance["pid"].as_u64().unwrap();
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    let key = String::from_utf8_lossy(&environ)
        .split('\0')
        .find_map(|e| e.strip_prefix("LLAMA_API_KEY=").map(str::to_string))
        .unwrap();
    let slots: Value = http
        .get(format!("http://127.0.0.1:{}/slots", instance["port"]))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    slots
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["is_processing"] == true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_leaves_stops_generation_and_a_killed_engine_gives_a_clean_error() {
    let Some(gateway) = Gateway::start(&[]).await else {
        return;
    };
    let id = gateway.add_model("Leaver").await;
    let mut response = gateway
        .post("/chat/completions", chat("leaver", 2000, true))
        .await;
    for _ in 0..3 {
        response.chunk().await.unwrap();
    }
    let instance = gateway.instances_of(&id).await[0].clone();
    assert!(engine_busy(&gateway.http, &instance).await);
    drop(response);
    let deadline = Instant::now() + Duration::from_secs(10);
    while engine_busy(&gateway.http, &instance).await {
        assert!(Instant::now() < deadline, "the engine went on generating");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let closed = gateway.records_when("?outcome=client_closed", 1).await;
    assert_eq!(closed.len(), 1, "{closed:?}");
    assert!(closed[0]["ttft_ms"].as_f64().is_some(), "{}", closed[0]);

    // kill -9 of the engine mid-answer: the stream ends with an OpenAI-shaped error event.
    let mut response = gateway
        .post("/chat/completions", chat("leaver", 2000, true))
        .await;
    response.chunk().await.unwrap();
    let pid = instance["pid"].as_u64().unwrap();
    std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    let events = events_of(response).await;
    let last = events.last().unwrap();
    assert_eq!(
        last["error"]["code"], "gateway_engine_unreachable",
        "{events:?}"
    );
    let failed = gateway.records_when("?outcome=failed", 1).await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["error"]["code"], "gateway_engine_unreachable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_streams_all_complete_or_get_429_none_mixed_up() {
    let Some(gateway) = Gateway::start(&[]).await else {
        return;
    };
    let id = gateway.add_model("Crowd").await;
    gateway.set_model(&id, json!({"queue_limit": 48})).await;
    // Started first, so the crowd measures queueing, not the start.
    assert_eq!(
        gateway
            .post(
                "/completions",
                json!({"model": "crowd", "prompt": "Hi", "max_tokens": 1})
            )
            .await
            .status(),
        200
    );
    let requests = (0..100u32).map(|i| {
        let http = gateway.http.clone();
        let url = gateway.url("/v1/completions");
        async move {
            // Each request's own length: a body that belongs to another request shows.
            let wanted = 1 + i % 12;
            let response = http
                .post(url)
                .json(&json!({
                    "model": "crowd",
                    "prompt": format!("Request {i}: count to ten."),
                    "max_tokens": wanted,
                    "ignore_eos": true,
                    "temperature": 0,
                    "stream": true,
                    "stream_options": {"include_usage": true},
                }))
                .send()
                .await
                .unwrap();
            (
                i,
                wanted,
                response.status().as_u16(),
                response.headers().get("retry-after").is_some(),
                response.text().await.unwrap(),
            )
        }
    });
    let results = futures_util::future::join_all(requests).await;
    let (mut ok, mut limited) = (0, 0);
    for (i, wanted, status, retry_after, text) in results {
        match status {
            200 => {
                let mut parser = SseParser::new();
                let events: Vec<String> = parser
                    .feed(text.as_bytes())
                    .into_iter()
                    .map(|e| e.data)
                    .collect();
                assert_eq!(
                    events.last().map(String::as_str),
                    Some("[DONE]"),
                    "request {i}: {text}"
                );
                let chunks: Vec<Value> = events[..events.len() - 1]
                    .iter()
                    .map(|d| serde_json::from_str(d).unwrap())
                    .collect();
                let ids: std::collections::BTreeSet<&str> =
                    chunks.iter().filter_map(|c| c["id"].as_str()).collect();
                assert_eq!(ids.len(), 1, "request {i}: one completion id: {ids:?}");
                let texts = chunks
                    .iter()
                    .filter(|c| c["choices"].as_array().is_some_and(|a| !a.is_empty()))
                    .filter(|c| {
                        c["choices"][0]["text"]
                            .as_str()
                            .is_some_and(|t| !t.is_empty())
                    })
                    .count() as u32;
                let usage = chunks
                    .iter()
                    .rev()
                    .find(|c| c["usage"].is_object())
                    .unwrap();
                assert_eq!(usage["usage"]["completion_tokens"], wanted, "request {i}");
                assert!(
                    texts <= wanted,
                    "request {i}: {texts} text chunks for {wanted} tokens"
                );
                ok += 1;
            }
            429 => {
                assert!(retry_after, "request {i}: 429 says when to retry");
                let body: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(body["error"]["code"], "gateway_queue_full");
                limited += 1;
            }
            other => panic!("request {i}: status {other}: {text}"),
        }
    }
    assert_eq!(ok + limited, 100);
    assert!(
        ok >= 52,
        "4 slots and a queue of 48 answer at least 52: {ok}"
    );
    let records = gateway.records_when("?model=crowd&limit=1000", 101).await;
    assert_eq!(records.len(), 101);
    // With the engine running, its own series are relayed too, and the whole exposition is valid.
    let metrics = gateway
        .http
        .get(gateway.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("llmops_engine_llamacpp_tokens_predicted_total{model=\"crowd\""),
        "{metrics}"
    );
    assert!(metrics.contains(&format!(
        "llmops_requests_total{{model=\"crowd\",status=\"429\"}} {limited}"
    )));
    common::check_with_promtool(&metrics);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v1_sits_behind_the_host_origin_and_key_checks() {
    let server = Server::start_full(
        tempfile::tempdir().unwrap(),
        &["--require-auth-on-loopback"],
        &[],
        "127.0.0.1",
    );
    let http = reqwest::Client::new();
    server.ready(&http).await;
    let url = format!("{}/v1/chat/completions", server.base);
    let body = json!({"model": "x", "messages": []});
    // No key (as from another machine): 401, OpenAI-shaped.
    let response = http.post(&url).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["type"], "authentication_error", "{error}");
    let models = http
        .get(format!("{}/v1/models", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(models.status(), 401);
    // A page of another site in the user's browser: 403 even with the token.
    let response = http
        .post(&url)
        .bearer_auth(server.token())
        .header("origin", "http://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "origin_not_allowed");
    // A rebinding host name: 403.
    let response = http
        .post(&url)
        .bearer_auth(server.token())
        .header("host", "evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    // A read-only key may list models but not generate.
    let created = http
        .post(format!("{}/api/access/keys", server.base))
        .bearer_auth(server.token())
        .json(&json!({"name": "dashboard", "scope": "read"}))
        .send()
        .await
        .unwrap();
    let read_key = created.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_string();
    let listed = http
        .get(format!("{}/v1/models", server.base))
        .bearer_auth(&read_key)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
    let refused = http
        .post(&url)
        .bearer_auth(&read_key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["code"], "insufficient_scope");
    // With the token: routed (unknown model → 404).
    let routed = http
        .post(&url)
        .bearer_auth(server.token())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(routed.status(), 404);
    // Not an OpenAI path: an OpenAI-shaped 404.
    let other = http
        .get(format!("{}/v1/nothing-here", server.base))
        .bearer_auth(server.token())
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
    let error: Value = other.json().await.unwrap();
    assert_eq!(error["error"]["code"], "gateway_unknown_path");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_that_does_not_fit_in_free_gpu_memory_makes_room_or_gets_a_clear_503() {
    // Two fake 80 GiB GPUs (NVML through nvml-wrapper); what they hold is written by the test.
    let nvml_dir = tempfile::tempdir().unwrap();
    let lib = common::build_fake_nvml(nvml_dir.path());
    let processes = nvml_dir.path().join("fake_nvml_processes");
    std::fs::write(&processes, "").unwrap();
    let lib = lib.display().to_string();
    let Some(gateway) = Gateway::start(&[
        ("LLMOPS_NVML_LIB", lib.as_str()),
        ("LLMOPS_SAMPLE_INTERVAL_MS", "200"),
    ])
    .await
    else {
        return;
    };
    gateway.add_model("Resident").await;
    let newcomer = gateway.add_model("Newcomer").await;
    let ok = gateway
        .post("/chat/completions", chat("resident", 2, false))
        .await;
    assert_eq!(ok.status(), 200);

    // The resident model now fills both GPUs (as NVML reports its process), leaving 8 MiB each.
    let resident = gateway
        .instances_of(&gateway.model_id("resident").await)
        .await[0]
        .clone();
    let pid = resident["pid"].as_u64().unwrap();
    std::fs::write(&processes, format!("0 {pid} 81400\n1 {pid} 81400\n")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, status) = call(
            &gateway.http,
            Method::GET,
            gateway.url("/api/system/status"),
            None,
        )
        .await;
        let attributed = status["instances"]
            .as_array()
            .and_then(|list| list.iter().find(|i| i["instance_id"] == resident["id"]))
            .and_then(|i| i["gpu_memory_bytes"].as_u64());
        if attributed.is_some_and(|bytes| bytes > 100 << 30) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the monitor did not see the GPU memory: {status}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The newcomer (~100 MB) does not fit in 16 MiB: the idle resident is stopped for it.
    let answered = gateway
        .post("/chat/completions", chat("newcomer", 2, false))
        .await;
    assert_eq!(answered.status(), 200, "{}", answered.text().await.unwrap());
    assert_eq!(gateway.state("resident").await, "stopped");

    // Pinned, the newcomer stays; NVML still reports the memory full: a clear 503.
    gateway.set_model(&newcomer, json!({"pinned": true})).await;
    let refused = gateway
        .post("/chat/completions", chat("resident", 2, false))
        .await;
    assert_eq!(refused.status(), 503);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "gateway_no_room", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("GiB of GPU memory"),
        "{body}"
    );
    assert_eq!(gateway.state("newcomer").await, "running");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_open_streams_and_the_server_exits_without_waiting_for_them() {
    let Some(mut gateway) = Gateway::start(&[]).await else {
        return;
    };
    gateway.add_model("Long").await;
    let long = json!({
        "model": "long", "prompt": "Once upon a time", "max_tokens": 3000,
        "ignore_eos": true, "stream": true,
    });
    let mut response = gateway.post("/completions", long).await;
    assert_eq!(response.status(), 200);
    response.chunk().await.unwrap();
    // The answer would take minutes; the engine is stopped first, which ends the stream.
    let took = gateway.server.terminate();
    assert!(took < Duration::from_secs(20), "exit took {took:?}");
    let rest = response.text().await.unwrap_or_default();
    assert!(
        !rest.contains("[DONE]"),
        "the stream was cut, not completed"
    );
}
