//! Model hub benchmark pieces, run by `bench/hub.mjs` (which writes bench-output/hub.md):
//!
//! - `hub_bench header FILE [ROUNDS]`: reading a GGUF header (a multi-GB sparse file written by
//!   the `gguf` package), cold and warm page cache unknown: ROUNDS reads, percentiles in ms.
//! - `hub_bench index ROOT [ROUNDS]`: the index over ROOT's tool folders (ROOT/home as the tools'
//!   home, ROOT/hf as the Hugging Face cache, ROOT/folder as a user folder): a scan, and a scan
//!   plus every header read, as `list_local_models` does on its first call.
//!
//! - `hub_bench hash [MIB]`: sha256 throughput on this CPU, which every verified download pays.
//!
//! Prints one JSON object.

use std::path::{Path, PathBuf};
use std::time::Instant;

use llmops_core::hub::gguf::read_local;
use llmops_core::hub::index::{scan, IndexRoots};

fn percentiles(mut samples: Vec<f64>) -> serde_json::Value {
    samples.sort_by(|a, b| a.total_cmp(b));
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize];
    serde_json::json!({ "p50_ms": at(0.5), "p90_ms": at(0.9), "max_ms": at(1.0), "rounds": samples.len() })
}

fn header(file: &Path, rounds: usize) -> serde_json::Value {
    let mut samples = Vec::new();
    let mut info = None;
    for _ in 0..rounds {
        let started = Instant::now();
        let read = read_local(file).expect("a readable GGUF");
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
        info = Some(read);
    }
    let info = info.expect("one round");
    serde_json::json!({
        "file_bytes": std::fs::metadata(file).unwrap().len(),
        "header_bytes": info.header_bytes,
        "tensor_count": info.tensor_count,
        "vocab_size": info.vocab_size,
        "read": percentiles(samples),
    })
}

fn index(root: &Path, rounds: usize) -> serde_json::Value {
    let home = root.join("home");
    let roots = IndexRoots {
        hf_cache: Some(root.join("hf")),
        lm_studio_models: Some(home.join(".lmstudio/models")),
        ollama_models: Some(home.join(".ollama/models")),
        modelscope_cache: Some(home.join(".cache/modelscope/hub")),
        llmops_models: None,
        folders: vec![root.join("folder")],
    };
    let mut scans = Vec::new();
    let mut full = Vec::new();
    let mut files = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        std::hint::black_box(scan(&roots));
        scans.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        let found = scan(&roots);
        let readable = found
            .iter()
            .filter(|f| read_local(&PathBuf::from(&f.path)).is_ok())
            .count();
        full.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(
            readable,
            found.len(),
            "every indexed file has a readable header"
        );
        files = found.len();
    }
    serde_json::json!({ "files": files, "scan": percentiles(scans), "scan_and_headers": percentiles(full) })
}

/// sha256 speed on this CPU (the verification every download pays), MiB/s.
fn hash(mib: usize) -> serde_json::Value {
    use sha2::Digest;
    let block = vec![7u8; 1 << 20];
    let started = Instant::now();
    let mut hasher = sha2::Sha256::new();
    for _ in 0..mib {
        hasher.update(&block);
    }
    std::hint::black_box(hasher.finalize());
    serde_json::json!({ "mib": mib, "mib_per_second": mib as f64 / started.elapsed().as_secs_f64() })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(20);
    let result = match args.get(1).map(String::as_str) {
        Some("header") => header(Path::new(&args[2]), rounds),
        Some("index") => index(Path::new(&args[2]), rounds),
        Some("hash") => hash(args.get(2).and_then(|m| m.parse().ok()).unwrap_or(512)),
        _ => panic!("usage: hub_bench header FILE [ROUNDS] | index ROOT [ROUNDS]"),
    };
    println!("{result}");
}
