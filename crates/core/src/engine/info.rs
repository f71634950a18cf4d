//! Which engines this machine can run: each one's binary, where it was found, and its version.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::{resolve_binary, EngineKind, VersionCache};
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

pub async fn engines_info(config: &CoreConfig, versions: &VersionCache) -> Vec<EngineInfo> {
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
        if engine != EngineKind::Custom {
            match resolve_binary(
                engine,
                engine.configured_binary(config),
                &config.paths.engines_dir(),
            ) {
                Ok(found) => {
                    info.version = versions.version_of(Path::new(&found.path)).await;
                    info.binary = Some(found.path.display().to_string());
                    info.source = Some(found.source.to_string());
                }
                Err(err) => info.problem = Some(err.body()),
            }
        }
        out.push(info);
    }
    out
}
