//! The gateway's SQL: request records (`gateway_requests`) and its settings (the `settings`
//! table, keys `gateway` and `gateway.model.<id>`).

use sqlx::Row;

use super::types::{GatewayModelSettings, GatewaySettings, RequestQuery, RequestRecord};
use crate::store::{Store, StoreError};

const SETTINGS_KEY: &str = "gateway";

fn model_key(model_id: &str) -> String {
    format!("gateway.model.{model_id}")
}

fn corrupt(detail: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "gateway_requests",
        detail: detail.to_string(),
    }
}

pub async fn insert_records(store: &Store, records: &[RequestRecord]) -> Result<(), StoreError> {
    let mut tx = store.pool().begin().await?;
    for record in records {
        sqlx::query(
            "INSERT OR REPLACE INTO gateway_requests (id, received_at, model, model_id, outcome, record)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&record.id)
        .bind(record.received_at)
        .bind(&record.model)
        .bind(&record.model_id)
        .bind(record.outcome.as_str())
        .bind(serde_json::to_string(record).expect("a record serialises"))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Newest first, filtered by model (requested name or id), outcome and time.
pub async fn records(
    store: &Store,
    query: &RequestQuery,
    limit: u32,
) -> Result<Vec<RequestRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT record FROM gateway_requests
         WHERE (?1 IS NULL OR model = ?1 OR model_id = ?1 OR json_extract(record, '$.model_name') = ?1)
           AND (?2 IS NULL OR outcome = ?2)
           AND (?3 IS NULL OR received_at < ?3)
           AND (?5 IS NULL OR json_extract(record, '$.instance_id') = ?5)
         ORDER BY received_at DESC LIMIT ?4",
    )
    .bind(&query.model)
    .bind(query.outcome.map(|o| o.as_str()))
    .bind(query.before)
    .bind(i64::from(limit))
    .bind(&query.instance_id)
    .fetch_all(store.pool())
    .await?;
    decode(&rows)
}

/// One instance's records received in `[since, until]`, oldest first, at most `limit`.
pub async fn instance_records(
    store: &Store,
    model_id: &str,
    instance_id: &str,
    (since, until): (i64, i64),
    limit: u32,
) -> Result<Vec<RequestRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT record FROM gateway_requests
         WHERE model_id = ? AND received_at >= ? AND received_at <= ?
           AND json_extract(record, '$.instance_id') = ?
         ORDER BY received_at LIMIT ?",
    )
    .bind(model_id)
    .bind(since)
    .bind(until)
    .bind(instance_id)
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await?;
    decode(&rows)
}

/// Records received since `since` (ms), oldest first, at most `limit`.
pub async fn records_since(
    store: &Store,
    since: i64,
    limit: u32,
) -> Result<Vec<RequestRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT record FROM gateway_requests WHERE received_at >= ? ORDER BY received_at LIMIT ?",
    )
    .bind(since)
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await?;
    decode(&rows)
}

fn decode(rows: &[sqlx::sqlite::SqliteRow]) -> Result<Vec<RequestRecord>, StoreError> {
    rows.iter()
        .map(|row| serde_json::from_str(row.get::<&str, _>("record")).map_err(corrupt))
        .collect()
}

pub async fn prune(store: &Store, before: i64) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("DELETE FROM gateway_requests WHERE received_at < ?")
            .bind(before)
            .execute(store.pool())
            .await?
            .rows_affected(),
    )
}

pub async fn model_settings(
    store: &Store,
    model_id: &str,
) -> Result<Option<GatewayModelSettings>, StoreError> {
    match store.setting(&model_key(model_id)).await? {
        Some(json) => Ok(Some(serde_json::from_str(&json).map_err(corrupt)?)),
        None => Ok(None),
    }
}

pub async fn set_model_settings(
    store: &Store,
    model_id: &str,
    settings: &GatewayModelSettings,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(settings).expect("settings serialise");
    store.set_setting(&model_key(model_id), &json).await
}

pub async fn forget_model(store: &Store, model_id: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM settings WHERE key = ?")
        .bind(model_key(model_id))
        .execute(store.pool())
        .await?;
    Ok(())
}

pub async fn settings(store: &Store) -> Result<GatewaySettings, StoreError> {
    match store.setting(SETTINGS_KEY).await? {
        Some(json) => Ok(serde_json::from_str(&json).map_err(corrupt)?),
        None => Ok(GatewaySettings::default()),
    }
}

pub async fn set_settings(store: &Store, settings: &GatewaySettings) -> Result<(), StoreError> {
    let json = serde_json::to_string(settings).expect("settings serialise");
    store.set_setting(SETTINGS_KEY, &json).await
}
