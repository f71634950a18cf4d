-- Downloads from a model hub. The download itself is JSON (hub::Download: repository, pinned
-- commit, files with sizes and sha256, state, error); the columns beside it are what the list
-- orders and the restart picks up by. Bytes done are read from the `.partial` files, not stored.
CREATE TABLE hub_downloads (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    record TEXT NOT NULL
);
