-- Offers of needs (派单, 撮合): the committee's staff offer a published need to a member, team
-- or organisation, or a work unit's party branch arranges it for a member (支部安排); the
-- offered party accepts (the claim it made is `claim`) or declines; an unanswered offer lapses.
CREATE TABLE offers (
    id          TEXT PRIMARY KEY NOT NULL,
    need        TEXT NOT NULL REFERENCES needs (id) DEFERRABLE INITIALLY DEFERRED,
    committee   TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    to_type     TEXT NOT NULL,
    to_id       TEXT NOT NULL,
    source      TEXT NOT NULL,
    note        TEXT,
    status      TEXT NOT NULL,
    offered_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    decided_at  TEXT,
    reason      TEXT,
    claim       TEXT REFERENCES claims (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX offers_need ON offers (need);
CREATE INDEX offers_committee ON offers (committee);
CREATE INDEX offers_open ON offers (status, expires_at);
