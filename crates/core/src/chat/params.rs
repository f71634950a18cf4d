//! Sampling parameters of a conversation, and the presets users save them as.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use std::collections::BTreeMap;

use super::conversation_types::ChatTarget;
use super::error::ChatError;

const MAX_STOP_SEQUENCES: usize = 4;
const MAX_SYSTEM_PROMPT_CHARS: usize = 100_000;

/// What a conversation sends with each request. Unset values leave the engine's defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(default)]
pub struct ChatParams {
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f32>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    pub stop: Vec<String>,
    #[ts(optional, type = "number")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
}

impl ChatParams {
    /// Rejects values no engine accepts, with a message naming the field and the allowed range.
    pub fn validate(&self) -> Result<(), ChatError> {
        let invalid = |field: &'static str, rule: &str| {
            Err(ChatError::InvalidParams {
                field,
                rule: rule.to_string(),
            })
        };
        if let Some(t) = self.temperature {
            if !(0.0..=2.0).contains(&t) {
                return invalid("temperature", "a number from 0 to 2");
            }
        }
        if let Some(p) = self.top_p {
            if !(p > 0.0 && p <= 1.0) {
                return invalid("top_p", "a number above 0 and at most 1");
            }
        }
        if self.max_tokens == Some(0) {
            return invalid(
                "max_tokens",
                "at least 1 (or empty for the engine's default)",
            );
        }
        if self.stop.len() > MAX_STOP_SEQUENCES {
            return invalid("stop", "at most 4 stop sequences");
        }
        if self.stop.iter().any(|s| s.is_empty()) {
            return invalid("stop", "stop sequences that are not empty");
        }
        if self
            .system_prompt
            .as_ref()
            .is_some_and(|p| p.chars().count() > MAX_SYSTEM_PROMPT_CHARS)
        {
            return invalid("system_prompt", "at most 100,000 characters");
        }
        Ok(())
    }

    /// The system prompt, when it says something.
    pub fn system(&self) -> Option<&str> {
        self.system_prompt
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

impl ChatParams {
    /// These parameters, with each unset one (an empty stop list included) taken from
    /// `fallback`.
    pub fn over(&self, fallback: &ChatParams) -> ChatParams {
        ChatParams {
            system_prompt: self
                .system()
                .map(str::to_string)
                .or_else(|| fallback.system_prompt.clone()),
            temperature: self.temperature.or(fallback.temperature),
            top_p: self.top_p.or(fallback.top_p),
            max_tokens: self.max_tokens.or(fallback.max_tokens),
            stop: if self.stop.is_empty() {
                fallback.stop.clone()
            } else {
                self.stop.clone()
            },
            seed: self.seed.or(fallback.seed),
        }
    }
}

/// What a conversation's unset parameters fall back to: its model's defaults, then the global
/// ones. Changing a default changes every conversation that does not set that parameter itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(default)]
pub struct ChatDefaults {
    /// For every conversation (a default system prompt, temperature, …).
    pub global: ChatParams,
    /// Per model of the library, by model id; over the global defaults.
    pub models: BTreeMap<String, ChatParams>,
}

impl ChatDefaults {
    pub fn validate(&self) -> Result<(), ChatError> {
        self.global.validate()?;
        self.models.values().try_for_each(ChatParams::validate)
    }

    /// The defaults a conversation with this target falls back to.
    pub fn for_target(&self, target: &ChatTarget) -> ChatParams {
        match target {
            ChatTarget::Model { model_id } => match self.models.get(model_id) {
                Some(model) => model.over(&self.global),
                None => self.global.clone(),
            },
            ChatTarget::Endpoint { .. } => self.global.clone(),
        }
    }
}

/// Saved parameters, to apply to any conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct ChatPreset {
    pub id: String,
    pub name: String,
    pub params: ChatParams,
    #[ts(type = "number")]
    pub created_at: i64,
}

#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct NewChatPreset {
    #[schemars(regex(pattern = r"\S"))]
    pub name: String,
    pub params: ChatParams,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_defaults_and_sensible_values() {
        ChatParams::default().validate().unwrap();
        ChatParams {
            system_prompt: Some("Be brief.".into()),
            temperature: Some(0.7),
            top_p: Some(0.9),
            max_tokens: Some(256),
            stop: vec!["\nUser:".into()],
            seed: Some(42),
        }
        .validate()
        .unwrap();
    }

    #[test]
    fn unset_parameters_fall_back_to_the_models_then_the_global_defaults() {
        let defaults = ChatDefaults {
            global: ChatParams {
                system_prompt: Some("Answer in French.".into()),
                temperature: Some(0.2),
                stop: vec!["END".into()],
                ..Default::default()
            },
            models: [(
                "m1".to_string(),
                ChatParams {
                    temperature: Some(0.9),
                    max_tokens: Some(64),
                    ..Default::default()
                },
            )]
            .into(),
        };
        let model = ChatTarget::Model {
            model_id: "m1".into(),
        };
        let conversation = ChatParams {
            system_prompt: Some("   ".into()),
            max_tokens: Some(8),
            ..Default::default()
        };
        let effective = conversation.over(&defaults.for_target(&model));
        assert_eq!(
            effective.system_prompt.as_deref(),
            Some("Answer in French.")
        );
        assert_eq!(effective.temperature, Some(0.9));
        assert_eq!(effective.max_tokens, Some(8));
        assert_eq!(effective.stop, ["END"]);
        let other = ChatTarget::Model {
            model_id: "m2".into(),
        };
        assert_eq!(defaults.for_target(&other), defaults.global);
        let invalid = ChatDefaults {
            models: [(
                "m1".to_string(),
                ChatParams {
                    top_p: Some(2.0),
                    ..Default::default()
                },
            )]
            .into(),
            ..Default::default()
        };
        assert!(invalid.validate().is_err());
    }

    #[test]
    fn names_the_field_that_is_out_of_range() {
        let cases = [
            ChatParams {
                temperature: Some(3.0),
                ..Default::default()
            },
            ChatParams {
                top_p: Some(0.0),
                ..Default::default()
            },
            ChatParams {
                max_tokens: Some(0),
                ..Default::default()
            },
            ChatParams {
                stop: vec!["a".into(), "".into()],
                ..Default::default()
            },
        ];
        let fields: Vec<_> = cases
            .iter()
            .map(|p| match p.validate() {
                Err(ChatError::InvalidParams { field, .. }) => field,
                other => panic!("expected invalid params, got {other:?}"),
            })
            .collect();
        assert_eq!(fields, ["temperature", "top_p", "max_tokens", "stop"]);
    }

    #[test]
    fn a_blank_system_prompt_is_none() {
        let params = ChatParams {
            system_prompt: Some("  \n".into()),
            ..Default::default()
        };
        assert_eq!(params.system(), None);
    }
}
