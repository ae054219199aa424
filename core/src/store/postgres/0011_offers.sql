-- Offers of needs (派单, 撮合): the committee's staff offer a published need to a member, team
-- or organisation, or a work unit's party branch arranges it for a member (支部安排); the
-- offered party accepts (the claim it made is `claim`) or declines; an unanswered offer lapses.
CREATE TABLE offers (
    id          UUID PRIMARY KEY NOT NULL,
    need        UUID NOT NULL REFERENCES needs (id) DEFERRABLE INITIALLY DEFERRED,
    committee   UUID NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    to_type     TEXT NOT NULL,
    to_id       UUID NOT NULL,
    source      TEXT NOT NULL,
    note        TEXT,
    status      TEXT NOT NULL,
    offered_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    decided_at  TIMESTAMPTZ,
    reason      TEXT,
    claim       UUID REFERENCES claims (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX offers_need ON offers (need);
CREATE INDEX offers_committee ON offers (committee);
CREATE INDEX offers_open ON offers (status, expires_at);
