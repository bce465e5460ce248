-- PostgreSQL twin of ../sqlite/ with the same number: kept side by side, changed together.
-- Person search by name: one keyed blind index per normalised word of a person's name
-- (names are sealed, so the database cannot compare them). A search matches persons having
-- every word searched for. Filled at intake; rows written before this migration are indexed
-- once on start (settings 'person_name_index').
CREATE TABLE person_name_words (
    person_id TEXT NOT NULL REFERENCES persons (id),
    word_index TEXT NOT NULL,
    PRIMARY KEY (word_index, person_id)
);
CREATE INDEX person_name_words_person ON person_name_words (person_id);
-- Search by CPR across the infohuse a national coordinator sees: by the index alone.
CREATE INDEX persons_cpr ON persons (cpr_index);
