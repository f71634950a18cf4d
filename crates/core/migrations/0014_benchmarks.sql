-- Benchmarks (load and hardware) with their results, one JSON record each; owned by `bench`.
CREATE TABLE benchmarks (
    id TEXT PRIMARY KEY NOT NULL,
    started_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    model_id TEXT,
    instance_id TEXT,
    record TEXT NOT NULL
);
CREATE INDEX benchmarks_started ON benchmarks (started_at);
CREATE INDEX benchmarks_instance ON benchmarks (instance_id);
