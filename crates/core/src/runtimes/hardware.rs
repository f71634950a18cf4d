//! What this computer can run: CPU instruction sets, the NVIDIA driver's CUDA version (from the
//! monitor's NVML reading) and whether a Vulkan driver is installed.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct HardwareProfile {
    pub os: String,
    pub arch: String,
    /// The CPU's vector instruction sets that llama.cpp's CPU backends use (`avx2`, `avx512f`, …).
    pub cpu_features: Vec<String>,
    pub nvidia_driver: Option<String>,
    /// The CUDA version the NVIDIA driver supports (`12.4`), from NVML.
    pub nvidia_cuda: Option<String>,
    /// A Vulkan loader and at least one installable client driver (ICD) were found.
    pub vulkan: bool,
}

impl HardwareProfile {
    /// Reads the CPU and Vulkan here; the NVIDIA driver's version and CUDA version come from
    /// the monitor's last sample (NVML).
    pub fn detect(nvidia_driver: Option<String>, nvidia_cuda: Option<String>) -> HardwareProfile {
        HardwareProfile {
            os: std::env::consts::OS.into(),
            arch: std::env::consts::ARCH.into(),
            cpu_features: cpu_features(),
            nvidia_driver,
            nvidia_cuda,
            vulkan: vulkan_installed(Path::new("/")),
        }
    }

    pub fn nvidia_cuda_major(&self) -> Option<u32> {
        self.nvidia_cuda.as_deref()?.split('.').next()?.parse().ok()
    }
}

#[cfg(target_arch = "x86_64")]
fn cpu_features() -> Vec<String> {
    let checks: [(&str, bool); 6] = [
        ("sse4.2", std::arch::is_x86_feature_detected!("sse4.2")),
        ("avx", std::arch::is_x86_feature_detected!("avx")),
        ("avx2", std::arch::is_x86_feature_detected!("avx2")),
        ("fma", std::arch::is_x86_feature_detected!("fma")),
        ("f16c", std::arch::is_x86_feature_detected!("f16c")),
        ("avx512f", std::arch::is_x86_feature_detected!("avx512f")),
    ];
    checks
        .iter()
        .filter(|(_, present)| *present)
        .map(|(name, _)| name.to_string())
        .collect()
}

#[cfg(not(target_arch = "x86_64"))]
fn cpu_features() -> Vec<String> {
    Vec::new()
}

/// The Vulkan loader's library and a driver manifest in one of the loader's standard folders
/// (below `root`, `/` outside tests).
fn vulkan_installed(root: &Path) -> bool {
    const LOADERS: [&str; 4] = [
        "usr/lib/x86_64-linux-gnu/libvulkan.so.1",
        "usr/lib/aarch64-linux-gnu/libvulkan.so.1",
        "usr/lib64/libvulkan.so.1",
        "usr/lib/libvulkan.so.1",
    ];
    const ICD_FOLDERS: [&str; 3] = [
        "usr/share/vulkan/icd.d",
        "etc/vulkan/icd.d",
        "usr/local/share/vulkan/icd.d",
    ];
    let loader = LOADERS.iter().any(|p| root.join(p).is_file());
    let driver = ICD_FOLDERS.iter().any(|folder| {
        std::fs::read_dir(root.join(folder)).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| e.path().extension().is_some_and(|x| x == "json"))
        })
    });
    loader && driver
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vulkan_needs_a_loader_and_a_driver() {
        let root = tempfile::tempdir().unwrap();
        assert!(!vulkan_installed(root.path()));
        let lib = root.path().join("usr/lib/x86_64-linux-gnu");
        std::fs::create_dir_all(&lib).unwrap();
        std::fs::write(lib.join("libvulkan.so.1"), b"").unwrap();
        assert!(!vulkan_installed(root.path()), "a loader without a driver");
        let icd = root.path().join("usr/share/vulkan/icd.d");
        std::fs::create_dir_all(&icd).unwrap();
        std::fs::write(icd.join("nvidia_icd.json"), b"{}").unwrap();
        assert!(vulkan_installed(root.path()));
    }

    #[test]
    fn keeps_the_driver_the_monitor_read() {
        let profile = HardwareProfile::detect(Some("580.65".into()), Some("13.0".into()));
        assert_eq!(profile.nvidia_cuda_major(), Some(13));
        assert_eq!(profile.nvidia_driver.as_deref(), Some("580.65"));
        #[cfg(target_arch = "x86_64")]
        assert!(profile
            .cpu_features
            .iter()
            .any(|f| f == "sse4.2" || f == "avx"));
    }
}
