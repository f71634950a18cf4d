//! One typed event bus. Services publish; adapters subscribe and forward every event to the UI
//! (Tauri events in the desktop app, the `/api/ws` WebSocket in a browser).

use serde::Serialize;
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::alerts::Alert;
use crate::gateway::RequestRecord;
use crate::library::Model;
use crate::monitor::SystemSnapshot;
use crate::supervisor::InstanceInfo;

/// Everything the UI is told without asking, tagged by `type` (names that are part of the API:
/// the WebSocket `/api/ws` and the desktop's `llmops://event` carry them).
#[derive(Debug, Clone, Serialize, TS, schemars::JsonSchema)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum Event {
    /// An instance changed state (Pending, Starting, Running, Stopping, Stopped, Failed).
    ModelStatusUpdate(InstanceInfo),
    /// The model list changed (added, removed).
    ModelsChanged(Vec<Model>),
    /// A new sample of the machine: GPUs, CPU, memory, disks, network, instances, and the same
    /// as flat series. (Named for its first content, the GPUs; it carries the whole snapshot.)
    GpuMetricsUpdate(SystemSnapshot),
    /// An alert was raised, or cleared (`cleared_at` set).
    SystemAlert(Alert),
    /// A request through `/v1` began or ended (its record, without bodies).
    GatewayRequest(RequestRecord),
    /// A hub download changed state or made progress (at most twice a second).
    DownloadUpdate(crate::hub::Download),
    /// Model files appeared, changed or went in a folder the hub indexes: list them again.
    LocalModelsChanged,
    /// A benchmark started, made progress (at most twice a second) or ended; without its
    /// per-request samples.
    BenchmarkUpdate(Box<crate::bench::Benchmark>),
    /// A run began, changed state, took readings (every 30 s) or ended; without its readings.
    RunUpdate(Box<crate::runs::Run>),
    /// A sweep started, moved to its next configuration, or ended.
    SweepUpdate(Box<crate::sweeps::Sweep>),
    /// An engine runtime began downloading, is unpacking, was installed or failed (its download's
    /// progress comes as `download_update`).
    EngineRuntimeUpdate(Box<crate::runtimes::EngineRuntime>),
    /// Where a start of a model was placed: its GPUs (or none, or all) and why.
    ResourceSchedule(crate::supervisor::GpuSchedule),
}

const CAPACITY: usize = 1024;

#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Event>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus {
            sender: broadcast::channel(CAPACITY).0,
        }
    }
}

impl EventBus {
    pub fn publish(&self, event: Event) {
        // No subscriber is a normal state (no window open, no browser connected).
        let _ = self.sender.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}
