//! Monitoring benchmark, written to bench-output/monitor.md:
//! 1. CPU time of this process while sampling at 1 Hz for 60 s (BENCH_SECONDS) with everything
//!    on: the fake two-GPU NVML library, a running starter-model instance being tracked, history
//!    and alerts. Goal: under 0.5 % of one core.
//! 2. Time to answer 24 h and 7 d history queries over a full 7 days of rollups for 19 series.
//!    Goal (24 h): under 20 ms.
//!
//! `cargo run --release -p llmops-core --example monitor_bench` (needs `cc`; uses the starter
//! model and llama-server from ~/.cache/llmops when present).

#[path = "common/mod.rs"]
mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{build_fake_nvml, cpu_seconds};
use llmops_core::config::CoreConfig;
use llmops_core::history::Rollup;
use llmops_core::history::{HistoryRange, MetricHistory};
use llmops_core::monitor::{NvidiaBackend, SystemMonitor};
use llmops_core::paths::AppPaths;
use llmops_core::time::now_ms;
use llmops_core::Core;

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let dir = tempfile::tempdir().unwrap();
    let lib = build_fake_nvml(dir.path());
    let cache = AppPaths::from_env().expect("a cache dir").cache_dir;
    let config = CoreConfig::new(AppPaths::new(dir.path().join("data"), cache));
    let monitor = SystemMonitor::with_gpu_backend(&config, Box::new(NvidiaBackend::new(Some(lib))));
    let core = Core::open_with_monitor(config, monitor).await.unwrap();

    let mut tracked = "no instance (starter model or llama-server missing)".to_string();
    if let Some(starter) = core.library.starter().await.unwrap() {
        if let Ok(started) = core.supervisor.start(&starter.id).await {
            let running = core
                .supervisor
                .wait_settled(&started.id, Duration::from_secs(120))
                .await
                .unwrap();
            std::fs::write(
                dir.path().join("fake_nvml_processes"),
                format!("0 {} 512\n", running.pid.unwrap()),
            )
            .unwrap();
            tracked = format!(
                "1 running llama-server instance (pid {})",
                running.pid.unwrap()
            );
        }
    }

    // 1. Sampler cost.
    core.sample_now().await; // warm: first CPU reading, first NVML init
    let cpu_before = cpu_seconds();
    let wall = Instant::now();
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    for _ in 0..seconds {
        ticker.tick().await;
        core.sample_now().await;
    }
    let cpu = cpu_seconds() - cpu_before;
    let elapsed = wall.elapsed().as_secs_f64();
    let percent = cpu / elapsed * 100.0;
    let per_sample_ms = cpu / seconds as f64 * 1000.0;
    core.shutdown().await;

    // 2. History queries over 7 days × 19 series of one-minute rollups.
    let series: Vec<String> = [
        "cpu.usage_percent",
        "memory.used_bytes",
        "memory.used_percent",
        "network.rx_bytes_per_second",
        "network.tx_bytes_per_second",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain((0..2).flat_map(|g| {
        [
            "utilization_percent",
            "memory_used_bytes",
            "temperature_celsius",
            "power_watts",
        ]
        .map(move |m| format!("gpu.{g}.{m}"))
    }))
    .chain((0..2).flat_map(|m| {
        ["cpu_percent", "rss_bytes", "gpu_memory_bytes"].map(move |x| format!("model.m{m}.{x}"))
    }))
    .collect();
    let now = now_ms();
    let start = now - now % 60_000 - 7 * 24 * 60 * 60_000;
    let mut rows = Vec::new();
    for minute in 0..7 * 24 * 60 {
        for key in &series {
            let v = (minute % 100) as f64;
            rows.push(Rollup {
                minute: start + minute * 60_000,
                series: key.clone(),
                min: v,
                avg: v + 0.5,
                max: v + 1.0,
                count: 60,
            });
        }
    }
    let populate = Instant::now();
    for chunk in rows.chunks(20_000) {
        core.store.write_rollups(chunk).await.unwrap();
    }
    let populate_s = populate.elapsed().as_secs_f64();
    // As after a restart: the last day is loaded into memory once, at startup.
    let history = MetricHistory::new(core.store.clone(), 1000, 30);
    let load = Instant::now();
    history.load_recent(now).await.unwrap();
    let load_ms = load.elapsed().as_secs_f64() * 1000.0;
    let mut timings = Vec::new();
    for range in [HistoryRange::OneDay, HistoryRange::SevenDays] {
        let mut ms = Vec::new();
        for _ in 0..30 {
            let t = Instant::now();
            let h = history.query(range, None, now).await.unwrap();
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(h.series.len() >= series.len());
        }
        ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
        timings.push((range, ms[ms.len() / 2], ms[ms.len() * 95 / 100]));
    }

    let mut report = format!(
        "# Monitoring benchmark\n\nRelease build, {} logical cores, finished at Unix ms {}.\n\n\
         ## Sampler cost\n\n{seconds} samples at 1 Hz with the fake two-GPU NVML library, {tracked}, history and alerts.\n\n\
         | CPU time | wall time | share of one core | CPU per sample |\n| ---: | ---: | ---: | ---: |\n\
         | {cpu:.3} s | {elapsed:.1} s | **{percent:.3} %** | {per_sample_ms:.2} ms |\n\n\
         ## History queries\n\n{} series × 7 days of one-minute rollups ({} rows, written in {populate_s:.1} s); loading the last week into memory at startup took {load_ms:.0} ms.\n\n\
         | range | median | p95 |\n| --- | ---: | ---: |\n",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        now_ms(),
        series.len(),
        rows.len(),
    );
    for (range, median, p95) in timings {
        report.push_str(&format!(
            "| {range:?} | **{median:.2} ms** | {p95:.2} ms |\n"
        ));
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench-output");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("monitor.md"), &report).unwrap();
    println!("{report}");
}
