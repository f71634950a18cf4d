//! Helpers shared by the benchmark examples.

use std::path::{Path, PathBuf};
use std::process::Command;

/// CPU time (user + system) this process has used, in seconds.
pub fn cpu_seconds() -> f64 {
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF).unwrap();
    let t = |tv: nix::sys::time::TimeVal| tv.tv_sec() as f64 + tv.tv_usec() as f64 / 1e6;
    t(usage.user_time()) + t(usage.system_time())
}

/// Builds the tests' fake two-GPU `libnvidia-ml` into `dir`.
#[allow(dead_code)] // not every benchmark reads GPUs
pub fn build_fake_nvml(dir: &Path) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fake_nvml/fake_nvml.c");
    let lib = dir.join("libnvidia-ml.so.1");
    let ok = Command::new("cc")
        .args(["-shared", "-fPIC", "-O2", "-o"])
        .arg(&lib)
        .arg(source)
        .status()
        .unwrap()
        .success();
    assert!(ok, "cc failed to build the fake NVML library");
    lib
}
