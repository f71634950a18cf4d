use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::gpu::{GpuBackend, NvidiaBackend};
use super::snapshot::SystemSnapshot;
use super::system::SystemProbe;
use crate::config::CoreConfig;
use crate::events::{Event, EventBus};
use crate::time::now_ms;

struct Probes {
    system: SystemProbe,
    gpu: Box<dyn GpuBackend>,
}

/// The one sampler of the app. Cheap to clone.
#[derive(Clone)]
pub struct SystemMonitor {
    probes: Arc<Mutex<Probes>>,
    latest: Arc<Mutex<Option<SystemSnapshot>>>,
}

impl SystemMonitor {
    pub fn new(config: &CoreConfig) -> Self {
        Self::with_gpu_backend(Box::new(NvidiaBackend::new(config.nvml_lib.as_deref())))
    }

    pub fn with_gpu_backend(gpu: Box<dyn GpuBackend>) -> Self {
        SystemMonitor {
            probes: Arc::new(Mutex::new(Probes {
                system: SystemProbe::new(),
                gpu,
            })),
            latest: Arc::new(Mutex::new(None)),
        }
    }

    /// Takes a fresh sample now (blocking: NVML and /proc reads).
    pub fn sample(&self) -> SystemSnapshot {
        let mut probes = self.probes.lock().unwrap_or_else(|p| p.into_inner());
        let (cpu, memory) = probes.system.sample();
        let gpu = probes.gpu.sample();
        let snapshot = SystemSnapshot {
            at: now_ms(),
            hostname: sysinfo::System::host_name().unwrap_or_default(),
            cpu,
            memory,
            gpu,
        };
        *self.latest.lock().unwrap_or_else(|p| p.into_inner()) = Some(snapshot.clone());
        snapshot
    }

    /// The latest sample, or a fresh one before the sampler's first tick.
    pub async fn snapshot(&self) -> SystemSnapshot {
        if let Some(latest) = self
            .latest
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            return latest;
        }
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.sample())
            .await
            .expect("sampling does not panic")
    }

    /// Samples every `interval` and publishes each sample, until the runtime shuts down.
    pub fn spawn_sampler(&self, bus: EventBus, interval: Duration) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                ticker.tick().await;
                let sampler = this.clone();
                match tokio::task::spawn_blocking(move || sampler.sample()).await {
                    Ok(snapshot) => bus.publish(Event::SystemMetricsUpdate(snapshot)),
                    Err(err) => tracing::error!(%err, "system sample failed"),
                }
            }
        })
    }
}
