//! An engine that prints 100 MB without a newline (a progress bar drawn with `\r`, binary junk)
//! must not grow llmops' memory: lines are cut at 4 KiB as they are read, and its `--version`
//! answer is read up to 64 KiB. Its own test binary, so that the peak memory measured is this
//! test's alone.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use llmops_core::library::NewModel;

mod common;
use common::core_in;

/// The process's peak resident memory (`VmHWM`), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100_mb_line_leaves_memory_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let weights = dir.path().join("w.gguf");
    std::fs::write(&weights, b"GGUF").unwrap();
    let engine = dir.path().join("llama-server");
    std::fs::write(
        &engine,
        // Both the version probe and the engine itself flood.
        "#!/bin/sh\nhead -c 100000000 /dev/zero | tr '\\0' x\nprintf '\\nafter the flood\\n'\n[ \"$1\" = --version ] && exit 0\nexec sleep 60\n",
    )
    .unwrap();
    std::fs::set_permissions(&engine, std::fs::Permissions::from_mode(0o755)).unwrap();
    let core = core_in(&dir, |c| {
        c.llama_server = Some(engine.clone());
        c.start_timeout = Some(Duration::from_secs(120));
    })
    .await;
    let model = core
        .library
        .add(NewModel::new("flood", weights.display().to_string()))
        .await
        .unwrap();
    let before = peak_rss();
    let instance = core.supervisor.start(&model.id).await.unwrap();
    let mut lines = Vec::new();
    for _ in 0..1200 {
        lines = core.supervisor.logs(&instance.id, None, 10).unwrap();
        if lines.iter().any(|l| l.text == "after the flood") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        lines.iter().any(|l| l.text == "after the flood"),
        "the engine's output was read to the end"
    );
    let cut = lines.iter().find(|l| l.text.starts_with("xxxx")).unwrap();
    assert!(cut.text.len() <= 4096 && cut.text.ends_with("[line cut at 4 KiB]"));
    let grown = peak_rss().saturating_sub(before);
    assert!(
        grown < 48 * 1024 * 1024,
        "peak memory grew by {} MiB reading one 100 MB line",
        grown >> 20
    );
    core.supervisor.stop(&instance.id).await.unwrap();
}
