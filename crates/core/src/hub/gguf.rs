//! A GGUF header reader: the metadata and the tensor table, never the tensors.
//!
//! Why our own (about 400 lines) instead of a crate: we need the same parser over a local file
//! and over HTTP Range reads of a hub file, hard limits on every count and length (the header is
//! untrusted input), arrays skipped without allocating (tokenizer arrays are megabytes) and
//! per-layer arrays kept. `candle-core` would bring a tensor library; `gguf-rs` 0.1 keeps whole
//! arrays in memory. The format is `ggml/docs/gguf.md`.
//!
//! [`parse_header`] works on a prefix of the file: when the prefix ends inside the header it
//! answers [`GgufError::Truncated`] with how many bytes it needs, and the caller reads more
//! ([`read_local`] here, the hub's Range reader for a remote file).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use ts_rs::TS;

use crate::error::{CodedError, ErrorKind, ErrorParams};

/// The largest header we read (metadata plus tensor table). Real ones are a few MiB (tokenizer
/// arrays); a header that claims more is refused rather than read.
pub const MAX_HEADER_BYTES: u64 = 256 << 20;
/// How much of a file is read first; most headers fit.
pub const FIRST_READ_BYTES: u64 = 256 << 10;
/// The longest metadata string kept (a chat template); longer ones are skipped, not stored.
const MAX_KEPT_STRING: u64 = 1 << 20;
/// The most elements of a numeric array that are kept (per-layer head counts).
const MAX_KEPT_ARRAY: u64 = 65_536;
/// The most tensors a header may list, and the most layers we keep sizes for.
const MAX_TENSORS: u64 = 1 << 20;
const MAX_LAYERS: usize = 65_536;
const MAX_KEY_BYTES: u64 = 65_535;
const MAX_TENSOR_NAME_BYTES: u64 = 4096;
const MAX_ARRAY_NESTING: u32 = 4;
/// A tensor larger than this (1 PiB) is a corrupt header, not a model: it keeps every sum the
/// fit makes far from overflowing.
const MAX_TENSOR_BYTES: u64 = 1 << 50;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum GgufError {
    #[error(
        "{path} is not a GGUF file (it does not start with \"GGUF\"). Choose a .gguf model file"
    )]
    NotGguf { path: String },
    #[error("{path} is GGUF version {version}, which llmops does not read (versions 1 to 3)")]
    UnsupportedVersion { path: String, version: u32 },
    #[error("{path} ends inside its GGUF header (the file is cut short, perhaps an unfinished download): it needs at least {needed} bytes")]
    Truncated { path: String, needed: u64 },
    #[error("{path} has a corrupt GGUF header: {detail}")]
    Corrupt { path: String, detail: String },
    #[error("{path} has a GGUF header larger than {limit} bytes, which llmops does not read")]
    TooLarge { path: String, limit: u64 },
    #[error("{path} could not be read: {detail}")]
    Io { path: String, detail: String },
}

impl CodedError for GgufError {
    fn code(&self) -> &'static str {
        match self {
            GgufError::NotGguf { .. } => "gguf_not_gguf",
            GgufError::UnsupportedVersion { .. } => "gguf_unsupported_version",
            GgufError::Truncated { .. } => "gguf_truncated",
            GgufError::Corrupt { .. } => "gguf_corrupt",
            GgufError::TooLarge { .. } => "gguf_too_large",
            GgufError::Io { .. } => "gguf_io",
        }
    }
    fn kind(&self) -> ErrorKind {
        match self {
            GgufError::Io { .. } => ErrorKind::Unavailable,
            _ => ErrorKind::InvalidInput,
        }
    }
    fn params(&self) -> ErrorParams {
        match self {
            GgufError::NotGguf { path }
            | GgufError::UnsupportedVersion { path, .. }
            | GgufError::Truncated { path, .. }
            | GgufError::Corrupt { path, .. }
            | GgufError::TooLarge { path, .. }
            | GgufError::Io { path, .. } => vec![("path", path.clone())],
        }
    }
}

/// A per-layer value: one number for all layers, or one per layer (`head_count_kv` of models
/// with mixed attention; 0 marks a recurrent layer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(untagged)]
pub enum PerLayer {
    Same(#[ts(type = "number")] u64),
    Each(#[ts(type = "number[]")] Vec<u64>),
}

impl PerLayer {
    /// The value at layer `layer` (the last one repeats when the array is short).
    pub fn at(&self, layer: usize) -> u64 {
        match self {
            PerLayer::Same(value) => *value,
            PerLayer::Each(values) => values.get(layer).or(values.last()).copied().unwrap_or(0),
        }
    }
    pub fn max(&self) -> u64 {
        match self {
            PerLayer::Same(value) => *value,
            PerLayer::Each(values) => values.iter().copied().max().unwrap_or(0),
        }
    }
}

/// Which shard of a split model a file is (`split.no` is 0-based).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct SplitInfo {
    pub index: u32,
    pub count: u32,
}

/// What a GGUF header says, as far as llmops needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct GgufInfo {
    pub version: u32,
    pub architecture: Option<String>,
    pub name: Option<String>,
    pub size_label: Option<String>,
    /// `general.file_type` as a name (`Q4_K_M`), when known.
    pub quantization: Option<String>,
    /// Tensor elements in this file (for a split model: in this shard).
    #[ts(type = "number")]
    pub parameter_count: u64,
    /// Bytes of tensor data in this file.
    #[ts(type = "number")]
    pub tensor_bytes: u64,
    /// Where tensor data starts: the header's size.
    #[ts(type = "number")]
    pub header_bytes: u64,
    #[ts(type = "number")]
    pub tensor_count: u64,
    pub context_length: Option<u32>,
    pub block_count: Option<u32>,
    pub embedding_length: Option<u32>,
    pub head_count: Option<PerLayer>,
    /// Absent means the same as `head_count` (no grouped-query attention).
    pub head_count_kv: Option<PerLayer>,
    pub key_length: Option<u32>,
    pub value_length: Option<u32>,
    pub sliding_window: Option<u32>,
    pub expert_count: Option<u32>,
    pub vocab_size: Option<u32>,
    pub chat_template: Option<String>,
    pub split: Option<SplitInfo>,
    /// Tensor bytes of each `blk.N.*` layer (index N), for "N of M layers on the GPU".
    #[ts(type = "number[]")]
    pub layer_bytes: Vec<u64>,
    /// Tensor bytes outside the layers (embeddings, output, norms).
    #[ts(type = "number")]
    pub other_bytes: u64,
}

/// Reads the header of a local file, reading more of the file only while the header needs it.
pub fn read_local(path: &Path) -> Result<GgufInfo, GgufError> {
    let shown = path.display().to_string();
    let io_error = |error: std::io::Error| GgufError::Io {
        path: shown.clone(),
        detail: error.to_string(),
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let file_len = file.metadata().map_err(io_error)?.len();
    let mut reader = file.take(MAX_HEADER_BYTES);
    let mut buffer = Vec::new();
    let mut want = FIRST_READ_BYTES.min(file_len);
    loop {
        let missing = want.saturating_sub(buffer.len() as u64);
        (&mut reader)
            .take(missing)
            .read_to_end(&mut buffer)
            .map_err(io_error)?;
        match parse_header(&buffer, &shown) {
            Err(GgufError::Truncated { needed, .. }) if needed <= file_len => {
                if needed > MAX_HEADER_BYTES {
                    return Err(GgufError::TooLarge {
                        path: shown,
                        limit: MAX_HEADER_BYTES,
                    });
                }
                // Double, so that a header of n bytes is parsed O(log n) times.
                want = needed.max(want * 2).min(file_len).min(MAX_HEADER_BYTES);
            }
            other => return other,
        }
    }
}

/// Parses a GGUF header from the first bytes of a file. `Truncated { needed }` means: call again
/// with at least `needed` bytes (or the file is cut short if it has fewer).
pub fn parse_header(bytes: &[u8], path: &str) -> Result<GgufInfo, GgufError> {
    let mut cursor = Cursor {
        bytes,
        position: 0,
        path,
        wide: true,
    };
    if bytes.len() >= 4 && &bytes[..4] != b"GGUF" {
        return Err(GgufError::NotGguf { path: path.into() });
    }
    cursor.skip(4)?;
    let version = cursor.u32()?;
    if !(1..=3).contains(&version) {
        return Err(GgufError::UnsupportedVersion {
            path: path.into(),
            version,
        });
    }
    // Version 1 used 32-bit counts and string lengths.
    cursor.wide = version >= 2;
    let tensor_count = cursor.count()?;
    let kv_count = cursor.count()?;
    if tensor_count > MAX_TENSORS {
        return Err(cursor.corrupt(format!("it claims {tensor_count} tensors")));
    }
    let mut metadata = BTreeMap::new();
    for _ in 0..kv_count {
        let key = cursor.string(MAX_KEY_BYTES, "a metadata key")?;
        let value_type = cursor.u32()?;
        let value = cursor.value(value_type, 0)?;
        if let Some(value) = value {
            metadata.insert(key, value);
        }
    }
    let tensors = read_tensor_table(&mut cursor, tensor_count)?;
    let alignment = match metadata.get("general.alignment").and_then(Value::as_u64) {
        Some(alignment) if alignment == 0 || alignment > 1 << 20 => {
            return Err(cursor.corrupt(format!("general.alignment is {alignment}")))
        }
        Some(alignment) => alignment,
        None => 32,
    };
    let header_bytes = (cursor.position as u64).div_ceil(alignment) * alignment;
    Ok(GgufInfo::from_parts(
        version,
        metadata,
        tensors,
        tensor_count,
        header_bytes,
    ))
}

/// The sizes the tensor table gives.
struct TensorTotals {
    parameters: u64,
    bytes: u64,
    layer_bytes: Vec<u64>,
    other_bytes: u64,
}

fn read_tensor_table(cursor: &mut Cursor, tensor_count: u64) -> Result<TensorTotals, GgufError> {
    let mut totals = TensorTotals {
        parameters: 0,
        bytes: 0,
        layer_bytes: Vec::new(),
        other_bytes: 0,
    };
    for _ in 0..tensor_count {
        let name = cursor.string(MAX_TENSOR_NAME_BYTES, "a tensor name")?;
        let dimensions = cursor.u32()?;
        if dimensions > 4 {
            return Err(cursor.corrupt(format!("tensor {name:?} has {dimensions} dimensions")));
        }
        let mut elements: u64 = 1;
        for _ in 0..dimensions {
            let size = cursor.count()?;
            elements = elements
                .checked_mul(size)
                .ok_or_else(|| cursor.corrupt(format!("tensor {name:?} is too large")))?;
        }
        let ggml_type = cursor.u32()?;
        let _offset = cursor.u64()?;
        let bytes = tensor_bytes(ggml_type, elements).unwrap_or(0);
        if bytes > MAX_TENSOR_BYTES {
            return Err(cursor.corrupt(format!("tensor {name:?} claims {bytes} bytes")));
        }
        totals.parameters = totals.parameters.saturating_add(elements);
        totals.bytes = totals.bytes.saturating_add(bytes);
        match layer_of(&name) {
            Some(layer) if layer < MAX_LAYERS => {
                if totals.layer_bytes.len() <= layer {
                    totals.layer_bytes.resize(layer + 1, 0);
                }
                totals.layer_bytes[layer] = totals.layer_bytes[layer].saturating_add(bytes);
            }
            _ => totals.other_bytes = totals.other_bytes.saturating_add(bytes),
        }
    }
    Ok(totals)
}

/// `blk.12.attn_q.weight` → 12.
fn layer_of(name: &str) -> Option<usize> {
    let rest = name.strip_prefix("blk.")?;
    rest.split('.').next()?.parse().ok()
}

/// (block size, bytes per block) of the ggml types, by id (ggml.h; gguf-parser-go's table).
const GGML_TYPES: &[(u32, u64, u64)] = &[
    (0, 1, 4),     // F32
    (1, 1, 2),     // F16
    (2, 32, 18),   // Q4_0
    (3, 32, 20),   // Q4_1
    (6, 32, 22),   // Q5_0
    (7, 32, 24),   // Q5_1
    (8, 32, 34),   // Q8_0
    (9, 32, 36),   // Q8_1
    (10, 256, 84), // Q2_K
    (11, 256, 110),
    (12, 256, 144),
    (13, 256, 176),
    (14, 256, 210),
    (15, 256, 292), // Q8_K
    (16, 256, 66),  // IQ2_XXS
    (17, 256, 74),  // IQ2_XS
    (18, 256, 98),  // IQ3_XXS
    (19, 256, 50),  // IQ1_S
    (20, 32, 18),   // IQ4_NL
    (21, 256, 110), // IQ3_S
    (22, 256, 82),  // IQ2_S
    (23, 256, 136), // IQ4_XS
    (24, 1, 1),     // I8
    (25, 1, 2),     // I16
    (26, 1, 4),     // I32
    (27, 1, 8),     // I64
    (28, 1, 8),     // F64
    (29, 256, 56),  // IQ1_M
    (30, 1, 2),     // BF16
    (34, 256, 54),  // TQ1_0
    (35, 256, 66),  // TQ2_0
    (39, 32, 17),   // MXFP4
];

/// Bytes of a tensor of `elements` elements of ggml type `ggml_type`; `None` for an unknown type.
pub fn tensor_bytes(ggml_type: u32, elements: u64) -> Option<u64> {
    let (_, block, bytes) = GGML_TYPES.iter().find(|(id, _, _)| *id == ggml_type)?;
    Some(elements.div_ceil(*block).saturating_mul(*bytes))
}

/// `general.file_type` names (llama.cpp's `llama_ftype`).
const FILE_TYPES: &[(u64, &str)] = &[
    (0, "F32"),
    (1, "F16"),
    (2, "Q4_0"),
    (3, "Q4_1"),
    (7, "Q8_0"),
    (8, "Q5_0"),
    (9, "Q5_1"),
    (10, "Q2_K"),
    (11, "Q3_K_S"),
    (12, "Q3_K_M"),
    (13, "Q3_K_L"),
    (14, "Q4_K_S"),
    (15, "Q4_K_M"),
    (16, "Q5_K_S"),
    (17, "Q5_K_M"),
    (18, "Q6_K"),
    (19, "IQ2_XXS"),
    (20, "IQ2_XS"),
    (21, "Q2_K_S"),
    (22, "IQ3_XS"),
    (23, "IQ3_XXS"),
    (24, "IQ1_S"),
    (25, "IQ4_NL"),
    (26, "IQ3_S"),
    (27, "IQ3_M"),
    (28, "IQ2_S"),
    (29, "IQ2_M"),
    (30, "IQ4_XS"),
    (31, "IQ1_M"),
    (32, "BF16"),
    (36, "TQ1_0"),
    (37, "TQ2_0"),
    (38, "MXFP4_MOE"),
];

pub fn file_type_name(file_type: u64) -> Option<&'static str> {
    FILE_TYPES
        .iter()
        .find(|(id, _)| *id == file_type)
        .map(|(_, name)| *name)
}

/// A metadata value we keep: scalars, short strings, small numeric arrays; the length of
/// anything else.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Bool(bool),
    Text(String),
    Numbers(Vec<u64>),
    /// An array that was skipped: its length only.
    Skipped(u64),
}

impl Value {
    fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Unsigned(value) => Some(*value),
            Value::Signed(value) => u64::try_from(*value).ok(),
            Value::Float(value) if *value >= 0.0 && value.fract() == 0.0 => Some(*value as u64),
            _ => None,
        }
    }
    fn as_u32(&self) -> Option<u32> {
        self.as_u64().and_then(|value| u32::try_from(value).ok())
    }
    fn as_text(&self) -> Option<String> {
        match self {
            Value::Text(text) => Some(text.clone()),
            _ => None,
        }
    }
    fn as_per_layer(&self) -> Option<PerLayer> {
        match self {
            Value::Numbers(values) => Some(PerLayer::Each(values.clone())),
            other => other.as_u64().map(PerLayer::Same),
        }
    }
    fn length(&self) -> Option<u64> {
        match self {
            Value::Numbers(values) => Some(values.len() as u64),
            Value::Skipped(length) => Some(*length),
            _ => None,
        }
    }
}

impl GgufInfo {
    fn from_parts(
        version: u32,
        metadata: BTreeMap<String, Value>,
        tensors: TensorTotals,
        tensor_count: u64,
        header_bytes: u64,
    ) -> GgufInfo {
        let architecture = metadata
            .get("general.architecture")
            .and_then(Value::as_text);
        let arch_key = |suffix: &str| -> Option<&Value> {
            let arch = architecture.as_deref()?;
            metadata.get(&format!("{arch}.{suffix}"))
        };
        let arch_u32 = |suffix: &str| arch_key(suffix).and_then(Value::as_u32);
        let split = match (
            metadata.get("split.no").and_then(Value::as_u32),
            metadata.get("split.count").and_then(Value::as_u32),
        ) {
            (Some(index), Some(count)) if count > 1 => Some(SplitInfo { index, count }),
            _ => None,
        };
        GgufInfo {
            version,
            name: metadata.get("general.name").and_then(Value::as_text),
            size_label: metadata.get("general.size_label").and_then(Value::as_text),
            quantization: metadata
                .get("general.file_type")
                .and_then(Value::as_u64)
                .and_then(file_type_name)
                .map(String::from),
            parameter_count: tensors.parameters,
            tensor_bytes: tensors.bytes,
            header_bytes,
            tensor_count,
            context_length: arch_u32("context_length"),
            block_count: arch_u32("block_count"),
            embedding_length: arch_u32("embedding_length"),
            head_count: arch_key("attention.head_count").and_then(Value::as_per_layer),
            head_count_kv: arch_key("attention.head_count_kv").and_then(Value::as_per_layer),
            key_length: arch_u32("attention.key_length"),
            value_length: arch_u32("attention.value_length"),
            sliding_window: arch_u32("attention.sliding_window"),
            expert_count: arch_u32("expert_count"),
            vocab_size: arch_u32("vocab_size").or_else(|| {
                metadata
                    .get("tokenizer.ggml.tokens")
                    .and_then(Value::length)
                    .and_then(|length| u32::try_from(length).ok())
            }),
            chat_template: metadata
                .get("tokenizer.chat_template")
                .and_then(Value::as_text),
            split,
            layer_bytes: tensors.layer_bytes,
            other_bytes: tensors.other_bytes,
            architecture,
        }
    }
}

/// Reads little-endian values from the bytes read so far; running past them is `Truncated`.
struct Cursor<'a> {
    bytes: &'a [u8],
    position: usize,
    path: &'a str,
    /// Counts and lengths are u64 (versions 2 and 3), not u32 (version 1).
    wide: bool,
}

impl Cursor<'_> {
    fn take(&mut self, length: u64) -> Result<&[u8], GgufError> {
        let end = (self.position as u64).saturating_add(length);
        if end > MAX_HEADER_BYTES {
            return Err(GgufError::TooLarge {
                path: self.path.into(),
                limit: MAX_HEADER_BYTES,
            });
        }
        if end > self.bytes.len() as u64 {
            return Err(GgufError::Truncated {
                path: self.path.into(),
                needed: end,
            });
        }
        let start = self.position;
        self.position = end as usize;
        Ok(&self.bytes[start..end as usize])
    }
    fn skip(&mut self, length: u64) -> Result<(), GgufError> {
        self.take(length).map(|_| ())
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], GgufError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N as u64)?);
        Ok(out)
    }
    fn u32(&mut self) -> Result<u32, GgufError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, GgufError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn count(&mut self) -> Result<u64, GgufError> {
        if self.wide {
            self.u64()
        } else {
            self.u32().map(u64::from)
        }
    }
    fn corrupt(&self, detail: String) -> GgufError {
        GgufError::Corrupt {
            path: self.path.into(),
            detail,
        }
    }
    fn string(&mut self, limit: u64, what: &str) -> Result<String, GgufError> {
        let length = self.count()?;
        if length > limit {
            return Err(self.corrupt(format!("{what} is {length} bytes long")));
        }
        let bytes = self.take(length)?;
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }
    /// Reads a value of `value_type`; keeps it if it is small enough to be useful.
    fn value(&mut self, value_type: u32, depth: u32) -> Result<Option<Value>, GgufError> {
        Ok(Some(match value_type {
            0 => Value::Unsigned(self.array::<1>()?[0] as u64),
            1 => Value::Signed(self.array::<1>()?[0] as i8 as i64),
            2 => Value::Unsigned(u16::from_le_bytes(self.array()?) as u64),
            3 => Value::Signed(i16::from_le_bytes(self.array()?) as i64),
            4 => Value::Unsigned(self.u32()? as u64),
            5 => Value::Signed(i32::from_le_bytes(self.array()?) as i64),
            6 => Value::Float(f32::from_le_bytes(self.array()?) as f64),
            7 => Value::Bool(self.array::<1>()?[0] != 0),
            8 => {
                let length = self.count()?;
                if length > MAX_KEPT_STRING {
                    self.skip(length)?;
                    return Ok(None);
                }
                let bytes = self.take(length)?;
                Value::Text(String::from_utf8_lossy(bytes).into_owned())
            }
            9 => return self.array_value(depth),
            10 => Value::Unsigned(self.u64()?),
            11 => Value::Signed(i64::from_le_bytes(self.array()?)),
            12 => Value::Float(f64::from_le_bytes(self.array()?)),
            other => return Err(self.corrupt(format!("unknown metadata value type {other}"))),
        }))
    }
    fn array_value(&mut self, depth: u32) -> Result<Option<Value>, GgufError> {
        if depth >= MAX_ARRAY_NESTING {
            return Err(self.corrupt("arrays nested too deeply".into()));
        }
        let element_type = self.u32()?;
        let length = self.count()?;
        let fixed_width = match element_type {
            0 | 1 | 7 => Some(1u64),
            2 | 3 => Some(2),
            4..=6 => Some(4),
            10..=12 => Some(8),
            _ => None,
        };
        let integer = matches!(element_type, 0..=5 | 10 | 11);
        match fixed_width {
            Some(_) if integer && length <= MAX_KEPT_ARRAY => {
                let mut values = Vec::with_capacity(length as usize);
                for _ in 0..length {
                    let value = self
                        .value(element_type, depth + 1)?
                        .and_then(|v| v.as_u64());
                    values.push(value.unwrap_or(0));
                }
                Ok(Some(Value::Numbers(values)))
            }
            Some(width) => {
                let total = length
                    .checked_mul(width)
                    .ok_or_else(|| self.corrupt(format!("an array claims {length} elements")))?;
                self.skip(total)?;
                Ok(Some(Value::Skipped(length)))
            }
            None => {
                // Strings or nested arrays: step over each one without keeping it. A string
                // element needs at least its length field, so a huge count runs out of bytes
                // (Truncated/TooLarge) long before it runs out of memory.
                for _ in 0..length {
                    if element_type == 8 {
                        let element_length = self.count()?;
                        self.skip(element_length)?;
                    } else {
                        self.value(element_type, depth + 1)?;
                    }
                }
                Ok(Some(Value::Skipped(length)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal version-3 header writer for hostile cases (the `gguf` package writes the
    /// well-formed ones in the integration tests).
    struct Writer(Vec<u8>);
    impl Writer {
        fn new(tensors: u64, kvs: u64) -> Writer {
            let mut bytes = b"GGUF".to_vec();
            bytes.extend(3u32.to_le_bytes());
            bytes.extend(tensors.to_le_bytes());
            bytes.extend(kvs.to_le_bytes());
            Writer(bytes)
        }
        fn string(&mut self, text: &str) -> &mut Self {
            self.0.extend((text.len() as u64).to_le_bytes());
            self.0.extend(text.as_bytes());
            self
        }
        fn u32(&mut self, value: u32) -> &mut Self {
            self.0.extend(value.to_le_bytes());
            self
        }
        fn u64(&mut self, value: u64) -> &mut Self {
            self.0.extend(value.to_le_bytes());
            self
        }
    }

    fn small_model() -> Vec<u8> {
        let mut w = Writer::new(2, 4);
        w.string("general.architecture").u32(8).string("llama");
        w.string("llama.block_count").u32(4).u32(1);
        w.string("llama.attention.head_count_kv")
            .u32(9)
            .u32(4)
            .u64(2)
            .u32(3)
            .u32(0);
        w.string("general.file_type").u32(4).u32(3);
        w.string("blk.0.attn_q.weight")
            .u32(2)
            .u64(64)
            .u64(64)
            .u32(3)
            .u64(0);
        w.string("output.weight").u32(1).u64(100).u32(0).u64(8192);
        w.0
    }

    #[test]
    fn reads_metadata_per_layer_arrays_and_tensor_sizes() {
        let info = parse_header(&small_model(), "m.gguf").unwrap();
        assert_eq!(info.architecture.as_deref(), Some("llama"));
        assert_eq!(info.block_count, Some(1));
        assert_eq!(info.head_count_kv, Some(PerLayer::Each(vec![3, 0])));
        assert_eq!(info.quantization.as_deref(), Some("Q4_1"));
        assert_eq!(info.parameter_count, 64 * 64 + 100);
        assert_eq!(info.layer_bytes, vec![64 * 64 / 32 * 20]);
        assert_eq!(info.other_bytes, 400);
        assert_eq!(info.header_bytes % 32, 0);
    }

    #[test]
    fn every_prefix_is_truncated_with_a_growing_need_never_a_panic() {
        let bytes = small_model();
        for end in 4..bytes.len() {
            match parse_header(&bytes[..end], "m") {
                Err(GgufError::Truncated { needed, .. }) => assert!(needed > end as u64),
                other => panic!("prefix {end}: {other:?}"),
            }
        }
    }

    #[test]
    fn hostile_counts_and_lengths_are_refused_without_allocating() {
        let not_gguf = parse_header(b"GGML\x03\0\0\0", "x").unwrap_err();
        assert_eq!(not_gguf.code(), "gguf_not_gguf");
        let version = parse_header(
            &Writer::new(0, 0).0[..4]
                .iter()
                .chain(&9u32.to_le_bytes())
                .copied()
                .collect::<Vec<_>>(),
            "x",
        );
        assert_eq!(version.unwrap_err().code(), "gguf_unsupported_version");
        let many_tensors = parse_header(&Writer::new(u64::MAX, 0).0, "x").unwrap_err();
        assert_eq!(many_tensors.code(), "gguf_corrupt");
        // A key claiming an exabyte, an array of 2^60 strings, a u64 array of 2^62 elements.
        let mut huge_key = Writer::new(0, 1);
        huge_key.u64(1 << 60);
        assert_eq!(
            parse_header(&huge_key.0, "x").unwrap_err().code(),
            "gguf_corrupt"
        );
        let mut strings = Writer::new(0, 1);
        strings
            .string("tokenizer.ggml.tokens")
            .u32(9)
            .u32(8)
            .u64(1 << 60);
        let error = parse_header(&strings.0, "x").unwrap_err();
        assert!(matches!(error, GgufError::Truncated { .. }), "{error:?}");
        let mut numbers = Writer::new(0, 1);
        numbers.string("a").u32(9).u32(10).u64(1 << 40);
        assert_eq!(
            parse_header(&numbers.0, "x").unwrap_err().code(),
            "gguf_too_large"
        );
        let mut nested = Writer::new(0, 1);
        nested.string("a").u32(9);
        for _ in 0..6 {
            nested.u32(9).u64(1);
        }
        assert_eq!(
            parse_header(&nested.0, "x").unwrap_err().code(),
            "gguf_corrupt"
        );
        let mut bad_type = Writer::new(0, 1);
        bad_type.string("a").u32(77);
        assert_eq!(
            parse_header(&bad_type.0, "x").unwrap_err().code(),
            "gguf_corrupt"
        );
        let mut dims = Writer::new(1, 0);
        dims.string("t").u32(9);
        assert_eq!(
            parse_header(&dims.0, "x").unwrap_err().code(),
            "gguf_corrupt"
        );
        // Found by the fuzzer: layer sums overflowed. Now a tensor over 1 PiB is corrupt.
        let mut giant = Writer::new(2, 0);
        for _ in 0..2 {
            giant
                .string("blk.0.w")
                .u32(2)
                .u64(1 << 40)
                .u64(1 << 20)
                .u32(0)
                .u64(0);
        }
        assert_eq!(
            parse_header(&giant.0, "x").unwrap_err().code(),
            "gguf_corrupt"
        );
        let mut overflow = Writer::new(1, 0);
        overflow.string("t").u32(2).u64(u64::MAX).u64(3);
        assert_eq!(
            parse_header(&overflow.0, "x").unwrap_err().code(),
            "gguf_corrupt"
        );
    }

    #[test]
    fn a_local_file_cut_short_is_truncated_and_a_whole_one_reads() {
        let dir = tempfile::tempdir().unwrap();
        let whole = dir.path().join("whole.gguf");
        std::fs::write(&whole, small_model()).unwrap();
        assert_eq!(read_local(&whole).unwrap().block_count, Some(1));
        let cut = dir.path().join("cut.gguf");
        std::fs::write(&cut, &small_model()[..40]).unwrap();
        assert_eq!(read_local(&cut).unwrap_err().code(), "gguf_truncated");
    }
}
