-- The side table: text values under (space, key) that sync keeps beside the records, written
-- in the same transactions (a portal's stored outcomes per client; a device's outbox, cookie
-- and before-images; the store's own epoch in space `store`). What a value means is the
-- core's: the store only keeps it. Keys are scanned in order: the "C" collation is the byte
-- order of the UTF-8 text, as SQLite's default.
CREATE TABLE side (
    space  TEXT COLLATE "C" NOT NULL,
    key    TEXT COLLATE "C" NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (space, key)
);

-- A device keeps residents as its user may see them: whether a copy is masked is part of the
-- record (a portal's copies are whole: 0).
ALTER TABLE residents ADD COLUMN masked BIGINT NOT NULL DEFAULT 0;

-- A claim written before or after its need (a device applies a snapshot; a restore) has its
-- `needs.live_claim` reference checked through this index instead of a scan of `needs`.
CREATE INDEX needs_live_claim ON needs (live_claim) WHERE live_claim IS NOT NULL;
