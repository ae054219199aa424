-- Volunteer service records' certificates (志愿服务记录证明) with a number anyone can check,
-- and members' requests to correct a record. The records themselves are not stored apart:
-- they are the rosters, approved hours and visits already kept.
CREATE TABLE service_certificates (
    id           TEXT PRIMARY KEY NOT NULL,
    number       TEXT NOT NULL UNIQUE,
    member       TEXT NOT NULL REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    committee    TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    period_from  TEXT,
    period_to    TEXT,
    minutes      INTEGER NOT NULL,
    records      INTEGER NOT NULL,
    content      TEXT NOT NULL,
    issued_at    TEXT NOT NULL
);
CREATE INDEX service_certificates_member ON service_certificates (member);
CREATE TABLE corrections (
    id            TEXT PRIMARY KEY NOT NULL,
    member        TEXT NOT NULL REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    committee     TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    source        TEXT NOT NULL,
    source_id     TEXT NOT NULL,
    reason        TEXT NOT NULL,
    status        TEXT NOT NULL,
    answer        TEXT,
    requested_at  TEXT NOT NULL,
    decided_at    TEXT
);
CREATE INDEX corrections_committee ON corrections (committee);
