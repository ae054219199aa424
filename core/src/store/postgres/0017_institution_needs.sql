-- A need may be for an institution (白鹤养老服务中心, a school) instead of a resident: its
-- public name, and no resident. Existing needs all have a resident.
ALTER TABLE needs ALTER COLUMN resident DROP NOT NULL;
ALTER TABLE needs ADD COLUMN institution TEXT;
