//! A snapshot as flat series, named `area.[id.]metric`: what the history keeps and the live
//! charts draw (the snapshot carries them, computed once here).

use super::{GpuStatus, SystemSnapshot};

pub fn extract(s: &SystemSnapshot) -> Vec<(String, f64)> {
    let mut values = vec![
        ("cpu.usage_percent".to_string(), s.cpu.usage_percent as f64),
        ("memory.used_bytes".to_string(), s.memory.used_bytes as f64),
        (
            "network.rx_bytes_per_second".to_string(),
            s.network.rx_bytes_per_second,
        ),
        (
            "network.tx_bytes_per_second".to_string(),
            s.network.tx_bytes_per_second,
        ),
    ];
    if s.memory.total_bytes > 0 {
        values.push((
            "memory.used_percent".to_string(),
            s.memory.used_bytes as f64 * 100.0 / s.memory.total_bytes as f64,
        ));
    }
    if let GpuStatus::Available { gpus, .. } = &s.gpu {
        for g in gpus {
            let mut push = |metric: &str, value: Option<f64>| {
                if let Some(value) = value {
                    values.push((format!("gpu.{}.{metric}", g.index), value));
                }
            };
            push("utilization_percent", g.utilization_percent.map(f64::from));
            push("memory_used_bytes", g.memory_used_bytes.map(|b| b as f64));
            push("temperature_celsius", g.temperature_celsius.map(f64::from));
            push("power_watts", g.power_watts);
        }
    }
    for r in &s.instances {
        let mut push = |metric: &str, value: Option<f64>| {
            if let Some(value) = value {
                values.push((format!("model.{}.{metric}", r.model_id), value));
            }
        };
        push("cpu_percent", r.cpu_percent.map(f64::from));
        push("rss_bytes", r.rss_bytes.map(|b| b as f64));
        push("gpu_memory_bytes", r.gpu_memory_bytes.map(|b| b as f64));
    }
    values.retain(|(_, v)| v.is_finite());
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::{CpuStats, GpuStats, InstanceResources, MemoryStats, NetworkStats};

    #[test]
    fn a_snapshot_becomes_the_history_keys_without_unknown_values() {
        let snapshot = SystemSnapshot {
            at: 1,
            hostname: "box".into(),
            cpu: CpuStats {
                brand: "x".into(),
                logical_cores: 8,
                usage_percent: 12.5,
                per_core_percent: vec![],
                load_average: Some([0.0; 3]),
            },
            memory: MemoryStats {
                total_bytes: 1000,
                used_bytes: 250,
                available_bytes: 750,
                swap_total_bytes: 0,
                swap_used_bytes: 0,
            },
            disks: vec![],
            network: NetworkStats {
                rx_bytes_per_second: 10.0,
                tx_bytes_per_second: 20.0,
            },
            gpu: GpuStatus::Available {
                driver_version: Some("550".into()),
                cuda_version: None,
                gpus: vec![GpuStats {
                    index: 0,
                    memory_used_bytes: Some(8),
                    utilization_percent: Some(55),
                    temperature_celsius: Some(61),
                    power_watts: Some(f64::NAN),
                    ..Default::default()
                }],
            },
            instances: vec![InstanceResources {
                instance_id: "i1".into(),
                model_id: "m1".into(),
                model_name: "Smol".into(),
                pids: vec![1],
                cpu_percent: Some(150.0),
                rss_bytes: Some(99),
                gpu_memory_bytes: None,
                container_id: None,
            }],
            series: Default::default(),
        };
        let series: std::collections::BTreeMap<String, f64> =
            extract(&snapshot).into_iter().collect();
        let expected: std::collections::BTreeMap<String, f64> = [
            ("cpu.usage_percent", 12.5),
            ("memory.used_bytes", 250.0),
            ("memory.used_percent", 25.0),
            ("network.rx_bytes_per_second", 10.0),
            ("network.tx_bytes_per_second", 20.0),
            ("gpu.0.utilization_percent", 55.0),
            ("gpu.0.memory_used_bytes", 8.0),
            ("gpu.0.temperature_celsius", 61.0),
            ("model.m1.cpu_percent", 150.0),
            ("model.m1.rss_bytes", 99.0),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        assert_eq!(series, expected);
    }
}
