-- A port the user fixed for the model; NULL: allocated automatically at each start.
ALTER TABLE models ADD COLUMN port INTEGER;
