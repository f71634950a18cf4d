//! Will a GGUF model fit? A static estimate from the header (weights, KV cache, compute
//! buffers, overhead) against the monitor's free VRAM and RAM, with what would make it fit.
//! `engine_fit.rs` confirms it with llama.cpp's own `llama-fit-params`.
//!
//! The KV formula and the per-element sizes are llama.cpp's (see
//! `shared/research/model-hub-contracts.md` §5): per attention layer,
//! `n_ctx × n_head_kv × (head_dim_k × bytes(K type) + head_dim_v × bytes(V type))`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::gguf::GgufInfo;

const MIB: u64 = 1 << 20;
/// What a GPU needs besides the model (CUDA context, cuBLAS workspace): gguf-parser-go's default.
pub const GPU_OVERHEAD_BYTES: u64 = 250 * MIB;
/// What the process needs in RAM besides the model buffers (runtime, tokenizer tables); with a
/// GPU the driver's host-side context adds more (gguf-parser-go's RAM footprint, 150 MiB).
pub const HOST_OVERHEAD_BYTES: u64 = 64 * MIB;
pub const HOST_OVERHEAD_WITH_GPU_BYTES: u64 = 150 * MIB;
/// The physical batch llama-server uses unless told otherwise (`--ubatch-size`).
const DEFAULT_UBATCH: u64 = 512;
/// The context sizes offered when the asked one does not fit, largest first.
const CONTEXT_STEPS: &[u32] = &[131_072, 65_536, 32_768, 16_384, 8_192, 4_096, 2_048];

/// Bytes per element of a KV cache type, as (numerator, denominator): q8_0 stores 32 values in 34
/// bytes.
const KV_TYPE_SIZES: &[(&str, u64, u64)] = &[
    ("f32", 4, 1),
    ("f16", 2, 1),
    ("bf16", 2, 1),
    ("q8_0", 34, 32),
    ("q5_1", 24, 32),
    ("q5_0", 22, 32),
    ("q4_1", 20, 32),
    ("q4_0", 18, 32),
    ("iq4_nl", 18, 32),
];

/// How the model would be run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct FitRequest {
    /// The context size; 0 or absent = the model's trained context (capped by llama.cpp's
    /// default 4096 when the model says nothing).
    #[serde(default)]
    #[ts(optional)]
    pub context_size: Option<u32>,
    #[serde(default)]
    #[ts(optional)]
    pub cache_type_k: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub cache_type_v: Option<String>,
    /// Layers to put on the GPU; absent = as many as fit.
    #[serde(default)]
    #[ts(optional)]
    pub gpu_layers: Option<i32>,
    /// Parallel slots (each has its own context).
    #[serde(default)]
    #[ts(optional)]
    pub parallel: Option<u32>,
}

/// Free memory to fit into (from the monitor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct FitResources {
    /// Free bytes of each GPU; empty when there is none.
    #[ts(type = "number[]")]
    pub gpu_free_bytes: Vec<u64>,
    #[ts(type = "number")]
    pub ram_available_bytes: u64,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FitVerdict {
    /// Every layer on the GPU(s).
    FullGpu,
    /// `layers` of `of` layers on the GPU(s), the rest on the CPU.
    PartialGpu {
        layers: u32,
        of: u32,
    },
    /// No usable GPU; the whole model fits in RAM.
    Cpu,
    DoesNotFit,
}

/// Something that would make the model fit (fully on the GPU when there is one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FitSuggestion {
    /// A shorter context.
    Context { context_size: u32 },
    /// A quantised KV cache (needs flash attention for V).
    KvCache { cache_type: String },
    /// Fewer GPU layers (the rest on the CPU).
    GpuLayers { layers: u32 },
    /// Another file of the same repository.
    SmallerQuant {
        file: String,
        #[ts(type = "number")]
        bytes: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct FitEstimate {
    pub verdict: FitVerdict,
    pub context_size: u32,
    #[ts(type = "number")]
    pub weights_bytes: u64,
    #[ts(type = "number")]
    pub kv_cache_bytes: u64,
    #[ts(type = "number")]
    pub compute_bytes: u64,
    #[ts(type = "number")]
    pub overhead_bytes: u64,
    /// Everything together (where it goes depends on the verdict).
    #[ts(type = "number")]
    pub total_bytes: u64,
    pub suggestions: Vec<FitSuggestion>,
}

/// The model's shape as the estimate needs it.
struct Shape {
    layers: u32,
    /// Weight bytes per layer (the whole model's, all shards).
    layer_bytes: Vec<u64>,
    other_bytes: u64,
    /// K and V elements per token, per layer.
    kv_elements: Vec<(u64, u64)>,
    vocab: u64,
    trained_context: u32,
}

impl Shape {
    fn of(info: &GgufInfo, weights_bytes: u64) -> Shape {
        let layers = info
            .block_count
            .unwrap_or(info.layer_bytes.len() as u32)
            .clamp(1, 1 << 16);
        let heads = info.head_count.clone();
        let heads_kv = info.head_count_kv.clone().or(heads.clone());
        // Hostile headers can claim anything: bound each factor so that no product overflows.
        let embedding = (info.embedding_length.unwrap_or(0) as u64).min(1 << 20);
        let head_dim_default = match &heads {
            Some(heads) if heads.max() > 0 => embedding / heads.max(),
            _ => 0,
        };
        let key = info
            .key_length
            .map(u64::from)
            .unwrap_or(head_dim_default)
            .min(1 << 20);
        let value = info
            .value_length
            .map(u64::from)
            .unwrap_or(head_dim_default)
            .min(1 << 20);
        let kv_elements = (0..layers as usize)
            .map(|layer| {
                let heads = heads_kv
                    .as_ref()
                    .map(|h| h.at(layer))
                    .unwrap_or(0)
                    .min(1 << 16);
                (heads * key, heads * value)
            })
            .collect();
        // A split model's header describes one shard: spread the weights of all shards over the
        // layers in the proportions this shard shows, or evenly.
        let known = info
            .layer_bytes
            .iter()
            .fold(info.other_bytes, |sum, b| sum.saturating_add(*b));
        let (layer_bytes, other_bytes) = if known == weights_bytes && !info.layer_bytes.is_empty() {
            let mut bytes = info.layer_bytes.clone();
            bytes.resize(layers as usize, 0);
            (bytes, info.other_bytes)
        } else {
            let other = weights_bytes / (layers as u64 + 2);
            let per_layer = (weights_bytes - other) / layers as u64;
            (vec![per_layer; layers as usize], other)
        };
        Shape {
            layers,
            layer_bytes,
            other_bytes,
            kv_elements,
            vocab: (info.vocab_size.unwrap_or(32_000) as u64).min(1 << 24),
            trained_context: info.context_length.unwrap_or(4096),
        }
    }
}

/// The bytes per element of a KV cache type, ×32 (exact for block types).
fn kv_bytes_x32(cache_type: Option<&str>) -> u64 {
    let name = cache_type.unwrap_or("f16");
    KV_TYPE_SIZES
        .iter()
        .find(|(type_name, _, _)| *type_name == name)
        .map(|(_, numerator, denominator)| numerator * 32 / denominator)
        .unwrap_or(64)
}

/// Sizes for one configuration.
struct Sizes {
    per_layer: Vec<u64>,
    kv_per_layer: Vec<u64>,
    other: u64,
    compute: u64,
    host_overhead: u64,
}

impl Sizes {
    fn new(shape: &Shape, context: u32, request: &FitRequest, with_gpu: bool) -> Sizes {
        let slots = request.parallel.unwrap_or(1).max(1) as u64;
        let tokens = (context as u64).saturating_mul(slots);
        let k = kv_bytes_x32(request.cache_type_k.as_deref());
        let v = kv_bytes_x32(request.cache_type_v.as_deref());
        let kv_per_layer = shape
            .kv_elements
            .iter()
            .map(|(k_elements, v_elements)| {
                tokens.saturating_mul(k_elements * k + v_elements * v) / 32
            })
            .collect();
        let ubatch = DEFAULT_UBATCH.min(tokens.max(1));
        // The largest buffers of llama.cpp's graph: the logits (vocab × ubatch f32) and the
        // attention scores (n_ctx × ubatch); measured against llama-fit-params in the tests.
        let compute = (shape.vocab * ubatch * 4).saturating_add(tokens.saturating_mul(ubatch * 4));
        Sizes {
            per_layer: shape.layer_bytes.clone(),
            kv_per_layer,
            other: shape.other_bytes,
            compute,
            host_overhead: if with_gpu {
                HOST_OVERHEAD_WITH_GPU_BYTES
            } else {
                HOST_OVERHEAD_BYTES
            },
        }
    }
    fn kv_total(&self) -> u64 {
        saturating_sum(&self.kv_per_layer)
    }
    fn weights(&self) -> u64 {
        saturating_sum(&self.per_layer).saturating_add(self.other)
    }
    /// GPU bytes with the last `layers` layers offloaded (llama.cpp offloads from the back;
    /// the output tensors go along when every layer does).
    fn gpu_bytes(&self, layers: u32) -> u64 {
        let count = self.per_layer.len();
        let start = count.saturating_sub(layers as usize);
        let layer_total = (start..count).fold(0u64, |sum, i| {
            sum.saturating_add(self.per_layer[i].saturating_add(self.kv_per_layer[i]))
        });
        let output = if layers as usize >= count {
            self.other
        } else {
            0
        };
        layer_total
            .saturating_add(output)
            .saturating_add(self.compute)
            .saturating_add(GPU_OVERHEAD_BYTES)
    }
    /// Host bytes with `layers` layers on the GPU.
    fn host_bytes(&self, layers: u32) -> u64 {
        let count = self.per_layer.len();
        let on_host = count.saturating_sub(layers as usize);
        let layer_total = (0..on_host).fold(0u64, |sum, i| {
            sum.saturating_add(self.per_layer[i].saturating_add(self.kv_per_layer[i]))
        });
        let compute = if layers == 0 { self.compute } else { 0 };
        layer_total
            .saturating_add(self.other)
            .saturating_add(compute)
            .saturating_add(self.host_overhead)
    }
}

fn saturating_sum(values: &[u64]) -> u64 {
    values.iter().fold(0u64, |sum, v| sum.saturating_add(*v))
}

/// The most layers that fit in `gpu_free` (0 when not even one does).
fn layers_that_fit(sizes: &Sizes, layers: u32, gpu_free: u64) -> u32 {
    (0..=layers)
        .rev()
        .find(|&n| n > 0 && sizes.gpu_bytes(n) <= gpu_free)
        .unwrap_or(0)
}

/// Estimates whether `info` (whose tensors weigh `weights_bytes` across all shards) fits in
/// `resources`, and what would make it fit. `other_files` are the repository's other quants
/// (file, bytes) for the "smaller quant" suggestion.
pub fn estimate(
    info: &GgufInfo,
    weights_bytes: u64,
    request: &FitRequest,
    resources: &FitResources,
    other_files: &[(String, u64)],
) -> FitEstimate {
    let shape = Shape::of(info, weights_bytes);
    let context = match request.context_size {
        Some(size) if size > 0 => size,
        _ => shape.trained_context,
    };
    let with_gpu = !resources.gpu_free_bytes.is_empty();
    let sizes = Sizes::new(&shape, context, request, with_gpu);
    // Several GPUs act as one pool here, each paying its own overhead.
    let gpu_free: u64 = resources
        .gpu_free_bytes
        .iter()
        .map(|free| free.saturating_sub(GPU_OVERHEAD_BYTES))
        .sum::<u64>()
        + GPU_OVERHEAD_BYTES * (!resources.gpu_free_bytes.is_empty()) as u64;
    let wanted_layers = match request.gpu_layers {
        Some(layers) if layers >= 0 => (layers as u32).min(shape.layers),
        _ => shape.layers,
    };
    let verdict = verdict(&sizes, shape.layers, wanted_layers, gpu_free, resources);
    let overhead =
        HOST_OVERHEAD_BYTES + GPU_OVERHEAD_BYTES * (!resources.gpu_free_bytes.is_empty()) as u64;
    let suggestions = if verdict == FitVerdict::FullGpu
        || (verdict == FitVerdict::Cpu && resources.gpu_free_bytes.is_empty())
    {
        Vec::new()
    } else {
        suggestions(&shape, context, request, resources, gpu_free, other_files)
    };
    FitEstimate {
        verdict,
        context_size: context,
        weights_bytes: sizes.weights(),
        kv_cache_bytes: sizes.kv_total(),
        compute_bytes: sizes.compute,
        overhead_bytes: overhead,
        total_bytes: sizes
            .weights()
            .saturating_add(sizes.kv_total())
            .saturating_add(sizes.compute)
            .saturating_add(overhead),
        suggestions,
    }
}

fn verdict(
    sizes: &Sizes,
    layers: u32,
    wanted_layers: u32,
    gpu_free: u64,
    resources: &FitResources,
) -> FitVerdict {
    let ram = resources.ram_available_bytes;
    if resources.gpu_free_bytes.is_empty() || wanted_layers == 0 {
        return if sizes.host_bytes(0) <= ram {
            FitVerdict::Cpu
        } else {
            FitVerdict::DoesNotFit
        };
    }
    let on_gpu = layers_that_fit(sizes, wanted_layers, gpu_free);
    if on_gpu == layers && wanted_layers == layers && sizes.host_bytes(layers) <= ram {
        return FitVerdict::FullGpu;
    }
    if on_gpu > 0 && sizes.host_bytes(on_gpu) <= ram {
        return FitVerdict::PartialGpu {
            layers: on_gpu,
            of: layers,
        };
    }
    if sizes.host_bytes(0) <= ram {
        FitVerdict::Cpu
    } else {
        FitVerdict::DoesNotFit
    }
}

/// What would fit fully (on the GPU when there is one, else in RAM).
fn suggestions(
    shape: &Shape,
    context: u32,
    request: &FitRequest,
    resources: &FitResources,
    gpu_free: u64,
    other_files: &[(String, u64)],
) -> Vec<FitSuggestion> {
    let has_gpu = !resources.gpu_free_bytes.is_empty();
    let fits = |sizes: &Sizes| {
        if has_gpu {
            sizes.gpu_bytes(shape.layers) <= gpu_free
                && sizes.host_bytes(shape.layers) <= resources.ram_available_bytes
        } else {
            sizes.host_bytes(0) <= resources.ram_available_bytes
        }
    };
    let mut out = Vec::new();
    if let Some(&shorter) = CONTEXT_STEPS
        .iter()
        .filter(|&&step| step < context)
        .find(|&&step| fits(&Sizes::new(shape, step, request, has_gpu)))
    {
        out.push(FitSuggestion::Context {
            context_size: shorter,
        });
    }
    for cache_type in ["q8_0", "q4_0"] {
        let quantised = FitRequest {
            cache_type_k: Some(cache_type.into()),
            cache_type_v: Some(cache_type.into()),
            ..request.clone()
        };
        if fits(&Sizes::new(shape, context, &quantised, has_gpu)) {
            out.push(FitSuggestion::KvCache {
                cache_type: cache_type.into(),
            });
            break;
        }
    }
    if has_gpu {
        let sizes = Sizes::new(shape, context, request, has_gpu);
        let layers = layers_that_fit(&sizes, shape.layers, gpu_free);
        if layers > 0 && layers < shape.layers {
            out.push(FitSuggestion::GpuLayers { layers });
        }
    }
    let current = saturating_sum(&shape.layer_bytes).saturating_add(shape.other_bytes);
    let mut smaller: Vec<&(String, u64)> = other_files
        .iter()
        .filter(|(_, bytes)| *bytes < current)
        .collect();
    smaller.sort_by_key(|(_, bytes)| std::cmp::Reverse(*bytes));
    if let Some((file, bytes)) = smaller.into_iter().find(|(_, bytes)| {
        let scaled = scale_shape(shape, *bytes);
        fits(&Sizes::new(&scaled, context, request, has_gpu))
    }) {
        out.push(FitSuggestion::SmallerQuant {
            file: file.clone(),
            bytes: *bytes,
        });
    }
    out
}

/// The same architecture with weights of `bytes` in total (another quant of the same model).
fn scale_shape(shape: &Shape, bytes: u64) -> Shape {
    let current = saturating_sum(&shape.layer_bytes)
        .saturating_add(shape.other_bytes)
        .max(1);
    let scale = |value: u64| (value as u128 * bytes as u128 / current as u128) as u64;
    Shape {
        layers: shape.layers,
        layer_bytes: shape.layer_bytes.iter().map(|&b| scale(b)).collect(),
        other_bytes: scale(shape.other_bytes),
        kv_elements: shape.kv_elements.clone(),
        vocab: shape.vocab,
        trained_context: shape.trained_context,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::gguf::PerLayer;

    /// Llama-3.1-8B's shape: 32 layers, 8 KV heads of 128, 4.6 GB of Q4_K_M weights.
    fn llama_8b() -> GgufInfo {
        GgufInfo {
            version: 3,
            architecture: Some("llama".into()),
            name: None,
            size_label: None,
            quantization: Some("Q4_K_M".into()),
            parameter_count: 8_000_000_000,
            tensor_bytes: 4_600_000_000,
            header_bytes: 0,
            tensor_count: 291,
            context_length: Some(131_072),
            block_count: Some(32),
            embedding_length: Some(4096),
            head_count: Some(PerLayer::Same(32)),
            head_count_kv: Some(PerLayer::Same(8)),
            key_length: None,
            value_length: None,
            sliding_window: None,
            expert_count: None,
            vocab_size: Some(128_256),
            chat_template: None,
            split: None,
            layer_bytes: vec![130_000_000; 32],
            other_bytes: 4_600_000_000 - 32 * 130_000_000,
        }
    }

    fn request(context: u32) -> FitRequest {
        FitRequest {
            context_size: Some(context),
            cache_type_k: None,
            cache_type_v: None,
            gpu_layers: None,
            parallel: None,
        }
    }

    const GIB: u64 = 1 << 30;

    #[test]
    fn the_kv_cache_matches_the_worked_example() {
        let resources = FitResources {
            gpu_free_bytes: vec![24 * GIB],
            ram_available_bytes: 32 * GIB,
        };
        let f16 = estimate(&llama_8b(), 4_600_000_000, &request(8192), &resources, &[]);
        assert_eq!(f16.kv_cache_bytes, GIB);
        assert_eq!(f16.verdict, FitVerdict::FullGpu);
        let q8 = FitRequest {
            cache_type_k: Some("q8_0".into()),
            cache_type_v: Some("q8_0".into()),
            ..request(8192)
        };
        let q8 = estimate(&llama_8b(), 4_600_000_000, &q8, &resources, &[]);
        assert_eq!(q8.kv_cache_bytes, 544 * MIB);
    }

    #[test]
    fn a_small_gpu_gets_some_layers_and_suggestions() {
        let resources = FitResources {
            gpu_free_bytes: vec![6 * GIB],
            ram_available_bytes: 32 * GIB,
        };
        let others = [
            ("Q2_K.gguf".to_string(), 2_900_000_000u64),
            ("IQ1_S.gguf".to_string(), 1_000_000_000u64),
        ];
        let fit = estimate(
            &llama_8b(),
            4_600_000_000,
            &request(32_768),
            &resources,
            &others,
        );
        let FitVerdict::PartialGpu { layers, of } = fit.verdict else {
            panic!("{:?}", fit.verdict)
        };
        assert!(layers > 5 && layers < 32, "{layers}");
        assert_eq!(of, 32);
        assert!(fit
            .suggestions
            .contains(&FitSuggestion::GpuLayers { layers }));
        assert!(fit
            .suggestions
            .contains(&FitSuggestion::Context { context_size: 8192 }));
        assert!(fit.suggestions.contains(&FitSuggestion::SmallerQuant {
            file: "IQ1_S.gguf".into(),
            bytes: 1_000_000_000
        }));
    }

    #[test]
    fn without_gpu_it_is_ram_or_nothing() {
        let small_ram = FitResources {
            gpu_free_bytes: vec![],
            ram_available_bytes: 3 * GIB,
        };
        let fit = estimate(&llama_8b(), 4_600_000_000, &request(4096), &small_ram, &[]);
        assert_eq!(fit.verdict, FitVerdict::DoesNotFit);
        let big_ram = FitResources {
            ram_available_bytes: 64 * GIB,
            ..small_ram
        };
        let fit = estimate(&llama_8b(), 4_600_000_000, &request(4096), &big_ram, &[]);
        assert_eq!(fit.verdict, FitVerdict::Cpu);
        assert!(fit.suggestions.is_empty());
    }

    #[test]
    fn recurrent_layers_have_no_kv_cache() {
        let mut info = llama_8b();
        info.head_count_kv = Some(PerLayer::Each(
            (0..32).map(|i| if i % 2 == 0 { 8 } else { 0 }).collect(),
        ));
        let resources = FitResources {
            gpu_free_bytes: vec![],
            ram_available_bytes: 64 * GIB,
        };
        let fit = estimate(&info, 4_600_000_000, &request(8192), &resources, &[]);
        assert_eq!(fit.kv_cache_bytes, GIB / 2);
    }
}
