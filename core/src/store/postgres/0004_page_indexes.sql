-- needbridge schema, version 4: indexes the benchmarks asked for (docs/BENCHMARKS.md).
--
-- A member's open claims are counted from the index alone (ClaimNeed checks the limit on
-- every claim). Library pages walk needs in id order per status — for one committee, or for
-- a whole street or district — and stop after one page, instead of sorting every match; the
-- committee and category ride along in the index, so filtering on them reads no table rows.

DROP INDEX claims_claimant;
CREATE INDEX claims_claimant_status ON claims (claimant_type, claimant_id, status);
DROP INDEX needs_committee_status;
CREATE INDEX needs_committee_status_id ON needs (committee, status, id, category);
CREATE INDEX needs_status_id ON needs (status, id, committee, category);
