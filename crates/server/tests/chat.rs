//! Conversations over HTTP with a real `llama-server`: a turn streamed as SSE, `kill -9` of
//! `llmops serve` mid-answer (the engine goes with it; after a restart the answer is there up to
//! the last periodic save, marked incomplete), export as a download, search, delete.

mod common;

use std::time::{Duration, Instant};

use common::{call, real_parts, Server};
use llmops_core::chat::SseParser;
use llmops_core::supervisor::process_exists;
use reqwest::Method;
use serde_json::{json, Value};

/// Reads SSE events of a response until `enough` says so; returns them as JSON.
async fn read_events(
    response: &mut reqwest::Response,
    mut enough: impl FnMut(&[Value]) -> bool,
) -> Vec<Value> {
    let mut parser = SseParser::new();
    let mut events = Vec::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        for event in parser.feed(&chunk) {
            events.push(serde_json::from_str(&event.data).unwrap());
        }
        if enough(&events) {
            break;
        }
    }
    events
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_over_http_survives_a_crash_of_the_server_mid_answer() {
    let Some((engine, model_path)) = real_parts() else {
        return;
    };
    let env = [("LLMOPS_LLAMA_SERVER", engine.as_os_str())];
    let server = Server::start_with(&env);
    let http = reqwest::Client::new();
    server.ready(&http).await;
    let api = |base: &str, path: &str| format!("{base}/api{path}");

    let (_, model) = call(
        &http,
        Method::POST,
        api(&server.base, "/models"),
        Some(json!({"name": "SmolLM2", "path": model_path})),
    )
    .await;
    let model_id = model["id"].as_str().unwrap().to_string();
    let (status, instance) = call(
        &http,
        Method::POST,
        api(&server.base, &format!("/models/{model_id}/start")),
        None,
    )
    .await;
    assert_eq!(status, 200, "{instance}");
    let instance_id = instance["id"].as_str().unwrap();
    let engine_pid = instance["pid"].as_u64().unwrap() as u32;
    common::wait_running(&http, &server.base, instance_id, Duration::from_secs(120)).await;

    let (status, conversation) = call(
        &http,
        Method::POST,
        api(&server.base, "/conversations"),
        Some(json!({
            "target": {"kind": "model", "model_id": model_id},
            "params": {"max_tokens": 2000, "temperature": 0.0, "stop": []}
        })),
    )
    .await;
    assert_eq!(status, 201, "{conversation}");
    let id = conversation["id"].as_str().unwrap().to_string();

    let mut response = http
        .post(api(&server.base, &format!("/conversations/{id}/turns")))
        .json(&json!({"action": "send", "content": "Write a very long story about the sea."}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let events = read_events(&mut response, |events| {
        events.iter().filter(|e| e["event"] == "delta").count() >= 10
    })
    .await;
    assert_eq!(events[0]["event"], "started");
    assert_eq!(
        events[0]["user_message"]["content"],
        "Write a very long story about the sea."
    );
    let streamed: String = events
        .iter()
        .filter(|e| e["event"] == "delta")
        .map(|e| e["content"].as_str().unwrap())
        .collect();

    // A second turn while this one streams is refused.
    let (status, busy) = call(
        &http,
        Method::POST,
        api(&server.base, &format!("/conversations/{id}/turns")),
        Some(json!({"action": "regenerate"})),
    )
    .await;
    assert_eq!(
        (status, busy["code"].as_str()),
        (409, Some("conversation_busy"))
    );

    // Past the periodic save, the server dies hard; its engine must not outlive it.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let dirs = server.crash();
    // The engine gets SIGTERM when its parent dies and shuts down on its own; a busy machine has
    // taken over 5 s for that once, so it gets 20.
    let deadline = Instant::now() + Duration::from_secs(20);
    while process_exists(engine_pid) {
        assert!(
            Instant::now() < deadline,
            "llama-server outlived llmops serve"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let server = Server::start_in(dirs, &env);
    server.ready(&http).await;
    let (status, detail) = call(
        &http,
        Method::GET,
        api(&server.base, &format!("/conversations/{id}")),
        None,
    )
    .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(
        detail["conversation"]["title"],
        "Write a very long story about the sea."
    );
    let answer = &detail["messages"][1];
    assert_eq!(answer["status"], "incomplete", "{answer}");
    let kept = answer["content"].as_str().unwrap();
    assert!(
        !kept.is_empty() && kept.starts_with(&streamed[..streamed.len().min(kept.len())]),
        "kept {kept:?}, streamed {streamed:?}"
    );

    // Export downloads a file.
    let response = http
        .get(api(
            &server.base,
            &format!("/conversations/{id}/export?format=json"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition
            .starts_with("attachment; filename=\"write-a-very-long-story-about-the-sea.json\""),
        "{disposition}"
    );
    let exported: Value = response.json().await.unwrap();
    assert_eq!(exported["format"], "llmops.conversation.v1");
    assert_eq!(exported["messages"][1]["status"], "incomplete");
    let (status, err) = call(
        &http,
        Method::GET,
        api(
            &server.base,
            &format!("/conversations/{id}/export?format=xml"),
        ),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert!(err["message"].as_str().unwrap().contains("format=markdown"));

    // Search, pin, rename, delete.
    let (_, hits) = call(
        &http,
        Method::GET,
        api(&server.base, "/chat/search?q=story%20sea"),
        None,
    )
    .await;
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .any(|h| h["conversation_id"] == id.as_str()),
        "{hits}"
    );
    let (status, renamed) = call(
        &http,
        Method::PATCH,
        api(&server.base, &format!("/conversations/{id}")),
        Some(json!({"title": "Sea story", "pinned": true})),
    )
    .await;
    assert_eq!(
        (
            status,
            renamed["title"].as_str(),
            renamed["pinned"].as_bool()
        ),
        (200, Some("Sea story"), Some(true))
    );
    let (status, _) = call(
        &http,
        Method::DELETE,
        api(&server.base, &format!("/conversations/{id}")),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, gone) = call(
        &http,
        Method::GET,
        api(&server.base, &format!("/conversations/{id}")),
        None,
    )
    .await;
    assert_eq!(
        (status, gone["code"].as_str()),
        (404, Some("conversation_not_found"))
    );
}
