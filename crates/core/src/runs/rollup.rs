//! A run's readings rolled up: mean, 95th percentile and maximum of each, and the GPUs' energy.

use super::types::{ResourceRollup, Rollup};
use crate::bench::{percentile, ResourcePoint};

fn rollup(values: impl Iterator<Item = f64>) -> Rollup {
    let mut sorted: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return Rollup::default();
    }
    sorted.sort_by(f64::total_cmp);
    Rollup {
        mean: Some(sorted.iter().sum::<f64>() / sorted.len() as f64),
        p95: Some(percentile(&sorted, 95.0)),
        max: sorted.last().copied(),
    }
}

/// Power integrated over time (trapezoids between readings), in watt-hours.
fn energy_wh(points: &[ResourcePoint]) -> Option<f64> {
    let readings: Vec<(f64, f64)> = points
        .iter()
        .filter_map(|p| p.gpu_power_watts.map(|w| (p.at_ms, w)))
        .collect();
    if readings.len() < 2 {
        return None;
    }
    let joules: f64 = readings
        .windows(2)
        .map(|pair| (pair[1].0 - pair[0].0) / 1000.0 * (pair[0].1 + pair[1].1) / 2.0)
        .sum();
    Some(joules / 3600.0)
}

pub fn of(points: &[ResourcePoint], samples: u32, stride_s: u32) -> ResourceRollup {
    ResourceRollup {
        samples,
        stride_s,
        cpu_percent: rollup(points.iter().filter_map(|p| p.cpu_percent.map(f64::from))),
        instance_cpu_percent: rollup(
            points
                .iter()
                .filter_map(|p| p.instance_cpu_percent.map(f64::from)),
        ),
        instance_rss_bytes: rollup(
            points
                .iter()
                .filter_map(|p| p.instance_rss_bytes.map(|b| b as f64)),
        ),
        instance_vram_bytes: rollup(
            points
                .iter()
                .filter_map(|p| p.instance_vram_bytes.map(|b| b as f64)),
        ),
        gpu_utilization_percent: rollup(
            points
                .iter()
                .filter_map(|p| p.gpu_utilization_percent.map(f64::from)),
        ),
        gpu_power_watts: rollup(points.iter().filter_map(|p| p.gpu_power_watts)),
        gpu_energy_wh: energy_wh(points),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_roll_up_and_power_integrates_to_energy() {
        let points: Vec<ResourcePoint> = (0..=3600)
            .map(|s| ResourcePoint {
                at_ms: f64::from(s) * 1000.0,
                cpu_percent: Some((s % 100) as f32),
                gpu_power_watts: Some(300.0),
                ..ResourcePoint::default()
            })
            .collect();
        let rolled = of(&points, 3601, 1);
        assert_eq!(rolled.gpu_power_watts.mean, Some(300.0));
        // 300 W for one hour.
        assert!((rolled.gpu_energy_wh.unwrap() - 300.0).abs() < 1e-9);
        assert_eq!(rolled.cpu_percent.max, Some(99.0));
        assert!(rolled.cpu_percent.p95.unwrap() >= 94.0);
        assert_eq!(rolled.instance_rss_bytes, Rollup::default());
        assert_eq!(of(&[], 0, 1).gpu_energy_wh, None);
    }
}
