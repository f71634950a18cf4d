//! Runs and sweeps against the real llama-server and starter model: every instance lifetime is
//! recorded with what it ran on, its readings and its requests; a sweep restarts the model per
//! configuration, records failures with their reason, finds the best and applies it.

mod common;

use std::time::{Duration, Instant};

use llmops_core::bench::{
    BenchTarget, BenchmarkExportFormat, BenchmarkSpec, BenchmarkState, LoadPattern, Slo,
    TokenLength, Workload,
};
use llmops_core::engine::EngineSettings;
use llmops_core::error::CodedError;
use llmops_core::runs::{Run, RunExportRequest, RunPatch, RunQuery};
use llmops_core::sweeps::{
    ApplySweep, ConfigOutcome, PromotionQuery, Sampling, Sweep, SweepAxis, SweepBenchmark,
    SweepConstraint, SweepExportRequest, SweepMetric, SweepObjective, SweepParameter, SweepSpec,
    SweepState,
};
use llmops_core::Core;

use common::{core_in, real_parts, start_running};

fn synthetic(output: u32) -> Workload {
    Workload::Synthetic {
        input: TokenLength {
            mean: 16,
            spread: 0.0,
        },
        output: TokenLength {
            mean: output,
            spread: 0.0,
        },
    }
}

/// Waits until the run has ended (its record says so).
async fn ended_run(core: &Core, id: &str) -> Run {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let run = core.runs.get(id).await.unwrap().run;
        if !run.is_live() {
            return run;
        }
        assert!(Instant::now() < deadline, "the run did not end: {run:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn ended_sweep(core: &Core, id: &str, within: Duration) -> Sweep {
    let deadline = Instant::now() + within;
    loop {
        let sweep = core.sweeps.get(id).await.unwrap();
        if sweep.state != SweepState::Running {
            return sweep;
        }
        assert!(
            Instant::now() < deadline,
            "the sweep did not end: {sweep:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_instance_lifetime_is_a_run_with_its_config_readings_and_requests() {
    let Some(_) = real_parts() else { return };
    let dir = tempfile::tempdir().unwrap();
    let core = core_in(&dir, |_| {}).await;
    let starter = core.library.starter().await.unwrap().expect("starter");
    let instance = start_running(&core, &starter.id, Duration::from_secs(120)).await;

    // Requests through the gateway are the run's requests.
    let name = llmops_core::gateway::stable_name(&starter.name, &starter.id);
    let benchmark = core
        .bench
        .start_benchmark(BenchmarkSpec {
            target: BenchTarget::Gateway { model: name },
            workload: synthetic(8),
            load: LoadPattern::Concurrency { levels: vec![1] },
            requests: 3,
            duration_s: None,
            warmup_requests: 0,
            seed: 1,
            ignore_eos: true,
            slo: Slo::default(),
            label: None,
        })
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while core.bench.get(&benchmark.id).await.unwrap().state == BenchmarkState::Running {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // At least two readings at 1 Hz.
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let live = core.runs.get(&instance.id).await.unwrap();
    assert!(live.run.is_live());
    assert_eq!(live.run.state, "running");
    assert!(live.resources.len() >= 2, "{:?}", live.resources);
    assert_eq!(
        live.run.requests.as_ref().unwrap().requests,
        3,
        "counted while it runs"
    );
    let refused = core.runs.delete(&instance.id).await.unwrap_err();
    assert_eq!(refused.code(), "run_still_running");

    core.supervisor.stop(&instance.id).await.unwrap();
    let run = ended_run(&core, &instance.id).await;
    assert_eq!(run.state, "stopped");
    // A stopped instance cannot be measured; the error says what to do.
    let not_running = core
        .bench
        .start_benchmark(BenchmarkSpec {
            target: BenchTarget::Instance {
                instance_id: instance.id.clone(),
            },
            workload: synthetic(8),
            load: LoadPattern::Concurrency { levels: vec![1] },
            requests: 1,
            duration_s: None,
            warmup_requests: 0,
            seed: 1,
            ignore_eos: false,
            slo: Slo::default(),
            label: None,
        })
        .await
        .unwrap_err();
    assert_eq!(not_running.code(), "benchmark_invalid_input");
    assert!(not_running.to_string().contains("start its model"));
    assert!(run.ended_at.unwrap() >= run.started_at);
    // What it ran on: the exact engine, command line, file and machine; no secret.
    let environment = &run.environment;
    assert!(
        environment.argv[0].ends_with("llama-server"),
        "{:?}",
        environment.argv
    );
    assert!(environment.argv.iter().any(|a| a == "--port"));
    assert!(environment.engine_version.is_some());
    assert_eq!(
        environment.model_path.as_deref(),
        Some(starter.path.as_str())
    );
    assert_eq!(
        environment.model_bytes,
        Some(std::fs::metadata(&starter.path).unwrap().len())
    );
    assert!(environment.cpu.is_some() && environment.memory_bytes.unwrap() > 0);
    let key = core.supervisor.engine_key(&instance.id);
    let record = serde_json::to_string(&core.runs.get(&run.id).await.unwrap()).unwrap();
    if let Some(key) = key {
        assert!(!record.contains(&key), "the engine key is never in a run");
    }
    assert_eq!(run.settings.as_ref().unwrap()["engine"], "llama_cpp");
    // Readings rolled up; the engine's memory among them.
    assert!(run.rollup.samples >= 2);
    assert!(run.rollup.instance_rss_bytes.max.unwrap() > 10_000_000.0);
    assert!(run.rollup.cpu_percent.mean.is_some());
    // Its requests from the gateway, kept with it.
    let requests = run.requests.clone().unwrap();
    assert_eq!(
        (requests.requests, requests.succeeded, requests.failed),
        (3, 3, 0)
    );
    assert_eq!(requests.completion_tokens, 24);
    assert!(requests.ttft_p50_ms.unwrap() <= requests.e2el_p50_ms.unwrap());
    // The benchmark through the gateway is not "on" this instance; one straight to it is.
    let detail = core.runs.get(&run.id).await.unwrap();
    assert!(detail.benchmarks.is_empty());

    // Tags and notes; a filter by tag.
    let tagged = core
        .runs
        .update(
            &run.id,
            RunPatch {
                tags: Some(vec![" baseline ".into(), "baseline".into(), "cpu".into()]),
                notes: Some("first try".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(tagged.tags, vec!["baseline", "cpu"]);
    let too_many = core
        .runs
        .update(
            &run.id,
            RunPatch {
                tags: Some((0..30).map(|i| format!("t{i}")).collect()),
                notes: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(too_many.code(), "run_invalid_input");

    // A second run of the same model: listed newest first, compared and exported.
    let second = start_running(&core, &starter.id, Duration::from_secs(120)).await;
    core.supervisor.stop(&second.id).await.unwrap();
    ended_run(&core, &second.id).await;
    let all = core
        .runs
        .list(RunQuery {
            model_id: Some(starter.id.clone()),
            ..RunQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        vec![second.id.as_str(), run.id.as_str()]
    );
    let by_tag = core
        .runs
        .list(RunQuery {
            tag: Some("baseline".into()),
            ..RunQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(by_tag.len(), 1);
    let ids = vec![run.id.clone(), second.id.clone()];
    let export = |format| RunExportRequest {
        ids: ids.clone(),
        format,
    };
    let markdown = core
        .runs
        .export(export(BenchmarkExportFormat::Markdown))
        .await
        .unwrap();
    assert!(markdown.content.starts_with("# Runs compared"));
    assert!(markdown.content.contains("## What differs"));
    assert!(
        markdown.content.contains("command line"),
        "the ports differ"
    );
    assert!(markdown.content.contains("first try"));
    let csv = core
        .runs
        .export(export(BenchmarkExportFormat::Csv))
        .await
        .unwrap();
    assert_eq!(csv.content.lines().count(), 3);
    let json = core
        .runs
        .export(export(BenchmarkExportFormat::Json))
        .await
        .unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&json.content).unwrap();
    assert_eq!(parsed["runs"].as_array().unwrap().len(), 2);
    let html = core
        .runs
        .export(export(BenchmarkExportFormat::Html))
        .await
        .unwrap();
    assert!(html.content.contains("<svg") && html.content.contains("Engine memory (RSS)"));
    assert_eq!(html.filename, "runs-compared.html");
    let saved = core
        .runs
        .save_export(export(BenchmarkExportFormat::Html), Some(dir.path()))
        .await
        .unwrap();
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), html.content);

    core.runs.delete(&second.id).await.unwrap();
    let gone = core.runs.get(&second.id).await.unwrap_err();
    assert_eq!(gone.code(), "run_not_found");
    core.shutdown().await;
}

fn axis(parameter: SweepParameter, values: serde_json::Value) -> SweepAxis {
    SweepAxis {
        parameter,
        values: values.as_array().unwrap().clone(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_records_each_configuration_finds_the_best_and_applies_it() {
    let Some(_) = real_parts() else { return };
    let dir = tempfile::tempdir().unwrap();
    let core = core_in(&dir, |_| {}).await;
    let starter = core.library.starter().await.unwrap().expect("starter");
    let before = start_running(&core, &starter.id, Duration::from_secs(120)).await;

    // `--parallel 1` against `--parallel 2`, each also with a quantised V cache without flash
    // attention, which llama.cpp refuses to start: two runs measured, two recorded as failed.
    let spec = SweepSpec {
        model_id: starter.id.clone(),
        label: Some("parallel slots".into()),
        axes: vec![
            axis(SweepParameter::Parallel, serde_json::json!([1, 2])),
            axis(SweepParameter::FlashAttention, serde_json::json!([false])),
            axis(
                SweepParameter::CacheTypeV,
                serde_json::json!(["f16", "q4_0"]),
            ),
        ],
        sampling: Sampling::Grid,
        seed: 3,
        max_configs: 8,
        max_duration_s: None,
        benchmark: SweepBenchmark {
            workload: synthetic(8),
            load: LoadPattern::Concurrency { levels: vec![2] },
            requests: 4,
            duration_s: None,
            warmup_requests: 1,
            ignore_eos: true,
            slo: Slo::default(),
        },
        objective: SweepObjective {
            metric: SweepMetric::OutputThroughput,
            constraints: vec![SweepConstraint {
                metric: SweepMetric::TtftP99,
                at_most: Some(60_000.0),
                at_least: None,
            }],
        },
        skip_unfit: true,
        start_timeout_s: Some(120),
    };
    // Bad input is refused before anything stops.
    let mut bad = spec.clone();
    bad.axes
        .push(axis(SweepParameter::MaxNumSeqs, serde_json::json!([8])));
    let refused = core.sweeps.start(bad).await.unwrap_err();
    assert_eq!(refused.code(), "sweep_invalid_input");
    assert!(refused.to_string().contains("vLLM"), "{refused}");
    assert!(core.supervisor.running_instance(&starter.id).is_some());

    let started = core.sweeps.start(spec.clone()).await.unwrap();
    assert_eq!(started.configs.len(), 4);
    let busy = core.sweeps.start(spec.clone()).await.unwrap_err();
    assert_eq!(busy.code(), "sweep_busy");
    let sweep = ended_sweep(&core, &started.id, Duration::from_secs(600)).await;
    assert_eq!(sweep.state, SweepState::Completed, "{:?}", sweep.error);
    let outcomes: Vec<ConfigOutcome> = sweep.configs.iter().map(|c| c.outcome).collect();
    assert_eq!(
        outcomes,
        vec![
            ConfigOutcome::Completed,
            ConfigOutcome::Failed,
            ConfigOutcome::Completed,
            ConfigOutcome::Failed
        ],
        "{:#?}",
        sweep.configs
    );
    for config in &sweep.configs {
        let run_id = config
            .run_id
            .clone()
            .expect("every started configuration is a run");
        let run = ended_run(&core, &run_id).await;
        assert_eq!(run.sweep_id.as_deref(), Some(sweep.id.as_str()));
        let argv = run.environment.argv.join(" ");
        let parallel = config.values["parallel"].as_u64().unwrap();
        assert!(argv.contains(&format!("--parallel {parallel}")), "{argv}");
        if config.outcome == ConfigOutcome::Failed {
            assert_eq!(run.state, "failed");
            assert!(config.reason.is_some());
            assert!(config.benchmark_id.is_none());
        } else {
            let level = config.level.as_ref().unwrap();
            assert_eq!((level.completed, level.failed), (4, 0));
            assert!(level.output_throughput > 0.0);
            assert!(level.ttft_p50_ms <= level.e2el_p50_ms);
            assert!(config.meets_constraints);
            assert!(
                config.fit.as_deref().unwrap().starts_with("fits"),
                "{:?}",
                config.fit
            );
            let benchmark = core
                .bench
                .get(config.benchmark_id.as_ref().unwrap())
                .await
                .unwrap();
            assert_eq!(benchmark.instance_id.as_deref(), Some(run_id.as_str()));
            let detail = core.runs.get(&run_id).await.unwrap();
            assert_eq!(
                detail.benchmarks.len(),
                1,
                "the benchmark is attached to its run"
            );
        }
    }
    let best = sweep.best.expect("a best configuration");
    assert_eq!(
        sweep.configs[best as usize].outcome,
        ConfigOutcome::Completed
    );
    assert!(sweep.configs[best as usize].pareto);
    // The model was running before: it is again, with its saved settings.
    let again = core
        .supervisor
        .live_instance(&starter.id)
        .expect("restarted");
    assert_ne!(again.id, before.id);
    let runs = core
        .runs
        .list(RunQuery {
            sweep_id: Some(sweep.id.clone()),
            ..RunQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(runs.len(), 4);

    // A failed configuration cannot be applied; the best can, and is recorded.
    let failed = core
        .sweeps
        .apply(
            &sweep.id,
            ApplySweep {
                config_index: Some(1),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(failed.code(), "sweep_config_not_applicable");
    let promotion = core
        .sweeps
        .apply(&sweep.id, ApplySweep::default())
        .await
        .unwrap();
    assert_eq!(promotion.config_index, best);
    let model = core.library.get(&starter.id).await.unwrap();
    let EngineSettings::LlamaCpp(settings) = &model.settings else {
        panic!("{:?}", model.settings)
    };
    let chosen = &sweep.configs[best as usize].values;
    assert_eq!(
        settings.parallel,
        chosen["parallel"].as_u64().map(|p| p as u32)
    );
    assert_eq!(settings.flash_attention, Some(false));
    assert_eq!(settings.cache_type_v.as_deref(), Some("f16"));
    assert_eq!(promotion.previous_settings["engine"], "llama_cpp");
    assert_eq!(promotion.run_id, sweep.configs[best as usize].run_id);
    let history = core
        .sweeps
        .promotions(PromotionQuery {
            model_id: Some(starter.id.clone()),
        })
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert!(core
        .sweeps
        .get(&sweep.id)
        .await
        .unwrap()
        .applied_at
        .is_some());

    // The report: method, table, scatter with the Pareto front, hardware.
    let report = |format| SweepExportRequest {
        id: sweep.id.clone(),
        format,
    };
    let html = core
        .sweeps
        .export(report(BenchmarkExportFormat::Html))
        .await
        .unwrap();
    for part in [
        "Method",
        "Configurations",
        "Pareto front",
        "<svg",
        "Hardware and engine",
        "★",
    ] {
        assert!(html.content.contains(part), "{part} in the report");
    }
    let markdown = core
        .sweeps
        .export(report(BenchmarkExportFormat::Markdown))
        .await
        .unwrap();
    assert!(markdown.content.contains("**Best:** Configuration"));
    let csv = core
        .sweeps
        .export(report(BenchmarkExportFormat::Csv))
        .await
        .unwrap();
    assert_eq!(csv.content.lines().count(), 5);
    assert!(csv.content.contains("failed"));
    let deleted = core.sweeps.delete(&sweep.id).await;
    assert!(deleted.is_ok());

    // A context no machine here holds: the fit estimate skips it without starting anything.
    let mut hopeless = spec.clone();
    hopeless.axes = vec![axis(
        SweepParameter::ContextSize,
        serde_json::json!([9_000_000]),
    )];
    let started = core.sweeps.start(hopeless).await.unwrap();
    let skipped = ended_sweep(&core, &started.id, Duration::from_secs(120)).await;
    let config = &skipped.configs[0];
    assert_eq!(config.outcome, ConfigOutcome::Skipped, "{config:?}");
    assert!(
        config.reason.as_deref().unwrap().contains("cannot fit"),
        "{config:?}"
    );
    assert!(config.run_id.is_none());
    assert_eq!(skipped.best, None);
    let nothing = core
        .sweeps
        .apply(&skipped.id, ApplySweep::default())
        .await
        .unwrap_err();
    assert_eq!(nothing.code(), "sweep_nothing_to_apply");

    // Cancelled while its first configuration starts: it ends at once, nothing is left running
    // but the model as it was (running), and what was not measured says so.
    let started = core.sweeps.start(spec.clone()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let cancelled = core.sweeps.cancel(&started.id).await.unwrap();
    assert_eq!(cancelled.state, SweepState::Cancelled, "{cancelled:?}");
    assert!(cancelled
        .configs
        .iter()
        .all(|c| matches!(c.outcome, ConfigOutcome::Cancelled | ConfigOutcome::Failed)));
    assert_eq!(
        core.sweeps.delete(&started.id).await.map_err(|e| e.code()),
        Ok(())
    );
    let live: Vec<_> = core
        .supervisor
        .list()
        .into_iter()
        .filter(|i| !i.state.is_terminal())
        .collect();
    assert_eq!(
        live.len(),
        1,
        "only the model restarted as it was: {live:?}"
    );
    core.shutdown().await;
}
