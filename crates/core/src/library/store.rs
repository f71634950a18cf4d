//! Rows of the `models` table.

use sqlx::Row;

use crate::engine::{EngineKind, EngineSettings};
use crate::library::Model;
use crate::store::{Store, StoreError};

impl Store {
    pub async fn list_models(&self) -> Result<Vec<Model>, StoreError> {
        let rows = sqlx::query("SELECT * FROM models ORDER BY starter DESC, created_at ASC")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(model_from_row).collect()
    }

    pub async fn get_model(&self, id: &str) -> Result<Option<Model>, StoreError> {
        let row = sqlx::query("SELECT * FROM models WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(model_from_row).transpose()
    }

    pub async fn find_model_by_path(&self, path: &str) -> Result<Option<Model>, StoreError> {
        let row = sqlx::query("SELECT * FROM models WHERE path = ?")
            .bind(path)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(model_from_row).transpose()
    }

    pub async fn insert_model(&self, model: &Model) -> Result<(), StoreError> {
        let extra_args =
            serde_json::to_string(&model.extra_args).expect("a list of strings serialises");
        sqlx::query(
            "INSERT INTO models (id, name, engine, path, context_size, extra_args, restart_policy, port, settings, starter, created_at, secret_env, gpus)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&model.id)
        .bind(&model.name)
        .bind(model.engine.as_str())
        .bind(&model.path)
        .bind(model.context_size)
        .bind(extra_args)
        .bind(serde_json::to_string(&model.restart_policy).expect("a policy serialises"))
        .bind(model.port)
        .bind(serde_json::to_string(&model.settings).expect("settings serialise"))
        .bind(model.starter)
        .bind(model.created_at)
        .bind(serde_json::to_string(&model.secret_env).expect("a list of strings serialises"))
        .bind(serde_json::to_string(&model.gpus).expect("a placement serialises"))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Replaces a model's settings (not its id, starter mark or creation time). Returns whether
    /// the model was there.
    pub async fn update_model(&self, model: &Model) -> Result<bool, StoreError> {
        let result = sqlx::query(
            "UPDATE models SET name = ?, engine = ?, path = ?, context_size = ?, extra_args = ?,
                restart_policy = ?, port = ?, settings = ?, secret_env = ?, gpus = ?
             WHERE id = ?",
        )
        .bind(&model.name)
        .bind(model.engine.as_str())
        .bind(&model.path)
        .bind(model.context_size)
        .bind(serde_json::to_string(&model.extra_args).expect("a list of strings serialises"))
        .bind(serde_json::to_string(&model.restart_policy).expect("a policy serialises"))
        .bind(model.port)
        .bind(serde_json::to_string(&model.settings).expect("settings serialise"))
        .bind(serde_json::to_string(&model.secret_env).expect("a list of strings serialises"))
        .bind(serde_json::to_string(&model.gpus).expect("a placement serialises"))
        .bind(&model.id)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected() > 0)
    }

    /// Returns whether a row was deleted.
    pub async fn delete_model(&self, id: &str) -> Result<bool, StoreError> {
        let result = sqlx::query("DELETE FROM models WHERE id = ?")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(result.rows_affected() > 0)
    }
}

fn model_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Model, StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt {
        table: "models",
        detail,
    };
    let engine: String = row.try_get("engine")?;
    let extra_args: String = row.try_get("extra_args")?;
    let restart_policy: String = row.try_get("restart_policy")?;
    let engine_kind =
        EngineKind::parse(&engine).ok_or_else(|| corrupt(format!("unknown engine {engine:?}")))?;
    Ok(Model {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        engine: engine_kind,
        path: row.try_get("path")?,
        context_size: row.try_get("context_size")?,
        extra_args: serde_json::from_str(&extra_args)
            .map_err(|e| corrupt(format!("extra_args: {e}")))?,
        restart_policy: serde_json::from_str(&restart_policy)
            .map_err(|e| corrupt(format!("restart_policy: {e}")))?,
        port: row
            .try_get::<Option<i64>, _>("port")?
            .and_then(|p| u16::try_from(p).ok()),
        settings: EngineSettings::from_stored(engine_kind, &row.try_get::<String, _>("settings")?)
            .map_err(|e| corrupt(format!("settings: {e}")))?,
        starter: row.try_get("starter")?,
        created_at: row.try_get("created_at")?,
        secret_env: serde_json::from_str(&row.try_get::<String, _>("secret_env")?)
            .map_err(|e| corrupt(format!("secret_env: {e}")))?,
        gpus: serde_json::from_str(&row.try_get::<String, _>("gpus")?)
            .map_err(|e| corrupt(format!("gpus: {e}")))?,
        file_missing: false,
    }
    .with_file_checked())
}
