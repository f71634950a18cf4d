//! Rows of `api_keys`: named, scoped API keys, stored as hashes.

use sqlx::Row;

use crate::access::{ApiKeyInfo, Scope};
use crate::store::{Store, StoreError};

/// One stored key: what users see, plus the hash that requests are checked against.
pub struct ApiKeyRow {
    pub info: ApiKeyInfo,
    pub key_hash: String,
}

impl Store {
    pub async fn insert_api_key(&self, row: &ApiKeyRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO api_keys (id, name, scope, key_hash, prefix, created_at, last_used_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL)",
        )
        .bind(&row.info.id)
        .bind(&row.info.name)
        .bind(row.info.scope.as_str())
        .bind(&row.key_hash)
        .bind(&row.info.prefix)
        .bind(row.info.created_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn list_api_keys(&self) -> Result<Vec<ApiKeyRow>, StoreError> {
        let rows = sqlx::query("SELECT * FROM api_keys ORDER BY created_at")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                let scope: String = row.try_get("scope")?;
                let scope = Scope::parse(&scope).ok_or_else(|| StoreError::Corrupt {
                    table: "api_keys",
                    detail: format!("unknown scope {scope:?}"),
                })?;
                Ok(ApiKeyRow {
                    info: ApiKeyInfo {
                        id: row.try_get("id")?,
                        name: row.try_get("name")?,
                        scope,
                        prefix: row.try_get("prefix")?,
                        created_at: row.try_get("created_at")?,
                        last_used_at: row.try_get("last_used_at")?,
                    },
                    key_hash: row.try_get("key_hash")?,
                })
            })
            .collect()
    }

    /// Returns whether a key was deleted.
    pub async fn delete_api_key(&self, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM api_keys WHERE id = ?1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn touch_api_key(&self, id: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1")
            .bind(id)
            .bind(at)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
