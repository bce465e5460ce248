-- PostgreSQL twin of ../sqlite/ with the same number: kept side by side, changed together.
-- Many infohuse on one installation: each has a short code, the police district it serves
-- (for routing referrals received nationally), or is the national unit (the hotline).
ALTER TABLE infohuse ADD COLUMN code TEXT;
ALTER TABLE infohuse ADD COLUMN police_district TEXT;
ALTER TABLE infohuse ADD COLUMN national BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX infohuse_code ON infohuse (code);
CREATE UNIQUE INDEX infohuse_district ON infohuse (police_district);
