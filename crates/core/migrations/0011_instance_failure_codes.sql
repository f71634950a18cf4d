-- A failure's summary as a code with its values (JSON ErrorBody) and its hint's code, beside the
-- English reason, so that past runs read in the user's language too.
ALTER TABLE instances ADD COLUMN summary TEXT;
ALTER TABLE instances ADD COLUMN hint TEXT;
ALTER TABLE instance_transitions ADD COLUMN summary TEXT;
ALTER TABLE instance_transitions ADD COLUMN hint TEXT;
