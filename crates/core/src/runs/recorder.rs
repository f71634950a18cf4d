//! Turns instance lifetimes into runs: a run is made when an instance is registered, read once a
//! second while it lives, and closed with its exit reason, rollups and request figures when it
//! ends. It follows the event bus, so no start or exit is missed however short; a bus that
//! overflowed is made good from the supervisor's list.

use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;

use super::rollup;
use super::service::{Live, Runs};
use super::types::{ResourceRollup, Run};
use crate::bench::{BenchEnvironment, Series};
use crate::events::Event;
use crate::supervisor::InstanceInfo;
use crate::time::now_ms;

/// Readings of a live run are written this often (and at its end).
const SAVE_EVERY_S: u64 = 30;

impl Runs {
    /// Follows the bus until it closes (the core is dropped).
    pub(super) async fn record(self) {
        let mut events = self.shared.bus.subscribe();
        let mut ticks = tokio::time::interval(Duration::from_secs(1));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Ok(Event::ModelStatusUpdate(info)) => self.on_instance(info).await,
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => self.reconcile().await,
                    Err(RecvError::Closed) => return,
                },
                _ = ticks.tick() => self.read_resources().await,
            }
        }
    }

    /// Starts, updates or closes the instance's run.
    pub(super) async fn on_instance(&self, info: InstanceInfo) {
        let known = self.lock_live().contains_key(&info.id);
        if !known {
            if self.stored_run_ended(&info.id).await {
                return;
            }
            self.begin(&info).await;
        }
        if info.state.is_terminal() {
            self.end(&info).await;
        } else {
            let run = self.lock_live().get_mut(&info.id).map(|live| {
                live.run.state = info.state.name().to_string();
                live.run.clone()
            });
            if let Some(run) = run {
                self.save(&run, None).await;
            }
        }
    }

    async fn stored_run_ended(&self, id: &str) -> bool {
        matches!(super::store::load(&self.shared.store, id).await, Ok(Some((run, _))) if !run.is_live())
    }

    /// A new run with what it runs on.
    async fn begin(&self, info: &InstanceInfo) {
        let supervisor = &self.shared.supervisor;
        let launched = supervisor.launched_model(&info.id);
        let mut environment =
            BenchEnvironment::new().with_instance(info, supervisor.launch_argv(&info.id));
        if let Some(model) = launched.as_ref().filter(|m| m.needs_local_path()) {
            environment = environment.with_model_file(&model.path);
        }
        let environment = environment.with_machine(&self.shared.monitor).await;
        let run = Run {
            id: info.id.clone(),
            model_id: info.model_id.clone(),
            model_name: info.model_name.clone(),
            engine: info.engine.as_str().to_string(),
            state: info.state.name().to_string(),
            exit_reason: None,
            exit_summary: None,
            started_at: info.started_at,
            ended_at: None,
            environment,
            settings: launched
                .map(|m| serde_json::to_value(&m.settings).expect("settings serialise")),
            sweep_id: supervisor.launching_sweep(&info.id),
            rollup: ResourceRollup {
                stride_s: 1,
                ..ResourceRollup::default()
            },
            requests: None,
            tags: Vec::new(),
            notes: String::new(),
        };
        self.lock_live().insert(
            info.id.clone(),
            Live {
                run: run.clone(),
                series: Series::new(),
                samples: 0,
            },
        );
        self.save(&run, Some(&[])).await;
    }

    /// Closes the run: exit reason, rollups, request figures; written with its readings.
    async fn end(&self, info: &InstanceInfo) {
        let Some(live) = self.lock_live().remove(&info.id) else {
            return;
        };
        let mut run = live.run;
        run.state = info.state.name().to_string();
        run.exit_reason = info.state.reason().map(str::to_string);
        run.exit_summary = info.state.failure_codes().0.cloned();
        run.ended_at = Some(info.updated_at.max(run.started_at));
        run.rollup = rollup::of(&live.series.points, live.samples, live.series.stride);
        // Requests the exit cut off are recorded a moment later: counted with the rest.
        self.shared.gateway.flush_records().await;
        run.requests = self.request_stats(&run).await;
        self.save(&run, Some(&live.series.points)).await;
    }

    /// After the bus overflowed: runs for instances not seen yet, and ends for those gone.
    async fn reconcile(&self) {
        let instances = self.shared.supervisor.list();
        for info in &instances {
            self.on_instance(info.clone()).await;
        }
        let vanished: Vec<String> = self
            .lock_live()
            .keys()
            .filter(|id| !instances.iter().any(|i| &i.id == *id))
            .cloned()
            .collect();
        for id in vanished {
            self.end_vanished(&id).await;
        }
    }

    /// One reading per live run from the monitor (its latest sample, or one taken now).
    async fn read_resources(&self) {
        if self.lock_live().is_empty() {
            return;
        }
        let Some(snapshot) =
            crate::bench::snapshot(&self.shared.monitor, &self.shared.supervisor).await
        else {
            return;
        };
        let now = now_ms();
        let mut due = Vec::new();
        for (id, live) in self.lock_live().iter_mut() {
            let elapsed_ms = (now - live.run.started_at).max(0);
            let tick = (elapsed_ms / 1000) as u64;
            live.series.push(
                tick,
                crate::bench::resource_point(&snapshot, Some(id), elapsed_ms as f64),
            );
            live.samples += 1;
            if u64::from(live.samples).is_multiple_of(SAVE_EVERY_S) {
                live.run.rollup = rollup::of(&live.series.points, live.samples, live.series.stride);
                due.push((live.run.clone(), live.series.points.clone()));
            }
        }
        for (run, points) in due {
            self.save(&run, Some(&points)).await;
        }
    }
}
