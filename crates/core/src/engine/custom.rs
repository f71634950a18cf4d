//! Any OpenAI-compatible server from a command template: an argv list whose items may hold
//! `{port}` and `{model}` (the model's path or id), plus the path polled for health.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::launch::LaunchTarget;
use super::launch::{LaunchSpec, StopStyle};

const DEFAULT_START_TIMEOUT_SECS: u64 = 300;
/// What a custom command's arguments may name; each is replaced at launch.
pub const PLACEHOLDERS: &[&str] = &["{port}", "{model}", "{name}"];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(default)]
pub struct CustomSettings {
    /// The program and its arguments, one item each (never a shell line), e.g.
    /// `["python3", "-m", "my_server", "--port", "{port}", "--model", "{model}"]`.
    pub command: Vec<String>,
    /// Polled on `http://127.0.0.1:{port}` until it answers 200, e.g. `/health` or `/v1/models`.
    pub health_path: String,
    #[ts(optional, type = "number")]
    pub start_timeout_secs: Option<u64>,
    /// The OpenAI `model` field the server expects; the model's name when unset.
    #[ts(optional)]
    pub served_model_name: Option<String>,
}

impl CustomSettings {
    pub fn validate(&self, fixed_port: bool) -> Result<(), String> {
        let Some(program) = self.command.first() else {
            return Err("a custom engine needs a command: the program, then its arguments".into());
        };
        if program.trim().is_empty() || program.contains("{") {
            return Err("the command's first item must be the program to run".into());
        }
        for item in &self.command {
            if item.contains(['\0', '\n', '\r']) {
                return Err(format!(
                    "the command item {item:?} contains a line break or NUL"
                ));
            }
            if let Some(unknown) = unknown_placeholder(item) {
                return Err(format!(
                    "unknown placeholder {unknown} in {item:?}; use {}",
                    PLACEHOLDERS.join(", ")
                ));
            }
        }
        if !fixed_port && !self.command.iter().any(|i| i.contains("{port}")) {
            return Err(
                "the command must pass {port} to the server (or give the model a fixed port)"
                    .into(),
            );
        }
        if !self.health_path.starts_with('/') {
            return Err(format!(
                "the health path {:?} must start with /, e.g. /health or /v1/models",
                self.health_path
            ));
        }
        if self
            .start_timeout_secs
            .is_some_and(|s| !(1..=86_400).contains(&s))
        {
            return Err("the start timeout must be between 1 s and one day".into());
        }
        Ok(())
    }

    fn expand(&self, item: &str, model: &LaunchTarget, port: u16) -> String {
        item.replace("{port}", &port.to_string())
            .replace("{model}", &model.path)
            .replace("{name}", &model.name)
    }
}

/// A `{word}` that is not one of ours: most likely a typo.
fn unknown_placeholder(item: &str) -> Option<String> {
    let mut rest = item;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let close = after.find('}')?;
        let candidate = &after[..=close];
        let word = &candidate[1..candidate.len() - 1];
        let looks_like_placeholder =
            !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if looks_like_placeholder && !PLACEHOLDERS.contains(&candidate) {
            return Some(candidate.to_string());
        }
        rest = &after[close + 1..];
    }
    None
}

pub(super) fn launch_spec(
    model: &LaunchTarget,
    settings: &CustomSettings,
    program: PathBuf,
    port: u16,
) -> LaunchSpec {
    let args = settings.command[1..]
        .iter()
        .map(|item| settings.expand(item, model, port))
        .chain(model.extra_args.iter().cloned())
        .collect();
    LaunchSpec {
        env: Vec::new(),
        inherit_env: super::launch::PYTHON_ENV,
        // A custom command takes whatever flags its program takes: llmops cannot give it a key.
        api_key: None,
        program,
        args,
        health_path: settings.health_path.clone(),
        start_timeout: Duration::from_secs(
            settings
                .start_timeout_secs
                .unwrap_or(DEFAULT_START_TIMEOUT_SECS),
        ),
        ready_marker: None,
        served_model: settings
            .served_model_name
            .clone()
            .unwrap_or_else(|| model.name.clone()),
        stop: StopStyle::ProcessGroup,
        on_parent_death: crate::engine::ParentDeath::Terminate,
    }
}
