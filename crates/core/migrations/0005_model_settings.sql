-- Engine settings of a model (JSON, e.g. llama.cpp GPU layers, threads, batch sizes).
ALTER TABLE models ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
