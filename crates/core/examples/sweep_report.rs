//! A real sweep, end to end: the starter model on the real llama-server, `--parallel` 1, 2 and 4
//! each measured at concurrency 1 and 4 (32 output tokens, `ignore_eos`), optimising output
//! tokens/s under TTFT p99 ≤ 2 s. Writes the sweep's report (bench-output/sweep.html and
//! sweep.md) and the comparison of its runs (bench-output/sweep-runs.html), and prints the table.
//! Run with `cargo run --release -p llmops-core --example sweep_report` (scripts/setup.sh first).

use std::time::{Duration, Instant};

use llmops_core::bench::{BenchmarkExportFormat, LoadPattern, Slo, TokenLength, Workload};
use llmops_core::config::CoreConfig;
use llmops_core::paths::AppPaths;
use llmops_core::runs::RunExportRequest;
use llmops_core::sweeps::{
    Sampling, SweepAxis, SweepBenchmark, SweepConstraint, SweepExportRequest, SweepMetric,
    SweepObjective, SweepParameter, SweepSpec, SweepState,
};
use llmops_core::Core;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(sweep());
}

async fn sweep() {
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
        .expect("the starter model (scripts/setup.sh)");
    let spec = SweepSpec {
        model_id: starter.id.clone(),
        label: Some("SmolLM2-135M: parallel slots".into()),
        axes: vec![SweepAxis {
            parameter: SweepParameter::Parallel,
            values: vec![1.into(), 2.into(), 4.into()],
        }],
        sampling: Sampling::Grid,
        seed: 7,
        max_configs: 3,
        max_duration_s: Some(1800),
        benchmark: SweepBenchmark {
            workload: Workload::Synthetic {
                input: TokenLength {
                    mean: 64,
                    spread: 0.0,
                },
                output: TokenLength {
                    mean: 32,
                    spread: 0.0,
                },
            },
            load: LoadPattern::Concurrency { levels: vec![1, 4] },
            requests: 16,
            duration_s: None,
            warmup_requests: 2,
            ignore_eos: true,
            slo: Slo::default(),
        },
        objective: SweepObjective {
            metric: SweepMetric::OutputThroughput,
            constraints: vec![SweepConstraint {
                metric: SweepMetric::TtftP99,
                at_most: Some(2000.0),
                at_least: None,
            }],
        },
        skip_unfit: true,
        start_timeout_s: Some(120),
    };
    let began = Instant::now();
    let started = core.sweeps.start(spec).await.unwrap();
    let sweep = loop {
        let sweep = core.sweeps.get(&started.id).await.unwrap();
        if sweep.state != SweepState::Running {
            break sweep;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let took = began.elapsed();
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench-output");
    std::fs::create_dir_all(&out).unwrap();
    for (format, name) in [
        (BenchmarkExportFormat::Html, "sweep.html"),
        (BenchmarkExportFormat::Markdown, "sweep.md"),
    ] {
        let report = core
            .sweeps
            .export(SweepExportRequest {
                id: sweep.id.clone(),
                format,
            })
            .await
            .unwrap();
        std::fs::write(out.join(name), &report.content).unwrap();
    }
    let runs: Vec<String> = sweep
        .configs
        .iter()
        .filter_map(|c| c.run_id.clone())
        .collect();
    let compared = core
        .runs
        .export(RunExportRequest {
            ids: runs,
            format: BenchmarkExportFormat::Html,
        })
        .await
        .unwrap();
    std::fs::write(out.join("sweep-runs.html"), &compared.content).unwrap();
    let markdown = std::fs::read_to_string(out.join("sweep.md")).unwrap();
    println!("{markdown}");
    println!(
        "{} configurations in {:.1} s ({:.1} s each: engine start, warm-up, 2 levels × 16 requests, stop)",
        sweep.configs.len(),
        took.as_secs_f64(),
        took.as_secs_f64() / sweep.configs.len() as f64
    );
    core.shutdown().await;
}
