-- The working calendar: for each year, the public holidays and the weekend days worked
-- instead, as the State Council announces them (JSON arrays of ISO dates). Rules that count
-- working days (a service record entered within 10 working days) read it.
CREATE TABLE calendar_years (
    id                TEXT PRIMARY KEY NOT NULL,
    year              INTEGER NOT NULL UNIQUE,
    holidays          TEXT NOT NULL,
    working_weekends  TEXT NOT NULL,
    set_at            TEXT NOT NULL
);
