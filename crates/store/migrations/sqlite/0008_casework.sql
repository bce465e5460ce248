-- Casework: screening with per-agency register checks and an outcome; case closure and
-- reopening with a timeline; instruments as data and assessments made with them;
-- interventions with a session log; tasks; expected releases from prison.
-- Personal content (notes, replies, goals, assessment content) is sealed with the
-- person's data key like every other personal column.

CREATE TABLE screening_checks (
    referral_id  TEXT NOT NULL REFERENCES referrals(id),
    agency_id    TEXT NOT NULL REFERENCES agencies(id),
    requested_by TEXT NOT NULL REFERENCES users(id),
    requested_at TEXT NOT NULL,
    result       TEXT,
    note         TEXT,
    checked_by   TEXT REFERENCES users(id),
    checked_at   TEXT,
    PRIMARY KEY (referral_id, agency_id)
);
CREATE INDEX screening_checks_agency ON screening_checks (agency_id, checked_at);

CREATE TABLE screening_outcomes (
    referral_id        TEXT PRIMARY KEY REFERENCES referrals(id),
    infohus_id         TEXT NOT NULL REFERENCES infohuse(id),
    outcome            TEXT NOT NULL,
    reply              TEXT,
    service            TEXT,
    service_note       TEXT,
    handover_agency_id TEXT REFERENCES agencies(id),
    handover_reference TEXT,
    decided_by         TEXT NOT NULL REFERENCES users(id),
    decided_at         TEXT NOT NULL
);

ALTER TABLE cases ADD COLUMN closed_reason TEXT;
CREATE INDEX cases_infohus_status ON cases (infohus_id, status);

-- What happened on a case, in order. Detail holds a code, never content; the note (a
-- closure or reopening reason) is sealed.
CREATE TABLE case_events (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    agency_id   TEXT NOT NULL REFERENCES agencies(id),
    user_id     TEXT NOT NULL REFERENCES users(id),
    record_type TEXT,
    record_id   TEXT,
    detail      TEXT NOT NULL,
    note        TEXT
);
CREATE INDEX case_events_case ON case_events (case_id, at, id);

CREATE TABLE instruments (
    id          TEXT PRIMARY KEY,
    key         TEXT NOT NULL,
    version     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    definition  TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    UNIQUE (key, version)
);

CREATE TABLE assessments (
    id              TEXT PRIMARY KEY,
    infohus_id      TEXT NOT NULL REFERENCES infohuse(id),
    case_id         TEXT NOT NULL REFERENCES cases(id),
    person_id       TEXT NOT NULL REFERENCES persons(id),
    instrument_id   TEXT NOT NULL REFERENCES instruments(id),
    owner_agency_id TEXT NOT NULL REFERENCES agencies(id),
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL,
    supersedes_id   TEXT REFERENCES assessments(id),
    assessed_on     TEXT NOT NULL,
    content         TEXT NOT NULL,
    created_by      TEXT NOT NULL REFERENCES users(id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    signed_by       TEXT REFERENCES users(id),
    signed_at       TEXT
);
CREATE INDEX assessments_case ON assessments (case_id, assessed_on);
CREATE INDEX assessments_person ON assessments (person_id, assessed_on);
CREATE INDEX assessments_supersedes ON assessments (supersedes_id);

CREATE TABLE intervention_types (
    code                  TEXT PRIMARY KEY,
    label                 TEXT NOT NULL,
    default_review_months INTEGER NOT NULL,
    sort_order            INTEGER NOT NULL,
    active                INTEGER NOT NULL DEFAULT 1
);
INSERT INTO intervention_types (code, label, default_review_months, sort_order) VALUES
    ('mentoring', 'Mentorforløb', 6, 1),
    ('relatives_coaching', 'Pårørendecoaching', 3, 2),
    ('social', 'Social indsats', 3, 3),
    ('psychiatric', 'Psykiatrisk behandling', 3, 4),
    ('child_welfare', 'Børne- og ungeindsats (Barnets Lov)', 3, 5),
    ('employment_education', 'Beskæftigelse og uddannelse', 3, 6),
    ('prison_probation', 'Koordinering med Kriminalforsorgen', 3, 7);

CREATE TABLE interventions (
    id                  TEXT PRIMARY KEY,
    infohus_id          TEXT NOT NULL REFERENCES infohuse(id),
    case_id             TEXT NOT NULL REFERENCES cases(id),
    person_id           TEXT NOT NULL REFERENCES persons(id),
    kind                TEXT NOT NULL REFERENCES intervention_types(code),
    owner_agency_id     TEXT NOT NULL REFERENCES agencies(id),
    responsible_user_id TEXT NOT NULL REFERENCES users(id),
    sensitivity         TEXT NOT NULL,
    goals               TEXT NOT NULL,
    start_on            TEXT NOT NULL,
    review_on           TEXT NOT NULL,
    status              TEXT NOT NULL,
    outcome             TEXT,
    ended_on            TEXT,
    created_by          TEXT NOT NULL REFERENCES users(id),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX interventions_case ON interventions (case_id);
CREATE INDEX interventions_responsible ON interventions (responsible_user_id, status, review_on);
CREATE INDEX interventions_infohus ON interventions (infohus_id, kind, status);

CREATE TABLE intervention_sessions (
    id              TEXT PRIMARY KEY,
    intervention_id TEXT NOT NULL REFERENCES interventions(id),
    held_on         TEXT NOT NULL,
    minutes         INTEGER NOT NULL,
    note            TEXT NOT NULL,
    logged_by       TEXT NOT NULL REFERENCES users(id),
    logged_at       TEXT NOT NULL
);
CREATE INDEX intervention_sessions_intervention ON intervention_sessions (intervention_id, held_on);

CREATE TABLE tasks (
    id               TEXT PRIMARY KEY,
    infohus_id       TEXT NOT NULL REFERENCES infohuse(id),
    case_id          TEXT NOT NULL REFERENCES cases(id),
    title            TEXT NOT NULL,
    owner_agency_id  TEXT NOT NULL REFERENCES agencies(id),
    assignee_user_id TEXT REFERENCES users(id),
    due_on           TEXT NOT NULL,
    status           TEXT NOT NULL,
    created_by       TEXT NOT NULL REFERENCES users(id),
    created_at       TEXT NOT NULL,
    done_by          TEXT REFERENCES users(id),
    done_at          TEXT
);
CREATE INDEX tasks_case ON tasks (case_id, status);
CREATE INDEX tasks_agency ON tasks (owner_agency_id, status, due_on);
CREATE INDEX tasks_assignee ON tasks (assignee_user_id, status, due_on);

CREATE TABLE release_notices (
    case_id     TEXT PRIMARY KEY REFERENCES cases(id),
    infohus_id  TEXT NOT NULL REFERENCES infohuse(id),
    expected_on TEXT NOT NULL,
    agency_id   TEXT NOT NULL REFERENCES agencies(id),
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX release_notices_due ON release_notices (infohus_id, expected_on);
