//! Shared by the server's integration tests: a `llmops serve` child process on a free port with
//! its own temp data and cache dirs.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

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
            .envs(env.iter().map(|(k, v)| (*k, *v)))
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            dirs,
        }
    }

    pub async fn ready(&self, http: &reqwest::Client) {
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

impl Server {
    /// `kill -9`, as a crash would; returns the temp dirs for a restart.
    pub fn crash(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let dirs = std::mem::replace(&mut self.dirs, tempfile::tempdir().unwrap());
        dirs
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
