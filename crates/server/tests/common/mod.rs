//! Shared by the server's integration tests: a `llmops serve` child process on a free port with
//! its own temp data and cache dirs.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The cached engine and starter model, or `None` outside CI (inside CI a missing part fails).
pub fn real_parts() -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    let paths = llmops_core::paths::AppPaths::from_env().expect("a cache dir");
    let binary = llmops_core::engine::resolve_binary(
        llmops_core::engine::EngineKind::LlamaCpp,
        None,
        &paths.engines_dir(),
    );
    let model = paths.starter_model();
    match binary {
        Ok(found) if model.is_file() => Some((found.path, model)),
        other => {
            let missing = format!("llama-server: {:?}; model {}", other.err(), model.display());
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("a real part is missing ({missing}); run scripts/setup.sh");
            }
            eprintln!("SKIPPED (not CI): {missing}");
            None
        }
    }
}

pub struct Server {
    child: Child,
    pub base: String,
    pub dirs: tempfile::TempDir,
}

impl Server {
    pub fn start() -> Server {
        Self::start_with(&[])
    }

    pub fn start_with(env: &[(&str, &std::ffi::OsStr)]) -> Server {
        Self::start_in(tempfile::tempdir().unwrap(), env)
    }

    /// Starts a server on the data and cache dirs of an earlier one (a restart).
    pub fn start_in(dirs: tempfile::TempDir, env: &[(&str, &std::ffi::OsStr)]) -> Server {
        Self::start_full(dirs, &[], env, "127.0.0.1")
    }

    /// A server with extra `serve` arguments (e.g. `--host 0.0.0.0`), reached at `connect_host`.
    pub fn start_full(
        dirs: tempfile::TempDir,
        args: &[&str],
        env: &[(&str, &std::ffi::OsStr)],
        connect_host: &str,
    ) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_llmops"))
            .args(["serve", "--port", &port.to_string()])
            .args(args)
            .env("LLMOPS_DATA_DIR", dirs.path().join("data"))
            .env("LLMOPS_CACHE_DIR", dirs.path().join("cache"))
            .env_remove("LLMOPS_UI_DIR")
            .current_dir(dirs.path())
            .env("LLMOPS_NVML_LIB", "/nonexistent/libnvidia-ml.so.1")
            .env_remove("LLMOPS_LLAMA_SERVER")
            .env("PATH", "/usr/bin:/bin")
            .envs(env.iter().map(|(k, v)| (*k, *v)))
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        Server {
            child,
            base: format!("http://{connect_host}:{port}"),
            dirs,
        }
    }

    /// The admin token the server wrote into its data dir.
    pub fn token(&self) -> String {
        std::fs::read_to_string(self.dirs.path().join("data/server-token"))
            .expect("the server wrote its token")
            .trim()
            .to_string()
    }

    /// `host:port` of the server.
    pub fn authority(&self) -> String {
        self.base.trim_start_matches("http://").to_string()
    }

    pub async fn ready(&self, http: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            // Any answer (a 401 on a LAN bind included) means it listens.
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

impl Server {
    /// `kill -9`, as a crash would; returns the temp dirs for a restart.
    pub fn crash(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let dirs = std::mem::replace(&mut self.dirs, tempfile::tempdir().unwrap());
        dirs
    }
}

impl Server {
    /// SIGTERM (as Ctrl+C or a session ending), then waits for the exit; how long it took.
    pub fn terminate(&mut self) -> Duration {
        let asked = Instant::now();
        let _ = nix_kill_term(self.child.id());
        let _ = self.child.wait();
        asked.elapsed()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Not again once it exited: its pid may belong to another process by now.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = nix_kill_term(self.child.id());
        }
        let _ = self.child.wait();
    }
}

fn nix_kill_term(pid: u32) -> std::io::Result<()> {
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .map(|_| ())
}

pub async fn call(
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

/// This machine's address on its default route (not loopback), as other devices see it: the
/// one the server itself announces.
pub fn lan_ip() -> Option<std::net::IpAddr> {
    llmops_server::security::primary_ip()
}

/// A WebSocket handshake by hand (no client library hides the headers): the status code, and
/// the open stream when it was upgraded.
pub async fn ws_handshake(
    authority: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(authority).await.unwrap();
    let mut request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    // Read the response head byte by byte, so that no frame after it is consumed.
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        if stream.read(&mut byte).await.unwrap() == 0 {
            break;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, stream)
}

/// The next server frame: (opcode, payload). Server frames are never masked.
pub async fn ws_read_frame(stream: &mut tokio::net::TcpStream) -> Option<(u8, Vec<u8>)> {
    use tokio::io::AsyncReadExt;
    let mut header = [0u8; 2];
    stream.read_exact(&mut header).await.ok()?;
    let mut len = (header[1] & 0x7f) as u64;
    if len == 126 {
        let mut ext = [0u8; 2];
        stream.read_exact(&mut ext).await.ok()?;
        len = u16::from_be_bytes(ext) as u64;
    } else if len == 127 {
        let mut ext = [0u8; 8];
        stream.read_exact(&mut ext).await.ok()?;
        len = u64::from_be_bytes(ext);
    }
    let mut payload = vec![0u8; len as usize];
    stream.read_exact(&mut payload).await.ok()?;
    Some((header[0] & 0x0f, payload))
}

/// Whether `promtool` is there; under CI its absence fails the test.
fn promtool_found() -> bool {
    let found = Command::new("promtool")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "promtool is missing: install the Debian package prometheus (scripts/setup.sh)"
        );
        eprintln!("SKIPPED (not CI): promtool is missing; run scripts/setup.sh");
    }
    found
}

/// `promtool check rules` accepts a rules file (every `expr` parses as PromQL).
pub fn check_rules_with_promtool(rules: &str) {
    if !promtool_found() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rules.yml");
    std::fs::write(&file, rules).unwrap();
    let output = Command::new("promtool")
        .args(["check", "rules"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "promtool check rules:\n{}{}\n--- rules:\n{rules}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `promtool check metrics` (Debian package `prometheus`) finds nothing to say about `text`.
/// Outside CI a missing promtool only skips the check.
pub fn check_with_promtool(text: &str) {
    use std::io::Write;
    if !promtool_found() {
        return;
    }
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success() && said.trim().is_empty(),
        "promtool check metrics:\n{said}\n--- exposition:\n{text}"
    );
}

/// Builds the fake two-GPU NVML library (80 GiB each) into `dir`; `fake_nvml_processes` beside it
/// lists GPU processes as "<gpu> <pid> <MiB>" lines.
pub fn build_fake_nvml(dir: &std::path::Path) -> std::path::PathBuf {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fake_nvml/fake_nvml.c");
    let lib = dir.join("libnvidia-ml.so.1");
    let status = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(["-shared", "-fPIC", "-o"])
        .arg(&lib)
        .arg(source)
        .status()
        .expect("a C compiler (cc) builds the fake NVML library");
    assert!(status.success());
    std::fs::write(dir.join("fake_nvml_processes"), "0 1 256\n").unwrap();
    lib
}

/// `llmops <args>` against `server` (its port, data dir and local token), as a terminal runs it.
pub fn llmops(server: &Server, args: &[&str]) -> std::process::Output {
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

/// A command's standard output; it must have succeeded.
pub fn stdout(output: &std::process::Output) -> String {
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Waits (up to `within`) until the instance `id` runs; panics with its record otherwise.
pub async fn wait_running(http: &reqwest::Client, base: &str, id: &str, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let (_, info) = call(
            http,
            reqwest::Method::GET,
            format!("{base}/api/instances/{id}"),
            None,
        )
        .await;
        if info["state"]["kind"] == "running" {
            return;
        }
        assert!(Instant::now() < deadline, "not running: {info}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
