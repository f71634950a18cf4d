//! Each defence of `llmops serve` against the attack it exists for (see docs/SECURITY.md): a
//! rebinding page (foreign Host), a cross-site page (foreign Origin, simple POSTs, WebSocket
//! hijacking), a LAN peer (no credential, a low-scope key), path traversal, oversized input, and
//! secrets leaking into answers, events, logs or the command line.

mod common;

use std::time::Duration;

use common::{call, lan_ip, ws_handshake, ws_read_frame, Server};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

async fn send(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, String)>,
) -> (StatusCode, HeaderMap, String) {
    let mut request = http.request(method, url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some((content_type, body)) = body {
        request = request.header("content-type", content_type).body(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

fn code(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["code"].as_str().map(str::to_string))
        .unwrap_or_default()
}

async fn add_model(http: &reqwest::Client, server: &Server, path: &str) -> String {
    let (status, model) = call(
        http,
        Method::POST,
        format!("{}/api/models", server.base),
        Some(json!({"name": "m", "path": path})),
    )
    .await;
    assert_eq!(status, 200, "{model}");
    model["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_rebinding_or_cross_site_page_gets_nothing_on_loopback() {
    let server = Server::start();
    let http = reqwest::Client::new();
    server.ready(&http).await;
    let base = &server.base;
    let model = add_model(&http, &server, "/nonexistent/a.gguf").await;

    // DNS rebinding: the attacker's name in Host, on API and static routes alike.
    for path in ["/api/models", "/", "/index.html", "/metrics", "/login"] {
        let (status, _, body) = send(
            &http,
            Method::GET,
            &format!("{base}{path}"),
            &[("host", "rebind.attacker.example:8765")],
            None,
        )
        .await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(code(&body), "host_not_allowed");
        assert!(
            body.contains("--allowed-host"),
            "says how to allow it: {body}"
        );
    }
    let (status, _, _) = send(
        &http,
        Method::GET,
        &format!("{base}/api/models"),
        &[(
            "host",
            &format!("localhost:{}", base.rsplit(':').next().unwrap()),
        )],
        None,
    )
    .await;
    assert_eq!(status, 200);

    // A simple cross-site POST (text/plain, no preflight) to start or stop a model.
    for path in [
        format!("/api/models/{model}/start"),
        format!("/api/models/{model}/stop"),
    ] {
        let (status, _, body) = send(
            &http,
            Method::POST,
            &format!("{base}{path}"),
            &[("origin", "https://evil.example")],
            Some(("text/plain", "x".into())),
        )
        .await;
        assert_eq!(
            (status, code(&body).as_str()),
            (StatusCode::FORBIDDEN, "origin_not_allowed"),
            "{path}"
        );
        // A browser that sends no Origin still says where the request comes from.
        let (status, _, _) = send(
            &http,
            Method::POST,
            &format!("{base}{path}"),
            &[("sec-fetch-site", "cross-site")],
            Some(("text/plain", "x".into())),
        )
        .await;
        assert_eq!(status, 403, "{path}");
    }
    let (status, _, body) = send(
        &http,
        Method::DELETE,
        &format!("{base}/api/models/{model}"),
        &[("origin", "null")],
        None,
    )
    .await;
    assert_eq!(status, 403, "{body}");
    // The server's own pages may.
    let (status, _, body) = send(
        &http,
        Method::POST,
        &format!("{base}/api/models/{model}/start"),
        &[("origin", base.as_str())],
        None,
    )
    .await;
    assert_eq!(
        (status, code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "model_file_missing")
    );

    // Cross-site WebSocket hijacking: the event stream and a model's live log.
    let authority = server.authority();
    for path in ["/api/ws".to_string(), format!("/api/models/{model}/logs")] {
        let (status, _) =
            ws_handshake(&authority, &path, &[("Origin", "https://evil.example")]).await;
        assert_eq!(status, 403, "{path}");
        let (status, _) = ws_handshake(&authority, &path, &[("Origin", base.as_str())]).await;
        assert_eq!(status, 101, "{path} from our own page");
    }

    // Security headers on pages and API answers alike.
    let (_, headers, _) = send(&http, Method::GET, &format!("{base}/api/models"), &[], None).await;
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(
        headers["cache-control"], "no-store",
        "private data is never cached"
    );
}

#[tokio::test]
async fn traversal_ids_oversized_queries_and_frames_are_refused() {
    let server = Server::start();
    let http = reqwest::Client::new();
    server.ready(&http).await;
    let base = &server.base;

    // A log file outside the data dir, which a traversal id would name.
    let outside = server.dirs.path().join("outside.log");
    std::fs::write(&outside, "1700000000000 stdout SECRET-FROM-OUTSIDE\n").unwrap();
    let absolute = outside
        .with_extension("")
        .display()
        .to_string()
        .replace('/', "%2F");
    for id in ["..%2F..%2Foutside", absolute.as_str(), "not-a-uuid"] {
        let (status, _, body) = send(
            &http,
            Method::GET,
            &format!("{base}/api/instances/{id}/logs"),
            &[],
            None,
        )
        .await;
        assert_eq!(
            (status, code(&body).as_str()),
            (StatusCode::BAD_REQUEST, "invalid_instance_id"),
            "{id}"
        );
        assert!(!body.contains("SECRET-FROM-OUTSIDE"));
    }

    // A history query naming 100,000 series is refused before any work: the HTTP layer refuses
    // a URI that long (414), and the history service refuses more than 256 keys (400) — shown
    // with 30,000, which fits in a URI. (No HTTP client builds such URLs: written by hand.)
    for (count, expected) in [(100_000, "414"), (30_000, "400")] {
        let keys = vec!["k"; count].join(",");
        let mut raw = tokio::net::TcpStream::connect(server.authority())
            .await
            .unwrap();
        let request = format!(
            "GET /api/system/history?range=24h&series={keys} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.authority()
        );
        let _ = raw.write_all(request.as_bytes()).await;
        let mut answer = Vec::new();
        let _ = tokio::io::AsyncReadExt::read_to_end(&mut raw, &mut answer).await;
        let answer = String::from_utf8_lossy(&answer);
        let status_line = answer.lines().next().unwrap_or_default().to_string();
        assert!(
            status_line.contains(&format!(" {expected} ")),
            "{count} keys: {status_line}"
        );
        if expected == "400" {
            assert!(answer.contains("too_many_series"), "the typed error");
        }
    }

    // A 10 MB WebSocket frame: the server closes instead of buffering it.
    let (status, mut socket) = ws_handshake(&server.authority(), "/api/ws", &[]).await;
    assert_eq!(status, 101);
    let len: u64 = 10 * 1024 * 1024;
    let mut header = vec![0x82u8, 0x80 | 127];
    header.extend_from_slice(&len.to_be_bytes());
    header.extend_from_slice(&[1, 2, 3, 4]); // the mask
    socket.write_all(&header).await.unwrap();
    let chunk = vec![0u8; 64 * 1024];
    let mut sent = 0u64;
    let mut refused = false;
    while sent < len {
        if socket.write_all(&chunk).await.is_err() {
            refused = true;
            break;
        }
        sent += chunk.len() as u64;
    }
    if !refused {
        // Whatever got through, the server answers with a close frame (1009: too big) or hangs up.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            match tokio::time::timeout_at(deadline, ws_read_frame(&mut socket)).await {
                Ok(Some((0x8, payload))) => {
                    assert_eq!(u16::from_be_bytes([payload[0], payload[1]]), 1009);
                    refused = true;
                    break;
                }
                Ok(Some(_)) => continue, // events sent before our frame was read
                Ok(None) => {
                    refused = true;
                    break;
                }
                Err(_) => break,
            }
        }
    }
    assert!(refused, "the 10 MB frame was accepted");
    // The server is fine afterwards.
    let (status, _, _) = send(&http, Method::GET, &format!("{base}/api/health"), &[], None).await;
    assert_eq!(status, 200);
}

fn lan_server(extra: &[&str]) -> Option<Server> {
    let Some(ip) = lan_ip() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs a non-loopback address to test LAN access"
        );
        eprintln!("no non-loopback address: the LAN test is skipped here (never under CI)");
        return None;
    };
    let mut args = vec!["--host", "0.0.0.0"];
    args.extend_from_slice(extra);
    Some(Server::start_full(
        tempfile::tempdir().unwrap(),
        &args,
        &[],
        &ip.to_string(),
    ))
}

/// A client that sends one credential (or none) as `Authorization: Bearer`.
struct As<'a> {
    http: &'a reqwest::Client,
    base: &'a str,
    secret: Option<&'a str>,
}

impl As<'_> {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, String) {
        let mut headers = vec![];
        let auth = self.secret.map(|s| format!("Bearer {s}"));
        if let Some(auth) = &auth {
            headers.push(("authorization", auth.as_str()));
        }
        let body = body.map(|b| ("application/json", b.to_string()));
        let (status, _, text) = send(
            self.http,
            method,
            &format!("{}{path}", self.base),
            &headers,
            body,
        )
        .await;
        (status.as_u16(), text)
    }
}

#[tokio::test]
async fn a_lan_peer_needs_a_token_and_a_key_with_the_right_scope() {
    let Some(server) = lan_server(&[]) else {
        return;
    };
    let http = reqwest::Client::new();
    server.ready(&http).await;
    let base = server.base.as_str();
    let token = server.token();
    let nobody = As {
        http: &http,
        base,
        secret: None,
    };
    let admin = As {
        http: &http,
        base,
        secret: Some(&token),
    };

    // Without a credential every route answers 401; the dashboard shows the login page.
    let id = "0b6c1d2e-8f7a-4c3b-9d1e-2f3a4b5c6d7e";
    let routes = [
        (Method::GET, "/api/health".to_string()),
        (Method::GET, "/api/models".to_string()),
        (Method::GET, "/api/system/status".to_string()),
        (Method::GET, "/api/conversations".to_string()),
        (Method::GET, "/api/access/keys".to_string()),
        (Method::POST, "/api/models/deploy".to_string()),
        (Method::POST, format!("/api/models/{id}/start")),
        (Method::POST, format!("/api/instances/{id}/stop")),
        (Method::DELETE, format!("/api/models/{id}")),
        (Method::GET, format!("/api/instances/{id}/logs")),
        (Method::GET, "/metrics".to_string()),
        (Method::GET, "/".to_string()),
        (Method::GET, "/assets/index.js".to_string()),
        (Method::GET, "/api/no-such-route".to_string()),
    ];
    for (method, path) in &routes {
        let url = format!("{base}{path}");
        let (status, headers, body) = send(&http, method.clone(), &url, &[], None).await;
        assert_eq!(status, 401, "{method} {path}: {body}");
        assert!(headers.contains_key("www-authenticate"));
    }
    let html = [("accept", "text/html")];
    let (status, _, page) = send(&http, Method::GET, &format!("{base}/"), &html, None).await;
    assert_eq!(status, 401);
    assert!(page.contains("/login.js"), "the login page: {page}");
    // The same requests with the token get through (to the handler's own answer).
    for path in ["/api/health", "/api/models", "/metrics"] {
        assert_eq!(admin.call(Method::GET, path, None).await.0, 200, "{path}");
    }
    let wrong = As {
        http: &http,
        base,
        secret: Some("wrong"),
    };
    let (status, body) = wrong.call(Method::GET, "/api/models", None).await;
    assert_eq!((status, code(&body).as_str()), (401, "invalid_credentials"));

    // The login link's token gives the browser an HttpOnly, SameSite=Strict session.
    let login = |secret: &str| Some(("application/json", json!({ "token": secret }).to_string()));
    let url = format!("{base}/api/auth/login");
    let own = [("origin", base)];
    let (status, headers, body) = send(&http, Method::POST, &url, &own, login(&token)).await;
    assert_eq!(status, 200, "{body}");
    let cookie = headers["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session = [("cookie", cookie.split(';').next().unwrap())];
    let whoami = format!("{base}/api/auth/whoami");
    let (status, _, body) = send(&http, Method::GET, &whoami, &session, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["scope"],
        "admin"
    );
    let (status, _, _) = send(&http, Method::POST, &url, &own, login("guess")).await;
    assert_eq!(status, 401);

    // Keys with scopes: read cannot stop, operate cannot deploy a program.
    let mut keys = std::collections::HashMap::new();
    for scope in ["read", "operate"] {
        let new = json!({"name": format!("{scope} key"), "scope": scope});
        let (status, created) = admin
            .call(Method::POST, "/api/access/keys", Some(new))
            .await;
        assert_eq!(status, 200, "{created}");
        let created: Value = serde_json::from_str(&created).unwrap();
        let secret = created["secret"].as_str().unwrap().to_string();
        keys.insert(
            scope,
            (secret, created["key"]["id"].as_str().unwrap().to_string()),
        );
    }
    let listed = admin.call(Method::GET, "/api/access/keys", None).await.1;
    assert!(
        !listed.contains(&keys["read"].0),
        "a key's secret is shown once only"
    );
    let new = json!({"name": "m", "path": "/nonexistent/m.gguf"});
    let (status, body) = admin.call(Method::POST, "/api/models", Some(new)).await;
    assert_eq!(status, 200, "{body}");
    let model = serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let read = As {
        http: &http,
        base,
        secret: Some(&keys["read"].0),
    };
    let operate = As {
        http: &http,
        base,
        secret: Some(&keys["operate"].0),
    };
    assert_eq!(read.call(Method::GET, "/api/models", None).await.0, 200);
    let stop = format!("/api/models/{model}/stop");
    let (status, body) = read.call(Method::POST, &stop, None).await;
    assert_eq!(
        (status, code(&body).as_str()),
        (403, "insufficient_scope"),
        "{body}"
    );
    assert!(body.contains("operate"), "{body}");
    let custom = json!({"name": "x", "path": "", "engine": "custom",
        "settings": {"engine": "custom", "command": ["/bin/sh", "-c", "touch /tmp/llmops-pwned", "{port}"], "health_path": "/health"}});
    let (status, body) = operate
        .call(Method::POST, "/api/models/deploy", Some(custom))
        .await;
    assert_eq!(
        (status, code(&body).as_str()),
        (403, "insufficient_scope"),
        "{body}"
    );
    // Operate may start (the handler answers: the file is missing).
    let start = format!("/api/models/{model}/start");
    let (status, body) = operate.call(Method::POST, &start, None).await;
    assert_eq!(code(&body), "model_file_missing", "{status} {body}");

    // A revoked key stops working at once; nobody still gets nothing.
    let revoke = format!("/api/access/keys/{}", keys["read"].1);
    assert_eq!(admin.call(Method::DELETE, &revoke, None).await.0, 204);
    assert_eq!(read.call(Method::GET, "/api/models", None).await.0, 401);
    assert_eq!(nobody.call(Method::GET, "/api/models", None).await.0, 401);
}

#[tokio::test]
async fn loopback_needs_no_login_and_insecure_no_auth_is_explicit() {
    // Loopback of a LAN bind: no login.
    let Some(server) = lan_server(&[]) else {
        return;
    };
    let http = reqwest::Client::new();
    server.ready(&http).await;
    let port = server.base.rsplit(':').next().unwrap();
    let (status, _) = call(
        &http,
        Method::GET,
        format!("http://127.0.0.1:{port}/api/models"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    drop(server);

    let Some(open) = lan_server(&["--insecure-no-auth"]) else {
        return;
    };
    open.ready(&http).await;
    let (status, _) = call(
        &http,
        Method::GET,
        format!("{}/api/models", open.base),
        None,
    )
    .await;
    assert_eq!(status, 200, "--insecure-no-auth lets LAN clients in");
    // …but never a foreign Host.
    let (status, _, _) = send(
        &http,
        Method::GET,
        &format!("{}/api/models", open.base),
        &[("host", "rebind.attacker.example")],
        None,
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn an_hf_token_never_leaves_the_secret_store_except_into_the_engines_environment() {
    // A fake `docker` that prints its arguments and whether it got the token, then waits.
    let dirs = tempfile::tempdir().unwrap();
    let docker = dirs.path().join("docker");
    std::fs::write(
        &docker,
        "#!/bin/sh\ncase \"$1\" in --version) echo 'Docker version 0.0-fake'; exit 0;; run) ;; *) exit 0;; esac\n\
         echo \"argv: $*\"\necho \"token in env: ${HF_TOKEN:+yes}\"\nsleep 60 & wait\n",
    )
    .unwrap();
    std::fs::set_permissions(&docker, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let server = Server::start_full(
        dirs,
        &[],
        &[
            ("LLMOPS_DOCKER", docker.as_os_str()),
            ("LLMOPS_START_TIMEOUT_SECS", std::ffi::OsStr::new("120")),
            ("LLMOPS_LOG", std::ffi::OsStr::new("debug")),
        ],
        "127.0.0.1",
    );
    let http = reqwest::Client::new();
    server.ready(&http).await;
    let base = &server.base;
    const SECRET: &str = "hf_FAKE_SECRET_123";

    // Listen to every event while the model is added and started.
    let (status, mut events) = ws_handshake(&server.authority(), "/api/ws", &[]).await;
    assert_eq!(status, 101);
    let collector = tokio::spawn(async move {
        let mut seen = String::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(6);
        while let Ok(Some((_, payload))) =
            tokio::time::timeout_at(deadline, ws_read_frame(&mut events)).await
        {
            seen.push_str(&String::from_utf8_lossy(&payload));
        }
        seen
    });

    let new = json!({"name": "docker", "path": "Qwen/Qwen2.5-0.5B-Instruct", "engine": "vllm_docker",
        "settings": {"engine": "vllm_docker", "env": [format!("HF_TOKEN={SECRET}"), "VLLM_LOGGING_LEVEL=DEBUG"]}});
    let (status, model) = call(&http, Method::POST, format!("{base}/api/models"), Some(new)).await;
    assert_eq!(status, 200, "{model}");
    assert_eq!(model["secret_env"], json!(["HF_TOKEN"]));
    let id = model["id"].as_str().unwrap();
    let (status, instance) = call(
        &http,
        Method::POST,
        format!("{base}/api/models/{id}/start"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{instance}");
    let instance_id = instance["id"].as_str().unwrap().to_string();

    // The engine got it in its environment, and its command line shows only the name.
    let logs_url = format!("{base}/api/instances/{instance_id}/logs");
    let mut logs = Value::Null;
    for _ in 0..100 {
        logs = call(&http, Method::GET, logs_url.clone(), None).await.1;
        if logs.to_string().contains("token in env") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let logs = logs.to_string();
    assert!(logs.contains("token in env: yes"), "{logs}");
    assert!(logs.contains("-e HF_TOKEN"), "{logs}");
    let pid = call(
        &http,
        Method::GET,
        format!("{base}/api/instances/{instance_id}"),
        None,
    )
    .await
    .1["pid"]
        .as_u64()
        .unwrap();
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    assert!(!String::from_utf8_lossy(&cmdline).contains(SECRET));
    assert!(String::from_utf8_lossy(&cmdline).contains("HF_TOKEN"));

    // Nowhere else: answers, events, logs, the database.
    for path in [
        "/api/models".to_string(),
        format!("/api/models/{id}"),
        "/api/instances".to_string(),
        format!("/api/instances/{instance_id}/logs"),
    ] {
        let (_, body) = call(&http, Method::GET, format!("{base}{path}"), None).await;
        assert!(!body.to_string().contains(SECRET), "{path}: {body}");
    }
    let events = collector.await.unwrap();
    assert!(
        events.contains("models_changed"),
        "events were seen: {events}"
    );
    assert!(!events.contains(SECRET), "an event carried the secret");
    call(
        &http,
        Method::POST,
        format!("{base}/api/instances/{instance_id}/stop"),
        None,
    )
    .await;
    let data = server.dirs.path().join("data");
    for entry in walk(&data) {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        if name == "secrets.json" {
            continue; // the secret store's own 0600 file
        }
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(SECRET),
            "{} holds the secret",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[tokio::test]
async fn the_data_dir_and_its_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let server = Server::start();
    let http = reqwest::Client::new();
    server.ready(&http).await;
    add_model(&http, &server, "/nonexistent/p.gguf").await;
    let data = server.dirs.path().join("data");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("logs")), 0o700);
    for file in ["llmops.sqlite", "llmops.sqlite-wal", "server-token"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
}
