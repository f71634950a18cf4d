//! Prometheus text exposition (format 0.0.4) of a snapshot: stable metric names in base units
//! (bytes, celsius, watts, hertz, ratios 0–1) with `gpu`/`uuid` and `instance_id`/`model` labels
//! (`instance_id`, not `instance`, which Prometheus sets to the scrape target).

use std::fmt::Write;

use crate::alerts::Alert;
use crate::monitor::{GpuStats, GpuStatus, SystemSnapshot};
use crate::supervisor::InstanceInfo;

type Labels = Vec<(&'static str, String)>;

#[derive(Default)]
struct Exposition {
    families: Vec<(&'static str, &'static str, Vec<(Labels, f64)>)>,
}

impl Exposition {
    fn gauge(
        &mut self,
        name: &'static str,
        help: &'static str,
        labels: Labels,
        value: Option<f64>,
    ) {
        let Some(value) = value.filter(|v| v.is_finite()) else {
            return;
        };
        match self.families.iter_mut().find(|(n, _, _)| *n == name) {
            Some((_, _, samples)) => samples.push((labels, value)),
            None => self.families.push((name, help, vec![(labels, value)])),
        }
    }

    fn render(self) -> String {
        let mut out = String::new();
        for (name, help, samples) in self.families {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{} {value}", render_labels(&labels));
            }
        }
        out
    }
}

fn render_labels(labels: &Labels) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = labels
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}=\"{}\"",
                v.replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('\n', "\\n")
            )
        })
        .collect();
    format!("{{{}}}", inner.join(","))
}

pub fn render(
    snapshot: &SystemSnapshot,
    instances: &[InstanceInfo],
    active_alerts: &[Alert],
) -> String {
    let mut e = Exposition::default();
    system(&mut e, snapshot);
    gpus(&mut e, &snapshot.gpu);
    for info in instances.iter().filter(|i| !i.state.is_terminal()) {
        let labels = vec![
            ("instance_id", info.id.clone()),
            ("model", info.model_name.clone()),
            ("state", info.state.name().to_string()),
        ];
        e.gauge(
            "llmops_instance_state",
            "Live instances by state (1 per instance).",
            labels,
            Some(1.0),
        );
    }
    for r in &snapshot.instances {
        let labels = || {
            vec![
                ("instance_id", r.instance_id.clone()),
                ("model", r.model_name.clone()),
            ]
        };
        e.gauge(
            "llmops_instance_cpu_usage_ratio",
            "CPU of the instance's process tree, in cores.",
            labels(),
            r.cpu_percent.map(|c| c as f64 / 100.0),
        );
        e.gauge(
            "llmops_instance_resident_memory_bytes",
            "Resident memory of the instance's process tree.",
            labels(),
            r.rss_bytes.map(|b| b as f64),
        );
        e.gauge(
            "llmops_instance_gpu_memory_bytes",
            "GPU memory used by the instance's process tree.",
            labels(),
            r.gpu_memory_bytes.map(|b| b as f64),
        );
    }
    for alert in active_alerts {
        let labels = vec![
            ("kind", format!("{:?}", alert.kind).to_lowercase()),
            ("subject", alert.subject.clone()),
        ];
        e.gauge(
            "llmops_alert_active",
            "Raised alerts (1 per alert).",
            labels,
            Some(1.0),
        );
    }
    e.render()
}

fn system(e: &mut Exposition, s: &SystemSnapshot) {
    e.gauge(
        "llmops_cpu_usage_ratio",
        "CPU use of the whole machine, 0 to 1.",
        vec![],
        Some(s.cpu.usage_percent as f64 / 100.0),
    );
    for (core, usage) in s.cpu.per_core_percent.iter().enumerate() {
        e.gauge(
            "llmops_cpu_core_usage_ratio",
            "CPU use per logical core, 0 to 1.",
            vec![("core", core.to_string())],
            Some(*usage as f64 / 100.0),
        );
    }
    for (window, value) in ["1m", "5m", "15m"].iter().zip(s.cpu.load_average) {
        e.gauge(
            "llmops_load_average",
            "System load average.",
            vec![("window", window.to_string())],
            Some(value),
        );
    }
    let m = &s.memory;
    e.gauge(
        "llmops_memory_total_bytes",
        "Host memory.",
        vec![],
        Some(m.total_bytes as f64),
    );
    e.gauge(
        "llmops_memory_used_bytes",
        "Host memory in use.",
        vec![],
        Some(m.used_bytes as f64),
    );
    e.gauge(
        "llmops_memory_available_bytes",
        "Host memory available for new allocations.",
        vec![],
        Some(m.available_bytes as f64),
    );
    e.gauge(
        "llmops_swap_total_bytes",
        "Swap space.",
        vec![],
        Some(m.swap_total_bytes as f64),
    );
    e.gauge(
        "llmops_swap_used_bytes",
        "Swap space in use.",
        vec![],
        Some(m.swap_used_bytes as f64),
    );
    e.gauge(
        "llmops_network_receive_bytes_per_second",
        "Received on non-loopback interfaces.",
        vec![],
        Some(s.network.rx_bytes_per_second),
    );
    e.gauge(
        "llmops_network_transmit_bytes_per_second",
        "Sent on non-loopback interfaces.",
        vec![],
        Some(s.network.tx_bytes_per_second),
    );
    for d in &s.disks {
        let labels = || {
            vec![
                ("folder", d.folder.clone()),
                ("mount_point", d.mount_point.clone()),
            ]
        };
        e.gauge(
            "llmops_disk_total_bytes",
            "Size of the file system holding a model folder.",
            labels(),
            Some(d.total_bytes as f64),
        );
        e.gauge(
            "llmops_disk_available_bytes",
            "Free space for the user on that file system.",
            labels(),
            Some(d.available_bytes as f64),
        );
        e.gauge(
            "llmops_disk_model_files_bytes",
            "Size of the configured model files in the folder.",
            labels(),
            Some(d.models_bytes as f64),
        );
    }
}

fn gpus(e: &mut Exposition, status: &GpuStatus) {
    let GpuStatus::Available {
        driver_version,
        cuda_version,
        gpus,
    } = status
    else {
        e.gauge(
            "llmops_gpu_driver_up",
            "1 when an NVIDIA driver answers.",
            vec![],
            Some(0.0),
        );
        return;
    };
    e.gauge(
        "llmops_gpu_driver_up",
        "1 when an NVIDIA driver answers.",
        vec![],
        Some(1.0),
    );
    for g in gpus {
        let info = vec![
            ("gpu", g.index.to_string()),
            ("uuid", g.uuid.clone().unwrap_or_default()),
            ("name", g.name.clone().unwrap_or_default()),
            ("pci_bus_id", g.pci_bus_id.clone().unwrap_or_default()),
            ("driver_version", driver_version.clone().unwrap_or_default()),
            ("cuda_version", cuda_version.clone().unwrap_or_default()),
        ];
        e.gauge(
            "llmops_gpu_info",
            "Static facts of a GPU (value 1).",
            info,
            Some(1.0),
        );
        gpu(e, g);
    }
}

fn gpu(e: &mut Exposition, g: &GpuStats) {
    let labels = || {
        vec![
            ("gpu", g.index.to_string()),
            ("uuid", g.uuid.clone().unwrap_or_default()),
        ]
    };
    let bytes = |v: Option<u64>| v.map(|b| b as f64);
    let ratio = |v: Option<u32>| v.map(|p| p as f64 / 100.0);
    let hertz = |v: Option<u32>| v.map(|mhz| mhz as f64 * 1e6);
    e.gauge(
        "llmops_gpu_memory_total_bytes",
        "GPU memory.",
        labels(),
        bytes(g.memory_total_bytes),
    );
    e.gauge(
        "llmops_gpu_memory_used_bytes",
        "GPU memory in use.",
        labels(),
        bytes(g.memory_used_bytes),
    );
    e.gauge(
        "llmops_gpu_memory_free_bytes",
        "GPU memory free.",
        labels(),
        bytes(g.memory_free_bytes),
    );
    e.gauge(
        "llmops_gpu_utilization_ratio",
        "Time the GPU was busy, 0 to 1.",
        labels(),
        ratio(g.utilization_percent),
    );
    e.gauge(
        "llmops_gpu_memory_utilization_ratio",
        "Time GPU memory was read or written, 0 to 1.",
        labels(),
        ratio(g.memory_utilization_percent),
    );
    e.gauge(
        "llmops_gpu_temperature_celsius",
        "GPU core temperature.",
        labels(),
        g.temperature_celsius.map(f64::from),
    );
    e.gauge(
        "llmops_gpu_power_watts",
        "GPU power draw.",
        labels(),
        g.power_watts,
    );
    e.gauge(
        "llmops_gpu_power_limit_watts",
        "Enforced GPU power limit.",
        labels(),
        g.power_limit_watts,
    );
    e.gauge(
        "llmops_gpu_fan_speed_ratio",
        "Fan speed, 0 to 1 of its maximum.",
        labels(),
        ratio(g.fan_speed_percent),
    );
    e.gauge(
        "llmops_gpu_sm_clock_hertz",
        "Streaming multiprocessor clock.",
        labels(),
        hertz(g.sm_clock_mhz),
    );
    e.gauge(
        "llmops_gpu_memory_clock_hertz",
        "Memory clock.",
        labels(),
        hertz(g.memory_clock_mhz),
    );
    e.gauge(
        "llmops_gpu_sm_clock_max_hertz",
        "Maximum SM clock.",
        labels(),
        hertz(g.max_sm_clock_mhz),
    );
    e.gauge(
        "llmops_gpu_memory_clock_max_hertz",
        "Maximum memory clock.",
        labels(),
        hertz(g.max_memory_clock_mhz),
    );
    e.gauge(
        "llmops_gpu_pcie_receive_bytes_per_second",
        "PCIe receive throughput.",
        labels(),
        bytes(g.pcie_rx_bytes_per_second),
    );
    e.gauge(
        "llmops_gpu_pcie_transmit_bytes_per_second",
        "PCIe transmit throughput.",
        labels(),
        bytes(g.pcie_tx_bytes_per_second),
    );
    for reason in g.throttle_reasons.iter().flatten() {
        let mut l = labels();
        l.push(("reason", reason.clone()));
        e.gauge(
            "llmops_gpu_clocks_throttled",
            "Active clock throttle reasons (1 each).",
            l,
            Some(1.0),
        );
    }
    for p in g.processes.iter().flatten() {
        let mut l = labels();
        l.push(("pid", p.pid.to_string()));
        l.push(("process", p.name.clone().unwrap_or_default()));
        l.push(("instance_id", p.instance_id.clone().unwrap_or_default()));
        l.push((
            "model",
            p.model_name.clone().unwrap_or_else(|| "other".to_string()),
        ));
        e.gauge(
            "llmops_gpu_process_memory_bytes",
            "GPU memory per compute process; model=\"other\" when not ours.",
            l,
            bytes(p.used_memory_bytes),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        let labels = vec![("folder", "a\"b\\c\nd".to_string())];
        assert_eq!(render_labels(&labels), r#"{folder="a\"b\\c\nd"}"#);
    }
}
