//! The AMD SMI path for real: llmops loading a small fake `libamd_smi` built from C
//! (tests/fake_amd_smi/fake_amd_smi.c) with two simulated MI300X GPUs and a CPU on one socket,
//! through the same structures as `amdsmi.h`. Each test loads its own copy, controlled through
//! the files beside it (see the C file). Not verified against real AMD hardware.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use llmops_core::monitor::{
    AmdBackend, FirstVendor, GpuBackend, GpuStats, GpuStatus, NvidiaBackend,
};

use common::build_fake_library;

struct FakeAmdSmi {
    dir: tempfile::TempDir,
}

impl FakeAmdSmi {
    fn build(defines: &[&str]) -> FakeAmdSmi {
        FakeAmdSmi {
            dir: build_fake_library("fake_amd_smi/fake_amd_smi.c", "libamd_smi.so", defines),
        }
    }

    fn lib(&self) -> PathBuf {
        self.dir.path().join("libamd_smi.so")
    }

    fn set(&self, file: &str, text: &str) {
        std::fs::write(self.dir.path().join(file), text).unwrap();
    }

    fn backend(&self) -> AmdBackend {
        AmdBackend::with_retry(Some(self.lib()), Duration::ZERO)
    }
}

fn gpus(status: GpuStatus) -> Vec<GpuStats> {
    match status {
        GpuStatus::Available { gpus, .. } => gpus,
        other => panic!("expected GPUs, got {other:?}"),
    }
}

fn reason_code(status: GpuStatus) -> String {
    match status {
        GpuStatus::NotDetected { summary, .. } => summary.unwrap().code,
        other => panic!("expected NotDetected, got {other:?}"),
    }
}

#[test]
fn reads_every_metric_of_two_gpus_and_skips_the_cpu() {
    let fake = FakeAmdSmi::build(&[]);
    let all = gpus(fake.backend().sample());
    assert_eq!(all.len(), 2);
    let g = &all[1];
    assert_eq!(g.index, 1);
    assert_eq!(g.name.as_deref(), Some("AMD Instinct MI300X #1"));
    assert_eq!(
        g.uuid.as_deref(),
        Some("a3ff74a1-0000-1000-80b5-000000000001")
    );
    assert_eq!(g.pci_bus_id.as_deref(), Some("0000:1c:00.0"));
    assert_eq!(g.memory_total_bytes, Some(192 << 30));
    assert_eq!(g.memory_used_bytes, Some(300 << 20));
    assert_eq!(g.memory_free_bytes, Some((192 << 30) - (300 << 20)));
    assert_eq!(
        (g.utilization_percent, g.memory_utilization_percent),
        (Some(62), Some(23))
    );
    // No edge sensor on this board: the hotspot is read.
    assert_eq!(g.temperature_celsius, Some(59));
    // Only the average is reported.
    assert_eq!(
        (g.power_watts, g.power_limit_watts),
        (Some(413.0), Some(750.0))
    );
    let energy = g.energy_joules_total.unwrap();
    assert!((energy - 2.0 * 15.3).abs() < 1e-3, "{energy}");
    assert_eq!(g.processes.as_deref(), Some(&[][..]));
}

#[test]
fn processes_are_listed_with_their_memory() {
    let fake = FakeAmdSmi::build(&[]);
    fake.set("fake_amd_smi_processes", "0 4242 8192\n0 4243 1024\n");
    let g = &gpus(fake.backend().sample())[0];
    let processes = g.processes.clone().unwrap();
    assert_eq!(
        processes
            .iter()
            .map(|p| (p.pid, p.used_memory_bytes))
            .collect::<Vec<_>>(),
        [(4242, Some(8192 << 20)), (4243, Some(1024 << 20))]
    );
    assert_eq!(processes[0].name.as_deref(), Some("llama-server"));
    assert_eq!(g.memory_used_bytes, Some((300 + 8192 + 1024) << 20));
}

#[test]
fn a_library_lacking_a_function_reads_the_rest() {
    let fake = FakeAmdSmi::build(&["-DOMIT_POWER"]);
    let g = &gpus(fake.backend().sample())[0];
    assert_eq!((g.power_watts, g.power_limit_watts), (None, None));
    assert_eq!(g.temperature_celsius, Some(58));
}

#[test]
fn init_failure_and_a_library_that_stops_answering_are_not_detected_states() {
    let fake = FakeAmdSmi::build(&[]);
    fake.set("fake_amd_smi_mode", "init_fail");
    assert_eq!(reason_code(fake.backend().sample()), "gpu_amd_smi_unusable");

    fake.set("fake_amd_smi_mode", "ok");
    let mut backend = fake.backend();
    assert_eq!(gpus(backend.sample()).len(), 2);
    fake.set("fake_amd_smi_mode", "stopped");
    assert_eq!(reason_code(backend.sample()), "gpu_amd_smi_stopped");
    fake.set("fake_amd_smi_mode", "ok"); // re-initialised at the next sample
    assert_eq!(gpus(backend.sample()).len(), 2);
}

/// The app's backend: NVIDIA first; without an NVIDIA driver, the AMD GPUs.
#[test]
fn without_an_nvidia_driver_the_amd_gpus_are_shown() {
    let fake = FakeAmdSmi::build(&[]);
    let missing = fake.dir.path().join("absent/libnvidia-ml.so.1");
    let mut both = FirstVendor {
        nvidia: NvidiaBackend::new(Some(missing.clone())),
        amd: fake.backend(),
    };
    let all = gpus(both.sample());
    assert_eq!(all[0].name.as_deref(), Some("AMD Instinct MI300X #0"));

    let mut neither = FirstVendor {
        nvidia: NvidiaBackend::new(Some(missing)),
        amd: AmdBackend::new(Some(fake.dir.path().join("absent/libamd_smi.so"))),
    };
    // The NVIDIA reason stays the one shown when neither vendor answers.
    assert_eq!(reason_code(neither.sample()), "gpu_nvml_unusable");
}
