-- A committee may define its own categories under the district's top-level ones: `parent` is
-- the top-level category's code, `committee` the committee whose needs may use it (both NULL
-- for the district's own). Existing categories are the district's.
ALTER TABLE categories ADD COLUMN parent TEXT;
ALTER TABLE categories ADD COLUMN committee UUID REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED;
