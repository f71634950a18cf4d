//! Engine runtimes against a local release server that answers GitHub's release-list shape and
//! serves the locally built llama.cpp as release archives with sha256 digests: the first install
//! (a model then runs on it), a second version, default, pin, rollback, removal refused while
//! pinned and allowed once unused, and a corrupted archive refused with nothing left behind.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{call, llmops, stdout, wait_running, Server};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The archive files by URL path, and the release list.
struct ReleaseServer {
    base: String,
    _task: tokio::task::JoinHandle<()>,
}

/// `llama-<tag>-bin-<os>-<arch>.tar.gz` for this computer, as llama.cpp names its CPU build.
fn asset_name(tag: &str) -> String {
    let os = if cfg!(target_os = "macos") {
        "macos"
    } else {
        "ubuntu"
    };
    let arch = if cfg!(target_arch = "aarch64") {
        "arm64"
    } else {
        "x64"
    };
    format!("llama-{tag}-bin-{os}-{arch}.tar.gz")
}

/// A release archive of the local build: its `bin/` folder under `llama-<tag>/`, as tar.gz.
fn archive_of(engine_bin: &Path, work: &Path) -> Vec<u8> {
    let stage = work.join("stage/llama-b9001");
    std::fs::create_dir_all(&stage).unwrap();
    for entry in std::fs::read_dir(engine_bin).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        // Libraries come with their version links (`libllama.so.0` → `libllama.so.0.6.0`), as
        // in llama.cpp's own tar.gz archives.
        if kind.is_symlink() {
            let target = std::fs::read_link(entry.path()).unwrap();
            std::os::unix::fs::symlink(target, stage.join(entry.file_name())).unwrap();
        } else if kind.is_file() {
            std::fs::copy(entry.path(), stage.join(entry.file_name())).unwrap();
        }
    }
    let archive = work.join("build.tar.gz");
    let status = std::process::Command::new("tar")
        .arg("czf")
        .arg(&archive)
        .arg("-C")
        .arg(work.join("stage"))
        .arg("llama-b9001")
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read(archive).unwrap()
}

impl ReleaseServer {
    /// Three releases: b9001 and b9002 (good), b9003 (its archive corrupted after publishing:
    /// the bytes served do not match the listed digest).
    async fn start(archive: Vec<u8>) -> ReleaseServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let digest = hex(&Sha256::digest(&archive));
        let mut corrupted = archive.clone();
        let middle = corrupted.len() / 2;
        corrupted[middle] ^= 0xff;
        let mut files: HashMap<String, Vec<u8>> = HashMap::new();
        let mut releases = Vec::new();
        for (tag, bytes) in [
            ("b9003", corrupted),
            ("b9002", archive.clone()),
            ("b9001", archive.clone()),
        ] {
            let name = asset_name(tag);
            releases.push(json!({
                "tag_name": tag, "draft": false, "prerelease": false,
                "published_at": "2026-12-01T00:00:00Z",
                "assets": [{
                    "name": name, "size": archive.len(),
                    "browser_download_url": format!("{base}/download/{tag}/{name}"),
                    "digest": format!("sha256:{digest}"),
                }],
            }));
            files.insert(format!("/download/{tag}/{name}"), bytes);
        }
        files.insert(
            "/repos/ggml-org/llama.cpp/releases".into(),
            serde_json::to_vec(&releases).unwrap(),
        );
        let files = Arc::new(files);
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
            let files = files.clone();
            async move {
                match files.get(uri.path()) {
                    Some(bytes) => (axum::http::StatusCode::OK, bytes.clone()),
                    None => (axum::http::StatusCode::NOT_FOUND, b"not found".to_vec()),
                }
            }
        });
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        ReleaseServer { base, _task: task }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn api(server: &Server, path: &str) -> String {
    format!("{}/api{path}", server.base)
}

fn entry<'a>(overview: &'a Value, id: &str) -> Option<&'a Value> {
    overview["runtimes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["runtime"]["id"] == id)
}

/// Waits until the runtime `id` is installed or failed; returns its entry.
async fn settled(http: &reqwest::Client, server: &Server, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (status, overview) =
            call(http, Method::GET, api(server, "/engines/runtimes"), None).await;
        assert_eq!(status, 200, "{overview}");
        if let Some(found) = entry(&overview, id) {
            if matches!(
                found["runtime"]["state"].as_str(),
                Some("installed" | "failed")
            ) {
                return found.clone();
            }
        }
        assert!(Instant::now() < deadline, "{id} did not settle: {overview}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn install(http: &reqwest::Client, server: &Server, request: Value) -> Value {
    let (status, runtime) = call(
        http,
        Method::POST,
        api(server, "/engines/runtimes"),
        Some(request),
    )
    .await;
    assert_eq!(status, 201, "{runtime}");
    assert_eq!(runtime["state"], "downloading");
    settled(http, server, runtime["id"].as_str().unwrap()).await
}

/// Starts the model, waits until it runs, returns its instance, and stops it.
async fn run_once(http: &reqwest::Client, server: &Server, model_id: &str) -> Value {
    let (status, instance) = call(
        http,
        Method::POST,
        api(server, &format!("/models/{model_id}/start")),
        None,
    )
    .await;
    assert_eq!(status, 200, "{instance}");
    let id = instance["id"].as_str().unwrap();
    wait_running(http, &server.base, id, Duration::from_secs(60)).await;
    let (status, stopped) = call(
        http,
        Method::POST,
        api(server, &format!("/models/{model_id}/stop")),
        None,
    )
    .await;
    assert_eq!(status, 200, "{stopped}");
    instance
}

// Two workers: the release server must answer while the test waits on an `llmops` command.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_runtimes_install_pin_roll_back_and_remove_from_a_release_server() {
    let Some((engine, model_path)) = common::real_parts() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let releases = ReleaseServer::start(archive_of(engine.parent().unwrap(), work.path())).await;
    let server = Server::start();
    let http = reqwest::Client::new();
    server.ready(&http).await;
    let runtimes_dir = server.dirs.path().join("data/runtimes");

    // First run: no runtime and no build from source (the test's cache is empty).
    let (_, overview) = call(&http, Method::GET, api(&server, "/engines/runtimes"), None).await;
    assert_eq!(overview["runtimes"], json!([]), "{overview}");
    assert_eq!(overview["fallback"], Value::Null);
    assert_eq!(overview["releases_url_is_default"], true);
    assert!(!overview["hardware"]["os"].as_str().unwrap().is_empty());

    // The local release server as a mirror; an address that is not one is refused.
    let (status, refused) = call(
        &http,
        Method::PUT,
        api(&server, "/engines/source"),
        Some(json!({"url": "ftp://x"})),
    )
    .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (400, Some("invalid_input")),
        "{refused}"
    );
    let url = format!("{}/repos/ggml-org/llama.cpp/releases", releases.base);
    let (status, overview) = call(
        &http,
        Method::PUT,
        api(&server, "/engines/source"),
        Some(json!({ "url": url })),
    )
    .await;
    assert_eq!(status, 200, "{overview}");
    assert_eq!(overview["releases_url"], url.as_str());

    let (status, listed) = call(&http, Method::GET, api(&server, "/engines/releases"), None).await;
    assert_eq!(status, 200, "{listed}");
    let versions: Vec<&str> = listed["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["b9003", "b9002", "b9001"]);
    assert_eq!(
        listed["recommended"]["variant"], "cpu",
        "no GPU, no Vulkan here: {listed}"
    );

    // The first install becomes the default, and a model runs on it.
    let first = install(&http, &server, json!({"version": "b9001"})).await;
    let runtime = &first["runtime"];
    assert_eq!(runtime["state"], "installed", "{first}");
    assert_eq!(first["is_default"], true);
    assert!(runtime["size_bytes"].as_u64().unwrap() > 1 << 20);
    assert!(
        runtime["reported_version"]
            .as_str()
            .unwrap()
            .starts_with("version"),
        "{runtime}"
    );
    let first_dir = runtimes_dir.join("llama.cpp-b9001-cpu");
    assert!(Path::new(runtime["server_path"].as_str().unwrap()).starts_with(&first_dir));
    assert!(
        std::fs::read_dir(runtimes_dir.join(".downloads"))
            .unwrap()
            .all(|e| e.unwrap().file_type().unwrap().is_dir()),
        "archives are deleted once unpacked"
    );

    let (status, model) = call(
        &http,
        Method::POST,
        api(&server, "/models"),
        Some(json!({"name": "Tiny Chat", "path": model_path, "context_size": 2048})),
    )
    .await;
    assert_eq!(status, 200, "{model}");
    let model_id = model["id"].as_str().unwrap().to_string();
    let instance = run_once(&http, &server, &model_id).await;
    assert_eq!(instance["binary_source"], "runtime", "{instance}");
    assert!(Path::new(instance["binary"].as_str().unwrap()).starts_with(&first_dir));

    // A second version from the terminal, not made the default; then made it; the first is the
    // rollback target.
    let listed = stdout(&llmops(&server, &["engines", "releases"]));
    assert!(listed.starts_with("suggested build: cpu"), "{listed}");
    let installed = stdout(&llmops(&server, &["engines", "install", "b9002"]));
    assert!(
        installed.starts_with("llama.cpp-b9002-cpu is installed (version"),
        "{installed}"
    );
    let table = stdout(&llmops(&server, &["engines", "list"]));
    assert!(
        table.contains("* llama.cpp-b9001-cpu") && table.contains("  llama.cpp-b9002-cpu"),
        "{table}"
    );
    let second = settled(&http, &server, "llama.cpp-b9002-cpu").await;
    assert_eq!(
        (
            second["runtime"]["state"].as_str(),
            second["is_default"].as_bool()
        ),
        (Some("installed"), Some(false)),
        "{second}"
    );
    let (status, again) = call(
        &http,
        Method::POST,
        api(&server, "/engines/runtimes"),
        Some(json!({"version": "b9002"})),
    )
    .await;
    assert_eq!(
        (status, again["code"].as_str()),
        (409, Some("engine_runtime_installed")),
        "{again}"
    );
    let (status, overview) = call(
        &http,
        Method::PUT,
        api(&server, "/engines/default"),
        Some(json!({"id": "llama.cpp-b9002-cpu"})),
    )
    .await;
    assert_eq!(status, 200, "{overview}");
    assert_eq!(
        (
            overview["default_id"].as_str(),
            overview["previous_default_id"].as_str()
        ),
        (Some("llama.cpp-b9002-cpu"), Some("llama.cpp-b9001-cpu"))
    );
    let instance = run_once(&http, &server, &model_id).await;
    assert!(
        Path::new(instance["binary"].as_str().unwrap())
            .starts_with(runtimes_dir.join("llama.cpp-b9002-cpu")),
        "{instance}"
    );

    // Pinned to the first, the model runs it whatever the default.
    let (status, overview) = call(
        &http,
        Method::PUT,
        api(&server, "/engines/pins"),
        Some(json!({"model_id": model_id, "runtime_id": "llama.cpp-b9001-cpu"})),
    )
    .await;
    assert_eq!(status, 200, "{overview}");
    assert_eq!(
        entry(&overview, "llama.cpp-b9001-cpu").unwrap()["pinned_models"][0]["name"],
        "Tiny Chat"
    );
    let instance = run_once(&http, &server, &model_id).await;
    assert!(
        Path::new(instance["binary"].as_str().unwrap()).starts_with(&first_dir),
        "{instance}"
    );

    // Rollback: the default goes back to the first; the two swap.
    let (status, overview) = call(
        &http,
        Method::POST,
        api(&server, "/engines/default/rollback"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{overview}");
    assert_eq!(
        (
            overview["default_id"].as_str(),
            overview["previous_default_id"].as_str()
        ),
        (Some("llama.cpp-b9001-cpu"), Some("llama.cpp-b9002-cpu"))
    );

    // The pinned one stays; the unused one goes with its folder.
    let (status, refused) = call(
        &http,
        Method::DELETE,
        api(&server, "/engines/runtimes/llama.cpp-b9001-cpu"),
        None,
    )
    .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (409, Some("engine_runtime_in_use")),
        "{refused}"
    );
    let from_terminal = llmops(&server, &["engines", "remove", "llama.cpp-b9001-cpu"]);
    assert!(!from_terminal.status.success());
    assert!(
        String::from_utf8_lossy(&from_terminal.stderr)
            .contains("(engine_runtime_in_use, HTTP 409)"),
        "{from_terminal:?}"
    );
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("pinned by 1 model"),
        "{refused}"
    );
    let (status, overview) = call(
        &http,
        Method::DELETE,
        api(&server, "/engines/runtimes/llama.cpp-b9002-cpu"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{overview}");
    assert!(entry(&overview, "llama.cpp-b9002-cpu").is_none());
    assert_eq!(overview["previous_default_id"], Value::Null);
    assert!(!runtimes_dir.join("llama.cpp-b9002-cpu").exists());
    let (status, refused) = call(
        &http,
        Method::POST,
        api(&server, "/engines/default/rollback"),
        None,
    )
    .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (409, Some("engine_runtime_no_rollback")),
        "{refused}"
    );

    // A corrupted archive is refused: failed with the digest mismatch, nothing unpacked or kept.
    let corrupt = install(&http, &server, json!({"version": "b9003"})).await;
    assert_eq!(corrupt["runtime"]["state"], "failed", "{corrupt}");
    let error = &corrupt["runtime"]["error"];
    assert_eq!(error["code"], "hub_bad_answer", "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("sha256"),
        "{error}"
    );
    assert!(!runtimes_dir.join("llama.cpp-b9003-cpu").exists());
    let leftovers: Vec<_> = std::fs::read_dir(runtimes_dir.join(".downloads"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let (_, overview) = call(&http, Method::GET, api(&server, "/engines/runtimes"), None).await;
    assert_eq!(
        overview["default_id"], "llama.cpp-b9001-cpu",
        "a failed install changes nothing"
    );

    // A failed install is removed like any other; unpinned, the model uses the default.
    let (status, _) = call(
        &http,
        Method::DELETE,
        api(&server, "/engines/runtimes/llama.cpp-b9003-cpu"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, overview) = call(
        &http,
        Method::PUT,
        api(&server, "/engines/pins"),
        Some(json!({"model_id": model_id, "runtime_id": null})),
    )
    .await;
    assert_eq!(status, 200, "{overview}");
    assert_eq!(
        entry(&overview, "llama.cpp-b9001-cpu").unwrap()["pinned_models"],
        json!([])
    );
}
