//! The runtimes' SQL: one JSON record per runtime, one row per pinned model, and settings.

use std::collections::HashMap;

use super::error::RuntimeError;
use super::service::EngineRuntime;
use crate::store::{Store, StoreError};

pub const DEFAULT_KEY: &str = "engine_runtimes.default.llama_cpp";
pub const PREVIOUS_KEY: &str = "engine_runtimes.previous.llama_cpp";
pub const RELEASES_URL_KEY: &str = "engine_runtimes.releases_url";

pub async fn save(store: &Store, runtime: &EngineRuntime) -> Result<(), RuntimeError> {
    let record = serde_json::to_string(runtime).expect("runtimes serialise");
    sqlx::query(
        "INSERT INTO engine_runtimes (id, created_at, record) VALUES (?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET record = excluded.record",
    )
    .bind(&runtime.id)
    .bind(runtime.created_at)
    .bind(record)
    .execute(store.pool())
    .await
    .map_err(StoreError::from)?;
    Ok(())
}

pub async fn delete(store: &Store, id: &str) -> Result<(), RuntimeError> {
    sqlx::query("DELETE FROM engine_runtimes WHERE id = ?")
        .bind(id)
        .execute(store.pool())
        .await
        .map_err(StoreError::from)?;
    Ok(())
}

pub async fn load_all(store: &Store) -> Result<Vec<EngineRuntime>, RuntimeError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT record FROM engine_runtimes ORDER BY created_at")
            .fetch_all(store.pool())
            .await
            .map_err(StoreError::from)?;
    rows.into_iter()
        .map(|(record,)| {
            serde_json::from_str(&record).map_err(|error| {
                StoreError::Corrupt {
                    table: "engine_runtimes",
                    detail: error.to_string(),
                }
                .into()
            })
        })
        .collect()
}

pub async fn pins(store: &Store) -> Result<HashMap<String, String>, RuntimeError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT model_id, runtime_id FROM engine_runtime_pins")
            .fetch_all(store.pool())
            .await
            .map_err(StoreError::from)?;
    Ok(rows.into_iter().collect())
}

pub async fn pin(
    store: &Store,
    model_id: &str,
    runtime_id: Option<&str>,
) -> Result<(), RuntimeError> {
    let query = match runtime_id {
        Some(runtime_id) => sqlx::query(
            "INSERT INTO engine_runtime_pins (model_id, runtime_id) VALUES (?, ?) \
             ON CONFLICT (model_id) DO UPDATE SET runtime_id = excluded.runtime_id",
        )
        .bind(model_id)
        .bind(runtime_id),
        None => sqlx::query("DELETE FROM engine_runtime_pins WHERE model_id = ?").bind(model_id),
    };
    query
        .execute(store.pool())
        .await
        .map_err(StoreError::from)?;
    Ok(())
}

/// A setting, `None` when unset or empty (an empty value clears it).
pub async fn setting(store: &Store, key: &str) -> Result<Option<String>, RuntimeError> {
    Ok(store.setting(key).await?.filter(|v| !v.is_empty()))
}

pub async fn set_setting(
    store: &Store,
    key: &str,
    value: Option<&str>,
) -> Result<(), RuntimeError> {
    store.set_setting(key, value.unwrap_or("")).await?;
    Ok(())
}
