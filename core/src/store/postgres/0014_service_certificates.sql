-- Volunteer service records' certificates (志愿服务记录证明) with a number anyone can check,
-- and members' requests to correct a record. The records themselves are not stored apart:
-- they are the rosters, approved hours and visits already kept.
CREATE TABLE service_certificates (
    id           UUID PRIMARY KEY NOT NULL,
    number       TEXT NOT NULL UNIQUE,
    member       UUID NOT NULL REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    committee    UUID NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    period_from  TIMESTAMPTZ,
    period_to    TIMESTAMPTZ,
    minutes      BIGINT NOT NULL,
    records      BIGINT NOT NULL,
    content      TEXT NOT NULL,
    issued_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX service_certificates_member ON service_certificates (member);
CREATE TABLE corrections (
    id            UUID PRIMARY KEY NOT NULL,
    member        UUID NOT NULL REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    committee     UUID NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    source        TEXT NOT NULL,
    source_id     UUID NOT NULL,
    reason        TEXT NOT NULL,
    status        TEXT NOT NULL,
    answer        TEXT,
    requested_at  TIMESTAMPTZ NOT NULL,
    decided_at    TIMESTAMPTZ
);
CREATE INDEX corrections_committee ON corrections (committee);
