//! The auditor's views: the access log searched by person, user, action, purpose and time;
//! break-glass uses; disclosures; and a data subject's access report without employees'
//! identities (CJEU C-579/21). Each query is itself logged; an export is logged as one.

use crate::access_log::{AccessLogEntry, AccessLogPage, Action, LogBuffer, LogEvent, entry_from_row};
use crate::db::{Store, parse_ts, ts};
use crate::error::StoreError;
use crate::referrals::{Arg, Sealer, Sql, person_key};
use crate::sessions::Actor;
use infohus_domain::{FieldErrors, PersonId, Personal};
use sqlx::Row;
use time::OffsetDateTime;

/// What to look for in the access log. Every field narrows the search.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    pub person: Option<PersonId>,
    pub username: Option<String>,
    pub action: Option<Action>,
    pub purpose: Option<String>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
}

impl LogQuery {
    fn criteria(&self) -> String {
        format!(
            "person={};user={};action={};purpose={};from={};to={}",
            self.person.as_ref().map(|p| p.as_str()).unwrap_or(""),
            self.username.as_deref().unwrap_or(""),
            self.action.map(Action::as_str).unwrap_or(""),
            self.purpose.as_deref().unwrap_or(""),
            self.from.map(ts).unwrap_or_default(),
            self.to.map(ts).unwrap_or_default(),
        )
    }
}

#[derive(Debug, Clone)]
pub struct BreakGlassUse {
    pub id: String,
    pub granted_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub username: String,
    pub agency_code: String,
    pub case_id: String,
    pub person_id: String,
    pub reason: Personal<String>,
}

#[derive(Debug, Clone)]
pub struct DisclosureEntry {
    pub id: String,
    pub disclosed_at: OffsetDateTime,
    pub note_id: String,
    pub case_id: String,
    pub person_id: String,
    pub from_agency: String,
    pub to_agency: String,
    pub legal_basis: String,
    pub purpose: Personal<String>,
    pub disclosed_by: String,
}

/// One line of a data subject's access report: when, what kind of use, why. No employee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectAccessLine {
    pub at: OffsetDateTime,
    pub action: String,
    pub purpose: String,
}

const MAX_LIST: i64 = 1000;

impl Store {
    /// Searches the access log (auditors). `export` records the search as an export.
    pub async fn search_access_log(
        &self,
        actor: &Actor,
        query: &LogQuery,
        after_seq: Option<i64>,
        limit: u32,
        export: bool,
        now: OffsetDateTime,
    ) -> Result<AccessLogPage, StoreError> {
        if !actor.viewer.may_read_access_log() {
            return Err(StoreError::Forbidden);
        }
        let mut sql = Sql::default();
        sql.push(
            "SELECT seq, at, actor_username, actor_agency_id, actor_role, action, object_type, object_id, person_id,
                purpose, criteria FROM access_log WHERE infohus_id = ",
        )
        .text(actor.viewer.infohus.as_str());
        sql.push(" AND seq > ").arg(Arg::Int(after_seq.unwrap_or(0)));
        if let Some(person) = &query.person {
            sql.push(" AND person_id = ").text(person.as_str());
        }
        if let Some(user) = &query.username {
            sql.push(" AND actor_username = ").text(user);
        }
        if let Some(action) = query.action {
            sql.push(" AND action = ").text(action.as_str());
        }
        if let Some(purpose) = &query.purpose {
            sql.push(" AND purpose = ").text(purpose);
        }
        if let Some(from) = query.from {
            sql.push(" AND at >= ").text(&ts(from));
        }
        if let Some(to) = query.to {
            sql.push(" AND at < ").text(&ts(to));
        }
        sql.push(" ORDER BY seq LIMIT ").arg(Arg::Int(i64::from(limit) + 1));
        let rows = {
            let mut conn = self.pool.acquire().await?;
            sql.fetch_all(&mut conn).await?
        };
        let mut entries: Vec<AccessLogEntry> = rows.iter().map(entry_from_row).collect::<Result<_, _>>()?;
        let more = entries.len() > limit as usize;
        entries.truncate(limit as usize);
        let mut log = LogBuffer::default();
        log.record(
            actor,
            now,
            vec![LogEvent {
                action: if export { Action::Export } else { Action::Search },
                object_type: "access_log",
                object_id: query.person.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
                person_id: None,
                purpose: "audit",
                criteria: format!("{};after={}", query.criteria(), after_seq.unwrap_or(0)),
            }],
        );
        self.commit_log(log).await?;
        Ok(AccessLogPage { next_after: if more { entries.last().map(|e| e.seq) } else { None }, entries })
    }

    /// Every break-glass grant of the infohus, newest first, with its reason (auditors).
    pub async fn break_glass_uses(&self, actor: &Actor, now: OffsetDateTime) -> Result<Vec<BreakGlassUse>, StoreError> {
        if !actor.viewer.may_read_access_log() {
            return Err(StoreError::Forbidden);
        }
        let rows = sqlx::query(
            "SELECT b.id, b.granted_at, b.expires_at, u.username, a.code, b.case_id, b.person_id, b.reason,
                    p.data_key AS person_data_key
             FROM break_glass b JOIN users u ON u.id = b.user_id JOIN agencies a ON a.id = b.agency_id
             JOIN persons p ON p.id = b.person_id
             WHERE b.infohus_id = $1 ORDER BY b.granted_at DESC, b.id DESC LIMIT $2",
        )
        .bind(actor.viewer.infohus.as_str())
        .bind(MAX_LIST)
        .fetch_all(&self.pool)
        .await?;
        let mut uses = Vec::new();
        for row in &rows {
            let id: String = row.try_get("id")?;
            let person: String = row.try_get("person_id")?;
            let reason = match person_key(&self.keys, row, &person) {
                Ok(key) => Sealer::new(&key, "break_glass", &id).column(row, "reason")?.unwrap_or_default(),
                Err(StoreError::Erased) => String::new(),
                Err(e) => return Err(e),
            };
            uses.push(BreakGlassUse {
                granted_at: parse_ts(&row.try_get::<String, _>("granted_at")?)?,
                expires_at: parse_ts(&row.try_get::<String, _>("expires_at")?)?,
                username: row.try_get("username")?,
                agency_code: row.try_get("code")?,
                case_id: row.try_get("case_id")?,
                person_id: person,
                reason: Personal::new(reason),
                id,
            });
        }
        self.log_audit_view(actor, "break_glass_list", now).await?;
        Ok(uses)
    }

    /// Every disclosure of the infohus, newest first (auditors).
    pub async fn disclosures(&self, actor: &Actor, now: OffsetDateTime) -> Result<Vec<DisclosureEntry>, StoreError> {
        if !actor.viewer.may_read_access_log() {
            return Err(StoreError::Forbidden);
        }
        let rows = sqlx::query(
            "SELECT d.id, d.disclosed_at, d.record_id, d.case_id, d.person_id, fa.code AS from_code, ta.code AS to_code,
                    d.legal_basis, d.purpose, u.username, p.data_key AS person_data_key
             FROM disclosures d JOIN agencies fa ON fa.id = d.from_agency_id JOIN agencies ta ON ta.id = d.to_agency_id
             JOIN users u ON u.id = d.disclosed_by JOIN persons p ON p.id = d.person_id
             WHERE d.infohus_id = $1 ORDER BY d.disclosed_at DESC, d.id DESC LIMIT $2",
        )
        .bind(actor.viewer.infohus.as_str())
        .bind(MAX_LIST)
        .fetch_all(&self.pool)
        .await?;
        let mut entries = Vec::new();
        for row in &rows {
            let id: String = row.try_get("id")?;
            let person: String = row.try_get("person_id")?;
            let purpose = match person_key(&self.keys, row, &person) {
                Ok(key) => Sealer::new(&key, "disclosures", &id).column(row, "purpose")?.unwrap_or_default(),
                Err(StoreError::Erased) => String::new(),
                Err(e) => return Err(e),
            };
            entries.push(DisclosureEntry {
                disclosed_at: parse_ts(&row.try_get::<String, _>("disclosed_at")?)?,
                note_id: row.try_get("record_id")?,
                case_id: row.try_get("case_id")?,
                person_id: person,
                from_agency: row.try_get("from_code")?,
                to_agency: row.try_get("to_code")?,
                legal_basis: row.try_get("legal_basis")?,
                purpose: Personal::new(purpose),
                disclosed_by: row.try_get("username")?,
                id,
            });
        }
        self.log_audit_view(actor, "disclosure_list", now).await?;
        Ok(entries)
    }

    /// For a data subject's access request: when their data was used and why, without
    /// who did it. Produced by an auditor and logged as an export of the person's data.
    pub async fn subject_access_report(
        &self,
        actor: &Actor,
        person: &PersonId,
        now: OffsetDateTime,
    ) -> Result<Vec<SubjectAccessLine>, StoreError> {
        if !actor.viewer.may_read_access_log() {
            return Err(StoreError::Forbidden);
        }
        let known = sqlx::query("SELECT 1 AS one FROM persons WHERE id = $1 AND infohus_id = $2")
            .bind(person.as_str())
            .bind(actor.viewer.infohus.as_str())
            .fetch_optional(&self.pool)
            .await?;
        if known.is_none() {
            return Err(StoreError::Invalid(FieldErrors::single("person", "unknown_person")));
        }
        let rows = sqlx::query(
            "SELECT at, action, purpose FROM access_log WHERE person_id = $1 AND infohus_id = $2 ORDER BY seq",
        )
        .bind(person.as_str())
        .bind(actor.viewer.infohus.as_str())
        .fetch_all(&self.pool)
        .await?;
        let lines = rows
            .iter()
            .map(|r| {
                Ok(SubjectAccessLine {
                    at: parse_ts(&r.try_get::<String, _>("at")?)?,
                    action: r.try_get("action")?,
                    purpose: r.try_get("purpose")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut log = LogBuffer::default();
        log.record(
            actor,
            now,
            vec![LogEvent::of(
                Action::Export,
                "person",
                person.as_str().to_owned(),
                Some(person.as_str().to_owned()),
                "subject_access",
            )],
        );
        self.commit_log(log).await?;
        Ok(lines)
    }

    async fn log_audit_view(&self, actor: &Actor, what: &'static str, now: OffsetDateTime) -> Result<(), StoreError> {
        let mut log = LogBuffer::default();
        log.record(
            actor,
            now,
            vec![LogEvent {
                action: Action::Search,
                object_type: what,
                object_id: String::new(),
                person_id: None,
                purpose: "audit",
                criteria: String::new(),
            }],
        );
        self.commit_log(log).await
    }
}
