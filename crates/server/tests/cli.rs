//! `llmops ps | models | status` against a running `llmops serve`: tables and `--json` from its
//! API, the local token sent where loopback needs a login, and a clear error when nothing listens.

mod common;

use std::process::{Command, Output};

use common::Server;

fn llmops(server: &Server, args: &[&str]) -> Output {
    let port = server.authority().rsplit(':').next().unwrap().to_string();
    Command::new(env!("CARGO_BIN_EXE_llmops"))
        .args(args)
        .args(["--port", &port])
        .env("LLMOPS_DATA_DIR", server.dirs.path().join("data"))
        .env("LLMOPS_CACHE_DIR", server.dirs.path().join("cache"))
        .env_remove("LLMOPS_PORT")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout.clone()).unwrap()
}

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
