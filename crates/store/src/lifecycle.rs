//! A case's life: the event timeline, closure with a reason (refused while tasks are
//! open unless confirmed), reopening, the lead agency, and expected releases from prison.

use crate::access_log::{Action, LogBuffer, LogEvent};
use crate::cases::{AgencyRef, CaseRow, agency_by_code, load_case};
use crate::crypto::DataKey;
use crate::db::{Store, day, new_id, parse_day, parse_ts, ts};
use crate::error::StoreError;
use crate::keys::Keys;
use crate::referrals::Sealer;
use crate::sessions::Actor;
use infohus_domain::casework::{CaseStatus, ClosureReason, RELEASE_HORIZON_DAYS};
use infohus_domain::policy::RecordFacts;
use infohus_domain::{AgencyCode, AgencyId, AgencyKind, CaseId, FieldErrors, PersonId, Personal};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use time::{Date, Duration, OffsetDateTime};

const MAX_REASON_CHARS: usize = 2_000;

/// A record an event is about: its type, id and owning agency (for the read rule).
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventRecord<'a> {
    pub(crate) kind: &'static str,
    pub(crate) id: &'a str,
    pub(crate) owner: &'a str,
}

/// Appends an event to a case's timeline inside the caller's write.
pub(crate) async fn record_event(
    conn: &mut AnyConnection,
    actor: &Actor,
    case: &str,
    kind: &'static str,
    record: Option<EventRecord<'_>>,
    detail: &str,
    now: OffsetDateTime,
) -> Result<String, StoreError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO case_events (id, case_id, at, kind, agency_id, user_id, record_type, record_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(case)
    .bind(ts(now))
    .bind(kind)
    .bind(record.map(|r| r.owner).unwrap_or(actor.viewer.agency.as_str()))
    .bind(actor.viewer.user.as_str())
    .bind(record.map(|r| r.kind))
    .bind(record.map(|r| r.id))
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)] // `record_event` plus the note and the key sealing it
async fn record_event_with_note(
    conn: &mut AnyConnection,
    actor: &Actor,
    case: &str,
    kind: &'static str,
    detail: &str,
    note: Option<String>,
    key: &DataKey,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let id = record_event(conn, actor, case, kind, None, detail, now).await?;
    if let Some(note) = note {
        sqlx::query("UPDATE case_events SET note = $1 WHERE id = $2")
            .bind(Sealer::new(key, "case_events", &id).seal("note", &note)?)
            .bind(&id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// One line of a case's timeline. `kind` and `detail` are codes the page translates.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub at: OffsetDateTime,
    pub kind: String,
    pub agency: String,
    pub user: Option<String>,
    pub detail: String,
    pub note: Option<Personal<String>>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
}

/// A case with a release from prison expected within the horizon.
#[derive(Debug, Clone)]
pub struct ReleaseNotice {
    pub case_id: CaseId,
    pub person_id: PersonId,
    pub person_name: Personal<String>,
    pub expected_on: Date,
    pub lead_agency: String,
}

/// Which agencies each record of a case was disclosed to.
pub(crate) async fn case_disclosures(
    conn: &mut AnyConnection,
    case: &str,
) -> Result<HashMap<(String, String), Vec<AgencyId>>, StoreError> {
    let mut map: HashMap<(String, String), Vec<AgencyId>> = HashMap::new();
    for r in sqlx::query("SELECT record_type, record_id, to_agency_id FROM disclosures WHERE case_id = $1")
        .bind(case)
        .fetch_all(&mut *conn)
        .await?
    {
        let to = AgencyId::parse(&r.try_get::<String, _>("to_agency_id")?).ok_or(StoreError::Corrupt("agency id"))?;
        map.entry((r.try_get("record_type")?, r.try_get("record_id")?)).or_default().push(to);
    }
    Ok(map)
}

/// The timeline as the actor may see it: events about records they may not read are left out.
pub(crate) async fn timeline_in(
    conn: &mut AnyConnection,
    actor: &Actor,
    case: &CaseRow,
    key: &DataKey,
    disclosures: &HashMap<(String, String), Vec<AgencyId>>,
) -> Result<Vec<TimelineEntry>, StoreError> {
    let case_id = case.string("id")?;
    let referral = case.string("referral_id")?;
    let mut entries = Vec::new();
    let received = sqlx::query(
        "SELECT r.received_at, a.name FROM referrals r JOIN agencies a ON a.id = r.submitted_by_agency WHERE r.id = $1",
    )
    .bind(&referral)
    .fetch_one(&mut *conn)
    .await?;
    entries.push(TimelineEntry {
        at: parse_ts(&received.try_get::<String, _>("received_at")?)?,
        kind: "received".into(),
        agency: received.try_get("name")?,
        user: None,
        detail: String::new(),
        note: None,
        record_type: Some("referral".into()),
        record_id: Some(referral.clone()),
    });
    for r in sqlx::query(
        "SELECT s.requested_at, s.result, s.checked_at, a.name, u.username AS checked_by
         FROM screening_checks s JOIN agencies a ON a.id = s.agency_id LEFT JOIN users u ON u.id = s.checked_by
         WHERE s.referral_id = $1",
    )
    .bind(&referral)
    .fetch_all(&mut *conn)
    .await?
    {
        let agency: String = r.try_get("name")?;
        entries.push(TimelineEntry {
            at: parse_ts(&r.try_get::<String, _>("requested_at")?)?,
            kind: "check_requested".into(),
            agency: agency.clone(),
            user: None,
            detail: String::new(),
            note: None,
            record_type: None,
            record_id: None,
        });
        if let (Some(at), Some(result)) =
            (r.try_get::<Option<String>, _>("checked_at")?, r.try_get::<Option<String>, _>("result")?)
        {
            entries.push(TimelineEntry {
                at: parse_ts(&at)?,
                kind: "check_recorded".into(),
                agency,
                user: r.try_get("checked_by")?,
                detail: result,
                note: None,
                record_type: None,
                record_id: None,
            });
        }
    }
    for r in sqlx::query(
        "SELECT e.id, e.at, e.kind, a.id AS agency_id, a.name, u.username, e.record_type, e.record_id, e.detail, e.note
         FROM case_events e JOIN agencies a ON a.id = e.agency_id JOIN users u ON u.id = e.user_id
         WHERE e.case_id = $1 ORDER BY e.at, e.id",
    )
    .bind(&case_id)
    .fetch_all(&mut *conn)
    .await?
    {
        let record_type: Option<String> = r.try_get("record_type")?;
        let record_id: Option<String> = r.try_get("record_id")?;
        if let (Some(t), Some(id)) = (&record_type, &record_id)
            && matches!(t.as_str(), "note" | "assessment" | "intervention")
        {
            let owner =
                AgencyId::parse(&r.try_get::<String, _>("agency_id")?).ok_or(StoreError::Corrupt("agency id"))?;
            let to = disclosures.get(&(t.clone(), id.clone())).map(Vec::as_slice).unwrap_or(&[]);
            if !actor.viewer.may_read_record(case.access, RecordFacts { owner: &owner, disclosed_to: to }) {
                continue;
            }
        }
        let event_id: String = r.try_get("id")?;
        entries.push(TimelineEntry {
            at: parse_ts(&r.try_get::<String, _>("at")?)?,
            kind: r.try_get("kind")?,
            agency: r.try_get("name")?,
            user: r.try_get("username")?,
            detail: r.try_get("detail")?,
            note: Sealer::new(key, "case_events", &event_id).column(&r, "note")?.map(Personal::new),
            record_type,
            record_id,
        });
    }
    entries.sort_by_key(|e| e.at);
    Ok(entries)
}

async fn open_task_count(conn: &mut AnyConnection, case: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM tasks WHERE case_id = $1 AND status = 'open'")
        .bind(case)
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?)
}

pub(crate) fn ensure_open(case: &CaseRow) -> Result<(), StoreError> {
    if case.string("status")? == CaseStatus::Closed.as_str() {
        return Err(StoreError::Conflict("case_closed"));
    }
    Ok(())
}

impl Store {
    /// Closes a case with a reason (coordinators). Refused with `open_tasks` while tasks
    /// are open, unless `confirm_open_tasks`: then the open tasks close with the case.
    pub async fn close_case(
        &self,
        actor: &Actor,
        case: &CaseId,
        reason: ClosureReason,
        note: &str,
        confirm_open_tasks: bool,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let note = infohus_domain::text::optional_multiline("note", Some(note), MAX_REASON_CHARS)
            .map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))?;
        let (actor, case, keys) = (actor.clone(), case.clone(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let loaded = load_case(conn, &actor, case.as_str(), now).await?;
                if !actor.viewer.may_manage_cases() {
                    return Err(StoreError::Forbidden);
                }
                ensure_open(&loaded)?;
                let open = open_task_count(conn, case.as_str()).await?;
                if open > 0 && !confirm_open_tasks {
                    return Err(StoreError::Conflict("open_tasks"));
                }
                if open > 0 {
                    sqlx::query("UPDATE tasks SET status = 'cancelled', done_by = $1, done_at = $2 WHERE case_id = $3 AND status = 'open'")
                        .bind(actor.viewer.user.as_str())
                        .bind(ts(now))
                        .bind(case.as_str())
                        .execute(&mut *conn)
                        .await?;
                }
                sqlx::query("UPDATE cases SET status = $1, closed_at = $2, closed_reason = $3 WHERE id = $4")
                    .bind(CaseStatus::Closed.as_str())
                    .bind(ts(now))
                    .bind(reason.as_str())
                    .bind(case.as_str())
                    .execute(&mut *conn)
                    .await?;
                let key = loaded.data_key(&keys)?;
                record_event_with_note(conn, &actor, case.as_str(), "closed", reason.as_str(), note, &key, now).await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent {
                        action: Action::Change,
                        object_type: "case",
                        object_id: case.as_str().to_owned(),
                        person_id: Some(loaded.string("person_id")?),
                        purpose: "case_closure",
                        criteria: format!("reason={};open_tasks_closed={open}", reason.as_str()),
                    }],
                );
                Ok(())
            })
        })
        .await
    }

    /// Reopens a closed case with a written reason (coordinators).
    pub async fn reopen_case(
        &self,
        actor: &Actor,
        case: &CaseId,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let reason = infohus_domain::text::required_multiline("reason", Some(reason), MAX_REASON_CHARS)
            .map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))?;
        let (actor, case, keys) = (actor.clone(), case.clone(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let loaded = load_case(conn, &actor, case.as_str(), now).await?;
                if !actor.viewer.may_manage_cases() {
                    return Err(StoreError::Forbidden);
                }
                if loaded.string("status")? != CaseStatus::Closed.as_str() {
                    return Err(StoreError::Conflict("case_not_closed"));
                }
                sqlx::query("UPDATE cases SET status = $1, closed_at = NULL, closed_reason = NULL WHERE id = $2")
                    .bind(CaseStatus::Open.as_str())
                    .bind(case.as_str())
                    .execute(&mut *conn)
                    .await?;
                let key = loaded.data_key(&keys)?;
                record_event_with_note(conn, &actor, case.as_str(), "reopened", "", Some(reason), &key, now).await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent::of(
                        Action::Change,
                        "case",
                        case.as_str().to_owned(),
                        Some(loaded.string("person_id")?),
                        "case_reopening",
                    )],
                );
                Ok(())
            })
        })
        .await
    }

    /// Makes a participating agency the case's lead (coordinators).
    pub async fn set_lead_agency(
        &self,
        actor: &Actor,
        case: &CaseId,
        agency: &AgencyCode,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let (actor, case, agency) = (actor.clone(), case.clone(), agency.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let loaded = load_case(conn, &actor, case.as_str(), now).await?;
                if !actor.viewer.may_manage_cases() {
                    return Err(StoreError::Forbidden);
                }
                ensure_open(&loaded)?;
                let agency = agency_by_code(conn, &actor.viewer.infohus, &agency).await?;
                if !loaded.agencies.contains(&agency) {
                    return Err(StoreError::Invalid(FieldErrors::single("lead_agency", "not_participating")));
                }
                sqlx::query("UPDATE cases SET lead_agency_id = $1 WHERE id = $2")
                    .bind(&agency.id)
                    .bind(case.as_str())
                    .execute(&mut *conn)
                    .await?;
                record_event(conn, &actor, case.as_str(), "lead_changed", None, &agency.code, now).await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent {
                        action: Action::Change,
                        object_type: "case",
                        object_id: case.as_str().to_owned(),
                        person_id: Some(loaded.string("person_id")?),
                        purpose: "case_lead",
                        criteria: format!("agency={}", agency.id),
                    }],
                );
                Ok(())
            })
        })
        .await
    }

    /// Records the expected release date of an inmate on a case (Prison and Probation
    /// Service members taking part in the case). A later notice replaces the earlier one.
    pub async fn set_release(
        &self,
        actor: &Actor,
        case: &CaseId,
        expected_on: Date,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let (actor, case) = (actor.clone(), case.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let loaded = load_case(conn, &actor, case.as_str(), now).await?;
                let kind: String = sqlx::query("SELECT kind FROM agencies WHERE id = $1")
                    .bind(actor.viewer.agency.as_str())
                    .fetch_one(&mut *conn)
                    .await?
                    .try_get("kind")?;
                let kind = AgencyKind::parse(&kind).ok_or(StoreError::Corrupt("agency kind"))?;
                if !actor.viewer.may_record_release(loaded.access, kind) {
                    return Err(StoreError::Forbidden);
                }
                ensure_open(&loaded)?;
                sqlx::query("DELETE FROM release_notices WHERE case_id = $1")
                    .bind(case.as_str())
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(
                    "INSERT INTO release_notices (case_id, infohus_id, expected_on, agency_id, recorded_by, recorded_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(case.as_str())
                .bind(actor.viewer.infohus.as_str())
                .bind(day(expected_on))
                .bind(actor.viewer.agency.as_str())
                .bind(actor.viewer.user.as_str())
                .bind(ts(now))
                .execute(&mut *conn)
                .await?;
                record_event(conn, &actor, case.as_str(), "release", None, &day(expected_on), now).await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent::of(
                        Action::Change,
                        "case",
                        case.as_str().to_owned(),
                        Some(loaded.string("person_id")?),
                        "release_notice",
                    )],
                );
                Ok(())
            })
        })
        .await
    }

    /// Open cases with a release expected from `today` to 90 days ahead that the actor's
    /// role reaches: every case for coordinators, their agency's cases for members.
    pub async fn releases(
        &self,
        actor: &Actor,
        today: Date,
        now: OffsetDateTime,
    ) -> Result<Vec<ReleaseNotice>, StoreError> {
        let mut log = LogBuffer::default();
        let notices = {
            let mut conn = self.pool.acquire().await?;
            releases_in(&mut conn, &self.keys, &mut log, actor, today, now).await?
        };
        self.commit_log(log).await?;
        Ok(notices)
    }
}

async fn releases_in(
    conn: &mut AnyConnection,
    keys: &Keys,
    log: &mut LogBuffer,
    actor: &Actor,
    today: Date,
    now: OffsetDateTime,
) -> Result<Vec<ReleaseNotice>, StoreError> {
    use infohus_domain::Role;
    let member = match actor.viewer.role {
        Role::Coordinator => false,
        Role::Member => true,
        _ => return Ok(Vec::new()),
    };
    let until = today + Duration::days(RELEASE_HORIZON_DAYS);
    let rows = sqlx::query(
        "SELECT n.case_id, n.expected_on, c.person_id, p.name, p.data_key AS person_data_key, la.name AS lead_name
         FROM release_notices n JOIN cases c ON c.id = n.case_id JOIN persons p ON p.id = c.person_id
         JOIN agencies la ON la.id = c.lead_agency_id
         WHERE n.infohus_id = $1 AND n.expected_on >= $2 AND n.expected_on <= $3 AND c.status = 'open'
           AND ($4 = 0 OR EXISTS (SELECT 1 FROM case_agencies ca WHERE ca.case_id = n.case_id AND ca.agency_id = $5))
         ORDER BY n.expected_on, n.case_id",
    )
    .bind(actor.viewer.infohus.as_str())
    .bind(day(today))
    .bind(day(until))
    .bind(i64::from(member))
    .bind(actor.viewer.agency.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let mut notices = Vec::new();
    let mut events = Vec::new();
    for r in &rows {
        let person: String = r.try_get("person_id")?;
        let key = crate::referrals::person_key(keys, r, &person)?;
        let case: String = r.try_get("case_id")?;
        notices.push(ReleaseNotice {
            case_id: CaseId::parse(&case).ok_or(StoreError::Corrupt("case id"))?,
            person_id: PersonId::parse(&person).ok_or(StoreError::Corrupt("person id"))?,
            person_name: Personal::new(
                Sealer::new(&key, "persons", &person).column(r, "name")?.ok_or(StoreError::Corrupt("person name"))?,
            ),
            expected_on: parse_day(&r.try_get::<String, _>("expected_on")?)?,
            lead_agency: r.try_get("lead_name")?,
        });
        events.push(LogEvent::of(Action::Search, "case", case, Some(person), "release_list"));
    }
    log.record(actor, now, events);
    Ok(notices)
}

impl AgencyRef {
    pub(crate) fn from_row(row: &sqlx::any::AnyRow, prefix: &str) -> Result<Self, StoreError> {
        Ok(AgencyRef {
            id: row.try_get(format!("{prefix}id").as_str())?,
            code: row.try_get(format!("{prefix}code").as_str())?,
            name: row.try_get(format!("{prefix}name").as_str())?,
        })
    }
}
