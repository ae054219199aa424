-- The event log is read by `seq` only (its primary key): the unique index on `id` and the
-- index on `committee` were two more b-trees written by every command (two of the four extra
-- pages a claim wrote against a minimal hand-written claim; docs/BENCHMARKS.md). Event ids stay
-- uuid v7, made by the Hub. SQLite cannot drop a UNIQUE constraint: the table is rebuilt.
DROP INDEX IF EXISTS events_committee;
CREATE TABLE events_v6 (
    seq         INTEGER PRIMARY KEY NOT NULL,
    id          TEXT NOT NULL,
    at          TEXT NOT NULL,
    actor_type  TEXT NOT NULL,
    actor_id    TEXT,
    kind        TEXT NOT NULL,
    committee   TEXT,
    payload     TEXT NOT NULL
);
INSERT INTO events_v6 (seq, id, at, actor_type, actor_id, kind, committee, payload)
    SELECT seq, id, at, actor_type, actor_id, kind, committee, payload FROM events;
DROP TABLE events;
ALTER TABLE events_v6 RENAME TO events;
