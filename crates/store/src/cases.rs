//! Cases and their records: participating agencies, notes owned by the agency that wrote
//! them, disclosures to other agencies on a legal basis, and break-glass grants. Every
//! function decides access with the domain policy and logs its use of personal data.

use crate::access_log::{Action, LogBuffer, LogEvent};
use crate::crypto::DataKey;
use crate::db::{Store, new_id, parse_ts, ts};
use crate::error::StoreError;
use crate::keys::Keys;
use crate::lifecycle::{EventRecord, ensure_open, record_event};
use crate::referrals::{Sealer, person_key};
use crate::sessions::Actor;
use infohus_domain::casework::ClosureReason;
use infohus_domain::policy::{CaseAccess, CaseFacts, RecordFacts};
use infohus_domain::{
    AgencyCode, AgencyId, CaseId, FieldErrors, InfohusId, LegalBasisScope, NoteId, PersonId, Personal, ReferralId,
    ReferralStatus, Sensitivities,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};

/// How long a break-glass grant lasts.
pub const BREAK_GLASS_DURATION: Duration = Duration::hours(1);
const MAX_NOTE_CHARS: usize = 20_000;
const MAX_PURPOSE_CHARS: usize = 2_000;
const MAX_REASON_CHARS: usize = 2_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyRef {
    pub id: String,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct NoteView {
    pub id: NoteId,
    pub owner_agency: AgencyRef,
    pub author: String,
    pub sensitivity: Sensitivities,
    pub body: Personal<String>,
    pub created_at: OffsetDateTime,
    /// Agencies it was disclosed to; shown to the owning agency only.
    pub disclosed_to: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct CaseView {
    pub id: CaseId,
    pub person_id: PersonId,
    pub referral_id: ReferralId,
    pub status: String,
    pub lead_agency: AgencyRef,
    pub agencies: Vec<AgencyRef>,
    pub opened_at: OffsetDateTime,
    pub closed_at: Option<OffsetDateTime>,
    pub closed_reason: Option<ClosureReason>,
    /// True when the viewer sees this case through break glass.
    pub break_glass: bool,
    pub notes: Vec<NoteView>,
    pub assessments: Vec<crate::assessments::AssessmentSummary>,
    pub interventions: Vec<crate::interventions::InterventionView>,
    pub tasks: Vec<crate::tasks::TaskView>,
    pub timeline: Vec<crate::lifecycle::TimelineEntry>,
    /// The expected release from prison, when the Prison and Probation Service recorded one.
    pub release_on: Option<time::Date>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalBasis {
    pub code: String,
    pub label: String,
    pub covers_special_category: bool,
    pub covers_criminal_offence: bool,
}

#[derive(Debug, Clone)]
pub struct BreakGlassGrant {
    pub id: String,
    pub case_id: CaseId,
    pub expires_at: OffsetDateTime,
}

fn text_field(field: &str, raw: &str, max: usize) -> Result<String, StoreError> {
    infohus_domain::text::required_multiline(field, Some(raw), max)
        .map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))
}

pub(crate) async fn agency_by_code(
    conn: &mut AnyConnection,
    infohus: &InfohusId,
    code: &AgencyCode,
) -> Result<AgencyRef, StoreError> {
    let row = sqlx::query("SELECT id, code, name FROM agencies WHERE infohus_id = $1 AND code = $2")
        .bind(infohus.as_str())
        .bind(code.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::Invalid(FieldErrors::single("agency", "unknown_agency")))?;
    Ok(AgencyRef { id: row.try_get("id")?, code: row.try_get("code")?, name: row.try_get("name")? })
}

/// A case row with what the policy needs, and the person's data key.
pub(crate) struct CaseRow {
    pub(crate) row: AnyRow,
    pub(crate) agencies: Vec<AgencyRef>,
    pub(crate) access: CaseAccess,
}

/// A case row with the actor's access to it decided, which may be `CaseAccess::None`:
/// for records reached another way (a mentor's intervention). `NotFound` if no such case.
pub(crate) async fn load_case_with_access(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
    now: OffsetDateTime,
) -> Result<CaseRow, StoreError> {
    let row = sqlx::query(
        "SELECT c.id, c.infohus_id, c.person_id, c.referral_id, c.status, c.opened_at, c.closed_at, c.closed_reason,
                c.lead_agency_id,
                la.code AS lead_code, la.name AS lead_name, p.data_key AS person_data_key
         FROM cases c JOIN agencies la ON la.id = c.lead_agency_id JOIN persons p ON p.id = c.person_id
         WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let agencies: Vec<AgencyRef> = sqlx::query(
        "SELECT a.id, a.code, a.name FROM case_agencies ca JOIN agencies a ON a.id = ca.agency_id
         WHERE ca.case_id = $1 ORDER BY a.name",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok(AgencyRef { id: r.try_get("id")?, code: r.try_get("code")?, name: r.try_get("name")? }))
    .collect::<Result<_, StoreError>>()?;
    let break_glass =
        sqlx::query("SELECT 1 AS one FROM break_glass WHERE case_id = $1 AND user_id = $2 AND expires_at > $3")
            .bind(id)
            .bind(actor.viewer.user.as_str())
            .bind(ts(now))
            .fetch_optional(&mut *conn)
            .await?
            .is_some();
    let infohus =
        InfohusId::parse(&row.try_get::<String, _>("infohus_id")?).ok_or(StoreError::Corrupt("infohus id"))?;
    let ids: Vec<AgencyId> = agencies.iter().filter_map(|a| AgencyId::parse(&a.id)).collect();
    let access = actor.viewer.case_access(CaseFacts { infohus: &infohus, participating_agencies: &ids, break_glass });
    Ok(CaseRow { row, agencies, access })
}

/// A case the actor reaches as a participant or through break glass; `NotFound` otherwise.
pub(crate) async fn load_case(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
    now: OffsetDateTime,
) -> Result<CaseRow, StoreError> {
    let case = load_case_with_access(conn, actor, id, now).await?;
    if case.access == CaseAccess::None {
        return Err(StoreError::NotFound);
    }
    Ok(case)
}

impl CaseRow {
    pub(crate) fn string(&self, column: &str) -> Result<String, StoreError> {
        Ok(self.row.try_get(column)?)
    }

    pub(crate) fn data_key(&self, keys: &Keys) -> Result<DataKey, StoreError> {
        person_key(keys, &self.row, &self.string("person_id")?)
    }

    pub(crate) fn purpose(&self) -> &'static str {
        if self.access == CaseAccess::BreakGlass { "break_glass" } else { "case_view" }
    }
}

/// The kinds of record an agency owns and may disclose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Note,
    Assessment,
    Intervention,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Note => "note",
            RecordKind::Assessment => "assessment",
            RecordKind::Intervention => "intervention",
        }
    }

    /// The case, owner and sensitivity of one record. Assessments record political and
    /// religious convictions by their nature, so they always count as special-category data.
    fn select_facts(self) -> &'static str {
        match self {
            RecordKind::Note => "SELECT case_id, owner_agency_id, sensitivity FROM case_notes WHERE id = $1",
            RecordKind::Assessment => {
                "SELECT case_id, owner_agency_id, 'political_opinion,religion' AS sensitivity FROM assessments WHERE id = $1"
            }
            RecordKind::Intervention => "SELECT case_id, owner_agency_id, sensitivity FROM interventions WHERE id = $1",
        }
    }
}

pub(crate) async fn disclosed_to(
    conn: &mut AnyConnection,
    kind: &str,
    record: &str,
) -> Result<Vec<(AgencyId, String)>, StoreError> {
    sqlx::query(
        "SELECT d.to_agency_id, a.code FROM disclosures d JOIN agencies a ON a.id = d.to_agency_id
         WHERE d.record_type = $1 AND d.record_id = $2 ORDER BY a.code",
    )
    .bind(kind)
    .bind(record)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let id = AgencyId::parse(&r.try_get::<String, _>("to_agency_id")?).ok_or(StoreError::Corrupt("agency id"))?;
        Ok((id, r.try_get("code")?))
    })
    .collect()
}

/// Every note of a case disclosed to another agency, with the receivers as `disclosed_to`
/// gives them for one note: one query for the whole case instead of one per note.
async fn note_disclosures_of_case(
    conn: &mut AnyConnection,
    case: &str,
) -> Result<HashMap<String, Vec<(AgencyId, String)>>, StoreError> {
    let rows = sqlx::query(
        "SELECT d.record_id, d.to_agency_id, a.code FROM disclosures d JOIN agencies a ON a.id = d.to_agency_id
         WHERE d.case_id = $1 AND d.record_type = 'note' ORDER BY a.code",
    )
    .bind(case)
    .fetch_all(&mut *conn)
    .await?;
    let mut map: HashMap<String, Vec<(AgencyId, String)>> = HashMap::new();
    for r in &rows {
        let to = AgencyId::parse(&r.try_get::<String, _>("to_agency_id")?).ok_or(StoreError::Corrupt("agency id"))?;
        map.entry(r.try_get("record_id")?).or_default().push((to, r.try_get("code")?));
    }
    Ok(map)
}

impl Store {
    /// The configured legal bases for disclosures, in display order.
    pub async fn legal_bases(&self) -> Result<Vec<LegalBasis>, StoreError> {
        let rows = sqlx::query(
            "SELECT code, label, covers_special_category, covers_criminal_offence FROM legal_bases
             WHERE active = 1 ORDER BY sort_order, code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LegalBasis {
                    code: r.try_get("code")?,
                    label: r.try_get("label")?,
                    covers_special_category: r.try_get::<i64, _>("covers_special_category")? != 0,
                    covers_criminal_offence: r.try_get::<i64, _>("covers_criminal_offence")? != 0,
                })
            })
            .collect()
    }

    /// Adds a legal basis to the configured list (admins).
    pub async fn add_legal_basis(
        &self,
        actor: &Actor,
        basis: LegalBasis,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        if !actor.viewer.may_configure() {
            return Err(StoreError::Forbidden);
        }
        let mut errors = FieldErrors::default();
        if infohus_domain::AgencyCode::parse(&basis.code).is_none() {
            errors.push("code", "invalid_code");
        }
        let label = infohus_domain::text::required_line("label", Some(&basis.label), 200);
        if let Err(e) = &label {
            errors.0.push(e.clone());
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let label = label.map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))?;
        self.write(move |conn, _log| {
            Box::pin(async move {
                let exists = sqlx::query("SELECT 1 AS one FROM legal_bases WHERE code = $1")
                    .bind(&basis.code)
                    .fetch_optional(&mut *conn)
                    .await?;
                if exists.is_some() {
                    return Err(StoreError::Conflict("legal_basis_exists"));
                }
                sqlx::query(
                    "INSERT INTO legal_bases (code, label, covers_special_category, covers_criminal_offence, sort_order, created_at)
                     VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM legal_bases), $5)",
                )
                .bind(basis.code)
                .bind(label)
                .bind(i64::from(basis.covers_special_category))
                .bind(i64::from(basis.covers_criminal_offence))
                .bind(ts(now))
                .execute(&mut *conn)
                .await?;
                Ok(())
            })
        })
        .await
    }

    /// Opens a case for a referral (coordinators), with its lead and participating agencies.
    /// Members of those agencies may then see the referral and the case.
    pub async fn open_case(
        &self,
        actor: &Actor,
        referral: &ReferralId,
        lead: &AgencyCode,
        participants: &[AgencyCode],
        now: OffsetDateTime,
    ) -> Result<CaseId, StoreError> {
        if !actor.viewer.may_manage_cases() {
            // Whether the referral exists is not revealed to those who cannot see it.
            return Err(if actor.viewer.may_submit_referral() { StoreError::Forbidden } else { StoreError::NotFound });
        }
        let (actor, referral, lead, participants) =
            (actor.clone(), referral.clone(), lead.clone(), participants.to_vec());
        self.write(move |conn, log| {
            Box::pin(async move { open_case_in(conn, log, &actor, &referral, &lead, &participants, now).await })
        })
        .await
    }

    /// Adds a participating agency to a case (coordinators).
    pub async fn add_case_agency(
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
                let agency = agency_by_code(conn, &actor.viewer.infohus, &agency).await?;
                if loaded.agencies.contains(&agency) {
                    return Err(StoreError::Conflict("already_participating"));
                }
                ensure_open(&loaded)?;
                add_participant(conn, case.as_str(), &loaded.string("referral_id")?, &agency.id, now).await?;
                record_event(conn, &actor, case.as_str(), "agency_added", None, &agency.code, now).await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent {
                        action: Action::Change,
                        object_type: "case",
                        object_id: case.as_str().to_owned(),
                        person_id: Some(loaded.string("person_id")?),
                        purpose: "case_participation",
                        criteria: format!("agency={}", agency.id),
                    }],
                );
                Ok(())
            })
        })
        .await
    }

    /// A case with the records the actor may read. `NotFound` when they may not see it.
    pub async fn case(&self, actor: &Actor, id: &CaseId, now: OffsetDateTime) -> Result<CaseView, StoreError> {
        let mut log = LogBuffer::default();
        let view = {
            let mut conn = self.pool.acquire().await?;
            case_in(&mut conn, &self.keys, &mut log, actor, id, now).await?
        };
        self.commit_log(log).await?;
        Ok(view)
    }

    /// Writes a note on a case, owned by the actor's agency.
    pub async fn add_note(
        &self,
        actor: &Actor,
        case: &CaseId,
        body: &str,
        sensitivity: Sensitivities,
        now: OffsetDateTime,
    ) -> Result<NoteId, StoreError> {
        let body = text_field("body", body, MAX_NOTE_CHARS)?;
        let (actor, case, keys) = (actor.clone(), case.clone(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let loaded = load_case(conn, &actor, case.as_str(), now).await?;
                if !actor.viewer.may_write_record(loaded.access) {
                    return Err(StoreError::Forbidden);
                }
                let key = loaded.data_key(&keys)?;
                let id = new_id();
                sqlx::query(
                    "INSERT INTO case_notes (id, case_id, owner_agency_id, author_user_id, sensitivity, body, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&id)
                .bind(case.as_str())
                .bind(actor.viewer.agency.as_str())
                .bind(actor.viewer.user.as_str())
                .bind(sensitivity.to_stored())
                .bind(Sealer::new(&key, "case_notes", &id).seal("body", &body)?)
                .bind(ts(now))
                .execute(&mut *conn)
                .await?;
                let record = EventRecord { kind: "note", id: &id, owner: actor.viewer.agency.as_str() };
                record_event(conn, &actor, case.as_str(), "note_added", Some(record), "", now).await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent {
                        action: Action::Create,
                        object_type: "note",
                        object_id: id.clone(),
                        person_id: Some(loaded.string("person_id")?),
                        purpose: "case_note",
                        criteria: format!("sensitivity={}", sensitivity.to_stored()),
                    }],
                );
                NoteId::parse(&id).ok_or(StoreError::Corrupt("note id"))
            })
        })
        .await
    }

    /// Discloses a note to another agency on a legal basis that covers its sensitivity.
    /// Only the owning agency discloses; the disclosure is recorded and logged.
    pub async fn disclose_note(
        &self,
        actor: &Actor,
        note: &NoteId,
        to: &AgencyCode,
        legal_basis: &str,
        purpose: &str,
        now: OffsetDateTime,
    ) -> Result<String, StoreError> {
        self.disclose(actor, RecordKind::Note, note.as_str(), to, legal_basis, purpose, now).await
    }

    /// Discloses a record (a note, an assessment, an intervention) to another agency on a
    /// legal basis that covers its sensitivity. Only the owning agency discloses; the
    /// disclosure is recorded, put on the case's timeline and logged.
    #[allow(clippy::too_many_arguments)] // the record, its recipient, the basis and the purpose
    pub async fn disclose(
        &self,
        actor: &Actor,
        kind: RecordKind,
        record: &str,
        to: &AgencyCode,
        legal_basis: &str,
        purpose: &str,
        now: OffsetDateTime,
    ) -> Result<String, StoreError> {
        let purpose = text_field("purpose", purpose, MAX_PURPOSE_CHARS)?;
        let (actor, note, to, legal_basis, keys) =
            (actor.clone(), record.to_owned(), to.clone(), legal_basis.to_owned(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                // Safe: the statement is one of three constants chosen by the record kind.
                let row = sqlx::query(sqlx::AssertSqlSafe(kind.select_facts()))
                    .bind(note.as_str())
                    .fetch_optional(&mut *conn)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let case: String = row.try_get("case_id")?;
                let loaded = load_case(conn, &actor, &case, now).await?;
                let owner = AgencyId::parse(&row.try_get::<String, _>("owner_agency_id")?)
                    .ok_or(StoreError::Corrupt("agency id"))?;
                let already: Vec<AgencyId> =
                    disclosed_to(conn, kind.as_str(), note.as_str()).await?.into_iter().map(|(a, _)| a).collect();
                let facts = RecordFacts { owner: &owner, disclosed_to: &already };
                if !actor.viewer.may_read_record(loaded.access, facts) {
                    return Err(StoreError::NotFound);
                }
                if !actor.viewer.may_disclose(loaded.access, facts) {
                    return Err(StoreError::Forbidden);
                }
                let target = agency_by_code(conn, &actor.viewer.infohus, &to).await?;
                if target.id == owner.as_str() {
                    return Err(StoreError::Invalid(FieldErrors::single("to_agency", "own_agency")));
                }
                if already.iter().any(|a| a.as_str() == target.id) {
                    return Err(StoreError::Conflict("already_disclosed"));
                }
                let basis = sqlx::query(
                    "SELECT covers_special_category, covers_criminal_offence FROM legal_bases WHERE code = $1 AND active = 1",
                )
                .bind(&legal_basis)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| StoreError::Invalid(FieldErrors::single("legal_basis", "invalid_choice")))?;
                let scope = LegalBasisScope {
                    covers_special_category: basis.try_get::<i64, _>("covers_special_category")? != 0,
                    covers_criminal_offence: basis.try_get::<i64, _>("covers_criminal_offence")? != 0,
                };
                let tags = Sensitivities::from_stored(&row.try_get::<String, _>("sensitivity")?);
                if !scope.covers(&tags) {
                    return Err(StoreError::Invalid(FieldErrors::single("legal_basis", "basis_does_not_cover")));
                }
                let key = loaded.data_key(&keys)?;
                let id = new_id();
                let person = loaded.string("person_id")?;
                sqlx::query(
                    "INSERT INTO disclosures (id, infohus_id, record_type, record_id, case_id, person_id, from_agency_id,
                        to_agency_id, legal_basis, purpose, disclosed_by, disclosed_at)
                     VALUES ($1, $2, $12, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(&id)
                .bind(actor.viewer.infohus.as_str())
                .bind(note.as_str())
                .bind(&case)
                .bind(&person)
                .bind(owner.as_str())
                .bind(&target.id)
                .bind(&legal_basis)
                .bind(Sealer::new(&key, "disclosures", &id).seal("purpose", &purpose)?)
                .bind(actor.viewer.user.as_str())
                .bind(ts(now))
                .bind(kind.as_str())
                .execute(&mut *conn)
                .await?;
                let event = EventRecord { kind: kind.as_str(), id: note.as_str(), owner: owner.as_str() };
                record_event(conn, &actor, &case, "disclosure", Some(event), &target.code, now).await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent {
                        action: Action::Export,
                        object_type: kind.as_str(),
                        object_id: note.as_str().to_owned(),
                        person_id: Some(person),
                        purpose: "disclosure",
                        criteria: format!("disclosure={id};to={};basis={legal_basis}", target.id),
                    }],
                );
                Ok(id)
            })
        })
        .await
    }

    /// Opens a case outside the actor's scope for a limited time, with a written reason.
    /// The grant and every use under it are flagged in the access log for the auditor.
    pub async fn break_glass(
        &self,
        actor: &Actor,
        case: &CaseId,
        reason: &str,
        now: OffsetDateTime,
    ) -> Result<BreakGlassGrant, StoreError> {
        let reason = text_field("reason", reason, MAX_REASON_CHARS)?;
        if reason.chars().count() < 10 {
            return Err(StoreError::Invalid(FieldErrors::single("reason", "too_short")));
        }
        if !actor.viewer.may_break_glass() {
            return Err(StoreError::NotFound);
        }
        let (actor, case, keys) = (actor.clone(), case.clone(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let row = sqlx::query(
                    "SELECT c.person_id, p.data_key AS person_data_key FROM cases c JOIN persons p ON p.id = c.person_id
                     WHERE c.id = $1 AND c.infohus_id = $2",
                )
                .bind(case.as_str())
                .bind(actor.viewer.infohus.as_str())
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(StoreError::NotFound)?;
                let person: String = row.try_get("person_id")?;
                let key = person_key(&keys, &row, &person)?;
                let id = new_id();
                let expires_at = now + BREAK_GLASS_DURATION;
                sqlx::query(
                    "INSERT INTO break_glass (id, infohus_id, case_id, person_id, user_id, agency_id, reason, granted_at, expires_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&id)
                .bind(actor.viewer.infohus.as_str())
                .bind(case.as_str())
                .bind(&person)
                .bind(actor.viewer.user.as_str())
                .bind(actor.viewer.agency.as_str())
                .bind(Sealer::new(&key, "break_glass", &id).seal("reason", &reason)?)
                .bind(ts(now))
                .bind(ts(expires_at))
                .execute(&mut *conn)
                .await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent {
                        action: Action::Read,
                        object_type: "case",
                        object_id: case.as_str().to_owned(),
                        person_id: Some(person),
                        purpose: "break_glass",
                        criteria: format!("break_glass={id}"),
                    }],
                );
                Ok(BreakGlassGrant { id, case_id: case, expires_at })
            })
        })
        .await
    }
}

/// Opens a case for a referral inside a write (the direct route and the screening outcome).
pub(crate) async fn open_case_in(
    conn: &mut AnyConnection,
    log: &mut LogBuffer,
    actor: &Actor,
    referral: &ReferralId,
    lead: &AgencyCode,
    participants: &[AgencyCode],
    now: OffsetDateTime,
) -> Result<CaseId, StoreError> {
    let row = sqlx::query("SELECT person_id, status FROM referrals WHERE id = $1 AND infohus_id = $2")
        .bind(referral.as_str())
        .bind(actor.viewer.infohus.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let person: String = row.try_get("person_id")?;
    let status = ReferralStatus::parse(&row.try_get::<String, _>("status")?);
    let existing = sqlx::query("SELECT 1 AS one FROM cases WHERE referral_id = $1")
        .bind(referral.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    if existing.is_some() {
        return Err(StoreError::Conflict("case_exists"));
    }
    if !status.is_some_and(ReferralStatus::awaits_screening) {
        return Err(StoreError::Conflict("screening_decided"));
    }
    let lead = agency_by_code(conn, &actor.viewer.infohus, lead).await?;
    let mut agencies = vec![lead.clone()];
    for code in participants {
        let agency = agency_by_code(conn, &actor.viewer.infohus, code).await?;
        if !agencies.contains(&agency) {
            agencies.push(agency);
        }
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO cases (id, infohus_id, person_id, referral_id, status, lead_agency_id, opened_by, opened_at)
             VALUES ($1, $2, $3, $4, 'open', $5, $6, $7)",
    )
    .bind(&id)
    .bind(actor.viewer.infohus.as_str())
    .bind(&person)
    .bind(referral.as_str())
    .bind(&lead.id)
    .bind(actor.viewer.user.as_str())
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    for agency in &agencies {
        add_participant(conn, &id, referral.as_str(), &agency.id, now).await?;
    }
    sqlx::query("UPDATE referrals SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(ReferralStatus::PreventionCase.as_str())
        .bind(ts(now))
        .bind(referral.as_str())
        .execute(&mut *conn)
        .await?;
    log.record(actor, now, vec![LogEvent::of(Action::Create, "case", id.clone(), Some(person), "open_case")]);
    crate::screening::record_prevention_outcome(conn, actor, referral.as_str(), now).await?;
    record_event(conn, actor, &id, "opened", None, &lead.code, now).await?;
    CaseId::parse(&id).ok_or(StoreError::Corrupt("case id"))
}

async fn add_participant(
    conn: &mut AnyConnection,
    case: &str,
    referral: &str,
    agency: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO case_agencies (case_id, agency_id, since) VALUES ($1, $2, $3)")
        .bind(case)
        .bind(agency)
        .bind(ts(now))
        .execute(&mut *conn)
        .await?;
    // Taking part in the case means seeing the referral it came from.
    sqlx::query(
        "INSERT INTO referral_agencies (referral_id, agency_id, since) SELECT $1, $2, $3
         WHERE NOT EXISTS (SELECT 1 FROM referral_agencies WHERE referral_id = $1 AND agency_id = $2)",
    )
    .bind(referral)
    .bind(agency)
    .bind(ts(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn case_in(
    conn: &mut AnyConnection,
    keys: &Keys,
    log: &mut LogBuffer,
    actor: &Actor,
    id: &CaseId,
    now: OffsetDateTime,
) -> Result<CaseView, StoreError> {
    let loaded = load_case(conn, actor, id.as_str(), now).await?;
    let key = loaded.data_key(keys)?;
    let rows = sqlx::query(
        "SELECT n.id, n.owner_agency_id, a.code AS owner_code, a.name AS owner_name, u.username AS author,
                n.sensitivity, n.body, n.created_at
         FROM case_notes n JOIN agencies a ON a.id = n.owner_agency_id JOIN users u ON u.id = n.author_user_id
         WHERE n.case_id = $1 ORDER BY n.created_at, n.id",
    )
    .bind(id.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let mut note_disclosures = note_disclosures_of_case(conn, id.as_str()).await?;
    let mut notes = Vec::new();
    for row in &rows {
        let note_id: String = row.try_get("id")?;
        let owner =
            AgencyId::parse(&row.try_get::<String, _>("owner_agency_id")?).ok_or(StoreError::Corrupt("agency id"))?;
        let disclosures = note_disclosures.remove(&note_id).unwrap_or_default();
        let to: Vec<AgencyId> = disclosures.iter().map(|(a, _)| a.clone()).collect();
        if !actor.viewer.may_read_record(loaded.access, RecordFacts { owner: &owner, disclosed_to: &to }) {
            continue;
        }
        let sealer = Sealer::new(&key, "case_notes", &note_id);
        notes.push(NoteView {
            id: NoteId::parse(&note_id).ok_or(StoreError::Corrupt("note id"))?,
            owner_agency: AgencyRef {
                id: owner.as_str().to_owned(),
                code: row.try_get("owner_code")?,
                name: row.try_get("owner_name")?,
            },
            author: row.try_get("author")?,
            sensitivity: Sensitivities::from_stored(&row.try_get::<String, _>("sensitivity")?),
            body: Personal::new(sealer.column(row, "body")?.ok_or(StoreError::Corrupt("note body"))?),
            created_at: parse_ts(&row.try_get::<String, _>("created_at")?)?,
            disclosed_to: if owner == actor.viewer.agency {
                disclosures.into_iter().map(|(_, code)| code).collect()
            } else {
                Vec::new()
            },
        });
    }
    let disclosures = crate::lifecycle::case_disclosures(conn, id.as_str()).await?;
    let assessments = crate::assessments::assessments_for_case(conn, actor, &loaded, &disclosures).await?;
    let interventions = crate::interventions::interventions_for_case(conn, actor, &loaded, &key, &disclosures).await?;
    let tasks = crate::tasks::tasks_for_case(conn, &loaded, &key).await?;
    let timeline = crate::lifecycle::timeline_in(conn, actor, &loaded, &key, &disclosures).await?;
    let release_on = sqlx::query("SELECT expected_on FROM release_notices WHERE case_id = $1")
        .bind(id.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get::<String, _>("expected_on"))
        .transpose()?
        .as_deref()
        .map(crate::db::parse_day)
        .transpose()?;
    let note_ids: Vec<&str> = notes.iter().map(|n| n.id.as_str()).collect();
    log.record(
        actor,
        now,
        vec![LogEvent {
            action: Action::Read,
            object_type: "case",
            object_id: id.as_str().to_owned(),
            person_id: Some(loaded.string("person_id")?),
            purpose: loaded.purpose(),
            criteria: format!("notes={}", note_ids.join(",")),
        }],
    );
    Ok(CaseView {
        id: id.clone(),
        person_id: PersonId::parse(&loaded.string("person_id")?).ok_or(StoreError::Corrupt("person id"))?,
        referral_id: ReferralId::parse(&loaded.string("referral_id")?).ok_or(StoreError::Corrupt("referral id"))?,
        status: loaded.string("status")?,
        lead_agency: AgencyRef {
            id: loaded.string("lead_agency_id")?,
            code: loaded.string("lead_code")?,
            name: loaded.string("lead_name")?,
        },
        opened_at: parse_ts(&loaded.string("opened_at")?)?,
        closed_at: loaded.row.try_get::<Option<String>, _>("closed_at")?.as_deref().map(parse_ts).transpose()?,
        closed_reason: loaded
            .row
            .try_get::<Option<String>, _>("closed_reason")?
            .as_deref()
            .and_then(ClosureReason::parse),
        break_glass: loaded.access == CaseAccess::BreakGlass,
        agencies: loaded.agencies,
        notes,
        assessments,
        interventions,
        tasks,
        timeline,
        release_on,
    })
}
