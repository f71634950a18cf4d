//! Deploy presets: sensible settings per model family and engine, to pre-fill the Deploy form.

use serde::Serialize;
use ts_rs::TS;

use super::{EngineKind, EngineSettings, LlamaCppSettings, VllmDockerSettings, VllmSettings};

#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct DeployPreset {
    pub id: String,
    /// Qwen, Llama 3, Mistral, SmolLM.
    pub family: String,
    pub name: String,
    pub engine: EngineKind,
    /// The model to serve: a Hugging Face repository for vLLM, a GGUF file name to look for
    /// (and where to get it) for llama.cpp.
    pub model: String,
    /// Where to download the weights, for llama.cpp.
    pub source: Option<String>,
    pub context_size: u32,
    pub settings: EngineSettings,
    /// In English; a UI may say them in its own language by `family_id`.
    pub notes: String,
    /// The model family's id (`qwen2.5-7b-instruct`), shared by its presets of every engine.
    pub family_id: String,
}

struct Family {
    id: &'static str,
    family: &'static str,
    name: &'static str,
    repo: &'static str,
    gguf: &'static str,
    gguf_repo: &'static str,
    context: u32,
    notes: &'static str,
}

const FAMILIES: &[Family] = &[
    Family {
        id: "qwen2.5-7b-instruct",
        family: "Qwen",
        name: "Qwen2.5 7B Instruct",
        repo: "Qwen/Qwen2.5-7B-Instruct",
        gguf: "qwen2.5-7b-instruct-q4_k_m.gguf",
        gguf_repo: "https://huggingface.co/Qwen/Qwen2.5-7B-Instruct-GGUF",
        context: 32768,
        notes: "Multilingual (strong in Chinese and English); ChatML template. About 5 GB at Q4_K_M, 16 GB in bf16.",
    },
    Family {
        id: "llama-3.1-8b-instruct",
        family: "Llama 3",
        name: "Llama 3.1 8B Instruct",
        repo: "meta-llama/Llama-3.1-8B-Instruct",
        gguf: "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf",
        gguf_repo: "https://huggingface.co/bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
        context: 16384,
        notes: "Gated on Hugging Face: accept the licence and set HF_TOKEN. About 5 GB at Q4_K_M, 16 GB in bf16.",
    },
    Family {
        id: "mistral-7b-instruct-v0.3",
        family: "Mistral",
        name: "Mistral 7B Instruct v0.3",
        repo: "mistralai/Mistral-7B-Instruct-v0.3",
        gguf: "Mistral-7B-Instruct-v0.3-Q4_K_M.gguf",
        gguf_repo: "https://huggingface.co/bartowski/Mistral-7B-Instruct-v0.3-GGUF",
        context: 32768,
        notes: "Gated on Hugging Face: accept the licence and set HF_TOKEN. About 4.4 GB at Q4_K_M, 15 GB in bf16.",
    },
];

pub fn deploy_presets() -> Vec<DeployPreset> {
    let mut presets = Vec::new();
    for f in FAMILIES {
        presets.push(DeployPreset {
            id: format!("{}-llama-cpp", f.id),
            family: f.family.into(),
            name: f.name.into(),
            engine: EngineKind::LlamaCpp,
            model: f.gguf.into(),
            source: Some(f.gguf_repo.into()),
            // A CPU or a small GPU rarely has room for the full window's KV cache.
            context_size: f.context.min(8192),
            settings: EngineSettings::LlamaCpp(LlamaCppSettings {
                gpu_layers: Some(-1),
                flash_attention: Some(true),
                ..Default::default()
            }),
            notes: f.notes.into(),
            family_id: f.id.into(),
        });
        let vllm = VllmSettings {
            gpu_memory_utilization: Some(0.9),
            dtype: Some("auto".into()),
            ..Default::default()
        };
        presets.push(DeployPreset {
            id: format!("{}-vllm", f.id),
            family: f.family.into(),
            name: f.name.into(),
            engine: EngineKind::Vllm,
            model: f.repo.into(),
            source: None,
            context_size: f.context,
            settings: EngineSettings::Vllm(vllm.clone()),
            notes: f.notes.into(),
            family_id: f.id.into(),
        });
        presets.push(DeployPreset {
            id: format!("{}-vllm-docker", f.id),
            family: f.family.into(),
            name: f.name.into(),
            engine: EngineKind::VllmDocker,
            model: f.repo.into(),
            source: None,
            context_size: f.context,
            settings: EngineSettings::VllmDocker(VllmDockerSettings {
                vllm,
                ..Default::default()
            }),
            notes: f.notes.into(),
            family_id: f.id.into(),
        });
    }
    presets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_for_its_engine() {
        let presets = deploy_presets();
        assert_eq!(presets.len(), 9);
        for p in &presets {
            assert_eq!(p.settings.kind(), p.engine, "{}", p.id);
            p.settings
                .validate(false)
                .unwrap_or_else(|e| panic!("{}: {e}", p.id));
        }
        let families: std::collections::BTreeSet<_> =
            presets.iter().map(|p| p.family.as_str()).collect();
        assert_eq!(
            families.into_iter().collect::<Vec<_>>(),
            ["Llama 3", "Mistral", "Qwen"]
        );
    }
}
