-- A committee may define its own categories under the district's top-level ones: `parent` is
-- the top-level category's code, `committee` the committee whose needs may use it (both NULL
-- for the district's own). Existing categories are the district's. (`committee` names a unit
-- but is not declared a foreign key: units are never deleted, and SQLite can drop a column
-- only when no constraint names it.)
ALTER TABLE categories ADD COLUMN parent TEXT;
ALTER TABLE categories ADD COLUMN committee TEXT;
