-- One row per series per minute: min/avg/max of the samples in that minute, and how many there
-- were (to merge a minute written in two parts). Keyed by time first: history queries read a
-- time range across all series.
CREATE TABLE metric_rollups (
    minute  INTEGER NOT NULL,  -- Unix ms at the start of the minute
    series  TEXT NOT NULL,
    min     REAL NOT NULL,
    avg     REAL NOT NULL,
    max     REAL NOT NULL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (minute, series)
) WITHOUT ROWID;

-- Small JSON settings by key (alert rules, …).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
