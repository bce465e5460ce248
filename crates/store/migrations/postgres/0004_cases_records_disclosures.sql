-- PostgreSQL twin of ../sqlite/ with the same number: kept side by side, changed together.
-- Cases with participating agencies, records (notes) owned by the agency that wrote them,
-- disclosures between agencies on a configured legal basis, and break-glass grants.

CREATE TABLE cases (
    id             TEXT PRIMARY KEY,
    infohus_id     TEXT NOT NULL REFERENCES infohuse(id),
    person_id      TEXT NOT NULL REFERENCES persons(id),
    referral_id    TEXT NOT NULL REFERENCES referrals(id),
    status         TEXT NOT NULL,
    lead_agency_id TEXT NOT NULL REFERENCES agencies(id),
    opened_by      TEXT NOT NULL REFERENCES users(id),
    opened_at      TEXT NOT NULL,
    closed_at      TEXT,
    UNIQUE (referral_id)
);
CREATE INDEX cases_person ON cases (person_id);

CREATE TABLE case_agencies (
    case_id   TEXT NOT NULL REFERENCES cases(id),
    agency_id TEXT NOT NULL REFERENCES agencies(id),
    since     TEXT NOT NULL,
    PRIMARY KEY (case_id, agency_id)
);
CREATE INDEX case_agencies_agency ON case_agencies (agency_id, case_id);

CREATE TABLE case_notes (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases(id),
    owner_agency_id TEXT NOT NULL REFERENCES agencies(id),
    author_user_id  TEXT NOT NULL REFERENCES users(id),
    sensitivity     TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, created_at);

CREATE TABLE legal_bases (
    code                    TEXT PRIMARY KEY,
    label                   TEXT NOT NULL,
    covers_special_category BIGINT NOT NULL,
    covers_criminal_offence BIGINT NOT NULL,
    active                  BIGINT NOT NULL DEFAULT 1,
    sort_order              BIGINT NOT NULL,
    created_at              TEXT NOT NULL
);
INSERT INTO legal_bases (code, label, covers_special_category, covers_criminal_offence, sort_order, created_at) VALUES
    ('rpl_115a', 'Retsplejeloven § 115 a (infohus)', 1, 1, 1, '2026-01-01T00:00:00.000000Z'),
    ('rpl_115', 'Retsplejeloven § 115 (SSP-, PSP- og KSP-samarbejdet)', 1, 1, 2, '2026-01-01T00:00:00.000000Z'),
    ('consent', 'Samtykke fra borgeren', 1, 1, 3, '2026-01-01T00:00:00.000000Z'),
    ('barnets_lov', 'Barnets Lov', 1, 1, 4, '2026-01-01T00:00:00.000000Z'),
    ('dbl_7_4', 'Databeskyttelsesloven § 7, stk. 4', 1, 0, 5, '2026-01-01T00:00:00.000000Z'),
    ('dbl_8', 'Databeskyttelsesloven § 8', 0, 1, 6, '2026-01-01T00:00:00.000000Z'),
    ('gdpr_6_1_e', 'Databeskyttelsesforordningen art. 6, stk. 1, litra e', 0, 0, 7, '2026-01-01T00:00:00.000000Z'),
    ('gdpr_9_2_g', 'Databeskyttelsesforordningen art. 9, stk. 2, litra g', 1, 0, 8, '2026-01-01T00:00:00.000000Z');

CREATE TABLE disclosures (
    id             TEXT PRIMARY KEY,
    infohus_id     TEXT NOT NULL REFERENCES infohuse(id),
    record_type    TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    case_id        TEXT NOT NULL REFERENCES cases(id),
    person_id      TEXT NOT NULL REFERENCES persons(id),
    from_agency_id TEXT NOT NULL REFERENCES agencies(id),
    to_agency_id   TEXT NOT NULL REFERENCES agencies(id),
    legal_basis    TEXT NOT NULL REFERENCES legal_bases(code),
    purpose        TEXT NOT NULL,
    disclosed_by   TEXT NOT NULL REFERENCES users(id),
    disclosed_at   TEXT NOT NULL,
    UNIQUE (record_type, record_id, to_agency_id)
);
CREATE INDEX disclosures_record ON disclosures (record_type, record_id);
CREATE INDEX disclosures_infohus ON disclosures (infohus_id, disclosed_at);

CREATE TABLE break_glass (
    id         TEXT PRIMARY KEY,
    infohus_id TEXT NOT NULL REFERENCES infohuse(id),
    case_id    TEXT NOT NULL REFERENCES cases(id),
    person_id  TEXT NOT NULL REFERENCES persons(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    agency_id  TEXT NOT NULL REFERENCES agencies(id),
    reason     TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX break_glass_user ON break_glass (user_id, case_id, expires_at);
CREATE INDEX break_glass_infohus ON break_glass (infohus_id, granted_at);
