-- The side table: text values under (space, key) that sync keeps beside the records, written
-- in the same transactions (a portal's stored outcomes per client; a device's outbox, cookie
-- and before-images; the store's own epoch in space `store`). What a value means is the
-- core's: the store only keeps it. Keys are scanned in order: SQLite's default BINARY
-- collation is the byte order of the UTF-8 text.
CREATE TABLE side (
    space  TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (space, key)
);
