//! A model's engine settings: one variant per engine, tagged by `engine`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::custom::CustomSettings;
use super::docker::VllmDockerSettings;
use super::llama_cpp_settings::LlamaCppSettings;
use super::vllm::VllmSettings;
use super::EngineKind;

/// Read with [`EngineSettings::from_value`]: settings without an `engine` tag (as clients of the
/// first API version sent them) are llama.cpp settings.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
#[serde(tag = "engine", rename_all = "snake_case")]
pub enum EngineSettings {
    LlamaCpp(LlamaCppSettings),
    Vllm(VllmSettings),
    VllmDocker(VllmDockerSettings),
    Custom(CustomSettings),
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings::LlamaCpp(LlamaCppSettings::default())
    }
}

impl EngineSettings {
    pub fn kind(&self) -> EngineKind {
        match self {
            EngineSettings::LlamaCpp(_) => EngineKind::LlamaCpp,
            EngineSettings::Vllm(_) => EngineKind::Vllm,
            EngineSettings::VllmDocker(_) => EngineKind::VllmDocker,
            EngineSettings::Custom(_) => EngineKind::Custom,
        }
    }

    /// The defaults of an engine; `None` for a custom engine, which has no sensible default.
    pub fn defaults_for(kind: EngineKind) -> Option<EngineSettings> {
        Some(match kind {
            EngineKind::LlamaCpp => EngineSettings::LlamaCpp(Default::default()),
            EngineKind::Vllm => EngineSettings::Vllm(Default::default()),
            EngineKind::VllmDocker => EngineSettings::VllmDocker(Default::default()),
            EngineKind::Custom => return None,
        })
    }

    pub fn validate(&self, fixed_port: bool) -> Result<(), String> {
        match self {
            EngineSettings::LlamaCpp(s) => s.validate(),
            EngineSettings::Vllm(s) => s.validate(),
            EngineSettings::VllmDocker(s) => s.validate(),
            EngineSettings::Custom(s) => s.validate(fixed_port),
        }
    }

    /// Reads the stored JSON; rows written before engines had a tag are settings of the row's
    /// engine.
    pub fn from_stored(
        engine: EngineKind,
        json: &str,
    ) -> Result<EngineSettings, serde_json::Error> {
        Self::from_value(serde_json::from_str(json)?, engine)
    }

    /// Reads settings, taking `default_engine` when they carry no `engine` tag.
    pub fn from_value(
        mut value: serde_json::Value,
        default_engine: EngineKind,
    ) -> Result<EngineSettings, serde_json::Error> {
        if let Some(fields) = value.as_object_mut() {
            fields
                .entry("engine")
                .or_insert_with(|| default_engine.as_str().into());
        }
        serde_json::from_value::<Tagged>(value).map(Tagged::into_settings)
    }
}

impl<'de> Deserialize<'de> for EngineSettings {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        EngineSettings::from_value(value, EngineKind::LlamaCpp).map_err(serde::de::Error::custom)
    }
}

/// The wire shape, read without the untagged fallback (which needs [`EngineSettings::from_value`]).
#[derive(Deserialize)]
#[serde(tag = "engine", rename_all = "snake_case")]
enum Tagged {
    LlamaCpp(LlamaCppSettings),
    Vllm(VllmSettings),
    VllmDocker(VllmDockerSettings),
    Custom(CustomSettings),
}

impl Tagged {
    fn into_settings(self) -> EngineSettings {
        match self {
            Tagged::LlamaCpp(s) => EngineSettings::LlamaCpp(s),
            Tagged::Vllm(s) => EngineSettings::Vllm(s),
            Tagged::VllmDocker(s) => EngineSettings::VllmDocker(s),
            Tagged::Custom(s) => EngineSettings::Custom(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_untagged_rows_read_as_llama_cpp() {
        let s = EngineSettings::from_stored(EngineKind::LlamaCpp, r#"{"threads":4}"#).unwrap();
        assert_eq!(
            s,
            EngineSettings::LlamaCpp(LlamaCppSettings {
                threads: Some(4),
                ..Default::default()
            })
        );
        assert_eq!(
            EngineSettings::from_stored(EngineKind::LlamaCpp, "{}").unwrap(),
            EngineSettings::default()
        );
    }

    #[test]
    fn untagged_settings_from_a_client_are_llama_cpp() {
        let s: EngineSettings = serde_json::from_str(r#"{"threads":2}"#).unwrap();
        assert_eq!(s.kind(), EngineKind::LlamaCpp);
        let s: EngineSettings =
            serde_json::from_str(r#"{"engine":"vllm","dtype":"half"}"#).unwrap();
        assert_eq!(s.kind(), EngineKind::Vllm);
    }

    #[test]
    fn tagged_json_round_trips() {
        let s = EngineSettings::VllmDocker(VllmDockerSettings {
            image: Some("vllm/vllm-openai:v0.6.3".into()),
            env: vec!["HF_TOKEN=x".into()],
            vllm: VllmSettings {
                dtype: Some("bfloat16".into()),
                ..Default::default()
            },
            ..Default::default()
        });
        let json = serde_json::to_string(&s).unwrap();
        assert!(
            json.contains(r#""engine":"vllm_docker""#) && json.contains(r#""dtype":"bfloat16""#)
        );
        assert_eq!(
            EngineSettings::from_stored(EngineKind::VllmDocker, &json).unwrap(),
            s
        );
    }
}
