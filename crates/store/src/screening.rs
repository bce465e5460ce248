//! Screening (visitation): the coordinator asks agencies to check their own registers,
//! each asked agency records what it found, and the coordinator decides the outcome.
//! Every function reaches the referral through the referral policy and logs its use.

use crate::access_log::{Action, LogBuffer, LogEvent};
use crate::cases::{AgencyRef, agency_by_code, open_case_in};
use crate::db::{Store, parse_ts, ts};
use crate::error::StoreError;
use crate::keys::Keys;
use crate::referrals::{Sealer, person_key};
use crate::sessions::Actor;
use infohus_domain::casework::{CheckResult, OtherService, ScreeningOutcome};
use infohus_domain::{AgencyCode, AgencyId, AgencyKind, CaseId, FieldErrors, Personal, ReferralId, ReferralStatus};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;

const MAX_CHECK_NOTE_CHARS: usize = 5_000;
const MAX_REPLY_CHARS: usize = 2_000;
const MAX_REFERENCE_CHARS: usize = 200;

/// One agency's register check.
#[derive(Debug, Clone)]
pub struct CheckView {
    pub agency: AgencyRef,
    pub requested_at: OffsetDateTime,
    pub result: Option<CheckResult>,
    /// Shown to the checking agency and to coordinators only.
    pub note: Option<Personal<String>>,
    pub checked_by: Option<String>,
    pub checked_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct OutcomeView {
    pub outcome: ScreeningOutcome,
    /// The plain-language reply to the referrer (no concern): coordinators and the referrer.
    pub reply: Option<Personal<String>>,
    pub service: Option<OtherService>,
    pub service_note: Option<Personal<String>>,
    pub handover_agency: Option<AgencyRef>,
    /// The police's reference for a hand-over: coordinators and the receiving agency.
    pub handover_reference: Option<Personal<String>>,
    pub decided_by: String,
    pub decided_at: OffsetDateTime,
    pub case_id: Option<CaseId>,
}

#[derive(Debug, Clone)]
pub struct ScreeningView {
    pub referral_id: ReferralId,
    pub status: ReferralStatus,
    pub received_at: OffsetDateTime,
    pub checks: Vec<CheckView>,
    pub outcome: Option<OutcomeView>,
}

/// The coordinator's decision. Validated into this shape before it reaches the store.
#[derive(Debug, Clone)]
pub enum Decision {
    NoConcern { reply: String },
    PreventionCase { lead: AgencyCode, agencies: Vec<AgencyCode> },
    SecurityMatter { police: AgencyCode, reference: String },
    OtherService { service: OtherService, note: String },
}

impl Decision {
    pub fn outcome(&self) -> ScreeningOutcome {
        match self {
            Decision::NoConcern { .. } => ScreeningOutcome::NoConcern,
            Decision::PreventionCase { .. } => ScreeningOutcome::PreventionCase,
            Decision::SecurityMatter { .. } => ScreeningOutcome::SecurityMatter,
            Decision::OtherService { .. } => ScreeningOutcome::OtherService,
        }
    }
}

fn text(field: &str, raw: &str, max: usize) -> Result<String, StoreError> {
    infohus_domain::text::required_multiline(field, Some(raw), max)
        .map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))
}

/// The referral row with what the policy and the sealer need, or `NotFound` when the
/// actor may not see it.
pub(crate) async fn load_referral(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<AnyRow, StoreError> {
    let row = sqlx::query(
        "SELECT r.id, r.infohus_id, r.submitted_by, r.status, r.person_id, r.received_at,
                p.data_key AS person_data_key
         FROM referrals r JOIN persons p ON p.id = r.person_id WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    if !Store::admits(conn, actor, &row).await? {
        return Err(StoreError::NotFound);
    }
    Ok(row)
}

fn status_of(row: &AnyRow) -> Result<ReferralStatus, StoreError> {
    ReferralStatus::parse(&row.try_get::<String, _>("status")?).ok_or(StoreError::Corrupt("referral status"))
}

async fn asked_agencies(conn: &mut AnyConnection, referral: &str) -> Result<Vec<AgencyId>, StoreError> {
    sqlx::query("SELECT agency_id FROM screening_checks WHERE referral_id = $1")
        .bind(referral)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| AgencyId::parse(&r.try_get::<String, _>("agency_id")?).ok_or(StoreError::Corrupt("agency id")))
        .collect()
}

impl Store {
    /// Asks agencies to check their registers (coordinators). Asked agencies see the
    /// referral from then on; asking an agency twice changes nothing.
    pub async fn request_checks(
        &self,
        actor: &Actor,
        referral: &ReferralId,
        agencies: &[AgencyCode],
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        if agencies.is_empty() {
            return Err(StoreError::Invalid(FieldErrors::single("agencies", "required")));
        }
        let (actor, referral, agencies) = (actor.clone(), referral.clone(), agencies.to_vec());
        self.write(move |conn, log| {
            Box::pin(async move {
                let row = load_referral(conn, &actor, referral.as_str()).await?;
                if !actor.viewer.may_decide_screening() {
                    return Err(StoreError::Forbidden);
                }
                if !status_of(&row)?.awaits_screening() {
                    return Err(StoreError::Conflict("screening_decided"));
                }
                let asked = asked_agencies(conn, referral.as_str()).await?;
                let mut added = Vec::new();
                for code in &agencies {
                    let agency = agency_by_code(conn, &actor.viewer.infohus, code).await?;
                    if asked.iter().any(|a| a.as_str() == agency.id) || added.contains(&agency.id) {
                        continue;
                    }
                    sqlx::query(
                        "INSERT INTO screening_checks (referral_id, agency_id, requested_by, requested_at)
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(referral.as_str())
                    .bind(&agency.id)
                    .bind(actor.viewer.user.as_str())
                    .bind(ts(now))
                    .execute(&mut *conn)
                    .await?;
                    sqlx::query(
                        "INSERT INTO referral_agencies (referral_id, agency_id, since) SELECT $1, $2, $3
                         WHERE NOT EXISTS (SELECT 1 FROM referral_agencies WHERE referral_id = $1 AND agency_id = $2)",
                    )
                    .bind(referral.as_str())
                    .bind(&agency.id)
                    .bind(ts(now))
                    .execute(&mut *conn)
                    .await?;
                    added.push(agency.id);
                }
                sqlx::query("UPDATE referrals SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
                    .bind(ReferralStatus::Screening.as_str())
                    .bind(ts(now))
                    .bind(referral.as_str())
                    .bind(ReferralStatus::Received.as_str())
                    .execute(&mut *conn)
                    .await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent {
                        action: Action::Change,
                        object_type: "referral",
                        object_id: referral.as_str().to_owned(),
                        person_id: Some(row.try_get("person_id")?),
                        purpose: "screening_request",
                        criteria: format!("agencies={}", added.join(",")),
                    }],
                );
                Ok(())
            })
        })
        .await
    }

    /// Records the actor's agency's register check. A check can be recorded again until
    /// the screening is decided (the last one counts).
    pub async fn record_check(
        &self,
        actor: &Actor,
        referral: &ReferralId,
        result: CheckResult,
        note: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let note = infohus_domain::text::optional_multiline("note", Some(note), MAX_CHECK_NOTE_CHARS)
            .map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))?;
        let (actor, referral, keys) = (actor.clone(), referral.clone(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let row = load_referral(conn, &actor, referral.as_str()).await?;
                let asked = asked_agencies(conn, referral.as_str()).await?;
                if !actor.viewer.may_record_check(&asked) {
                    return Err(StoreError::Forbidden);
                }
                if !status_of(&row)?.awaits_screening() {
                    return Err(StoreError::Conflict("screening_decided"));
                }
                let person: String = row.try_get("person_id")?;
                let key = person_key(&keys, &row, &person)?;
                let row_id = format!("{}/{}", referral.as_str(), actor.viewer.agency.as_str());
                let sealed = Sealer::new(&key, "screening_checks", &row_id).seal_opt("note", note)?;
                sqlx::query(
                    "UPDATE screening_checks SET result = $1, note = $2, checked_by = $3, checked_at = $4
                     WHERE referral_id = $5 AND agency_id = $6",
                )
                .bind(result.as_str())
                .bind(sealed)
                .bind(actor.viewer.user.as_str())
                .bind(ts(now))
                .bind(referral.as_str())
                .bind(actor.viewer.agency.as_str())
                .execute(&mut *conn)
                .await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent {
                        action: Action::Create,
                        object_type: "screening_check",
                        object_id: row_id,
                        person_id: Some(person),
                        purpose: "screening",
                        criteria: format!("result={}", result.as_str()),
                    }],
                );
                Ok(())
            })
        })
        .await
    }

    /// The screening of a referral as the actor may see it.
    pub async fn screening(
        &self,
        actor: &Actor,
        referral: &ReferralId,
        now: OffsetDateTime,
    ) -> Result<ScreeningView, StoreError> {
        let mut log = LogBuffer::default();
        let view = {
            let mut conn = self.pool.acquire().await?;
            screening_in(&mut conn, &self.keys, &mut log, actor, referral, now).await?
        };
        self.commit_log(log).await?;
        Ok(view)
    }

    /// Decides the screening (coordinators). A prevention case opens a case and returns
    /// its id; a security matter keeps only the hand-over record: the referral's account
    /// of the concern, the referrer's contact details and the check notes are removed.
    pub async fn decide_screening(
        &self,
        actor: &Actor,
        referral: &ReferralId,
        decision: Decision,
        now: OffsetDateTime,
    ) -> Result<Option<CaseId>, StoreError> {
        let (actor, referral, keys) = (actor.clone(), referral.clone(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let row = load_referral(conn, &actor, referral.as_str()).await?;
                if !actor.viewer.may_decide_screening() {
                    return Err(StoreError::Forbidden);
                }
                if !status_of(&row)?.awaits_screening() {
                    return Err(StoreError::Conflict("screening_decided"));
                }
                let person: String = row.try_get("person_id")?;
                let key = person_key(&keys, &row, &person)?;
                let sealer = Sealer::new(&key, "screening_outcomes", referral.as_str());
                let outcome = decision.outcome();
                let (mut reply, mut service, mut service_note, mut handover, mut reference) =
                    (None, None, None, None, None);
                let mut case = None;
                let status = match decision {
                    Decision::NoConcern { reply: text_in } => {
                        reply = Some(sealer.seal("reply", &text("reply", &text_in, MAX_REPLY_CHARS)?)?);
                        ReferralStatus::NoConcern
                    }
                    Decision::OtherService { service: chosen, note } => {
                        service = Some(chosen.as_str());
                        let note = infohus_domain::text::optional_multiline("note", Some(&note), MAX_REPLY_CHARS)
                            .map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))?;
                        service_note = sealer.seal_opt("service_note", note)?;
                        ReferralStatus::OtherService
                    }
                    Decision::SecurityMatter { police, reference: text_in } => {
                        let agency = agency_by_code(conn, &actor.viewer.infohus, &police).await?;
                        let kind: String = sqlx::query("SELECT kind FROM agencies WHERE id = $1")
                            .bind(&agency.id)
                            .fetch_one(&mut *conn)
                            .await?
                            .try_get("kind")?;
                        if AgencyKind::parse(&kind) != Some(AgencyKind::Police) {
                            return Err(StoreError::Invalid(FieldErrors::single("police_agency", "not_police")));
                        }
                        let text_in = text("reference", &text_in, MAX_REFERENCE_CHARS)?;
                        reference = Some(sealer.seal("handover_reference", &text_in)?);
                        handover = Some(agency.id);
                        strip_to_handover_record(conn, &key, referral.as_str()).await?;
                        ReferralStatus::SecurityMatter
                    }
                    Decision::PreventionCase { lead, agencies } => {
                        case = Some(open_case_in(conn, log, &actor, &referral, &lead, &agencies, now).await?);
                        ReferralStatus::PreventionCase
                    }
                };
                if case.is_none() {
                    sqlx::query(
                        "INSERT INTO screening_outcomes (referral_id, infohus_id, outcome, reply, service, service_note,
                            handover_agency_id, handover_reference, decided_by, decided_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(referral.as_str())
                    .bind(actor.viewer.infohus.as_str())
                    .bind(outcome.as_str())
                    .bind(reply)
                    .bind(service)
                    .bind(service_note)
                    .bind(handover.clone())
                    .bind(reference)
                    .bind(actor.viewer.user.as_str())
                    .bind(ts(now))
                    .execute(&mut *conn)
                    .await?;
                    sqlx::query("UPDATE referrals SET status = $1, updated_at = $2 WHERE id = $3")
                        .bind(status.as_str())
                        .bind(ts(now))
                        .bind(referral.as_str())
                        .execute(&mut *conn)
                        .await?;
                }
                let mut criteria = format!("outcome={}", outcome.as_str());
                if let Some(agency) = &handover {
                    criteria.push_str(&format!(";handover_to={agency}"));
                }
                log.record(
                    &actor,
                    now,
                    vec![LogEvent {
                        action: Action::Change,
                        object_type: "referral",
                        object_id: referral.as_str().to_owned(),
                        person_id: Some(person),
                        purpose: "screening_outcome",
                        criteria,
                    }],
                );
                Ok(case)
            })
        })
        .await
    }
}

/// Records the outcome row for a referral that became a prevention case (used by
/// `open_case_in`, whether the case was opened from the screening or directly).
pub(crate) async fn record_prevention_outcome(
    conn: &mut AnyConnection,
    actor: &Actor,
    referral: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO screening_outcomes (referral_id, infohus_id, outcome, decided_by, decided_at)
         SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM screening_outcomes WHERE referral_id = $1)",
    )
    .bind(referral)
    .bind(actor.viewer.infohus.as_str())
    .bind(ScreeningOutcome::PreventionCase.as_str())
    .bind(actor.viewer.user.as_str())
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// After a hand-over to the police the infohus keeps who and when, not what: the account
/// of the concern is replaced by an empty sealed text, the referrer's contact details and
/// the agencies' check notes are removed.
async fn strip_to_handover_record(
    conn: &mut AnyConnection,
    key: &crate::crypto::DataKey,
    referral: &str,
) -> Result<(), StoreError> {
    let empty = Sealer::new(key, "referrals", referral).seal("description", "")?;
    sqlx::query(
        "UPDATE referrals SET description = $1, referrer_name = NULL, referrer_organisation = NULL,
            referrer_phone = NULL, referrer_email = NULL WHERE id = $2",
    )
    .bind(empty)
    .bind(referral)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE screening_checks SET note = NULL WHERE referral_id = $1")
        .bind(referral)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn screening_in(
    conn: &mut AnyConnection,
    keys: &Keys,
    log: &mut LogBuffer,
    actor: &Actor,
    referral: &ReferralId,
    now: OffsetDateTime,
) -> Result<ScreeningView, StoreError> {
    let row = load_referral(conn, actor, referral.as_str()).await?;
    let person: String = row.try_get("person_id")?;
    let key = person_key(keys, &row, &person)?;
    let rows = sqlx::query(
        "SELECT s.agency_id, a.code, a.name, s.requested_at, s.result, s.note, u.username AS checked_by, s.checked_at
         FROM screening_checks s JOIN agencies a ON a.id = s.agency_id LEFT JOIN users u ON u.id = s.checked_by
         WHERE s.referral_id = $1 ORDER BY a.name",
    )
    .bind(referral.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let mut checks = Vec::new();
    for r in &rows {
        let agency_id: String = r.try_get("agency_id")?;
        let agency = AgencyId::parse(&agency_id).ok_or(StoreError::Corrupt("agency id"))?;
        let note = if actor.viewer.may_read_check_note(&agency) {
            let row_id = format!("{}/{agency_id}", referral.as_str());
            Sealer::new(&key, "screening_checks", &row_id).column(r, "note")?.map(Personal::new)
        } else {
            None
        };
        checks.push(CheckView {
            agency: AgencyRef { id: agency_id, code: r.try_get("code")?, name: r.try_get("name")? },
            requested_at: parse_ts(&r.try_get::<String, _>("requested_at")?)?,
            result: r.try_get::<Option<String>, _>("result")?.as_deref().and_then(CheckResult::parse),
            note,
            checked_by: r.try_get("checked_by")?,
            checked_at: r.try_get::<Option<String>, _>("checked_at")?.as_deref().map(parse_ts).transpose()?,
        });
    }
    let outcome = match sqlx::query(
        "SELECT o.outcome, o.reply, o.service, o.service_note, o.handover_agency_id, a.code AS handover_code,
                a.name AS handover_name, o.handover_reference, u.username AS decided_by, o.decided_at, c.id AS case_id
         FROM screening_outcomes o JOIN users u ON u.id = o.decided_by
         LEFT JOIN agencies a ON a.id = o.handover_agency_id LEFT JOIN cases c ON c.referral_id = o.referral_id
         WHERE o.referral_id = $1",
    )
    .bind(referral.as_str())
    .fetch_optional(&mut *conn)
    .await?
    {
        None => None,
        Some(o) => {
            let sealer = Sealer::new(&key, "screening_outcomes", referral.as_str());
            let coordinator = actor.viewer.may_decide_screening();
            let referrer = row.try_get::<String, _>("submitted_by")? == actor.viewer.user.as_str();
            let handover_id: Option<String> = o.try_get("handover_agency_id")?;
            let receiving = handover_id.as_deref() == Some(actor.viewer.agency.as_str());
            Some(OutcomeView {
                outcome: ScreeningOutcome::parse(&o.try_get::<String, _>("outcome")?)
                    .ok_or(StoreError::Corrupt("screening outcome"))?,
                reply: if coordinator || referrer { sealer.column(&o, "reply")?.map(Personal::new) } else { None },
                service: o.try_get::<Option<String>, _>("service")?.as_deref().and_then(OtherService::parse),
                service_note: if coordinator { sealer.column(&o, "service_note")?.map(Personal::new) } else { None },
                handover_agency: match handover_id {
                    Some(id) => {
                        Some(AgencyRef { id, code: o.try_get("handover_code")?, name: o.try_get("handover_name")? })
                    }
                    None => None,
                },
                handover_reference: if coordinator || receiving {
                    sealer.column(&o, "handover_reference")?.map(Personal::new)
                } else {
                    None
                },
                decided_by: o.try_get("decided_by")?,
                decided_at: parse_ts(&o.try_get::<String, _>("decided_at")?)?,
                case_id: o.try_get::<Option<String>, _>("case_id")?.as_deref().and_then(CaseId::parse),
            })
        }
    };
    log.record(
        actor,
        now,
        vec![LogEvent::of(Action::Read, "referral", referral.as_str().to_owned(), Some(person), "screening")],
    );
    Ok(ScreeningView {
        referral_id: referral.clone(),
        status: status_of(&row)?,
        received_at: parse_ts(&row.try_get::<String, _>("received_at")?)?,
        checks,
        outcome,
    })
}
