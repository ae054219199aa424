-- needbridge schema for PostgreSQL, version 1: one table per record kind, plain columns.
-- Ids are uuid, times timestamptz (microseconds), money and counts bigint, enums readable
-- snake_case text, lists of words JSON text. Foreign keys are checked at commit.

CREATE TABLE units (
    id          UUID PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    parent      UUID REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    path        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE work_units (
    id                  UUID PRIMARY KEY NOT NULL,
    name                TEXT NOT NULL,
    party_organisation  TEXT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE organisations (
    id                     UUID PRIMARY KEY NOT NULL,
    name                   TEXT NOT NULL,
    kind                   TEXT NOT NULL,
    contact_name           TEXT NOT NULL,
    contact_phone          TEXT NOT NULL,
    district               UUID NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    tally_claims_verified  BIGINT NOT NULL,
    tally_money_fen        BIGINT NOT NULL,
    tally_items            BIGINT NOT NULL,
    tally_minutes          BIGINT NOT NULL,
    tally_people_served    BIGINT NOT NULL,
    created_at             TIMESTAMPTZ NOT NULL
);

CREATE TABLE categories (
    id       UUID PRIMARY KEY NOT NULL,
    code     TEXT NOT NULL UNIQUE,
    name_zh  TEXT NOT NULL,
    name_en  TEXT NOT NULL
);

CREATE TABLE members (
    id                     UUID PRIMARY KEY NOT NULL,
    work_unit              UUID NOT NULL REFERENCES work_units (id) DEFERRABLE INITIALLY DEFERRED,
    name                   TEXT NOT NULL,
    phone                  TEXT,
    id_number              TEXT,
    skills                 TEXT NOT NULL,
    certificate_number     TEXT NOT NULL,
    certificate_issued_at  TIMESTAMPTZ NOT NULL,
    certificate_deadline   TIMESTAMPTZ NOT NULL,
    status                 TEXT NOT NULL,
    committee              UUID REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    reported_at            TIMESTAMPTZ,
    commitment_text        TEXT,
    commitment_signed_at   TIMESTAMPTZ,
    decided_at             TIMESTAMPTZ,
    return_reason          TEXT,
    tally_claims_verified  BIGINT NOT NULL,
    tally_money_fen        BIGINT NOT NULL,
    tally_items            BIGINT NOT NULL,
    tally_minutes          BIGINT NOT NULL,
    tally_people_served    BIGINT NOT NULL,
    approved_minutes       BIGINT NOT NULL
);

CREATE TABLE ledger_entries (
    id         UUID PRIMARY KEY NOT NULL,
    work_unit  UUID NOT NULL REFERENCES work_units (id) DEFERRABLE INITIALLY DEFERRED,
    member     UUID NOT NULL REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    committee  UUID NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    kind       TEXT NOT NULL,
    note       TEXT,
    at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE residents (
    id          UUID PRIMARY KEY NOT NULL,
    committee   UUID NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    grid        UUID REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    name        TEXT NOT NULL,
    phone       TEXT,
    id_number   TEXT,
    address     TEXT,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE resident_groups (
    resident  UUID NOT NULL REFERENCES residents (id) DEFERRABLE INITIALLY DEFERRED,
    pos       BIGINT NOT NULL,
    grp       TEXT NOT NULL,
    PRIMARY KEY (resident, pos)
);

CREATE TABLE needs (
    id                  UUID PRIMARY KEY NOT NULL,
    committee           UUID NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    grid                UUID REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    resident            UUID NOT NULL REFERENCES residents (id) DEFERRABLE INITIALLY DEFERRED,
    title               TEXT NOT NULL,
    description         TEXT NOT NULL,
    category            TEXT NOT NULL,
    channel             TEXT NOT NULL,
    scale               TEXT NOT NULL,
    estimated_cost_fen  BIGINT NOT NULL,
    wanted_by           TIMESTAMPTZ NOT NULL,
    status              TEXT NOT NULL,
    live_claim          UUID,
    claim_count         BIGINT NOT NULL,
    reason              TEXT,
    feedback            TEXT,
    drafted_by          UUID REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    created_at          TIMESTAMPTZ NOT NULL,
    published_at        TIMESTAMPTZ,
    updated_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE claims (
    id             UUID PRIMARY KEY NOT NULL,
    need           UUID NOT NULL REFERENCES needs (id) DEFERRABLE INITIALLY DEFERRED,
    committee      UUID NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    claimant_type  TEXT NOT NULL,
    claimant_id    UUID NOT NULL,
    claimed_by     UUID REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    status         TEXT NOT NULL,
    claimed_at     TIMESTAMPTZ NOT NULL,
    promised_by    TIMESTAMPTZ NOT NULL,
    warned_at      TIMESTAMPTZ,
    extensions     BIGINT NOT NULL,
    started_at     TIMESTAMPTZ,
    completed_at   TIMESTAMPTZ,
    money_fen      BIGINT,
    minutes        BIGINT,
    people_served  BIGINT,
    evidence       TEXT,
    note           TEXT,
    send_backs     BIGINT NOT NULL,
    reason         TEXT,
    ended_at       TIMESTAMPTZ
);

CREATE TABLE claim_items (
    claim        UUID NOT NULL REFERENCES claims (id) DEFERRABLE INITIALLY DEFERRED,
    pos          BIGINT NOT NULL,
    count        BIGINT NOT NULL,
    description  TEXT NOT NULL,
    PRIMARY KEY (claim, pos)
);

CREATE TABLE teams (
    id                     UUID PRIMARY KEY NOT NULL,
    committee              UUID NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    kind                   TEXT NOT NULL,
    name                   TEXT NOT NULL,
    channel                TEXT NOT NULL,
    captain                UUID REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    tally_claims_verified  BIGINT NOT NULL,
    tally_money_fen        BIGINT NOT NULL,
    tally_items            BIGINT NOT NULL,
    tally_minutes          BIGINT NOT NULL,
    tally_people_served    BIGINT NOT NULL,
    created_at             TIMESTAMPTZ NOT NULL
);

CREATE TABLE team_members (
    team    UUID NOT NULL REFERENCES teams (id) DEFERRABLE INITIALLY DEFERRED,
    pos     BIGINT NOT NULL,
    member  UUID NOT NULL REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (team, pos)
);

CREATE TABLE hours (
    id           UUID PRIMARY KEY NOT NULL,
    member       UUID NOT NULL REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    committee    UUID NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    served_at    TIMESTAMPTZ NOT NULL,
    minutes      BIGINT NOT NULL,
    description  TEXT NOT NULL,
    status       TEXT NOT NULL,
    reason       TEXT,
    logged_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE activities (
    id              UUID PRIMARY KEY NOT NULL,
    committee       UUID NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    channel         TEXT NOT NULL,
    team            UUID REFERENCES teams (id) DEFERRABLE INITIALLY DEFERRED,
    held_at         TIMESTAMPTZ NOT NULL,
    participants    BIGINT NOT NULL,
    people_reached  BIGINT NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE roles (
    id         UUID PRIMARY KEY NOT NULL,
    member     UUID NOT NULL REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    committee  UUID NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    kind       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    since      TIMESTAMPTZ NOT NULL,
    until      TIMESTAMPTZ
);

CREATE TABLE pairings (
    id          UUID PRIMARY KEY NOT NULL,
    member      UUID NOT NULL REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    resident    UUID NOT NULL REFERENCES residents (id) DEFERRABLE INITIALLY DEFERRED,
    committee   UUID NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    since       TIMESTAMPTZ NOT NULL,
    until       TIMESTAMPTZ,
    end_reason  TEXT
);

CREATE TABLE events (
    seq         BIGINT PRIMARY KEY NOT NULL,
    id          UUID NOT NULL UNIQUE,
    at          TIMESTAMPTZ NOT NULL,
    actor_type  TEXT NOT NULL,
    actor_id    UUID,
    kind        TEXT NOT NULL,
    committee   UUID,
    payload     JSONB NOT NULL
);

ALTER TABLE needs ADD CONSTRAINT needs_live_claim_fkey
    FOREIGN KEY (live_claim) REFERENCES claims (id) DEFERRABLE INITIALLY DEFERRED;
