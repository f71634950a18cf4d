//! Rows of the `instances` and `instance_transitions` tables: the history of every run.

use serde::Serialize;
use sqlx::Row;
use ts_rs::TS;

use crate::error::ErrorBody;
use crate::library::Model;
use crate::store::{Store, StoreError};
use crate::supervisor::InstanceInfo;

/// A model with the history of its instances (newest first), for its detail page.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct ModelDetail {
    pub model: Model,
    pub history: Vec<InstanceRecord>,
}

/// One persisted state change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, schemars::JsonSchema)]
pub struct TransitionRecord {
    pub state: String,
    pub reason: Option<String>,
    /// A failure's summary as a code with its values (see `InstanceState::Failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub summary: Option<ErrorBody>,
    /// A failure's hint as a code.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub hint: Option<String>,
    #[ts(type = "number")]
    pub at: i64,
}

/// One past or present instance of a model, with its transitions.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct InstanceRecord {
    pub id: String,
    pub port: u16,
    pub pid: Option<u32>,
    pub state: String,
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub summary: Option<ErrorBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub hint: Option<String>,
    #[ts(type = "number")]
    pub started_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
    pub transitions: Vec<TransitionRecord>,
}

/// An instance the store says was alive when the previous run ended.
pub struct UnfinishedInstance {
    pub id: String,
    pub engine: String,
    pub pid: Option<u32>,
    pub proc_start: Option<u64>,
}

impl Store {
    /// Records the instance's current state: upserts its row and appends the transition.
    pub async fn record_instance_state(&self, info: &InstanceInfo) -> Result<(), StoreError> {
        let state = info.state.name();
        let reason = info.state.reason();
        let (summary, hint) = info.state.failure_codes();
        let summary = summary.map(|s| serde_json::to_string(s).expect("an error body serialises"));
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO instances (id, model_id, model_name, engine, port, pid, state, reason, started_at, updated_at, summary, hint)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, state = excluded.state,
                 reason = excluded.reason, updated_at = excluded.updated_at,
                 summary = excluded.summary, hint = excluded.hint",
        )
        .bind(&info.id)
        .bind(&info.model_id)
        .bind(&info.model_name)
        .bind(info.engine.as_str())
        .bind(info.port)
        .bind(info.pid)
        .bind(state)
        .bind(reason)
        .bind(info.started_at)
        .bind(info.updated_at)
        .bind(&summary)
        .bind(hint)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO instance_transitions (instance_id, state, reason, at, summary, hint) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&info.id)
        .bind(state)
        .bind(reason)
        .bind(info.updated_at)
        .bind(&summary)
        .bind(hint)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn instance_transitions(
        &self,
        instance_id: &str,
    ) -> Result<Vec<TransitionRecord>, StoreError> {
        let rows = sqlx::query("SELECT state, reason, at, summary, hint FROM instance_transitions WHERE instance_id = ? ORDER BY rowid")
            .bind(instance_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(TransitionRecord {
                    state: row.try_get("state")?,
                    reason: row.try_get("reason")?,
                    summary: summary_from(row)?,
                    hint: row.try_get("hint")?,
                    at: row.try_get("at")?,
                })
            })
            .collect()
    }

    /// The newest `limit` instances of a model, newest first, with their transitions.
    pub async fn instances_of_model(
        &self,
        model_id: &str,
        limit: i64,
    ) -> Result<Vec<InstanceRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, port, pid, state, reason, summary, hint, started_at, updated_at FROM instances
             WHERE model_id = ? ORDER BY started_at DESC LIMIT ?",
        )
        .bind(model_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            let id: String = row.try_get("id")?;
            let transitions = self.instance_transitions(&id).await?;
            records.push(InstanceRecord {
                port: row.try_get::<i64, _>("port")? as u16,
                pid: row.try_get("pid")?,
                state: row.try_get("state")?,
                reason: row.try_get("reason")?,
                summary: summary_from(&row)?,
                hint: row.try_get("hint")?,
                started_at: row.try_get("started_at")?,
                updated_at: row.try_get("updated_at")?,
                transitions,
                id,
            });
        }
        Ok(records)
    }

    /// Instances whose last recorded state is not terminal: after a crash of the app these are
    /// the ones whose processes may have survived.
    /// The engine process of an instance, once spawned.
    pub async fn record_instance_process(
        &self,
        id: &str,
        pid: u32,
        proc_start: Option<u64>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE instances SET pid = ?2, proc_start = ?3 WHERE id = ?1")
            .bind(id)
            .bind(pid)
            .bind(proc_start.map(|t| t as i64))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Instances a previous run left unfinished (it crashed or was killed).
    pub async fn unfinished_instances(&self) -> Result<Vec<UnfinishedInstance>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, engine, pid, proc_start FROM instances
             WHERE state IN ('pending', 'starting', 'running', 'stopping')",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(UnfinishedInstance {
                    id: row.try_get("id")?,
                    engine: row.try_get("engine")?,
                    pid: row.try_get("pid")?,
                    proc_start: row
                        .try_get::<Option<i64>, _>("proc_start")?
                        .map(|t| t as u64),
                })
            })
            .collect()
    }

    pub async fn mark_instance_lost(
        &self,
        id: &str,
        reason: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE instances SET state = 'failed', reason = ?, updated_at = ? WHERE id = ?",
        )
        .bind(reason)
        .bind(at)
        .bind(id)
        .execute(self.pool())
        .await?;
        sqlx::query("INSERT INTO instance_transitions (instance_id, state, reason, at) VALUES (?, 'failed', ?, ?)")
            .bind(id)
            .bind(reason)
            .bind(at)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

/// The `summary` column: a failure's summary as JSON, when it has one.
fn summary_from(row: &sqlx::sqlite::SqliteRow) -> Result<Option<ErrorBody>, StoreError> {
    let text: Option<String> = row.try_get("summary")?;
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| StoreError::Corrupt {
            table: "instances",
            detail: format!("summary: {e}"),
        })
    })
    .transpose()
}
