//! Coordination meetings: series and single meetings, the generated agenda with its
//! reasons, the coordinator's edits (order, free items, postpone or remove with a reason,
//! publish), flags agencies raise, and the need-to-know view of an agenda: a case item in
//! full for participating agencies, a neutral reference for the others.

use crate::access_log::{Action, LogBuffer, LogEvent};
use crate::cases::agency_by_code;
use crate::db::{Store, day, new_id, parse_day, ts};
use crate::error::StoreError;
use crate::keys::Keys;
use crate::referrals::{Arg, Sealer, Sql, person_key};
use crate::sessions::Actor;
use infohus_domain::agenda::{AgendaFacts, AwaitingReferral, CaseFact, ItemReason, Reason, Subject};
use infohus_domain::{
    AgencyCode, AgendaItemId, CaseId, FieldErrors, MeetingId, PersonId, Personal, ReferralId, SeriesId,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime};

/// Meetings generated ahead when a series is created.
pub const DEFAULT_OCCURRENCES: u32 = 26;
const MAX_OCCURRENCES: u32 = 104;
const MAX_TEXT: usize = 2_000;

/// Copenhagen wall-clock time as stored: `YYYY-MM-DDTHH:MM`.
pub(crate) fn local(t: PrimitiveDateTime) -> String {
    format!("{}T{:02}:{:02}", day(t.date()), t.hour(), t.minute())
}

pub(crate) fn parse_local(raw: &str) -> Result<PrimitiveDateTime, StoreError> {
    let (date, clock) = raw.split_once('T').ok_or(StoreError::Corrupt("meeting time"))?;
    let (h, m) = clock.split_once(':').ok_or(StoreError::Corrupt("meeting time"))?;
    let hour: u8 = h.parse().map_err(|_| StoreError::Corrupt("meeting time"))?;
    let minute: u8 = m.parse().map_err(|_| StoreError::Corrupt("meeting time"))?;
    let time = time::Time::from_hms(hour, minute, 0).map_err(|_| StoreError::Corrupt("meeting time"))?;
    Ok(PrimitiveDateTime::new(parse_day(date)?, time))
}

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(FieldErrors::single(field, code))
}

fn optional_text(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, StoreError> {
    infohus_domain::text::optional_line(field, raw, max).map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))
}

#[derive(Debug, Clone)]
pub struct NewSeries {
    pub name: String,
    pub first_start: PrimitiveDateTime,
    pub interval_days: u32,
    pub duration_minutes: u32,
    /// How long before the start the agenda closes (e.g. 21 h: Monday 12:00 for Tuesday 09:00).
    pub cutoff_minutes: u32,
    pub location: Option<String>,
    pub video_link: Option<String>,
    /// Standing participants: agencies, optionally a named user of the agency.
    pub participants: Vec<(AgencyCode, Option<String>)>,
    pub occurrences: u32,
}

#[derive(Debug, Clone)]
pub struct SeriesView {
    pub id: SeriesId,
    pub name: String,
    pub first_start: PrimitiveDateTime,
    pub interval_days: u32,
    pub duration_minutes: u32,
    pub cutoff_minutes: u32,
    pub location: Option<String>,
    pub video_link: Option<String>,
    /// (agency name, user display name)
    pub participants: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingSummary {
    pub id: MeetingId,
    pub series_id: Option<SeriesId>,
    pub name: String,
    pub planned_start: PrimitiveDateTime,
    pub starts_at: PrimitiveDateTime,
    pub duration_minutes: u32,
    pub cutoff_at: PrimitiveDateTime,
    pub location: Option<String>,
    pub video_link: Option<String>,
    pub status: String,
    pub cancel_reason: Option<String>,
    pub sequence: u32,
    pub agenda_status: String,
}

/// An item as one viewer may see it.
#[derive(Debug, Clone)]
pub struct AgendaItemView {
    pub id: AgendaItemId,
    pub position: i64,
    /// `case`, `referral` or `free`.
    pub kind: String,
    pub status: String,
    pub status_note: Option<String>,
    pub reasons: Vec<ItemReason>,
    pub title: Option<String>,
    pub discussed: bool,
    /// Shown to those who may see the item in full.
    pub full: Option<ItemInFull>,
    /// Shown to everyone else instead.
    pub neutral: Option<NeutralReference>,
}

#[derive(Debug, Clone)]
pub struct ItemInFull {
    pub case_id: Option<CaseId>,
    pub referral_id: Option<ReferralId>,
    pub person_id: PersonId,
    pub person_name: Personal<String>,
    pub category: String,
}

/// What a participant without need to know sees of a case item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeutralReference {
    /// The case (or referral) number: the last eight characters of its id.
    pub number: String,
    pub initials: String,
    /// `under_15`, `15_17`, `18_24`, `25_34`, `35_plus` or `unknown`.
    pub age_band: &'static str,
    pub category: String,
}

#[derive(Debug, Clone)]
pub struct MeetingView {
    pub meeting: MeetingSummary,
    pub series: Option<SeriesView>,
    pub items: Vec<AgendaItemView>,
}

fn series_id_of(raw: Option<String>) -> Option<SeriesId> {
    raw.as_deref().and_then(SeriesId::parse)
}

fn u32_of(row: &AnyRow, column: &str) -> Result<u32, StoreError> {
    u32::try_from(row.try_get::<i64, _>(column)?).map_err(|_| StoreError::Corrupt("number"))
}

fn meeting_from_row(row: &AnyRow) -> Result<MeetingSummary, StoreError> {
    Ok(MeetingSummary {
        id: MeetingId::parse(&row.try_get::<String, _>("id")?).ok_or(StoreError::Corrupt("meeting id"))?,
        series_id: series_id_of(row.try_get("series_id")?),
        name: row.try_get::<Option<String>, _>("name")?.unwrap_or_default(),
        planned_start: parse_local(&row.try_get::<String, _>("planned_start")?)?,
        starts_at: parse_local(&row.try_get::<String, _>("starts_at")?)?,
        duration_minutes: u32_of(row, "duration_minutes")?,
        cutoff_at: parse_local(&row.try_get::<String, _>("cutoff_at")?)?,
        location: row.try_get("location")?,
        video_link: row.try_get("video_link")?,
        status: row.try_get("status")?,
        cancel_reason: row.try_get("cancel_reason")?,
        sequence: u32_of(row, "sequence")?,
        agenda_status: row.try_get("agenda_status")?,
    })
}

const MEETING_COLUMNS: &str =
    "m.id, m.series_id, s.name, m.planned_start, m.starts_at, m.duration_minutes, m.cutoff_at,
    m.location, m.video_link, m.status, m.cancel_reason, m.sequence, m.agenda_status";
const MEETING_FROM: &str = " FROM meetings m LEFT JOIN meeting_series s ON s.id = m.series_id";

/// A meeting of the actor's infohus that the actor may attend, or `NotFound`.
pub(crate) async fn load_meeting(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
) -> Result<MeetingSummary, StoreError> {
    if !actor.viewer.may_attend_meetings() {
        return Err(StoreError::NotFound);
    }
    let sql = format!("SELECT {MEETING_COLUMNS}{MEETING_FROM} WHERE m.id = $1 AND m.infohus_id = $2");
    // Safe: constant SQL; values are bound.
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(actor.viewer.infohus.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    meeting_from_row(&row)
}

pub(crate) fn ensure_runner(actor: &Actor) -> Result<(), StoreError> {
    if actor.viewer.may_run_meetings() { Ok(()) } else { Err(StoreError::Forbidden) }
}

fn meeting_event(action: Action, id: &str, purpose: &'static str, criteria: String) -> LogEvent {
    LogEvent { action, object_type: "meeting", object_id: id.to_owned(), person_id: None, purpose, criteria }
}

fn reasons_text(reasons: &[ItemReason]) -> String {
    reasons
        .iter()
        .map(|r| {
            format!(
                "{}|{}|{}",
                r.reason.as_str(),
                r.date.map(day).unwrap_or_default(),
                r.reference.as_deref().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn parse_reasons(raw: &str) -> Result<Vec<ItemReason>, StoreError> {
    raw.split(';')
        .filter(|r| !r.is_empty())
        .map(|r| {
            let mut parts = r.splitn(3, '|');
            let reason = parts.next().and_then(Reason::parse).ok_or(StoreError::Corrupt("agenda reason"))?;
            let date = parts.next().filter(|d| !d.is_empty()).map(parse_day).transpose()?;
            let reference = parts.next().filter(|d| !d.is_empty()).map(str::to_owned);
            Ok(ItemReason { reason, date, reference })
        })
        .collect()
}

/// The age band of a birth date on a day; never the date itself.
pub fn age_band(birth: Option<Date>, on: Date) -> &'static str {
    let Some(birth) = birth else { return "unknown" };
    let mut age = on.year() - birth.year();
    if (on.month() as u8, on.day()) < (birth.month() as u8, birth.day()) {
        age -= 1;
    }
    match age {
        i32::MIN..=14 => "under_15",
        15..=17 => "15_17",
        18..=24 => "18_24",
        25..=34 => "25_34",
        _ => "35_plus",
    }
}

/// Initials of a name: the first letter of each part, upper-cased ("Jonas Testesen" → "J.T.").
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|part| part.chars().next())
        .flat_map(char::to_uppercase)
        .map(|c| format!("{c}."))
        .collect()
}

impl Store {
    /// Creates a meeting series with its standing participants and its first meetings
    /// (coordinators). A single meeting is a series of one.
    pub async fn create_series(
        &self,
        actor: &Actor,
        new: NewSeries,
        now: OffsetDateTime,
    ) -> Result<SeriesId, StoreError> {
        ensure_runner(actor)?;
        let mut errors = FieldErrors::default();
        let name = errors.check(infohus_domain::text::required_line("name", Some(&new.name), 200));
        if !(1..=366).contains(&new.interval_days) {
            errors.push("interval_days", "out_of_range");
        }
        if !(5..=600).contains(&new.duration_minutes) {
            errors.push("duration_minutes", "out_of_range");
        }
        if new.cutoff_minutes > 60 * 24 * 14 {
            errors.push("cutoff_minutes", "out_of_range");
        }
        if !(1..=MAX_OCCURRENCES).contains(&new.occurrences) {
            errors.push("occurrences", "out_of_range");
        }
        let location = errors.check(infohus_domain::text::optional_line("location", new.location.as_deref(), 200));
        let video = errors.check(infohus_domain::text::optional_line("video_link", new.video_link.as_deref(), 500));
        if video.as_ref().and_then(|v| v.as_deref()).is_some_and(|v| !v.starts_with("https://")) {
            errors.push("video_link", "invalid_link");
        }
        let (Some(name), Some(location), Some(video), true) = (name, location, video, errors.is_empty()) else {
            return Err(StoreError::Invalid(errors));
        };
        let actor = actor.clone();
        self.write(move |conn, log| {
            Box::pin(async move {
                let mut members = Vec::new();
                for (code, username) in &new.participants {
                    let agency = agency_by_code(conn, &actor.viewer.infohus, code).await?;
                    let user = match username.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
                        None => None,
                        Some(username) => Some(
                            sqlx::query("SELECT id FROM users WHERE username = $1 AND agency_id = $2 AND disabled = 0")
                                .bind(username)
                                .bind(&agency.id)
                                .fetch_optional(&mut *conn)
                                .await?
                                .ok_or_else(|| invalid("participants", "unknown_user"))?
                                .try_get::<String, _>("id")?,
                        ),
                    };
                    members.push((agency.id, user));
                }
                let id = new_id();
                sqlx::query(
                    "INSERT INTO meeting_series (id, infohus_id, name, first_start, interval_days, duration_minutes,
                        cutoff_minutes, location, video_link, created_by, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(&id)
                .bind(actor.viewer.infohus.as_str())
                .bind(&name)
                .bind(local(new.first_start))
                .bind(i64::from(new.interval_days))
                .bind(i64::from(new.duration_minutes))
                .bind(i64::from(new.cutoff_minutes))
                .bind(&location)
                .bind(&video)
                .bind(actor.viewer.user.as_str())
                .bind(ts(now))
                .execute(&mut *conn)
                .await?;
                for (agency, user) in members {
                    sqlx::query("INSERT INTO meeting_participants (id, series_id, agency_id, user_id) VALUES ($1, $2, $3, $4)")
                        .bind(new_id())
                        .bind(&id)
                        .bind(agency)
                        .bind(user)
                        .execute(&mut *conn)
                        .await?;
                }
                for n in 0..new.occurrences {
                    let start = new.first_start + Duration::days(i64::from(n) * i64::from(new.interval_days));
                    let cutoff = start - Duration::minutes(i64::from(new.cutoff_minutes));
                    sqlx::query(
                        "INSERT INTO meetings (id, infohus_id, series_id, planned_start, starts_at, duration_minutes, cutoff_at,
                            location, video_link, status, sequence, agenda_status)
                         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, 'planned', 0, 'none')",
                    )
                    .bind(new_id())
                    .bind(actor.viewer.infohus.as_str())
                    .bind(&id)
                    .bind(local(start))
                    .bind(i64::from(new.duration_minutes))
                    .bind(local(cutoff))
                    .bind(&location)
                    .bind(&video)
                    .execute(&mut *conn)
                    .await?;
                }
                log.record(
                    &actor,
                    now,
                    vec![LogEvent {
                        action: Action::Create,
                        object_type: "meeting_series",
                        object_id: id.clone(),
                        person_id: None,
                        purpose: "meeting",
                        criteria: format!("occurrences={}", new.occurrences),
                    }],
                );
                SeriesId::parse(&id).ok_or(StoreError::Corrupt("series id"))
            })
        })
        .await
    }

    /// The series with its standing participants (meeting participants).
    pub async fn series(&self, actor: &Actor, id: &SeriesId) -> Result<SeriesView, StoreError> {
        if !actor.viewer.may_attend_meetings() {
            return Err(StoreError::NotFound);
        }
        let mut conn = self.pool.acquire().await?;
        series_in(&mut conn, actor, id.as_str()).await
    }

    /// Meetings of the actor's infohus starting on or after `from` (coordinators and members).
    pub async fn meetings(&self, actor: &Actor, from: Date, limit: u32) -> Result<Vec<MeetingSummary>, StoreError> {
        if !actor.viewer.may_attend_meetings() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {MEETING_COLUMNS}{MEETING_FROM} WHERE m.infohus_id = $1 AND m.starts_at >= $2 ORDER BY m.starts_at, m.id LIMIT $3"
        );
        // Safe: constant SQL; values are bound.
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(actor.viewer.infohus.as_str())
            .bind(day(from))
            .bind(i64::from(limit.clamp(1, 200)))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(meeting_from_row)
            .collect()
    }

    /// Moves one meeting (coordinators); its cut-off moves with it.
    pub async fn move_meeting(
        &self,
        actor: &Actor,
        id: &MeetingId,
        starts_at: PrimitiveDateTime,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        ensure_runner(actor)?;
        let (actor, id) = (actor.clone(), id.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let m = load_meeting(conn, &actor, id.as_str()).await?;
                if m.status != "planned" {
                    return Err(StoreError::Conflict("meeting_not_planned"));
                }
                let cutoff = starts_at - (m.starts_at - m.cutoff_at);
                sqlx::query(
                    "UPDATE meetings SET starts_at = $1, cutoff_at = $2, sequence = sequence + 1 WHERE id = $3",
                )
                .bind(local(starts_at))
                .bind(local(cutoff))
                .bind(id.as_str())
                .execute(&mut *conn)
                .await?;
                log.record(
                    &actor,
                    now,
                    vec![meeting_event(
                        Action::Change,
                        id.as_str(),
                        "meeting",
                        format!("moved_to={}", local(starts_at)),
                    )],
                );
                Ok(())
            })
        })
        .await
    }

    /// Cancels one meeting with a reason (coordinators).
    pub async fn cancel_meeting(
        &self,
        actor: &Actor,
        id: &MeetingId,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        ensure_runner(actor)?;
        let reason = infohus_domain::text::required_line("reason", Some(reason), 300)
            .map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))?;
        let (actor, id) = (actor.clone(), id.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let m = load_meeting(conn, &actor, id.as_str()).await?;
                if m.status != "planned" {
                    return Err(StoreError::Conflict("meeting_not_planned"));
                }
                sqlx::query("UPDATE meetings SET status = 'cancelled', cancel_reason = $1, sequence = sequence + 1 WHERE id = $2")
                    .bind(&reason)
                    .bind(id.as_str())
                    .execute(&mut *conn)
                    .await?;
                log.record(&actor, now, vec![meeting_event(Action::Change, id.as_str(), "meeting", "cancelled".into())]);
                Ok(())
            })
        })
        .await
    }

    /// Builds (or rebuilds) the draft agenda from the state of the cases (coordinators).
    /// Items already there keep their place and status, with their reasons brought up to
    /// date; generated items no longer called for leave; free items stay. The same state
    /// gives the same agenda.
    pub async fn build_agenda(
        &self,
        actor: &Actor,
        id: &MeetingId,
        screening_working_days: u32,
        now: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        ensure_runner(actor)?;
        let (actor, id) = (actor.clone(), id.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let m = load_meeting(conn, &actor, id.as_str()).await?;
                if m.agenda_status == "published" {
                    return Err(StoreError::Conflict("agenda_published"));
                }
                if m.status != "planned" {
                    return Err(StoreError::Conflict("meeting_not_planned"));
                }
                let facts = agenda_facts(conn, &actor, &m, screening_working_days).await?;
                let proposed = infohus_domain::agenda::propose(&facts);
                let existing = sqlx::query(
                    "SELECT id, case_id, referral_id, reasons FROM agenda_items WHERE meeting_id = $1 ORDER BY position, id",
                )
                .bind(id.as_str())
                .fetch_all(&mut *conn)
                .await?;
                // The generated items already on the agenda, by subject, with their reasons.
                let mut by_subject: HashMap<Subject, (String, String)> = HashMap::new();
                let mut generated = Vec::new();
                for row in &existing {
                    let item: String = row.try_get("id")?;
                    let subject = match (row.try_get::<Option<String>, _>("case_id")?, row.try_get::<Option<String>, _>("referral_id")?) {
                        (Some(case), _) => Some(Subject::Case(case)),
                        (None, Some(referral)) => Some(Subject::Referral(referral)),
                        _ => None,
                    };
                    if let Some(subject) = subject {
                        by_subject.insert(subject, (item.clone(), row.try_get("reasons")?));
                        generated.push(item);
                    }
                }
                let mut next_position: i64 = sqlx::query("SELECT COALESCE(MAX(position), 0) AS p FROM agenda_items WHERE meeting_id = $1")
                    .bind(id.as_str())
                    .fetch_one(&mut *conn)
                    .await?
                    .try_get("p")?;
                // A rebuild writes only what changed: an item whose reasons are the same is
                // left alone.
                let mut kept = HashSet::new();
                let mut added = Vec::new();
                for item in &proposed {
                    let reasons = reasons_text(&item.reasons);
                    if let Some((existing, had)) = by_subject.get(&item.subject) {
                        if *had != reasons {
                            sqlx::query("UPDATE agenda_items SET reasons = $1 WHERE id = $2")
                                .bind(&reasons)
                                .bind(existing)
                                .execute(&mut *conn)
                                .await?;
                        }
                        kept.insert(existing.as_str());
                        continue;
                    }
                    next_position += 1;
                    added.push(NewItem { subject: &item.subject, position: next_position, reasons });
                }
                insert_items(conn, id.as_str(), &added).await?;
                for item in generated.iter().filter(|g| !kept.contains(g.as_str())) {
                    sqlx::query("DELETE FROM agenda_items WHERE id = $1 AND status = 'on_agenda'")
                        .bind(item)
                        .execute(&mut *conn)
                        .await?;
                }
                renumber(conn, id.as_str()).await?;
                sqlx::query("UPDATE meetings SET agenda_status = 'draft', agenda_built_at = $1 WHERE id = $2")
                    .bind(ts(now))
                    .bind(id.as_str())
                    .execute(&mut *conn)
                    .await?;
                log.record(
                    &actor,
                    now,
                    vec![meeting_event(Action::Create, id.as_str(), "agenda", format!("items={}", proposed.len()))],
                );
                Ok(proposed.len())
            })
        })
        .await
    }

    /// Adds a free item (no case, no personal data) to a draft agenda (coordinators).
    pub async fn add_free_item(
        &self,
        actor: &Actor,
        id: &MeetingId,
        title: &str,
        now: OffsetDateTime,
    ) -> Result<AgendaItemId, StoreError> {
        ensure_runner(actor)?;
        let title = infohus_domain::text::required_line("title", Some(title), 300)
            .map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))?;
        let (actor, id) = (actor.clone(), id.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let m = load_meeting(conn, &actor, id.as_str()).await?;
                if m.agenda_status == "published" {
                    return Err(StoreError::Conflict("agenda_published"));
                }
                let item = new_id();
                sqlx::query(
                    "INSERT INTO agenda_items (id, meeting_id, position, kind, reasons, title, status, added_by)
                     VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_items WHERE meeting_id = $2), 'free', '', $3,
                        'on_agenda', $4)",
                )
                .bind(&item)
                .bind(id.as_str())
                .bind(&title)
                .bind(actor.viewer.user.as_str())
                .execute(&mut *conn)
                .await?;
                log.record(&actor, now, vec![meeting_event(Action::Change, id.as_str(), "agenda", format!("free_item={item}"))]);
                AgendaItemId::parse(&item).ok_or(StoreError::Corrupt("agenda item id"))
            })
        })
        .await
    }

    /// Moves an item one place up or down on a draft agenda (coordinators).
    pub async fn move_item(
        &self,
        actor: &Actor,
        item: &AgendaItemId,
        up: bool,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        ensure_runner(actor)?;
        let (actor, item) = (actor.clone(), item.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let (meeting, position) = item_meeting(conn, &actor, item.as_str()).await?;
                let neighbour = sqlx::query(if up {
                    "SELECT id, position FROM agenda_items WHERE meeting_id = $1 AND position < $2 ORDER BY position DESC LIMIT 1"
                } else {
                    "SELECT id, position FROM agenda_items WHERE meeting_id = $1 AND position > $2 ORDER BY position LIMIT 1"
                })
                .bind(meeting.id.as_str())
                .bind(position)
                .fetch_optional(&mut *conn)
                .await?;
                if let Some(other) = neighbour {
                    let (other_id, other_position): (String, i64) = (other.try_get("id")?, other.try_get("position")?);
                    for (id, p) in [(item.as_str(), other_position), (other_id.as_str(), position)] {
                        sqlx::query("UPDATE agenda_items SET position = $1 WHERE id = $2").bind(p).bind(id).execute(&mut *conn).await?;
                    }
                }
                log.record(&actor, now, vec![meeting_event(Action::Change, meeting.id.as_str(), "agenda", format!("moved={}", item.as_str()))]);
                Ok(())
            })
        })
        .await
    }

    /// Postpones an item to the next planned meeting of the series, or removes it, with a
    /// written reason (coordinators). The item stays with its status and reason.
    pub async fn set_item_status(
        &self,
        actor: &Actor,
        item: &AgendaItemId,
        postpone: bool,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        ensure_runner(actor)?;
        let reason = infohus_domain::text::required_line("reason", Some(reason), 300)
            .map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))?;
        let (actor, item) = (actor.clone(), item.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let (meeting, _) = item_meeting(conn, &actor, item.as_str()).await?;
                let row = sqlx::query("SELECT kind, case_id, person_id, status FROM agenda_items WHERE id = $1")
                    .bind(item.as_str())
                    .fetch_one(&mut *conn)
                    .await?;
                if row.try_get::<String, _>("status")? != "on_agenda" {
                    return Err(StoreError::Conflict("item_not_on_agenda"));
                }
                let status = if postpone { "postponed" } else { "removed" };
                sqlx::query("UPDATE agenda_items SET status = $1, status_note = $2 WHERE id = $3")
                    .bind(status)
                    .bind(&reason)
                    .bind(item.as_str())
                    .execute(&mut *conn)
                    .await?;
                let case: Option<String> = row.try_get("case_id")?;
                if postpone && let (Some(case), Some(series)) = (&case, &meeting.series_id) {
                    // Onto the next planned meeting of the series, saying where it came from.
                    let next = sqlx::query(
                        "SELECT id FROM meetings WHERE series_id = $1 AND starts_at > $2 AND status = 'planned'
                           AND agenda_status <> 'published' ORDER BY starts_at LIMIT 1",
                    )
                    .bind(series.as_str())
                    .bind(local(meeting.starts_at))
                    .fetch_optional(&mut *conn)
                    .await?;
                    if let Some(next) = next {
                        let next: String = next.try_get("id")?;
                        let reasons = reasons_text(&[ItemReason {
                            reason: Reason::Postponed,
                            date: Some(meeting.starts_at.date()),
                            reference: Some(item.as_str().to_owned()),
                        }]);
                        sqlx::query(
                            "INSERT INTO agenda_items (id, meeting_id, position, kind, case_id, person_id, reasons, status)
                             SELECT $1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_items WHERE meeting_id = $2), 'case', $3, $4, $5,
                                'on_agenda'
                             WHERE NOT EXISTS (SELECT 1 FROM agenda_items WHERE meeting_id = $2 AND case_id = $3)",
                        )
                        .bind(new_id())
                        .bind(&next)
                        .bind(case)
                        .bind(row.try_get::<Option<String>, _>("person_id")?)
                        .bind(reasons)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
                log.record(
                    &actor,
                    now,
                    vec![meeting_event(Action::Change, meeting.id.as_str(), "agenda", format!("{status}={}", item.as_str()))],
                );
                Ok(())
            })
        })
        .await
    }

    /// Publishes the agenda (coordinators): participants see it, and it no longer changes.
    pub async fn publish_agenda(&self, actor: &Actor, id: &MeetingId, now: OffsetDateTime) -> Result<(), StoreError> {
        ensure_runner(actor)?;
        let (actor, id) = (actor.clone(), id.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let m = load_meeting(conn, &actor, id.as_str()).await?;
                match m.agenda_status.as_str() {
                    "published" => return Err(StoreError::Conflict("agenda_published")),
                    "none" => return Err(StoreError::Conflict("agenda_not_built")),
                    _ => {}
                }
                sqlx::query(
                    "UPDATE meetings SET agenda_status = 'published', agenda_published_at = $1, agenda_published_by = $2 WHERE id = $3",
                )
                .bind(ts(now))
                .bind(actor.viewer.user.as_str())
                .bind(id.as_str())
                .execute(&mut *conn)
                .await?;
                log.record(&actor, now, vec![meeting_event(Action::Change, id.as_str(), "agenda", "published".into())]);
                Ok(())
            })
        })
        .await
    }

    /// Asks for a case to be discussed at the next meeting (members of a participating
    /// agency, coordinators).
    pub async fn flag_case(
        &self,
        actor: &Actor,
        case: &CaseId,
        note: &str,
        now: OffsetDateTime,
    ) -> Result<String, StoreError> {
        let note = optional_text("note", Some(note), MAX_TEXT)?;
        let (actor, case, keys) = (actor.clone(), case.clone(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let loaded = crate::cases::load_case(conn, &actor, case.as_str(), now).await?;
                if !actor.viewer.may_write_record(loaded.access) {
                    return Err(StoreError::Forbidden);
                }
                let id = new_id();
                let key = loaded.data_key(&keys)?;
                sqlx::query(
                    "INSERT INTO agenda_flags (id, infohus_id, case_id, agency_id, flagged_by, flagged_at, note)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&id)
                .bind(actor.viewer.infohus.as_str())
                .bind(case.as_str())
                .bind(actor.viewer.agency.as_str())
                .bind(actor.viewer.user.as_str())
                .bind(ts(now))
                .bind(Sealer::new(&key, "agenda_flags", &id).seal_opt("note", note)?)
                .execute(&mut *conn)
                .await?;
                crate::lifecycle::record_event(conn, &actor, case.as_str(), "flagged", None, "", now).await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent::of(
                        Action::Create,
                        "agenda_flag",
                        id.clone(),
                        Some(loaded.string("person_id")?),
                        "agenda",
                    )],
                );
                Ok(id)
            })
        })
        .await
    }

    /// Builds the draft agenda of every planned meeting whose cut-off has passed and that has
    /// none yet, on behalf of the coordinator who created its series (the log shows them;
    /// a series whose creator is no longer an active coordinator waits for a manual build).
    /// Returns how many agendas were built. Run periodically by the server.
    pub async fn build_due_agendas(
        &self,
        local_now: PrimitiveDateTime,
        screening_working_days: u32,
        now: OffsetDateTime,
    ) -> Result<usize, StoreError> {
        let due = sqlx::query(
            "SELECT m.id, u.username FROM meetings m JOIN meeting_series s ON s.id = m.series_id JOIN users u ON u.id = s.created_by
             WHERE m.status = 'planned' AND m.agenda_status = 'none' AND m.cutoff_at <= $1 AND u.disabled = 0
               AND u.role = 'coordinator' ORDER BY m.cutoff_at, m.id LIMIT 50",
        )
        .bind(local(local_now))
        .fetch_all(&self.pool)
        .await?;
        let mut built = 0;
        for row in &due {
            let id = MeetingId::parse(&row.try_get::<String, _>("id")?).ok_or(StoreError::Corrupt("meeting id"))?;
            let actor = self.actor_for_operator(&row.try_get::<String, _>("username")?).await?;
            match self.build_agenda(&actor, &id, screening_working_days, now).await {
                Ok(_) => built += 1,
                Err(StoreError::Conflict(_)) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(built)
    }

    /// Where to send a content-free notice about a meeting: the work addresses of the
    /// series' standing participants (named users, or every active member of a standing
    /// agency) and of the infohus's coordinators.
    pub async fn meeting_recipients(&self, actor: &Actor, id: &MeetingId) -> Result<Vec<String>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let meeting = load_meeting(&mut conn, actor, id.as_str()).await?;
        let rows = sqlx::query(
            "SELECT DISTINCT u.email FROM users u
             WHERE u.infohus_id = $1 AND u.disabled = 0 AND u.email IS NOT NULL AND (
                u.role = 'coordinator'
                OR u.id IN (SELECT p.user_id FROM meeting_participants p WHERE p.series_id = $2 AND p.user_id IS NOT NULL)
                OR (u.role = 'member' AND u.agency_id IN
                    (SELECT p.agency_id FROM meeting_participants p WHERE p.series_id = $2 AND p.user_id IS NULL)))
             ORDER BY u.email",
        )
        .bind(actor.viewer.infohus.as_str())
        .bind(meeting.series_id.as_ref().map(|s| s.as_str().to_owned()).unwrap_or_default())
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("email")?)).collect()
    }

    /// A meeting's facts without its agenda (for calendar files): no personal data.
    pub async fn meeting_summary(&self, actor: &Actor, id: &MeetingId) -> Result<MeetingSummary, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_meeting(&mut conn, actor, id.as_str()).await
    }

    /// A meeting with its agenda as the actor may see it. Participants see published
    /// agendas; coordinators also drafts. Every person shown is logged.
    pub async fn meeting(
        &self,
        actor: &Actor,
        id: &MeetingId,
        today: Date,
        now: OffsetDateTime,
    ) -> Result<MeetingView, StoreError> {
        let mut log = LogBuffer::default();
        let view = {
            let mut conn = self.pool.acquire().await?;
            meeting_in(&mut conn, &self.keys, &mut log, actor, id, today, now).await?
        };
        self.commit_log(log).await?;
        Ok(view)
    }
}

async fn series_in(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<SeriesView, StoreError> {
    let row = sqlx::query(
        "SELECT id, name, first_start, interval_days, duration_minutes, cutoff_minutes, location, video_link
         FROM meeting_series WHERE id = $1 AND infohus_id = $2",
    )
    .bind(id)
    .bind(actor.viewer.infohus.as_str())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let participants = sqlx::query(
        "SELECT a.name AS agency, u.display_name FROM meeting_participants p JOIN agencies a ON a.id = p.agency_id
         LEFT JOIN users u ON u.id = p.user_id WHERE p.series_id = $1 ORDER BY a.name, u.display_name",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("agency")?, r.try_get("display_name")?)))
    .collect::<Result<_, StoreError>>()?;
    Ok(SeriesView {
        id: SeriesId::parse(&row.try_get::<String, _>("id")?).ok_or(StoreError::Corrupt("series id"))?,
        name: row.try_get("name")?,
        first_start: parse_local(&row.try_get::<String, _>("first_start")?)?,
        interval_days: u32_of(&row, "interval_days")?,
        duration_minutes: u32_of(&row, "duration_minutes")?,
        cutoff_minutes: u32_of(&row, "cutoff_minutes")?,
        location: row.try_get("location")?,
        video_link: row.try_get("video_link")?,
        participants,
    })
}

/// The meeting of an agenda item, for a coordinator editing a draft agenda.
async fn item_meeting(
    conn: &mut AnyConnection,
    actor: &Actor,
    item: &str,
) -> Result<(MeetingSummary, i64), StoreError> {
    let row = sqlx::query("SELECT meeting_id, position FROM agenda_items WHERE id = $1")
        .bind(item)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let meeting = load_meeting(conn, actor, &row.try_get::<String, _>("meeting_id")?).await?;
    if meeting.agenda_status == "published" {
        return Err(StoreError::Conflict("agenda_published"));
    }
    Ok((meeting, row.try_get("position")?))
}

/// Numbers the items 1..n in their order.
/// A generated item new to the agenda, with its place.
struct NewItem<'a> {
    subject: &'a Subject,
    position: i64,
    reasons: String,
}

/// Ids per lookup, and rows per multi-row INSERT (six bound values each), when new items are
/// written: a first build of a national agenda adds thousands, each a round trip on
/// PostgreSQL when written one by one.
const ITEM_CHUNK: usize = 500;

/// Writes the new items of a build: their persons looked up and the rows inserted a chunk
/// at a time.
async fn insert_items(conn: &mut AnyConnection, meeting: &str, items: &[NewItem<'_>]) -> Result<(), StoreError> {
    for kind in ["case", "referral"] {
        let of_kind: Vec<(&str, &NewItem<'_>)> = items
            .iter()
            .filter_map(|item| match item.subject {
                Subject::Case(c) if kind == "case" => Some((c.as_str(), item)),
                Subject::Referral(r) if kind == "referral" => Some((r.as_str(), item)),
                _ => None,
            })
            .collect();
        let (table, values) = match kind {
            "case" => ("cases", "'case', "),
            _ => ("referrals", "'referral', NULL, "),
        };
        for chunk in of_kind.chunks(ITEM_CHUNK) {
            let mut lookup = Sql::default();
            lookup.push("SELECT id, person_id FROM ").push(table).push(" WHERE id IN (");
            for (i, (subject, _)) in chunk.iter().enumerate() {
                lookup.push(if i == 0 { "" } else { ", " }).text(subject);
            }
            let persons: HashMap<String, String> = lookup
                .push(")")
                .fetch_all(conn)
                .await?
                .iter()
                .map(|row| Ok((row.try_get("id")?, row.try_get("person_id")?)))
                .collect::<Result<_, sqlx::Error>>()?;
            let mut insert = Sql::default();
            insert.push(
                "INSERT INTO agenda_items (id, meeting_id, position, kind, case_id, referral_id, person_id, reasons, status) VALUES ",
            );
            for (i, (subject, item)) in chunk.iter().enumerate() {
                let person = persons.get(*subject).ok_or(StoreError::Corrupt("agenda subject without a person"))?;
                insert.push(if i == 0 { "(" } else { ", (" }).text(&new_id()).push(", ").text(meeting).push(", ");
                insert.arg(Arg::Int(item.position)).push(", ").push(values);
                insert.text(subject).push(if kind == "case" { ", NULL, " } else { ", " });
                insert.text(person).push(", ").text(&item.reasons).push(", 'on_agenda')");
            }
            insert.execute(conn).await?;
        }
    }
    Ok(())
}

async fn renumber(conn: &mut AnyConnection, meeting: &str) -> Result<(), StoreError> {
    let items: Vec<(String, i64)> =
        sqlx::query("SELECT id, position FROM agenda_items WHERE meeting_id = $1 ORDER BY position, id")
            .bind(meeting)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("position")?)))
            .collect::<Result<_, sqlx::Error>>()?;
    // Only the items whose place changed are written.
    for (n, (id, position)) in items.iter().enumerate() {
        let place = i64::try_from(n + 1).unwrap_or(i64::MAX);
        if *position != place {
            sqlx::query("UPDATE agenda_items SET position = $1 WHERE id = $2")
                .bind(place)
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// Reads the state of the infohus's cases that the agenda is built from.
async fn agenda_facts(
    conn: &mut AnyConnection,
    actor: &Actor,
    m: &MeetingSummary,
    screening_working_days: u32,
) -> Result<AgendaFacts, StoreError> {
    let infohus = actor.viewer.infohus.as_str();
    let next_meeting_on = match &m.series_id {
        Some(series) => sqlx::query(
            "SELECT starts_at FROM meetings WHERE series_id = $1 AND starts_at > $2 AND status = 'planned' ORDER BY starts_at LIMIT 1",
        )
        .bind(series.as_str())
        .bind(local(m.starts_at))
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get::<String, _>("starts_at"))
        .transpose()?
        .map(|s| parse_local(&s))
        .transpose()?
        .map(|t| t.date()),
        None => None,
    }
    .unwrap_or(m.starts_at.date() + Duration::days(14));
    // Referrals received up to the cut-off (Copenhagen day) and still awaiting screening.
    let mut referrals = Vec::new();
    for r in sqlx::query(
        "SELECT id, received_at FROM referrals WHERE infohus_id = $1 AND status IN ('received', 'screening') ORDER BY id",
    )
    .bind(infohus)
    .fetch_all(&mut *conn)
    .await?
    {
        let received = infohus_domain::calendar::copenhagen_wall(crate::db::parse_ts(&r.try_get::<String, _>("received_at")?)?);
        if received <= m.cutoff_at {
            referrals.push(AwaitingReferral { referral: r.try_get("id")?, received_on: received.date() });
        }
    }
    let mut cases = Vec::new();
    for r in sqlx::query(
        "SELECT t.case_id, t.id, t.due_on FROM tasks t JOIN cases c ON c.id = t.case_id
         WHERE t.infohus_id = $1 AND t.meeting_id IS NOT NULL AND t.meeting_id <> $2 AND t.status = 'open' AND c.status = 'open'",
    )
    .bind(infohus)
    .bind(m.id.as_str())
    .fetch_all(&mut *conn)
    .await?
    {
        cases.push(CaseFact::ActionItem {
            case: r.try_get("case_id")?,
            task: r.try_get("id")?,
            due_on: parse_day(&r.try_get::<String, _>("due_on")?)?,
        });
    }
    for r in sqlx::query(
        "SELECT i.case_id, i.id, i.review_on FROM interventions i JOIN cases c ON c.id = i.case_id
         WHERE i.infohus_id = $1 AND i.status IN ('planned', 'active') AND c.status = 'open' AND i.review_on <= $2",
    )
    .bind(infohus)
    .bind(day(next_meeting_on))
    .fetch_all(&mut *conn)
    .await?
    {
        cases.push(CaseFact::Review {
            case: r.try_get("case_id")?,
            intervention: r.try_get("id")?,
            review_on: parse_day(&r.try_get::<String, _>("review_on")?)?,
        });
    }
    for r in sqlx::query(
        "SELECT n.case_id, n.expected_on FROM release_notices n JOIN cases c ON c.id = n.case_id
         WHERE n.infohus_id = $1 AND n.expected_on >= $2 AND n.expected_on <= $3 AND c.status = 'open'",
    )
    .bind(infohus)
    .bind(day(m.starts_at.date()))
    .bind(day(m.starts_at.date() + Duration::days(infohus_domain::agenda::RELEASE_DAYS)))
    .fetch_all(&mut *conn)
    .await?
    {
        cases.push(CaseFact::Release {
            case: r.try_get("case_id")?,
            expected_on: parse_day(&r.try_get::<String, _>("expected_on")?)?,
        });
    }
    for r in sqlx::query(
        "SELECT f.case_id, a.code AS agency, f.flagged_at FROM agenda_flags f JOIN cases c ON c.id = f.case_id
         JOIN agencies a ON a.id = f.agency_id
         WHERE f.infohus_id = $1 AND f.handled_meeting_id IS NULL AND c.status = 'open' AND f.flagged_at <= $2",
    )
    .bind(infohus)
    // UTC text up to the day after the cut-off holds every flag made before it in Copenhagen
    // time (always ahead of UTC); the cut-off itself is applied to the Copenhagen time.
    .bind(day(m.cutoff_at.date() + Duration::days(1)))
    .fetch_all(&mut *conn)
    .await?
    {
        let at =
            infohus_domain::calendar::copenhagen_wall(crate::db::parse_ts(&r.try_get::<String, _>("flagged_at")?)?);
        if at <= m.cutoff_at {
            cases.push(CaseFact::Flag {
                case: r.try_get("case_id")?,
                flag: r.try_get("agency")?,
                flagged_on: at.date(),
            });
        }
    }
    Ok(AgendaFacts { meeting_on: m.starts_at.date(), next_meeting_on, screening_working_days, referrals, cases })
}

async fn meeting_in(
    conn: &mut AnyConnection,
    keys: &Keys,
    log: &mut LogBuffer,
    actor: &Actor,
    id: &MeetingId,
    today: Date,
    now: OffsetDateTime,
) -> Result<MeetingView, StoreError> {
    let meeting = load_meeting(conn, actor, id.as_str()).await?;
    let series = match &meeting.series_id {
        Some(s) => Some(series_in(conn, actor, s.as_str()).await?),
        None => None,
    };
    let show_items = actor.viewer.may_run_meetings() || meeting.agenda_status == "published";
    let mut items = Vec::new();
    let mut events = Vec::new();
    if show_items {
        let access = ItemAccess::of_meeting(conn, actor, id.as_str()).await?;
        let rows = sqlx::query(
            "SELECT i.id, i.position, i.kind, i.case_id, i.referral_id, i.person_id, i.reasons, i.title, i.status, i.status_note,
                    i.discussed, p.name, p.birth_date, p.data_key AS person_data_key,
                    COALESCE(cr.concern_category, r.concern_category) AS category
             FROM agenda_items i LEFT JOIN persons p ON p.id = i.person_id
             LEFT JOIN cases c ON c.id = i.case_id LEFT JOIN referrals cr ON cr.id = c.referral_id
             LEFT JOIN referrals r ON r.id = i.referral_id
             WHERE i.meeting_id = $1 ORDER BY i.position, i.id",
        )
        .bind(id.as_str())
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            let item_id: String = row.try_get("id")?;
            let case: Option<String> = row.try_get("case_id")?;
            let referral: Option<String> = row.try_get("referral_id")?;
            let person: Option<String> = row.try_get("person_id")?;
            let mut view = AgendaItemView {
                id: AgendaItemId::parse(&item_id).ok_or(StoreError::Corrupt("agenda item id"))?,
                position: row.try_get("position")?,
                kind: row.try_get("kind")?,
                status: row.try_get("status")?,
                status_note: row.try_get("status_note")?,
                reasons: parse_reasons(&row.try_get::<String, _>("reasons")?)?,
                title: row.try_get("title")?,
                discussed: row.try_get::<i64, _>("discussed")? != 0,
                full: None,
                neutral: None,
            };
            if let Some(person) = person {
                let key = person_key(keys, row, &person)?;
                let sealer = Sealer::new(&key, "persons", &person);
                let name = sealer.column(row, "name")?.ok_or(StoreError::Corrupt("person name"))?;
                let category: String = row.try_get::<Option<String>, _>("category")?.unwrap_or_default();
                if item_in_full(access.as_ref(), actor, case.as_deref(), referral.as_deref()) {
                    view.full = Some(ItemInFull {
                        case_id: case.as_deref().and_then(CaseId::parse),
                        referral_id: referral.as_deref().and_then(ReferralId::parse),
                        person_id: PersonId::parse(&person).ok_or(StoreError::Corrupt("person id"))?,
                        person_name: Personal::new(name),
                        category,
                    });
                } else {
                    let birth = sealer.column(row, "birth_date")?.as_deref().map(parse_day).transpose()?;
                    let number: String = {
                        // The random tail of the id: time-ordered ids share their head.
                        let id = case.as_deref().or(referral.as_deref()).unwrap_or_default();
                        id.chars().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect()
                    };
                    view.neutral = Some(NeutralReference {
                        number: number.to_uppercase(),
                        initials: initials(&name),
                        age_band: age_band(birth, today),
                        category,
                    });
                }
                events.push(LogEvent {
                    action: Action::Search,
                    object_type: "agenda_item",
                    object_id: item_id.clone(),
                    person_id: Some(person),
                    purpose: "agenda",
                    criteria: format!("meeting={};full={}", id.as_str(), view.full.is_some()),
                });
            }
            items.push(view);
        }
    }
    events.push(meeting_event(Action::Read, id.as_str(), "meeting", format!("items={}", items.len())));
    log.record(actor, now, events);
    Ok(MeetingView { meeting, series, items })
}

/// What decides, for every item of one meeting, whether the actor sees it in full: the cases
/// and referrals of the meeting's items that the actor's agency takes part in, and the cases
/// whose overview was disclosed to it. Read in three queries for the whole agenda.
struct ItemAccess {
    cases: HashSet<String>,
    referrals: HashSet<String>,
    disclosed: HashSet<String>,
}

impl ItemAccess {
    async fn of_meeting(conn: &mut AnyConnection, actor: &Actor, meeting: &str) -> Result<Option<Self>, StoreError> {
        if actor.viewer.sees_agenda_item_in_full(false, false) {
            return Ok(None);
        }
        let agency = actor.viewer.agency.as_str();
        let mut ids = async |sql: &'static str| -> Result<HashSet<String>, StoreError> {
            sqlx::query(sql)
                .bind(meeting)
                .bind(agency)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|row| Ok(row.try_get("id")?))
                .collect()
        };
        Ok(Some(ItemAccess {
            cases: ids("SELECT i.case_id AS id FROM agenda_items i JOIN case_agencies ca ON ca.case_id = i.case_id
                 WHERE i.meeting_id = $1 AND ca.agency_id = $2")
            .await?,
            referrals: ids("SELECT i.referral_id AS id FROM agenda_items i
                 JOIN referral_agencies ra ON ra.referral_id = i.referral_id
                 WHERE i.meeting_id = $1 AND ra.agency_id = $2")
            .await?,
            disclosed: ids("SELECT DISTINCT i.case_id AS id FROM agenda_items i
                 JOIN disclosures d ON d.record_type = 'case_overview' AND d.record_id = i.case_id
                 WHERE i.meeting_id = $1 AND d.to_agency_id = $2")
            .await?,
        }))
    }
}

/// Whether the actor sees an item about this case or referral in full (the policy decides;
/// `access` is None for those who see every item in full).
fn item_in_full(access: Option<&ItemAccess>, actor: &Actor, case: Option<&str>, referral: Option<&str>) -> bool {
    let Some(access) = access else {
        return true;
    };
    let participates = match (case, referral) {
        (Some(case), _) => access.cases.contains(case),
        (None, Some(referral)) => access.referrals.contains(referral),
        _ => false,
    };
    let disclosed = case.is_some_and(|case| access.disclosed.contains(case));
    actor.viewer.sees_agenda_item_in_full(participates, disclosed)
}

/// For each agenda item of a meeting: whether the actor sees it in full.
pub(crate) async fn agenda_visibility(
    conn: &mut AnyConnection,
    actor: &Actor,
    meeting: &str,
) -> Result<Vec<(String, bool)>, StoreError> {
    let access = ItemAccess::of_meeting(conn, actor, meeting).await?;
    let rows = sqlx::query("SELECT id, case_id, referral_id FROM agenda_items WHERE meeting_id = $1")
        .bind(meeting)
        .fetch_all(&mut *conn)
        .await?;
    let mut visible = Vec::new();
    for row in &rows {
        let case: Option<String> = row.try_get("case_id")?;
        let referral: Option<String> = row.try_get("referral_id")?;
        visible.push((row.try_get("id")?, item_in_full(access.as_ref(), actor, case.as_deref(), referral.as_deref())));
    }
    Ok(visible)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn age_bands_and_initials_hide_the_details() {
        assert_eq!(age_band(Some(date!(2010 - 11 - 23)), date!(2026 - 11 - 22)), "15_17");
        assert_eq!(age_band(Some(date!(2010 - 11 - 22)), date!(2026 - 11 - 22)), "15_17");
        assert_eq!(age_band(Some(date!(2012 - 01 - 01)), date!(2026 - 11 - 22)), "under_15");
        assert_eq!(age_band(None, date!(2026 - 11 - 22)), "unknown");
        assert_eq!(initials("jonas  Æble testesen"), "J.Æ.T.");
    }

    #[test]
    fn wall_clock_times_round_trip() {
        let t = datetime!(2026-11-24 09:00);
        assert_eq!(local(t), "2026-11-24T09:00");
        assert_eq!(parse_local(&local(t)).unwrap(), t);
    }
}
