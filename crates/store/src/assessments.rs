//! Instruments as data, and structured assessments made with them: drafts the owning
//! agency edits, a signed version that never changes again, corrections as new versions
//! that point to the one they correct, and the progression of a person's ratings.
//! Assessment content is the owner agency's record (special-category data), sealed.

use crate::access_log::{Action, LogBuffer, LogEvent};
use crate::cases::{AgencyRef, CaseRow, load_case, load_case_with_access};
use crate::crypto::DataKey;
use crate::db::{Store, day, new_id, parse_day, parse_ts, ts};
use crate::error::StoreError;
use crate::keys::Keys;
use crate::lifecycle::{EventRecord, case_disclosures, ensure_open, record_event};
use crate::referrals::{Sealer, person_key};
use crate::sessions::Actor;
use infohus_domain::assessment::{AssessmentContent, validate_draft, validate_for_sign_off};
use infohus_domain::casework::{AssessmentKind, AssessmentStatus};
use infohus_domain::instrument::{Instrument, SourceFormat};
use infohus_domain::policy::{CaseAccess, RecordFacts};
use infohus_domain::progression::{PersonCourse, ProgrammeFigure, Progression, Rated, SignedAssessment};
use infohus_domain::{AgencyId, AssessmentId, CaseId, FieldErrors, PersonId, Personal};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentSummary {
    pub id: String,
    pub key: String,
    pub version: u32,
    pub name: String,
}

/// What importing an instrument file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportedInstrument {
    Added(InstrumentSummary),
    /// The same key and version with the same content was already there.
    Unchanged(InstrumentSummary),
}

#[derive(Debug, Clone)]
pub struct AssessmentSummary {
    pub id: AssessmentId,
    pub instrument: InstrumentSummary,
    pub kind: AssessmentKind,
    pub status: AssessmentStatus,
    pub assessed_on: Date,
    pub owner_agency: AgencyRef,
    pub supersedes: Option<AssessmentId>,
    pub superseded_by: Option<AssessmentId>,
    pub signed_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct AssessmentView {
    pub summary: AssessmentSummary,
    pub case_id: CaseId,
    pub person_id: PersonId,
    pub instrument: Instrument,
    pub content: Personal<AssessmentContent>,
    pub created_by: String,
    pub signed_by: Option<String>,
    /// The viewer's agency owns it and it is a draft.
    pub may_edit: bool,
    /// The viewer's agency owns it, it is signed and not yet corrected.
    pub may_correct: bool,
    /// Agency codes it was disclosed to; shown to the owning agency only.
    pub disclosed_to: Vec<String>,
}

/// A person's progression with the assessments it was built from.
#[derive(Debug, Clone)]
pub struct PersonProgression {
    pub person_id: PersonId,
    pub person_name: Personal<String>,
    pub progression: Progression,
}

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(FieldErrors::single(field, code))
}

fn parse_instrument(definition: &str) -> Result<Instrument, StoreError> {
    Instrument::parse(definition, SourceFormat::Json).map_err(|_| StoreError::Corrupt("instrument definition"))
}

fn summary_of(row: &AnyRow) -> Result<InstrumentSummary, StoreError> {
    Ok(InstrumentSummary {
        id: row.try_get("id")?,
        key: row.try_get("key")?,
        version: u32::try_from(row.try_get::<i64, _>("version")?).map_err(|_| StoreError::Corrupt("version"))?,
        name: row.try_get("name")?,
    })
}

const ASSESSMENT_COLUMNS: &str = "a.id, a.case_id, a.person_id, a.instrument_id, i.key AS instrument_key,
    i.version AS instrument_version, i.name AS instrument_name, a.owner_agency_id AS owner_id, oa.code AS owner_code,
    oa.name AS owner_name, a.kind, a.status, a.supersedes_id, a.assessed_on, a.signed_at,
    (SELECT MIN(n.id) FROM assessments n WHERE n.supersedes_id = a.id) AS superseded_by";
const ASSESSMENT_FROM: &str =
    " FROM assessments a JOIN instruments i ON i.id = a.instrument_id JOIN agencies oa ON oa.id = a.owner_agency_id";

fn assessment_summary(row: &AnyRow) -> Result<AssessmentSummary, StoreError> {
    let id = |column: &str| -> Result<Option<AssessmentId>, StoreError> {
        Ok(row.try_get::<Option<String>, _>(column)?.as_deref().and_then(AssessmentId::parse))
    };
    Ok(AssessmentSummary {
        id: id("id")?.ok_or(StoreError::Corrupt("assessment id"))?,
        instrument: InstrumentSummary {
            id: row.try_get("instrument_id")?,
            key: row.try_get("instrument_key")?,
            version: u32::try_from(row.try_get::<i64, _>("instrument_version")?)
                .map_err(|_| StoreError::Corrupt("version"))?,
            name: row.try_get("instrument_name")?,
        },
        kind: AssessmentKind::parse(&row.try_get::<String, _>("kind")?).ok_or(StoreError::Corrupt("kind"))?,
        status: AssessmentStatus::parse(&row.try_get::<String, _>("status")?).ok_or(StoreError::Corrupt("status"))?,
        assessed_on: parse_day(&row.try_get::<String, _>("assessed_on")?)?,
        owner_agency: AgencyRef::from_row(row, "owner_")?,
        supersedes: id("supersedes_id")?,
        superseded_by: id("superseded_by")?,
        signed_at: row.try_get::<Option<String>, _>("signed_at")?.as_deref().map(parse_ts).transpose()?,
    })
}

/// The assessments of a case the viewer may read, for the case view (no content).
pub(crate) async fn assessments_for_case(
    conn: &mut AnyConnection,
    actor: &Actor,
    case: &CaseRow,
    disclosures: &HashMap<(String, String), Vec<AgencyId>>,
) -> Result<Vec<AssessmentSummary>, StoreError> {
    let sql = format!("SELECT {ASSESSMENT_COLUMNS}{ASSESSMENT_FROM} WHERE a.case_id = $1 ORDER BY a.assessed_on, a.id");
    let mut list = Vec::new();
    // Safe: constant SQL; the case id is bound.
    for row in sqlx::query(sqlx::AssertSqlSafe(sql)).bind(case.string("id")?).fetch_all(&mut *conn).await? {
        let summary = assessment_summary(&row)?;
        let owner = AgencyId::parse(&summary.owner_agency.id).ok_or(StoreError::Corrupt("agency id"))?;
        let to = disclosures
            .get(&("assessment".to_owned(), summary.id.as_str().to_owned()))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if actor.viewer.may_read_record(case.access, RecordFacts { owner: &owner, disclosed_to: to }) {
            list.push(summary);
        }
    }
    Ok(list)
}

struct Loaded {
    row: AnyRow,
    case: CaseRow,
    key: DataKey,
    summary: AssessmentSummary,
    /// Agency codes it was disclosed to, for the owning agency only.
    disclosed_to: Vec<String>,
}

async fn load_assessment(
    conn: &mut AnyConnection,
    keys: &Keys,
    actor: &Actor,
    id: &str,
    now: OffsetDateTime,
) -> Result<Loaded, StoreError> {
    let sql = format!(
        "SELECT {ASSESSMENT_COLUMNS}, a.content, i.definition, cu.username AS created_by, su.username AS signed_by,
                p.data_key AS person_data_key{ASSESSMENT_FROM}
         JOIN persons p ON p.id = a.person_id JOIN users cu ON cu.id = a.created_by LEFT JOIN users su ON su.id = a.signed_by
         WHERE a.id = $1 AND a.infohus_id = $2"
    );
    // Safe: constant SQL; values are bound.
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(actor.viewer.infohus.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let case = load_case(conn, actor, &row.try_get::<String, _>("case_id")?, now).await?;
    let summary = assessment_summary(&row)?;
    let owner = AgencyId::parse(&summary.owner_agency.id).ok_or(StoreError::Corrupt("agency id"))?;
    let disclosures = crate::cases::disclosed_to(conn, "assessment", id).await?;
    let to: Vec<AgencyId> = disclosures.iter().map(|(a, _)| a.clone()).collect();
    if !actor.viewer.may_read_record(case.access, RecordFacts { owner: &owner, disclosed_to: &to }) {
        return Err(StoreError::NotFound);
    }
    let person: String = row.try_get("person_id")?;
    let key = person_key(keys, &row, &person)?;
    let disclosed_to =
        if owner == actor.viewer.agency { disclosures.into_iter().map(|(_, code)| code).collect() } else { Vec::new() };
    Ok(Loaded { row, case, key, summary, disclosed_to })
}

impl Loaded {
    fn owned_by_actor(&self, actor: &Actor) -> bool {
        self.summary.owner_agency.id == actor.viewer.agency.as_str() && actor.viewer.may_write_record(self.case.access)
    }

    fn content(&self) -> Result<AssessmentContent, StoreError> {
        let json = Sealer::new(&self.key, "assessments", self.summary.id.as_str())
            .column(&self.row, "content")?
            .ok_or(StoreError::Corrupt("assessment content"))?;
        serde_json::from_str(&json).map_err(|_| StoreError::Corrupt("assessment content"))
    }

    fn instrument(&self) -> Result<Instrument, StoreError> {
        parse_instrument(&self.row.try_get::<String, _>("definition")?)
    }
}

fn seal_content(key: &DataKey, id: &str, content: &AssessmentContent) -> Result<String, StoreError> {
    let json = serde_json::to_string(content).map_err(|_| StoreError::Corrupt("assessment content"))?;
    Sealer::new(key, "assessments", id).seal("content", &json)
}

impl Store {
    /// Loads a validated instrument (the operator's `infohus instrument import`). The same
    /// key and version with other content is refused: a changed instrument is a new version.
    pub async fn import_instrument(
        &self,
        instrument: &Instrument,
        now: OffsetDateTime,
    ) -> Result<ImportedInstrument, StoreError> {
        let definition = instrument.to_canonical_json();
        let (key, version, name) = (instrument.key.clone(), i64::from(instrument.version), instrument.name.clone());
        self.write(move |conn, _log| {
            Box::pin(async move {
                if let Some(row) =
                    sqlx::query("SELECT id, key, version, name, definition FROM instruments WHERE key = $1 AND version = $2")
                        .bind(&key)
                        .bind(version)
                        .fetch_optional(&mut *conn)
                        .await?
                {
                    return if row.try_get::<String, _>("definition")? == definition {
                        Ok(ImportedInstrument::Unchanged(summary_of(&row)?))
                    } else {
                        Err(StoreError::Conflict("instrument_version_exists"))
                    };
                }
                let id = new_id();
                sqlx::query(
                    "INSERT INTO instruments (id, key, version, name, definition, imported_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&id)
                .bind(&key)
                .bind(version)
                .bind(&name)
                .bind(&definition)
                .bind(ts(now))
                .execute(&mut *conn)
                .await?;
                Ok(ImportedInstrument::Added(InstrumentSummary {
                    id,
                    key,
                    version: u32::try_from(version).unwrap_or(0),
                    name,
                }))
            })
        })
        .await
    }

    /// Loads the shipped instruments that are not there yet. A database that already holds
    /// another text under a shipped key and version keeps its own (it is logged).
    pub(crate) async fn ensure_shipped_instruments(&self, now: OffsetDateTime) -> Result<(), StoreError> {
        for (file, source) in infohus_domain::instrument::SHIPPED {
            let instrument =
                Instrument::parse(source, SourceFormat::Toml).map_err(|_| StoreError::Corrupt("shipped instrument"))?;
            let exists = sqlx::query("SELECT 1 AS one FROM instruments WHERE key = $1 AND version = $2")
                .bind(&instrument.key)
                .bind(i64::from(instrument.version))
                .fetch_optional(&self.pool)
                .await?
                .is_some();
            if exists {
                continue;
            }
            match self.import_instrument(&instrument, now).await {
                Ok(_) => tracing::info!(file, "loaded a shipped instrument"),
                Err(StoreError::Conflict(_)) => {
                    tracing::warn!(file, "a shipped instrument version differs from the stored one")
                }
                Err(other) => return Err(other),
            }
        }
        Ok(())
    }

    /// Every loaded instrument version, newest version of each key first.
    pub async fn instruments(&self) -> Result<Vec<InstrumentSummary>, StoreError> {
        sqlx::query("SELECT id, key, version, name FROM instruments ORDER BY key, version DESC")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(summary_of)
            .collect()
    }

    /// One instrument by its id, or by key (newest version) when `version` is `None`.
    pub async fn instrument(&self, key: &str, version: Option<u32>) -> Result<(String, Instrument), StoreError> {
        let row = match version {
            Some(v) => {
                sqlx::query("SELECT id, definition FROM instruments WHERE key = $1 AND version = $2")
                    .bind(key)
                    .bind(i64::from(v))
                    .fetch_optional(&self.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT id, definition FROM instruments WHERE key = $1 ORDER BY version DESC LIMIT 1")
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await?
            }
        }
        .ok_or(StoreError::NotFound)?;
        Ok((row.try_get("id")?, parse_instrument(&row.try_get::<String, _>("definition")?)?))
    }

    /// Starts a draft assessment on a case, owned by the actor's agency.
    #[allow(clippy::too_many_arguments)] // the case, the instrument, the kind and the content, with both clocks
    pub async fn create_assessment(
        &self,
        actor: &Actor,
        case: &CaseId,
        instrument_id: &str,
        kind: AssessmentKind,
        content: AssessmentContent,
        today: Date,
        now: OffsetDateTime,
    ) -> Result<AssessmentId, StoreError> {
        let (actor, case, instrument_id, keys) =
            (actor.clone(), case.clone(), instrument_id.to_owned(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let loaded = load_case(conn, &actor, case.as_str(), now).await?;
                if !actor.viewer.may_write_record(loaded.access) {
                    return Err(StoreError::Forbidden);
                }
                ensure_open(&loaded)?;
                let definition: String = sqlx::query("SELECT definition FROM instruments WHERE id = $1")
                    .bind(&instrument_id)
                    .fetch_optional(&mut *conn)
                    .await?
                    .ok_or_else(|| invalid("instrument", "invalid_choice"))?
                    .try_get("definition")?;
                let instrument = parse_instrument(&definition)?;
                let content = validate_draft(&instrument, content, today).map_err(StoreError::Invalid)?;
                let key = loaded.data_key(&keys)?;
                let id = new_id();
                let person = loaded.string("person_id")?;
                sqlx::query(
                    "INSERT INTO assessments (id, infohus_id, case_id, person_id, instrument_id, owner_agency_id, kind, status,
                        assessed_on, content, created_by, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $10, $11, $11)",
                )
                .bind(&id)
                .bind(actor.viewer.infohus.as_str())
                .bind(case.as_str())
                .bind(&person)
                .bind(&instrument_id)
                .bind(actor.viewer.agency.as_str())
                .bind(kind.as_str())
                .bind(day(content.assessed_on))
                .bind(seal_content(&key, &id, &content)?)
                .bind(actor.viewer.user.as_str())
                .bind(ts(now))
                .execute(&mut *conn)
                .await?;
                let record = EventRecord { kind: "assessment", id: &id, owner: actor.viewer.agency.as_str() };
                record_event(conn, &actor, case.as_str(), "assessment_started", Some(record), kind.as_str(), now).await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent {
                        action: Action::Create,
                        object_type: "assessment",
                        object_id: id.clone(),
                        person_id: Some(person),
                        purpose: "assessment",
                        criteria: format!("instrument={instrument_id};kind={}", kind.as_str()),
                    }],
                );
                AssessmentId::parse(&id).ok_or(StoreError::Corrupt("assessment id"))
            })
        })
        .await
    }

    /// An assessment with its content, as the actor may see it.
    pub async fn assessment(
        &self,
        actor: &Actor,
        id: &AssessmentId,
        now: OffsetDateTime,
    ) -> Result<AssessmentView, StoreError> {
        let mut log = LogBuffer::default();
        let view = {
            let mut conn = self.pool.acquire().await?;
            let loaded = load_assessment(&mut conn, &self.keys, actor, id.as_str(), now).await?;
            let owned = loaded.owned_by_actor(actor);
            let s = &loaded.summary;
            let view = AssessmentView {
                case_id: CaseId::parse(&loaded.row.try_get::<String, _>("case_id")?)
                    .ok_or(StoreError::Corrupt("case id"))?,
                person_id: PersonId::parse(&loaded.row.try_get::<String, _>("person_id")?)
                    .ok_or(StoreError::Corrupt("person id"))?,
                instrument: loaded.instrument()?,
                content: Personal::new(loaded.content()?),
                created_by: loaded.row.try_get("created_by")?,
                signed_by: loaded.row.try_get("signed_by")?,
                may_edit: owned && s.status == AssessmentStatus::Draft,
                may_correct: owned && s.status == AssessmentStatus::Signed && s.superseded_by.is_none(),
                summary: loaded.summary.clone(),
                disclosed_to: loaded.disclosed_to.clone(),
            };
            log.record(
                actor,
                now,
                vec![LogEvent::of(
                    Action::Read,
                    "assessment",
                    id.as_str().to_owned(),
                    Some(view.person_id.as_str().to_owned()),
                    loaded.case.purpose(),
                )],
            );
            view
        };
        self.commit_log(log).await?;
        Ok(view)
    }

    /// Saves a draft (the owning agency). A signed assessment is never edited: `assessment_signed`.
    pub async fn update_assessment(
        &self,
        actor: &Actor,
        id: &AssessmentId,
        content: AssessmentContent,
        today: Date,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let (actor, id, keys) = (actor.clone(), id.clone(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let loaded = load_assessment(conn, &keys, &actor, id.as_str(), now).await?;
                if !loaded.owned_by_actor(&actor) {
                    return Err(StoreError::Forbidden);
                }
                if loaded.summary.status != AssessmentStatus::Draft {
                    return Err(StoreError::Conflict("assessment_signed"));
                }
                let content = validate_draft(&loaded.instrument()?, content, today).map_err(StoreError::Invalid)?;
                let changed = sqlx::query(
                    "UPDATE assessments SET content = $1, assessed_on = $2, updated_at = $3 WHERE id = $4 AND status = 'draft'",
                )
                .bind(seal_content(&loaded.key, id.as_str(), &content)?)
                .bind(day(content.assessed_on))
                .bind(ts(now))
                .bind(id.as_str())
                .execute(&mut *conn)
                .await?;
                if changed.rows_affected() != 1 {
                    return Err(StoreError::Conflict("assessment_signed"));
                }
                log.record(
                    &actor,
                    now,
                    vec![LogEvent::of(
                        Action::Change,
                        "assessment",
                        id.as_str().to_owned(),
                        Some(loaded.row.try_get("person_id")?),
                        "assessment",
                    )],
                );
                Ok(())
            })
        })
        .await
    }

    /// Signs a complete draft off (the owning agency); from then on it never changes.
    pub async fn sign_assessment(
        &self,
        actor: &Actor,
        id: &AssessmentId,
        today: Date,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let (actor, id, keys) = (actor.clone(), id.clone(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let loaded = load_assessment(conn, &keys, &actor, id.as_str(), now).await?;
                if !loaded.owned_by_actor(&actor) {
                    return Err(StoreError::Forbidden);
                }
                if loaded.summary.status != AssessmentStatus::Draft {
                    return Err(StoreError::Conflict("assessment_signed"));
                }
                validate_for_sign_off(&loaded.instrument()?, loaded.content()?, today).map_err(StoreError::Invalid)?;
                sqlx::query(
                    "UPDATE assessments SET status = 'signed', signed_by = $1, signed_at = $2, updated_at = $2
                     WHERE id = $3 AND status = 'draft'",
                )
                .bind(actor.viewer.user.as_str())
                .bind(ts(now))
                .bind(id.as_str())
                .execute(&mut *conn)
                .await?;
                let owner = loaded.summary.owner_agency.id.clone();
                let case = loaded.case.string("id")?;
                let record = EventRecord { kind: "assessment", id: id.as_str(), owner: &owner };
                let detail = if loaded.summary.supersedes.is_some() { "correction" } else { "" };
                record_event(conn, &actor, &case, "assessment_signed", Some(record), detail, now).await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent::of(
                        Action::Change,
                        "assessment",
                        id.as_str().to_owned(),
                        Some(loaded.row.try_get("person_id")?),
                        "assessment_sign_off",
                    )],
                );
                Ok(())
            })
        })
        .await
    }

    /// Starts a correction of a signed assessment: a new draft with the same content that
    /// points to the one it corrects. The original stays as it was signed.
    pub async fn correct_assessment(
        &self,
        actor: &Actor,
        id: &AssessmentId,
        now: OffsetDateTime,
    ) -> Result<AssessmentId, StoreError> {
        let (actor, id, keys) = (actor.clone(), id.clone(), self.keys.clone());
        self.write(move |conn, log| {
            Box::pin(async move {
                let loaded = load_assessment(conn, &keys, &actor, id.as_str(), now).await?;
                if !loaded.owned_by_actor(&actor) {
                    return Err(StoreError::Forbidden);
                }
                if loaded.summary.status != AssessmentStatus::Signed {
                    return Err(StoreError::Conflict("assessment_not_signed"));
                }
                if loaded.summary.superseded_by.is_some() {
                    return Err(StoreError::Conflict("correction_exists"));
                }
                ensure_open(&loaded.case)?;
                let content = loaded.content()?;
                let new = new_id();
                sqlx::query(
                    "INSERT INTO assessments (id, infohus_id, case_id, person_id, instrument_id, owner_agency_id, kind, status,
                        supersedes_id, assessed_on, content, created_by, created_at, updated_at)
                     SELECT $1, infohus_id, case_id, person_id, instrument_id, owner_agency_id, kind, 'draft', id, assessed_on,
                        $2, $3, $4, $4 FROM assessments WHERE id = $5",
                )
                .bind(&new)
                .bind(seal_content(&loaded.key, &new, &content)?)
                .bind(actor.viewer.user.as_str())
                .bind(ts(now))
                .bind(id.as_str())
                .execute(&mut *conn)
                .await?;
                let case = loaded.case.string("id")?;
                let record = EventRecord { kind: "assessment", id: &new, owner: &loaded.summary.owner_agency.id };
                record_event(conn, &actor, &case, "assessment_correction", Some(record), "", now).await?;
                log.record(
                    &actor,
                    now,
                    vec![LogEvent {
                        action: Action::Create,
                        object_type: "assessment",
                        object_id: new.clone(),
                        person_id: Some(loaded.row.try_get("person_id")?),
                        purpose: "assessment_correction",
                        criteria: format!("corrects={}", id.as_str()),
                    }],
                );
                AssessmentId::parse(&new).ok_or(StoreError::Corrupt("assessment id"))
            })
        })
        .await
    }

    /// How a person's ratings moved across the signed assessments the actor may read (the
    /// newest version of each corrected one), on every case of theirs the actor reaches.
    pub async fn progression(
        &self,
        actor: &Actor,
        person: &PersonId,
        now: OffsetDateTime,
    ) -> Result<PersonProgression, StoreError> {
        let mut log = LogBuffer::default();
        let view = {
            let mut conn = self.pool.acquire().await?;
            progression_in(&mut conn, &self.keys, &mut log, actor, person, now).await?
        };
        self.commit_log(log).await?;
        Ok(view)
    }

    /// The mentoring programme's six-month figure for the actor's infohus (coordinators
    /// and analysts): counts only, no person. Reading the assessments behind it is logged
    /// as one aggregate use with the number of persons.
    pub async fn mentoring_figure(&self, actor: &Actor, now: OffsetDateTime) -> Result<ProgrammeFigure, StoreError> {
        if !actor.viewer.may_see_programme_figures() {
            return Err(StoreError::Forbidden);
        }
        let mut conn = self.pool.acquire().await?;
        let starts = sqlx::query(
            "SELECT person_id, MIN(start_on) AS start_on FROM interventions
             WHERE infohus_id = $1 AND kind = 'mentoring' AND status <> 'cancelled' GROUP BY person_id ORDER BY person_id",
        )
        .bind(actor.viewer.infohus.as_str())
        .fetch_all(&mut *conn)
        .await?;
        let mut instruments: HashMap<String, Instrument> = HashMap::new();
        let mut courses: Vec<(Option<Signed>, Vec<Signed>)> = Vec::new();
        for start in &starts {
            let person: String = start.try_get("person_id")?;
            let start_on = parse_day(&start.try_get::<String, _>("start_on")?)?;
            let signed = signed_assessments(&mut conn, &self.keys, &person, &mut instruments).await?;
            let baseline = signed.iter().rposition(|(_, on, _, _)| *on <= start_on);
            let (baseline, followups) = match baseline {
                Some(i) => (Some(signed[i].clone()), signed[i + 1..].to_vec()),
                None => (None, Vec::new()),
            };
            courses.push((baseline, followups));
        }
        drop(conn);
        fn rated<'a>(
            instruments: &'a HashMap<String, Instrument>,
            (_, on, instrument, content): &'a Signed,
        ) -> Option<Rated<'a>> {
            instruments.get(instrument).map(|i| Rated { assessed_on: *on, instrument: i, ratings: &content.ratings })
        }
        let persons = courses.iter().map(|(baseline, followups)| PersonCourse {
            baseline: baseline.as_ref().and_then(|b| rated(&instruments, b)),
            followups: followups.iter().filter_map(|f| rated(&instruments, f)).collect(),
        });
        let figure = infohus_domain::progression::six_month_movement(persons);
        let mut log = LogBuffer::default();
        log.record(
            actor,
            now,
            vec![LogEvent {
                action: Action::Read,
                object_type: "programme",
                object_id: "mentoring".to_owned(),
                person_id: None,
                purpose: "statistics",
                criteria: format!("persons={}", figure.persons_in_programme),
            }],
        );
        self.commit_log(log).await?;
        Ok(figure)
    }
}

/// One signed assessment: id, date, instrument id, content.
type Signed = (String, Date, String, AssessmentContent);

/// A person's signed, uncorrected assessments in date order.
async fn signed_assessments(
    conn: &mut AnyConnection,
    keys: &Keys,
    person: &str,
    instruments: &mut HashMap<String, Instrument>,
) -> Result<Vec<Signed>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.id, a.assessed_on, a.instrument_id, a.content, p.data_key AS person_data_key
         FROM assessments a JOIN persons p ON p.id = a.person_id
         WHERE a.person_id = $1 AND a.status = 'signed'
           AND NOT EXISTS (SELECT 1 FROM assessments n WHERE n.supersedes_id = a.id AND n.status = 'signed')
         ORDER BY a.assessed_on, a.signed_at, a.id",
    )
    .bind(person)
    .fetch_all(&mut *conn)
    .await?;
    let mut list = Vec::new();
    for r in &rows {
        let key = person_key(keys, r, person)?;
        let id: String = r.try_get("id")?;
        let instrument: String = r.try_get("instrument_id")?;
        if !instruments.contains_key(&instrument) {
            let definition: String = sqlx::query("SELECT definition FROM instruments WHERE id = $1")
                .bind(&instrument)
                .fetch_one(&mut *conn)
                .await?
                .try_get("definition")?;
            instruments.insert(instrument.clone(), parse_instrument(&definition)?);
        }
        let json = Sealer::new(&key, "assessments", &id).column(r, "content")?.ok_or(StoreError::Corrupt("content"))?;
        let content: AssessmentContent =
            serde_json::from_str(&json).map_err(|_| StoreError::Corrupt("assessment content"))?;
        list.push((id, parse_day(&r.try_get::<String, _>("assessed_on")?)?, instrument, content));
    }
    Ok(list)
}

async fn progression_in(
    conn: &mut AnyConnection,
    keys: &Keys,
    log: &mut LogBuffer,
    actor: &Actor,
    person: &PersonId,
    now: OffsetDateTime,
) -> Result<PersonProgression, StoreError> {
    let person_row =
        sqlx::query("SELECT name, data_key AS person_data_key FROM persons WHERE id = $1 AND infohus_id = $2")
            .bind(person.as_str())
            .bind(actor.viewer.infohus.as_str())
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
    let key = person_key(keys, &person_row, person.as_str())?;
    let cases: Vec<String> = sqlx::query("SELECT id FROM cases WHERE person_id = $1 ORDER BY opened_at")
        .bind(person.as_str())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    let mut readable = Vec::new();
    let mut reached = false;
    for case in &cases {
        let loaded = load_case_with_access(conn, actor, case, now).await?;
        if loaded.access == CaseAccess::None {
            continue;
        }
        reached = true;
        let disclosures = case_disclosures(conn, case).await?;
        readable.extend(
            assessments_for_case(conn, actor, &loaded, &disclosures)
                .await?
                .into_iter()
                .filter(|a| a.status == AssessmentStatus::Signed)
                .map(|a| a.id.as_str().to_owned()),
        );
    }
    if !reached {
        return Err(StoreError::NotFound);
    }
    let mut instruments = HashMap::new();
    let mut signed = signed_assessments(conn, keys, person.as_str(), &mut instruments).await?;
    signed.retain(|(id, ..)| readable.contains(id));
    let inputs: Vec<SignedAssessment<'_>> = signed
        .iter()
        .filter_map(|(id, on, instrument, content)| {
            instruments.get(instrument).map(|i| SignedAssessment {
                id,
                assessed_on: *on,
                instrument: i,
                ratings: &content.ratings,
            })
        })
        .collect();
    let progression = infohus_domain::progression::progression(&inputs);
    let ids: Vec<&str> = signed.iter().map(|(id, ..)| id.as_str()).collect();
    log.record(
        actor,
        now,
        vec![LogEvent {
            action: Action::Read,
            object_type: "person",
            object_id: person.as_str().to_owned(),
            person_id: Some(person.as_str().to_owned()),
            purpose: "progression",
            criteria: format!("assessments={}", ids.join(",")),
        }],
    );
    Ok(PersonProgression {
        person_id: person.clone(),
        person_name: Personal::new(
            Sealer::new(&key, "persons", person.as_str())
                .column(&person_row, "name")?
                .ok_or(StoreError::Corrupt("person name"))?,
        ),
        progression,
    })
}
