//! The configurations a sweep tries: every combination of its axes (grid) or a seeded sample
//! of them, each applied to the model's settings and checked as a saved model would be.

use serde_json::{Map, Value};

use super::types::{Sampling, SweepAxis, SweepParameter, SweepSpec};
use crate::bench::Rng;
use crate::engine::{EngineSettings, LlamaCppSettings, VllmSettings};
use crate::library::Model;

/// The most configurations one sweep may try, and the most values per axis.
pub const MAX_CONFIGS: u32 = 256;
pub const MAX_VALUES: usize = 64;
/// Larger grids are refused: sampling them would mean listing them.
const MAX_GRID: usize = 100_000;

/// One configuration's values, in axis order.
pub type Values = Map<String, Value>;

fn name(parameter: SweepParameter) -> String {
    serde_json::to_value(parameter)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The combinations to try, in the order they will run.
pub fn plan(spec: &SweepSpec) -> Result<Vec<Values>, String> {
    if spec.axes.is_empty() {
        return Err("choose at least one setting to vary".into());
    }
    if !(1..=MAX_CONFIGS).contains(&spec.max_configs) {
        return Err(format!(
            "the budget must be 1 to {MAX_CONFIGS} configurations"
        ));
    }
    let mut seen = Vec::new();
    let mut size: usize = 1;
    for axis in &spec.axes {
        if seen.contains(&axis.parameter) {
            return Err(format!("{} is listed twice", name(axis.parameter)));
        }
        seen.push(axis.parameter);
        if axis.values.is_empty() || axis.values.len() > MAX_VALUES {
            return Err(format!(
                "give {} 1 to {MAX_VALUES} values",
                name(axis.parameter)
            ));
        }
        size = size.saturating_mul(axis.values.len());
    }
    if size > MAX_GRID {
        return Err(format!(
            "{size} combinations are too many to choose from (at most {MAX_GRID}); give fewer values"
        ));
    }
    let mut order: Vec<usize> = (0..size).collect();
    if spec.sampling == Sampling::Random {
        let mut rng = Rng::new(spec.seed);
        for i in (1..order.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
    }
    order.truncate(spec.max_configs as usize);
    Ok(order
        .into_iter()
        .map(|i| combination(&spec.axes, i))
        .collect())
}

/// The `index`th combination (the last axis varies fastest).
fn combination(axes: &[SweepAxis], mut index: usize) -> Values {
    let mut picked = vec![Value::Null; axes.len()];
    for (slot, axis) in axes.iter().enumerate().rev() {
        picked[slot] = axis.values[index % axis.values.len()].clone();
        index /= axis.values.len();
    }
    axes.iter()
        .zip(picked)
        .map(|(axis, value)| (name(axis.parameter), value))
        .collect()
}

fn as_u32(parameter: &str, value: &Value) -> Result<u32, String> {
    value
        .as_u64()
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| format!("{parameter} takes whole numbers, not {value}"))
}

fn as_text(parameter: &str, value: &Value) -> Result<String, String> {
    value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("{parameter} takes names such as \"q8_0\", not {value}"))
}

/// The model's settings and context with one configuration's values applied and checked.
pub fn apply(model: &Model, values: &Values) -> Result<(EngineSettings, u32), String> {
    let mut settings = model.settings.clone();
    let mut context = model.context_size;
    for (parameter, value) in values {
        let parameter: SweepParameter = serde_json::from_value(Value::String(parameter.clone()))
            .map_err(|_| format!("{parameter} is not a setting a sweep can vary"))?;
        let label = name(parameter);
        match (parameter, &mut settings) {
            (SweepParameter::ContextSize, _) => context = as_u32(&label, value)?,
            (_, EngineSettings::LlamaCpp(s)) => set_llama_cpp(s, parameter, &label, value)?,
            (_, EngineSettings::Vllm(s)) => set_vllm(s, parameter, &label, value)?,
            (_, EngineSettings::VllmDocker(s)) => set_vllm(&mut s.vllm, parameter, &label, value)?,
            (_, EngineSettings::Custom(_)) => {
                return Err(format!(
                    "{label} is not a setting of a custom command; only the context size can vary"
                ))
            }
        }
    }
    if !(128..=10_000_000).contains(&context) {
        return Err(format!(
            "the context size must be 128 to 10000000 tokens, not {context}"
        ));
    }
    settings.validate(model.port.is_some())?;
    Ok((settings, context))
}

fn set_llama_cpp(
    s: &mut LlamaCppSettings,
    parameter: SweepParameter,
    label: &str,
    value: &Value,
) -> Result<(), String> {
    match parameter {
        SweepParameter::GpuLayers => {
            s.gpu_layers = Some(
                value
                    .as_i64()
                    .and_then(|v| i32::try_from(v).ok())
                    .ok_or_else(|| {
                        format!("{label} takes whole numbers (-1 for all), not {value}")
                    })?,
            )
        }
        SweepParameter::Threads => s.threads = Some(as_u32(label, value)?),
        SweepParameter::BatchSize => s.batch_size = Some(as_u32(label, value)?),
        SweepParameter::UbatchSize => s.ubatch_size = Some(as_u32(label, value)?),
        SweepParameter::Parallel => s.parallel = Some(as_u32(label, value)?),
        SweepParameter::FlashAttention => {
            s.flash_attention = Some(
                value
                    .as_bool()
                    .ok_or_else(|| format!("{label} takes true or false, not {value}"))?,
            )
        }
        SweepParameter::CacheTypeK => s.cache_type_k = Some(as_text(label, value)?),
        SweepParameter::CacheTypeV => s.cache_type_v = Some(as_text(label, value)?),
        _ => {
            return Err(format!(
                "{label} is a vLLM setting; this model runs with llama.cpp"
            ))
        }
    }
    Ok(())
}

fn set_vllm(
    s: &mut VllmSettings,
    parameter: SweepParameter,
    label: &str,
    value: &Value,
) -> Result<(), String> {
    match parameter {
        SweepParameter::MaxNumSeqs => s.max_num_seqs = Some(as_u32(label, value)?),
        SweepParameter::GpuMemoryUtilization => {
            s.gpu_memory_utilization = Some(
                value
                    .as_f64()
                    .ok_or_else(|| format!("{label} takes a fraction such as 0.9, not {value}"))?
                    as f32,
            )
        }
        _ => {
            return Err(format!(
                "{label} is a llama.cpp setting; this model runs with vLLM"
            ))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweeps::types::*;

    fn spec(axes: Vec<SweepAxis>, sampling: Sampling, max_configs: u32) -> SweepSpec {
        serde_json::from_value(serde_json::json!({
            "model_id": "m", "axes": axes, "sampling": sampling, "max_configs": max_configs,
            "seed": 7,
            "benchmark": {"workload": {"kind": "synthetic", "input": {"mean": 8}, "output": {"mean": 8}},
                          "load": {"kind": "concurrency", "levels": [1]}, "requests": 2},
            "objective": {"metric": "output_throughput"}
        }))
        .unwrap()
    }

    fn axis(parameter: SweepParameter, values: serde_json::Value) -> SweepAxis {
        SweepAxis {
            parameter,
            values: values.as_array().unwrap().clone(),
        }
    }

    #[test]
    fn a_grid_is_every_combination_and_random_is_a_seeded_sample() {
        let axes = vec![
            axis(SweepParameter::Parallel, serde_json::json!([1, 2, 4])),
            axis(
                SweepParameter::FlashAttention,
                serde_json::json!([true, false]),
            ),
        ];
        let grid = plan(&spec(axes.clone(), Sampling::Grid, 256)).unwrap();
        assert_eq!(grid.len(), 6);
        assert_eq!(grid[1]["parallel"], 1);
        assert_eq!(grid[1]["flash_attention"], false);
        let random = plan(&spec(axes.clone(), Sampling::Random, 4)).unwrap();
        assert_eq!(random.len(), 4);
        assert_eq!(
            random,
            plan(&spec(axes.clone(), Sampling::Random, 4)).unwrap()
        );
        for values in &random {
            assert!(grid.contains(values));
        }
        let mut unique = random.clone();
        unique.dedup();
        assert_eq!(unique.len(), 4);
        assert!(plan(&spec(vec![], Sampling::Grid, 4)).is_err());
        let twice = vec![axes[0].clone(), axes[0].clone()];
        assert!(plan(&spec(twice, Sampling::Grid, 4))
            .unwrap_err()
            .contains("twice"));
    }

    #[test]
    fn values_apply_to_the_engine_settings_and_are_checked() {
        let model: Model = serde_json::from_value(serde_json::json!({
            "id": "m", "name": "m", "engine": "llama_cpp", "path": "/m.gguf", "context_size": 2048,
            "extra_args": [], "restart_policy": {"kind": "never"}, "port": null,
            "settings": {"engine": "llama_cpp"}, "secret_env": [], "starter": false, "created_at": 0
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        let values: Values = serde_json::from_value(serde_json::json!({
            "parallel": 2, "context_size": 4096, "cache_type_k": "q8_0"
        }))
        .unwrap();
        let (settings, context) = apply(&model, &values).unwrap();
        assert_eq!(context, 4096);
        let EngineSettings::LlamaCpp(s) = settings else {
            panic!()
        };
        assert_eq!(
            (s.parallel, s.cache_type_k.as_deref()),
            (Some(2), Some("q8_0"))
        );
        let bad: Values = serde_json::from_value(serde_json::json!({"parallel": 0})).unwrap();
        assert!(apply(&model, &bad).unwrap_err().contains("parallel"));
        let vllm: Values = serde_json::from_value(serde_json::json!({"max_num_seqs": 8})).unwrap();
        assert!(apply(&model, &vllm).unwrap_err().contains("vLLM"));
        let text: Values = serde_json::from_value(serde_json::json!({"threads": "four"})).unwrap();
        assert!(apply(&model, &text).unwrap_err().contains("whole numbers"));
    }
}
