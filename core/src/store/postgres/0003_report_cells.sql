-- needbridge schema, version 3: report cells — monthly counters of needs and claims kept in
-- every write transaction, so reports read cells instead of scanning needs and claims (see
-- core/src/report/cells.rs for what a cell counts). Derived data: the store fills the table
-- from the existing rows when this migration is applied.

CREATE TABLE report_cells (
    unit           UUID NOT NULL,
    month          BIGINT NOT NULL,
    dim            TEXT NOT NULL,
    stream         TEXT NOT NULL,
    key            TEXT NOT NULL,
    prev           BIGINT NOT NULL,
    n              BIGINT NOT NULL,
    members        BIGINT NOT NULL,
    teams          BIGINT NOT NULL,
    organisations  BIGINT NOT NULL,
    collective     BIGINT NOT NULL,
    money_fen      BIGINT NOT NULL,
    items          BIGINT NOT NULL,
    minutes        BIGINT NOT NULL,
    people         BIGINT NOT NULL,
    PRIMARY KEY (unit, month, dim, stream, key, prev)
);
