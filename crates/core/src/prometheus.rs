//! Prometheus text exposition (format 0.0.4) of a snapshot: stable metric names in base units
//! (bytes, celsius, watts, hertz, ratios 0–1) with `gpu`/`uuid` and `instance_id`/`model` labels
//! (`instance_id`, not `instance`, which Prometheus sets to the scrape target).

use std::fmt::Write;

use crate::alerts::Alert;
use crate::monitor::{DiskUsage, GpuStats, GpuStatus, InstanceResources, SystemSnapshot};
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
            // A cumulative quantity is named `_total`, and only those are counters.
            let kind = if name.ends_with("_total") {
                "counter"
            } else {
                "gauge"
            };
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
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

/// A gauge read from some part of a snapshot: name, help, and its value in base units.
type Gauge<T> = (&'static str, &'static str, fn(&T) -> Option<f64>);

fn bytes(v: Option<u64>) -> Option<f64> {
    v.map(|b| b as f64)
}

/// A percentage (0–100) as a ratio (0–1).
fn ratio(v: Option<u32>) -> Option<f64> {
    v.map(|p| p as f64 / 100.0)
}

fn hertz(mhz: Option<u32>) -> Option<f64> {
    mhz.map(|m| m as f64 * 1e6)
}

impl Exposition {
    /// One sample of every gauge of `table`, read from `source`, with the same labels.
    fn gauges<T>(&mut self, table: &[Gauge<T>], source: &T, labels: &Labels) {
        for (name, help, read) in table {
            self.gauge(name, help, labels.clone(), read(source));
        }
    }
}

pub fn render(
    snapshot: &SystemSnapshot,
    instances: &[InstanceInfo],
    active_alerts: &[Alert],
) -> String {
    let mut e = Exposition::default();
    system(&mut e, snapshot);
    gpus(&mut e, &snapshot.gpu);
    dcgm_gpus(&mut e, snapshot);
    instance_gauges(&mut e, snapshot, instances);
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

const INSTANCE_GAUGES: &[Gauge<InstanceResources>] = &[
    (
        "llmops_instance_cpu_usage_ratio",
        "CPU of the instance's process tree, in cores.",
        |r| r.cpu_percent.map(|c| c as f64 / 100.0),
    ),
    (
        "llmops_instance_resident_memory_bytes",
        "Resident memory of the instance's process tree.",
        |r| bytes(r.rss_bytes),
    ),
    (
        "llmops_instance_gpu_memory_bytes",
        "GPU memory used by the instance's process tree.",
        |r| bytes(r.gpu_memory_bytes),
    ),
];

fn instance_gauges(e: &mut Exposition, snapshot: &SystemSnapshot, instances: &[InstanceInfo]) {
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
        let labels = vec![
            ("instance_id", r.instance_id.clone()),
            ("model", r.model_name.clone()),
        ];
        e.gauges(INSTANCE_GAUGES, r, &labels);
    }
}

const HOST_GAUGES: &[Gauge<SystemSnapshot>] = &[
    (
        "llmops_cpu_usage_ratio",
        "CPU use of the whole machine, 0 to 1.",
        |s| Some(s.cpu.usage_percent as f64 / 100.0),
    ),
    ("llmops_memory_total_bytes", "Host memory.", |s| {
        Some(s.memory.total_bytes as f64)
    }),
    ("llmops_memory_used_bytes", "Host memory in use.", |s| {
        Some(s.memory.used_bytes as f64)
    }),
    (
        "llmops_memory_available_bytes",
        "Host memory available for new allocations.",
        |s| Some(s.memory.available_bytes as f64),
    ),
    ("llmops_swap_total_bytes", "Swap space.", |s| {
        Some(s.memory.swap_total_bytes as f64)
    }),
    ("llmops_swap_used_bytes", "Swap space in use.", |s| {
        Some(s.memory.swap_used_bytes as f64)
    }),
    (
        "llmops_network_receive_bytes_per_second",
        "Received on non-loopback interfaces.",
        |s| Some(s.network.rx_bytes_per_second),
    ),
    (
        "llmops_network_transmit_bytes_per_second",
        "Sent on non-loopback interfaces.",
        |s| Some(s.network.tx_bytes_per_second),
    ),
];

const DISK_GAUGES: &[Gauge<DiskUsage>] = &[
    (
        "llmops_disk_total_bytes",
        "Size of the file system holding a model folder.",
        |d| Some(d.total_bytes as f64),
    ),
    (
        "llmops_disk_available_bytes",
        "Free space for the user on that file system.",
        |d| Some(d.available_bytes as f64),
    ),
    (
        "llmops_disk_model_files_bytes",
        "Size of the configured model files in the folder.",
        |d| Some(d.models_bytes as f64),
    ),
];

fn system(e: &mut Exposition, s: &SystemSnapshot) {
    e.gauges(HOST_GAUGES, s, &vec![]);
    for (core, usage) in s.cpu.per_core_percent.iter().enumerate() {
        e.gauge(
            "llmops_cpu_core_usage_ratio",
            "CPU use per logical core, 0 to 1.",
            vec![("core", core.to_string())],
            Some(*usage as f64 / 100.0),
        );
    }
    // No sample where the OS has no load average (Windows).
    for (index, window) in ["1m", "5m", "15m"].iter().enumerate() {
        e.gauge(
            "llmops_load_average",
            "System load average.",
            vec![("window", window.to_string())],
            s.cpu.load_average.map(|load| load[index]),
        );
    }
    for d in &s.disks {
        let labels = vec![
            ("folder", d.folder.clone()),
            ("mount_point", d.mount_point.clone()),
        ];
        e.gauges(DISK_GAUGES, d, &labels);
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

const GPU_GAUGES: &[Gauge<GpuStats>] = &[
    ("llmops_gpu_memory_total_bytes", "GPU memory.", |g| {
        bytes(g.memory_total_bytes)
    }),
    ("llmops_gpu_memory_used_bytes", "GPU memory in use.", |g| {
        bytes(g.memory_used_bytes)
    }),
    ("llmops_gpu_memory_free_bytes", "GPU memory free.", |g| {
        bytes(g.memory_free_bytes)
    }),
    (
        "llmops_gpu_utilization_ratio",
        "Time the GPU was busy, 0 to 1.",
        |g| ratio(g.utilization_percent),
    ),
    (
        "llmops_gpu_memory_utilization_ratio",
        "Time GPU memory was read or written, 0 to 1.",
        |g| ratio(g.memory_utilization_percent),
    ),
    (
        "llmops_gpu_temperature_celsius",
        "GPU core temperature.",
        |g| g.temperature_celsius.map(f64::from),
    ),
    ("llmops_gpu_power_watts", "GPU power draw.", |g| {
        g.power_watts
    }),
    (
        "llmops_gpu_power_limit_watts",
        "Enforced GPU power limit.",
        |g| g.power_limit_watts,
    ),
    (
        "llmops_gpu_fan_speed_ratio",
        "Fan speed, 0 to 1 of its maximum.",
        |g| ratio(g.fan_speed_percent),
    ),
    (
        "llmops_gpu_sm_clock_hertz",
        "Streaming multiprocessor clock.",
        |g| hertz(g.sm_clock_mhz),
    ),
    ("llmops_gpu_memory_clock_hertz", "Memory clock.", |g| {
        hertz(g.memory_clock_mhz)
    }),
    ("llmops_gpu_sm_clock_max_hertz", "Maximum SM clock.", |g| {
        hertz(g.max_sm_clock_mhz)
    }),
    (
        "llmops_gpu_memory_clock_max_hertz",
        "Maximum memory clock.",
        |g| hertz(g.max_memory_clock_mhz),
    ),
    (
        "llmops_gpu_pcie_receive_bytes_per_second",
        "PCIe receive throughput.",
        |g| bytes(g.pcie_rx_bytes_per_second),
    ),
    (
        "llmops_gpu_pcie_transmit_bytes_per_second",
        "PCIe transmit throughput.",
        |g| bytes(g.pcie_tx_bytes_per_second),
    ),
    (
        "llmops_gpu_lost",
        "1 when the GPU fell off the bus (GPU_IS_LOST).",
        |g| Some(if g.lost { 1.0 } else { 0.0 }),
    ),
    (
        "llmops_gpu_mig_enabled",
        "1 when Multi-Instance GPU mode is on.",
        |g| g.mig_enabled.map(|on| if on { 1.0 } else { 0.0 }),
    ),
    (
        "llmops_gpu_energy_joules_total",
        "Energy used since the driver loaded.",
        |g| g.energy_joules_total,
    ),
    (
        "llmops_gpu_power_throttle_seconds_total",
        "Time the clocks were held down by the power limit.",
        |g| g.power_throttle_seconds_total,
    ),
    (
        "llmops_gpu_thermal_throttle_seconds_total",
        "Time the clocks were held down by heat.",
        |g| g.thermal_throttle_seconds_total,
    ),
    (
        "llmops_gpu_pcie_replays_total",
        "PCIe transfers replayed since the driver loaded.",
        |g| g.pcie_replays_total.map(|n| n as f64),
    ),
    (
        "llmops_gpu_xid_errors_total",
        "Critical Xid errors since llmops started watching.",
        |g| g.xid_errors_total.map(|n| n as f64),
    ),
];

fn gpu(e: &mut Exposition, g: &GpuStats) {
    let labels = vec![
        ("gpu", g.index.to_string()),
        ("uuid", g.uuid.clone().unwrap_or_default()),
    ];
    e.gauges(GPU_GAUGES, g, &labels);
    for reason in g.throttle_reasons.iter().flatten() {
        let mut l = labels.clone();
        l.push(("reason", reason.clone()));
        e.gauge(
            "llmops_gpu_clocks_throttled",
            "Active clock throttle reasons (1 each).",
            l,
            Some(1.0),
        );
    }
    for p in g.processes.iter().flatten() {
        let mut l = labels.clone();
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

/// The same GPU readings under the names and units of NVIDIA's DCGM exporter
/// (`dcgm-exporter`'s default counters), so that Grafana dashboards made for it work unchanged.
/// Its labels: `gpu`, `UUID`, `pci_bus_id`, `device` (`nvidia<N>`), `Hostname`, and the GPU's
/// name as `model_name` (DCGM says `modelName`, which `promtool check metrics` refuses).
const DCGM_GAUGES: &[Gauge<GpuStats>] = &[
    ("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %).", |g| {
        g.utilization_percent.map(f64::from)
    }),
    (
        "DCGM_FI_DEV_MEM_COPY_UTIL",
        "Memory utilization (in %).",
        |g| g.memory_utilization_percent.map(f64::from),
    ),
    (
        "DCGM_FI_DEV_FB_USED",
        "Framebuffer memory used (in MiB).",
        |g| g.memory_used_bytes.map(|b| (b >> 20) as f64),
    ),
    (
        "DCGM_FI_DEV_FB_FREE",
        "Framebuffer memory free (in MiB).",
        |g| g.memory_free_bytes.map(|b| (b >> 20) as f64),
    ),
    ("DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C).", |g| {
        g.temperature_celsius.map(f64::from)
    }),
    ("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W).", |g| {
        g.power_watts
    }),
    (
        "DCGM_FI_DEV_SM_CLOCK",
        "SM clock frequency (in MHz).",
        |g| g.sm_clock_mhz.map(f64::from),
    ),
    (
        "DCGM_FI_DEV_MEM_CLOCK",
        "Memory clock frequency (in MHz).",
        |g| g.memory_clock_mhz.map(f64::from),
    ),
    ("DCGM_FI_DEV_FAN_SPEED", "Fan speed (in %).", |g| {
        g.fan_speed_percent.map(f64::from)
    }),
    // dcgm-exporter types these three as counters; here they are gauges, because `promtool`
    // wants a counter's name to end in `_total`. `rate()` and `increase()` read them the same.
    (
        "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION",
        "Total energy consumption since boot (in mJ).",
        |g| g.energy_joules_total.map(|j| (j * 1000.0).round()),
    ),
    (
        "DCGM_FI_DEV_POWER_VIOLATION",
        "Throttling duration due to power constraints (in us).",
        |g| g.power_throttle_seconds_total.map(|s| (s * 1e6).round()),
    ),
    (
        "DCGM_FI_DEV_THERMAL_VIOLATION",
        "Throttling duration due to thermal constraints (in us).",
        |g| g.thermal_throttle_seconds_total.map(|s| (s * 1e6).round()),
    ),
    // DCGM_FI_DEV_PCIE_REPLAY_COUNTER is not repeated: `promtool check metrics` refuses a name
    // that contains "counter". docs/MONITORING.md maps it to llmops_gpu_pcie_replays_total.
    // As dcgm-exporter: the value of the last Xid error, not a count (0 before the first).
    (
        "DCGM_FI_DEV_XID_ERRORS",
        "Value of the last XID error encountered.",
        |g| g.xid_errors_total.map(|_| g.last_xid.unwrap_or(0) as f64),
    ),
];

fn dcgm_gpus(e: &mut Exposition, snapshot: &SystemSnapshot) {
    let GpuStatus::Available { gpus, .. } = &snapshot.gpu else {
        return;
    };
    for g in gpus {
        let labels = vec![
            ("gpu", g.index.to_string()),
            ("UUID", g.uuid.clone().unwrap_or_default()),
            ("pci_bus_id", g.pci_bus_id.clone().unwrap_or_default()),
            ("device", format!("nvidia{}", g.index)),
            ("model_name", g.name.clone().unwrap_or_default()),
            ("Hostname", snapshot.hostname.clone()),
        ];
        e.gauges(DCGM_GAUGES, g, &labels);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpus_also_carry_the_dcgm_exporter_names_and_units() {
        let gpu = GpuStats {
            index: 1,
            name: Some("NVIDIA H200".into()),
            uuid: Some("GPU-1".into()),
            memory_used_bytes: Some(3 << 30),
            utilization_percent: Some(42),
            sm_clock_mhz: Some(1980),
            energy_joules_total: Some(12.5),
            power_throttle_seconds_total: Some(0.25),
            pcie_replays_total: Some(7),
            xid_errors_total: Some(2),
            last_xid: Some(79),
            ..GpuStats::default()
        };
        use crate::monitor::{CpuStats, MemoryStats, NetworkStats};
        let snapshot = SystemSnapshot {
            at: 0,
            hostname: "box".into(),
            cpu: CpuStats {
                brand: "x".into(),
                logical_cores: 1,
                usage_percent: 0.0,
                per_core_percent: vec![],
                load_average: Some([0.0; 3]),
            },
            memory: MemoryStats {
                total_bytes: 1,
                used_bytes: 0,
                available_bytes: 1,
                swap_total_bytes: 0,
                swap_used_bytes: 0,
            },
            disks: vec![],
            network: NetworkStats {
                rx_bytes_per_second: 0.0,
                tx_bytes_per_second: 0.0,
            },
            gpu: GpuStatus::Available {
                driver_version: Some("580".into()),
                cuda_version: Some("13.0".into()),
                gpus: vec![gpu],
            },
            instances: vec![],
            series: Default::default(),
        };
        let text = render(&snapshot, &[], &[]);
        let labels = r#"{gpu="1",UUID="GPU-1",pci_bus_id="",device="nvidia1",model_name="NVIDIA H200",Hostname="box"}"#;
        assert!(
            text.contains(&format!("DCGM_FI_DEV_FB_USED{labels} 3072\n")),
            "{text}"
        );
        assert!(
            text.contains(&format!("DCGM_FI_DEV_GPU_UTIL{labels} 42\n")),
            "{text}"
        );
        assert!(text.contains("# TYPE llmops_gpu_energy_joules_total counter\n"));
        assert!(text.contains("llmops_gpu_energy_joules_total{gpu=\"1\",uuid=\"GPU-1\"} 12.5\n"));
        assert!(text.contains("# TYPE llmops_gpu_lost gauge\n"));
        assert!(text.contains(&format!(
            "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{labels} 12500\n"
        )));
        assert!(text.contains(&format!("DCGM_FI_DEV_POWER_VIOLATION{labels} 250000\n")));
        let ours = "{gpu=\"1\",uuid=\"GPU-1\"}";
        assert!(text.contains(&format!("llmops_gpu_pcie_replays_total{ours} 7\n")));
        assert!(text.contains("# TYPE llmops_gpu_xid_errors_total counter\n"));
        assert!(text.contains(&format!("llmops_gpu_xid_errors_total{ours} 2\n")));
        // As dcgm-exporter: the last Xid's code, not the count.
        assert!(text.contains(&format!("DCGM_FI_DEV_XID_ERRORS{labels} 79\n")));
        assert!(
            text.contains(&format!("DCGM_FI_DEV_SM_CLOCK{labels} 1980\n")),
            "{text}"
        );
        assert!(text.contains("llmops_gpu_utilization_ratio{gpu=\"1\",uuid=\"GPU-1\"} 0.42\n"));
        assert!(
            !text.contains("DCGM_FI_DEV_POWER_USAGE"),
            "no reading, no sample"
        );
    }

    #[test]
    fn label_values_are_escaped() {
        let labels = vec![("folder", "a\"b\\c\nd".to_string())];
        assert_eq!(render_labels(&labels), r#"{folder="a\"b\\c\nd"}"#);
    }
}
