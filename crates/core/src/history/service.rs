use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use super::accumulate::Acc;
use super::error::HistoryError;
use super::store::Rollup;
use super::types::{History, HistoryPoint, HistoryRange, HistorySeries};
use crate::monitor::SystemSnapshot;
use crate::store::{Store, StoreError};

/// Series keys one query may name: more than every series a machine with 8 GPUs and a dozen
/// instances has, and few enough that a hostile query costs nothing.
pub const MAX_QUERY_SERIES: usize = 256;
const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;
const WEEK_BUCKET_MS: i64 = 10 * MINUTE_MS;
const WEEK_MS: i64 = 7 * DAY_MS;
/// Full-rate samples kept in memory.
const IN_MEMORY_MS: i64 = 60 * MINUTE_MS;
/// Unwritten rollups kept when the database refuses writes, before the oldest are dropped.
const MAX_PENDING: usize = 100_000;

/// One sample at full rate. The series' names are shared with the frames before it while they
/// stay the same (the usual case), so an hour of frames holds one copy of them, not 3600.
struct Frame {
    at: i64,
    keys: Arc<[String]>,
    values: Vec<f64>,
}

impl Frame {
    fn new(at: i64, samples: &[(String, f64)], previous: Option<&Frame>) -> Frame {
        let same_keys = previous.filter(|p| {
            p.keys.len() == samples.len()
                && p.keys.iter().zip(samples).all(|(k, (key, _))| k == key)
        });
        let keys = match same_keys {
            Some(p) => Arc::clone(&p.keys),
            None => samples.iter().map(|(key, _)| key.clone()).collect(),
        };
        Frame {
            at,
            keys,
            values: samples.iter().map(|(_, v)| *v).collect(),
        }
    }
}

#[derive(Default)]
struct Inner {
    frames: VecDeque<Frame>,
    /// The minute being accumulated and its series.
    minute: Option<(i64, HashMap<String, Acc>)>,
    /// Finished minutes not yet written.
    pending: Vec<Rollup>,
    /// The last day of finished minutes, so that the 24 h view needs no database read.
    day: BTreeMap<i64, HashMap<String, Acc>>,
    /// The last week in ten-minute buckets, for the 7 d view.
    week: BTreeMap<i64, HashMap<String, Acc>>,
}

/// Metric history: the last hour at full rate in memory; one-minute rollups in SQLite, written
/// in batches ([`MetricHistory::flush`]) and pruned after the retention period. A cheap-clone
/// handle: every clone sees the same history.
#[derive(Clone)]
pub struct MetricHistory {
    shared: Arc<Shared>,
}

struct Shared {
    store: Store,
    sample_interval_ms: i64,
    retention_ms: i64,
    inner: Mutex<Inner>,
}

impl MetricHistory {
    pub fn new(store: Store, sample_interval_ms: i64, retention_days: u32) -> Self {
        MetricHistory {
            shared: Arc::new(Shared {
                store,
                sample_interval_ms,
                retention_ms: retention_days as i64 * 24 * 60 * MINUTE_MS,
                inner: Mutex::new(Inner::default()),
            }),
        }
    }

    pub fn record_snapshot(&self, snapshot: &SystemSnapshot) {
        let values = snapshot.series.iter().map(|(k, v)| (k.clone(), *v));
        self.record(snapshot.at, values.collect());
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
        let frame = Frame::new(at, &values, inner.frames.back());
        inner.frames.push_back(frame);
        while inner
            .frames
            .front()
            .is_some_and(|f| f.at < at - IN_MEMORY_MS)
        {
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
        match self.shared.store.write_rollups(&rows).await {
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
        self.shared
            .store
            .prune_rollups(now - self.shared.retention_ms)
            .await
    }

    pub async fn query(
        &self,
        range: HistoryRange,
        keys: Option<&[String]>,
        now: i64,
    ) -> Result<History, HistoryError> {
        let from = now - range.duration_ms();
        let step_ms = range.step_ms(self.shared.sample_interval_ms);
        // Checked and hashed before the lock is taken: each sample then costs one lookup.
        if let Some(keys) = keys.filter(|k| k.len() > MAX_QUERY_SERIES) {
            return Err(HistoryError::TooManySeries {
                asked: keys.len(),
                limit: MAX_QUERY_SERIES,
            });
        }
        let keys: Option<HashSet<&str>> = keys
            .filter(|k| !k.is_empty())
            .map(|k| k.iter().map(String::as_str).collect());
        let wanted = |key: &str| keys.as_ref().is_none_or(|k| k.contains(key));
        let series = match range {
            HistoryRange::FifteenMinutes | HistoryRange::OneHour => self.from_memory(from, &wanted),
            HistoryRange::OneDay => self.from_day(from, &wanted),
            HistoryRange::SevenDays => self.from_week(from, &wanted),
        };
        Ok(History {
            range,
            step_ms,
            from,
            to: now,
            series,
        })
    }

    fn from_memory(&self, from: i64, wanted: &dyn Fn(&str) -> bool) -> Vec<HistorySeries> {
        let inner = self.lock();
        let samples = inner
            .frames
            .iter()
            .filter(|f| f.at >= from)
            .flat_map(|frame| {
                frame.keys.iter().zip(&frame.values).map(move |(key, v)| {
                    (
                        key.as_str(),
                        HistoryPoint {
                            t: frame.at,
                            min: *v,
                            avg: *v,
                            max: *v,
                        },
                    )
                })
            });
        collect_series(samples, wanted)
    }

    /// The day of minutes kept in memory plus the minute in progress.
    fn from_day(&self, from: i64, wanted: &dyn Fn(&str) -> bool) -> Vec<HistorySeries> {
        let inner = self.lock();
        let current = inner.minute.as_ref().map(|(m, accs)| (m, accs));
        let minutes = inner
            .day
            .range(from - from.rem_euclid(MINUTE_MS)..)
            .chain(current);
        let samples = minutes.flat_map(|(minute, accs)| {
            accs.iter().map(move |(key, a)| {
                (
                    key.as_str(),
                    HistoryPoint {
                        t: *minute,
                        min: a.min,
                        avg: a.avg(),
                        max: a.max,
                    },
                )
            })
        });
        collect_series(samples, wanted)
    }

    /// The week of ten-minute buckets kept in memory, the minute in progress merged into the last.
    fn from_week(&self, from: i64, wanted: &dyn Fn(&str) -> bool) -> Vec<HistorySeries> {
        let inner = self.lock();
        let mut buckets: BTreeMap<String, BTreeMap<i64, Acc>> = BTreeMap::new();
        for (bucket, accs) in inner.week.range(from - from.rem_euclid(WEEK_BUCKET_MS)..) {
            for (key, acc) in accs.iter().filter(|(k, _)| wanted(k)) {
                merge_into(&mut buckets, key.clone(), *bucket, WEEK_BUCKET_MS, *acc);
            }
        }
        if let Some((minute, accs)) = inner.minute.as_ref() {
            for (key, acc) in accs.iter().filter(|(k, _)| wanted(k)) {
                merge_into(&mut buckets, key.clone(), *minute, WEEK_BUCKET_MS, *acc);
            }
        }
        to_series(buckets)
    }

    /// Loads the last week of rollups from the database (at startup), so that the 24 h and 7 d
    /// views cover the time before a restart without reading the database per query.
    pub async fn load_recent(&self, now: i64) -> Result<(), StoreError> {
        let day = group(
            self.shared
                .store
                .read_rollups(now - DAY_MS, now + 1, MINUTE_MS, None)
                .await?,
        );
        let week = group(
            self.shared
                .store
                .read_rollups(now - WEEK_MS, now + 1, WEEK_BUCKET_MS, None)
                .await?,
        );
        let mut inner = self.lock();
        for (minute, accs) in day {
            remember(&mut inner.day, minute, &accs, DAY_MS);
        }
        for (bucket, accs) in week {
            remember(&mut inner.week, bucket, &accs, WEEK_MS);
        }
        Ok(())
    }

    /// One lock over the in-memory ring and the minute being accumulated: a sample is appended
    /// and folded into its minute as one step; never held across an await (flushes copy the
    /// finished minutes out first). A poisoned lock is taken over: each step completes before
    /// unlocking.
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.shared.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn finish_minute(inner: &mut Inner) {
    let Some((minute, accs)) = inner.minute.take() else {
        return;
    };
    remember(&mut inner.day, minute, &accs, DAY_MS);
    remember(
        &mut inner.week,
        minute - minute.rem_euclid(WEEK_BUCKET_MS),
        &accs,
        WEEK_MS,
    );
    inner
        .pending
        .extend(accs.into_iter().map(|(series, acc)| Rollup {
            minute,
            series,
            min: acc.min,
            avg: acc.avg(),
            max: acc.max,
            count: acc.count,
        }));
}

/// Adds finished samples to an in-memory window at bucket `t`, merging with what is there (a
/// minute split by a restart), and forgets buckets older than `keep_ms` before the newest.
fn remember(
    window: &mut BTreeMap<i64, HashMap<String, Acc>>,
    t: i64,
    accs: &HashMap<String, Acc>,
    keep_ms: i64,
) {
    let slot = window.entry(t).or_default();
    for (key, acc) in accs {
        match slot.get_mut(key) {
            Some(existing) => existing.merge(*acc),
            None => {
                slot.insert(key.clone(), *acc);
            }
        }
    }
    let newest = *window.keys().next_back().expect("just inserted");
    while window
        .first_key_value()
        .is_some_and(|(m, _)| *m < newest - keep_ms)
    {
        window.pop_first();
    }
}

fn group(rows: Vec<Rollup>) -> BTreeMap<i64, HashMap<String, Acc>> {
    let mut grouped: BTreeMap<i64, HashMap<String, Acc>> = BTreeMap::new();
    for row in rows {
        let acc = Acc {
            min: row.min,
            max: row.max,
            sum: row.avg * row.count as f64,
            count: row.count,
        };
        grouped
            .entry(row.minute)
            .or_default()
            .insert(row.series, acc);
    }
    grouped
}

fn merge_into(
    buckets: &mut BTreeMap<String, BTreeMap<i64, Acc>>,
    key: String,
    t: i64,
    step_ms: i64,
    acc: Acc,
) {
    let bucket = t - t.rem_euclid(step_ms);
    let slot = buckets.entry(key).or_default();
    match slot.get_mut(&bucket) {
        Some(existing) => existing.merge(acc),
        None => {
            slot.insert(bucket, acc);
        }
    }
}

/// Groups time-ordered points by series key, keeping the wanted ones.
fn collect_series<'a>(
    points: impl Iterator<Item = (&'a str, HistoryPoint)>,
    wanted: &dyn Fn(&str) -> bool,
) -> Vec<HistorySeries> {
    let mut by_key: BTreeMap<&str, Vec<HistoryPoint>> = BTreeMap::new();
    for (key, point) in points.filter(|(k, _)| wanted(k)) {
        by_key.entry(key).or_default().push(point);
    }
    by_key
        .into_iter()
        .map(|(key, points)| HistorySeries {
            key: key.to_string(),
            points,
        })
        .collect()
}

fn to_series(buckets: BTreeMap<String, BTreeMap<i64, Acc>>) -> Vec<HistorySeries> {
    buckets
        .into_iter()
        .map(|(key, points)| HistorySeries {
            key,
            points: points
                .into_iter()
                .map(|(t, a)| HistoryPoint {
                    t,
                    min: a.min,
                    avg: a.avg(),
                    max: a.max,
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_040_000; // a minute boundary

    async fn history(dir: &tempfile::TempDir) -> (Store, MetricHistory) {
        let store = Store::open(&dir.path().join("db.sqlite")).await.unwrap();
        (store.clone(), MetricHistory::new(store, 1000, 30))
    }

    /// Three minutes of 1 Hz samples: value = second within the minute (0..59), plus minute*100.
    fn feed(history: &MetricHistory) {
        for second in 0..180 {
            let minute = second / 60;
            let value = (second % 60) as f64 + minute as f64 * 100.0;
            history.record(
                T0 + second * 1000,
                vec![
                    ("cpu.usage_percent".into(), value),
                    ("gpu.0.power_watts".into(), 50.0),
                ],
            );
        }
    }

    #[tokio::test]
    async fn frames_share_their_series_names_until_the_names_change() {
        let dir = tempfile::tempdir().unwrap();
        let (_store, history) = history(&dir).await;
        let sample = |keys: &[&str], value: f64| -> Vec<(String, f64)> {
            keys.iter().map(|k| (k.to_string(), value)).collect()
        };
        history.record(
            T0,
            sample(&["cpu.usage_percent", "model.m1.rss_bytes"], 1.0),
        );
        history.record(
            T0 + 1000,
            sample(&["cpu.usage_percent", "model.m1.rss_bytes"], 2.0),
        );
        history.record(T0 + 2000, sample(&["cpu.usage_percent"], 3.0));
        history.record(
            T0 + 3000,
            sample(&["cpu.usage_percent", "model.m2.rss_bytes"], 4.0),
        );
        {
            let inner = history.lock();
            let keys: Vec<&Arc<[String]>> = inner.frames.iter().map(|f| &f.keys).collect();
            assert!(
                Arc::ptr_eq(keys[0], keys[1]),
                "the same names are kept once"
            );
            assert!(
                !Arc::ptr_eq(keys[1], keys[2]),
                "a series that stops gets new names"
            );
            assert_eq!(&keys[3][..], ["cpu.usage_percent", "model.m2.rss_bytes"]);
        }
        let answer = history
            .query(HistoryRange::FifteenMinutes, None, T0 + 4000)
            .await
            .unwrap();
        let points = |key: &str| -> Vec<(i64, f64)> {
            let series = answer.series.iter().find(|s| s.key == key).unwrap();
            series.points.iter().map(|p| (p.t - T0, p.avg)).collect()
        };
        assert_eq!(
            points("cpu.usage_percent"),
            [(0, 1.0), (1000, 2.0), (2000, 3.0), (3000, 4.0)]
        );
        assert_eq!(points("model.m1.rss_bytes"), [(0, 1.0), (1000, 2.0)]);
        assert_eq!(points("model.m2.rss_bytes"), [(3000, 4.0)]);
    }

    #[tokio::test]
    async fn a_query_with_too_many_series_is_refused_before_any_work() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).await.unwrap();
        let history = MetricHistory::new(store, 1000, 30);
        let keys: Vec<String> = (0..100_000).map(|i| format!("k{i}")).collect();
        let err = history
            .query(HistoryRange::OneDay, Some(&keys), 0)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            HistoryError::TooManySeries { asked: 100_000, .. }
        ));
    }

    #[tokio::test]
    async fn rollups_hold_min_avg_max_per_minute() {
        let dir = tempfile::tempdir().unwrap();
        let (_, history) = history(&dir).await;
        feed(&history);
        assert_eq!(
            history.flush(false).await.unwrap(),
            4,
            "two finished minutes × two series"
        );
        let now = T0 + 180_000;
        let day = history
            .query(
                HistoryRange::OneDay,
                Some(&["cpu.usage_percent".to_string()]),
                now,
            )
            .await
            .unwrap();
        assert_eq!(day.series.len(), 1);
        let points = &day.series[0].points;
        // Two minutes from the database, the third (in progress) from memory.
        assert_eq!(points.len(), 3);
        for (minute, p) in points.iter().enumerate() {
            let base = minute as f64 * 100.0;
            assert_eq!(p.t, T0 + minute as i64 * 60_000);
            assert_eq!((p.min, p.max), (base, base + 59.0));
            assert!((p.avg - (base + 29.5)).abs() < 1e-9);
        }
        // The last hour comes from memory at full rate.
        let hour = history
            .query(HistoryRange::OneHour, None, now)
            .await
            .unwrap();
        assert_eq!(hour.series.len(), 2);
        assert_eq!(hour.series[0].points.len(), 180);
        // A week: ten-minute buckets merge the three minutes.
        let week = history
            .query(
                HistoryRange::SevenDays,
                Some(&["cpu.usage_percent".to_string()]),
                now,
            )
            .await
            .unwrap();
        let merged = &week.series[0].points;
        assert_eq!(merged.len(), 1);
        assert_eq!((merged[0].min, merged[0].max), (0.0, 259.0));
        assert!((merged[0].avg - 129.5).abs() < 1e-9);
    }

    #[tokio::test]
    async fn history_survives_a_restart_and_a_split_minute_merges() {
        let dir = tempfile::tempdir().unwrap();
        let (store, first) = history(&dir).await;
        feed(&first);
        first.flush(true).await.unwrap(); // shutdown: the minute in progress is written too
        drop(first);
        let second = MetricHistory::new(store.clone(), 1000, 30);
        second.load_recent(T0 + 200_000).await.unwrap();
        // The same minute continues after the restart.
        second.record(T0 + 179_500, vec![("cpu.usage_percent".into(), 1000.0)]);
        second.flush(true).await.unwrap();
        let day = second
            .query(
                HistoryRange::OneDay,
                Some(&["cpu.usage_percent".to_string()]),
                T0 + 200_000,
            )
            .await
            .unwrap();
        let last = day.series[0].points.last().unwrap();
        assert_eq!((last.min, last.max), (200.0, 1000.0));
        assert_eq!(day.series[0].points.len(), 3);
        // The database merged the split minute too.
        let rows = store
            .read_rollups(
                T0 + 120_000,
                T0 + 180_000,
                60_000,
                Some(&["cpu.usage_percent".to_string()]),
            )
            .await
            .unwrap();
        assert_eq!(
            (rows.len(), rows[0].min, rows[0].max, rows[0].count),
            (1, 200.0, 1000.0, 61)
        );
        let week = second
            .query(
                HistoryRange::SevenDays,
                Some(&["cpu.usage_percent".to_string()]),
                T0 + 200_000,
            )
            .await
            .unwrap();
        assert_eq!(
            (week.series[0].points[0].min, week.series[0].points[0].max),
            (0.0, 1000.0)
        );
    }

    #[tokio::test]
    async fn retention_prunes_old_rollups() {
        let dir = tempfile::tempdir().unwrap();
        let (store, history) = history(&dir).await;
        let old = Rollup {
            minute: T0,
            series: "cpu.usage_percent".into(),
            min: 1.0,
            avg: 1.0,
            max: 1.0,
            count: 1,
        };
        let recent = Rollup {
            minute: T0 + 31 * 24 * 3_600_000,
            ..old.clone()
        };
        store.write_rollups(&[old, recent.clone()]).await.unwrap();
        let pruned = history.prune(recent.minute + 60_000).await.unwrap();
        assert_eq!(pruned, 1);
        let left = store.read_rollups(0, i64::MAX, 60_000, None).await.unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].minute, recent.minute);
    }
}
