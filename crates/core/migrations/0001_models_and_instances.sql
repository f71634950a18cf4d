-- The configured models.
CREATE TABLE models (
    id           TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    engine       TEXT NOT NULL,
    path         TEXT NOT NULL,
    context_size INTEGER NOT NULL,
    extra_args   TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    starter      INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL              -- Unix ms
);

-- Every instance ever started, with its last known state.
CREATE TABLE instances (
    id         TEXT PRIMARY KEY NOT NULL,
    model_id   TEXT NOT NULL,
    model_name TEXT NOT NULL,
    engine     TEXT NOT NULL,
    port       INTEGER NOT NULL,
    pid        INTEGER,
    state      TEXT NOT NULL,
    reason     TEXT,
    started_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX instances_by_model ON instances (model_id, started_at);

-- Every state transition of every instance.
CREATE TABLE instance_transitions (
    instance_id TEXT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    state       TEXT NOT NULL,
    reason      TEXT,
    at          INTEGER NOT NULL
);
CREATE INDEX instance_transitions_by_instance ON instance_transitions (instance_id, at);
