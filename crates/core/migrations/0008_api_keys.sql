-- API keys for clients that are not on loopback. Only a SHA-256 of the key is kept: a stolen
-- database does not give working keys.
CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    -- 'read', 'operate' or 'admin'.
    scope       TEXT NOT NULL,
    -- Hex SHA-256 of the whole key.
    key_hash    TEXT NOT NULL UNIQUE,
    -- The first characters of the key, shown so that users can tell keys apart.
    prefix      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    last_used_at INTEGER
);
