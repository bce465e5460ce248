-- PostgreSQL twin of ../sqlite/ with the same number: kept side by side, changed together.
-- Foundation: infohuse, agencies, accounts, sessions, persons, referrals, the access log.
-- Ids are opaque text, times are RFC 3339 UTC text of fixed width (sorts as time),
-- booleans are 0/1 integers: the same shape works on PostgreSQL.

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE infohuse (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE agencies (
    id         TEXT PRIMARY KEY,
    infohus_id TEXT NOT NULL REFERENCES infohuse(id),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (infohus_id, code)
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    infohus_id    TEXT NOT NULL REFERENCES infohuse(id),
    agency_id     TEXT NOT NULL REFERENCES agencies(id),
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      BIGINT NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    kind         TEXT NOT NULL,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ended_at     TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE concern_categories (
    code       TEXT PRIMARY KEY,
    sort_order BIGINT NOT NULL,
    active     BIGINT NOT NULL DEFAULT 1
);
INSERT INTO concern_categories (code, sort_order) VALUES
    ('militant_islamism', 1), ('right_wing', 2), ('left_wing', 3), ('anti_authority', 4),
    ('hybrid', 5), ('misogyny', 6), ('conspiracy', 7), ('single_issue', 8), ('other', 9),
    ('unknown', 10);

CREATE TABLE persons (
    id           TEXT PRIMARY KEY,
    infohus_id   TEXT NOT NULL REFERENCES infohuse(id),
    name         TEXT NOT NULL,
    cpr          TEXT,
    cpr_index    TEXT,
    match_index  TEXT,
    birth_date   TEXT,
    gender       TEXT,
    municipality TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (infohus_id, cpr_index)
);
CREATE INDEX persons_match ON persons (infohus_id, match_index);

CREATE TABLE referrals (
    id                    TEXT PRIMARY KEY,
    infohus_id            TEXT NOT NULL REFERENCES infohuse(id),
    person_id             TEXT NOT NULL REFERENCES persons(id),
    suggested_person_id   TEXT REFERENCES persons(id),
    status                TEXT NOT NULL,
    channel               TEXT NOT NULL,
    concern_category      TEXT NOT NULL REFERENCES concern_categories(code),
    urgency               TEXT NOT NULL,
    urgency_rank          BIGINT NOT NULL,
    under_18              BIGINT NOT NULL,
    description           TEXT NOT NULL,
    subject_name          TEXT NOT NULL,
    subject_birth_date    TEXT,
    subject_gender        TEXT,
    subject_municipality  TEXT,
    referrer_name         TEXT,
    referrer_organisation TEXT,
    referrer_phone        TEXT,
    referrer_email        TEXT,
    submitted_by          TEXT NOT NULL REFERENCES users(id),
    submitted_by_agency   TEXT NOT NULL REFERENCES agencies(id),
    received_at           TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX referrals_inbox ON referrals (infohus_id, received_at, id);
CREATE INDEX referrals_urgency ON referrals (infohus_id, urgency_rank, received_at, id);
CREATE INDEX referrals_person ON referrals (person_id);
CREATE INDEX referrals_submitter ON referrals (submitted_by);

-- Agencies taking part in a referral's case: members of these agencies may see it.
CREATE TABLE referral_agencies (
    referral_id TEXT NOT NULL REFERENCES referrals(id),
    agency_id   TEXT NOT NULL REFERENCES agencies(id),
    since       TEXT NOT NULL,
    PRIMARY KEY (referral_id, agency_id)
);
CREATE INDEX referral_agencies_agency ON referral_agencies (agency_id, referral_id);

-- The access log: append-only, one row per use of personal data, chained by a keyed hash.
-- It holds ids only, never personal content, so erasing a person never breaks the chain.
CREATE TABLE access_log (
    seq             BIGINT PRIMARY KEY,
    at              TEXT NOT NULL,
    infohus_id      TEXT NOT NULL,
    actor_user_id   TEXT NOT NULL,
    actor_username  TEXT NOT NULL,
    actor_agency_id TEXT NOT NULL,
    actor_role      TEXT NOT NULL,
    action          TEXT NOT NULL,
    object_type     TEXT NOT NULL,
    object_id       TEXT NOT NULL,
    person_id       TEXT,
    purpose         TEXT NOT NULL,
    criteria        TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL
);
CREATE INDEX access_log_person ON access_log (person_id, seq);
CREATE INDEX access_log_actor ON access_log (actor_user_id, seq);

-- The head of the chain, updated in the same transaction as every append: appenders
-- serialise on this row, and a deleted tail no longer matches it.
CREATE TABLE access_log_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO access_log_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
