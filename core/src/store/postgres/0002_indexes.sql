-- needbridge schema, version 2: indexes for the Hub's queries, and at most one live claim
-- per need enforced by the database too.

CREATE INDEX units_parent ON units (parent);
CREATE INDEX units_path ON units (path);
CREATE INDEX members_committee ON members (committee);
CREATE INDEX members_work_unit ON members (work_unit);
CREATE INDEX ledger_work_unit ON ledger_entries (work_unit);
CREATE INDEX residents_committee ON residents (committee);
CREATE INDEX needs_committee_status ON needs (committee, status);
CREATE INDEX needs_resident ON needs (resident);
CREATE INDEX needs_status_wanted ON needs (status, wanted_by);
CREATE INDEX claims_need ON claims (need);
CREATE INDEX claims_claimant ON claims (claimant_type, claimant_id);
CREATE INDEX claims_status_promised ON claims (status, promised_by);
CREATE INDEX claims_committee ON claims (committee);
CREATE UNIQUE INDEX claims_one_live_per_need ON claims (need)
    WHERE status IN ('active', 'in_progress', 'done');
CREATE INDEX teams_committee ON teams (committee);
CREATE INDEX team_members_member ON team_members (member);
CREATE INDEX hours_member ON hours (member);
CREATE INDEX hours_committee ON hours (committee);
CREATE INDEX activities_committee_held ON activities (committee, held_at);
CREATE INDEX roles_committee ON roles (committee);
CREATE INDEX pairings_committee ON pairings (committee);
CREATE INDEX events_committee ON events (committee);
