//! The runs service: every instance lifetime recorded (see `recorder.rs`), listed, opened,
//! tagged, compared and exported.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use super::error::RunsError;
use super::rollup;
use super::store;
use super::types::{Run, RunDetail, RunExportRequest, RunPatch, RunQuery};
use crate::bench::{Bench, BenchmarkExport, ResourcePoint, Series};
use crate::events::{Event, EventBus};
use crate::gateway::{Gateway, InstanceRequestStats};
use crate::monitor::SystemMonitor;
use crate::store::Store;
use crate::supervisor::Supervisor;
use crate::time::now_ms;

const MAX_TAGS: usize = 20;
const MAX_TAG: usize = 60;
const MAX_NOTES: usize = 10_000;
const MAX_EXPORTED: usize = 50;

/// A cheap-clone handle; every clone sees the same live runs.
#[derive(Clone)]
pub struct Runs {
    pub(super) shared: Arc<Shared>,
}

pub(super) struct Shared {
    pub store: Store,
    pub bus: EventBus,
    pub supervisor: Supervisor,
    pub monitor: SystemMonitor,
    pub gateway: Gateway,
    pub bench: Bench,
    /// Runs whose instance lives, by instance id. Held only to read or change an entry, never
    /// across an await: the recorder and the operations both use it.
    live: Mutex<HashMap<String, Live>>,
}

/// A live run with its readings so far.
pub(super) struct Live {
    pub run: Run,
    pub series: Series,
    pub samples: u32,
}

impl Runs {
    /// Opens the service: runs a previous process of the app left open are closed (their end
    /// is their last reading), then the recorder starts following the bus.
    pub async fn open(
        store: Store,
        bus: EventBus,
        supervisor: Supervisor,
        monitor: SystemMonitor,
        gateway: Gateway,
        bench: Bench,
    ) -> Result<Runs, RunsError> {
        let runs = Runs {
            shared: Arc::new(Shared {
                store,
                bus,
                supervisor,
                monitor,
                gateway,
                bench,
                live: Mutex::new(HashMap::new()),
            }),
        };
        for id in store::unfinished(&runs.shared.store).await? {
            runs.end_vanished(&id).await;
        }
        tokio::spawn(runs.clone().record());
        Ok(runs)
    }

    /// Runs, newest first, without their readings.
    pub async fn list(&self, query: RunQuery) -> Result<Vec<Run>, RunsError> {
        let limit = query.limit.unwrap_or(200).clamp(1, 1000);
        let mut runs = store::list(&self.shared.store, &query, limit).await?;
        let live = self.lock_live();
        for run in &mut runs {
            if let Some(now) = live.get(&run.id) {
                *run = now.run.clone();
            }
        }
        Ok(runs)
    }

    /// A run with its readings and benchmarks (request figures are counted now while it runs).
    pub async fn get(&self, id: &str) -> Result<RunDetail, RunsError> {
        let live = self.lock_live().get(id).map(|l| {
            (
                l.run.clone(),
                l.series.points.clone(),
                l.samples,
                l.series.stride,
            )
        });
        let (mut run, resources) = match live {
            Some((mut run, points, samples, stride)) => {
                run.rollup = rollup::of(&points, samples, stride);
                (run, points)
            }
            None => store::load(&self.shared.store, id)
                .await?
                .ok_or_else(|| RunsError::NotFound(id.to_string()))?,
        };
        if run.is_live() {
            run.requests = self.request_stats(&run).await;
        }
        let benchmarks = self
            .shared
            .bench
            .list_for_instance(id)
            .await
            .unwrap_or_default();
        Ok(RunDetail {
            run,
            resources,
            benchmarks,
        })
    }

    /// Sets a run's tags or notes.
    pub async fn update(&self, id: &str, patch: RunPatch) -> Result<Run, RunsError> {
        let tags = patch.tags.map(clean_tags).transpose()?;
        if patch.notes.as_ref().is_some_and(|n| n.len() > MAX_NOTES) {
            return Err(RunsError::InvalidInput(format!(
                "notes are at most {MAX_NOTES} bytes"
            )));
        }
        let apply = |run: &mut Run| {
            if let Some(tags) = &tags {
                run.tags = tags.clone();
            }
            if let Some(notes) = &patch.notes {
                run.notes = notes.clone();
            }
        };
        let live = self.lock_live().get_mut(id).map(|l| {
            apply(&mut l.run);
            l.run.clone()
        });
        let run = match live {
            Some(run) => run,
            None => {
                let (mut run, _) = store::load(&self.shared.store, id)
                    .await?
                    .ok_or_else(|| RunsError::NotFound(id.to_string()))?;
                apply(&mut run);
                run
            }
        };
        self.save(&run, None).await;
        Ok(run)
    }

    /// Deletes a finished run (its benchmarks stay).
    pub async fn delete(&self, id: &str) -> Result<(), RunsError> {
        if let Some(live) = self.lock_live().get(id) {
            return Err(RunsError::StillRunning {
                model: live.run.model_name.clone(),
            });
        }
        if !store::delete(&self.shared.store, id).await? {
            return Err(RunsError::NotFound(id.to_string()));
        }
        Ok(())
    }

    /// One run, or a comparison of several, as Markdown, CSV, JSON or a self-contained HTML page.
    pub async fn export(&self, request: RunExportRequest) -> Result<BenchmarkExport, RunsError> {
        if request.ids.is_empty() || request.ids.len() > MAX_EXPORTED {
            return Err(RunsError::InvalidInput(format!(
                "export 1 to {MAX_EXPORTED} runs"
            )));
        }
        let mut details = Vec::with_capacity(request.ids.len());
        for id in &request.ids {
            details.push(self.get(id).await?);
        }
        Ok(super::report::export(&details, request.format))
    }

    /// [`Runs::export`] saved as a file in `dir`, or in Downloads (else home) when `None`;
    /// answers its path (the desktop app's export).
    pub async fn save_export(
        &self,
        request: RunExportRequest,
        dir: Option<&Path>,
    ) -> Result<String, RunsError> {
        self.export(request)
            .await?
            .save(dir)
            .map_err(RunsError::SaveFailed)
    }

    /// Closes every live run whose instance has ended (at shutdown, after the stops, before
    /// the recorder could see their events).
    pub async fn close_ended(&self) {
        let ids: Vec<String> = self.lock_live().keys().cloned().collect();
        for id in ids {
            match self.shared.supervisor.get(&id) {
                Ok(info) if info.state.is_terminal() => self.on_instance(info).await,
                Ok(_) => {}
                Err(_) => self.end_vanished(&id).await,
            }
        }
    }

    /// Closes a run whose instance is gone without a last event (a previous process of the app,
    /// or a bus that overflowed): it ended at its last reading.
    pub(super) async fn end_vanished(&self, id: &str) {
        let live = self.lock_live().remove(id);
        let (mut run, points, samples, stride) = match live {
            Some(live) => (
                live.run,
                live.series.points,
                live.samples,
                live.series.stride,
            ),
            None => match store::load(&self.shared.store, id).await {
                Ok(Some((run, points))) => {
                    let stride = run.rollup.stride_s.max(1);
                    (run, points, 0, stride)
                }
                _ => return,
            },
        };
        let last_reading = points.last().map(|p| run.started_at + p.at_ms as i64);
        run.ended_at = Some(last_reading.unwrap_or_else(now_ms).max(run.started_at));
        run.state = "stopped".into();
        run.exit_reason.get_or_insert_with(|| {
            "llmops stopped while it ran; its end is its last reading".into()
        });
        let samples = samples.max(points.len() as u32);
        run.rollup = rollup::of(&points, samples, stride);
        run.requests = self.request_stats(&run).await;
        self.save(&run, Some(&points)).await;
    }

    pub(super) async fn request_stats(&self, run: &Run) -> Option<InstanceRequestStats> {
        let span = (run.started_at, run.ended_at.unwrap_or_else(now_ms));
        self.shared
            .gateway
            .instance_stats(&run.model_id, &run.id, span)
            .await
            .inspect_err(
                |err| tracing::warn!(%err, run = %run.id, "could not count a run's requests"),
            )
            .ok()
    }

    /// Writes the run (and its readings when given) and publishes it; a failed write is logged,
    /// as the recorder has no caller to tell.
    pub(super) async fn save(&self, run: &Run, resources: Option<&[ResourcePoint]>) {
        if let Err(err) = store::save(&self.shared.store, run, resources).await {
            tracing::error!(%err, run = %run.id, "could not save a run");
        }
        self.shared
            .bus
            .publish(Event::RunUpdate(Box::new(run.clone())));
    }

    pub(super) fn lock_live(&self) -> MutexGuard<'_, HashMap<String, Live>> {
        self.shared.live.lock().expect("runs lock")
    }
}

/// Trimmed, unique, non-empty, bounded tags.
fn clean_tags(tags: Vec<String>) -> Result<Vec<String>, RunsError> {
    let mut kept: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.trim().to_string();
        if tag.chars().count() > MAX_TAG {
            return Err(RunsError::InvalidInput(format!(
                "a tag is at most {MAX_TAG} characters"
            )));
        }
        if !tag.is_empty() && !kept.contains(&tag) {
            kept.push(tag);
        }
    }
    if kept.len() > MAX_TAGS {
        return Err(RunsError::InvalidInput(format!(
            "a run has at most {MAX_TAGS} tags"
        )));
    }
    Ok(kept)
}
