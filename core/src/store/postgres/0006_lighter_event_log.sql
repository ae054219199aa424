-- The event log is read by `seq` only (its primary key): the unique index on `id` and the
-- index on `committee` were two more b-trees written by every command. Event ids stay uuid
-- v7, made by the Hub.
DROP INDEX IF EXISTS events_committee;
ALTER TABLE events DROP CONSTRAINT IF EXISTS events_id_key;
