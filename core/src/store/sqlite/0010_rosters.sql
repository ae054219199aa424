-- Who served: a claim's fulfilment and an activity may carry a roster (members and
-- non-member helpers with the minutes each gave), kept as JSON text; an activity's roster
-- person-times and minutes are kept beside it so reports sum columns. Activities gain their
-- grid and place; hours may be a visit of a pairing's log. Existing rows have no roster (their
-- person-times stay the bare counts they were given). (`grid` and `pairing` name records but
-- are not declared foreign keys: SQLite can drop a column only when no constraint names it.)
ALTER TABLE claims ADD COLUMN roster TEXT;
ALTER TABLE activities ADD COLUMN grid TEXT;
ALTER TABLE activities ADD COLUMN place TEXT;
ALTER TABLE activities ADD COLUMN roster TEXT;
ALTER TABLE activities ADD COLUMN roster_people INTEGER NOT NULL DEFAULT 0;
ALTER TABLE activities ADD COLUMN roster_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hours ADD COLUMN pairing TEXT;
CREATE INDEX hours_pairing ON hours (pairing) WHERE pairing IS NOT NULL;
