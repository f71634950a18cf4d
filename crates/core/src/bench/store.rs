//! The `benchmarks` table: one JSON record per benchmark, with the columns it is looked up by.

use super::error::BenchError;
use super::types::{Benchmark, BenchmarkState};
use crate::store::{Store, StoreError};

pub async fn save(store: &Store, benchmark: &Benchmark) -> Result<(), BenchError> {
    let record = serde_json::to_string(benchmark).expect("benchmarks serialise");
    sqlx::query(
        "INSERT INTO benchmarks (id, started_at, state, model_id, instance_id, record) \
         VALUES (?, ?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, record = excluded.record",
    )
    .bind(&benchmark.id)
    .bind(benchmark.started_at)
    .bind(benchmark.state.as_str())
    .bind(&benchmark.model_id)
    .bind(&benchmark.instance_id)
    .bind(record)
    .execute(store.pool())
    .await
    .map_err(StoreError::from)?;
    Ok(())
}

pub async fn load(store: &Store, id: &str) -> Result<Option<Benchmark>, BenchError> {
    let record: Option<String> = sqlx::query_scalar("SELECT record FROM benchmarks WHERE id = ?")
        .bind(id)
        .fetch_optional(store.pool())
        .await
        .map_err(StoreError::from)?;
    Ok(record.and_then(|r| serde_json::from_str(&r).ok()))
}

/// Every benchmark, newest first.
pub async fn load_all(store: &Store) -> Result<Vec<Benchmark>, BenchError> {
    let records: Vec<String> =
        sqlx::query_scalar("SELECT record FROM benchmarks ORDER BY started_at DESC")
            .fetch_all(store.pool())
            .await
            .map_err(StoreError::from)?;
    Ok(parsed(&records))
}

/// The benchmarks of one instance, newest first (by the indexed column, not by reading them all).
pub async fn load_for_instance(
    store: &Store,
    instance_id: &str,
) -> Result<Vec<Benchmark>, BenchError> {
    let records: Vec<String> = sqlx::query_scalar(
        "SELECT record FROM benchmarks WHERE instance_id = ? ORDER BY started_at DESC",
    )
    .bind(instance_id)
    .fetch_all(store.pool())
    .await
    .map_err(StoreError::from)?;
    Ok(parsed(&records))
}

/// The records that read as benchmarks (one written by a newer version may not: it is left out).
fn parsed(records: &[String]) -> Vec<Benchmark> {
    records
        .iter()
        .filter_map(|r| serde_json::from_str(r).ok())
        .collect()
}

pub async fn delete(store: &Store, id: &str) -> Result<bool, BenchError> {
    let done = sqlx::query("DELETE FROM benchmarks WHERE id = ?")
        .bind(id)
        .execute(store.pool())
        .await
        .map_err(StoreError::from)?;
    Ok(done.rows_affected() > 0)
}

/// The ids of benchmarks recorded as running: a previous run of the app stopped during them.
pub async fn running_ids(store: &Store) -> Result<Vec<String>, BenchError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM benchmarks WHERE state = ?")
            .bind(BenchmarkState::Running.as_str())
            .fetch_all(store.pool())
            .await
            .map_err(StoreError::from)?,
    )
}
