//! Rows of the chat tables: conversations (`chat_sessions`), their messages (`chat_messages`,
//! with the FTS5 index `chat_messages_fts`), external endpoints and presets.

use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::chat::{
    ChatDefaults, ChatEndpoint, ChatParams, ChatPreset, ChatRole, ChatTarget, Conversation,
    EndpointRecord, MessageStatus, SearchHit, StoredMessage,
};
use crate::error::ErrorBody;
use crate::store::{Store, StoreError};

/// The text of a streaming answer, saved as it arrives.
pub struct AnswerText<'a> {
    pub content: &'a str,
    pub reasoning: &'a str,
}

/// The settings row of the chat defaults.
const CHAT_DEFAULTS: &str = "chat.defaults";

impl Store {
    /// The chat defaults; none set reads as empty.
    pub async fn chat_defaults(&self) -> Result<ChatDefaults, StoreError> {
        match self.setting(CHAT_DEFAULTS).await? {
            Some(text) => parse("settings", &text),
            None => Ok(ChatDefaults::default()),
        }
    }

    pub async fn set_chat_defaults(&self, defaults: &ChatDefaults) -> Result<(), StoreError> {
        self.set_setting(CHAT_DEFAULTS, &json(defaults)).await
    }

    pub async fn insert_conversation(&self, c: &Conversation) -> Result<(), StoreError> {
        insert_conversation_row(self.pool(), c, false).await
    }

    /// Pinned first, then the most recently active.
    pub async fn list_conversations(&self) -> Result<Vec<Conversation>, StoreError> {
        let rows = sqlx::query("SELECT * FROM chat_sessions ORDER BY pinned DESC, updated_at DESC")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(conversation_from_row).collect()
    }

    pub async fn get_conversation(&self, id: &str) -> Result<Option<Conversation>, StoreError> {
        let row = sqlx::query("SELECT * FROM chat_sessions WHERE id = ?1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(conversation_from_row).transpose()
    }

    /// Whether the user has typed the title (then it is never replaced automatically).
    pub async fn conversation_title_set(&self, id: &str) -> Result<bool, StoreError> {
        Ok(
            sqlx::query_scalar::<_, bool>("SELECT title_set FROM chat_sessions WHERE id = ?1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?
                .unwrap_or(false),
        )
    }

    /// Writes every field of the conversation; `title_set` marks a title the user typed.
    pub async fn update_conversation(
        &self,
        c: &Conversation,
        title_set: Option<bool>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE chat_sessions SET title = ?2, target = ?3, target_label = ?4, params = ?5,
                 pinned = ?6, updated_at = ?7, title_set = COALESCE(?8, title_set)
             WHERE id = ?1",
        )
        .bind(&c.id)
        .bind(&c.title)
        .bind(json(&c.target))
        .bind(&c.target_label)
        .bind(json(&c.params))
        .bind(c.pinned)
        .bind(c.updated_at)
        .bind(title_set)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn delete_conversation(&self, id: &str) -> Result<bool, StoreError> {
        self.delete_by_id(ChatTable::Sessions, id).await
    }

    pub async fn list_messages(
        &self,
        conversation_id: &str,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        // Versions of an answer: those not deleted that answer the same user message, in order.
        let rows = sqlx::query(
            "SELECT m.*,
                    (SELECT COUNT(*) FROM chat_messages v
                      WHERE v.session_id = m.session_id AND v.answers = m.answers
                        AND v.hidden IS NOT 'deleted' AND v.seq <= m.seq) AS version,
                    (SELECT COUNT(*) FROM chat_messages v
                      WHERE v.session_id = m.session_id AND v.answers = m.answers
                        AND v.hidden IS NOT 'deleted') AS versions
               FROM chat_messages m
              WHERE m.session_id = ?1 AND m.hidden IS NULL
              ORDER BY m.seq",
        )
        .bind(conversation_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(message_from_row).collect()
    }

    /// Hides the messages after `id` as earlier versions of the answer to `id` (a regenerate).
    pub async fn supersede_answers_after(
        &self,
        conversation_id: &str,
        id: &str,
    ) -> Result<u64, StoreError> {
        let result = sqlx::query(
            "UPDATE chat_messages SET hidden = 'superseded', answers = COALESCE(answers, ?2)
              WHERE session_id = ?1 AND hidden IS NULL
                AND seq > (SELECT seq FROM chat_messages WHERE id = ?2)",
        )
        .bind(conversation_id)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected())
    }

    /// Shows the version of an answer given by its position (from 1) among the versions of the
    /// answer that `shown_id` belongs to, and hides the others. Returns whether it existed.
    pub async fn show_answer_version(
        &self,
        conversation_id: &str,
        shown_id: &str,
        version: u32,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let versions: Vec<String> = sqlx::query_scalar(
            "SELECT v.id FROM chat_messages v
               JOIN chat_messages m ON m.id = ?2 AND m.session_id = ?1
              WHERE v.session_id = ?1 AND v.answers = m.answers AND v.hidden IS NOT 'deleted'
              ORDER BY v.seq",
        )
        .bind(conversation_id)
        .bind(shown_id)
        .fetch_all(&mut *tx)
        .await?;
        let Some(chosen) = (version as usize)
            .checked_sub(1)
            .and_then(|i| versions.get(i))
        else {
            return Ok(false);
        };
        for id in &versions {
            sqlx::query("UPDATE chat_messages SET hidden = CASE WHEN id = ?2 THEN NULL ELSE 'superseded' END WHERE session_id = ?1 AND id = ?3")
                .bind(conversation_id)
                .bind(chosen)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Appends a message at the end of its conversation.
    pub async fn insert_message(&self, m: &StoredMessage) -> Result<(), StoreError> {
        insert_message_row(self.pool(), m).await
    }

    /// Saves an imported conversation and its messages at once: all of it, or nothing.
    pub async fn insert_imported_conversation(
        &self,
        c: &Conversation,
        title_set: bool,
        messages: &[StoredMessage],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        insert_conversation_row(&mut *tx, c, title_set).await?;
        for m in messages {
            insert_message_row(&mut *tx, m).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Saves the text received so far of an answer that is still streaming.
    pub async fn save_streaming_text(
        &self,
        id: &str,
        text: AnswerText<'_>,
        at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE chat_messages SET content = ?2, reasoning = ?3, updated_at = ?4 WHERE id = ?1",
        )
        .bind(id)
        .bind(text.content)
        .bind(text.reasoning)
        .bind(at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Writes the final state of a message (its text, status, error and statistics).
    pub async fn finish_message(&self, m: &StoredMessage) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE chat_messages SET content = ?2, reasoning = ?3, status = ?4, error = ?5, stats = ?6, updated_at = ?7
             WHERE id = ?1",
        )
        .bind(&m.id)
        .bind(&m.content)
        .bind(&m.reasoning)
        .bind(m.status.as_str())
        .bind(m.error.as_ref().map(json))
        .bind(m.stats.as_ref().map(json))
        .bind(m.updated_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Marks a shown message deleted, keeping it until [`Store::purge_deleted_messages`] so that
    /// the delete can be undone. A deleted answer with other versions shows the newest of them.
    /// Returns whether the message was shown.
    pub async fn delete_message(
        &self,
        conversation_id: &str,
        id: &str,
    ) -> Result<bool, StoreError> {
        self.change_then_adjust(
            conversation_id,
            id,
            "UPDATE chat_messages SET hidden = 'deleted' WHERE session_id = ?1 AND id = ?2 AND hidden IS NULL",
            "UPDATE chat_messages SET hidden = NULL
              WHERE num = (SELECT v.num FROM chat_messages v JOIN chat_messages m ON m.id = ?2
                            WHERE v.session_id = ?1 AND v.answers = m.answers
                              AND v.hidden = 'superseded'
                            ORDER BY v.seq DESC LIMIT 1)",
        )
        .await
    }

    /// Shows a deleted message again (as the shown version of its answer). Returns whether it
    /// was deleted and still kept.
    pub async fn restore_message(
        &self,
        conversation_id: &str,
        id: &str,
    ) -> Result<bool, StoreError> {
        self.change_then_adjust(
            conversation_id,
            id,
            "UPDATE chat_messages SET hidden = NULL WHERE session_id = ?1 AND id = ?2 AND hidden = 'deleted'",
            "UPDATE chat_messages SET hidden = 'superseded'
              WHERE session_id = ?1 AND id != ?2 AND hidden IS NULL
                AND answers = (SELECT answers FROM chat_messages WHERE id = ?2)",
        )
        .await
    }

    /// Runs `change` on one message (`?1` conversation, `?2` message) and, only when it changed
    /// that message, `adjust` on its answer's other versions, in one transaction. Returns whether
    /// the message changed.
    async fn change_then_adjust(
        &self,
        conversation_id: &str,
        id: &str,
        change: &str,
        adjust: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let changed = sqlx::query(change)
            .bind(conversation_id)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        if changed {
            sqlx::query(adjust)
                .bind(conversation_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Drops the deleted messages of a conversation for good (a new turn ends their undo).
    pub async fn purge_deleted_messages(&self, conversation_id: &str) -> Result<u64, StoreError> {
        let result =
            sqlx::query("DELETE FROM chat_messages WHERE session_id = ?1 AND hidden = 'deleted'")
                .bind(conversation_id)
                .execute(self.pool())
                .await?;
        Ok(result.rows_affected())
    }

    /// Deletes the messages that follow `id` in its conversation.
    pub async fn delete_messages_after(
        &self,
        conversation_id: &str,
        id: &str,
    ) -> Result<u64, StoreError> {
        let result = sqlx::query(
            "DELETE FROM chat_messages WHERE session_id = ?1
               AND seq > (SELECT seq FROM chat_messages WHERE id = ?2)",
        )
        .bind(conversation_id)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected())
    }

    /// Marks answers left `streaming` by a run that ended abruptly as `incomplete`.
    pub async fn mark_interrupted_answers(&self, at: i64) -> Result<u64, StoreError> {
        let result = sqlx::query(
            "UPDATE chat_messages SET status = 'incomplete', updated_at = ?1 WHERE status = 'streaming'",
        )
        .bind(at)
        .execute(self.pool())
        .await?;
        Ok(result.rows_affected())
    }

    /// Full-text search over messages (an FTS5 query) and titles (a plain substring).
    pub async fn search_chat(
        &self,
        fts_query: &str,
        title_pattern: &str,
        limit: u32,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id AS session_id, s.title, m.id AS message_id, m.role,
                    snippet(chat_messages_fts, 0, char(2), char(3), '…', 16) AS snippet,
                    s.updated_at
               FROM chat_messages_fts f
               JOIN chat_messages m ON m.num = f.rowid AND m.hidden IS NULL
               JOIN chat_sessions s ON s.id = m.session_id
              WHERE chat_messages_fts MATCH ?1
             UNION ALL
             SELECT s.id, s.title, NULL, NULL, s.title, s.updated_at
               FROM chat_sessions s
              WHERE s.title LIKE ?2 ESCAPE '\\'
             ORDER BY 6 DESC
             LIMIT ?3",
        )
        .bind(fts_query)
        .bind(title_pattern)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let role: Option<String> = row.try_get("role")?;
                Ok(SearchHit {
                    conversation_id: row.try_get("session_id")?,
                    conversation_title: row.try_get("title")?,
                    message_id: row.try_get("message_id")?,
                    role: role.as_deref().and_then(ChatRole::parse),
                    snippet: row.try_get("snippet")?,
                    updated_at: row.try_get("updated_at")?,
                })
            })
            .collect()
    }

    pub async fn insert_endpoint(&self, e: &EndpointRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO chat_endpoints (id, name, base_url, api_key, has_api_key, created_at) VALUES (?1, ?2, ?3, NULL, ?4, ?5)",
        )
        .bind(&e.endpoint.id)
        .bind(&e.endpoint.name)
        .bind(&e.endpoint.base_url)
        .bind(e.endpoint.has_api_key)
        .bind(e.endpoint.created_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Endpoints whose key is still in the database (written by an older version), with it.
    pub async fn endpoints_with_stored_keys(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT id, api_key FROM chat_endpoints WHERE api_key IS NOT NULL")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("api_key")?)))
            .collect()
    }

    /// Forgets the key kept in the database once it is in the secret store.
    pub async fn clear_stored_endpoint_key(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE chat_endpoints SET api_key = NULL, has_api_key = 1 WHERE id = ?1")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn list_endpoints(&self) -> Result<Vec<EndpointRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM chat_endpoints ORDER BY created_at")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(endpoint_from_row).collect()
    }

    pub async fn get_endpoint(&self, id: &str) -> Result<Option<EndpointRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM chat_endpoints WHERE id = ?1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(endpoint_from_row).transpose()
    }

    pub async fn delete_endpoint(&self, id: &str) -> Result<bool, StoreError> {
        self.delete_by_id(ChatTable::Endpoints, id).await
    }

    /// Saves a preset; one with the same name is replaced.
    pub async fn upsert_preset(&self, p: &ChatPreset) -> Result<ChatPreset, StoreError> {
        sqlx::query(
            "INSERT INTO chat_presets (id, name, params, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (name) DO UPDATE SET params = excluded.params",
        )
        .bind(&p.id)
        .bind(&p.name)
        .bind(json(&p.params))
        .bind(p.created_at)
        .execute(self.pool())
        .await?;
        let row = sqlx::query("SELECT * FROM chat_presets WHERE name = ?1")
            .bind(&p.name)
            .fetch_one(self.pool())
            .await?;
        preset_from_row(&row)
    }

    pub async fn list_presets(&self) -> Result<Vec<ChatPreset>, StoreError> {
        let rows = sqlx::query("SELECT * FROM chat_presets ORDER BY name COLLATE NOCASE")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(preset_from_row).collect()
    }

    pub async fn delete_preset(&self, id: &str) -> Result<bool, StoreError> {
        self.delete_by_id(ChatTable::Presets, id).await
    }
}

/// The chat tables rows are deleted from by id (never a table name from outside).
#[derive(Clone, Copy)]
enum ChatTable {
    Sessions,
    Endpoints,
    Presets,
}

impl Store {
    /// Returns whether a row was deleted.
    async fn delete_by_id(&self, table: ChatTable, id: &str) -> Result<bool, StoreError> {
        let sql = match table {
            ChatTable::Sessions => "DELETE FROM chat_sessions WHERE id = ?1",
            ChatTable::Endpoints => "DELETE FROM chat_endpoints WHERE id = ?1",
            ChatTable::Presets => "DELETE FROM chat_presets WHERE id = ?1",
        };
        let result = sqlx::query(sql).bind(id).execute(self.pool()).await?;
        Ok(result.rows_affected() > 0)
    }
}

async fn insert_conversation_row<'e>(
    executor: impl sqlx::SqliteExecutor<'e>,
    c: &Conversation,
    title_set: bool,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO chat_sessions (id, title, target, target_label, params, pinned, title_set, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .bind(&c.id)
    .bind(&c.title)
    .bind(json(&c.target))
    .bind(&c.target_label)
    .bind(json(&c.params))
    .bind(c.pinned)
    .bind(title_set)
    .bind(c.created_at)
    .bind(c.updated_at)
    .execute(executor)
    .await?;
    Ok(())
}

/// Appends a message at the end of its conversation (its `seq` after the last one).
async fn insert_message_row<'e>(
    executor: impl sqlx::SqliteExecutor<'e>,
    m: &StoredMessage,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO chat_messages (id, session_id, seq, role, content, reasoning, status, error, stats, created_at, updated_at, answers)
         VALUES (?1, ?2,
                 (SELECT COALESCE(MAX(seq), 0) + 1 FROM chat_messages WHERE session_id = ?2),
                 ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )
    .bind(&m.id)
    .bind(&m.conversation_id)
    .bind(m.role.as_str())
    .bind(&m.content)
    .bind(&m.reasoning)
    .bind(m.status.as_str())
    .bind(m.error.as_ref().map(json))
    .bind(m.stats.as_ref().map(json))
    .bind(m.created_at)
    .bind(m.updated_at)
    .bind(&m.answers)
    .execute(executor)
    .await?;
    Ok(())
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("chat values serialise")
}

fn parse<T: serde::de::DeserializeOwned>(table: &'static str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        table,
        detail: format!("{e}: {text}"),
    })
}

fn conversation_from_row(row: &SqliteRow) -> Result<Conversation, StoreError> {
    let target: String = row.try_get("target")?;
    let params: String = row.try_get("params")?;
    Ok(Conversation {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        target: parse::<ChatTarget>("chat_sessions", &target)?,
        target_label: row.try_get("target_label")?,
        params: parse::<ChatParams>("chat_sessions", &params)?,
        pinned: row.try_get("pinned")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn message_from_row(row: &SqliteRow) -> Result<StoredMessage, StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt {
        table: "chat_messages",
        detail,
    };
    let role: String = row.try_get("role")?;
    let status: String = row.try_get("status")?;
    let error: Option<String> = row.try_get("error")?;
    let stats: Option<String> = row.try_get("stats")?;
    Ok(StoredMessage {
        id: row.try_get("id")?,
        conversation_id: row.try_get("session_id")?,
        role: ChatRole::parse(&role).ok_or_else(|| corrupt(format!("role {role:?}")))?,
        content: row.try_get("content")?,
        reasoning: row.try_get("reasoning")?,
        status: MessageStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("status {status:?}")))?,
        error: error
            .as_deref()
            .map(|e| parse::<ErrorBody>("chat_messages", e))
            .transpose()?,
        stats: stats
            .as_deref()
            .map(|s| parse("chat_messages", s))
            .transpose()?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        answers: row.try_get("answers")?,
        version: row.try_get::<u32, _>("version")?.max(1),
        versions: row.try_get::<u32, _>("versions")?.max(1),
    })
}

fn endpoint_from_row(row: &SqliteRow) -> Result<EndpointRecord, StoreError> {
    // The key itself is in the secret store; the chat service fills it in when it needs it.
    Ok(EndpointRecord {
        endpoint: ChatEndpoint {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            base_url: row.try_get("base_url")?,
            has_api_key: row.try_get("has_api_key")?,
            created_at: row.try_get("created_at")?,
        },
        api_key: None,
    })
}

fn preset_from_row(row: &SqliteRow) -> Result<ChatPreset, StoreError> {
    let params: String = row.try_get("params")?;
    Ok(ChatPreset {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        params: parse("chat_presets", &params)?,
        created_at: row.try_get("created_at")?,
    })
}
