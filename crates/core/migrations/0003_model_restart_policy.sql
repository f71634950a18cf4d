-- What to do when an instance of the model fails: {"kind":"never"} or
-- {"kind":"on_failure","max_retries":N}.
ALTER TABLE models ADD COLUMN restart_policy TEXT NOT NULL DEFAULT '{"kind":"never"}';
