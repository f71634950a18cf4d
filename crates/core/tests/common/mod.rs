//! Shared by the core's integration tests: the real engine parts from ~/.cache/llmops and a
//! core in a temp dir.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use llmops_core::config::CoreConfig;
use llmops_core::engine::{resolve_binary, EngineKind};
use llmops_core::monitor::NvidiaBackend;
use llmops_core::paths::AppPaths;
use llmops_core::supervisor::{InstanceInfo, InstanceState};
use llmops_core::Core;

pub fn cache_dir() -> PathBuf {
    AppPaths::from_env().expect("a cache dir").cache_dir
}

/// The real parts, or `None` (outside CI only) with a loud note.
pub fn real_parts() -> Option<AppPaths> {
    let paths = AppPaths::new(PathBuf::new(), cache_dir());
    let binary = resolve_binary(EngineKind::LlamaCpp, None, &paths.engines_dir());
    let model = paths.starter_model();
    if binary.is_ok() && model.is_file() {
        return Some(paths);
    }
    let missing = format!(
        "llama-server: {:?}; starter model at {}: {}",
        binary.err(),
        model.display(),
        model.is_file()
    );
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("real engine test cannot run, a part is missing ({missing}); run scripts/setup.sh");
    }
    eprintln!("SKIPPED (not CI): real engine parts missing ({missing}); run scripts/setup.sh");
    None
}

pub async fn core_in(dir: &tempfile::TempDir, configure: impl FnOnce(&mut CoreConfig)) -> Core {
    let mut config = CoreConfig::new(AppPaths::new(dir.path().join("data"), cache_dir()));
    // Where the fake engines record their argv.
    config.engine_env = vec!["FAKE_ENGINE_LOG".into()];
    configure(&mut config);
    Core::open(config).await.unwrap()
}

/// Starts the model and waits until its instance is Running (panics with the reason otherwise).
pub async fn start_running(
    core: &Core,
    model_id: &str,
    within: std::time::Duration,
) -> InstanceInfo {
    let started = core.supervisor.start(model_id).await.unwrap();
    wait_running(core, &started.id, within).await
}

/// Waits until the instance has settled and asserts that it is Running.
pub async fn wait_running(
    core: &Core,
    instance_id: &str,
    within: std::time::Duration,
) -> InstanceInfo {
    let settled = core
        .supervisor
        .wait_settled(instance_id, within)
        .await
        .unwrap();
    assert_eq!(
        settled.state,
        InstanceState::Running,
        "{:?}",
        settled.state.reason()
    );
    settled
}

/// The tests' fake `libnvidia-ml` (tests/fake_nvml/fake_nvml.c), built into a temp dir of its
/// own and controlled through the files beside it (see the C file).
pub struct FakeNvml {
    pub dir: tempfile::TempDir,
}

/// Builds one of the tests' fake C libraries (`tests/<source>`) as `name` in a temp dir of its
/// own, where the files that control it go.
pub fn build_fake_library(source: &str, name: &str, defines: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(source);
    let status = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(["-shared", "-fPIC", "-O1", "-o"])
        .arg(dir.path().join(name))
        .arg(&source)
        .args(defines)
        .status()
        .expect("a C compiler (cc) is needed to build the fake driver libraries");
    assert!(status.success(), "building {} failed", source.display());
    dir
}

impl FakeNvml {
    pub fn build(defines: &[&str]) -> FakeNvml {
        FakeNvml {
            dir: build_fake_library("fake_nvml/fake_nvml.c", "libnvidia-ml.so.1", defines),
        }
    }

    pub fn lib(&self) -> PathBuf {
        self.dir.path().join("libnvidia-ml.so.1")
    }

    pub fn set_mode(&self, mode: &str) {
        std::fs::write(self.dir.path().join("fake_nvml_mode"), mode).unwrap();
    }

    pub fn set_processes(&self, lines: &str) {
        std::fs::write(self.dir.path().join("fake_nvml_processes"), lines).unwrap();
    }

    pub fn set_options(&self, lines: &str) {
        std::fs::write(self.dir.path().join("fake_nvml_options"), lines).unwrap();
    }

    pub fn backend(&self) -> NvidiaBackend {
        NvidiaBackend::with_retry(Some(self.lib()), Duration::ZERO)
    }
}
