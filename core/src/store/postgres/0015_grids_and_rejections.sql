-- Teams and three-heads roles carry the grid (网格) they work in. The report cells gain the
-- `rejected` stream (needs refused at the committee's check): upgrading past this version
-- refills every store's cells from its records.
ALTER TABLE teams ADD COLUMN grid UUID REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE roles ADD COLUMN grid UUID REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED;
