use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;

use super::accumulate::Acc;
use super::series;
use super::types::{History, HistoryPoint, HistoryRange, HistorySeries};
use crate::monitor::SystemSnapshot;
use crate::store::{Rollup, Store, StoreError};

const MINUTE_MS: i64 = 60_000;
/// Full-rate samples kept in memory.
const IN_MEMORY_MS: i64 = 60 * MINUTE_MS;
/// Unwritten rollups kept when the database refuses writes, before the oldest are dropped.
const MAX_PENDING: usize = 100_000;

struct Frame {
    at: i64,
    values: Vec<(String, f64)>,
}

#[derive(Default)]
struct Inner {
    frames: VecDeque<Frame>,
    /// The minute being accumulated and its series.
    minute: Option<(i64, HashMap<String, Acc>)>,
    /// Finished minutes not yet written.
    pending: Vec<Rollup>,
}

/// Metric history: the last hour at full rate in memory; one-minute rollups in SQLite, written
/// in batches ([`MetricHistory::flush`]) and pruned after the retention period.
pub struct MetricHistory {
    store: Store,
    sample_interval_ms: i64,
    retention_ms: i64,
    inner: Mutex<Inner>,
}

impl MetricHistory {
    pub fn new(store: Store, sample_interval_ms: i64, retention_days: u32) -> Self {
        MetricHistory {
            store,
            sample_interval_ms,
            retention_ms: retention_days as i64 * 24 * 60 * MINUTE_MS,
            inner: Mutex::new(Inner::default()),
        }
    }

    pub fn record_snapshot(&self, snapshot: &SystemSnapshot) {
        self.record(snapshot.at, series::extract(snapshot));
    }

    /// Adds one sample (cheap, no I/O).
    pub fn record(&self, at: i64, values: Vec<(String, f64)>) {
        let mut inner = self.lock();
        let minute = at - at.rem_euclid(MINUTE_MS);
        if inner.minute.as_ref().is_some_and(|(m, _)| *m != minute) {
            finish_minute(&mut inner);
        }
        let (_, accs) = inner.minute.get_or_insert_with(|| (minute, HashMap::new()));
        for (key, value) in &values {
            match accs.get_mut(key) {
                Some(acc) => acc.add(*value),
                None => {
                    accs.insert(key.clone(), Acc::new(*value));
                }
            }
        }
        inner.frames.push_back(Frame { at, values });
        while inner.frames.front().is_some_and(|f| f.at < at - IN_MEMORY_MS) {
            inner.frames.pop_front();
        }
    }

    /// Writes finished minutes in one transaction. With `including_current`, the minute in
    /// progress too (on shutdown; a later write of the same minute merges with it).
    pub async fn flush(&self, including_current: bool) -> Result<usize, StoreError> {
        let rows = {
            let mut inner = self.lock();
            if including_current {
                finish_minute(&mut inner);
            }
            std::mem::take(&mut inner.pending)
        };
        match self.store.write_rollups(&rows).await {
            Ok(()) => Ok(rows.len()),
            Err(err) => {
                let mut inner = self.lock();
                let mut kept = rows;
                kept.append(&mut inner.pending);
                let excess = kept.len().saturating_sub(MAX_PENDING);
                kept.drain(..excess);
                inner.pending = kept;
                Err(err)
            }
        }
    }

    /// Deletes rollups past the retention period.
    pub async fn prune(&self, now: i64) -> Result<u64, StoreError> {
        self.store.prune_rollups(now - self.retention_ms).await
    }

    pub async fn query(&self, range: HistoryRange, keys: Option<&[String]>, now: i64) -> Result<History, StoreError> {
        let from = now - range.duration_ms();
        let step_ms = range.step_ms(self.sample_interval_ms);
        let wanted = |key: &str| keys.is_none_or(|k| k.is_empty() || k.iter().any(|w| w == key));
        let series = match range {
            HistoryRange::FifteenMinutes | HistoryRange::OneHour => self.from_memory(from, &wanted),
            HistoryRange::OneDay | HistoryRange::SevenDays => {
                let mut buckets: BTreeMap<String, BTreeMap<i64, Acc>> = BTreeMap::new();
                for row in self.store.read_rollups(from - from.rem_euclid(step_ms), now + 1, step_ms, keys).await? {
                    let acc = Acc { min: row.min, max: row.max, sum: row.avg * row.count as f64, count: row.count };
                    merge_into(&mut buckets, row.series, row.minute, step_ms, acc);
                }
                self.merge_unwritten(&mut buckets, from, step_ms, &wanted);
                to_series(buckets)
            }
        };
        Ok(History { range, step_ms, from, to: now, series })
    }

    fn from_memory(&self, from: i64, wanted: &dyn Fn(&str) -> bool) -> Vec<HistorySeries> {
        let inner = self.lock();
        let mut by_key: BTreeMap<&str, Vec<HistoryPoint>> = BTreeMap::new();
        for frame in inner.frames.iter().filter(|f| f.at >= from) {
            for (key, value) in frame.values.iter().filter(|(k, _)| wanted(k)) {
                by_key.entry(key).or_default().push(HistoryPoint { t: frame.at, min: *value, avg: *value, max: *value });
            }
        }
        by_key.into_iter().map(|(key, points)| HistorySeries { key: key.to_string(), points }).collect()
    }

    /// Minutes not yet in the database (pending and in progress) belong in long ranges too.
    fn merge_unwritten(&self, buckets: &mut BTreeMap<String, BTreeMap<i64, Acc>>, from: i64, step_ms: i64, wanted: &dyn Fn(&str) -> bool) {
        let inner = self.lock();
        for row in inner.pending.iter().filter(|r| r.minute >= from && wanted(&r.series)) {
            let acc = Acc { min: row.min, max: row.max, sum: row.avg * row.count as f64, count: row.count };
            merge_into(buckets, row.series.clone(), row.minute, step_ms, acc);
        }
        if let Some((minute, accs)) = inner.minute.as_ref().filter(|(m, _)| *m >= from) {
            for (key, acc) in accs.iter().filter(|(k, _)| wanted(k)) {
                merge_into(buckets, key.clone(), *minute, step_ms, *acc);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn finish_minute(inner: &mut Inner) {
    let Some((minute, accs)) = inner.minute.take() else { return };
    inner.pending.extend(accs.into_iter().map(|(series, acc)| Rollup {
        minute,
        series,
        min: acc.min,
        avg: acc.avg(),
        max: acc.max,
        count: acc.count,
    }));
}

fn merge_into(buckets: &mut BTreeMap<String, BTreeMap<i64, Acc>>, key: String, t: i64, step_ms: i64, acc: Acc) {
    let bucket = t - t.rem_euclid(step_ms);
    let slot = buckets.entry(key).or_default();
    match slot.get_mut(&bucket) {
        Some(existing) => existing.merge(acc),
        None => {
            slot.insert(bucket, acc);
        }
    }
}

fn to_series(buckets: BTreeMap<String, BTreeMap<i64, Acc>>) -> Vec<HistorySeries> {
    buckets
        .into_iter()
        .map(|(key, points)| HistorySeries {
            key,
            points: points.into_iter().map(|(t, a)| HistoryPoint { t, min: a.min, avg: a.avg(), max: a.max }).collect(),
        })
        .collect()
}
