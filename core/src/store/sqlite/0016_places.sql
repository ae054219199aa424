-- Needs carry where the work is done (a street, a courtyard; never a home address) and, like
-- activities, the place's coordinates in microdegrees.
ALTER TABLE needs ADD COLUMN place TEXT;
ALTER TABLE needs ADD COLUMN lat_e6 INTEGER;
ALTER TABLE needs ADD COLUMN lon_e6 INTEGER;
ALTER TABLE activities ADD COLUMN lat_e6 INTEGER;
ALTER TABLE activities ADD COLUMN lon_e6 INTEGER;
