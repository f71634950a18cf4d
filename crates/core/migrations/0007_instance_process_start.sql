-- When the engine process started (clock ticks since boot, /proc/<pid>/stat field 22): with the
-- pid, it tells a surviving engine of ours from an unrelated process that reused the pid.
ALTER TABLE instances ADD COLUMN proc_start INTEGER;
