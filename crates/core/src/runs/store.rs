//! The `runs` table: one JSON record per run and its readings, with the columns it is looked up by.

use super::types::{Run, RunQuery};
use crate::bench::ResourcePoint;
use crate::store::{Store, StoreError};

fn corrupt(error: serde_json::Error) -> StoreError {
    StoreError::Corrupt {
        table: "runs",
        detail: error.to_string(),
    }
}

/// Writes the record, and the readings when given (else they stay as they were).
pub async fn save(
    store: &Store,
    run: &Run,
    resources: Option<&[ResourcePoint]>,
) -> Result<(), StoreError> {
    let record = serde_json::to_string(run).expect("runs serialise");
    let resources = resources.map(|r| serde_json::to_string(r).expect("readings serialise"));
    sqlx::query(
        "INSERT INTO runs (id, model_id, started_at, ended_at, sweep_id, record, resources) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, COALESCE(?7, '[]')) \
         ON CONFLICT (id) DO UPDATE SET ended_at = excluded.ended_at, sweep_id = excluded.sweep_id, \
             record = excluded.record, resources = COALESCE(?7, runs.resources)",
    )
    .bind(&run.id)
    .bind(&run.model_id)
    .bind(run.started_at)
    .bind(run.ended_at)
    .bind(&run.sweep_id)
    .bind(record)
    .bind(resources)
    .execute(store.pool())
    .await?;
    Ok(())
}

pub async fn load(
    store: &Store,
    id: &str,
) -> Result<Option<(Run, Vec<ResourcePoint>)>, StoreError> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT record, resources FROM runs WHERE id = ?")
            .bind(id)
            .fetch_optional(store.pool())
            .await?;
    let Some((record, resources)) = row else {
        return Ok(None);
    };
    let run = serde_json::from_str(&record).map_err(corrupt)?;
    let resources = serde_json::from_str(&resources).map_err(corrupt)?;
    Ok(Some((run, resources)))
}

/// Newest first, filtered; records that do not read back are left out (and logged).
pub async fn list(store: &Store, query: &RunQuery, limit: u32) -> Result<Vec<Run>, StoreError> {
    let records: Vec<String> = sqlx::query_scalar(
        "SELECT record FROM runs
         WHERE (?1 IS NULL OR model_id = ?1)
           AND (?2 IS NULL OR sweep_id = ?2)
           AND (?3 IS NULL OR started_at < ?3)
           AND (?4 IS NULL OR EXISTS (SELECT 1 FROM json_each(record, '$.tags') WHERE value = ?4))
         ORDER BY started_at DESC LIMIT ?5",
    )
    .bind(&query.model_id)
    .bind(&query.sweep_id)
    .bind(query.before)
    .bind(&query.tag)
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await?;
    Ok(records
        .iter()
        .filter_map(|r| {
            serde_json::from_str(r)
                .inspect_err(|err| tracing::warn!(%err, "a run record does not read back"))
                .ok()
        })
        .collect())
}

/// Runs recorded as live: a previous process of the app ended during them.
pub async fn unfinished(store: &Store) -> Result<Vec<String>, StoreError> {
    sqlx::query_scalar("SELECT id FROM runs WHERE ended_at IS NULL")
        .fetch_all(store.pool())
        .await
        .map_err(StoreError::from)
}

pub async fn delete(store: &Store, id: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM runs WHERE id = ?")
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runs::types::ResourceRollup;

    /// An hour at 1 Hz with every reading present, as the recorder keeps it.
    fn hour_of_readings() -> Vec<ResourcePoint> {
        (0..3600u32)
            .map(|s| ResourcePoint {
                at_ms: f64::from(s) * 1000.0 + 0.123,
                cpu_percent: Some(37.25),
                instance_cpu_percent: Some(180.5),
                instance_rss_bytes: Some(7_123_456_789),
                instance_vram_bytes: Some(80_123_456_789),
                gpu_utilization_percent: Some(97),
                gpu_power_watts: Some(612.75),
            })
            .collect()
    }

    #[tokio::test]
    async fn an_hour_long_run_at_one_hertz_stays_under_five_megabytes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).await.unwrap();
        let points = hour_of_readings();
        let run: Run = serde_json::from_value(serde_json::json!({
            "id": "r", "model_id": "m", "model_name": "m", "engine": "llama_cpp",
            "state": "stopped", "exit_reason": null, "exit_summary": null, "started_at": 0,
            "ended_at": 3_600_000, "environment": crate::bench::BenchEnvironment::new(),
            "settings": null, "sweep_id": null, "rollup": ResourceRollup::default(),
            "requests": null
        }))
        .unwrap();
        let before = std::fs::metadata(dir.path().join("db.sqlite"))
            .unwrap()
            .len();
        save(&store, &run, Some(&points)).await.unwrap();
        let stored: i64 = sqlx::query_scalar("SELECT length(resources) + length(record) FROM runs")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert!(stored < 5_000_000, "{stored} bytes");
        let (back, read) = load(&store, "r").await.unwrap().unwrap();
        assert_eq!((back.id.as_str(), read.len()), ("r", 3600));
        assert_eq!(read[3599], points[3599]);
        eprintln!(
            "an hour of readings: {stored} bytes in the row (database grew from {before} bytes)"
        );
    }
}
