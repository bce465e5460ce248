-- Building an agenda reads the referrals still awaiting screening and the interventions due
-- for review; at 100,000 open cases these lookups walked every referral and intervention of
-- the infohus (BENCHMARKS.md, "Meetings").
CREATE INDEX referrals_status ON referrals (infohus_id, status);
CREATE INDEX interventions_review ON interventions (infohus_id, status, review_on);
