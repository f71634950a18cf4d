-- Sweeps (one JSON record each) and the configurations promoted to models' settings from them:
-- each model's registry of proven settings. Owned by `sweeps`.
CREATE TABLE sweeps (
    id TEXT PRIMARY KEY NOT NULL,
    started_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    model_id TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX sweeps_started ON sweeps (started_at);

CREATE TABLE promotions (
    id TEXT PRIMARY KEY NOT NULL,
    model_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX promotions_model ON promotions (model_id, at);
