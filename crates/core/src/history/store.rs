//! Rows of `metric_rollups` (history) and `settings`.

use sqlx::Row;

use crate::store::{Store, StoreError};

/// Min/avg/max of one series over one minute (or a wider bucket when read back).
#[derive(Debug, Clone, PartialEq)]
pub struct Rollup {
    pub minute: i64,
    pub series: String,
    pub min: f64,
    pub avg: f64,
    pub max: f64,
    pub count: i64,
}

impl Store {
    /// Writes a batch in one transaction; a minute already present is merged, not replaced.
    pub async fn write_rollups(&self, rows: &[Rollup]) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool().begin().await?;
        for row in rows {
            sqlx::query(
                "INSERT INTO metric_rollups (minute, series, min, avg, max, count) VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT (minute, series) DO UPDATE SET
                     min = MIN(min, excluded.min), max = MAX(max, excluded.max),
                     avg = (avg * count + excluded.avg * excluded.count) / (count + excluded.count),
                     count = count + excluded.count",
            )
            .bind(row.minute)
            .bind(&row.series)
            .bind(row.min)
            .bind(row.avg)
            .bind(row.max)
            .bind(row.count)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Rollups with `from <= minute < to`, merged into buckets of `bucket_ms`, ordered by series
    /// then time. `series` filters when given.
    pub async fn read_rollups(
        &self,
        from: i64,
        to: i64,
        bucket_ms: i64,
        series: Option<&[String]>,
    ) -> Result<Vec<Rollup>, StoreError> {
        let filter = match series {
            // Numbered like the others: SQLite would number a bare `?` after `?3`, sqlx does not.
            Some(keys) if !keys.is_empty() => {
                let numbered: Vec<String> =
                    (0..keys.len()).map(|i| format!("?{}", i + 4)).collect();
                format!("AND series IN ({})", numbered.join(","))
            }
            _ => String::new(),
        };
        let sql = format!(
            "SELECT (minute / ?1) * ?1 AS bucket, series, MIN(min) AS min, SUM(avg * count) / SUM(count) AS avg,
                    MAX(max) AS max, SUM(count) AS count
             FROM metric_rollups WHERE minute >= ?2 AND minute < ?3 {filter}
             GROUP BY series, bucket ORDER BY series, bucket"
        );
        let mut query = sqlx::query(&sql)
            .bind(bucket_ms.max(60_000))
            .bind(from)
            .bind(to);
        for key in series.unwrap_or_default() {
            query = query.bind(key);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(Rollup {
                    minute: r.try_get("bucket")?,
                    series: r.try_get("series")?,
                    min: r.try_get("min")?,
                    avg: r.try_get("avg")?,
                    max: r.try_get("max")?,
                    count: r.try_get("count")?,
                })
            })
            .collect()
    }

    /// Deletes rollups older than `before`; returns how many.
    pub async fn prune_rollups(&self, before: i64) -> Result<u64, StoreError> {
        Ok(sqlx::query("DELETE FROM metric_rollups WHERE minute < ?")
            .bind(before)
            .execute(self.pool())
            .await?
            .rows_affected())
    }
}
