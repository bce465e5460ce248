-- PostgreSQL twin of ../sqlite/ with the same number: kept side by side, changed together.
-- An employee's work e-mail address, for notifications that say only that there is
-- something to look at (never case content). Optional; notifications are off by default.
ALTER TABLE users ADD COLUMN email TEXT;
