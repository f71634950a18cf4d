//! llama.cpp's `llama-server`.

use std::path::PathBuf;
use std::time::Duration;

use super::launch::LaunchTarget;
use super::launch::{LaunchSpec, StopStyle};
use super::LlamaCppSettings;

/// Large GGUF files are memory-mapped; even 70B models are usually ready well within this.
const START_TIMEOUT: Duration = Duration::from_secs(180);

pub(super) fn launch_spec(
    model: &LaunchTarget,
    settings: &LlamaCppSettings,
    program: PathBuf,
    port: u16,
    api_key: String,
) -> LaunchSpec {
    let mut args = settings.args();
    args.extend(model.extra_args.iter().cloned());
    // The flags llmops manages go last: if one slipped into the extra arguments, ours still win.
    args.extend([
        "--model".to_string(),
        model.path.clone(),
        "--host".to_string(),
        "127.0.0.1".to_string(),
        "--port".to_string(),
        port.to_string(),
        "--ctx-size".to_string(),
        model.context_size.to_string(),
        // The UI names the instance by its model; keep the OpenAI `model` field readable too.
        "--alias".to_string(),
        model.name.clone(),
        // Prometheus `/metrics`, relayed by llmops's own `/metrics` under the model's labels.
        "--metrics".to_string(),
    ]);
    LaunchSpec {
        // In the environment, not on the command line, where `ps` would show it.
        env: vec![("LLAMA_API_KEY".into(), api_key.clone())],
        inherit_env: super::launch::LLAMA_CPP_ENV,
        api_key: Some(api_key),
        program,
        args,
        health_path: "/health".into(),
        start_timeout: START_TIMEOUT,
        ready_marker: Some("listening on"),
        served_model: model.name.clone(),
        stop: StopStyle::ProcessGroup,
        on_parent_death: crate::engine::ParentDeath::Kill,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineKind;

    #[test]
    fn argv_is_exact_and_extra_args_are_kept_verbatim() {
        let model = LaunchTarget {
            name: "Tiny; rm -rf /".into(),
            engine: EngineKind::LlamaCpp,
            path: "/m/tiny model.gguf".into(),
            context_size: 2048,
            extra_args: vec!["--threads".into(), "2".into()],
            settings: Default::default(),
            secret_env: Vec::new(),
        };
        let settings = LlamaCppSettings {
            threads: Some(4),
            ..Default::default()
        };
        let spec = launch_spec(
            &model,
            &settings,
            PathBuf::from("/bin/llama-server"),
            4242,
            "k3y".into(),
        );
        assert_eq!(
            spec.args,
            [
                // Settings, then extra arguments (for llama-server the last one wins), then the
                // flags llmops manages, so that nothing can override them.
                "--threads",
                "4",
                "--threads",
                "2",
                "--model",
                "/m/tiny model.gguf",
                "--host",
                "127.0.0.1",
                "--port",
                "4242",
                "--ctx-size",
                "2048",
                "--alias",
                "Tiny; rm -rf /",
                "--metrics",
            ]
        );
        assert_eq!(spec.health_path, "/health");
        // The key is in the environment, never on the command line.
        assert_eq!(spec.env, [("LLAMA_API_KEY".to_string(), "k3y".to_string())]);
        assert!(!spec.args.iter().any(|a| a.contains("k3y")));
        assert_eq!(spec.api_key.as_deref(), Some("k3y"));
        assert!(
            !format!("{spec:?}").contains("k3y"),
            "Debug never shows the key"
        );
    }
}
