//! Supervisor benchmark, written to bench-output/supervisor.md:
//! 1. Readiness latency: from the first moment the engine's `/health` answers 200 (seen by a
//!    client polling it every millisecond) to our Running event. Goal: at most 50 ms.
//! 2. Supervisor overhead per idle running instance: this process's CPU over 30 s
//!    (BENCH_IDLE_SECONDS) with one Running instance and no sampler.
//! 3. Log throughput: a child printing 1,000,000 lines as fast as it can, all read into the
//!    bounded ring and the log file.
//!
//! `cargo run --release -p llmops-core --example supervisor_bench` (needs the starter model and
//! llama-server from `scripts/setup.sh`).

#[path = "common/mod.rs"]
mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use common::cpu_seconds;
use llmops_core::config::CoreConfig;
use llmops_core::events::Event;
use llmops_core::library::NewModel;
use llmops_core::paths::AppPaths;
use llmops_core::supervisor::InstanceState;
use llmops_core::Core;

async fn readiness_once(core: &Core, model_id: &str) -> f64 {
    let mut events = core.bus.subscribe();
    let started = core.supervisor.start(model_id).await.unwrap();
    let health = format!("http://127.0.0.1:{}/health", started.port);
    let prober = tokio::spawn(async move {
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        loop {
            if let Ok(r) = http
                .get(&health)
                .timeout(Duration::from_millis(500))
                .send()
                .await
            {
                if r.status().is_success() {
                    return Instant::now();
                }
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    });
    let running_at = loop {
        if let Ok(Event::ModelStatusUpdate(info)) = events.recv().await {
            if info.id == started.id && info.state == InstanceState::Running {
                break Instant::now();
            }
        }
    };
    let healthy_at = prober.await.unwrap();
    core.supervisor.stop(&started.id).await.unwrap();
    // Negative when we saw it first (the ready line triggers our check before the prober's).
    running_at
        .saturating_duration_since(healthy_at)
        .as_secs_f64()
        * 1000.0
        - healthy_at
            .saturating_duration_since(running_at)
            .as_secs_f64()
            * 1000.0
}

#[tokio::main]
async fn main() {
    let idle_seconds: u64 = std::env::var("BENCH_IDLE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let dir = tempfile::tempdir().unwrap();
    let cache = AppPaths::from_env().expect("a cache dir").cache_dir;
    let core = Core::open(CoreConfig::new(AppPaths::new(
        dir.path().join("data"),
        cache,
    )))
    .await
    .unwrap();
    let starter = core
        .library
        .starter()
        .await
        .unwrap()
        .expect("run scripts/setup.sh first");

    // 1. Readiness latency.
    let mut latencies = Vec::new();
    for _ in 0..7 {
        latencies.push(readiness_once(&core, &starter.id).await);
    }
    latencies.sort_by(|a, b| a.partial_cmp(b).unwrap());

    // 2. Idle overhead with one running instance (watchdog on, no sampler).
    let started = core.supervisor.start(&starter.id).await.unwrap();
    core.supervisor
        .wait_settled(&started.id, Duration::from_secs(120))
        .await
        .unwrap();
    let before = cpu_seconds();
    let wall = Instant::now();
    tokio::time::sleep(Duration::from_secs(idle_seconds)).await;
    let idle_percent = (cpu_seconds() - before) / wall.elapsed().as_secs_f64() * 100.0;
    core.supervisor.stop(&started.id).await.unwrap();

    // 3. Log throughput.
    let lines = 1_000_000u64;
    let fake = dir.path().join("flood.sh");
    std::fs::write(&fake, format!("#!/bin/sh\nseq 1 {lines}\nexit 3\n")).unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let weights = dir.path().join("w.gguf");
    std::fs::write(&weights, b"GGUF").unwrap();
    let mut config = CoreConfig::new(AppPaths::new(
        dir.path().join("flood-data"),
        dir.path().join("no-cache"),
    ));
    config.llama_server = Some(fake);
    let flood_core = Core::open(config).await.unwrap();
    let new = NewModel::new("flood", weights.display().to_string());
    let model = flood_core.library.add(new).await.unwrap();
    let t0 = Instant::now();
    let flood = flood_core.supervisor.start(&model.id).await.unwrap();
    flood_core
        .supervisor
        .wait_settled(&flood.id, Duration::from_secs(120))
        .await
        .unwrap();
    let seconds = t0.elapsed().as_secs_f64();
    let last = flood_core.supervisor.logs(&flood.id, None, 1).unwrap();
    assert_eq!(last[0].seq + 1, lines, "every line was read");
    let file_bytes: u64 = std::fs::read_dir(dir.path().join("flood-data/logs/instances"))
        .unwrap()
        .flatten()
        .map(|e| e.metadata().unwrap().len())
        .sum();

    let report = format!(
        "# Supervisor benchmark\n\nRelease build, {} logical cores, starter model on llama-server.\n\n\
         ## Readiness: first healthy `/health` → our Running event\n\n7 starts; negative = we saw it before a 1 ms poller did.\n\n\
         | median | best | worst |\n| ---: | ---: | ---: |\n| **{:.1} ms** | {:.1} ms | {:.1} ms |\n\n\
         ## Overhead of one idle running instance\n\n{idle_seconds} s, watchdog every 5 s, no sampler: **{idle_percent:.3} %** of one core.\n\n\
         ## Log throughput\n\n{lines} lines read in {seconds:.2} s: **{:.0} lines/s** into the 5,000-line ring and the log file ({:.1} MiB on disk).\n",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        latencies[latencies.len() / 2],
        latencies[0],
        latencies[latencies.len() - 1],
        lines as f64 / seconds,
        file_bytes as f64 / (1024.0 * 1024.0),
    );
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench-output");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("supervisor.md"), &report).unwrap();
    println!("{report}");
}
