-- Conversations, their messages (with full-text search), external endpoints and parameter presets.

CREATE TABLE chat_endpoints (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    base_url    TEXT NOT NULL,
    -- Stored locally like any app secret; never sent back to the UI in full.
    api_key     TEXT,
    created_at  INTEGER NOT NULL
);

CREATE TABLE chat_sessions (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    -- JSON ChatTarget: a library model, or an external endpoint and its model name.
    target      TEXT NOT NULL,
    -- What the target was called when last used, kept when the model or endpoint is removed.
    target_label TEXT NOT NULL,
    -- JSON ChatParams.
    params      TEXT NOT NULL DEFAULT '{}',
    pinned      INTEGER NOT NULL DEFAULT 0,
    -- Whether the title was typed by the user (then never replaced automatically).
    title_set   INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX chat_sessions_order ON chat_sessions (pinned DESC, updated_at DESC);

CREATE TABLE chat_messages (
    -- A stable integer key: the full-text index refers to it (a plain rowid may change on VACUUM).
    num         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    session_id  TEXT NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    role        TEXT NOT NULL,
    content     TEXT NOT NULL,
    reasoning   TEXT NOT NULL DEFAULT '',
    -- complete | streaming | stopped | failed | incomplete
    status      TEXT NOT NULL,
    -- JSON ErrorBody when the answer failed.
    error       TEXT,
    -- JSON AnswerStats of an assistant answer.
    stats       TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (session_id, seq)
);

CREATE VIRTUAL TABLE chat_messages_fts USING fts5(
    content,
    session_id UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- An answer is indexed once it stops streaming, not at every periodic flush.
CREATE TRIGGER chat_messages_fts_insert AFTER INSERT ON chat_messages
WHEN new.status != 'streaming' BEGIN
    INSERT INTO chat_messages_fts (rowid, content, session_id)
    VALUES (new.num, new.content, new.session_id);
END;
CREATE TRIGGER chat_messages_fts_update AFTER UPDATE OF content, status ON chat_messages
WHEN new.status != 'streaming' BEGIN
    DELETE FROM chat_messages_fts WHERE rowid = old.num;
    INSERT INTO chat_messages_fts (rowid, content, session_id)
    VALUES (new.num, new.content, new.session_id);
END;
CREATE TRIGGER chat_messages_fts_delete AFTER DELETE ON chat_messages BEGIN
    DELETE FROM chat_messages_fts WHERE rowid = old.num;
END;

CREATE TABLE chat_presets (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    params      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
