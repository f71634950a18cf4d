-- Endpoint API keys move to the secret store (OS keyring or a 0600 file); the table only says
-- whether one exists. Keys still in `api_key` are moved at the next start, then cleared.
ALTER TABLE chat_endpoints ADD COLUMN has_api_key INTEGER NOT NULL DEFAULT 0;
UPDATE chat_endpoints SET has_api_key = 1 WHERE api_key IS NOT NULL;

-- Names of a model's secret environment entries (JSON array); the values are in the secret store.
ALTER TABLE models ADD COLUMN secret_env TEXT NOT NULL DEFAULT '[]';
