-- Recurring needs (weekly meals, a monthly visit): the first need of a series carries how
-- often and how many times it comes again and when its next occurrence is due; each
-- occurrence names the series' first need and its number in the series. Existing needs do
-- not recur (occurrence 0).
ALTER TABLE needs ADD COLUMN recurrence_every TEXT;
ALTER TABLE needs ADD COLUMN recurrence_times BIGINT;
ALTER TABLE needs ADD COLUMN series UUID;
ALTER TABLE needs ADD COLUMN occurrence BIGINT NOT NULL DEFAULT 0;
ALTER TABLE needs ADD COLUMN next_due TIMESTAMPTZ;
CREATE INDEX needs_next_due ON needs (next_due) WHERE next_due IS NOT NULL;
CREATE INDEX needs_series ON needs (series) WHERE series IS NOT NULL;
