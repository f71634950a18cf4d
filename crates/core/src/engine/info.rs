//! Which engines this machine can run: each one's binary, where it was found, and its version.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::{resolve_binary, EngineError, EngineKind, ResolvedBinary, VersionCache};
use crate::config::CoreConfig;
use crate::error::{CodedError, ErrorBody};

#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct EngineInfo {
    pub engine: EngineKind,
    /// The binary that would run, when found (a custom engine brings its own).
    pub binary: Option<String>,
    /// `configured`, `cache` or `PATH`.
    pub source: Option<String>,
    pub version: Option<String>,
    /// Why it cannot run here, and what to do.
    pub problem: Option<ErrorBody>,
    /// Verified against the real engine in this project's tests, or only by contract (exact
    /// argv and API shapes).
    pub verified: bool,
}

/// Each engine's program; for llama.cpp, `llama_runtime` is the default runtime's `llama-server`
/// when one applies (no configured binary).
pub async fn engines_info(
    config: &CoreConfig,
    versions: &VersionCache,
    llama_runtime: Option<std::path::PathBuf>,
) -> Vec<EngineInfo> {
    let mut out = Vec::new();
    for engine in EngineKind::ALL {
        let mut info = EngineInfo {
            engine,
            binary: None,
            source: None,
            version: None,
            problem: None,
            verified: engine == EngineKind::LlamaCpp,
        };
        let runtime = llama_runtime
            .clone()
            .filter(|_| engine == EngineKind::LlamaCpp)
            .map(|path| ResolvedBinary {
                path,
                source: "runtime",
            });
        if engine != EngineKind::Custom {
            let found = match runtime {
                Some(found) => Ok(found),
                None => resolve_binary(
                    engine,
                    engine.configured_binary(config),
                    &config.paths.engines_dir(),
                ),
            };
            match found {
                Ok(found) => {
                    info.version = versions.version_of(Path::new(&found.path)).await;
                    info.binary = Some(found.path.display().to_string());
                    info.source = Some(found.source.to_string());
                    if engine == EngineKind::VllmDocker {
                        if let Err(detail) = docker_daemon_answers(&found.path).await {
                            info.problem = Some(EngineError::DockerDaemonDown { detail }.body());
                        }
                    }
                }
                Err(err) => info.problem = Some(err.body()),
            }
        }
        out.push(info);
    }
    out
}

/// How long `docker info` may take: a daemon that does not answer in this time is as good as down.
const DAEMON_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// At most this much of `docker info`'s output is read.
const MAX_DAEMON_OUTPUT: u64 = 16 * 1024;

/// Whether the Docker daemon answers (`docker info`): a `docker` binary alone cannot run
/// containers. The error is what docker said (its first line), for the user.
async fn docker_daemon_answers(docker: &Path) -> Result<(), String> {
    use std::process::Stdio;
    use tokio::io::AsyncReadExt;
    let mut child = tokio::process::Command::new(docker)
        .args(["info", "--format", "{{.ServerVersion}}"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("docker info could not run: {e}"))?;
    let mut stderr = child.stderr.take().map(|s| s.take(MAX_DAEMON_OUTPUT));
    let answered = async {
        let mut said = Vec::new();
        if let Some(stderr) = stderr.as_mut() {
            let _ = stderr.read_to_end(&mut said).await;
        }
        (child.wait().await, said)
    };
    let Ok((status, said)) = tokio::time::timeout(DAEMON_TIMEOUT, answered).await else {
        return Err(format!(
            "docker info gave no answer within {} s",
            DAEMON_TIMEOUT.as_secs()
        ));
    };
    match status {
        Ok(status) if status.success() => Ok(()),
        _ => {
            let said = String::from_utf8_lossy(&said);
            let first = said.lines().map(str::trim).find(|l| !l.is_empty());
            Err(first
                .unwrap_or("docker info failed")
                .chars()
                .take(200)
                .collect())
        }
    }
}
