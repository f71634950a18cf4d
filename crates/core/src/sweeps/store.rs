//! The `sweeps` and `promotions` tables: one JSON record each, with the columns they are looked
//! up by.

use super::types::{Promotion, Sweep, SweepState};
use crate::store::{Store, StoreError};

fn decode<T: serde::de::DeserializeOwned>(records: Vec<String>) -> Vec<T> {
    records
        .iter()
        .filter_map(|r| {
            serde_json::from_str(r)
                .inspect_err(|err| tracing::warn!(%err, "a sweep record does not read back"))
                .ok()
        })
        .collect()
}

pub async fn save(store: &Store, sweep: &Sweep) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sweeps (id, started_at, state, model_id, record) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, record = excluded.record",
    )
    .bind(&sweep.id)
    .bind(sweep.started_at)
    .bind(sweep.state.as_str())
    .bind(&sweep.model_id)
    .bind(serde_json::to_string(sweep).expect("sweeps serialise"))
    .execute(store.pool())
    .await?;
    Ok(())
}

pub async fn load(store: &Store, id: &str) -> Result<Option<Sweep>, StoreError> {
    let record: Option<String> = sqlx::query_scalar("SELECT record FROM sweeps WHERE id = ?")
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    Ok(decode(record.into_iter().collect()).pop())
}

/// Newest first.
pub async fn list(store: &Store) -> Result<Vec<Sweep>, StoreError> {
    let records =
        sqlx::query_scalar("SELECT record FROM sweeps ORDER BY started_at DESC LIMIT 500")
            .fetch_all(store.pool())
            .await?;
    Ok(decode(records))
}

pub async fn running(store: &Store) -> Result<Vec<Sweep>, StoreError> {
    let records = sqlx::query_scalar("SELECT record FROM sweeps WHERE state = ?")
        .bind(SweepState::Running.as_str())
        .fetch_all(store.pool())
        .await?;
    Ok(decode(records))
}

pub async fn delete(store: &Store, id: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM sweeps WHERE id = ?")
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn add_promotion(store: &Store, promotion: &Promotion) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO promotions (id, model_id, at, record) VALUES (?, ?, ?, ?)")
        .bind(&promotion.id)
        .bind(&promotion.model_id)
        .bind(promotion.at)
        .bind(serde_json::to_string(promotion).expect("promotions serialise"))
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Newest first, of one model or all.
pub async fn promotions(
    store: &Store,
    model_id: Option<&str>,
) -> Result<Vec<Promotion>, StoreError> {
    let records = sqlx::query_scalar(
        "SELECT record FROM promotions WHERE (?1 IS NULL OR model_id = ?1) ORDER BY at DESC LIMIT 500",
    )
    .bind(model_id)
    .fetch_all(store.pool())
    .await?;
    Ok(decode(records))
}
