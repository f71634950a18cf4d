//! The machine while a benchmark runs: once a second, the system's CPU, the measured instance's
//! CPU, memory and VRAM, and the GPUs' load and power, from the monitor. A long benchmark keeps
//! at most [`MAX_POINTS`]: when full, every other point goes and the interval doubles, so a
//! record stays bounded however long it runs (an hour at 1 Hz is 3,600 points, about 0.3 MB).

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::monitor::{GpuStatus, SampleContext, SystemMonitor, SystemSnapshot};
use crate::supervisor::Supervisor;
use crate::time::now_ms;

pub const MAX_POINTS: usize = 7200;
const EVERY: Duration = Duration::from_secs(1);
/// A monitor sample this recent is used as it is; an older one means the sampler is not
/// running (a test, a core without background tasks), and one is taken.
const FRESH_MS: i64 = 1500;

/// One reading (`null` where the machine or the driver does not say).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct ResourcePoint {
    /// Since the benchmark started.
    pub at_ms: f64,
    pub cpu_percent: Option<f32>,
    /// Of one core: 200 means two cores busy.
    pub instance_cpu_percent: Option<f32>,
    #[ts(type = "number | null")]
    pub instance_rss_bytes: Option<u64>,
    #[ts(type = "number | null")]
    pub instance_vram_bytes: Option<u64>,
    /// The busiest GPU.
    pub gpu_utilization_percent: Option<u32>,
    /// All GPUs together.
    pub gpu_power_watts: Option<f64>,
}

/// Points at a sampling interval that doubles when they would exceed [`MAX_POINTS`].
#[derive(Debug, Default)]
pub struct Series {
    pub points: Vec<ResourcePoint>,
    /// How many seconds apart points are taken now.
    pub stride: u32,
}

impl Series {
    pub fn new() -> Series {
        Series {
            points: Vec::new(),
            stride: 1,
        }
    }

    /// Adds a reading taken at `tick` (seconds from the start); keeps one per stride.
    pub fn push(&mut self, tick: u64, point: ResourcePoint) {
        if tick % u64::from(self.stride) != 0 {
            return;
        }
        if self.points.len() == MAX_POINTS {
            let kept: Vec<ResourcePoint> = self.points.iter().step_by(2).cloned().collect();
            self.points = kept;
            self.stride *= 2;
            if tick % u64::from(self.stride) != 0 {
                return;
            }
        }
        self.points.push(point);
    }
}

pub fn point(snapshot: &SystemSnapshot, instance_id: Option<&str>, at_ms: f64) -> ResourcePoint {
    let instance =
        instance_id.and_then(|id| snapshot.instances.iter().find(|i| i.instance_id == id));
    let (utilization, power) = match &snapshot.gpu {
        GpuStatus::Available { gpus, .. } if !gpus.is_empty() => (
            gpus.iter().filter_map(|g| g.utilization_percent).max(),
            gpus.iter()
                .filter_map(|g| g.power_watts)
                .reduce(|a, b| a + b),
        ),
        _ => (None, None),
    };
    ResourcePoint {
        at_ms,
        cpu_percent: Some(snapshot.cpu.usage_percent),
        instance_cpu_percent: instance.and_then(|i| i.cpu_percent),
        instance_rss_bytes: instance.and_then(|i| i.rss_bytes),
        instance_vram_bytes: instance.and_then(|i| i.gpu_memory_bytes),
        gpu_utilization_percent: utilization,
        gpu_power_watts: power,
    }
}

/// The monitor's latest sample when fresh, else one taken now (with the live instances).
pub async fn snapshot(monitor: &SystemMonitor, supervisor: &Supervisor) -> Option<SystemSnapshot> {
    if let Some(latest) = monitor.latest().filter(|s| now_ms() - s.at <= FRESH_MS) {
        return Some(latest);
    }
    let (monitor, instances) = (monitor.clone(), supervisor.list());
    tokio::task::spawn_blocking(move || {
        monitor.sample(&SampleContext {
            instances,
            model_paths: Vec::new(),
        })
    })
    .await
    .ok()
}

/// Samples once a second until `done`, handing each point to `keep`.
pub async fn follow(
    monitor: SystemMonitor,
    supervisor: Supervisor,
    instance_id: Option<String>,
    done: CancellationToken,
    keep: impl Fn(u64, ResourcePoint),
) {
    let started = Instant::now();
    let mut ticks = tokio::time::interval(EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = done.cancelled() => return,
            _ = ticks.tick() => {}
        }
        let Some(snapshot) = snapshot(&monitor, &supervisor).await else {
            continue;
        };
        let elapsed = started.elapsed();
        keep(
            elapsed.as_secs(),
            point(
                &snapshot,
                instance_id.as_deref(),
                elapsed.as_secs_f64() * 1000.0,
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full_point(at: u64) -> ResourcePoint {
        ResourcePoint {
            at_ms: at as f64 * 1000.0,
            cpu_percent: Some(55.5),
            instance_cpu_percent: Some(180.25),
            instance_rss_bytes: Some(7_000_000_000),
            instance_vram_bytes: Some(80_000_000_000),
            gpu_utilization_percent: Some(97),
            gpu_power_watts: Some(612.5),
        }
    }

    #[test]
    fn an_hour_at_1_hz_is_well_under_5_mb_and_a_day_stays_bounded() {
        let mut hour = Series::new();
        for tick in 0..3600 {
            hour.push(tick, full_point(tick));
        }
        assert_eq!((hour.points.len(), hour.stride), (3600, 1));
        let bytes = serde_json::to_string(&hour.points).unwrap().len();
        assert!(bytes < 5 * 1024 * 1024, "{bytes} bytes");
        let mut day = Series::new();
        for tick in 0..86_400 {
            day.push(tick, full_point(tick));
        }
        assert!(day.points.len() <= MAX_POINTS, "{}", day.points.len());
        assert_eq!(day.stride, 16);
        let last = day.points.last().unwrap().at_ms;
        assert!(last >= 86_000_000.0, "covers the whole day: {last}");
        let gaps: Vec<f64> = day
            .points
            .windows(2)
            .map(|w| w[1].at_ms - w[0].at_ms)
            .collect();
        assert!(gaps.iter().all(|g| *g > 0.0), "in order");
        println!(
            "1 h at 1 Hz: {bytes} bytes; 24 h: {} points",
            day.points.len()
        );
    }
}
