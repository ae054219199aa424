-- needbridge schema, version 3: report cells — monthly counters of needs and claims kept in
-- every write transaction, so reports read cells instead of scanning needs and claims (see
-- core/src/report/cells.rs for what a cell counts). Derived data: the store fills the table
-- from the existing rows when this migration is applied.

CREATE TABLE report_cells (
    unit           TEXT NOT NULL,
    month          INTEGER NOT NULL,
    dim            TEXT NOT NULL,
    stream         TEXT NOT NULL,
    key            TEXT NOT NULL,
    prev           INTEGER NOT NULL,
    n              INTEGER NOT NULL,
    members        INTEGER NOT NULL,
    teams          INTEGER NOT NULL,
    organisations  INTEGER NOT NULL,
    collective     INTEGER NOT NULL,
    money_fen      INTEGER NOT NULL,
    items          INTEGER NOT NULL,
    minutes        INTEGER NOT NULL,
    people         INTEGER NOT NULL,
    PRIMARY KEY (unit, month, dim, stream, key, prev)
) WITHOUT ROWID;
