-- Every request through the /v1 gateway, measured. The record itself is JSON (RequestRecord);
-- the columns beside it are what lists filter and prune by.
CREATE TABLE gateway_requests (
    id TEXT PRIMARY KEY,
    received_at INTEGER NOT NULL,
    model TEXT NOT NULL,
    model_id TEXT,
    outcome TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX gateway_requests_by_time ON gateway_requests (received_at);
CREATE INDEX gateway_requests_by_model ON gateway_requests (model_id, received_at);
