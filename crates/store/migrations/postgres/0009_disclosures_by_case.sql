-- PostgreSQL twin of ../sqlite/ with the same number: kept side by side, changed together.
-- The case view and the progression read a case's disclosures by case id; without this
-- index that lookup scans every disclosure of the installation (27 ms at 200,000).
CREATE INDEX disclosures_case ON disclosures (case_id);
