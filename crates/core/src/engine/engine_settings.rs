//! A model's engine settings: one variant per engine, tagged by `engine`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::custom::CustomSettings;
use super::docker::VllmDockerSettings;
use super::settings::LlamaCppSettings;
use super::vllm::VllmSettings;
use super::EngineKind;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
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

    /// Reads the stored JSON; rows written before engines had a tag are llama.cpp settings of
    /// the row's engine.
    pub fn from_stored(
        engine: EngineKind,
        json: &str,
    ) -> Result<EngineSettings, serde_json::Error> {
        let mut value: serde_json::Value = serde_json::from_str(json)?;
        if let Some(fields) = value.as_object_mut() {
            fields
                .entry("engine")
                .or_insert_with(|| engine.as_str().into());
        }
        serde_json::from_value(value)
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
