-- A need may be for an institution (白鹤养老服务中心, a school) instead of a resident: its
-- public name, and no resident. Existing needs all have a resident. SQLite cannot drop a NOT
-- NULL constraint: the table is rebuilt (with foreign keys off for the migration, checked
-- with `PRAGMA foreign_key_check` before it commits) and its indexes made again.
CREATE TABLE needs_v17 (
    id                  TEXT PRIMARY KEY NOT NULL,
    committee           TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    grid                TEXT REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    resident            TEXT REFERENCES residents (id) DEFERRABLE INITIALLY DEFERRED,
    title               TEXT NOT NULL,
    description         TEXT NOT NULL,
    category            TEXT NOT NULL,
    channel             TEXT NOT NULL,
    scale               TEXT NOT NULL,
    estimated_cost_fen  INTEGER NOT NULL,
    wanted_by           TEXT NOT NULL,
    status              TEXT NOT NULL,
    live_claim          TEXT REFERENCES claims (id) DEFERRABLE INITIALLY DEFERRED,
    claim_count         INTEGER NOT NULL,
    reason              TEXT,
    feedback            TEXT,
    drafted_by          TEXT REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    created_at          TEXT NOT NULL,
    published_at        TEXT,
    updated_at          TEXT NOT NULL,
    recurrence_every    TEXT,
    recurrence_times    INTEGER,
    series              TEXT,
    occurrence          INTEGER NOT NULL DEFAULT 0,
    next_due            TEXT,
    place               TEXT,
    lat_e6              INTEGER,
    lon_e6              INTEGER,
    institution         TEXT
);
INSERT INTO needs_v17 (id, committee, grid, resident, title, description, category, channel,
        scale, estimated_cost_fen, wanted_by, status, live_claim, claim_count, reason, feedback,
        drafted_by, created_at, published_at, updated_at, recurrence_every, recurrence_times,
        series, occurrence, next_due, place, lat_e6, lon_e6)
    SELECT id, committee, grid, resident, title, description, category, channel,
        scale, estimated_cost_fen, wanted_by, status, live_claim, claim_count, reason, feedback,
        drafted_by, created_at, published_at, updated_at, recurrence_every, recurrence_times,
        series, occurrence, next_due, place, lat_e6, lon_e6 FROM needs;
DROP TABLE needs;
ALTER TABLE needs_v17 RENAME TO needs;
CREATE INDEX needs_resident ON needs (resident);
CREATE INDEX needs_status_wanted ON needs (status, wanted_by);
CREATE INDEX needs_committee_status_id ON needs (committee, status, id, category);
CREATE INDEX needs_status_id ON needs (status, id, committee, category);
CREATE INDEX needs_live_claim ON needs (live_claim) WHERE live_claim IS NOT NULL;
CREATE INDEX needs_next_due ON needs (next_due) WHERE next_due IS NOT NULL;
CREATE INDEX needs_series ON needs (series) WHERE series IS NOT NULL;
