-- Households (户) and needs with several beneficiaries: a household holds no personal data
-- (its address is its residents'); residents belong to one; a need may be for further
-- residents of its committee (`need_beneficiaries`). The report cells gain households helped
-- (a `household` dimension of residents helped): upgrading past this version refills them.
CREATE TABLE households (
    id          UUID PRIMARY KEY NOT NULL,
    committee   UUID NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    grid        UUID REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX households_committee ON households (committee);
ALTER TABLE residents ADD COLUMN household UUID REFERENCES households (id) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX residents_household ON residents (household) WHERE household IS NOT NULL;
CREATE TABLE need_beneficiaries (
    need      UUID NOT NULL REFERENCES needs (id) DEFERRABLE INITIALLY DEFERRED,
    pos       BIGINT NOT NULL,
    resident  UUID NOT NULL REFERENCES residents (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (need, pos)
);
CREATE INDEX need_beneficiaries_resident ON need_beneficiaries (resident);
