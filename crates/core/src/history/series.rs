//! The series kept in history, named `area.[id.]metric`, extracted from a snapshot.

use crate::monitor::{GpuStatus, SystemSnapshot};

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
