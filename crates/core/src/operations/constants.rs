//! Values that the core decides and the UI shows or checks before sending: the KV cache types
//! and vLLM dtypes a form offers, the flags llmops manages per engine, a custom command's
//! placeholders, the llama.cpp settings' bounds and the default alert rules. They are written to
//! `ui/src/generated/constants.ts` by the `bindings` test, so the UI has no copy of its own.

use serde::Serialize;
use serde_json::json;

use crate::alerts::AlertRules;
use crate::engine::{
    EngineKind, KV_CACHE_TYPES, MAX_BATCH_SIZE, MAX_PARALLEL, MAX_THREADS, PLACEHOLDERS,
    VLLM_DTYPES,
};
use crate::library::managed_flags;

/// Every engine, as the UI names them.
const ENGINES: [EngineKind; 4] = [
    EngineKind::LlamaCpp,
    EngineKind::Vllm,
    EngineKind::VllmDocker,
    EngineKind::Custom,
];

fn constant(name: &str, doc: &str, value: impl Serialize, as_const: bool) -> String {
    let value = serde_json::to_string(&value).unwrap_or_else(|_| "null".into());
    let suffix = if as_const { " as const" } else { "" };
    format!("/** {doc} */\nexport const {name} = {value}{suffix}\n")
}

/// The whole generated file.
pub fn typescript_constants() -> String {
    let managed: serde_json::Map<String, serde_json::Value> = ENGINES
        .iter()
        .map(|engine| {
            let name = serde_json::to_value(engine)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            (name, json!(managed_flags(*engine)))
        })
        .collect();
    let mut out = String::from(
        "// Generated from the core (crates/core/src/operations/constants.rs); do not edit.\n\
         // `LLMOPS_UPDATE_BINDINGS=1 cargo test -p llmops-core bindings` rewrites it.\n\
         import type { AlertRules } from './AlertRules'\n\n",
    );
    out += &constant(
        "KV_CACHE_TYPES",
        "KV cache element types llama-server accepts.",
        KV_CACHE_TYPES,
        true,
    );
    out += &constant(
        "VLLM_DTYPES",
        "`--dtype` values vLLM accepts.",
        VLLM_DTYPES,
        true,
    );
    out += &constant(
        "MANAGED_FLAGS",
        "Flags llmops sets itself, per engine: a model's extra arguments may not repeat them.",
        managed,
        true,
    );
    out += &constant(
        "PLACEHOLDERS",
        "What a custom command's arguments may name.",
        PLACEHOLDERS,
        true,
    );
    out += &constant(
        "LLAMA_CPP_LIMITS",
        "The largest llama.cpp settings accepted.",
        json!({"threads": MAX_THREADS, "batch_size": MAX_BATCH_SIZE, "ubatch_size": MAX_BATCH_SIZE, "parallel": MAX_PARALLEL}),
        true,
    );
    out += &constant(
        "MAX_IMPORT_BYTES",
        "The largest conversation file an import reads.",
        crate::chat::MAX_IMPORT_BYTES,
        false,
    );
    out += &constant(
        "CONTEXT_NEAR_LIMIT_PERCENT",
        "From this share of its context used, a conversation is near its limit.",
        crate::chat::ContextUsage::NEAR_LIMIT_PERCENT,
        false,
    );
    out += &constant(
        "BENCHMARK_LIMITS",
        "The largest benchmark settings accepted.",
        json!({
            "max_requests": crate::bench::MAX_REQUESTS,
            "max_levels": crate::bench::MAX_LEVELS,
            "max_concurrency": crate::bench::MAX_CONCURRENCY,
            "max_rate": crate::bench::MAX_RATE,
            "max_warmup": crate::bench::MAX_WARMUP,
            "max_duration_s": crate::bench::MAX_DURATION_S,
            "max_input_tokens": crate::bench::MAX_INPUT_TOKENS,
            "max_output_tokens": crate::bench::MAX_OUTPUT_TOKENS,
            "max_dataset_bytes": crate::bench::MAX_DATASET_BYTES,
            "disagreement_percent": crate::bench::DISAGREEMENT_PERCENT,
        }),
        true,
    );
    out += &constant(
        "SWEEP_LIMITS",
        "The largest sweep accepted: configurations per sweep, values per setting.",
        json!({
            "max_configs": crate::sweeps::MAX_CONFIGS,
            "max_values": crate::sweeps::MAX_VALUES,
        }),
        true,
    );
    out += &constant(
        "GATEWAY_LIMITS",
        "The gateway's per-model and global setting limits.",
        json!({
            "max_aliases": crate::gateway::MAX_ALIASES,
            "max_alias_len": crate::gateway::MAX_ALIAS_LEN,
            "max_concurrency": crate::gateway::MAX_CONCURRENCY,
            "max_queue_limit": crate::gateway::MAX_QUEUE_LIMIT,
            "max_retention_days": crate::gateway::MAX_RETENTION_DAYS,
        }),
        true,
    );
    let rules = constant(
        "DEFAULT_ALERT_RULES",
        "The alert rules of a fresh install.",
        AlertRules::default(),
        false,
    );
    out += &rules.replacen(
        "export const DEFAULT_ALERT_RULES =",
        "export const DEFAULT_ALERT_RULES: AlertRules =",
        1,
    );
    out
}
