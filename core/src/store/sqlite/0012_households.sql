-- Households (户) and needs with several beneficiaries: a household holds no personal data
-- (its address is its residents'); residents belong to one; a need may be for further
-- residents of its committee (`need_beneficiaries`). The report cells gain households helped
-- (a `household` dimension of residents helped): upgrading past this version refills them.
-- (`residents.household` names a household but is not declared a foreign key: SQLite can drop
-- a column only when no constraint names it.)
CREATE TABLE households (
    id          TEXT PRIMARY KEY NOT NULL,
    committee   TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    grid        TEXT REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    created_at  TEXT NOT NULL
);
CREATE INDEX households_committee ON households (committee);
ALTER TABLE residents ADD COLUMN household TEXT;
CREATE INDEX residents_household ON residents (household) WHERE household IS NOT NULL;
CREATE TABLE need_beneficiaries (
    need      TEXT NOT NULL REFERENCES needs (id) DEFERRABLE INITIALLY DEFERRED,
    pos       INTEGER NOT NULL,
    resident  TEXT NOT NULL REFERENCES residents (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (need, pos)
);
CREATE INDEX need_beneficiaries_resident ON need_beneficiaries (resident);
