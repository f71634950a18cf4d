-- Engine runtimes installed from prebuilt releases (one JSON record each), and the models pinned
-- to one of them. The default runtime and the releases address are settings. Owned by `runtimes`.
CREATE TABLE engine_runtimes (
    id TEXT PRIMARY KEY NOT NULL,
    created_at INTEGER NOT NULL,
    record TEXT NOT NULL
);

CREATE TABLE engine_runtime_pins (
    model_id TEXT PRIMARY KEY NOT NULL,
    runtime_id TEXT NOT NULL
);
