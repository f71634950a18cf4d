// Generated from the core (crates/core/src/operations/constants.rs); do not edit.
// `LLMOPS_UPDATE_BINDINGS=1 cargo test -p llmops-core bindings` rewrites it.
import type { AlertRules } from './AlertRules'

/** KV cache element types llama-server accepts. */
export const KV_CACHE_TYPES = ["f32","f16","bf16","q8_0","q4_0","q4_1","iq4_nl","q5_0","q5_1"] as const
/** `--dtype` values vLLM accepts. */
export const VLLM_DTYPES = ["auto","half","float16","bfloat16","float","float32"] as const
/** Flags llmops sets itself, per engine: a model's extra arguments may not repeat them. */
export const MANAGED_FLAGS = {"custom":[],"llama_cpp":["--port","--host","-m","--model","--alias","-a","--api-key","--api-key-file"],"vllm":["--port","--host","--model","--served-model-name","--max-model-len","--api-key"],"vllm_docker":["--port","--host","--model","--served-model-name","--max-model-len","--api-key"]} as const
/** What a custom command's arguments may name. */
export const PLACEHOLDERS = ["{port}","{model}","{name}"] as const
/** The largest llama.cpp settings accepted. */
export const LLAMA_CPP_LIMITS = {"batch_size":1048576,"parallel":256,"threads":1024,"ubatch_size":1048576} as const
/** The largest conversation file an import reads. */
export const MAX_IMPORT_BYTES = 33554432
/** From this share of its context used, a conversation is near its limit. */
export const CONTEXT_NEAR_LIMIT_PERCENT = 85
/** The largest benchmark settings accepted. */
export const BENCHMARK_LIMITS = {"disagreement_percent":10.0,"max_concurrency":1024,"max_dataset_bytes":16777216,"max_duration_s":86400,"max_input_tokens":131072,"max_levels":16,"max_output_tokens":32768,"max_rate":10000.0,"max_requests":100000,"max_warmup":100} as const
/** The largest sweep accepted: configurations per sweep, values per setting. */
export const SWEEP_LIMITS = {"max_configs":256,"max_values":64} as const
/** The gateway's per-model and global setting limits. */
export const GATEWAY_LIMITS = {"max_alias_len":128,"max_aliases":16,"max_concurrency":1024,"max_queue_limit":10000,"max_retention_days":365} as const
/** The alert rules of a fresh install. */
export const DEFAULT_ALERT_RULES: AlertRules = {"gpu_temperature_celsius":{"enabled":true,"raise_at":85.0,"clear_at":80.0},"gpu_memory_percent":{"enabled":true,"raise_at":95.0,"clear_at":90.0},"host_memory_percent":{"enabled":true,"raise_at":90.0,"clear_at":85.0},"disk_free_percent":{"enabled":true,"raise_at":10.0,"clear_at":12.0},"instance_failed":true}
