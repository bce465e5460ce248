//! Minutes of a coordination meeting: attendance, per agenda item the discussion summary
//! and decisions (sealed with the person's key for case and referral items), action items
//! (tasks that come back on every agenda until done), disclosures made in the meeting.
//! Approved minutes are locked; a correction is a new version with its reason.

use crate::access_log::{Action, LogBuffer, LogEvent};
use crate::cases::agency_by_code;
use crate::db::{Store, new_id, parse_ts, ts};
use crate::error::StoreError;
use crate::keys::Keys;
use crate::meetings::{ensure_runner, load_meeting};
use crate::referrals::{Sealer, person_key};
use crate::sessions::Actor;
use crate::tasks::{NewTask, TaskOrigin, TaskView, add_task_in, task_from_row};
use infohus_domain::{
    AgencyCode, AgendaItemId, FieldErrors, LegalBasisScope, MeetingId, MinutesId, Personal, Sensitivities, TaskId,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;

const MAX_TEXT: usize = 20_000;

/// What the secretary writes for one agenda item.
#[derive(Debug, Clone)]
pub struct MinutesItemInput {
    pub agenda_item: AgendaItemId,
    pub summary: String,
    pub decisions: String,
}

#[derive(Debug, Clone)]
pub struct MinutesItemView {
    pub agenda_item: AgendaItemId,
    /// `None` when the viewer may not see this item in full.
    pub summary: Option<Personal<String>>,
    pub decisions: Option<Personal<String>>,
}

#[derive(Debug, Clone)]
pub struct MinutesView {
    pub id: MinutesId,
    pub meeting_id: MeetingId,
    pub version: u32,
    /// `draft` or `approved`.
    pub status: String,
    /// Display names of those present.
    pub attendance: Vec<String>,
    pub supersedes: Option<MinutesId>,
    pub correction_reason: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<OffsetDateTime>,
    pub items: Vec<MinutesItemView>,
    /// Action items decided at this meeting on cases the viewer takes part in.
    pub action_items: Vec<TaskView>,
    /// Disclosures made in the meeting: which agenda item, to whom, on which basis.
    pub disclosures: Vec<MeetingDisclosure>,
}

/// A disclosure made in a meeting, as the minutes record it (no personal data: the item
/// number stands for the case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingDisclosure {
    pub item_position: i64,
    pub to_agency: String,
    pub legal_basis: String,
    pub at: OffsetDateTime,
}

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(FieldErrors::single(field, code))
}

/// The minutes row of the actor's infohus, with its meeting checked.
async fn load_minutes(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<AnyRow, StoreError> {
    let row = sqlx::query(
        "SELECT id, meeting_id, version, status, attendance, supersedes_id, correction_reason, approved_by, approved_at
         FROM minutes WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    load_meeting(conn, actor, &row.try_get::<String, _>("meeting_id")?).await?;
    Ok(row)
}

fn event(action: Action, id: &str, purpose: &'static str, criteria: String) -> LogEvent {
    LogEvent { action, object_type: "minutes", object_id: id.to_owned(), person_id: None, purpose, criteria }
}

/// The sealer for one minute item: the person's key when the item is about a person.
async fn item_key(
    conn: &mut AnyConnection,
    keys: &Keys,
    agenda_item: &str,
) -> Result<Option<(crate::crypto::DataKey, String)>, StoreError> {
    let row = sqlx::query(
        "SELECT i.person_id, p.data_key AS person_data_key FROM agenda_items i LEFT JOIN persons p ON p.id = i.person_id
         WHERE i.id = $1",
    )
    .bind(agenda_item)
    .fetch_one(&mut *conn)
    .await?;
    match row.try_get::<Option<String>, _>("person_id")? {
        Some(person) => Ok(Some((person_key(keys, &row, &person)?, person))),
        None => Ok(None),
    }
}

fn seal(
    key: Option<&crate::crypto::DataKey>,
    row: &str,
    column: &str,
    text: &str,
) -> Result<Option<String>, StoreError> {
    if text.is_empty() {
        return Ok(None);
    }
    match key {
        Some(key) => Ok(Some(Sealer::new(key, "minute_items", row).seal(column, text)?)),
        None => Ok(Some(text.to_owned())),
    }
}

impl Store {
    /// The meeting that minutes belong to (for notices).
    pub async fn meeting_of_minutes(&self, actor: &Actor, id: &MinutesId) -> Result<MeetingId, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row = load_minutes(&mut conn, actor, id.as_str()).await?;
        MeetingId::parse(&row.try_get::<String, _>("meeting_id")?).ok_or(StoreError::Corrupt("meeting id"))
    }

    /// Starts the minutes of a meeting whose agenda is published (coordinators).
    pub async fn start_minutes(
        &self,
        actor: &Actor,
        meeting: &MeetingId,
        now: OffsetDateTime,
    ) -> Result<MinutesId, StoreError> {
        ensure_runner(actor)?;
        let (actor, meeting) = (actor.clone(), meeting.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let m = load_meeting(conn, &actor, meeting.as_str()).await?;
                if m.agenda_status != "published" {
                    return Err(StoreError::Conflict("agenda_not_published"));
                }
                let exists = sqlx::query("SELECT 1 AS one FROM minutes WHERE meeting_id = $1")
                    .bind(meeting.as_str())
                    .fetch_optional(&mut *conn)
                    .await?;
                if exists.is_some() {
                    return Err(StoreError::Conflict("minutes_exist"));
                }
                let id = new_id();
                sqlx::query(
                    "INSERT INTO minutes (id, meeting_id, version, status, attendance, created_by, created_at)
                     VALUES ($1, $2, 1, 'draft', '', $3, $4)",
                )
                .bind(&id)
                .bind(meeting.as_str())
                .bind(actor.viewer.user.as_str())
                .bind(ts(now))
                .execute(&mut *conn)
                .await?;
                log.record(
                    &actor,
                    now,
                    vec![event(Action::Create, &id, "minutes", format!("meeting={}", meeting.as_str()))],
                );
                MinutesId::parse(&id).ok_or(StoreError::Corrupt("minutes id"))
            })
        })
        .await
    }

    /// Saves draft minutes: who attended (usernames) and what was said and decided per item.
    pub async fn save_minutes(
        &self,
        actor: &Actor,
        id: &MinutesId,
        attendance: &[String],
        items: Vec<MinutesItemInput>,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        ensure_runner(actor)?;
        let mut errors = FieldErrors::default();
        let mut checked = Vec::new();
        for (n, item) in items.into_iter().enumerate() {
            let summary =
                infohus_domain::text::optional_multiline(&format!("items[{n}].summary"), Some(&item.summary), MAX_TEXT);
            let decisions = infohus_domain::text::optional_multiline(
                &format!("items[{n}].decisions"),
                Some(&item.decisions),
                MAX_TEXT,
            );
            if let (Some(s), Some(d)) = (errors.check(summary), errors.check(decisions)) {
                checked.push((item.agenda_item, s.unwrap_or_default(), d.unwrap_or_default()));
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let (actor, id, keys, attendance) = (actor.clone(), id.clone(), self.keys.clone(), attendance.to_vec());
        self.write(move |conn, log| {
            Box::pin(async move {
                let row = load_minutes(conn, &actor, id.as_str()).await?;
                if row.try_get::<String, _>("status")? != "draft" {
                    return Err(StoreError::Conflict("minutes_approved"));
                }
                let meeting: String = row.try_get("meeting_id")?;
                let mut present = Vec::new();
                for username in attendance.iter().map(|u| u.trim()).filter(|u| !u.is_empty()) {
                    let user: String = sqlx::query("SELECT id FROM users WHERE username = $1 AND infohus_id = $2")
                        .bind(username)
                        .bind(actor.viewer.infohus.as_str())
                        .fetch_optional(&mut *conn)
                        .await?
                        .ok_or_else(|| invalid("attendance", "unknown_user"))?
                        .try_get("id")?;
                    if !present.contains(&user) {
                        present.push(user);
                    }
                }
                for (item, summary, decisions) in &checked {
                    let on_agenda = sqlx::query("SELECT 1 AS one FROM agenda_items WHERE id = $1 AND meeting_id = $2")
                        .bind(item.as_str())
                        .bind(&meeting)
                        .fetch_optional(&mut *conn)
                        .await?;
                    if on_agenda.is_none() {
                        return Err(invalid("items", "not_on_agenda"));
                    }
                    let key = item_key(conn, &keys, item.as_str()).await?;
                    let row_id = format!("{}/{}", id.as_str(), item.as_str());
                    let key = key.as_ref().map(|(k, _)| k);
                    sqlx::query("DELETE FROM minute_items WHERE minutes_id = $1 AND agenda_item_id = $2")
                        .bind(id.as_str())
                        .bind(item.as_str())
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query(
                        "INSERT INTO minute_items (minutes_id, agenda_item_id, summary, decisions) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(id.as_str())
                    .bind(item.as_str())
                    .bind(seal(key, &row_id, "summary", summary)?)
                    .bind(seal(key, &row_id, "decisions", decisions)?)
                    .execute(&mut *conn)
                    .await?;
                }
                sqlx::query("UPDATE minutes SET attendance = $1 WHERE id = $2")
                    .bind(present.join(","))
                    .bind(id.as_str())
                    .execute(&mut *conn)
                    .await?;
                log.record(&actor, now, vec![event(Action::Change, id.as_str(), "minutes", format!("items={}", checked.len()))]);
                Ok(())
            })
        })
        .await
    }

    /// Records an action item decided on a case item: a task owned by a participating
    /// agency, with the meeting it came from (coordinators, while the minutes are a draft).
    pub async fn add_action_item(
        &self,
        actor: &Actor,
        minutes: &MinutesId,
        agenda_item: &AgendaItemId,
        task: NewTask,
        now: OffsetDateTime,
    ) -> Result<TaskId, StoreError> {
        ensure_runner(actor)?;
        let (actor, minutes, item, keys) = (actor.clone(), minutes.clone(), agenda_item.clone(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let row = load_minutes(conn, &actor, minutes.as_str()).await?;
                if row.try_get::<String, _>("status")? != "draft" {
                    return Err(StoreError::Conflict("minutes_approved"));
                }
                let meeting: String = row.try_get("meeting_id")?;
                let case: String = sqlx::query("SELECT case_id FROM agenda_items WHERE id = $1 AND meeting_id = $2")
                    .bind(item.as_str())
                    .bind(&meeting)
                    .fetch_optional(&mut *conn)
                    .await?
                    .ok_or_else(|| invalid("agenda_item", "not_on_agenda"))?
                    .try_get::<Option<String>, _>("case_id")?
                    .ok_or_else(|| invalid("agenda_item", "not_a_case"))?;
                let origin = TaskOrigin { meeting: &meeting, agenda_item: item.as_str() };
                add_task_in(conn, log, &keys, &actor, &case, task, Some(origin), now).await
            })
        })
        .await
    }

    /// Approves draft minutes (coordinators): from then on they are locked. Items with a
    /// summary count as discussed, and the flags of the cases on the agenda are handled.
    pub async fn approve_minutes(&self, actor: &Actor, id: &MinutesId, now: OffsetDateTime) -> Result<(), StoreError> {
        ensure_runner(actor)?;
        let (actor, id) = (actor.clone(), id.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let row = load_minutes(conn, &actor, id.as_str()).await?;
                if row.try_get::<String, _>("status")? != "draft" {
                    return Err(StoreError::Conflict("minutes_approved"));
                }
                if row.try_get::<String, _>("attendance")?.is_empty() {
                    return Err(invalid("attendance", "required"));
                }
                let meeting: String = row.try_get("meeting_id")?;
                sqlx::query("UPDATE minutes SET status = 'approved', approved_by = $1, approved_at = $2 WHERE id = $3 AND status = 'draft'")
                    .bind(actor.viewer.user.as_str())
                    .bind(ts(now))
                    .bind(id.as_str())
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(
                    "UPDATE agenda_items SET discussed = 1 WHERE meeting_id = $1 AND id IN
                       (SELECT agenda_item_id FROM minute_items WHERE minutes_id = $2 AND summary IS NOT NULL)",
                )
                .bind(&meeting)
                .bind(id.as_str())
                .execute(&mut *conn)
                .await?;
                sqlx::query(
                    "UPDATE agenda_flags SET handled_meeting_id = $1 WHERE handled_meeting_id IS NULL AND case_id IN
                       (SELECT case_id FROM agenda_items WHERE meeting_id = $1 AND status = 'on_agenda' AND case_id IS NOT NULL)",
                )
                .bind(&meeting)
                .execute(&mut *conn)
                .await?;
                sqlx::query("UPDATE meetings SET status = 'held' WHERE id = $1 AND status = 'planned'")
                    .bind(&meeting)
                    .execute(&mut *conn)
                    .await?;
                log.record(&actor, now, vec![event(Action::Change, id.as_str(), "minutes", "approved".into())]);
                Ok(())
            })
        })
        .await
    }

    /// Starts a correction of approved minutes: a new draft version with the reason, the
    /// content copied; the approved version stays as it was.
    pub async fn correct_minutes(
        &self,
        actor: &Actor,
        id: &MinutesId,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<MinutesId, StoreError> {
        ensure_runner(actor)?;
        let reason = infohus_domain::text::required_line("reason", Some(reason), 500)
            .map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))?;
        let (actor, id, keys) = (actor.clone(), id.clone(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let row = load_minutes(conn, &actor, id.as_str()).await?;
                if row.try_get::<String, _>("status")? != "approved" {
                    return Err(StoreError::Conflict("minutes_not_approved"));
                }
                let meeting: String = row.try_get("meeting_id")?;
                let newer = sqlx::query("SELECT 1 AS one FROM minutes WHERE supersedes_id = $1")
                    .bind(id.as_str())
                    .fetch_optional(&mut *conn)
                    .await?;
                if newer.is_some() {
                    return Err(StoreError::Conflict("correction_exists"));
                }
                let new = new_id();
                sqlx::query(
                    "INSERT INTO minutes (id, meeting_id, version, status, attendance, supersedes_id, correction_reason, created_by, created_at)
                     SELECT $1, meeting_id, version + 1, 'draft', attendance, id, $2, $3, $4 FROM minutes WHERE id = $5",
                )
                .bind(&new)
                .bind(&reason)
                .bind(actor.viewer.user.as_str())
                .bind(ts(now))
                .bind(id.as_str())
                .execute(&mut *conn)
                .await?;
                // The content moves to the new version, sealed under the new row ids.
                for item in sqlx::query("SELECT agenda_item_id, summary, decisions FROM minute_items WHERE minutes_id = $1")
                    .bind(id.as_str())
                    .fetch_all(&mut *conn)
                    .await?
                {
                    let agenda_item: String = item.try_get("agenda_item_id")?;
                    let key = item_key(conn, &keys, &agenda_item).await?;
                    let (old_row, new_row) = (format!("{}/{agenda_item}", id.as_str()), format!("{new}/{agenda_item}"));
                    let mut texts = Vec::new();
                    for column in ["summary", "decisions"] {
                        let stored: Option<String> = item.try_get(column)?;
                        let plain = match (&key, stored) {
                            (Some((k, _)), Some(s)) => Some(Sealer::new(k, "minute_items", &old_row).open(column, &s)?),
                            (None, s) => s,
                            (_, None) => None,
                        };
                        texts.push(seal(key.as_ref().map(|(k, _)| k), &new_row, column, plain.as_deref().unwrap_or(""))?);
                    }
                    sqlx::query("INSERT INTO minute_items (minutes_id, agenda_item_id, summary, decisions) VALUES ($1, $2, $3, $4)")
                        .bind(&new)
                        .bind(&agenda_item)
                        .bind(texts[0].clone())
                        .bind(texts[1].clone())
                        .execute(&mut *conn)
                        .await?;
                }
                log.record(&actor, now, vec![event(Action::Create, &new, "minutes_correction", format!("meeting={meeting};corrects={}", id.as_str()))]);
                MinutesId::parse(&new).ok_or(StoreError::Corrupt("minutes id"))
            })
        })
        .await
    }

    /// The newest minutes of a meeting the actor may see: coordinators also drafts,
    /// participants the newest approved version. Items the viewer may not see in full show
    /// no text.
    pub async fn minutes(
        &self,
        actor: &Actor,
        meeting: &MeetingId,
        now: OffsetDateTime,
    ) -> Result<Option<MinutesView>, StoreError> {
        let mut log = LogBuffer::default();
        let view = {
            let mut conn = self.pool.acquire().await?;
            minutes_in(&mut conn, &self.keys, &mut log, actor, meeting, now).await?
        };
        self.commit_log(log).await?;
        Ok(view)
    }

    /// Discloses a case's overview to an agency during a meeting, on a legal basis that
    /// covers special-category data (coordinators): that agency then sees the case's agenda
    /// items in full.
    pub async fn disclose_in_meeting(
        &self,
        actor: &Actor,
        item: &AgendaItemId,
        to: &AgencyCode,
        legal_basis: &str,
        purpose: &str,
        now: OffsetDateTime,
    ) -> Result<String, StoreError> {
        ensure_runner(actor)?;
        let purpose = infohus_domain::text::required_multiline("purpose", Some(purpose), 2_000)
            .map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))?;
        let (actor, item, to, basis, keys) =
            (actor.clone(), item.clone(), to.clone(), legal_basis.to_owned(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let row = sqlx::query("SELECT meeting_id, case_id, person_id FROM agenda_items WHERE id = $1")
                    .bind(item.as_str())
                    .fetch_optional(&mut *conn)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let meeting: String = row.try_get("meeting_id")?;
                load_meeting(conn, &actor, &meeting).await?;
                let case: String =
                    row.try_get::<Option<String>, _>("case_id")?.ok_or_else(|| invalid("agenda_item", "not_a_case"))?;
                let loaded = crate::cases::load_case(conn, &actor, &case, now).await?;
                let target = agency_by_code(conn, &actor.viewer.infohus, &to).await?;
                if loaded.agencies.contains(&target) {
                    return Err(invalid("to_agency", "already_participating"));
                }
                let already = sqlx::query(
                    "SELECT 1 AS one FROM disclosures WHERE record_type = 'case_overview' AND record_id = $1 AND to_agency_id = $2",
                )
                .bind(&case)
                .bind(&target.id)
                .fetch_optional(&mut *conn)
                .await?;
                if already.is_some() {
                    return Err(StoreError::Conflict("already_disclosed"));
                }
                let scope = sqlx::query(
                    "SELECT covers_special_category, covers_criminal_offence FROM legal_bases WHERE code = $1 AND active = 1",
                )
                .bind(&basis)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| invalid("legal_basis", "invalid_choice"))?;
                let scope = LegalBasisScope {
                    covers_special_category: scope.try_get::<i64, _>("covers_special_category")? != 0,
                    covers_criminal_offence: scope.try_get::<i64, _>("covers_criminal_offence")? != 0,
                };
                // A case overview tells of a concern about extremism: political or religious convictions.
                if !scope.covers(&Sensitivities::from_stored("political_opinion,religion")) {
                    return Err(invalid("legal_basis", "basis_does_not_cover"));
                }
                let person: String = row.try_get("person_id")?;
                let key = loaded.data_key(&keys)?;
                let id = new_id();
                sqlx::query(
                    "INSERT INTO disclosures (id, infohus_id, record_type, record_id, case_id, person_id, from_agency_id, to_agency_id,
                        legal_basis, purpose, disclosed_by, disclosed_at, meeting_id)
                     VALUES ($1, $2, 'case_overview', $3, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(&id)
                .bind(actor.viewer.infohus.as_str())
                .bind(&case)
                .bind(&person)
                .bind(actor.viewer.agency.as_str())
                .bind(&target.id)
                .bind(&basis)
                .bind(Sealer::new(&key, "disclosures", &id).seal("purpose", &purpose)?)
                .bind(actor.viewer.user.as_str())
                .bind(ts(now))
                .bind(&meeting)
                .execute(&mut *conn)
                .await?;
                crate::lifecycle::record_event(conn, &actor, &case, "disclosure", None, &target.code, now).await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent {
                        action: Action::Export,
                        object_type: "case_overview",
                        object_id: case,
                        person_id: Some(person),
                        purpose: "disclosure",
                        criteria: format!("disclosure={id};to={};basis={basis};meeting={meeting}", target.id),
                    }],
                );
                Ok(id)
            })
        })
        .await
    }
}

async fn minutes_in(
    conn: &mut AnyConnection,
    keys: &Keys,
    log: &mut LogBuffer,
    actor: &Actor,
    meeting: &MeetingId,
    now: OffsetDateTime,
) -> Result<Option<MinutesView>, StoreError> {
    load_meeting(conn, actor, meeting.as_str()).await?;
    let drafts = actor.viewer.may_run_meetings();
    let Some(row) = sqlx::query(
        "SELECT m.id, m.version, m.status, m.attendance, m.supersedes_id, m.correction_reason, u.display_name AS approved_by,
                m.approved_at
         FROM minutes m LEFT JOIN users u ON u.id = m.approved_by
         WHERE m.meeting_id = $1 AND ($2 = 1 OR m.status = 'approved') ORDER BY m.version DESC LIMIT 1",
    )
    .bind(meeting.as_str())
    .bind(i64::from(drafts))
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let id: String = row.try_get("id")?;
    let mut attendance = Vec::new();
    for user in row.try_get::<String, _>("attendance")?.split(',').filter(|u| !u.is_empty()) {
        if let Some(r) =
            sqlx::query("SELECT display_name FROM users WHERE id = $1").bind(user).fetch_optional(&mut *conn).await?
        {
            attendance.push(r.try_get("display_name")?);
        }
    }
    // Which items the viewer sees in full follows the agenda view's rule.
    let visible: Vec<(String, bool)> = {
        let view = crate::meetings::agenda_visibility(conn, actor, meeting.as_str()).await?;
        view.into_iter().collect()
    };
    let mut items = Vec::new();
    let mut events = Vec::new();
    for item in sqlx::query(
        "SELECT mi.agenda_item_id, mi.summary, mi.decisions, a.person_id, p.data_key AS person_data_key
         FROM minute_items mi JOIN agenda_items a ON a.id = mi.agenda_item_id LEFT JOIN persons p ON p.id = a.person_id
         WHERE mi.minutes_id = $1 ORDER BY a.position, a.id",
    )
    .bind(&id)
    .fetch_all(&mut *conn)
    .await?
    {
        let agenda_item: String = item.try_get("agenda_item_id")?;
        let full = visible.iter().any(|(i, full)| i == &agenda_item && *full);
        let person: Option<String> = item.try_get("person_id")?;
        let (summary, decisions) = match (&person, full) {
            (Some(person), true) => {
                let key = person_key(keys, &item, person)?;
                let row_id = format!("{id}/{agenda_item}");
                let sealer = Sealer::new(&key, "minute_items", &row_id);
                events.push(LogEvent::of(
                    Action::Read,
                    "minutes_item",
                    agenda_item.clone(),
                    Some(person.clone()),
                    "minutes",
                ));
                (sealer.column(&item, "summary")?, sealer.column(&item, "decisions")?)
            }
            (Some(_), false) => (None, None),
            (None, _) => (item.try_get("summary")?, item.try_get("decisions")?),
        };
        items.push(MinutesItemView {
            agenda_item: AgendaItemId::parse(&agenda_item).ok_or(StoreError::Corrupt("agenda item id"))?,
            summary: summary.map(Personal::new),
            decisions: decisions.map(Personal::new),
        });
    }
    let mut action_items = Vec::new();
    for task in sqlx::query(
        "SELECT t.id, t.case_id, t.title, t.owner_agency_id AS owner_id, oa.code AS owner_code, oa.name AS owner_name,
                u.username AS assignee, t.due_on, t.status, t.created_at, t.done_at, c.person_id, p.data_key AS person_data_key
         FROM tasks t JOIN agencies oa ON oa.id = t.owner_agency_id LEFT JOIN users u ON u.id = t.assignee_user_id
         JOIN cases c ON c.id = t.case_id JOIN persons p ON p.id = c.person_id
         WHERE t.meeting_id = $1 ORDER BY t.due_on, t.id",
    )
    .bind(meeting.as_str())
    .fetch_all(&mut *conn)
    .await?
    {
        let agenda_visible = {
            let case: String = task.try_get("case_id")?;
            actor.viewer.may_run_meetings()
                || sqlx::query("SELECT 1 AS one FROM case_agencies WHERE case_id = $1 AND agency_id = $2")
                    .bind(&case)
                    .bind(actor.viewer.agency.as_str())
                    .fetch_optional(&mut *conn)
                    .await?
                    .is_some()
        };
        if !agenda_visible {
            continue;
        }
        let person: String = task.try_get("person_id")?;
        let key = person_key(keys, &task, &person)?;
        let view = task_from_row(&task, &key)?;
        events.push(LogEvent::of(Action::Read, "task", view.id.as_str().to_owned(), Some(person), "minutes"));
        action_items.push(view);
    }
    let mut disclosures = Vec::new();
    for d in sqlx::query(
        "SELECT a.position, ag.name AS agency, lb.label AS basis, d.disclosed_at
         FROM disclosures d JOIN agenda_items a ON a.meeting_id = d.meeting_id AND a.case_id = d.case_id
         JOIN agencies ag ON ag.id = d.to_agency_id JOIN legal_bases lb ON lb.code = d.legal_basis
         WHERE d.meeting_id = $1 ORDER BY a.position, d.disclosed_at",
    )
    .bind(meeting.as_str())
    .fetch_all(&mut *conn)
    .await?
    {
        disclosures.push(MeetingDisclosure {
            item_position: d.try_get("position")?,
            to_agency: d.try_get("agency")?,
            legal_basis: d.try_get("basis")?,
            at: parse_ts(&d.try_get::<String, _>("disclosed_at")?)?,
        });
    }
    events.push(LogEvent {
        action: Action::Read,
        object_type: "minutes",
        object_id: id.clone(),
        person_id: None,
        purpose: "minutes",
        criteria: format!("meeting={}", meeting.as_str()),
    });
    log.record(actor, now, events);
    Ok(Some(MinutesView {
        id: MinutesId::parse(&id).ok_or(StoreError::Corrupt("minutes id"))?,
        meeting_id: meeting.clone(),
        version: u32::try_from(row.try_get::<i64, _>("version")?).unwrap_or(0),
        status: row.try_get("status")?,
        attendance,
        supersedes: row.try_get::<Option<String>, _>("supersedes_id")?.as_deref().and_then(MinutesId::parse),
        correction_reason: row.try_get("correction_reason")?,
        approved_by: row.try_get("approved_by")?,
        approved_at: row.try_get::<Option<String>, _>("approved_at")?.as_deref().map(parse_ts).transpose()?,
        items,
        action_items,
        disclosures,
    }))
}
