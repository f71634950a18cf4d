//! The SQLite database behind the services: one file in the app's data dir, WAL journal,
//! migrations embedded in the binary and applied at open. This module owns the pool and the
//! migrations only; each service keeps its own SQL beside it (`chat/store.rs`,
//! `library/store.rs`, `supervisor/store.rs`, `history/store.rs`, `access/store.rs`), so the
//! store imports no service.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use thiserror::Error;

use crate::error::{CodedError, ErrorKind, ErrorParams};

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("Cannot open the database at {path}: {source}. Check that the folder is writable, or set LLMOPS_DATA_DIR to another folder")]
    Open { path: String, source: sqlx::Error },
    #[error("The database at {path} could not be migrated: {source}. It may come from a newer version of llmops")]
    Migrate {
        path: String,
        source: sqlx::migrate::MigrateError,
    },
    #[error("Database error: {0}")]
    Query(#[from] sqlx::Error),
    #[error("Corrupt row in table {table}: {detail}")]
    Corrupt { table: &'static str, detail: String },
}

impl CodedError for StoreError {
    fn code(&self) -> &'static str {
        match self {
            StoreError::Open { .. } => "store_open_failed",
            StoreError::Migrate { .. } => "store_migration_failed",
            StoreError::Query(_) => "store_query_failed",
            StoreError::Corrupt { .. } => "store_corrupt_row",
        }
    }

    fn params(&self) -> ErrorParams {
        match self {
            StoreError::Open { path, source } => {
                vec![("path", path.clone()), ("detail", source.to_string())]
            }
            StoreError::Migrate { path, source } => {
                vec![("path", path.clone()), ("detail", source.to_string())]
            }
            StoreError::Query(e) => vec![("detail", e.to_string())],
            StoreError::Corrupt { table, detail } => {
                vec![("table", table.to_string()), ("detail", detail.clone())]
            }
        }
    }

    fn kind(&self) -> ErrorKind {
        ErrorKind::Internal
    }
}

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        let shown = path.display().to_string();
        // Conversations, keys and logs live here: only this user may read them. SQLite gives
        // the WAL and shared-memory files the database file's mode.
        let private = || -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                crate::secure_fs::ensure_private_dir(dir)?;
            }
            crate::secure_fs::ensure_private_file(path)
        };
        private().map_err(|e| StoreError::Open {
            path: shown.clone(),
            source: sqlx::Error::Io(e),
        })?;
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|source| StoreError::Open {
                path: shown.clone(),
                source,
            })?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: shown.clone(),
                source,
            })?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate {
                path: shown,
                source,
            })?;
        Ok(Store { pool })
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A value of the small `settings` table (any service's key).
    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
                .bind(key)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn journal_mode(&self) -> Result<String, StoreError> {
        Ok(sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&self.pool)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn opens_in_wal_mode_and_migrates_idempotently() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/llmops.sqlite");
        let store = Store::open(&path).await.unwrap();
        assert_eq!(store.journal_mode().await.unwrap(), "wal");
        drop(store);
        // Unix only: Windows has no mode bits (see secure_fs).
        use crate::secure_fs::mode_bits;
        if let Some(mode) = mode_bits(path.parent().unwrap()) {
            assert_eq!(mode, 0o700);
        }
        for file in ["llmops.sqlite", "llmops.sqlite-wal", "llmops.sqlite-shm"] {
            if let Some(mode) = mode_bits(&path.with_file_name(file)) {
                assert_eq!(mode, 0o600, "{file}");
            }
        }
        // Reopening applies no migration twice.
        Store::open(&path).await.unwrap();
    }

    #[tokio::test]
    async fn unwritable_location_is_a_typed_error() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"x").unwrap();
        let err = Store::open(&blocker.join("db.sqlite")).await.err().unwrap();
        assert_eq!(err.code(), "store_open_failed");
    }
}
