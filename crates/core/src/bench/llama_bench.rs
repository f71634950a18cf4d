//! The hardware benchmark: llama.cpp's own `llama-bench` (shipped beside `llama-server`) on a
//! model file, for prompt processing (`pp N`) and generation (`tg N`) speed on this machine,
//! read from its JSON output. It measures the engine alone: no HTTP, tokenisation or sampling.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::AsyncReadExt;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::error::BenchError;

pub const LLAMA_BENCH_BINARY: &str = "llama-bench";
/// The longest one run may take.
const TIMEOUT: Duration = Duration::from_secs(900);
/// At most this much of its output is read (a few KiB per test).
const MAX_OUTPUT: u64 = 1024 * 1024;

/// What to measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct HardwareSpec {
    pub model_id: String,
    /// Prompt tokens of the `pp` test (0 leaves it out).
    #[serde(default = "default_prompt")]
    pub prompt_tokens: u32,
    /// Generated tokens of the `tg` test (0 leaves it out).
    #[serde(default = "default_generate")]
    pub generate_tokens: u32,
    #[serde(default = "default_repetitions")]
    pub repetitions: u32,
    #[serde(default)]
    pub threads: Option<u32>,
    /// -1 = all layers; unset = the model's setting.
    #[serde(default)]
    pub gpu_layers: Option<i32>,
}

fn default_prompt() -> u32 {
    512
}
fn default_generate() -> u32 {
    128
}
fn default_repetitions() -> u32 {
    3
}

/// One test of the run (`pp512` or `tg128`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct HardwareTest {
    /// `pp512`, `tg128`, as llama-bench names them.
    pub name: String,
    pub prompt_tokens: u32,
    pub generate_tokens: u32,
    /// Mean and standard deviation of tokens per second over the repetitions.
    pub tokens_per_second: f64,
    pub stddev: f64,
    pub samples: Vec<f64>,
    pub threads: u32,
    pub gpu_layers: i32,
    pub batch: u32,
    pub ubatch: u32,
    pub type_k: String,
    pub type_v: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct HardwareResult {
    pub build_commit: String,
    pub build_number: i64,
    pub cpu: String,
    pub gpu: String,
    pub backends: String,
    /// `llama 256M Q4_1`
    pub model_type: String,
    #[ts(type = "number")]
    pub model_bytes: u64,
    #[ts(type = "number")]
    pub model_parameters: u64,
    pub tests: Vec<HardwareTest>,
    /// The command that was run, to repeat it by hand.
    pub command: String,
}

/// One object of llama-bench's `-o json` array (only the fields read).
#[derive(Deserialize)]
struct Row {
    #[serde(default)]
    build_commit: String,
    #[serde(default)]
    build_number: i64,
    #[serde(default)]
    cpu_info: String,
    #[serde(default)]
    gpu_info: String,
    #[serde(default)]
    backends: String,
    #[serde(default)]
    model_type: String,
    #[serde(default)]
    model_size: u64,
    #[serde(default)]
    model_n_params: u64,
    #[serde(default)]
    n_batch: u32,
    #[serde(default)]
    n_ubatch: u32,
    #[serde(default)]
    n_threads: u32,
    #[serde(default)]
    n_gpu_layers: i32,
    #[serde(default)]
    type_k: String,
    #[serde(default)]
    type_v: String,
    n_prompt: u32,
    n_gen: u32,
    avg_ts: f64,
    #[serde(default)]
    stddev_ts: f64,
    #[serde(default)]
    samples_ts: Vec<f64>,
}

pub fn check(spec: &HardwareSpec) -> Result<(), BenchError> {
    if spec.prompt_tokens == 0 && spec.generate_tokens == 0 {
        return Err(BenchError::invalid(
            "give prompt tokens, generated tokens or both".into(),
        ));
    }
    if spec.prompt_tokens > 65_536 || spec.generate_tokens > 8192 {
        return Err(BenchError::invalid(
            "at most 65536 prompt tokens and 8192 generated tokens".into(),
        ));
    }
    if !(1..=20).contains(&spec.repetitions) {
        return Err(BenchError::invalid(format!(
            "repetitions must be 1 to 20, not {}",
            spec.repetitions
        )));
    }
    if spec.threads.is_some_and(|t| !(1..=1024).contains(&t)) {
        return Err(BenchError::invalid("threads must be 1 to 1024".into()));
    }
    Ok(())
}

/// The arguments for a spec (the model file first).
fn arguments(model: &Path, spec: &HardwareSpec) -> Vec<String> {
    let mut args = vec![
        "-m".to_string(),
        model.display().to_string(),
        "-p".into(),
        spec.prompt_tokens.to_string(),
        "-n".into(),
        spec.generate_tokens.to_string(),
        "-r".into(),
        spec.repetitions.to_string(),
        "-o".into(),
        "json".into(),
    ];
    if let Some(threads) = spec.threads {
        args.extend(["-t".into(), threads.to_string()]);
    }
    if let Some(layers) = spec.gpu_layers {
        args.extend(["-ngl".into(), layers.to_string()]);
    }
    args
}

/// Runs llama-bench from `bin_dir`; killed when cancelled or past the timeout.
pub async fn run_llama_bench(
    bin_dir: &Path,
    model: &Path,
    spec: &HardwareSpec,
    cancel: &CancellationToken,
) -> Result<HardwareResult, BenchError> {
    let binary = bin_dir.join(LLAMA_BENCH_BINARY);
    if !binary.is_file() {
        return Err(BenchError::Tool(format!(
            "{LLAMA_BENCH_BINARY} is not next to llama-server in {}; reinstall the engine (scripts/setup.sh)",
            bin_dir.display()
        )));
    }
    let args = arguments(model, spec);
    let command = format!(
        "{LLAMA_BENCH_BINARY} {}",
        args.iter()
            .map(|a| if a.contains(' ') {
                format!("{a:?}")
            } else {
                a.clone()
            })
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut child = tokio::process::Command::new(&binary)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| BenchError::Tool(format!("{LLAMA_BENCH_BINARY} could not start: {e}")))?;
    let mut stdout = child.stdout.take().expect("piped").take(MAX_OUTPUT);
    let mut stderr = child.stderr.take().expect("piped").take(MAX_OUTPUT);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let finished = async {
        let _ = tokio::join!(stdout.read_to_end(&mut out), stderr.read_to_end(&mut err));
        child.wait().await
    };
    let status = tokio::select! {
        status = tokio::time::timeout(TIMEOUT, finished) => match status {
            Ok(status) => status.map_err(|e| BenchError::Tool(e.to_string()))?,
            Err(_) => return Err(BenchError::Tool(format!(
                "{LLAMA_BENCH_BINARY} took longer than {} s; try fewer tokens or repetitions",
                TIMEOUT.as_secs()
            ))),
        },
        _ = cancel.cancelled() => return Err(BenchError::Cancelled),
    };
    if !status.success() {
        let tail: Vec<&str> = std::str::from_utf8(&err)
            .unwrap_or("")
            .lines()
            .rev()
            .take(5)
            .collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(BenchError::Tool(format!(
            "{LLAMA_BENCH_BINARY} failed ({status}): {}",
            tail.join(" | ")
        )));
    }
    parse(&out, command)
}

fn parse(output: &[u8], command: String) -> Result<HardwareResult, BenchError> {
    let rows: Vec<Row> = serde_json::from_slice(output).map_err(|e| {
        BenchError::Tool(format!(
            "{LLAMA_BENCH_BINARY}'s JSON could not be read: {e}"
        ))
    })?;
    let first = rows
        .first()
        .ok_or_else(|| BenchError::Tool(format!("{LLAMA_BENCH_BINARY} reported no test")))?;
    let tests = rows
        .iter()
        .map(|row| HardwareTest {
            name: match (row.n_prompt, row.n_gen) {
                (p, 0) => format!("pp{p}"),
                (0, g) => format!("tg{g}"),
                (p, g) => format!("pp{p}+tg{g}"),
            },
            prompt_tokens: row.n_prompt,
            generate_tokens: row.n_gen,
            tokens_per_second: row.avg_ts,
            stddev: row.stddev_ts,
            samples: row.samples_ts.clone(),
            threads: row.n_threads,
            gpu_layers: row.n_gpu_layers,
            batch: row.n_batch,
            ubatch: row.n_ubatch,
            type_k: row.type_k.clone(),
            type_v: row.type_v.clone(),
        })
        .collect();
    Ok(HardwareResult {
        build_commit: first.build_commit.clone(),
        build_number: first.build_number,
        cpu: first.cpu_info.clone(),
        gpu: first.gpu_info.clone(),
        backends: first.backends.clone(),
        model_type: first.model_type.clone(),
        model_bytes: first.model_size,
        model_parameters: first.model_n_params,
        tests,
        command,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn its_json_is_read_into_tests() {
        let output = br#"[
          {"build_commit":"abc","build_number":1,"cpu_info":"Xeon","gpu_info":"","backends":"CPU",
           "model_type":"llama 256M Q4_1","model_size":96576768,"model_n_params":134515008,
           "n_batch":2048,"n_ubatch":512,"n_threads":2,"n_gpu_layers":-1,"type_k":"f16","type_v":"f16",
           "n_prompt":64,"n_gen":0,"avg_ts":47.4,"stddev_ts":22.7,"samples_ts":[63.5,31.3],"extra":1},
          {"n_prompt":0,"n_gen":16,"avg_ts":80.0}
        ]"#;
        let result = parse(output, "llama-bench".into()).unwrap();
        assert_eq!(result.model_type, "llama 256M Q4_1");
        assert_eq!(result.tests[0].name, "pp64");
        assert_eq!(result.tests[0].samples, [63.5, 31.3]);
        assert_eq!(result.tests[1].name, "tg16");
        assert_eq!(result.tests[1].tokens_per_second, 80.0);
        assert!(parse(b"[]", String::new()).is_err());
        assert!(parse(b"oops", String::new()).is_err());
    }

    #[test]
    fn a_spec_out_of_bounds_is_refused() {
        let mut spec = HardwareSpec {
            model_id: "m".into(),
            prompt_tokens: 0,
            generate_tokens: 0,
            repetitions: 3,
            threads: None,
            gpu_layers: None,
        };
        assert!(check(&spec).is_err());
        spec.prompt_tokens = 64;
        assert!(check(&spec).is_ok());
        spec.repetitions = 0;
        assert!(check(&spec).is_err());
    }
}
