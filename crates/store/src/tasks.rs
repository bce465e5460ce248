//! Tasks on a case and the "my work" lists: what is due and overdue for a user or their
//! agency. Task titles are personal data (sealed); every listing is logged per case.

use crate::access_log::{Action, LogBuffer, LogEvent};
use crate::cases::{AgencyRef, CaseRow, agency_by_code, load_case};
use crate::db::{Store, day, new_id, parse_day, parse_ts, ts};
use crate::error::StoreError;
use crate::keys::Keys;
use crate::lifecycle::{ensure_open, record_event};
use crate::referrals::{Sealer, person_key};
use crate::sessions::Actor;
use infohus_domain::casework::TaskStatus;
use infohus_domain::policy::CaseAccess;
use infohus_domain::{AgencyCode, CaseId, FieldErrors, InterventionId, PersonId, Personal, ReferralId, Role, TaskId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::{Date, OffsetDateTime};

const MAX_TITLE_CHARS: usize = 300;
/// At most this many rows per list on the "my work" page.
const MY_WORK_LIMIT: i64 = 200;

#[derive(Debug, Clone)]
pub struct TaskView {
    pub id: TaskId,
    pub case_id: CaseId,
    pub title: Personal<String>,
    pub owner_agency: AgencyRef,
    pub assignee: Option<String>,
    pub due_on: Date,
    pub status: TaskStatus,
    pub created_at: OffsetDateTime,
    pub done_at: Option<OffsetDateTime>,
}

/// A new task: owned by a participating agency, optionally assigned to one of its users.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub title: String,
    pub owner_agency: AgencyCode,
    pub assignee: Option<String>,
    pub due_on: Date,
}

/// An intervention whose review is due, for its responsible user.
#[derive(Debug, Clone)]
pub struct ReviewDue {
    pub intervention_id: InterventionId,
    pub case_id: CaseId,
    pub person_id: PersonId,
    pub person_name: Personal<String>,
    pub kind: String,
    pub review_on: Date,
}

/// A register check the actor's agency has been asked for and not yet recorded.
#[derive(Debug, Clone)]
pub struct PendingCheck {
    pub referral_id: ReferralId,
    pub requested_at: OffsetDateTime,
    pub received_at: OffsetDateTime,
}

/// A referral still awaiting its screening outcome (coordinators); the web layer works
/// out the working-day deadline and whether it is overdue.
#[derive(Debug, Clone)]
pub struct AwaitingScreening {
    pub referral_id: ReferralId,
    pub received_at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkScope {
    /// Assigned to the user, or owned by their agency with nobody assigned.
    Mine,
    /// Everything their agency owns.
    Agency,
}

#[derive(Debug, Clone, Default)]
pub struct MyWork {
    pub tasks: Vec<TaskView>,
    pub reviews: Vec<ReviewDue>,
    pub checks: Vec<PendingCheck>,
    pub awaiting_screening: Vec<AwaitingScreening>,
}

pub(crate) fn task_from_row(row: &AnyRow, key: &crate::crypto::DataKey) -> Result<TaskView, StoreError> {
    let id: String = row.try_get("id")?;
    Ok(TaskView {
        title: Personal::new(Sealer::new(key, "tasks", &id).column(row, "title")?.ok_or(StoreError::Corrupt("title"))?),
        id: TaskId::parse(&id).ok_or(StoreError::Corrupt("task id"))?,
        case_id: CaseId::parse(&row.try_get::<String, _>("case_id")?).ok_or(StoreError::Corrupt("case id"))?,
        owner_agency: AgencyRef::from_row(row, "owner_")?,
        assignee: row.try_get("assignee")?,
        due_on: parse_day(&row.try_get::<String, _>("due_on")?)?,
        status: TaskStatus::parse(&row.try_get::<String, _>("status")?).ok_or(StoreError::Corrupt("task status"))?,
        created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
        done_at: row.try_get::<Option<String>, _>("done_at")?.as_deref().map(parse_ts).transpose()?,
    })
}

const TASK_COLUMNS: &str = "t.id, t.case_id, t.title, t.owner_agency_id AS owner_id, oa.code AS owner_code,
    oa.name AS owner_name, u.username AS assignee, t.due_on, t.status, t.created_at, t.done_at";
const TASK_FROM: &str =
    " FROM tasks t JOIN agencies oa ON oa.id = t.owner_agency_id LEFT JOIN users u ON u.id = t.assignee_user_id";

/// The tasks of a case, for the case view (case participants).
pub(crate) async fn tasks_for_case(
    conn: &mut AnyConnection,
    case: &CaseRow,
    key: &crate::crypto::DataKey,
) -> Result<Vec<TaskView>, StoreError> {
    if case.access == CaseAccess::None {
        return Ok(Vec::new());
    }
    let sql = format!("SELECT {TASK_COLUMNS}{TASK_FROM} WHERE t.case_id = $1 ORDER BY t.status DESC, t.due_on, t.id");
    // Safe: constant SQL; the case id is bound.
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(case.string("id")?)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| task_from_row(r, key))
        .collect()
}

impl Store {
    /// Adds a task to a case (participants, not through break glass).
    pub async fn add_task(
        &self,
        actor: &Actor,
        case: &CaseId,
        task: NewTask,
        now: OffsetDateTime,
    ) -> Result<TaskId, StoreError> {
        let (actor, case, keys) = (actor.clone(), case.clone(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move { add_task_in(conn, log, &keys, &actor, case.as_str(), task, None, now).await })
        })
        .await
    }

    /// Marks a task done: its owner agency, its assignee or a coordinator.
    pub async fn complete_task(&self, actor: &Actor, task: &TaskId, now: OffsetDateTime) -> Result<(), StoreError> {
        let (actor, task) = (actor.clone(), task.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let row =
                    sqlx::query("SELECT case_id, owner_agency_id, assignee_user_id, status FROM tasks WHERE id = $1")
                        .bind(task.as_str())
                        .fetch_optional(&mut *conn)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                let case: String = row.try_get("case_id")?;
                let loaded = load_case(conn, &actor, &case, now).await?;
                let owner: String = row.try_get("owner_agency_id")?;
                let assignee: Option<String> = row.try_get("assignee_user_id")?;
                let allowed = actor.viewer.may_write_record(loaded.access)
                    && (actor.viewer.role == Role::Coordinator
                        || owner == actor.viewer.agency.as_str()
                        || assignee.as_deref() == Some(actor.viewer.user.as_str()));
                if !allowed {
                    return Err(StoreError::Forbidden);
                }
                if row.try_get::<String, _>("status")? != TaskStatus::Open.as_str() {
                    return Err(StoreError::Conflict("task_not_open"));
                }
                sqlx::query("UPDATE tasks SET status = 'done', done_by = $1, done_at = $2 WHERE id = $3")
                    .bind(actor.viewer.user.as_str())
                    .bind(ts(now))
                    .bind(task.as_str())
                    .execute(&mut *conn)
                    .await?;
                record_event(conn, &actor, &case, "task_done", None, "", now).await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent::of(
                        Action::Change,
                        "task",
                        task.as_str().to_owned(),
                        Some(loaded.string("person_id")?),
                        "task",
                    )],
                );
                Ok(())
            })
        })
        .await
    }

    /// What is due for the actor (or their agency): open tasks, intervention reviews,
    /// register checks asked of the agency, and for coordinators the referrals awaiting
    /// screening. Due and overdue first; at most 200 rows per list.
    pub async fn my_work(&self, actor: &Actor, scope: WorkScope, now: OffsetDateTime) -> Result<MyWork, StoreError> {
        let mut log = LogBuffer::default();
        let work = {
            let mut conn = self.pool.acquire().await?;
            my_work_in(&mut conn, &self.keys, &mut log, actor, scope, now).await?
        };
        self.commit_log(log).await?;
        Ok(work)
    }
}

/// Where an action item came from: the meeting and its agenda item.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TaskOrigin<'a> {
    pub(crate) meeting: &'a str,
    pub(crate) agenda_item: &'a str,
}

/// Adds a task to a case inside a write (a task on the case page, or an action item in minutes).
#[allow(clippy::too_many_arguments)] // the write's connection, log and keys, and the task with its origin
pub(crate) async fn add_task_in(
    conn: &mut AnyConnection,
    log: &mut LogBuffer,
    keys: &Keys,
    actor: &Actor,
    case: &str,
    task: NewTask,
    origin: Option<TaskOrigin<'_>>,
    now: OffsetDateTime,
) -> Result<TaskId, StoreError> {
    let title = infohus_domain::text::required_line("title", Some(&task.title), MAX_TITLE_CHARS)
        .map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))?;
    let loaded = load_case(conn, actor, case, now).await?;
    if !actor.viewer.may_write_record(loaded.access) {
        return Err(StoreError::Forbidden);
    }
    ensure_open(&loaded)?;
    let owner = agency_by_code(conn, &actor.viewer.infohus, &task.owner_agency).await?;
    if !loaded.agencies.contains(&owner) {
        return Err(StoreError::Invalid(FieldErrors::single("owner_agency", "not_participating")));
    }
    let assignee = match task.assignee.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(username) => Some(
            sqlx::query(
                "SELECT id FROM users WHERE username = $1 AND agency_id = $2 AND infohus_id = $3 AND disabled = 0",
            )
            .bind(username)
            .bind(&owner.id)
            .bind(actor.viewer.infohus.as_str())
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::Invalid(FieldErrors::single("assignee", "unknown_user")))?
            .try_get::<String, _>("id")?,
        ),
    };
    let key = loaded.data_key(keys)?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO tasks (id, infohus_id, case_id, title, owner_agency_id, assignee_user_id, due_on, status,
            created_by, created_at, meeting_id, agenda_item_id) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(actor.viewer.infohus.as_str())
    .bind(case)
    .bind(Sealer::new(&key, "tasks", &id).seal("title", &title)?)
    .bind(&owner.id)
    .bind(assignee)
    .bind(day(task.due_on))
    .bind(actor.viewer.user.as_str())
    .bind(ts(now))
    .bind(origin.map(|o| o.meeting))
    .bind(origin.map(|o| o.agenda_item))
    .execute(&mut *conn)
    .await?;
    let kind = if origin.is_some() { "action_item_added" } else { "task_added" };
    record_event(conn, actor, case, kind, None, &owner.code, now).await?;
    log.record(
        actor,
        now,
        vec![LogEvent::of(Action::Create, "task", id.clone(), Some(loaded.string("person_id")?), "task")],
    );
    TaskId::parse(&id).ok_or(StoreError::Corrupt("task id"))
}

async fn my_work_in(
    conn: &mut AnyConnection,
    keys: &Keys,
    log: &mut LogBuffer,
    actor: &Actor,
    scope: WorkScope,
    now: OffsetDateTime,
) -> Result<MyWork, StoreError> {
    let v = &actor.viewer;
    let mut work = MyWork::default();
    let mut events = Vec::new();
    if matches!(v.role, Role::Coordinator | Role::Member) {
        let filter = match scope {
            WorkScope::Mine => {
                "(t.assignee_user_id = $1 OR (t.assignee_user_id IS NULL AND t.owner_agency_id = $2 AND $1 <> ''))"
            }
            WorkScope::Agency => "(t.owner_agency_id = $2 AND $1 <> '')",
        };
        let sql = format!(
            "SELECT {TASK_COLUMNS}, c.person_id, p.data_key AS person_data_key{TASK_FROM}
             JOIN cases c ON c.id = t.case_id JOIN persons p ON p.id = c.person_id
             WHERE t.infohus_id = $3 AND t.status = 'open' AND {filter}
               AND EXISTS (SELECT 1 FROM case_agencies ca WHERE ca.case_id = t.case_id AND ca.agency_id = $2)
             ORDER BY t.due_on, t.id LIMIT {MY_WORK_LIMIT}"
        );
        // Safe: the SQL is assembled from constants; every value is bound.
        for r in sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(v.user.as_str())
            .bind(v.agency.as_str())
            .bind(v.infohus.as_str())
            .fetch_all(&mut *conn)
            .await?
        {
            let person: String = r.try_get("person_id")?;
            let key = person_key(keys, &r, &person)?;
            let task = task_from_row(&r, &key)?;
            events.push(LogEvent::of(Action::Search, "task", task.id.as_str().to_owned(), Some(person), "my_work"));
            work.tasks.push(task);
        }
        for r in sqlx::query(
            "SELECT s.referral_id, s.requested_at, r.received_at, r.person_id FROM screening_checks s
             JOIN referrals r ON r.id = s.referral_id
             WHERE s.agency_id = $1 AND s.checked_at IS NULL AND r.status IN ('received', 'screening')
             ORDER BY r.received_at LIMIT 200",
        )
        .bind(v.agency.as_str())
        .fetch_all(&mut *conn)
        .await?
        {
            let referral: String = r.try_get("referral_id")?;
            events.push(LogEvent::of(
                Action::Search,
                "referral",
                referral.clone(),
                Some(r.try_get("person_id")?),
                "my_work",
            ));
            work.checks.push(PendingCheck {
                referral_id: ReferralId::parse(&referral).ok_or(StoreError::Corrupt("referral id"))?,
                requested_at: parse_ts(&r.try_get::<String, _>("requested_at")?)?,
                received_at: parse_ts(&r.try_get::<String, _>("received_at")?)?,
            });
        }
    }
    if v.role == Role::Coordinator {
        for r in sqlx::query(
            "SELECT id, received_at, person_id FROM referrals WHERE infohus_id = $1 AND status IN ('received', 'screening')
             ORDER BY received_at, id LIMIT 200",
        )
        .bind(v.infohus.as_str())
        .fetch_all(&mut *conn)
        .await?
        {
            let referral: String = r.try_get("id")?;
            events.push(LogEvent::of(
                Action::Search,
                "referral",
                referral.clone(),
                Some(r.try_get("person_id")?),
                "my_work",
            ));
            work.awaiting_screening.push(AwaitingScreening {
                referral_id: ReferralId::parse(&referral).ok_or(StoreError::Corrupt("referral id"))?,
                received_at: parse_ts(&r.try_get::<String, _>("received_at")?)?,
            });
        }
    }
    if matches!(v.role, Role::Coordinator | Role::Member | Role::Mentor) {
        let filter = match scope {
            WorkScope::Mine => "i.responsible_user_id = $1",
            WorkScope::Agency if v.role == Role::Mentor => "i.responsible_user_id = $1",
            WorkScope::Agency => "(i.owner_agency_id = $2 AND $1 <> '')",
        };
        let sql = format!(
            "SELECT i.id, i.case_id, i.person_id, i.kind, i.review_on, p.name, p.data_key AS person_data_key
             FROM interventions i JOIN persons p ON p.id = i.person_id
             WHERE i.infohus_id = $3 AND i.status IN ('planned', 'active') AND {filter}
             ORDER BY i.review_on, i.id LIMIT {MY_WORK_LIMIT}"
        );
        // Safe: the SQL is assembled from constants; every value is bound.
        for r in sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(v.user.as_str())
            .bind(v.agency.as_str())
            .bind(v.infohus.as_str())
            .fetch_all(&mut *conn)
            .await?
        {
            let person: String = r.try_get("person_id")?;
            let key = person_key(keys, &r, &person)?;
            let id: String = r.try_get("id")?;
            events.push(LogEvent::of(Action::Search, "intervention", id.clone(), Some(person.clone()), "my_work"));
            work.reviews.push(ReviewDue {
                intervention_id: InterventionId::parse(&id).ok_or(StoreError::Corrupt("intervention id"))?,
                case_id: CaseId::parse(&r.try_get::<String, _>("case_id")?).ok_or(StoreError::Corrupt("case id"))?,
                person_name: Personal::new(
                    Sealer::new(&key, "persons", &person).column(&r, "name")?.ok_or(StoreError::Corrupt("name"))?,
                ),
                person_id: PersonId::parse(&person).ok_or(StoreError::Corrupt("person id"))?,
                kind: r.try_get("kind")?,
                review_on: parse_day(&r.try_get::<String, _>("review_on")?)?,
            });
        }
    }
    log.record(actor, now, events);
    Ok(work)
}
