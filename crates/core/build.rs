//! Records which build this is, for `llmops --version`, `GET /api/health` and the About box:
//! `LLMOPS_BUILD_COMMIT` (short hash, `unknown` outside git), `LLMOPS_BUILD_DATE` (the commit's
//! UTC day, so two builds of one commit agree) and `LLMOPS_BUILD_PROFILE` (debug or release).

use std::path::Path;
use std::process::Command;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let git = |args: &[&str]| -> Option<String> {
        let output = Command::new("git")
            .args(args)
            .current_dir(&root)
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
        (output.status.success() && !text.is_empty()).then_some(text)
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let date = git(&["log", "-1", "--format=%cd", "--date=format-local:%Y-%m-%d"])
        .unwrap_or_else(|| "unknown".into());
    let profile = std::env::var("PROFILE").unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=LLMOPS_BUILD_COMMIT={commit}");
    println!("cargo:rustc-env=LLMOPS_BUILD_DATE={date}");
    println!("cargo:rustc-env=LLMOPS_BUILD_PROFILE={profile}");
    // A new commit moves the branch HEAD names (or HEAD itself, when detached).
    println!("cargo:rerun-if-changed=build.rs");
    for name in ["HEAD", "packed-refs"] {
        if let Some(path) = git(&["rev-parse", "--git-path", name]) {
            println!("cargo:rerun-if-changed={}", root.join(path).display());
        }
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        if let Some(path) = git(&["rev-parse", "--git-path", &branch]) {
            println!("cargo:rerun-if-changed={}", root.join(path).display());
        }
    }
}
