//! Keeps what the gateway measured: in-progress requests in memory, finished ones in SQLite
//! (written in batches by one task), the Prometheus series, and an event for the live list.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use super::error::GatewayError;
use super::meter::{Measured, MAX_LOGGED_BODY};
use super::metrics::GatewayMetrics;
use super::store;
use super::types::{RequestOutcome, RequestRecord};
use crate::error::CodedError;
use crate::events::{Event, EventBus};
use crate::store::Store;
use crate::time::now_ms;

/// Finished records waiting to be written; beyond this they are counted as lost, never queued
/// without bound.
const WRITE_QUEUE: usize = 16 * 1024;
/// Records written in one transaction at most.
const WRITE_BATCH: usize = 512;
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

#[derive(Clone)]
pub struct Recorder {
    inner: Arc<Inner>,
}

struct Inner {
    sender: mpsc::Sender<RequestRecord>,
    metrics: GatewayMetrics,
    /// Requests not finished yet, by id: the live list. Locked briefly per begin/end/read.
    in_progress: Mutex<HashMap<String, RequestRecord>>,
    bus: EventBus,
    lost: AtomicU64,
    /// Records handed to the writer and not yet written (for a flush before exit).
    unwritten: Arc<AtomicU64>,
}

impl Recorder {
    /// The recorder and what its writer task reads (see [`write_records`]).
    pub fn new(bus: EventBus) -> (Recorder, Unwritten) {
        let (sender, receiver) = mpsc::channel(WRITE_QUEUE);
        let unwritten = Arc::new(AtomicU64::new(0));
        let recorder = Recorder {
            inner: Arc::new(Inner {
                sender,
                metrics: GatewayMetrics::default(),
                in_progress: Mutex::new(HashMap::new()),
                bus,
                lost: AtomicU64::new(0),
                unwritten: unwritten.clone(),
            }),
        };
        (
            recorder,
            Unwritten {
                receiver,
                count: unwritten,
            },
        )
    }

    /// Waits (at most `patience`) until every finished record is in the database: before exit.
    pub async fn flush(&self, patience: Duration) {
        let deadline = tokio::time::Instant::now() + patience;
        while self.inner.unwritten.load(Ordering::SeqCst) > 0 {
            if tokio::time::Instant::now() >= deadline {
                tracing::warn!(
                    records = self.inner.unwritten.load(Ordering::SeqCst),
                    "request records not written before exit"
                );
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub fn metrics(&self) -> &GatewayMetrics {
        &self.inner.metrics
    }

    fn in_progress(&self) -> std::sync::MutexGuard<'_, HashMap<String, RequestRecord>> {
        self.inner
            .in_progress
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// The requests being answered now, newest first.
    pub fn live(&self) -> Vec<RequestRecord> {
        let mut live: Vec<RequestRecord> = self.in_progress().values().cloned().collect();
        live.sort_by(|a, b| b.received_at.cmp(&a.received_at));
        live
    }

    fn begin(&self, record: &RequestRecord) {
        self.in_progress().insert(record.id.clone(), record.clone());
        self.inner
            .bus
            .publish(Event::GatewayRequest(without_bodies(record)));
    }

    fn end(&self, record: RequestRecord, gaps_ms: &[f64]) {
        self.in_progress().remove(&record.id);
        self.inner.metrics.record(&record, gaps_ms);
        self.inner
            .bus
            .publish(Event::GatewayRequest(without_bodies(&record)));
        self.inner.unwritten.fetch_add(1, Ordering::SeqCst);
        if self.inner.sender.try_send(record).is_err() {
            self.inner.unwritten.fetch_sub(1, Ordering::SeqCst);
            let lost = self.inner.lost.fetch_add(1, Ordering::Relaxed) + 1;
            if lost.is_power_of_two() {
                tracing::warn!(
                    lost,
                    "request records could not be written fast enough; some were not kept"
                );
            }
        }
    }
}

fn without_bodies(record: &RequestRecord) -> RequestRecord {
    let mut copy = record.clone();
    copy.request_body = None;
    copy.response_body = None;
    copy
}

/// The writer's end: finished records, and how many are not written yet.
pub struct Unwritten {
    receiver: mpsc::Receiver<RequestRecord>,
    count: Arc<AtomicU64>,
}

/// Writes finished records in batches and prunes old ones every hour.
pub async fn write_records(store: Store, unwritten: Unwritten, retention_days: impl Fn() -> u32) {
    let Unwritten {
        mut receiver,
        count,
    } = unwritten;
    let mut pruned_at: Option<std::time::Instant> = None;
    let mut batch = Vec::with_capacity(WRITE_BATCH);
    while receiver.recv_many(&mut batch, WRITE_BATCH).await > 0 {
        if let Err(err) = store::insert_records(&store, &batch).await {
            tracing::error!(%err, records = batch.len(), "could not write request records");
        }
        count.fetch_sub(batch.len() as u64, Ordering::SeqCst);
        batch.clear();
        if pruned_at.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
            pruned_at = Some(std::time::Instant::now());
            let before = now_ms() - i64::from(retention_days()) * 86_400_000;
            match store::prune(&store, before).await {
                Ok(0) => {}
                Ok(rows) => tracing::info!(rows, "pruned old request records"),
                Err(err) => tracing::error!(%err, "could not prune request records"),
            }
        }
    }
}

/// A request's record from its arrival until it is handed over finished. Dropped unfinished
/// (the client went away), it is kept as `client_closed` with what was measured.
pub struct RecordDraft {
    inner: Option<(RequestRecord, Recorder)>,
}

impl RecordDraft {
    pub fn new(recorder: Recorder, endpoint: &str, client: &str) -> RecordDraft {
        let record = RequestRecord {
            id: uuid::Uuid::new_v4().to_string(),
            received_at: now_ms(),
            model: String::new(),
            model_id: None,
            model_name: None,
            instance_id: None,
            client: client.chars().take(200).collect(),
            endpoint: endpoint.chars().take(200).collect(),
            streamed: false,
            status: 0,
            outcome: RequestOutcome::InProgress,
            error: None,
            start_wait_ms: None,
            queue_ms: None,
            ttft_ms: None,
            e2el_ms: None,
            tpot_ms: None,
            itl_p50_ms: None,
            itl_p95_ms: None,
            itl_max_ms: None,
            prompt_tokens: None,
            completion_tokens: None,
            cached_tokens: None,
            tokens_counted: false,
            request_body: None,
            response_body: None,
        };
        RecordDraft {
            inner: Some((record, recorder)),
        }
    }

    /// The record being filled in.
    pub fn record(&mut self) -> &mut RequestRecord {
        &mut self
            .inner
            .as_mut()
            .expect("a draft is used until it ends")
            .0
    }

    pub fn log_request_body(&mut self, body: &[u8]) {
        let kept = &body[..body.len().min(MAX_LOGGED_BODY)];
        self.record().request_body = Some(String::from_utf8_lossy(kept).into_owned());
    }

    /// Shows the request in the live list.
    pub fn announce(&mut self) {
        if let Some((record, recorder)) = &self.inner {
            recorder.begin(record);
        }
    }

    /// Moves the draft (e.g. into the response body that finishes it).
    pub fn take(&mut self) -> RecordDraft {
        RecordDraft {
            inner: self.inner.take(),
        }
    }

    /// Refused before an engine was asked.
    pub fn reject(mut self, err: &GatewayError) {
        if let Some((mut record, recorder)) = self.inner.take() {
            record.status = err.http_status();
            record.outcome = RequestOutcome::Rejected;
            record.error = Some(err.body());
            record.e2el_ms = Some((now_ms() - record.received_at) as f64);
            recorder.end(record, &[]);
        }
    }

    /// The response ended (or was cut): keeps it with its measurements.
    pub fn finish(
        mut self,
        outcome: RequestOutcome,
        measured: Measured,
        error: Option<&GatewayError>,
    ) {
        let Some((mut record, recorder)) = self.inner.take() else {
            return;
        };
        record.outcome = outcome;
        record.error = error.map(|e| e.body());
        record.ttft_ms = measured.ttft_ms;
        record.e2el_ms = measured.e2el_ms;
        record.tpot_ms = measured.tpot_ms;
        record.itl_p50_ms = measured.itl_p50_ms;
        record.itl_p95_ms = measured.itl_p95_ms;
        record.itl_max_ms = measured.itl_max_ms;
        record.prompt_tokens = measured.prompt_tokens;
        record.completion_tokens = measured.completion_tokens;
        record.cached_tokens = measured.cached_tokens;
        record.tokens_counted = measured.tokens_counted;
        record.response_body = measured.body;
        recorder.end(record, &measured.gaps_ms);
    }
}

impl Drop for RecordDraft {
    fn drop(&mut self) {
        if let Some((mut record, recorder)) = self.inner.take() {
            record.outcome = RequestOutcome::ClientClosed;
            record.e2el_ms = Some((now_ms() - record.received_at) as f64);
            recorder.end(record, &[]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::types::RequestQuery;

    #[tokio::test]
    async fn a_flush_returns_once_every_finished_record_is_in_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).await.unwrap();
        let (recorder, unwritten) = Recorder::new(EventBus::default());
        tokio::spawn(write_records(store.clone(), unwritten, || 14));
        for _ in 0..300 {
            let mut draft = RecordDraft::new(recorder.clone(), "/chat/completions", "test");
            draft.record().model = "m".into();
            draft.finish(RequestOutcome::Ok, Default::default(), None);
        }
        recorder.flush(Duration::from_secs(10)).await;
        let kept = store::records(&store, &RequestQuery::default(), 1000)
            .await
            .unwrap();
        assert_eq!(kept.len(), 300);
    }
}
