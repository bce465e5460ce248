-- PostgreSQL twin of ../sqlite/ with the same number: kept side by side, changed together.
-- Between infohuse: a request to share about a person another infohus knows (found by a
-- keyed-hash hit/no-hit check), and the transfer of a case when the person moves.

CREATE TABLE share_requests (
    id              TEXT PRIMARY KEY,
    from_infohus_id TEXT NOT NULL REFERENCES infohuse(id),
    to_infohus_id   TEXT NOT NULL REFERENCES infohuse(id),
    to_person_id    TEXT NOT NULL REFERENCES persons(id),
    legal_basis     TEXT NOT NULL REFERENCES legal_bases(code),
    purpose         TEXT NOT NULL,
    requested_by    TEXT NOT NULL REFERENCES users(id),
    requested_at    TEXT NOT NULL
);
CREATE INDEX share_requests_to ON share_requests (to_infohus_id, requested_at);

CREATE TABLE transfers (
    id              TEXT PRIMARY KEY,
    person_id       TEXT NOT NULL REFERENCES persons(id),
    from_infohus_id TEXT NOT NULL REFERENCES infohuse(id),
    to_infohus_id   TEXT NOT NULL REFERENCES infohuse(id),
    legal_basis     TEXT NOT NULL REFERENCES legal_bases(code),
    purpose         TEXT NOT NULL,
    transferred_by  TEXT NOT NULL REFERENCES users(id),
    transferred_at  TEXT NOT NULL
);
