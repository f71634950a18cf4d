//! Where the app keeps its data (database, logs) and its caches (engines, models).

use std::path::{Path, PathBuf};

/// The starter model's file name in the models cache (put there by `scripts/setup.sh`).
pub const STARTER_MODEL_FILE: &str = "SmolLM2-135M-Instruct-Q4_1.gguf";

#[derive(Debug, Clone)]
pub struct AppPaths {
    /// Database and logs. `LLMOPS_DATA_DIR`, else the platform data dir (`~/.local/share/llmops`).
    pub data_dir: PathBuf,
    /// Built engines and downloaded models. `LLMOPS_CACHE_DIR`, else `~/.cache/llmops`.
    pub cache_dir: PathBuf,
}

impl AppPaths {
    pub fn new(data_dir: impl Into<PathBuf>, cache_dir: impl Into<PathBuf>) -> Self {
        AppPaths {
            data_dir: data_dir.into(),
            cache_dir: cache_dir.into(),
        }
    }

    /// The folders from `LLMOPS_DATA_DIR`/`LLMOPS_CACHE_DIR`, else the platform's. Never a
    /// shared temp folder: another local user could create it first and read what we write.
    pub fn from_env() -> Result<Self, String> {
        let (platform_data, platform_cache) = platform_dirs();
        let data_dir = env_path("LLMOPS_DATA_DIR")
            .or(platform_data)
            .ok_or_else(|| {
                format!(
                    "no data folder: neither LLMOPS_DATA_DIR nor {PROFILE_VARIABLES} is set. \
                     Set LLMOPS_DATA_DIR to a folder only you can read"
                )
            })?;
        let cache_dir = env_path("LLMOPS_CACHE_DIR")
            .or(platform_cache)
            .ok_or_else(|| {
                format!(
                    "no cache folder: neither LLMOPS_CACHE_DIR nor {PROFILE_VARIABLES} is set. \
                     Set LLMOPS_CACHE_DIR"
                )
            })?;
        Ok(AppPaths {
            data_dir,
            cache_dir,
        })
    }

    pub fn database(&self) -> PathBuf {
        self.data_dir.join("llmops.sqlite")
    }

    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }

    /// One log file per model instance.
    pub fn instance_log_dir(&self) -> PathBuf {
        self.log_dir().join("instances")
    }

    /// Files of live instances (a Docker engine's container id), cleared at startup.
    pub fn run_dir(&self) -> PathBuf {
        self.data_dir.join("run")
    }

    /// Where `docker run --cidfile` writes an instance's container id.
    pub fn container_id_file(&self, container: &str) -> PathBuf {
        self.run_dir().join(format!("{container}.cid"))
    }

    pub fn engines_dir(&self) -> PathBuf {
        self.cache_dir.join("engines")
    }

    /// Engine builds installed from releases, one folder each (`<data>/runtimes/<id>`).
    pub fn runtimes_dir(&self) -> PathBuf {
        self.data_dir.join("runtimes")
    }

    /// Release archives while they download and until they are unpacked.
    pub fn runtime_downloads_dir(&self) -> PathBuf {
        self.runtimes_dir().join(".downloads")
    }

    pub fn models_dir(&self) -> PathBuf {
        self.cache_dir.join("models")
    }

    pub fn starter_model(&self) -> PathBuf {
        self.models_dir().join(STARTER_MODEL_FILE)
    }
}

/// The environment the platform folders come from, for the error when none is set.
#[cfg(not(windows))]
const PROFILE_VARIABLES: &str = "HOME (or XDG_DATA_HOME and XDG_CACHE_HOME)";
#[cfg(windows)]
const PROFILE_VARIABLES: &str = "LOCALAPPDATA";

/// (data, cache): `~/.local/share/llmops` and `~/.cache/llmops` on Linux (XDG), the
/// Application Support and Caches folders on macOS. On Windows both lie in the local (never
/// roaming: a database must not sync between machines) profile folder:
/// `%LOCALAPPDATA%\llmops\data` and `%LOCALAPPDATA%\llmops\cache`.
fn platform_dirs() -> (Option<PathBuf>, Option<PathBuf>) {
    if cfg!(windows) {
        let base = dirs::data_local_dir().map(|d| d.join("llmops"));
        (
            base.as_ref().map(|b| b.join("data")),
            base.map(|b| b.join("cache")),
        )
    } else {
        (
            dirs::data_dir().map(|d| d.join("llmops")),
            dirs::cache_dir().map(|d| d.join("llmops")),
        )
    }
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

pub fn display(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}
