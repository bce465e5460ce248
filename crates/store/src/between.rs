//! Between infohuse: "known elsewhere?" answered from keyed hashes only, a request to share
//! that is logged on both sides, and moving a person's cases when the person moves.

use crate::access_log::{Action, LogBuffer, LogEvent};
use crate::db::{Store, new_id, parse_ts, ts};
use crate::error::StoreError;
use crate::referrals::{Sealer, person_key};
use crate::sessions::Actor;
use infohus_domain::{AgencyCode, Cpr, FieldErrors, PersonId, Personal};
use sqlx::Row;
use time::OffsetDateTime;

/// An infohus that knows the person asked about: whom to contact, nothing more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownElsewhere {
    pub infohus_code: String,
    pub infohus_name: String,
}

#[derive(Debug, Clone)]
pub struct ShareRequest {
    pub id: String,
    pub from_infohus: String,
    pub person_id: String,
    pub legal_basis: String,
    pub purpose: Personal<String>,
    pub requested_by: String,
    pub requested_at: OffsetDateTime,
}

fn text(field: &str, raw: &str) -> Result<String, StoreError> {
    infohus_domain::text::required_multiline(field, Some(raw), 2_000)
        .map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))
}

impl Store {
    async fn check_basis(&self, code: &str) -> Result<(), StoreError> {
        let known = sqlx::query("SELECT 1 AS one FROM legal_bases WHERE code = $1 AND active = 1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        known.map(|_| ()).ok_or_else(|| StoreError::Invalid(FieldErrors::single("legal_basis", "invalid_choice")))
    }

    /// Whether another infohus knows a person with this CPR (coordinators). The answer names
    /// the infohuse to contact; the lookup is logged in the asking infohus (without the
    /// CPR) and, against the person, in each infohus that had a hit.
    pub async fn known_elsewhere(
        &self,
        actor: &Actor,
        cpr: &Cpr,
        now: OffsetDateTime,
    ) -> Result<Vec<KnownElsewhere>, StoreError> {
        if !actor.viewer.may_manage_cases() {
            return Err(StoreError::Forbidden);
        }
        let index = self.keys.blind_index("cpr", &cpr.compact());
        let rows = sqlx::query(
            "SELECT p.id, p.infohus_id, i.code, i.name FROM persons p JOIN infohuse i ON i.id = p.infohus_id
             WHERE p.cpr_index = $1 AND p.infohus_id <> $2 AND p.shredded_at IS NULL ORDER BY i.name",
        )
        .bind(&index)
        .bind(actor.viewer.infohus.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut log = LogBuffer::default();
        let mut hits = Vec::new();
        for row in &rows {
            let person: String = row.try_get("id")?;
            let infohus: String = row.try_get("infohus_id")?;
            log.record_in(
                actor,
                &infohus,
                now,
                vec![LogEvent {
                    action: Action::Search,
                    object_type: "person",
                    object_id: person.clone(),
                    person_id: Some(person),
                    purpose: "known_elsewhere",
                    criteria: format!("from_infohus={}", actor.viewer.infohus.as_str()),
                }],
            );
            hits.push(KnownElsewhere {
                infohus_code: row.try_get::<Option<String>, _>("code")?.unwrap_or_default(),
                infohus_name: row.try_get("name")?,
            });
        }
        let codes: Vec<&str> = hits.iter().map(|h| h.infohus_code.as_str()).collect();
        log.record(
            actor,
            now,
            vec![LogEvent {
                action: Action::Search,
                object_type: "known_elsewhere",
                object_id: String::new(),
                person_id: None,
                purpose: "known_elsewhere",
                criteria: format!("hits={}", codes.join(",")),
            }],
        );
        self.commit_log(log).await?;
        Ok(hits)
    }

    /// Asks another infohus to share what it knows about a person it holds (coordinators),
    /// on a legal basis and with a purpose. Recorded and logged on both sides.
    pub async fn request_share(
        &self,
        actor: &Actor,
        cpr: &Cpr,
        to_infohus: &AgencyCode,
        legal_basis: &str,
        purpose: &str,
        now: OffsetDateTime,
    ) -> Result<String, StoreError> {
        if !actor.viewer.may_manage_cases() {
            return Err(StoreError::Forbidden);
        }
        let purpose = text("purpose", purpose)?;
        self.check_basis(legal_basis).await?;
        let index = self.keys.blind_index("cpr", &cpr.compact());
        let (actor, to_infohus, legal_basis, keys) =
            (actor.clone(), to_infohus.clone(), legal_basis.to_owned(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let row = sqlx::query(
                    "SELECT p.id, p.infohus_id, p.data_key AS person_data_key FROM persons p JOIN infohuse i ON i.id = p.infohus_id
                     WHERE i.code = $1 AND p.cpr_index = $2 AND p.infohus_id <> $3 AND p.shredded_at IS NULL",
                )
                .bind(to_infohus.as_str())
                .bind(&index)
                .bind(actor.viewer.infohus.as_str())
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(StoreError::NotFound)?;
                let person: String = row.try_get("id")?;
                let target: String = row.try_get("infohus_id")?;
                let key = person_key(&keys, &row, &person)?;
                let id = new_id();
                sqlx::query(
                    "INSERT INTO share_requests (id, from_infohus_id, to_infohus_id, to_person_id, legal_basis, purpose,
                        requested_by, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&id)
                .bind(actor.viewer.infohus.as_str())
                .bind(&target)
                .bind(&person)
                .bind(&legal_basis)
                .bind(Sealer::new(&key, "share_requests", &id).seal("purpose", &purpose)?)
                .bind(actor.viewer.user.as_str())
                .bind(ts(now))
                .execute(&mut *conn)
                .await?;
                let criteria = format!("share_request={id};basis={legal_basis}");
                log.record_in(
                    &actor,
                    &target,
                    now,
                    vec![LogEvent {
                        action: Action::Change,
                        object_type: "share_request",
                        object_id: id.clone(),
                        person_id: Some(person),
                        purpose: "share_request",
                        criteria: criteria.clone(),
                    }],
                );
                log.record(
                    &actor,
                    now,
                    vec![LogEvent {
                        action: Action::Create,
                        object_type: "share_request",
                        object_id: id.clone(),
                        person_id: None,
                        purpose: "share_request",
                        criteria,
                    }],
                );
                Ok(id)
            })
        })
        .await
    }

    /// Requests to share that other infohuse sent to the actor's infohus (coordinators).
    pub async fn share_requests_received(
        &self,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<Vec<ShareRequest>, StoreError> {
        if !actor.viewer.may_manage_cases() {
            return Err(StoreError::Forbidden);
        }
        let rows = sqlx::query(
            "SELECT s.id, i.name AS from_name, s.to_person_id, s.legal_basis, s.purpose, u.username, s.requested_at,
                    p.data_key AS person_data_key
             FROM share_requests s JOIN infohuse i ON i.id = s.from_infohus_id JOIN users u ON u.id = s.requested_by
             JOIN persons p ON p.id = s.to_person_id
             WHERE s.to_infohus_id = $1 ORDER BY s.requested_at DESC, s.id DESC LIMIT 500",
        )
        .bind(actor.viewer.infohus.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut requests = Vec::new();
        let mut log = LogBuffer::default();
        for row in &rows {
            let id: String = row.try_get("id")?;
            let person: String = row.try_get("to_person_id")?;
            let key = person_key(&self.keys, row, &person)?;
            log.record(
                actor,
                now,
                vec![LogEvent::of(Action::Read, "share_request", id.clone(), Some(person.clone()), "share_request")],
            );
            requests.push(ShareRequest {
                purpose: Personal::new(
                    Sealer::new(&key, "share_requests", &id).column(row, "purpose")?.unwrap_or_default(),
                ),
                from_infohus: row.try_get("from_name")?,
                person_id: person,
                legal_basis: row.try_get("legal_basis")?,
                requested_by: row.try_get("username")?,
                requested_at: parse_ts(&row.try_get::<String, _>("requested_at")?)?,
                id,
            });
        }
        self.commit_log(log).await?;
        Ok(requests)
    }

    /// Moves a person, with their referrals and cases, to another infohus when they move
    /// (coordinators of the person's infohus). The receiving infohus chooses its own
    /// participants; notes stay owned by the agencies that wrote them. Recorded as a
    /// transfer on a legal basis and logged on both sides.
    pub async fn transfer_person(
        &self,
        actor: &Actor,
        person: &PersonId,
        to_infohus: &AgencyCode,
        legal_basis: &str,
        purpose: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        if !actor.viewer.may_manage_cases() {
            return Err(if actor.viewer.may_submit_referral() { StoreError::Forbidden } else { StoreError::NotFound });
        }
        let purpose = text("purpose", purpose)?;
        self.check_basis(legal_basis).await?;
        let (actor, person, to_infohus, legal_basis, keys) =
            (actor.clone(), person.clone(), to_infohus.clone(), legal_basis.to_owned(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let row = sqlx::query(
                    "SELECT id, cpr_index, data_key AS person_data_key FROM persons WHERE id = $1 AND infohus_id = $2",
                )
                .bind(person.as_str())
                .bind(actor.viewer.infohus.as_str())
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(StoreError::NotFound)?;
                let target: String = sqlx::query("SELECT id FROM infohuse WHERE code = $1")
                    .bind(to_infohus.as_str())
                    .fetch_optional(&mut *conn)
                    .await?
                    .map(|r| r.try_get("id"))
                    .transpose()?
                    .ok_or_else(|| StoreError::Invalid(FieldErrors::single("to_infohus", "unknown_infohus")))?;
                if target == actor.viewer.infohus.as_str() {
                    return Err(StoreError::Invalid(FieldErrors::single("to_infohus", "same_infohus")));
                }
                if let Some(index) = row.try_get::<Option<String>, _>("cpr_index")? {
                    let there = sqlx::query("SELECT 1 AS one FROM persons WHERE infohus_id = $1 AND cpr_index = $2")
                        .bind(&target)
                        .bind(&index)
                        .fetch_optional(&mut *conn)
                        .await?;
                    if there.is_some() {
                        return Err(StoreError::Conflict("known_in_target"));
                    }
                }
                let key = person_key(&keys, &row, person.as_str())?;
                let p = person.as_str();
                // The other infohus chooses who takes part; nobody here keeps access.
                for sql in [
                    "DELETE FROM referral_agencies WHERE referral_id IN (SELECT id FROM referrals WHERE person_id = $1)",
                    "DELETE FROM case_agencies WHERE case_id IN (SELECT id FROM cases WHERE person_id = $1)",
                    "UPDATE referrals SET suggested_person_id = NULL WHERE person_id = $1 OR suggested_person_id = $1",
                ] {
                    sqlx::query(sql).bind(p).execute(&mut *conn).await?;
                }
                for table in ["persons", "referrals", "cases", "disclosures", "break_glass", "assessments", "interventions"] {
                    let column = if table == "persons" { "id" } else { "person_id" };
                    // Safe: constant table and column names; values are bound.
                    sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {table} SET infohus_id = $1 WHERE {column} = $2")))
                        .bind(&target)
                        .bind(p)
                        .execute(&mut *conn)
                        .await?;
                }
                for sql in [
                    "UPDATE tasks SET infohus_id = $1 WHERE case_id IN (SELECT id FROM cases WHERE person_id = $2)",
                    "UPDATE release_notices SET infohus_id = $1 WHERE case_id IN (SELECT id FROM cases WHERE person_id = $2)",
                    "UPDATE screening_outcomes SET infohus_id = $1
                     WHERE referral_id IN (SELECT id FROM referrals WHERE person_id = $2)",
                ] {
                    sqlx::query(sql).bind(&target).bind(p).execute(&mut *conn).await?;
                }
                let id = new_id();
                sqlx::query(
                    "INSERT INTO transfers (id, person_id, from_infohus_id, to_infohus_id, legal_basis, purpose,
                        transferred_by, transferred_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&id)
                .bind(p)
                .bind(actor.viewer.infohus.as_str())
                .bind(&target)
                .bind(&legal_basis)
                .bind(Sealer::new(&key, "transfers", &id).seal("purpose", &purpose)?)
                .bind(actor.viewer.user.as_str())
                .bind(ts(now))
                .execute(&mut *conn)
                .await?;
                let criteria = format!("transfer={id};basis={legal_basis}");
                let event = |action| LogEvent {
                    action,
                    object_type: "person",
                    object_id: p.to_owned(),
                    person_id: Some(p.to_owned()),
                    purpose: "transfer",
                    criteria: criteria.clone(),
                };
                log.record(&actor, now, vec![event(Action::Export)]);
                log.record_in(&actor, &target, now, vec![event(Action::Create)]);
                Ok(())
            })
        })
        .await
    }
}
