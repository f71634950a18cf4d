//! The `llmops serve` binary over HTTP: error contract and bad input. The engine and model cache
//! is an empty temp dir here, so no real engine is involved (the E2E tests cover that).

mod common;

use common::{call, Server};
use serde_json::json;

#[tokio::test]
async fn bad_input_gets_typed_errors_and_starts_nothing() {
    // A UI folder that holds no build (the dashboard built into the binary is not used then).
    let server = Server::start_full(
        tempfile::tempdir().unwrap(),
        &["--ui-dir", "/nonexistent/ui"],
        &[],
        "127.0.0.1",
    );
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
    let weights = server.dirs.path().join("real.gguf");
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

    // Deploy (add + start in one call) leaves nothing behind when the start fails.
    let (status, err) = call(
        &http,
        Method::POST,
        api("/models/deploy"),
        Some(json!({"name": "d", "path": "/nonexistent/d.gguf"})),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("model_file_missing"))
    );
    let (_, models) = call(&http, Method::GET, api("/models"), None).await;
    assert!(
        models.as_array().unwrap().iter().all(|m| m["name"] != "d"),
        "{models}"
    );
    // A model's detail, and stopping a model that does not run.
    let ghost_id = model["id"].as_str().unwrap();
    let (status, detail) = call(
        &http,
        Method::GET,
        api(&format!("/models/{ghost_id}")),
        None,
    )
    .await;
    assert_eq!(
        (status, detail["model"]["name"].as_str()),
        (200, Some("ghost"))
    );
    assert_eq!(detail["history"], json!([]));
    let (status, err) = call(
        &http,
        Method::POST,
        api(&format!("/models/{ghost_id}/stop")),
        None,
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (409, Some("model_not_running"))
    );
    let (status, err) = call(
        &http,
        Method::POST,
        api("/models"),
        Some(json!({"name": "bad", "path": "/x.gguf", "settings": {"batch_size": 64, "ubatch_size": 512}})),
    )
    .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("model_settings_invalid"))
    );

    // A --ui-dir without a built UI: the root page says how to build it.
    let page = http.get(format!("{}/", server.base)).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 503);
    assert!(page.text().await.unwrap().contains("npm run build"));
}

/// An import may be larger than other requests (up to 32 MB), and no larger.
#[tokio::test]
async fn a_large_conversation_export_imports_and_a_huge_one_is_refused() {
    use reqwest::Method;
    let server = Server::start();
    let http = reqwest::Client::new();
    server.ready(&http).await;
    let api = |path: &str| format!("{}/api{}", server.base, path);
    let (status, endpoint) = call(
        &http,
        Method::POST,
        api("/chat/endpoints"),
        Some(serde_json::json!({"name": "Elsewhere", "base_url": "http://127.0.0.1:9/v1"})),
    )
    .await;
    assert_eq!(status, 201, "{endpoint}");
    let target =
        serde_json::json!({"kind": "endpoint", "endpoint_id": endpoint["id"], "model": "m"});
    let long_answer = "word ".repeat(700_000);
    let file = serde_json::json!([{"title": "Long", "chat": {"messages": [
        {"role": "user", "content": "Tell me everything"},
        {"role": "assistant", "content": long_answer}
    ]}}]);
    let (status, report) = call(
        &http,
        Method::POST,
        api("/conversations/import"),
        Some(serde_json::json!({"content": file.to_string(), "target": target})),
    )
    .await;
    assert_eq!(status, 201, "{report}");
    assert_eq!(report["format"], "open_webui");
    assert_eq!(report["imported"][0]["title"], "Long");

    let huge = "x".repeat(llmops_core::chat::MAX_IMPORT_BYTES + 1);
    let (status, error) = call(
        &http,
        Method::POST,
        api("/conversations/import"),
        Some(serde_json::json!({"content": huge, "target": target})),
    )
    .await;
    assert!(status == 400 || status == 413, "{status}");
    assert!(error["code"].is_string(), "a typed error: {error}");
    let (_, list) = call(&http, Method::GET, api("/conversations"), None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}
