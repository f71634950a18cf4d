//! llama.cpp settings a user sets per model; each maps to exact `llama-server` arguments.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// KV cache element types `llama-server` accepts for `--cache-type-k/-v`.
pub const KV_CACHE_TYPES: &[&str] = &[
    "f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1",
];

/// The largest `threads` accepted.
pub const MAX_THREADS: u32 = 1024;
/// The largest `batch_size` and `ubatch_size` accepted.
pub const MAX_BATCH_SIZE: u32 = 1 << 20;
/// The largest `parallel` accepted.
pub const MAX_PARALLEL: u32 = 256;

#[derive(
    Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema,
)]
#[serde(default)]
pub struct LlamaCppSettings {
    /// Layers offloaded to the GPU (`--n-gpu-layers`); -1 or a large number means all.
    #[ts(optional)]
    pub gpu_layers: Option<i32>,
    /// CPU threads for generation (`--threads`).
    #[ts(optional)]
    pub threads: Option<u32>,
    /// Logical batch size (`--batch-size`).
    #[ts(optional)]
    pub batch_size: Option<u32>,
    /// Physical batch size (`--ubatch-size`).
    #[ts(optional)]
    pub ubatch_size: Option<u32>,
    /// Parallel request slots (`--parallel`).
    #[ts(optional)]
    pub parallel: Option<u32>,
    /// Flash attention (`--flash-attn on|off`); unset leaves the engine's default (auto).
    #[ts(optional)]
    pub flash_attention: Option<bool>,
    #[ts(optional)]
    pub cache_type_k: Option<String>,
    #[ts(optional)]
    pub cache_type_v: Option<String>,
    /// `false` adds `--no-mmap` (load the whole file into memory).
    #[ts(optional)]
    pub mmap: Option<bool>,
    /// `true` adds `--mlock` (keep the model in RAM, never swapped).
    #[ts(optional)]
    pub mlock: Option<bool>,
    /// A built-in template name (`--chat-template`), e.g. `chatml`, `llama3`.
    #[ts(optional)]
    pub chat_template: Option<String>,
}

impl LlamaCppSettings {
    /// A sentence saying what is wrong, for the user.
    pub fn validate(&self) -> Result<(), String> {
        let positive = |name: &str, v: Option<u32>, max: u32| match v {
            Some(v) if v == 0 || v > max => {
                Err(format!("{name} must be between 1 and {max}, not {v}"))
            }
            _ => Ok(()),
        };
        positive("threads", self.threads, MAX_THREADS)?;
        positive("batch size", self.batch_size, MAX_BATCH_SIZE)?;
        positive("micro-batch size", self.ubatch_size, MAX_BATCH_SIZE)?;
        positive("parallel slots", self.parallel, MAX_PARALLEL)?;
        if let (Some(b), Some(u)) = (self.batch_size, self.ubatch_size) {
            if u > b {
                return Err(format!(
                    "the micro-batch size ({u}) cannot exceed the batch size ({b})"
                ));
            }
        }
        if self.gpu_layers.is_some_and(|g| g < -1) {
            return Err("GPU layers must be -1 (all) or more".into());
        }
        for (name, value) in [
            ("K cache type", &self.cache_type_k),
            ("V cache type", &self.cache_type_v),
        ] {
            if let Some(v) = value.as_deref().filter(|v| !KV_CACHE_TYPES.contains(v)) {
                return Err(format!(
                    "{name} {v:?} is not one of {}",
                    KV_CACHE_TYPES.join(", ")
                ));
            }
        }
        if let Some(t) = &self.chat_template {
            if t.trim().is_empty() || t.chars().any(char::is_whitespace) {
                return Err(format!(
                    "the chat template name {t:?} must be one word, e.g. chatml or llama3"
                ));
            }
        }
        Ok(())
    }

    pub fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        let mut push = |flag: &str, value: Option<String>| {
            if let Some(value) = value {
                args.push(flag.to_string());
                args.push(value);
            }
        };
        push("--n-gpu-layers", self.gpu_layers.map(|v| v.to_string()));
        push("--threads", self.threads.map(|v| v.to_string()));
        push("--batch-size", self.batch_size.map(|v| v.to_string()));
        push("--ubatch-size", self.ubatch_size.map(|v| v.to_string()));
        push("--parallel", self.parallel.map(|v| v.to_string()));
        push(
            "--flash-attn",
            self.flash_attention
                .map(|on| if on { "on" } else { "off" }.to_string()),
        );
        push("--cache-type-k", self.cache_type_k.clone());
        push("--cache-type-v", self.cache_type_v.clone());
        push("--chat-template", self.chat_template.clone());
        if self.mmap == Some(false) {
            args.push("--no-mmap".into());
        }
        if self.mlock == Some(true) {
            args.push("--mlock".into());
        }
        args
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_maps_to_its_flag() {
        let s = LlamaCppSettings {
            gpu_layers: Some(99),
            threads: Some(8),
            batch_size: Some(2048),
            ubatch_size: Some(512),
            parallel: Some(4),
            flash_attention: Some(true),
            cache_type_k: Some("q8_0".into()),
            cache_type_v: Some("q8_0".into()),
            mmap: Some(false),
            mlock: Some(true),
            chat_template: Some("chatml".into()),
        };
        s.validate().unwrap();
        assert_eq!(
            s.args(),
            [
                "--n-gpu-layers",
                "99",
                "--threads",
                "8",
                "--batch-size",
                "2048",
                "--ubatch-size",
                "512",
                "--parallel",
                "4",
                "--flash-attn",
                "on",
                "--cache-type-k",
                "q8_0",
                "--cache-type-v",
                "q8_0",
                "--chat-template",
                "chatml",
                "--no-mmap",
                "--mlock"
            ]
        );
        assert!(LlamaCppSettings::default().args().is_empty());
    }

    #[test]
    fn bad_settings_say_what_is_wrong() {
        let bad = |s: LlamaCppSettings| s.validate().unwrap_err();
        assert!(bad(LlamaCppSettings {
            threads: Some(0),
            ..Default::default()
        })
        .contains("threads"));
        assert!(bad(LlamaCppSettings {
            batch_size: Some(256),
            ubatch_size: Some(512),
            ..Default::default()
        })
        .contains("cannot exceed"));
        assert!(bad(LlamaCppSettings {
            cache_type_k: Some("q3".into()),
            ..Default::default()
        })
        .contains("not one of"));
        assert!(bad(LlamaCppSettings {
            chat_template: Some("two words".into()),
            ..Default::default()
        })
        .contains("one word"));
        assert!(bad(LlamaCppSettings {
            gpu_layers: Some(-5),
            ..Default::default()
        })
        .contains("GPU layers"));
    }
}
