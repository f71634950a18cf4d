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
