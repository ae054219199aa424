-- Claims whose roster names who served (a team's or an organisation's, with members among its
-- helpers) are read together to credit each member named: a partial index keeps that read to
-- the rostered claims.
CREATE INDEX claims_rostered ON claims (committee) WHERE roster IS NOT NULL;
