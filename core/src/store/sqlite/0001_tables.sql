-- needbridge schema, version 1: one table per record kind, plain columns.
-- Ids are uuid text, times ISO-8601 UTC text with microseconds, money integer fen,
-- enums readable snake_case text. Foreign keys are checked at commit.

CREATE TABLE units (
    id          TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    parent      TEXT REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    path        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE work_units (
    id                  TEXT PRIMARY KEY NOT NULL,
    name                TEXT NOT NULL,
    party_organisation  TEXT NOT NULL,
    created_at          TEXT NOT NULL
);

CREATE TABLE organisations (
    id                     TEXT PRIMARY KEY NOT NULL,
    name                   TEXT NOT NULL,
    kind                   TEXT NOT NULL,
    contact_name           TEXT NOT NULL,
    contact_phone          TEXT NOT NULL,
    district               TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    tally_claims_verified  INTEGER NOT NULL,
    tally_money_fen        INTEGER NOT NULL,
    tally_items            INTEGER NOT NULL,
    tally_minutes          INTEGER NOT NULL,
    tally_people_served    INTEGER NOT NULL,
    created_at             TEXT NOT NULL
);

CREATE TABLE categories (
    id       TEXT PRIMARY KEY NOT NULL,
    code     TEXT NOT NULL UNIQUE,
    name_zh  TEXT NOT NULL,
    name_en  TEXT NOT NULL
);

CREATE TABLE members (
    id                     TEXT PRIMARY KEY NOT NULL,
    work_unit              TEXT NOT NULL REFERENCES work_units (id) DEFERRABLE INITIALLY DEFERRED,
    name                   TEXT NOT NULL,
    phone                  TEXT,
    id_number              TEXT,
    skills                 TEXT NOT NULL,
    certificate_number     TEXT NOT NULL,
    certificate_issued_at  TEXT NOT NULL,
    certificate_deadline   TEXT NOT NULL,
    status                 TEXT NOT NULL,
    committee              TEXT REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    reported_at            TEXT,
    commitment_text        TEXT,
    commitment_signed_at   TEXT,
    decided_at             TEXT,
    return_reason          TEXT,
    tally_claims_verified  INTEGER NOT NULL,
    tally_money_fen        INTEGER NOT NULL,
    tally_items            INTEGER NOT NULL,
    tally_minutes          INTEGER NOT NULL,
    tally_people_served    INTEGER NOT NULL,
    approved_minutes       INTEGER NOT NULL
);

CREATE TABLE ledger_entries (
    id         TEXT PRIMARY KEY NOT NULL,
    work_unit  TEXT NOT NULL REFERENCES work_units (id) DEFERRABLE INITIALLY DEFERRED,
    member     TEXT NOT NULL REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    committee  TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    kind       TEXT NOT NULL,
    note       TEXT,
    at         TEXT NOT NULL
);

CREATE TABLE residents (
    id          TEXT PRIMARY KEY NOT NULL,
    committee   TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    grid        TEXT REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    name        TEXT NOT NULL,
    phone       TEXT,
    id_number   TEXT,
    address     TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE resident_groups (
    resident  TEXT NOT NULL REFERENCES residents (id) DEFERRABLE INITIALLY DEFERRED,
    pos       INTEGER NOT NULL,
    grp       TEXT NOT NULL,
    PRIMARY KEY (resident, pos)
);

CREATE TABLE needs (
    id                  TEXT PRIMARY KEY NOT NULL,
    committee           TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    grid                TEXT REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    resident            TEXT NOT NULL REFERENCES residents (id) DEFERRABLE INITIALLY DEFERRED,
    title               TEXT NOT NULL,
    description         TEXT NOT NULL,
    category            TEXT NOT NULL,
    channel             TEXT NOT NULL,
    scale               TEXT NOT NULL,
    estimated_cost_fen  INTEGER NOT NULL,
    wanted_by           TEXT NOT NULL,
    status              TEXT NOT NULL,
    live_claim          TEXT REFERENCES claims (id) DEFERRABLE INITIALLY DEFERRED,
    claim_count         INTEGER NOT NULL,
    reason              TEXT,
    feedback            TEXT,
    drafted_by          TEXT REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    created_at          TEXT NOT NULL,
    published_at        TEXT,
    updated_at          TEXT NOT NULL
);

CREATE TABLE claims (
    id             TEXT PRIMARY KEY NOT NULL,
    need           TEXT NOT NULL REFERENCES needs (id) DEFERRABLE INITIALLY DEFERRED,
    committee      TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    claimant_type  TEXT NOT NULL,
    claimant_id    TEXT NOT NULL,
    claimed_by     TEXT REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    status         TEXT NOT NULL,
    claimed_at     TEXT NOT NULL,
    promised_by    TEXT NOT NULL,
    warned_at      TEXT,
    extensions     INTEGER NOT NULL,
    started_at     TEXT,
    completed_at   TEXT,
    money_fen      INTEGER,
    minutes        INTEGER,
    people_served  INTEGER,
    evidence       TEXT,
    note           TEXT,
    send_backs     INTEGER NOT NULL,
    reason         TEXT,
    ended_at       TEXT
);

CREATE TABLE claim_items (
    claim        TEXT NOT NULL REFERENCES claims (id) DEFERRABLE INITIALLY DEFERRED,
    pos          INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    description  TEXT NOT NULL,
    PRIMARY KEY (claim, pos)
);

CREATE TABLE teams (
    id                     TEXT PRIMARY KEY NOT NULL,
    committee              TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    kind                   TEXT NOT NULL,
    name                   TEXT NOT NULL,
    channel                TEXT NOT NULL,
    captain                TEXT REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    tally_claims_verified  INTEGER NOT NULL,
    tally_money_fen        INTEGER NOT NULL,
    tally_items            INTEGER NOT NULL,
    tally_minutes          INTEGER NOT NULL,
    tally_people_served    INTEGER NOT NULL,
    created_at             TEXT NOT NULL
);

CREATE TABLE team_members (
    team    TEXT NOT NULL REFERENCES teams (id) DEFERRABLE INITIALLY DEFERRED,
    pos     INTEGER NOT NULL,
    member  TEXT NOT NULL REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (team, pos)
);

CREATE TABLE hours (
    id           TEXT PRIMARY KEY NOT NULL,
    member       TEXT NOT NULL REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    committee    TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    served_at    TEXT NOT NULL,
    minutes      INTEGER NOT NULL,
    description  TEXT NOT NULL,
    status       TEXT NOT NULL,
    reason       TEXT,
    logged_at    TEXT NOT NULL
);

CREATE TABLE activities (
    id              TEXT PRIMARY KEY NOT NULL,
    committee       TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    channel         TEXT NOT NULL,
    team            TEXT REFERENCES teams (id) DEFERRABLE INITIALLY DEFERRED,
    held_at         TEXT NOT NULL,
    participants    INTEGER NOT NULL,
    people_reached  INTEGER NOT NULL,
    recorded_at     TEXT NOT NULL
);

CREATE TABLE roles (
    id         TEXT PRIMARY KEY NOT NULL,
    member     TEXT NOT NULL REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    committee  TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    kind       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    since      TEXT NOT NULL,
    until      TEXT
);

CREATE TABLE pairings (
    id          TEXT PRIMARY KEY NOT NULL,
    member      TEXT NOT NULL REFERENCES members (id) DEFERRABLE INITIALLY DEFERRED,
    resident    TEXT NOT NULL REFERENCES residents (id) DEFERRABLE INITIALLY DEFERRED,
    committee   TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    since       TEXT NOT NULL,
    until       TEXT,
    end_reason  TEXT
);

CREATE TABLE events (
    seq         INTEGER PRIMARY KEY NOT NULL,
    id          TEXT NOT NULL UNIQUE,
    at          TEXT NOT NULL,
    actor_type  TEXT NOT NULL,
    actor_id    TEXT,
    kind        TEXT NOT NULL,
    committee   TEXT,
    payload     TEXT NOT NULL
);
