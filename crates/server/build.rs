//! Embeds the built dashboard (`ui/dist`) into the `llmops` binary, so that an installed
//! `llmops serve` needs no checkout. Writes `$OUT_DIR/embedded_ui.rs`: one entry per file with
//! its path, bytes (`include_bytes!`) and a content hash for the `ETag`. When the UI is not built
//! the table is empty and the server says how to build it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let dist = manifest.join("../../ui/dist");
    // Cargo scans a directory given here for changes to any file below it.
    println!("cargo:rerun-if-changed={}", dist.display());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("embedded_ui.rs"), embedded_table(&dist)).unwrap();
}

fn embedded_table(dist: &Path) -> String {
    let mut files = Vec::new();
    if dist.join("index.html").is_file() {
        collect(dist, dist, &mut files);
    }
    files.sort();
    let mut table = String::from("&[\n");
    for (relative, absolute) in files {
        let bytes = std::fs::read(&absolute).unwrap();
        writeln!(
            table,
            "    EmbeddedFile {{ path: {relative:?}, bytes: include_bytes!({:?}), etag: \"\\\"{:016x}\\\"\" }},",
            absolute.display().to_string(),
            fnv1a(&bytes)
        )
        .unwrap();
    }
    table.push(']');
    table
}

/// Every file below `dir` as (path relative to `root` with `/`, absolute path).
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let relative = path.strip_prefix(root).unwrap();
            let relative = relative.to_str().expect("UI file names are UTF-8");
            files.push((relative.replace('\\', "/"), path.canonicalize().unwrap()));
        }
    }
}

/// A 64-bit FNV-1a hash: enough to tell one build of a file from another for `ETag`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
