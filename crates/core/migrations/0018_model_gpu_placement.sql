-- Which GPUs a model runs on (`GpuPlacement` as JSON: all, devices or auto). Owned by `library`.
ALTER TABLE models ADD COLUMN gpus TEXT NOT NULL DEFAULT '{"mode":"all"}';
