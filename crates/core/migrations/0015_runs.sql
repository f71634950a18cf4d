-- Every instance lifetime (a run), one JSON record each, and its resource readings; owned by
-- `runs`. The id is the instance's id.
CREATE TABLE runs (
    id TEXT PRIMARY KEY NOT NULL,
    model_id TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    sweep_id TEXT,
    record TEXT NOT NULL,
    resources TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX runs_started ON runs (started_at);
CREATE INDEX runs_model ON runs (model_id, started_at);
