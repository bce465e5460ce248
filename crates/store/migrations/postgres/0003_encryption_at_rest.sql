-- PostgreSQL twin of ../sqlite/ with the same number: kept side by side, changed together.
-- Encryption at rest: each person has a data key, wrapped by the master key kept outside
-- the database. Names, CPR numbers, birth dates and free text are stored sealed with it;
-- destroying the wrapped key (crypto-shredding) makes them unreadable everywhere.
ALTER TABLE persons ADD COLUMN data_key TEXT;
ALTER TABLE persons ADD COLUMN shredded_at TEXT;
