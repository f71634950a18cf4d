//! GPU sampler benchmark at real scale, written to bench-output/gpu-sampler.md and .json.
//!
//! The fake NVML library is made realistic: 8 GPUs, every device call taking `LATENCY_US`
//! (default 100 µs) and PCIe throughput 20 ms per direction, as the driver measures it. The
//! sampler then ticks at 1 Hz for `BENCH_SECONDS` (default 30) in each of these setups, side by
//! side in one run:
//! - `inline`: every reading in the tick, slow ones included (how it was before cost classes);
//! - `own thread`: slow readings on their own thread every 2 s (the default);
//! - `own thread, GPU 5 lost`: the same with one GPU answering GPU_IS_LOST;
//! - `whole monitor`: the app's full sample (CPU, memory, disks, processes and the 8 GPUs).
//!
//! Per setup: the tick interval (does 1 Hz stay 1 Hz), the wall time of one sample (p50, p99,
//! max) and the CPU time of this process per tick, the slow thread's included. Goal: the tick
//! stays at 1 Hz and uses at most 0.3 % of a core.
//!
//! `cargo run --release -p llmops-core --example gpu_sampler_bench` (needs `cc`).

#[path = "common/mod.rs"]
mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{build_fake_nvml, cpu_seconds};
use llmops_core::config::CoreConfig;
use llmops_core::monitor::{GpuBackend, NvidiaBackend, SampleContext, SamplingPlan, SystemMonitor};
use llmops_core::paths::AppPaths;

const TICK: Duration = Duration::from_secs(1);

struct Row {
    setup: &'static str,
    ticks: usize,
    interval_p50_s: f64,
    interval_max_s: f64,
    wall_p50_ms: f64,
    wall_p99_ms: f64,
    wall_max_ms: f64,
    cpu_per_tick_ms: f64,
    cpu_percent_of_core: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Ticks `sample` at 1 Hz (a missed tick is skipped, as the app's ticker does) and measures it.
fn measure(setup: &'static str, seconds: u64, mut sample: impl FnMut()) -> Row {
    sample(); // warm: first readings, thread start
    std::thread::sleep(Duration::from_millis(2500)); // the slow thread's first round
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let mut next = Instant::now();
    let mut starts = Vec::new();
    let mut walls = Vec::new();
    for _ in 0..seconds {
        let now = Instant::now();
        if next > now {
            std::thread::sleep(next - now);
        }
        let begin = Instant::now();
        starts.push(begin);
        sample();
        walls.push(begin.elapsed().as_secs_f64() * 1000.0);
        next += TICK;
        while next <= Instant::now() {
            next += TICK;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    let mut intervals: Vec<f64> = starts
        .windows(2)
        .map(|w| (w[1] - w[0]).as_secs_f64())
        .collect();
    intervals.sort_by(f64::total_cmp);
    walls.sort_by(f64::total_cmp);
    Row {
        setup,
        ticks: walls.len(),
        interval_p50_s: percentile(&intervals, 50.0),
        interval_max_s: intervals.last().copied().unwrap_or(f64::NAN),
        wall_p50_ms: percentile(&walls, 50.0),
        wall_p99_ms: percentile(&walls, 99.0),
        wall_max_ms: walls.last().copied().unwrap_or(f64::NAN),
        cpu_per_tick_ms: cpu / walls.len() as f64 * 1000.0,
        cpu_percent_of_core: cpu / elapsed * 100.0,
    }
}

fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let latency_us: u64 = std::env::var("LATENCY_US")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let dir = tempfile::tempdir().unwrap();
    let lib = build_fake_nvml(dir.path());
    let options = |extra: &str| {
        std::fs::write(
            dir.path().join("fake_nvml_options"),
            format!("gpus 8\nlatency_us {latency_us}\npcie_latency_us 20000\n{extra}"),
        )
        .unwrap()
    };
    let own_thread = SamplingPlan::default();
    let inline = SamplingPlan {
        slow_every: None,
        ..own_thread
    };
    let mut rows = Vec::new();

    options("");
    let mut backend = NvidiaBackend::with_plan(Some(lib.clone()), inline);
    rows.push(measure(
        "inline (all readings in the tick)",
        seconds,
        || {
            backend.sample();
        },
    ));
    drop(backend);

    let mut backend = NvidiaBackend::with_plan(Some(lib.clone()), own_thread);
    rows.push(measure(
        "own thread (PCIe every 2 s, apart)",
        seconds,
        || {
            backend.sample();
        },
    ));
    drop(backend);

    options("lost 5\n");
    let mut backend = NvidiaBackend::with_plan(Some(lib.clone()), own_thread);
    rows.push(measure("own thread, GPU 5 lost", seconds, || {
        backend.sample();
    }));
    drop(backend);

    options("");
    let cache = dir.path().join("cache");
    let config = CoreConfig::new(AppPaths::new(dir.path().join("data"), cache));
    let monitor = SystemMonitor::with_gpu_backend(
        &config,
        Box::new(NvidiaBackend::with_plan(Some(lib), own_thread)),
    );
    let context = SampleContext::default();
    rows.push(measure("whole monitor (system + 8 GPUs)", seconds, || {
        monitor.sample(&context);
    }));

    write_report(&rows, seconds, latency_us);
}

fn write_report(rows: &[Row], seconds: u64, latency_us: u64) {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench-output");
    std::fs::create_dir_all(&out).unwrap();
    let mut md = format!(
        "# GPU sampler at 8 GPUs\n\nFake NVML: 8 GPUs, {latency_us} µs per device call, PCIe \
         throughput 20 ms per direction. {seconds} ticks at 1 Hz per setup, one run. CPU is this \
         process's user + system time (the slow thread included).\n\n\
         | setup | ticks | tick interval p50 / max (s) | sample wall p50 / p99 / max (ms) | CPU per tick (ms) | CPU (% of a core) |\n\
         | --- | ---: | ---: | ---: | ---: | ---: |\n"
    );
    let mut json = Vec::new();
    for r in rows {
        md.push_str(&format!(
            "| {} | {} | {:.3} / {:.3} | {:.1} / {:.1} / {:.1} | {:.2} | {:.3} |\n",
            r.setup,
            r.ticks,
            r.interval_p50_s,
            r.interval_max_s,
            r.wall_p50_ms,
            r.wall_p99_ms,
            r.wall_max_ms,
            r.cpu_per_tick_ms,
            r.cpu_percent_of_core
        ));
        json.push(serde_json::json!({
            "setup": r.setup, "ticks": r.ticks,
            "interval_p50_s": r.interval_p50_s, "interval_max_s": r.interval_max_s,
            "wall_p50_ms": r.wall_p50_ms, "wall_p99_ms": r.wall_p99_ms, "wall_max_ms": r.wall_max_ms,
            "cpu_per_tick_ms": r.cpu_per_tick_ms, "cpu_percent_of_core": r.cpu_percent_of_core,
        }));
    }
    md.push_str(
        "\nGoal: the tick stays at 1 Hz and the GPU sampler uses at most 0.3 % of a core.\n",
    );
    std::fs::write(out.join("gpu-sampler.md"), &md).unwrap();
    std::fs::write(
        out.join("gpu-sampler.json"),
        serde_json::to_string_pretty(&serde_json::json!({
            "gpus": 8, "latency_us": latency_us, "pcie_latency_us": 20000, "ticks": seconds, "rows": json,
        }))
        .unwrap(),
    )
    .unwrap();
    print!("{md}");
}
