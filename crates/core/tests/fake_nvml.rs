//! The NVML path for real: `nvml-wrapper` loading a small fake `libnvidia-ml` built from C
//! (tests/fake_nvml/fake_nvml.c) with two simulated GPUs. Each test loads its own copy, and
//! controls it through files beside it (see the C file).

mod common;

use std::time::Duration;

use llmops_core::config::CoreConfig;
use llmops_core::monitor::{
    GpuBackend, GpuStats, GpuStatus, NvidiaBackend, SamplingPlan, SystemMonitor,
};
use llmops_core::paths::AppPaths;
use llmops_core::supervisor::InstanceState;
use llmops_core::Core;

use common::FakeNvml;

fn gpus(status: GpuStatus) -> Vec<GpuStats> {
    match status {
        GpuStatus::Available {
            gpus,
            driver_version,
            cuda_version,
        } => {
            assert_eq!(driver_version.as_deref(), Some("550.54.15"));
            assert_eq!(cuda_version.as_deref(), Some("12.4"));
            gpus
        }
        other => panic!("expected GPUs, got {other:?}"),
    }
}

#[test]
fn reads_every_metric_of_two_gpus() {
    let fake = FakeNvml::build(&[]);
    let gpus = gpus(fake.backend().sample());
    assert_eq!(gpus.len(), 2);
    let g = &gpus[1];
    assert_eq!(g.name.as_deref(), Some("Fake H100 #1"));
    assert_eq!(
        g.uuid.as_deref(),
        Some("GPU-fa4e0000-0000-0000-0000-000000000001")
    );
    assert_eq!(g.pci_bus_id.as_deref(), Some("00000000:18:00.0"));
    assert_eq!(g.memory_total_bytes, Some(80 << 30));
    assert_eq!(g.memory_used_bytes, Some(512 << 20));
    assert_eq!(g.memory_free_bytes, Some((80 << 30) - (512 << 20)));
    assert_eq!(
        (g.utilization_percent, g.memory_utilization_percent),
        (Some(38), Some(13))
    );
    assert_eq!(g.temperature_celsius, Some(55));
    assert_eq!(
        (g.power_watts, g.power_limit_watts),
        (Some(124.456), Some(700.0))
    );
    assert_eq!(g.fan_speed_percent, Some(41));
    assert_eq!(
        (g.sm_clock_mhz, g.memory_clock_mhz),
        (Some(1755), Some(2619))
    );
    assert_eq!(
        (g.max_sm_clock_mhz, g.max_memory_clock_mhz),
        (Some(1980), Some(2619))
    );
    assert_eq!(
        (g.pcie_rx_bytes_per_second, g.pcie_tx_bytes_per_second),
        (Some(2000 * 1024), Some(1000 * 1024))
    );
    assert_eq!(
        g.throttle_reasons.as_deref(),
        Some(&["sw_power_cap".to_string()][..])
    );
    assert_eq!(g.processes.as_deref(), Some(&[][..]));
    // A data-centre board without a fan: n/a, not an error.
    assert_eq!(gpus[0].fan_speed_percent, None);
}

#[test]
fn unsupported_readings_are_none() {
    let fake = FakeNvml::build(&[]);
    fake.set_mode("unsupported");
    let g = &gpus(fake.backend().sample())[0];
    assert_eq!(g.name.as_deref(), Some("Fake H100 #0"));
    assert!(g.memory_used_bytes.is_some());
    assert_eq!(
        (g.utilization_percent, g.temperature_celsius, g.power_watts),
        (None, None, None)
    );
    assert_eq!(
        (
            g.sm_clock_mhz,
            g.pcie_rx_bytes_per_second,
            g.throttle_reasons.clone()
        ),
        (None, None, None)
    );
    // No Xid events where the GPU offers none: unknown, not zero.
    assert_eq!((g.pcie_replays_total, g.xid_errors_total), (None, None));
}

#[test]
fn a_library_lacking_a_symbol_reads_the_rest() {
    let fake = FakeNvml::build(&["-DOMIT_PCIE_THROUGHPUT"]);
    let mut backend = fake.backend();
    for _ in 0..2 {
        let g = &gpus(backend.sample())[0];
        assert_eq!(
            (g.pcie_rx_bytes_per_second, g.pcie_tx_bytes_per_second),
            (None, None)
        );
        assert_eq!(g.temperature_celsius, Some(45));
    }
}

#[test]
fn init_failure_and_no_library_are_not_detected_states() {
    let fake = FakeNvml::build(&[]);
    fake.set_mode("init_fail");
    match fake.backend().sample() {
        GpuStatus::NotDetected { reason, .. } => {
            assert!(reason.contains("driver is not loaded"), "{reason}")
        }
        other => panic!("expected NotDetected, got {other:?}"),
    }
    let mut missing = NvidiaBackend::new(Some(fake.dir.path().join("absent.so")));
    assert!(matches!(missing.sample(), GpuStatus::NotDetected { .. }));
}

#[test]
fn survives_the_driver_going_away_and_coming_back() {
    let fake = FakeNvml::build(&[]);
    let mut backend = fake.backend();
    assert_eq!(gpus(backend.sample()).len(), 2);
    fake.set_mode("lost"); // e.g. suspend: the driver stops answering
    match backend.sample() {
        GpuStatus::NotDetected { reason, summary } => {
            assert!(reason.contains("stopped answering"), "{reason}");
            // Also as a code with its values, for a UI in another language.
            assert_eq!(summary.unwrap().code, "gpu_driver_lost");
        }
        other => panic!("expected NotDetected, got {other:?}"),
    }
    assert!(matches!(backend.sample(), GpuStatus::NotDetected { .. }));
    fake.set_mode("ok"); // resume: re-initialised on the next sample
    assert_eq!(gpus(backend.sample()).len(), 2);
}

#[test]
fn a_gpu_that_falls_off_the_bus_is_shown_lost_while_the_other_seven_go_on() {
    let fake = FakeNvml::build(&[]);
    fake.set_options("gpus 8\n");
    let mut backend = fake.backend();
    assert!(gpus(backend.sample()).iter().all(|g| !g.lost));
    fake.set_options("gpus 8\nlost 3\n");
    let all = gpus(backend.sample());
    assert_eq!(all.len(), 8);
    let lost = &all[3];
    assert!(lost.lost);
    // What was known of it stays; there are no readings.
    assert_eq!(lost.name.as_deref(), Some("Fake H100 #3"));
    assert_eq!(
        (lost.memory_used_bytes, lost.temperature_celsius),
        (None, None)
    );
    for g in all.iter().filter(|g| g.index != 3) {
        assert!(!g.lost);
        assert_eq!(g.temperature_celsius, Some(45 + 10 * (g.index % 2)));
    }
    assert_eq!(
        all[7].uuid.as_deref(),
        Some("GPU-fa4e0000-0000-0000-0000-000000000007")
    );
    // After a reset it answers again (this backend asks a lost GPU again at every sample).
    fake.set_options("gpus 8\n");
    assert!(!gpus(backend.sample())[3].lost);
}

#[test]
fn mig_mode_and_a_denied_process_list_are_readings_not_errors() {
    let fake = FakeNvml::build(&[]);
    fake.set_options("mig 1\n");
    fake.set_processes("no_permission\n");
    let all = gpus(fake.backend().sample());
    assert_eq!(
        (all[0].mig_enabled, all[1].mig_enabled),
        (Some(false), Some(true))
    );
    // A MIG-enabled GPU has no whole-GPU utilization; its memory is still read.
    assert_eq!(all[1].utilization_percent, None);
    assert!(all[1].memory_used_bytes.is_some());
    assert_eq!(all[0].utilization_percent, Some(37));
    // No permission to list processes: unknown (null), not an empty list.
    assert_eq!(
        (all[0].processes.clone(), all[1].processes.clone()),
        (None, None)
    );
}

#[test]
fn energy_and_throttle_time_are_counters_that_only_grow() {
    let fake = FakeNvml::build(&[]);
    let mut backend = fake.backend();
    let first = gpus(backend.sample())[0].clone();
    std::thread::sleep(Duration::from_millis(50));
    let second = gpus(backend.sample())[0].clone();
    let (e1, e2) = (
        first.energy_joules_total.unwrap(),
        second.energy_joules_total.unwrap(),
    );
    assert!(e1 >= 1000.0 && e2 > e1, "{e1} then {e2}");
    let (p1, p2) = (
        first.power_throttle_seconds_total.unwrap(),
        second.power_throttle_seconds_total.unwrap(),
    );
    assert!(p2 > p1, "{p1} then {p2}");
    assert_eq!(second.thermal_throttle_seconds_total, Some(0.0));
}

/// Critical Xid errors arrive as NVML events on their own thread and are counted per GPU; the
/// PCIe replay counter is read with the other fast readings.
#[test]
fn xid_errors_are_counted_per_gpu_and_pcie_replays_read() {
    let fake = FakeNvml::build(&[]);
    fake.set_options("replays 1 3\n");
    let mut backend = fake.backend();
    let sample_until =
        |backend: &mut NvidiaBackend, what: &str, done: &dyn Fn(&[GpuStats]) -> bool| {
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            loop {
                let all = gpus(backend.sample());
                if done(&all) {
                    return all;
                }
                assert!(std::time::Instant::now() < deadline, "never: {what}");
                std::thread::sleep(Duration::from_millis(20));
            }
        };
    let watched = sample_until(&mut backend, "both GPUs watched", &|all| {
        all.iter().all(|g| g.xid_errors_total == Some(0))
    });
    assert_eq!(
        (watched[0].pcie_replays_total, watched[1].pcie_replays_total),
        (Some(0), Some(3))
    );
    assert_eq!(watched[1].last_xid, None);
    fake.set_options("replays 1 3\nxid 1 79\nxid 1 48\n");
    let counted = sample_until(&mut backend, "two Xid errors on GPU 1", &|all| {
        all[1].xid_errors_total == Some(2)
    });
    assert_eq!(counted[1].last_xid, Some(48));
    assert_eq!(
        (counted[0].xid_errors_total, counted[0].last_xid),
        (Some(0), None)
    );
}

/// PCIe throughput is measured over a 20 ms window per direction: it is read on its own
/// thread, and the tick uses the latest reading.
#[test]
fn slow_readings_arrive_from_their_own_thread() {
    let fake = FakeNvml::build(&[]);
    fake.set_options("gpus 8\npcie_latency_us 20000\n");
    let mut backend = NvidiaBackend::with_plan(
        Some(fake.lib()),
        SamplingPlan {
            retry_every: Duration::ZERO,
            slow_every: Some(Duration::from_millis(50)),
        },
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let all = gpus(backend.sample());
        assert_eq!(all.len(), 8);
        // Fast readings are there from the first sample on.
        assert!(all.iter().all(|g| g.temperature_celsius.is_some()));
        if all
            .iter()
            .all(|g| g.pcie_rx_bytes_per_second == Some(2000 * 1024))
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "PCIe readings never arrived"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Dropping the backend stops the thread (it must not keep the library busy).
    drop(backend);
}

/// The compute process on GPU 0 is a real llama-server we started: its memory is attributed
/// to that instance; another process is "other".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gpu_memory_is_attributed_to_the_instance_that_holds_it() {
    // llama-server and the starter model; under CI=true a missing one fails the test.
    let Some(real) = common::real_parts() else {
        return;
    };
    let cache = real.cache_dir;
    let fake = FakeNvml::build(&[]);
    let data = tempfile::tempdir().unwrap();
    let config = CoreConfig::new(AppPaths::new(data.path(), cache));
    let monitor = SystemMonitor::with_gpu_backend(&config, Box::new(fake.backend()));
    let core = Core::open_with_monitor(config, monitor).await.unwrap();
    let starter = core.library.starter().await.unwrap().unwrap();
    let started = core.supervisor.start(&starter.id).await.unwrap();
    let running = core
        .supervisor
        .wait_settled(&started.id, Duration::from_secs(120))
        .await
        .unwrap();
    assert_eq!(running.state, InstanceState::Running);
    let engine_pid = running.pid.unwrap();
    fake.set_processes(&format!("0 {engine_pid} 512\n0 1 256\n"));

    let snapshot = core.sample_now().await;
    let GpuStatus::Available { gpus, .. } = &snapshot.gpu else {
        panic!("no GPUs")
    };
    let processes = gpus[0].processes.clone().unwrap();
    let ours = processes.iter().find(|p| p.pid == engine_pid).unwrap();
    assert_eq!(ours.instance_id.as_deref(), Some(running.id.as_str()));
    assert_eq!(ours.model_name.as_deref(), Some(starter.name.as_str()));
    assert_eq!(ours.name.as_deref(), Some("llama-server"));
    let other = processes.iter().find(|p| p.pid == 1).unwrap();
    assert_eq!(other.instance_id, None);
    assert_eq!(gpus[0].memory_used_bytes, Some((512 + 512 + 256) << 20));
    let resources = snapshot
        .instances
        .iter()
        .find(|r| r.instance_id == running.id)
        .unwrap();
    assert_eq!(resources.gpu_memory_bytes, Some(512 << 20));
    assert!(
        resources.rss_bytes.unwrap() > 10 << 20,
        "llama-server holds the model in memory"
    );
    assert!(resources.pids.contains(&engine_pid));
    let metrics = core.prometheus_metrics().await;
    assert!(
        metrics.contains(&format!(
            "pid=\"{engine_pid}\",process=\"llama-server\",instance_id=\"{}\"",
            running.id
        )),
        "{metrics}"
    );

    core.supervisor.stop(&running.id).await.unwrap();
}

/// The environment a process was started with, `NAME` → value.
fn environ_of(pid: u32) -> std::collections::HashMap<String, String> {
    let raw = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    raw.split(|b| *b == 0)
        .filter_map(|entry| {
            let entry = String::from_utf8_lossy(entry);
            let (name, value) = entry.split_once('=')?;
            Some((name.to_string(), value.to_string()))
        })
        .collect()
}

/// Two models with "auto" placement on an 8-GPU machine where neither fits beside the other
/// land on different GPUs; each real llama-server gets exactly its GPU.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_auto_models_land_on_different_gpus_when_they_do_not_fit_together() {
    // llama-server and the starter model; under CI=true a missing one fails the test.
    let Some(real) = common::real_parts() else {
        return;
    };
    let cache = real.cache_dir;
    let fake = FakeNvml::build(&[]);
    let data = tempfile::tempdir().unwrap();
    let config = CoreConfig::new(AppPaths::new(data.path(), cache));
    let monitor = SystemMonitor::with_gpu_backend(&config, Box::new(fake.backend()));
    let core = Core::open_with_monitor(config, monitor).await.unwrap();
    let starter = core.library.starter().await.unwrap().unwrap();
    // Two models of one file (a path may be added once): links to the starter model.
    let auto = |name: &str| {
        let link = data.path().join(format!("{name}.gguf"));
        std::os::unix::fs::symlink(&starter.path, &link).unwrap();
        let mut new =
            llmops_core::library::NewModel::new(name, link.to_string_lossy().into_owned());
        new.gpus = Some(llmops_core::engine::GpuPlacement::Auto);
        new
    };
    let first = core.library.add(auto("first")).await.unwrap();
    let second = core.library.add(auto("second")).await.unwrap();
    let mut schedules = core.bus.subscribe();

    // How much the model needs, as placement estimates it: a start with room everywhere.
    fake.set_options("gpus 8\n");
    core.sample_now().await;
    let probe = core.supervisor.start(&first.id).await.unwrap();
    let need = probe.gpus.clone().unwrap().need_bytes.unwrap();
    core.supervisor.stop(&probe.id).await.unwrap();

    // GPU 2 has room for one and a half, GPU 5 for one and a quarter, the rest for none.
    let mib = |bytes: u64| bytes >> 20;
    fake.set_options(&format!(
        "gpus 8\nfree_mib 0 1\nfree_mib 1 1\nfree_mib 2 {}\nfree_mib 3 1\nfree_mib 4 1\nfree_mib 5 {}\nfree_mib 6 1\nfree_mib 7 1\n",
        mib(need * 3 / 2),
        mib(need * 5 / 4)
    ));
    core.sample_now().await;
    let a = core.supervisor.start(&first.id).await.unwrap();
    let b = core.supervisor.start(&second.id).await.unwrap();
    let (a_gpus, b_gpus) = (a.gpus.clone().unwrap(), b.gpus.clone().unwrap());
    assert_eq!(a_gpus.devices, Some(vec![2]), "{:?}", a_gpus.reason);
    assert_eq!(b_gpus.devices, Some(vec![5]), "{:?}", b_gpus.reason);
    assert_eq!(a_gpus.reason.code, "placement_fits_one");
    assert!(
        b_gpus
            .reason
            .message
            .starts_with("GPU 5 has the most free memory"),
        "{}",
        b_gpus.reason.message
    );

    for (instance, gpu) in [(&a, "2"), (&b, "5")] {
        let running = core
            .supervisor
            .wait_settled(&instance.id, Duration::from_secs(120))
            .await
            .unwrap();
        assert_eq!(running.state, InstanceState::Running, "{running:?}");
        let env = environ_of(running.pid.unwrap());
        assert_eq!(
            env.get("CUDA_VISIBLE_DEVICES").map(String::as_str),
            Some(gpu)
        );
        assert_eq!(
            env.get("CUDA_DEVICE_ORDER").map(String::as_str),
            Some("PCI_BUS_ID")
        );
        let argv = std::fs::read(format!("/proc/{}/cmdline", running.pid.unwrap())).unwrap();
        let argv: Vec<String> = argv
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let tail = argv.iter().position(|a| a == "--main-gpu").unwrap();
        assert_eq!(
            argv[tail..tail + 4],
            ["--main-gpu", "0", "--split-mode", "none"]
        );
    }

    // The UI was told where each went.
    let mut told = Vec::new();
    while let Ok(event) = schedules.try_recv() {
        if let llmops_core::events::Event::ResourceSchedule(s) = event {
            told.push((s.model_name, s.assignment.devices));
        }
    }
    assert!(
        told.contains(&("first".to_string(), Some(vec![2]))),
        "{told:?}"
    );
    assert!(
        told.contains(&("second".to_string(), Some(vec![5]))),
        "{told:?}"
    );
    core.shutdown().await;
}

/// Without a GPU, "auto" is "none": the real llama-server runs on the CPU with nothing set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_placement_without_a_gpu_runs_on_the_cpu() {
    // llama-server and the starter model; under CI=true a missing one fails the test.
    let Some(real) = common::real_parts() else {
        return;
    };
    let cache = real.cache_dir;
    let data = tempfile::tempdir().unwrap();
    let config = CoreConfig::new(AppPaths::new(data.path(), cache));
    let no_driver = NvidiaBackend::new(Some(data.path().join("absent/libnvidia-ml.so.1")));
    let monitor = SystemMonitor::with_gpu_backend(&config, Box::new(no_driver));
    let core = Core::open_with_monitor(config, monitor).await.unwrap();
    let starter = core.library.starter().await.unwrap().unwrap();
    let mut edit = llmops_core::library::NewModel::new(&starter.name, starter.path.clone());
    edit.gpus = Some(llmops_core::engine::GpuPlacement::Auto);
    core.library.update(&starter.id, edit).await.unwrap();
    let started = core.supervisor.start(&starter.id).await.unwrap();
    let gpus = started.gpus.clone().unwrap();
    assert_eq!(
        (gpus.devices, gpus.reason.code.as_str()),
        (Some(vec![]), "placement_no_gpu")
    );
    let running = core
        .supervisor
        .wait_settled(&started.id, Duration::from_secs(120))
        .await
        .unwrap();
    assert_eq!(running.state, InstanceState::Running, "{running:?}");
    let env = environ_of(running.pid.unwrap());
    assert!(!env.contains_key("CUDA_DEVICE_ORDER"), "{env:?}");
    core.shutdown().await;
}
