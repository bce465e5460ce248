//! Interventions (indsatser): owned by an agency, with a responsible user, goals, a review
//! date, a status, a session log for mentors and an outcome. The kind comes from a list
//! administrators extend. Goals, outcome and session notes are the owner's records: the
//! owner agency, agencies they were disclosed to, and the responsible user read them.

use crate::access_log::{Action, LogBuffer, LogEvent};
use crate::cases::{AgencyRef, CaseRow, load_case, load_case_with_access};
use crate::crypto::DataKey;
use crate::db::{Store, day, new_id, parse_day, ts};
use crate::error::StoreError;
use crate::keys::Keys;
use crate::lifecycle::{EventRecord, ensure_open, record_event};
use crate::referrals::{Sealer, person_key};
use crate::sessions::Actor;
use infohus_domain::casework::InterventionStatus;
use infohus_domain::policy::RecordFacts;
use infohus_domain::{AgencyId, CaseId, FieldErrors, InterventionId, PersonId, Personal, Sensitivities, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

const MAX_GOALS_CHARS: usize = 10_000;
const MAX_SESSION_NOTE_CHARS: usize = 10_000;
/// A session longer than a working day is a typing error.
const MAX_SESSION_MINUTES: i64 = 600;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterventionType {
    pub code: String,
    pub label: String,
    pub default_review_months: u8,
}

#[derive(Debug, Clone)]
pub struct NewIntervention {
    pub kind: String,
    /// Username of the responsible user (a mentor, a caseworker) in the same infohus.
    pub responsible: String,
    pub goals: String,
    pub start_on: Date,
    /// Defaults to the start plus the kind's review period (six months for mentoring).
    pub review_on: Option<Date>,
    pub sensitivity: Sensitivities,
}

#[derive(Debug, Clone, Default)]
pub struct InterventionUpdate {
    pub status: Option<InterventionStatus>,
    pub review_on: Option<Date>,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SessionView {
    pub id: String,
    pub held_on: Date,
    pub minutes: i64,
    pub note: Personal<String>,
    pub logged_by: String,
}

#[derive(Debug, Clone)]
pub struct InterventionView {
    pub id: InterventionId,
    pub case_id: CaseId,
    pub person_id: PersonId,
    pub kind: String,
    pub owner_agency: AgencyRef,
    pub responsible: String,
    pub start_on: Date,
    pub review_on: Date,
    pub status: InterventionStatus,
    pub ended_on: Option<Date>,
    pub sensitivity: Sensitivities,
    /// The content, when the viewer may read it; the rest is visible to every participant.
    pub goals: Option<Personal<String>>,
    pub outcome: Option<Personal<String>>,
    pub sessions: Vec<SessionView>,
    /// Whether the viewer may log sessions and update it.
    pub may_work: bool,
    pub person_name: Option<Personal<String>>,
    /// Agency codes it was disclosed to; shown to the owning agency only.
    pub disclosed_to: Vec<String>,
}

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(FieldErrors::single(field, code))
}

fn add_months(date: Date, months: u8) -> Date {
    let total = i32::from(u8::from(date.month())) - 1 + i32::from(months);
    let year = date.year() + total / 12;
    let month = time::Month::try_from(u8::try_from(total % 12 + 1).unwrap_or(1)).unwrap_or(time::Month::January);
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, date.day().min(last)).unwrap_or(date)
}

const INTERVENTION_COLUMNS: &str = "i.id, i.case_id, i.person_id, i.kind, i.owner_agency_id AS owner_id,
    oa.code AS owner_code, oa.name AS owner_name, i.responsible_user_id, u.username AS responsible, i.sensitivity,
    i.goals, i.start_on, i.review_on, i.status, i.outcome, i.ended_on";
const INTERVENTION_FROM: &str =
    " FROM interventions i JOIN agencies oa ON oa.id = i.owner_agency_id JOIN users u ON u.id = i.responsible_user_id";

fn view_from_row(row: &AnyRow, key: &DataKey, readable: bool, may_work: bool) -> Result<InterventionView, StoreError> {
    let id: String = row.try_get("id")?;
    let sealer = Sealer::new(key, "interventions", &id);
    Ok(InterventionView {
        case_id: CaseId::parse(&row.try_get::<String, _>("case_id")?).ok_or(StoreError::Corrupt("case id"))?,
        person_id: PersonId::parse(&row.try_get::<String, _>("person_id")?).ok_or(StoreError::Corrupt("person id"))?,
        kind: row.try_get("kind")?,
        owner_agency: AgencyRef::from_row(row, "owner_")?,
        responsible: row.try_get("responsible")?,
        start_on: parse_day(&row.try_get::<String, _>("start_on")?)?,
        review_on: parse_day(&row.try_get::<String, _>("review_on")?)?,
        status: InterventionStatus::parse(&row.try_get::<String, _>("status")?)
            .ok_or(StoreError::Corrupt("intervention status"))?,
        ended_on: row.try_get::<Option<String>, _>("ended_on")?.as_deref().map(parse_day).transpose()?,
        sensitivity: Sensitivities::from_stored(&row.try_get::<String, _>("sensitivity")?),
        goals: if readable { sealer.column(row, "goals")?.map(Personal::new) } else { None },
        outcome: if readable { sealer.column(row, "outcome")?.map(Personal::new) } else { None },
        sessions: Vec::new(),
        may_work,
        person_name: None,
        disclosed_to: Vec::new(),
        id: InterventionId::parse(&id).ok_or(StoreError::Corrupt("intervention id"))?,
    })
}

fn facts_of(row: &AnyRow) -> Result<(AgencyId, UserId), StoreError> {
    Ok((
        AgencyId::parse(&row.try_get::<String, _>("owner_id")?).ok_or(StoreError::Corrupt("agency id"))?,
        UserId::parse(&row.try_get::<String, _>("responsible_user_id")?).ok_or(StoreError::Corrupt("user id"))?,
    ))
}

/// The interventions of a case for the case view: what and who for every participant,
/// goals and outcome only where the viewer may read them.
pub(crate) async fn interventions_for_case(
    conn: &mut AnyConnection,
    actor: &Actor,
    case: &CaseRow,
    key: &DataKey,
    disclosures: &HashMap<(String, String), Vec<AgencyId>>,
) -> Result<Vec<InterventionView>, StoreError> {
    let sql =
        format!("SELECT {INTERVENTION_COLUMNS}{INTERVENTION_FROM} WHERE i.case_id = $1 ORDER BY i.start_on, i.id");
    let mut views = Vec::new();
    // Safe: constant SQL; the case id is bound.
    for row in sqlx::query(sqlx::AssertSqlSafe(sql)).bind(case.string("id")?).fetch_all(&mut *conn).await? {
        let (owner, responsible) = facts_of(&row)?;
        let id: String = row.try_get("id")?;
        let to = disclosures.get(&("intervention".to_owned(), id)).map(Vec::as_slice).unwrap_or(&[]);
        let readable = actor.viewer.may_read_intervention(
            case.access,
            RecordFacts { owner: &owner, disclosed_to: to },
            &responsible,
        );
        let may_work = actor.viewer.may_work_on_intervention(case.access, &owner, &responsible);
        views.push(view_from_row(&row, key, readable, may_work)?);
    }
    Ok(views)
}

/// One intervention with the case facts, the policy decisions and the data key.
struct Loaded {
    row: AnyRow,
    case: CaseRow,
    key: DataKey,
    readable: bool,
    may_work: bool,
    disclosed_to: Vec<String>,
}

async fn load_intervention(
    conn: &mut AnyConnection,
    keys: &Keys,
    actor: &Actor,
    id: &str,
    now: OffsetDateTime,
) -> Result<Loaded, StoreError> {
    let sql = format!(
        "SELECT {INTERVENTION_COLUMNS}, p.name, p.data_key AS person_data_key{INTERVENTION_FROM}
         JOIN persons p ON p.id = i.person_id WHERE i.id = $1 AND i.infohus_id = $2"
    );
    // Safe: constant SQL; values are bound.
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(actor.viewer.infohus.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let case = load_case_with_access(conn, actor, &row.try_get::<String, _>("case_id")?, now).await?;
    let (owner, responsible) = facts_of(&row)?;
    let disclosures = crate::cases::disclosed_to(conn, "intervention", id).await?;
    let to: Vec<AgencyId> = disclosures.iter().map(|(a, _)| a.clone()).collect();
    let facts = RecordFacts { owner: &owner, disclosed_to: &to };
    let readable = actor.viewer.may_read_intervention(case.access, facts, &responsible);
    let visible = readable || case.access != infohus_domain::policy::CaseAccess::None;
    if !visible {
        return Err(StoreError::NotFound);
    }
    let may_work = actor.viewer.may_work_on_intervention(case.access, &owner, &responsible);
    let person: String = row.try_get("person_id")?;
    let key = person_key(keys, &row, &person)?;
    let disclosed_to =
        if owner == actor.viewer.agency { disclosures.into_iter().map(|(_, code)| code).collect() } else { Vec::new() };
    Ok(Loaded { row, case, key, readable, may_work, disclosed_to })
}

async fn kind_review_months(conn: &mut AnyConnection, kind: &str) -> Result<u8, StoreError> {
    let row = sqlx::query("SELECT default_review_months FROM intervention_types WHERE code = $1 AND active = 1")
        .bind(kind)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| invalid("kind", "invalid_choice"))?;
    Ok(u8::try_from(row.try_get::<i64, _>("default_review_months")?).unwrap_or(6))
}

impl Store {
    /// The configured kinds of intervention, in display order.
    pub async fn intervention_types(&self) -> Result<Vec<InterventionType>, StoreError> {
        sqlx::query(
            "SELECT code, label, default_review_months FROM intervention_types WHERE active = 1 ORDER BY sort_order, code",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(InterventionType {
                code: r.try_get("code")?,
                label: r.try_get("label")?,
                default_review_months: u8::try_from(r.try_get::<i64, _>("default_review_months")?).unwrap_or(6),
            })
        })
        .collect()
    }

    /// Adds a kind of intervention (administrators).
    pub async fn add_intervention_type(&self, actor: &Actor, kind: InterventionType) -> Result<(), StoreError> {
        if !actor.viewer.may_configure() {
            return Err(StoreError::Forbidden);
        }
        let mut errors = FieldErrors::default();
        if infohus_domain::AgencyCode::parse(&kind.code).is_none() {
            errors.push("code", "invalid_code");
        }
        let label = errors.check(infohus_domain::text::required_line("label", Some(&kind.label), 200));
        if !(1..=36).contains(&kind.default_review_months) {
            errors.push("default_review_months", "out_of_range");
        }
        let Some(label) = label.filter(|_| errors.is_empty()) else {
            return Err(StoreError::Invalid(errors));
        };
        self.write(move |conn, _log| {
            Box::pin(async move {
                let exists = sqlx::query("SELECT 1 AS one FROM intervention_types WHERE code = $1")
                    .bind(&kind.code)
                    .fetch_optional(&mut *conn)
                    .await?;
                if exists.is_some() {
                    return Err(StoreError::Conflict("intervention_type_exists"));
                }
                sqlx::query(
                    "INSERT INTO intervention_types (code, label, default_review_months, sort_order)
                     VALUES ($1, $2, $3, (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM intervention_types))",
                )
                .bind(&kind.code)
                .bind(label)
                .bind(i64::from(kind.default_review_months))
                .execute(&mut *conn)
                .await?;
                Ok(())
            })
        })
        .await
    }

    /// Starts an intervention on a case, owned by the actor's agency.
    pub async fn add_intervention(
        &self,
        actor: &Actor,
        case: &CaseId,
        new: NewIntervention,
        today: Date,
        now: OffsetDateTime,
    ) -> Result<InterventionId, StoreError> {
        let goals = infohus_domain::text::required_multiline("goals", Some(&new.goals), MAX_GOALS_CHARS)
            .map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))?;
        if new.review_on.is_some_and(|r| r <= new.start_on) {
            return Err(invalid("review_on", "before_start"));
        }
        let (actor, case, keys) = (actor.clone(), case.clone(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let loaded = load_case(conn, &actor, case.as_str(), now).await?;
                if !actor.viewer.may_write_record(loaded.access) {
                    return Err(StoreError::Forbidden);
                }
                ensure_open(&loaded)?;
                let months = kind_review_months(conn, &new.kind).await?;
                let responsible: String = sqlx::query(
                    "SELECT id FROM users WHERE username = $1 AND infohus_id = $2 AND disabled = 0
                       AND role IN ('coordinator', 'member', 'mentor')",
                )
                .bind(new.responsible.trim())
                .bind(actor.viewer.infohus.as_str())
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| invalid("responsible", "unknown_user"))?
                .try_get("id")?;
                let review_on = new.review_on.unwrap_or_else(|| add_months(new.start_on, months));
                let status = if new.start_on > today { InterventionStatus::Planned } else { InterventionStatus::Active };
                let key = loaded.data_key(&keys)?;
                let id = new_id();
                let person = loaded.string("person_id")?;
                sqlx::query(
                    "INSERT INTO interventions (id, infohus_id, case_id, person_id, kind, owner_agency_id, responsible_user_id,
                        sensitivity, goals, start_on, review_on, status, created_by, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
                )
                .bind(&id)
                .bind(actor.viewer.infohus.as_str())
                .bind(case.as_str())
                .bind(&person)
                .bind(&new.kind)
                .bind(actor.viewer.agency.as_str())
                .bind(&responsible)
                .bind(new.sensitivity.to_stored())
                .bind(Sealer::new(&key, "interventions", &id).seal("goals", &goals)?)
                .bind(day(new.start_on))
                .bind(day(review_on))
                .bind(status.as_str())
                .bind(actor.viewer.user.as_str())
                .bind(ts(now))
                .execute(&mut *conn)
                .await?;
                let record = EventRecord { kind: "intervention", id: &id, owner: actor.viewer.agency.as_str() };
                record_event(conn, &actor, case.as_str(), "intervention_added", Some(record), &new.kind, now).await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent {
                        action: Action::Create,
                        object_type: "intervention",
                        object_id: id.clone(),
                        person_id: Some(person),
                        purpose: "intervention",
                        criteria: format!("kind={};responsible={responsible}", new.kind),
                    }],
                );
                InterventionId::parse(&id).ok_or(StoreError::Corrupt("intervention id"))
            })
        })
        .await
    }

    /// One intervention with its session log, as the actor may see it.
    pub async fn intervention(
        &self,
        actor: &Actor,
        id: &InterventionId,
        now: OffsetDateTime,
    ) -> Result<InterventionView, StoreError> {
        let mut log = LogBuffer::default();
        let view = {
            let mut conn = self.pool.acquire().await?;
            let loaded = load_intervention(&mut conn, &self.keys, actor, id.as_str(), now).await?;
            let mut view = view_from_row(&loaded.row, &loaded.key, loaded.readable, loaded.may_work)?;
            view.disclosed_to = loaded.disclosed_to.clone();
            let person = view.person_id.as_str().to_owned();
            if loaded.readable {
                view.person_name =
                    Sealer::new(&loaded.key, "persons", &person).column(&loaded.row, "name")?.map(Personal::new);
                for r in sqlx::query(
                    "SELECT s.id, s.held_on, s.minutes, s.note, u.username FROM intervention_sessions s
                     JOIN users u ON u.id = s.logged_by WHERE s.intervention_id = $1 ORDER BY s.held_on, s.id",
                )
                .bind(id.as_str())
                .fetch_all(&mut *conn)
                .await?
                {
                    let session: String = r.try_get("id")?;
                    view.sessions.push(SessionView {
                        note: Personal::new(
                            Sealer::new(&loaded.key, "intervention_sessions", &session)
                                .column(&r, "note")?
                                .ok_or(StoreError::Corrupt("session note"))?,
                        ),
                        held_on: parse_day(&r.try_get::<String, _>("held_on")?)?,
                        minutes: r.try_get("minutes")?,
                        logged_by: r.try_get("username")?,
                        id: session,
                    });
                }
            }
            log.record(
                actor,
                now,
                vec![LogEvent {
                    action: Action::Read,
                    object_type: "intervention",
                    object_id: id.as_str().to_owned(),
                    person_id: Some(person),
                    purpose: if loaded.case.access == infohus_domain::policy::CaseAccess::BreakGlass {
                        "break_glass"
                    } else {
                        "intervention"
                    },
                    criteria: format!("content={}", loaded.readable),
                }],
            );
            view
        };
        self.commit_log(log).await?;
        Ok(view)
    }

    /// Changes status, review date or outcome (owner agency or responsible user). Ending
    /// an intervention takes a written outcome.
    pub async fn update_intervention(
        &self,
        actor: &Actor,
        id: &InterventionId,
        update: InterventionUpdate,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let outcome = infohus_domain::text::optional_multiline("outcome", update.outcome.as_deref(), MAX_GOALS_CHARS)
            .map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))?;
        if update.status == Some(InterventionStatus::Ended) && outcome.is_none() {
            return Err(invalid("outcome", "required"));
        }
        let (actor, id, keys) = (actor.clone(), id.clone(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let loaded = load_intervention(conn, &keys, &actor, id.as_str(), now).await?;
                if !loaded.may_work {
                    return Err(StoreError::Forbidden);
                }
                ensure_open(&loaded.case)?;
                let current = InterventionStatus::parse(&loaded.row.try_get::<String, _>("status")?)
                    .ok_or(StoreError::Corrupt("intervention status"))?;
                if matches!(current, InterventionStatus::Ended | InterventionStatus::Cancelled) {
                    return Err(StoreError::Conflict("intervention_ended"));
                }
                let start = parse_day(&loaded.row.try_get::<String, _>("start_on")?)?;
                if update.review_on.is_some_and(|r| r <= start) {
                    return Err(invalid("review_on", "before_start"));
                }
                let status = update.status.unwrap_or(current);
                let ended = matches!(status, InterventionStatus::Ended | InterventionStatus::Cancelled);
                let review = update.review_on.map(day);
                let sealed = Sealer::new(&loaded.key, "interventions", id.as_str()).seal_opt("outcome", outcome)?;
                sqlx::query(
                    "UPDATE interventions SET status = $1, review_on = COALESCE($2, review_on), outcome = COALESCE($3, outcome),
                        ended_on = $4, updated_at = $5 WHERE id = $6",
                )
                .bind(status.as_str())
                .bind(review)
                .bind(sealed)
                .bind(ended.then(|| day(infohus_domain::calendar::copenhagen(now).date())))
                .bind(ts(now))
                .bind(id.as_str())
                .execute(&mut *conn)
                .await?;
                let owner: String = loaded.row.try_get("owner_id")?;
                let case = loaded.case.string("id")?;
                let record = EventRecord { kind: "intervention", id: id.as_str(), owner: &owner };
                record_event(conn, &actor, &case, "intervention_updated", Some(record), status.as_str(), now).await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent {
                        action: Action::Change,
                        object_type: "intervention",
                        object_id: id.as_str().to_owned(),
                        person_id: Some(loaded.row.try_get("person_id")?),
                        purpose: "intervention",
                        criteria: format!("status={}", status.as_str()),
                    }],
                );
                Ok(())
            })
        })
        .await
    }

    /// Logs a session held on an intervention (the responsible user or the owner agency).
    #[allow(clippy::too_many_arguments)] // the session's three fields with both clocks
    pub async fn log_session(
        &self,
        actor: &Actor,
        id: &InterventionId,
        held_on: Date,
        minutes: i64,
        note: &str,
        today: Date,
        now: OffsetDateTime,
    ) -> Result<String, StoreError> {
        let note = infohus_domain::text::required_multiline("note", Some(note), MAX_SESSION_NOTE_CHARS)
            .map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))?;
        if !(1..=MAX_SESSION_MINUTES).contains(&minutes) {
            return Err(invalid("minutes", "out_of_range"));
        }
        if held_on > today {
            return Err(invalid("held_on", "date_in_future"));
        }
        let (actor, id, keys) = (actor.clone(), id.clone(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let loaded = load_intervention(conn, &keys, &actor, id.as_str(), now).await?;
                if !loaded.may_work {
                    return Err(StoreError::Forbidden);
                }
                let status = InterventionStatus::parse(&loaded.row.try_get::<String, _>("status")?);
                if matches!(status, Some(InterventionStatus::Ended | InterventionStatus::Cancelled)) {
                    return Err(StoreError::Conflict("intervention_ended"));
                }
                let session = new_id();
                sqlx::query(
                    "INSERT INTO intervention_sessions (id, intervention_id, held_on, minutes, note, logged_by, logged_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&session)
                .bind(id.as_str())
                .bind(day(held_on))
                .bind(minutes)
                .bind(Sealer::new(&loaded.key, "intervention_sessions", &session).seal("note", &note)?)
                .bind(actor.viewer.user.as_str())
                .bind(ts(now))
                .execute(&mut *conn)
                .await?;
                // The first session makes a planned intervention active.
                sqlx::query("UPDATE interventions SET status = 'active', updated_at = $1 WHERE id = $2 AND status = 'planned'")
                    .bind(ts(now))
                    .bind(id.as_str())
                    .execute(&mut *conn)
                    .await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent {
                        action: Action::Create,
                        object_type: "intervention_session",
                        object_id: session.clone(),
                        person_id: Some(loaded.row.try_get("person_id")?),
                        purpose: "intervention",
                        criteria: format!("intervention={}", id.as_str()),
                    }],
                );
                Ok(session)
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn review_dates_land_on_the_same_day_or_the_month_end() {
        assert_eq!(add_months(date!(2026 - 01 - 15), 6), date!(2026 - 07 - 15));
        assert_eq!(add_months(date!(2026 - 08 - 31), 6), date!(2027 - 02 - 28));
        assert_eq!(add_months(date!(2026 - 11 - 30), 3), date!(2027 - 02 - 28));
    }
}
