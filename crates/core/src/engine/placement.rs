//! Which GPUs a model runs on: the model's choice (all, given devices, or auto), the decision
//! for one start, and how each engine is told (`CUDA_VISIBLE_DEVICES` with llama.cpp's
//! `--split-mode`/`--tensor-split`/`--main-gpu`, vLLM's `--tensor-parallel-size`, Docker's
//! `--gpus device=…`). Pure: the supervisor gathers the inputs and applies the result.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::kind::EngineKind;
use super::launch::LaunchSpec;
use crate::error::ErrorBody;

/// At most this many devices in a model's list.
pub const MAX_PLACEMENT_DEVICES: usize = 64;

/// A model's GPU choice.
#[derive(
    Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS, schemars::JsonSchema,
)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum GpuPlacement {
    /// Every GPU the engine sees (nothing is set: the engine decides).
    #[default]
    All,
    /// These GPUs (NVML indexes, in PCI bus order).
    Devices { devices: Vec<u32> },
    /// The GPU(s) with room for the model, chosen at each start.
    Auto,
}

impl GpuPlacement {
    pub fn validate(&self) -> Result<(), String> {
        let GpuPlacement::Devices { devices } = self else {
            return Ok(());
        };
        if devices.is_empty() {
            return Err("choose at least one GPU, or \"all\" or \"auto\"".into());
        }
        if devices.len() > MAX_PLACEMENT_DEVICES {
            return Err(format!("at most {MAX_PLACEMENT_DEVICES} GPUs"));
        }
        let mut sorted = devices.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != devices.len() {
            return Err("a GPU is listed twice".into());
        }
        Ok(())
    }
}

/// One GPU as placement sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GpuSlot {
    pub index: u32,
    pub total_bytes: u64,
    /// Free now (the supervisor takes off what live instances booked and do not use yet).
    pub free_bytes: u64,
}

/// What a decision needs: the GPUs (empty when none is detected) and the model's estimated need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlacementInputs {
    pub gpus: Vec<GpuSlot>,
    /// Weights, KV cache and buffers at the model's context size; `None` when unknown.
    pub need_bytes: Option<u64>,
    /// How the need was found: `fit_estimate` (the hub's estimate) or `file_size`.
    pub need_source: Option<&'static str>,
    /// GPU memory each live instance visibly uses per GPU, `(instance id, GPU index)` → bytes:
    /// what of an instance's booking already shows in `free_bytes`.
    pub instance_use: std::collections::HashMap<(String, u32), u64>,
}

/// Where one start of a model runs, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct GpuAssignment {
    pub placement: GpuPlacement,
    /// The GPUs the engine is given; `null` for all of them (nothing set), empty for none (no
    /// GPU detected: it runs on the CPU).
    pub devices: Option<Vec<u32>>,
    /// The memory booked on each chosen GPU until the engine's own use shows, bytes.
    #[ts(type = "number | null")]
    pub need_bytes: Option<u64>,
    /// Why, as a code with its values and in English.
    pub reason: ErrorBody,
}

/// Why a placement cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlacementError {
    #[error("GPU {index} does not exist on this machine (it has {count}: 0 to {last}); choose other GPUs in the model's settings", last = count.saturating_sub(1))]
    UnknownDevice { index: u32, count: usize },
    #[error("No GPU has room for this model: it needs about {need} and the GPUs have {free} free together; stop another model, use a smaller quantisation or context, or choose \"all\" to let the engine offload what fits", need = gib(*need_bytes), free = gib(*free_bytes))]
    NoRoom { need_bytes: u64, free_bytes: u64 },
}

impl PlacementError {
    pub fn code(&self) -> &'static str {
        match self {
            PlacementError::UnknownDevice { .. } => "gpu_placement_unknown_device",
            PlacementError::NoRoom { .. } => "gpu_placement_no_room",
        }
    }

    pub fn params(&self) -> crate::error::ErrorParams {
        match self {
            PlacementError::UnknownDevice { index, count } => {
                vec![("index", index.to_string()), ("count", count.to_string())]
            }
            PlacementError::NoRoom {
                need_bytes,
                free_bytes,
            } => vec![
                ("need", need_bytes.to_string()),
                ("free", free_bytes.to_string()),
            ],
        }
    }
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

fn reason(code: &str, params: crate::error::ErrorParams, text: String) -> ErrorBody {
    ErrorBody::with_params(code, params, text)
}

fn list(devices: &[u32]) -> String {
    devices
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Decides where one start of a model runs.
pub fn decide(
    placement: &GpuPlacement,
    inputs: &PlacementInputs,
) -> Result<GpuAssignment, PlacementError> {
    let assignment = |devices: Option<Vec<u32>>, reason: ErrorBody| GpuAssignment {
        placement: placement.clone(),
        need_bytes: devices
            .as_ref()
            .filter(|d| !d.is_empty())
            .and(inputs.need_bytes),
        devices,
        reason,
    };
    match placement {
        GpuPlacement::All => Ok(assignment(
            None,
            reason(
                "placement_all",
                vec![],
                "All GPUs: the engine decides".into(),
            ),
        )),
        GpuPlacement::Devices { devices } => {
            if !inputs.gpus.is_empty() {
                if let Some(index) = devices
                    .iter()
                    .find(|d| !inputs.gpus.iter().any(|g| g.index == **d))
                {
                    return Err(PlacementError::UnknownDevice {
                        index: *index,
                        count: inputs.gpus.len(),
                    });
                }
            }
            Ok(assignment(
                Some(devices.clone()),
                reason(
                    "placement_devices",
                    vec![("devices", list(devices))],
                    format!("GPUs {} as chosen in the model's settings", list(devices)),
                ),
            ))
        }
        GpuPlacement::Auto => auto(inputs).map(|(devices, why)| assignment(Some(devices), why)),
    }
}

/// "Auto": no GPU → none; the need unknown → the GPU with the most free memory; else the GPU
/// with the most free memory if it fits there, else the fewest GPUs (most free first) that hold
/// it together.
fn auto(inputs: &PlacementInputs) -> Result<(Vec<u32>, ErrorBody), PlacementError> {
    if inputs.gpus.is_empty() {
        return Ok((
            Vec::new(),
            reason(
                "placement_no_gpu",
                vec![],
                "No GPU detected: it runs on the CPU".into(),
            ),
        ));
    }
    let mut by_free = inputs.gpus.clone();
    by_free.sort_by(|a, b| b.free_bytes.cmp(&a.free_bytes).then(a.index.cmp(&b.index)));
    let most = by_free[0];
    let Some(need) = inputs.need_bytes else {
        return Ok((
            vec![most.index],
            reason(
                "placement_most_free",
                vec![
                    ("device", most.index.to_string()),
                    ("free", most.free_bytes.to_string()),
                ],
                format!(
                    "GPU {} has the most free memory ({}); the model's need is unknown",
                    most.index,
                    gib(most.free_bytes)
                ),
            ),
        ));
    };
    if most.free_bytes >= need {
        return Ok((
            vec![most.index],
            reason(
                "placement_fits_one",
                vec![
                    ("device", most.index.to_string()),
                    ("free", most.free_bytes.to_string()),
                    ("need", need.to_string()),
                ],
                format!(
                    "GPU {} has the most free memory ({}); the model needs about {}",
                    most.index,
                    gib(most.free_bytes),
                    gib(need)
                ),
            ),
        ));
    }
    let mut chosen = Vec::new();
    let mut together = 0u64;
    for gpu in &by_free {
        chosen.push(gpu.index);
        together += gpu.free_bytes;
        if together >= need {
            chosen.sort_unstable();
            return Ok((
                chosen.clone(),
                reason(
                    "placement_split",
                    vec![
                        ("devices", list(&chosen)),
                        ("free", together.to_string()),
                        ("need", need.to_string()),
                    ],
                    format!(
                        "Split over GPUs {}: no single GPU has room for about {}, together they have {} free",
                        list(&chosen),
                        gib(need),
                        gib(together)
                    ),
                ),
            ));
        }
    }
    Err(PlacementError::NoRoom {
        need_bytes: need,
        free_bytes: together,
    })
}

/// Tells the engine its GPUs. `free_of` gives a chosen GPU's free memory, for llama.cpp's
/// `--tensor-split`. Nothing changes for "all" or for none.
pub fn apply(
    spec: &mut LaunchSpec,
    engine: EngineKind,
    assignment: &GpuAssignment,
    free_of: impl Fn(u32) -> Option<u64>,
) {
    let Some(devices) = assignment.devices.as_ref().filter(|d| !d.is_empty()) else {
        return;
    };
    let visible = list(devices);
    // NVML numbers GPUs in PCI bus order, CUDA fastest first unless told: the same order.
    let cuda_env = [
        ("CUDA_DEVICE_ORDER".to_string(), "PCI_BUS_ID".to_string()),
        ("CUDA_VISIBLE_DEVICES".to_string(), visible.clone()),
    ];
    match engine {
        EngineKind::LlamaCpp => {
            spec.env.extend(cuda_env);
            // Inside the visible set the GPUs count from 0.
            spec.args
                .extend(["--main-gpu".to_string(), "0".to_string()]);
            if devices.len() == 1 {
                spec.args
                    .extend(["--split-mode".to_string(), "none".to_string()]);
            } else {
                spec.args.extend([
                    "--split-mode".to_string(),
                    "layer".to_string(),
                    "--tensor-split".to_string(),
                    tensor_split(devices, &free_of),
                ]);
            }
        }
        EngineKind::Vllm => {
            spec.env.extend(cuda_env);
            if !spec.args.iter().any(|a| a == "--tensor-parallel-size") {
                spec.args.extend([
                    "--tensor-parallel-size".to_string(),
                    devices.len().to_string(),
                ]);
            }
        }
        EngineKind::VllmDocker => {
            // A list needs its own quotes: Docker reads `--gpus` as CSV.
            let value = if devices.len() == 1 {
                format!("device={visible}")
            } else {
                format!("\"device={visible}\"")
            };
            if let Some(at) = spec.args.iter().position(|a| a == "--gpus") {
                if let Some(slot) = spec.args.get_mut(at + 1) {
                    *slot = value;
                }
            }
        }
        EngineKind::Custom => spec.env.extend(cuda_env),
    }
}

/// Shares proportional to each GPU's free memory, in whole MiB (llama.cpp normalises them).
fn tensor_split(devices: &[u32], free_of: &impl Fn(u32) -> Option<u64>) -> String {
    devices
        .iter()
        .map(|d| {
            free_of(*d)
                .map_or(1, |free| (free >> 20).max(1))
                .to_string()
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1 << 30;

    fn eight(free_gib: [u64; 8]) -> PlacementInputs {
        PlacementInputs {
            gpus: free_gib
                .iter()
                .enumerate()
                .map(|(i, free)| GpuSlot {
                    index: i as u32,
                    total_bytes: 80 * GIB,
                    free_bytes: free * GIB,
                })
                .collect(),
            need_bytes: Some(30 * GIB),
            need_source: Some("fit_estimate"),
            instance_use: Default::default(),
        }
    }

    #[test]
    fn auto_takes_the_gpu_with_most_room_and_says_why() {
        let a = decide(&GpuPlacement::Auto, &eight([10, 20, 79, 79, 40, 5, 5, 5])).unwrap();
        assert_eq!(a.devices, Some(vec![2]));
        assert_eq!(a.need_bytes, Some(30 * GIB));
        assert_eq!(a.reason.code, "placement_fits_one");
        assert_eq!(
            a.reason.message,
            "GPU 2 has the most free memory (79.0 GiB); the model needs about 30.0 GiB"
        );
    }

    #[test]
    fn auto_splits_over_the_fewest_gpus_when_none_holds_it_alone() {
        let a = decide(&GpuPlacement::Auto, &eight([10, 20, 12, 3, 15, 5, 5, 5])).unwrap();
        assert_eq!(a.devices, Some(vec![1, 4]));
        assert_eq!(a.reason.code, "placement_split");
        let err = decide(&GpuPlacement::Auto, &eight([1; 8])).unwrap_err();
        assert_eq!(err.code(), "gpu_placement_no_room");
        assert!(err.to_string().contains("8.0 GiB free together"), "{err}");
    }

    #[test]
    fn no_gpu_is_none_and_unknown_need_is_most_free() {
        let a = decide(&GpuPlacement::Auto, &PlacementInputs::default()).unwrap();
        assert_eq!((a.devices, a.need_bytes), (Some(vec![]), None));
        assert_eq!(a.reason.code, "placement_no_gpu");
        let mut unknown = eight([1, 2, 3, 4, 5, 6, 7, 8]);
        unknown.need_bytes = None;
        let a = decide(&GpuPlacement::Auto, &unknown).unwrap();
        assert_eq!(a.devices, Some(vec![7]));
        assert_eq!(a.reason.code, "placement_most_free");
    }

    #[test]
    fn chosen_devices_are_checked_and_all_sets_nothing() {
        let devices = GpuPlacement::Devices {
            devices: vec![1, 9],
        };
        let err = decide(&devices, &eight([80; 8])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "GPU 9 does not exist on this machine (it has 8: 0 to 7); choose other GPUs in the model's settings"
        );
        let all = decide(&GpuPlacement::All, &eight([80; 8])).unwrap();
        assert_eq!(all.devices, None);
        assert!(GpuPlacement::Devices { devices: vec![] }
            .validate()
            .is_err());
        assert!(GpuPlacement::Devices {
            devices: vec![2, 2]
        }
        .validate()
        .is_err());
    }

    fn spec_for(engine: EngineKind) -> LaunchSpec {
        let target = super::super::launch::LaunchTarget {
            name: "m".into(),
            engine,
            path: "/m/model.gguf".into(),
            context_size: 2048,
            extra_args: vec![],
            settings: super::super::EngineSettings::defaults_for(engine)
                .unwrap_or(super::super::EngineSettings::Custom(Default::default())),
            secret_env: vec![],
        };
        LaunchSpec::for_model(
            &target,
            "/bin/engine".into(),
            4000,
            "i-1",
            None,
            None,
            "k".into(),
        )
    }

    #[test]
    fn each_engine_is_told_its_gpus_exactly() {
        let two = GpuAssignment {
            placement: GpuPlacement::Auto,
            devices: Some(vec![3, 5]),
            need_bytes: None,
            reason: ErrorBody::new("placement_split", ""),
        };
        let free = |d: u32| Some(if d == 3 { 30 * GIB } else { 10 * GIB });
        let cuda = |spec: &LaunchSpec| {
            spec.env
                .iter()
                .filter(|(name, _)| name.starts_with("CUDA_"))
                .cloned()
                .collect::<Vec<_>>()
        };
        let expected_env = vec![
            ("CUDA_DEVICE_ORDER".to_string(), "PCI_BUS_ID".to_string()),
            ("CUDA_VISIBLE_DEVICES".to_string(), "3,5".to_string()),
        ];

        let mut llama = spec_for(EngineKind::LlamaCpp);
        let before = llama.args.len();
        apply(&mut llama, EngineKind::LlamaCpp, &two, free);
        assert_eq!(
            llama.args[before..],
            [
                "--main-gpu",
                "0",
                "--split-mode",
                "layer",
                "--tensor-split",
                "30720,10240"
            ]
        );
        assert_eq!(cuda(&llama), expected_env);

        let mut vllm = spec_for(EngineKind::Vllm);
        apply(&mut vllm, EngineKind::Vllm, &two, free);
        assert_eq!(
            vllm.args[vllm.args.len() - 2..],
            ["--tensor-parallel-size", "2"]
        );
        assert_eq!(cuda(&vllm), expected_env);

        let mut docker = spec_for(EngineKind::VllmDocker);
        apply(&mut docker, EngineKind::VllmDocker, &two, free);
        let at = docker.args.iter().position(|a| a == "--gpus").unwrap();
        assert_eq!(docker.args[at + 1], "\"device=3,5\"");
        assert!(cuda(&docker).is_empty());

        let one = GpuAssignment {
            devices: Some(vec![6]),
            ..two.clone()
        };
        let mut llama = spec_for(EngineKind::LlamaCpp);
        let before = llama.args.len();
        apply(&mut llama, EngineKind::LlamaCpp, &one, free);
        assert_eq!(
            llama.args[before..],
            ["--main-gpu", "0", "--split-mode", "none"]
        );

        // None (no GPU) and all change nothing.
        for devices in [Some(vec![]), None] {
            let mut plain = spec_for(EngineKind::LlamaCpp);
            let untouched = plain.clone();
            apply(
                &mut plain,
                EngineKind::LlamaCpp,
                &GpuAssignment {
                    devices,
                    ..two.clone()
                },
                free,
            );
            assert_eq!(plain, untouched);
        }
    }
}
