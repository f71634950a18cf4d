//! The supervisor's GPU readings for placement: the monitor's latest sample, and a model's need
//! from the hub's fit estimate (weights, KV cache and buffers at its context size).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use crate::engine::{EngineKind, GpuSlot, PlacementInputs};
use crate::hub::{FitQuery, FitRequest, FitResources, Hub};
use crate::library::Model;
use crate::monitor::{GpuStatus, SampleContext, SystemMonitor};
use crate::supervisor::PlacementSource;

/// A file's size stands in for its need when the hub cannot read it, plus this share for the
/// KV cache and buffers.
const FILE_SIZE_MARGIN: f64 = 1.2;

pub(crate) struct MonitorPlacement {
    pub monitor: SystemMonitor,
    pub hub: Hub,
}

impl MonitorPlacement {
    /// The GPUs, and what each instance visibly uses on each.
    async fn gpus(&self) -> (Vec<GpuSlot>, HashMap<(String, u32), u64>) {
        let snapshot = match self.monitor.latest() {
            Some(snapshot) => snapshot,
            None => {
                let monitor = self.monitor.clone();
                match tokio::task::spawn_blocking(move || monitor.sample(&SampleContext::default()))
                    .await
                {
                    Ok(snapshot) => snapshot,
                    Err(_) => return Default::default(),
                }
            }
        };
        let GpuStatus::Available { gpus, .. } = snapshot.gpu else {
            return Default::default();
        };
        let mut instance_use = HashMap::new();
        for g in &gpus {
            for p in g.processes.iter().flatten() {
                if let (Some(id), Some(bytes)) = (&p.instance_id, p.used_memory_bytes) {
                    *instance_use.entry((id.clone(), g.index)).or_insert(0) += bytes;
                }
            }
        }
        let slots = gpus
            .iter()
            .filter(|g| !g.lost)
            .filter_map(|g| {
                Some(GpuSlot {
                    index: g.index,
                    total_bytes: g.memory_total_bytes?,
                    free_bytes: g.memory_free_bytes?,
                })
            })
            .collect();
        (slots, instance_use)
    }

    async fn need(&self, model: &Model) -> (Option<u64>, Option<&'static str>) {
        if model.engine != EngineKind::LlamaCpp {
            return (None, None);
        }
        let query = FitQuery {
            path: model.path.clone(),
            fit: Some(FitRequest {
                context_size: Some(model.context_size),
                ..Default::default()
            }),
            engine_check: Some(false),
        };
        let resources = FitResources {
            gpu_free_bytes: Vec::new(),
            ram_available_bytes: 0,
        };
        match self.hub.fit(query, resources).await {
            Ok(report) => (Some(report.estimate.total_bytes), Some("fit_estimate")),
            Err(err) => {
                tracing::debug!(%err, path = %model.path, "no fit estimate; using the file size");
                match tokio::fs::metadata(&model.path).await {
                    Ok(meta) => (
                        Some((meta.len() as f64 * FILE_SIZE_MARGIN) as u64),
                        Some("file_size"),
                    ),
                    Err(_) => (None, None),
                }
            }
        }
    }
}

impl PlacementSource for MonitorPlacement {
    fn inputs<'a>(
        &'a self,
        model: &'a Model,
    ) -> Pin<Box<dyn Future<Output = PlacementInputs> + Send + 'a>> {
        Box::pin(async move {
            let (gpus, instance_use) = self.gpus().await;
            let (need_bytes, need_source) = if gpus.is_empty() {
                (None, None)
            } else {
                self.need(model).await
            };
            PlacementInputs {
                gpus,
                need_bytes,
                need_source,
                instance_use,
            }
        })
    }
}
