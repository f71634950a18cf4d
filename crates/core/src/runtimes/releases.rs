//! llama.cpp's release list, in the shape of GitHub's REST API
//! (`GET /repos/ggml-org/llama.cpp/releases`), and which of its archives suit this computer.
//!
//! Archives are named `llama-<tag>-bin-<os>[-<variant>]-<arch>.<ext>`: `ubuntu`, `win` or
//! `macos`; no variant (or `cpu`) for the CPU build, `vulkan`, `cuda-12.4`, `cuda-13.1`, …; `x64` or
//! `arm64`; `.tar.gz` (Linux, macOS) or `.zip`. A CUDA build's runtime libraries come apart as
//! `cudart-llama-bin-<os>-cuda-<version>-<arch>.<ext>`. Since June 2025 GitHub lists each asset's
//! `digest` (`sha256:<hex>`); an asset without one cannot be verified and is not offered.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::error::RuntimeError;
use super::hardware::HardwareProfile;

/// The most release bytes read (GitHub's page of 30 releases with ~40 assets each is ~1 MB).
pub const MAX_RELEASES_BYTES: usize = 8 << 20;

/// Which build of llama.cpp: the accelerator it was compiled for.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    TS,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RuntimeVariant {
    Cpu,
    Vulkan,
    /// CUDA 12.x: needs an NVIDIA driver that supports CUDA 12.
    Cuda12,
    /// CUDA 13.x: needs an NVIDIA driver that supports CUDA 13.
    Cuda13,
}

impl RuntimeVariant {
    pub fn as_str(self) -> &'static str {
        match self {
            RuntimeVariant::Cpu => "cpu",
            RuntimeVariant::Vulkan => "vulkan",
            RuntimeVariant::Cuda12 => "cuda12",
            RuntimeVariant::Cuda13 => "cuda13",
        }
    }

    /// The CUDA major version the build needs from the driver.
    fn cuda_major(self) -> Option<u32> {
        match self {
            RuntimeVariant::Cuda12 => Some(12),
            RuntimeVariant::Cuda13 => Some(13),
            RuntimeVariant::Cpu | RuntimeVariant::Vulkan => None,
        }
    }

    /// The variant written in an archive's name (`""`, `cpu`, `vulkan`, `cuda-12.4`).
    fn from_label(label: &str) -> Option<RuntimeVariant> {
        match label {
            "" | "cpu" => Some(RuntimeVariant::Cpu),
            "vulkan" => Some(RuntimeVariant::Vulkan),
            _ => match label.strip_prefix("cuda-")?.split('.').next()? {
                "12" => Some(RuntimeVariant::Cuda12),
                "13" => Some(RuntimeVariant::Cuda13),
                _ => None,
            },
        }
    }
}

/// One downloadable build of a release for this computer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct ReleaseBuild {
    pub variant: RuntimeVariant,
    /// As the archive names it (`cuda-12.4`), empty for a plain CPU build.
    pub variant_label: String,
    pub asset: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
    /// Lower-case hex.
    pub sha256: String,
    pub url: String,
    /// The CUDA runtime libraries that come with it (`cudart-…`), when the release has them.
    pub companion: Option<ReleaseFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct ReleaseFile {
    pub asset: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
    pub sha256: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct EngineRelease {
    /// The tag, llama.cpp's build number (`b6000`).
    pub version: String,
    pub published_at: Option<String>,
    pub prerelease: bool,
    /// The builds for this computer's system and architecture, CPU first.
    pub builds: Vec<ReleaseBuild>,
}

/// The releases with builds for this computer, newest first, and the build llmops suggests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct EngineReleases {
    pub url: String,
    /// `ubuntu-x64`, `win-x64`, `macos-arm64`, … as archive names say it.
    pub platform: String,
    pub releases: Vec<EngineRelease>,
    pub recommended: Recommendation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct Recommendation {
    pub variant: RuntimeVariant,
    /// Why, in English (the UI shows it beside the choice).
    pub reason: String,
}

#[derive(Deserialize)]
struct GithubRelease {
    tag_name: String,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    prerelease: bool,
    published_at: Option<String>,
    #[serde(default)]
    assets: Vec<GithubAsset>,
}

#[derive(Deserialize)]
struct GithubAsset {
    name: String,
    size: u64,
    browser_download_url: String,
    digest: Option<String>,
}

/// The archive names' words for this computer.
pub fn platform() -> (&'static str, &'static str) {
    let os = match std::env::consts::OS {
        "windows" => "win",
        "macos" => "macos",
        _ => "ubuntu",
    };
    let arch = match std::env::consts::ARCH {
        "aarch64" => "arm64",
        _ => "x64",
    };
    (os, arch)
}

/// A tag is a name llmops puts in folder names: `[A-Za-z0-9._-]`, 1 to 64 of them, no leading dot.
pub fn valid_tag(tag: &str) -> bool {
    (1..=64).contains(&tag.len())
        && !tag.starts_with('.')
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn sha256_of(asset: &GithubAsset) -> Option<String> {
    let hex = asset.digest.as_deref()?.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| hex.to_ascii_lowercase())
}

/// `llama-<tag>-bin-<os>-<variant>-<arch>.<ext>` → the variant label, for this platform.
fn build_label<'a>(name: &'a str, tag: &str, os: &str, arch: &str) -> Option<&'a str> {
    let stem = name
        .strip_suffix(".tar.gz")
        .or_else(|| name.strip_suffix(".zip"))?;
    let rest = stem.strip_prefix(&format!("llama-{tag}-bin-{os}"))?;
    let middle = rest.strip_suffix(&format!("-{arch}"))?;
    if middle.is_empty() {
        return Some("");
    }
    middle.strip_prefix('-')
}

fn companion_for(assets: &[GithubAsset], os: &str, label: &str, arch: &str) -> Option<ReleaseFile> {
    let stem = format!("cudart-llama-bin-{os}-{label}-{arch}");
    assets
        .iter()
        .filter(|a| a.name == format!("{stem}.tar.gz") || a.name == format!("{stem}.zip"))
        .find_map(|a| {
            Some(ReleaseFile {
                asset: a.name.clone(),
                size_bytes: a.size,
                sha256: sha256_of(a)?,
                url: a.browser_download_url.clone(),
            })
        })
}

fn builds_of(release: &GithubRelease, os: &str, arch: &str) -> Vec<ReleaseBuild> {
    let mut builds: Vec<ReleaseBuild> = release
        .assets
        .iter()
        .filter_map(|asset| {
            let label = build_label(&asset.name, &release.tag_name, os, arch)?;
            let variant = RuntimeVariant::from_label(label)?;
            Some(ReleaseBuild {
                variant,
                variant_label: label.to_string(),
                asset: asset.name.clone(),
                size_bytes: asset.size,
                sha256: sha256_of(asset)?,
                url: asset.browser_download_url.clone(),
                companion: variant
                    .cuda_major()
                    .and_then(|_| companion_for(&release.assets, os, label, arch)),
            })
        })
        .collect();
    // One build per variant: the newest CUDA minor when a release has several (12.4 and 12.8).
    builds.sort_by(|a, b| (a.variant, &b.variant_label).cmp(&(b.variant, &a.variant_label)));
    builds.dedup_by_key(|b| b.variant);
    builds
}

/// Reads GitHub's release list: the non-draft releases with at least one verifiable build for
/// this computer, in the order given (GitHub's is newest first).
pub fn parse(
    url: &str,
    body: &[u8],
    hardware: &HardwareProfile,
) -> Result<EngineReleases, RuntimeError> {
    let listed: Vec<GithubRelease> =
        serde_json::from_slice(body).map_err(|error| RuntimeError::BadReleases {
            url: url.to_string(),
            detail: error.to_string(),
        })?;
    let (os, arch) = platform();
    let releases: Vec<EngineRelease> = listed
        .iter()
        .filter(|r| !r.draft && valid_tag(&r.tag_name))
        .map(|r| EngineRelease {
            version: r.tag_name.clone(),
            published_at: r.published_at.clone(),
            prerelease: r.prerelease,
            builds: builds_of(r, os, arch),
        })
        .filter(|r| !r.builds.is_empty())
        .collect();
    Ok(EngineReleases {
        url: url.to_string(),
        platform: format!("{os}-{arch}"),
        recommended: recommend(hardware, &releases),
        releases,
    })
}

/// The build to suggest: CUDA when an NVIDIA driver supports it (the newest CUDA the driver
/// runs), else Vulkan when a Vulkan driver is installed, else the CPU build.
pub fn recommend(hardware: &HardwareProfile, releases: &[EngineRelease]) -> Recommendation {
    let offered = |variant: RuntimeVariant| {
        releases.is_empty()
            || releases
                .iter()
                .any(|r| r.builds.iter().any(|b| b.variant == variant))
    };
    if let Some(driver_major) = hardware.nvidia_cuda_major() {
        for variant in [RuntimeVariant::Cuda13, RuntimeVariant::Cuda12] {
            let needs = variant.cuda_major().expect("a CUDA build");
            if driver_major >= needs && offered(variant) {
                return Recommendation {
                    variant,
                    reason: format!(
                        "an NVIDIA driver supporting CUDA {} is installed",
                        hardware.nvidia_cuda.as_deref().unwrap_or("?")
                    ),
                };
            }
        }
    }
    if hardware.vulkan && offered(RuntimeVariant::Vulkan) {
        return Recommendation {
            variant: RuntimeVariant::Vulkan,
            reason: "a Vulkan driver is installed".into(),
        };
    }
    let reason = match (&hardware.nvidia_cuda, hardware.vulkan) {
        (Some(cuda), _) => format!(
            "the NVIDIA driver supports CUDA {cuda} only, older than any CUDA build offered, and no Vulkan driver was found"
        ),
        (None, _) => "no NVIDIA driver and no Vulkan driver were found".to_string(),
    };
    Recommendation {
        variant: RuntimeVariant::Cpu,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "aa00000000000000000000000000000000000000000000000000000000000000";

    fn asset(name: &str, digest: bool) -> serde_json::Value {
        serde_json::json!({
            "name": name, "size": 1000,
            "browser_download_url": format!("https://example.test/dl/{name}"),
            "digest": digest.then(|| format!("sha256:{SHA}")),
        })
    }

    fn listing() -> Vec<u8> {
        let (os, arch) = platform();
        serde_json::to_vec(&serde_json::json!([
            { "tag_name": "b7001", "draft": true, "assets": [asset(&format!("llama-b7001-bin-{os}-{arch}.tar.gz"), true)] },
            { "tag_name": "b7000", "published_at": "2026-11-30T00:00:00Z", "assets": [
                asset(&format!("llama-b7000-bin-{os}-{arch}.tar.gz"), true),
                asset(&format!("llama-b7000-bin-{os}-vulkan-{arch}.tar.gz"), true),
                asset(&format!("llama-b7000-bin-{os}-cuda-12.4-{arch}.tar.gz"), true),
                asset(&format!("llama-b7000-bin-{os}-cuda-12.8-{arch}.tar.gz"), true),
                asset(&format!("cudart-llama-bin-{os}-cuda-12.8-{arch}.tar.gz"), true),
                asset(&format!("llama-b7000-bin-{os}-cuda-13.1-{arch}.tar.gz"), false),
                asset(&format!("llama-b7000-bin-{os}-hip-radeon-{arch}.tar.gz"), true),
                asset(&format!("llama-b7000-bin-otheros-{arch}.tar.gz"), true),
                asset("llama-b7000-xcframework.zip", true),
            ]},
            { "tag_name": "../evil", "assets": [asset(&format!("llama-../evil-bin-{os}-{arch}.tar.gz"), true)] },
            { "tag_name": "b6999", "assets": [asset(&format!("llama-b6999-bin-{os}-{arch}.zip"), false)] },
        ]))
        .unwrap()
    }

    #[test]
    fn keeps_verifiable_builds_for_this_platform_only() {
        let parsed = parse("u", &listing(), &HardwareProfile::default()).unwrap();
        assert_eq!(parsed.releases.len(), 1, "{parsed:?}");
        let builds = &parsed.releases[0].builds;
        let variants: Vec<_> = builds
            .iter()
            .map(|b| (b.variant, b.variant_label.as_str()))
            .collect();
        // CUDA 13 has no digest, HIP is not a variant llmops runs, and 12.8 wins over 12.4.
        assert_eq!(
            variants,
            [
                (RuntimeVariant::Cpu, ""),
                (RuntimeVariant::Vulkan, "vulkan"),
                (RuntimeVariant::Cuda12, "cuda-12.8")
            ]
        );
        assert!(builds[2]
            .companion
            .as_ref()
            .unwrap()
            .asset
            .starts_with("cudart-"));
        assert_eq!(builds[0].sha256, SHA);
    }

    #[test]
    fn recommends_by_driver() {
        let parsed = parse("u", &listing(), &HardwareProfile::default()).unwrap();
        assert_eq!(parsed.recommended.variant, RuntimeVariant::Cpu);
        let nvidia = HardwareProfile {
            nvidia_cuda: Some("13.0".into()),
            ..HardwareProfile::default()
        };
        // The driver runs CUDA 13, but only a CUDA 12 build is verifiable: that one.
        assert_eq!(
            recommend(&nvidia, &parsed.releases).variant,
            RuntimeVariant::Cuda12
        );
        let old = HardwareProfile {
            nvidia_cuda: Some("11.8".into()),
            vulkan: true,
            ..HardwareProfile::default()
        };
        assert_eq!(
            recommend(&old, &parsed.releases).variant,
            RuntimeVariant::Vulkan
        );
    }

    #[test]
    fn refuses_what_is_not_a_list() {
        let error = parse(
            "u",
            b"{\"message\":\"rate limited\"}",
            &HardwareProfile::default(),
        )
        .unwrap_err();
        assert_eq!(
            crate::error::CodedError::code(&error),
            "engine_releases_invalid"
        );
    }
}
