-- PostgreSQL twin of ../sqlite/ with the same number: kept side by side, changed together.
-- Coordination meetings: series with standing participants, single meetings (moved or
-- cancelled on their own), generated agendas whose items say why they are there, flags an
-- agency raises for discussion, minutes that are approved and then locked (corrections are
-- new versions), and action items (tasks with the meeting they came from).
-- Times of meetings are Copenhagen wall-clock times 'YYYY-MM-DDTHH:MM': a meeting at 09:00
-- stays at 09:00 across daylight saving.

CREATE TABLE meeting_series (
    id               TEXT PRIMARY KEY,
    infohus_id       TEXT NOT NULL REFERENCES infohuse(id),
    name             TEXT NOT NULL,
    first_start      TEXT NOT NULL,
    interval_days    BIGINT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    cutoff_minutes   BIGINT NOT NULL,
    location         TEXT,
    video_link       TEXT,
    created_by       TEXT NOT NULL REFERENCES users(id),
    created_at       TEXT NOT NULL
);

CREATE TABLE meeting_participants (
    id         TEXT PRIMARY KEY,
    series_id  TEXT NOT NULL REFERENCES meeting_series(id),
    agency_id  TEXT NOT NULL REFERENCES agencies(id),
    user_id    TEXT REFERENCES users(id)
);
CREATE INDEX meeting_participants_series ON meeting_participants (series_id);

CREATE TABLE meetings (
    id                  TEXT PRIMARY KEY,
    infohus_id          TEXT NOT NULL REFERENCES infohuse(id),
    series_id           TEXT REFERENCES meeting_series(id),
    planned_start       TEXT NOT NULL,
    starts_at           TEXT NOT NULL,
    duration_minutes    BIGINT NOT NULL,
    cutoff_at           TEXT NOT NULL,
    location            TEXT,
    video_link          TEXT,
    status              TEXT NOT NULL,
    sequence            BIGINT NOT NULL,
    cancel_reason       TEXT,
    agenda_status       TEXT NOT NULL,
    agenda_built_at     TEXT,
    agenda_published_at TEXT,
    agenda_published_by TEXT REFERENCES users(id)
);
CREATE INDEX meetings_infohus ON meetings (infohus_id, starts_at);
CREATE INDEX meetings_series ON meetings (series_id, planned_start);

-- One agenda item: a case or a referral with the reasons it is there (codes and dates
-- only), or a free item. Removing or postponing keeps the row with its reason.
CREATE TABLE agenda_items (
    id           TEXT PRIMARY KEY,
    meeting_id   TEXT NOT NULL REFERENCES meetings(id),
    position     BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    case_id      TEXT REFERENCES cases(id),
    referral_id  TEXT REFERENCES referrals(id),
    person_id    TEXT REFERENCES persons(id),
    reasons      TEXT NOT NULL,
    title        TEXT,
    status       TEXT NOT NULL,
    status_note  TEXT,
    added_by     TEXT REFERENCES users(id),
    discussed    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id, position);
CREATE INDEX agenda_items_case ON agenda_items (case_id);

CREATE TABLE agenda_flags (
    id                 TEXT PRIMARY KEY,
    infohus_id         TEXT NOT NULL REFERENCES infohuse(id),
    case_id            TEXT NOT NULL REFERENCES cases(id),
    agency_id          TEXT NOT NULL REFERENCES agencies(id),
    flagged_by         TEXT NOT NULL REFERENCES users(id),
    flagged_at         TEXT NOT NULL,
    note               TEXT,
    handled_meeting_id TEXT REFERENCES meetings(id)
);
CREATE INDEX agenda_flags_open ON agenda_flags (infohus_id, handled_meeting_id);

CREATE TABLE minutes (
    id                TEXT PRIMARY KEY,
    meeting_id        TEXT NOT NULL REFERENCES meetings(id),
    version           BIGINT NOT NULL,
    status            TEXT NOT NULL,
    attendance        TEXT NOT NULL,
    supersedes_id     TEXT REFERENCES minutes(id),
    correction_reason TEXT,
    created_by        TEXT NOT NULL REFERENCES users(id),
    created_at        TEXT NOT NULL,
    approved_by       TEXT REFERENCES users(id),
    approved_at       TEXT,
    UNIQUE (meeting_id, version)
);

-- Per agenda item: the discussion summary and the decisions, sealed with the person's key
-- for case and referral items.
CREATE TABLE minute_items (
    minutes_id     TEXT NOT NULL REFERENCES minutes(id),
    agenda_item_id TEXT NOT NULL REFERENCES agenda_items(id),
    summary        TEXT,
    decisions      TEXT,
    PRIMARY KEY (minutes_id, agenda_item_id)
);

ALTER TABLE tasks ADD COLUMN meeting_id TEXT REFERENCES meetings(id);
ALTER TABLE tasks ADD COLUMN agenda_item_id TEXT REFERENCES agenda_items(id);
CREATE INDEX tasks_meeting ON tasks (infohus_id, meeting_id, status);
ALTER TABLE disclosures ADD COLUMN meeting_id TEXT REFERENCES meetings(id);
