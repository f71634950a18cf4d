//! `llmops ps | models | status` against a running `llmops serve`: tables and `--json` from its
//! API, the local token sent where loopback needs a login, and a clear error when nothing listens.

mod common;

use std::process::Command;

use common::{llmops, stdout, Server};

#[tokio::test]
async fn the_terminal_client_reads_the_running_server() {
    // Loopback needs a login too: the client must send the local token.
    let server = Server::start_full(
        tempfile::tempdir().unwrap(),
        &["--require-auth-on-loopback"],
        &[],
        "127.0.0.1",
    );
    server.ready(&reqwest::Client::new()).await;

    assert!(stdout(&llmops(&server, &["ps"])).contains("no model is running"));
    let models = stdout(&llmops(&server, &["models", "--json"]));
    assert!(serde_json::from_str::<serde_json::Value>(&models)
        .unwrap()
        .is_array());
    let status = stdout(&llmops(&server, &["status"]));
    assert!(
        status.contains("CPU") && status.contains("memory"),
        "{status}"
    );
    assert!(status.contains("GPUs     none readable"), "{status}");
    let snapshot: serde_json::Value =
        serde_json::from_str(&stdout(&llmops(&server, &["status", "--json"]))).unwrap();
    assert!(snapshot["cpu"]["logical_cores"].as_u64().unwrap() >= 1);

    // Without the token, the API's refusal is shown with its code.
    std::fs::remove_file(server.dirs.path().join("data/server-token")).unwrap();
    let refused = llmops(&server, &["ps"]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.starts_with("llmops: ") && stderr.contains("HTTP 401"),
        "{stderr}"
    );

    // Nothing listening: what to do.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let nobody = Command::new(env!("CARGO_BIN_EXE_llmops"))
        .args(["ps", "--port", &port.to_string()])
        .env("LLMOPS_DATA_DIR", server.dirs.path().join("data"))
        .output()
        .unwrap();
    assert!(!nobody.status.success());
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("no llmops is listening"));
}

/// An installed `llmops` has no checkout next to it: the dashboard it serves is the one built into
/// it, the same build as `ui/dist` now, whatever the working directory.
#[tokio::test]
async fn serve_needs_no_checkout_for_the_dashboard() {
    let index = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist/index.html");
    let Ok(built) = std::fs::read_to_string(&index) else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "{} is missing: run `npm run ui:build` before cargo",
            index.display()
        );
        eprintln!("SKIPPED (not CI): the UI is not built");
        return;
    };
    // The common server runs in its temp dir, without --ui-dir or LLMOPS_UI_DIR.
    let server = Server::start();
    let http = reqwest::Client::new();
    server.ready(&http).await;
    let get = |path: &str| http.get(format!("{}{path}", server.base)).send();

    let page = get("/").await.unwrap();
    assert_eq!(page.headers()["cache-control"], "no-cache");
    assert_eq!(page.text().await.unwrap(), built);
    // An app route gets the page; a missing asset is a plain 404.
    assert_eq!(
        get("/models/some-model")
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        built
    );
    assert_eq!(get("/assets/gone-1234.js").await.unwrap().status(), 404);

    let entry = built
        .split('"')
        .find(|part| part.contains("assets/index-") && part.ends_with(".js"))
        .expect("index.html names its entry script")
        .trim_start_matches("./")
        .trim_start_matches('/');
    let script = get(&format!("/{entry}")).await.unwrap();
    assert_eq!(script.status(), 200);
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(script.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    let etag = script.headers()["etag"].clone();
    let on_disk =
        std::fs::read(index.parent().unwrap().join(entry.trim_start_matches('/'))).unwrap();
    assert_eq!(script.bytes().await.unwrap().as_ref(), on_disk.as_slice());
    // The browser's copy is still good: 304 without a body.
    let again = http
        .get(format!("{}/{entry}", server.base))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

/// `llmops --version` and `GET /api/health` name the same build: version, commit and profile.
#[tokio::test]
async fn the_version_names_the_build() {
    let output = Command::new(env!("CARGO_BIN_EXE_llmops"))
        .arg("--version")
        .output()
        .unwrap();
    let line = stdout(&output);
    let server = Server::start();
    let http = reqwest::Client::new();
    server.ready(&http).await;
    let health: serde_json::Value = http
        .get(format!("{}/api/health", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let expected = format!(
        "llmops {} ({} {}, {})\n",
        health["version"].as_str().unwrap(),
        health["commit"].as_str().unwrap(),
        health["commit_date"].as_str().unwrap(),
        health["profile"].as_str().unwrap()
    );
    assert_eq!(line, expected);
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    let commit = health["commit"].as_str().unwrap();
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{commit}"
    );
}

/// start, logs, chat, bench and stop from a terminal, with the real engine and starter model.
#[tokio::test]
async fn the_terminal_runs_a_model_from_start_to_stop() {
    let Some((engine, model_path)) = common::real_parts() else {
        return;
    };
    let server = Server::start_with(&[("LLMOPS_LLAMA_SERVER", engine.as_os_str())]);
    let http = reqwest::Client::new();
    server.ready(&http).await;
    let (status, model) = common::call(
        &http,
        reqwest::Method::POST,
        format!("{}/api/models", server.base),
        Some(serde_json::json!({"name": "Tiny Chat", "path": model_path, "context_size": 2048})),
    )
    .await;
    assert_eq!(status, 200, "{model}");

    // A part of the name is enough when it names one model.
    let started = stdout(&llmops(&server, &["start", "tiny"]));
    assert!(
        started.starts_with("Tiny Chat is running at http://127.0.0.1:"),
        "{started}"
    );
    let logs = stdout(&llmops(&server, &["logs", "Tiny Chat", "-n", "5"]));
    assert_eq!(logs.lines().count(), 5, "{logs}");
    assert!(logs.contains("listening on"), "{logs}");

    let answer = stdout(&llmops(
        &server,
        &["chat", "Tiny Chat", "--max-tokens", "12", "Say", "hello."],
    ));
    assert!(!answer.trim().is_empty(), "an answer streamed: {answer:?}");

    let report = stdout(&llmops(
        &server,
        &[
            "bench",
            "tiny",
            "--requests",
            "2",
            "--output-tokens",
            "8",
            "--json",
        ],
    ));
    let benchmark: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(benchmark["state"], "completed");
    assert_eq!(benchmark["results"][0]["completed"], 2);
    assert!(benchmark["results"][0]["ttft_ms"]["p50"].as_f64().unwrap() > 0.0);

    assert_eq!(
        stdout(&llmops(&server, &["stop", "tiny"])),
        "Tiny Chat stopped\n"
    );
    // Stopping again, or a model that is not there: the API's reason with its code.
    let again = llmops(&server, &["stop", "tiny"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("(model_not_running, HTTP 409)"));
    let unknown = llmops(&server, &["start", "no such model"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("`llmops models` lists them"));
}
