-- PostgreSQL twin of ../sqlite/ with the same number: kept side by side, changed together.
-- "Urgent first" orders by urgency ascending and time descending; an index with the same
-- mixed directions lets SQLite walk it instead of sorting the whole inbox.
DROP INDEX referrals_urgency;
CREATE INDEX referrals_urgency ON referrals (infohus_id, urgency_rank ASC, received_at DESC, id DESC);
