//! Synthetic data at national scale, for benchmarks only (cargo feature `bulk`): persons,
//! referrals, cases and signed assessments written in large batches through the real
//! sealing and the real access-log chain, without the per-request round trips of intake.

use crate::access_log::{Action, LogBuffer, LogEvent};
use crate::crypto::DataKey;
use crate::db::{Store, day, new_id, ts};
use crate::error::StoreError;
use crate::keys::Keys;
use crate::referrals::Sealer;
use crate::sessions::Actor;
use infohus_domain::assessment::{AssessmentContent, validate_for_sign_off};
use infohus_domain::casework::{AssessmentKind, AssessmentStatus, ScreeningOutcome};
use infohus_domain::instrument::{Instrument, Side, SourceFormat};
use infohus_domain::referral::ReferralStatus;
use sqlx::{AnyConnection, Row};
use std::sync::Arc;
use time::{Date, Duration, OffsetDateTime};

/// Referrals written per write job (one transaction).
const CHUNK: usize = 1_000;

/// Rows written per casework write job, about: a case with ten assessments is some thirty rows.
const CASEWORK_CHUNK_ROWS: usize = 10_000;

/// Days between one assessment of a case and the next.
const ASSESSMENT_INTERVAL_DAYS: i64 = 60;

/// The shipped instrument the synthetic assessments are made with.
const INSTRUMENT: (&str, i64) = ("ni-dimensioner", 1);

/// How many of the newest synthetic referrals still await screening, as in a busy infohus.
pub const AWAITING_SCREENING: usize = 2_000;

const FIRST_NAMES: [&str; 16] = [
    "Anne", "Mette", "Sofie", "Ida", "Freja", "Emma", "Karen", "Maja", "Peter", "Jens", "Lars", "Mads", "Søren",
    "Ahmad", "Mikkel", "Frederik",
];
const SURNAMES: [&str; 16] = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Ali",
];

/// The `i`th synthetic CPR number: a valid date (day 1–28, any month, any year) and a
/// sequence number; distinct for every `i` below 336,000,000.
pub fn synthetic_cpr(i: usize) -> String {
    let date = i % 33_600;
    format!("{:02}{:02}{:02}{:04}", date % 28 + 1, (date / 28) % 12 + 1, date / 336, (i / 33_600) % 10_000)
}

/// The `i`th synthetic name: a common Danish first name and surname around a middle name
/// made unique by the number, so a search for the whole name finds exactly one person and
/// a search for a surname alone finds many.
pub fn synthetic_name(i: usize) -> String {
    format!("{} Syntetisk{i} {}", FIRST_NAMES[i % 16], SURNAMES[(i / 16) % 16])
}

impl Store {
    /// Writes `referrals` synthetic referrals (one person each, a case for every hundredth,
    /// the newest [`AWAITING_SCREENING`] still awaiting screening, the others screened as
    /// "no concern")
    /// received between `start` and `start + span`, with their intake log entries, plus
    /// `reads_per_referral` logged reads each, so that the access log grows to about
    /// `referrals × (3 + reads_per_referral)` entries.
    pub async fn bulk_synthetic(
        &self,
        actor: &Actor,
        referrals: usize,
        reads_per_referral: usize,
        start: OffsetDateTime,
        span: Duration,
    ) -> Result<(), StoreError> {
        let step = span / i32::try_from(referrals.max(1)).unwrap_or(i32::MAX);
        let mut done = 0;
        while done < referrals {
            let count = CHUNK.min(referrals - done);
            let (actor, keys, first) = (actor.clone(), self.keys.clone(), done);
            self.write(move |conn, log| {
                Box::pin(async move {
                    for i in first..first + count {
                        let at = start + step * i32::try_from(i).unwrap_or(i32::MAX);
                        let (person, referral) = (new_id(), new_id());
                        let key = DataKey::generate();
                        let wrapped = keys.master().wrap(&key, &person)?;
                        let cpr = synthetic_cpr(i);
                        let p = Sealer::new(&key, "persons", &person);
                        sqlx::query(
                            "INSERT INTO persons (id, infohus_id, name, cpr, cpr_index, match_index, birth_date, gender,
                                municipality, created_at, updated_at, data_key)
                             VALUES ($1, $2, $3, $4, $5, NULL, NULL, 'female', '0101', $6, $6, $7)",
                        )
                        .bind(&person)
                        .bind(actor.viewer.infohus.as_str())
                        .bind(p.seal("name", &synthetic_name(i))?)
                        .bind(p.seal("cpr", &cpr)?)
                        .bind(keys.blind_index("cpr", &cpr))
                        .bind(ts(at))
                        .bind(wrapped)
                        .execute(&mut *conn)
                        .await?;
                        crate::search::index_name_words(conn, &keys, &person, &synthetic_name(i)).await?;
                        let r = Sealer::new(&key, "referrals", &referral);
                        sqlx::query(
                            "INSERT INTO referrals (id, infohus_id, person_id, status, channel, concern_category, urgency,
                                urgency_rank, under_18, description, subject_name, submitted_by, submitted_by_agency,
                                received_at, updated_at)
                             VALUES ($1, $2, $3, $12, 'professional', $4, $5, $6, 0, $7, $8, $9, $10, $11, $11)",
                        )
                        .bind(&referral)
                        .bind(actor.viewer.infohus.as_str())
                        .bind(&person)
                        .bind(["right_wing", "militant_islamism", "conspiracy", "misogyny", "other"][i % 5])
                        .bind(if i % 9 == 0 { "urgent" } else { "normal" })
                        .bind(if i % 9 == 0 { 0i64 } else { 1 })
                        .bind(r.seal("description", &format!("Syntetisk observation nummer {i}."))?)
                        .bind(r.seal("subject_name", &synthetic_name(i))?)
                        .bind(actor.viewer.user.as_str())
                        .bind(actor.viewer.agency.as_str())
                        .bind(ts(at))
                        .bind(if i % 100 == 0 {
                            "prevention_case"
                        } else if i + AWAITING_SCREENING >= referrals {
                            "received"
                        } else {
                            "no_concern"
                        })
                        .execute(&mut *conn)
                        .await?;
                        if i % 100 == 0 {
                            sqlx::query(
                                "INSERT INTO cases (id, infohus_id, person_id, referral_id, status, lead_agency_id, opened_by, opened_at)
                                 VALUES ($1, $2, $3, $4, 'open', $5, $6, $7)",
                            )
                            .bind(new_id())
                            .bind(actor.viewer.infohus.as_str())
                            .bind(&person)
                            .bind(&referral)
                            .bind(actor.viewer.agency.as_str())
                            .bind(actor.viewer.user.as_str())
                            .bind(ts(at))
                            .execute(&mut *conn)
                            .await?;
                        }
                        let event = |action, object_type: &'static str, object: &str, purpose| LogEvent {
                            action,
                            object_type,
                            object_id: object.to_owned(),
                            person_id: Some(person.clone()),
                            purpose,
                            criteria: String::new(),
                        };
                        let mut events = vec![
                            event(Action::Create, "person", &person, "intake"),
                            event(Action::Create, "referral", &referral, "intake"),
                            event(Action::Search, "referral", &referral, "inbox"),
                        ];
                        events.extend((0..reads_per_referral).map(|_| event(Action::Read, "referral", &referral, "referral_view")));
                        log.record(&actor, at, events);
                    }
                    Ok(())
                })
            })
            .await?;
            done += count;
        }
        Ok(())
    }

    /// Writes `cases` synthetic open prevention cases (person, referral screened to a
    /// prevention case, the actor's agency as lead and participant) opened between `start`
    /// and `start + span`, each with `assessments_per_case` signed assessments made with the
    /// shipped instrument "ni-dimensioner", one every 60 days from the day its case opened
    /// (so the last lies `60 × (assessments_per_case − 1)` days after that). The timeline
    /// gets the events the real flow writes ("opened"; "assessment_started" and
    /// "assessment_signed" per assessment), the access log a create entry for each person,
    /// referral, case and assessment. Ratings are deterministic and move over time.
    pub async fn bulk_casework(
        &self,
        actor: &Actor,
        cases: usize,
        assessments_per_case: usize,
        start: OffsetDateTime,
        span: Duration,
    ) -> Result<(), StoreError> {
        let plan = {
            let mut conn = self.pool.acquire().await?;
            let row = sqlx::query("SELECT id, definition FROM instruments WHERE key = $1 AND version = $2")
                .bind(INSTRUMENT.0)
                .bind(INSTRUMENT.1)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(StoreError::NotFound)?;
            let instrument = Instrument::parse(&row.try_get::<String, _>("definition")?, SourceFormat::Json)
                .map_err(|_| StoreError::Corrupt("instrument definition"))?;
            let lead_code: String = sqlx::query("SELECT code FROM agencies WHERE id = $1")
                .bind(actor.viewer.agency.as_str())
                .fetch_one(&mut *conn)
                .await?
                .try_get("code")?;
            Arc::new(CaseworkPlan {
                instrument_id: row.try_get("id")?,
                instrument,
                lead_code,
                assessments: assessments_per_case,
            })
        };
        let per_job = (CASEWORK_CHUNK_ROWS / (8 + 3 * assessments_per_case)).max(1);
        let step = span / i32::try_from(cases.max(1)).unwrap_or(i32::MAX);
        let mut done = 0;
        while done < cases {
            let count = per_job.min(cases - done);
            let (actor, keys, plan, first) = (actor.clone(), self.keys.clone(), plan.clone(), done);
            self.write(move |conn, log| {
                Box::pin(async move {
                    for i in first..first + count {
                        let opened = start + step * i32::try_from(i).unwrap_or(i32::MAX);
                        write_synthetic_case(conn, log, &keys, &actor, &plan, i, opened).await?;
                    }
                    Ok(())
                })
            })
            .await?;
            done += count;
        }
        Ok(())
    }
}

/// What every synthetic case of one `bulk_casework` shares.
struct CaseworkPlan {
    instrument_id: String,
    instrument: Instrument,
    /// The code of the actor's agency, the lead of every case ("opened" event detail).
    lead_code: String,
    assessments: usize,
}

/// Person, referral, screening outcome, case with its participant, its signed assessments
/// and their timeline events, number `i`, opened at `opened`; with their log entries.
async fn write_synthetic_case(
    conn: &mut AnyConnection,
    log: &mut LogBuffer,
    keys: &Keys,
    actor: &Actor,
    plan: &CaseworkPlan,
    i: usize,
    opened: OffsetDateTime,
) -> Result<(), StoreError> {
    let (infohus, user, agency) =
        (actor.viewer.infohus.as_str(), actor.viewer.user.as_str(), actor.viewer.agency.as_str());
    let received = opened - Duration::days(6);
    let (person, referral, case) = (new_id(), new_id(), new_id());
    let key = DataKey::generate();
    let cpr = format!("{:02}{:02}{:02}{:04}", i % 28 + 1, (i / 28) % 12 + 1, (i / 336) % 100, i % 10_000);
    let name = format!("Syntetisk Sagsperson {i}");
    let p = Sealer::new(&key, "persons", &person);
    sqlx::query(
        "INSERT INTO persons (id, infohus_id, name, cpr, cpr_index, match_index, birth_date, gender,
            municipality, created_at, updated_at, data_key)
         VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6, '0101', $7, $7, $8)",
    )
    .bind(&person)
    .bind(infohus)
    .bind(p.seal("name", &name)?)
    .bind(p.seal("cpr", &cpr)?)
    .bind(keys.blind_index("cpr", &format!("{cpr}-case-{i}")))
    .bind(if i.is_multiple_of(3) { "female" } else { "male" })
    .bind(ts(received))
    .bind(keys.master().wrap(&key, &person)?)
    .execute(&mut *conn)
    .await?;
    let r = Sealer::new(&key, "referrals", &referral);
    sqlx::query(
        "INSERT INTO referrals (id, infohus_id, person_id, status, channel, concern_category, urgency,
            urgency_rank, under_18, description, subject_name, submitted_by, submitted_by_agency,
            received_at, updated_at)
         VALUES ($1, $2, $3, $4, 'professional', $5, 'normal', 1, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&referral)
    .bind(infohus)
    .bind(&person)
    .bind(ReferralStatus::PreventionCase.as_str())
    .bind(["right_wing", "militant_islamism", "conspiracy", "misogyny", "other"][i % 5])
    .bind(i64::from(i.is_multiple_of(4)))
    .bind(r.seal("description", &format!("Syntetisk bekymring nummer {i}, der førte til en sag."))?)
    .bind(r.seal("subject_name", &name)?)
    .bind(user)
    .bind(agency)
    .bind(ts(received))
    .bind(ts(opened))
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO screening_outcomes (referral_id, infohus_id, outcome, decided_by, decided_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&referral)
    .bind(infohus)
    .bind(ScreeningOutcome::PreventionCase.as_str())
    .bind(user)
    .bind(ts(opened))
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO cases (id, infohus_id, person_id, referral_id, status, lead_agency_id, opened_by, opened_at)
         VALUES ($1, $2, $3, $4, 'open', $5, $6, $7)",
    )
    .bind(&case)
    .bind(infohus)
    .bind(&person)
    .bind(&referral)
    .bind(agency)
    .bind(user)
    .bind(ts(opened))
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO case_agencies (case_id, agency_id, since) VALUES ($1, $2, $3)")
        .bind(&case)
        .bind(agency)
        .bind(ts(opened))
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO referral_agencies (referral_id, agency_id, since) VALUES ($1, $2, $3)")
        .bind(&referral)
        .bind(agency)
        .bind(ts(opened))
        .execute(&mut *conn)
        .await?;
    insert_event(conn, actor, &case, opened, "opened", None, &plan.lead_code).await?;
    let created = |object_type: &'static str, object: &str, purpose, criteria: String| LogEvent {
        action: Action::Create,
        object_type,
        object_id: object.to_owned(),
        person_id: Some(person.clone()),
        purpose,
        criteria,
    };
    log.record(
        actor,
        opened,
        vec![
            created("person", &person, "intake", String::new()),
            created("referral", &referral, "intake", String::new()),
            created("case", &case, "open_case", String::new()),
        ],
    );
    for k in 0..plan.assessments {
        let on = opened.date() + Duration::days(ASSESSMENT_INTERVAL_DAYS * i64::try_from(k).unwrap_or(0));
        let started = on.midnight().assume_utc() + Duration::hours(9);
        let signed = started + Duration::hours(6);
        let kind = if k == 0 { AssessmentKind::Baseline } else { AssessmentKind::FollowUp };
        let content = validate_for_sign_off(&plan.instrument, synthetic_content(&plan.instrument, i, k, on), on)
            .map_err(StoreError::Invalid)?;
        let json = serde_json::to_string(&content).map_err(|_| StoreError::Corrupt("assessment content"))?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO assessments (id, infohus_id, case_id, person_id, instrument_id, owner_agency_id, kind,
                status, assessed_on, content, created_by, created_at, updated_at, signed_by, signed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $11, $13)",
        )
        .bind(&id)
        .bind(infohus)
        .bind(&case)
        .bind(&person)
        .bind(&plan.instrument_id)
        .bind(agency)
        .bind(kind.as_str())
        .bind(AssessmentStatus::Signed.as_str())
        .bind(day(on))
        .bind(Sealer::new(&key, "assessments", &id).seal("content", &json)?)
        .bind(user)
        .bind(ts(started))
        .bind(ts(signed))
        .execute(&mut *conn)
        .await?;
        insert_event(conn, actor, &case, started, "assessment_started", Some(&id), kind.as_str()).await?;
        insert_event(conn, actor, &case, signed, "assessment_signed", Some(&id), "").await?;
        let criteria = format!("instrument={};kind={}", plan.instrument_id, kind.as_str());
        log.record(actor, started, vec![created("assessment", &id, "assessment", criteria)]);
    }
    Ok(())
}

/// A timeline event by the actor's agency, about an assessment of theirs when `assessment`.
async fn insert_event(
    conn: &mut AnyConnection,
    actor: &Actor,
    case: &str,
    at: OffsetDateTime,
    kind: &'static str,
    assessment: Option<&str>,
    detail: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_events (id, case_id, at, kind, agency_id, user_id, record_type, record_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(case)
    .bind(ts(at))
    .bind(kind)
    .bind(actor.viewer.agency.as_str())
    .bind(actor.viewer.user.as_str())
    .bind(assessment.map(|_| "assessment"))
    .bind(assessment)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A complete assessment of case `case`, the `k`th of its course: every item rated, every
/// dimension with a rationale. Each case starts somewhere of its own; risks ease and
/// resources grow a level every third assessment, with an occasional step back.
fn synthetic_content(instrument: &Instrument, case: usize, k: usize, on: Date) -> AssessmentContent {
    let levels = instrument.scale.len().max(1);
    let mut content = AssessmentContent::empty(on);
    for (j, (_, item)) in instrument.items().enumerate() {
        let first = (case * 7 + j * 3) % levels;
        let (better, back) = (k / 3, usize::from((case + 3 * j + k).is_multiple_of(7)));
        let level = match item.side {
            Side::Risk => (first.saturating_sub(better) + back).min(levels - 1),
            Side::Resource => (first + better).min(levels - 1).saturating_sub(back),
        };
        if let Some(scale) = instrument.scale.get(level) {
            content.ratings.insert(item.key.clone(), scale.key.clone());
        }
    }
    for dimension in &instrument.dimensions {
        content.rationales.insert(
            dimension.key.clone(),
            format!(
                "Syntetisk begrundelse for {} ved vurdering {}: oplysninger fra de deltagende myndigheder og samtale med personen.",
                dimension.name.to_lowercase(),
                k + 1
            ),
        );
    }
    content.overall = format!(
        "Syntetisk samlet vurdering nummer {} i sag {case}: risici og ressourcer er afvejet i dialog mellem myndighederne.",
        k + 1
    );
    content.recommendation =
        instrument.recommendations.get((case + k) % instrument.recommendations.len().max(1)).map(|c| c.key.clone());
    content.assessors =
        vec![format!("Syntetisk Fagperson {}", case % 50), format!("Syntetisk Fagperson {}", (case + k) % 50 + 50)];
    content
}

/// Subjects (cases with agenda facts, or awaiting referrals) per agenda-facts write job: a
/// case with its facts is about five rows.
const AGENDA_CHUNK: usize = 1_000;

/// Intervention kinds of the shipped catalogue, in turn.
const INTERVENTION_KINDS: [&str; 7] = [
    "mentoring",
    "relatives_coaching",
    "social",
    "psychiatric",
    "child_welfare",
    "employment_education",
    "prison_probation",
];

/// How much agenda input `Store::bulk_agenda_facts` writes on top of `bulk_casework`. Each
/// `*_every` picks one open case in so many (0: none), counting the open cases in the order
/// they were opened, each from its own offset, so that the facts overlap only a little.
#[derive(Debug, Clone)]
pub struct AgendaFactsPlan {
    /// An active intervention, its review date spread evenly over the next `review_days`.
    pub intervention_every: usize,
    pub review_days: i64,
    /// An open action item (a task) from the earlier meeting, due between 30 days ago and 60
    /// days ahead; as many more from that meeting already done.
    pub action_item_every: usize,
    /// An expected release from prison, spread over the next 365 days.
    pub release_every: usize,
    /// An open flag raised during the last 14 days; as many more handled at the earlier meeting.
    pub flag_every: usize,
    /// Referrals of new persons still awaiting screening, received over the last 30 days.
    pub awaiting_referrals: usize,
    /// A second agency taking part in every `n`th case with a fact and every `n`th awaiting
    /// referral, so that its members see some items in full and the rest as neutral references.
    pub partner: Option<(infohus_domain::AgencyCode, usize)>,
}

impl Default for AgendaFactsPlan {
    /// At 100,000 open cases: 10,000 interventions (some 470 reviews due within 17 days), 400
    /// open action items, 1,000 release notices (some 250 within 90 days), 250 open flags and
    /// 2,000 referrals awaiting screening.
    fn default() -> Self {
        Self {
            intervention_every: 10,
            review_days: 365,
            action_item_every: 250,
            release_every: 100,
            flag_every: 400,
            awaiting_referrals: 2_000,
            partner: None,
        }
    }
}

/// What `Store::bulk_agenda_facts` wrote.
#[derive(Debug, Clone, Default)]
pub struct AgendaFactsLoaded {
    pub open_cases: usize,
    pub interventions: usize,
    pub action_items_open: usize,
    pub action_items_done: usize,
    pub release_notices: usize,
    pub flags_open: usize,
    pub flags_handled: usize,
    pub awaiting_referrals: usize,
    /// Cases the partner agency takes part in (among those with a fact).
    pub partner_cases: usize,
    pub partner_referrals: usize,
    /// The held meeting the action items and handled flags came from.
    pub earlier_meeting: String,
}

/// One open case that gets agenda facts, and which ones: the `usize`s are the fact's number
/// among its kind (to spread the dates), `None` when the case has no such fact.
#[derive(Debug, Clone, Default)]
struct FactCase {
    i: usize,
    case: String,
    person: String,
    wrapped_key: String,
    intervention: Option<usize>,
    action_open: Option<usize>,
    action_done: Option<usize>,
    release: Option<usize>,
    flag_open: Option<usize>,
    flag_handled: Option<usize>,
    partner: bool,
}

/// What every job of one `bulk_agenda_facts` shares.
struct AgendaPlan {
    now: OffsetDateTime,
    today: Date,
    review_days: i64,
    earlier_meeting: String,
    earlier_on: Date,
    lead_code: String,
    partner: Option<String>,
    partner_every: usize,
    counts: AgendaFactsLoaded,
}

/// Number `n` of `total` spread evenly over `span` (in whatever unit).
fn spread(n: usize, total: usize, span: i64) -> i64 {
    let (n, total) = (i64::try_from(n).unwrap_or(0), i64::try_from(total.max(1)).unwrap_or(1));
    n * span / total
}

/// A synthetic birth date for subject `i`: born between 1955 and 2011.
fn synthetic_birth(i: usize) -> Date {
    let year = 1955 + i32::try_from(i * 37 % 57).unwrap_or(0);
    let month = time::Month::January.nth_next(u8::try_from(i % 12).unwrap_or(0));
    let day = u8::try_from(i % 28 + 1).unwrap_or(1);
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MIN)
}

impl Store {
    /// Writes agenda inputs on top of `bulk_casework`'s open cases, as of `now`: active
    /// interventions with review dates, action items (tasks) from an earlier held meeting
    /// (a bulk series of its own), release notices, open and handled flags, referrals of new
    /// persons awaiting screening, and a partner agency in some cases and referrals (see
    /// `AgendaFactsPlan`). Every person with a fact gets a sealed birth date, so a neutral
    /// reference has an age band to show. Sealed columns are sealed and timeline events and
    /// log entries written as the real code does, `AGENDA_CHUNK` subjects per transaction.
    pub async fn bulk_agenda_facts(
        &self,
        actor: &Actor,
        plan: &AgendaFactsPlan,
        now: OffsetDateTime,
    ) -> Result<AgendaFactsLoaded, StoreError> {
        let infohus = actor.viewer.infohus.clone();
        let today = infohus_domain::calendar::copenhagen(now).date();
        let (rows, lead_code, partner) = {
            let mut conn = self.pool.acquire().await?;
            let rows = sqlx::query(
                "SELECT c.id, c.person_id, p.data_key FROM cases c JOIN persons p ON p.id = c.person_id
                 WHERE c.infohus_id = $1 AND c.status = 'open' ORDER BY c.opened_at, c.id",
            )
            .bind(infohus.as_str())
            .fetch_all(&mut *conn)
            .await?;
            let lead_code: String = sqlx::query("SELECT code FROM agencies WHERE id = $1")
                .bind(actor.viewer.agency.as_str())
                .fetch_one(&mut *conn)
                .await?
                .try_get("code")?;
            let partner = match &plan.partner {
                Some((code, _)) => Some(crate::cases::agency_by_code(&mut conn, &infohus, code).await?.id),
                None => None,
            };
            (rows, lead_code, partner)
        };
        let total = rows.len();
        let pick = |every: usize, offset: usize, i: usize| every > 0 && i % every == offset % every;
        let count = |every: usize, offset: usize| {
            offset.checked_rem(every).and_then(|o| (total + every - 1 - o).checked_div(every)).unwrap_or(0)
        };
        let partner_every = plan.partner.as_ref().map_or(0, |(_, every)| *every);
        let mut counts = AgendaFactsLoaded {
            open_cases: total,
            interventions: count(plan.intervention_every, 0),
            action_items_open: count(plan.action_item_every, 5),
            action_items_done: count(plan.action_item_every, 130),
            release_notices: count(plan.release_every, 55),
            flags_open: count(plan.flag_every, 20),
            flags_handled: count(plan.flag_every, 220),
            awaiting_referrals: plan.awaiting_referrals,
            ..AgendaFactsLoaded::default()
        };
        let number = |every: usize, offset: usize, i: usize| pick(every, offset, i).then(|| i / every.max(1));
        let mut targets = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let target = FactCase {
                i,
                case: row.try_get("id")?,
                person: row.try_get("person_id")?,
                wrapped_key: row.try_get::<Option<String>, _>("data_key")?.ok_or(StoreError::Erased)?,
                intervention: number(plan.intervention_every, 0, i),
                action_open: number(plan.action_item_every, 5, i),
                action_done: number(plan.action_item_every, 130, i),
                release: number(plan.release_every, 55, i),
                flag_open: number(plan.flag_every, 20, i),
                flag_handled: number(plan.flag_every, 220, i),
                partner: false,
            };
            let any = target.intervention.is_some()
                || target.action_open.is_some()
                || target.action_done.is_some()
                || target.release.is_some()
                || target.flag_open.is_some()
                || target.flag_handled.is_some();
            if any {
                targets.push(target);
            }
        }
        drop(rows);
        for (n, target) in targets.iter_mut().enumerate() {
            target.partner = partner.is_some() && partner_every > 0 && n % partner_every == 1 % partner_every;
        }
        counts.partner_cases = targets.iter().filter(|t| t.partner).count();
        counts.partner_referrals =
            if partner.is_some() && partner_every > 0 { plan.awaiting_referrals.div_ceil(partner_every) } else { 0 };

        // The earlier meeting, two weeks ago, held with its agenda published.
        let earlier_on = today - Duration::days(14);
        let earlier_meeting = {
            let (actor, earlier) = (actor.clone(), new_id());
            let start =
                time::PrimitiveDateTime::new(earlier_on, time::Time::from_hms(9, 0, 0).unwrap_or(time::Time::MIDNIGHT));
            let id = earlier.clone();
            self.write(move |conn, _log| {
                Box::pin(async move {
                    let series = new_id();
                    sqlx::query(
                        "INSERT INTO meeting_series (id, infohus_id, name, first_start, interval_days, duration_minutes,
                            cutoff_minutes, location, video_link, created_by, created_at)
                         VALUES ($1, $2, 'Syntetisk tidligere koordineringsmøde', $3, 14, 90, 1260, NULL, NULL, $4, $5)",
                    )
                    .bind(&series)
                    .bind(actor.viewer.infohus.as_str())
                    .bind(crate::meetings::local(start))
                    .bind(actor.viewer.user.as_str())
                    .bind(ts(now - Duration::days(60)))
                    .execute(&mut *conn)
                    .await?;
                    sqlx::query(
                        "INSERT INTO meetings (id, infohus_id, series_id, planned_start, starts_at, duration_minutes, cutoff_at,
                            status, sequence, agenda_status, agenda_built_at, agenda_published_at, agenda_published_by)
                         VALUES ($1, $2, $3, $4, $4, 90, $5, 'held', 0, 'published', $6, $6, $7)",
                    )
                    .bind(&id)
                    .bind(actor.viewer.infohus.as_str())
                    .bind(&series)
                    .bind(crate::meetings::local(start))
                    .bind(crate::meetings::local(start - Duration::minutes(1260)))
                    .bind(ts(now - Duration::days(16)))
                    .bind(actor.viewer.user.as_str())
                    .execute(&mut *conn)
                    .await?;
                    Ok(())
                })
            })
            .await?;
            earlier
        };
        counts.earlier_meeting = earlier_meeting.clone();
        let shared = Arc::new(AgendaPlan {
            now,
            today,
            review_days: plan.review_days.max(1),
            earlier_meeting,
            earlier_on,
            lead_code,
            partner,
            partner_every,
            counts: counts.clone(),
        });

        let targets = Arc::new(targets);
        let mut done = 0;
        while done < targets.len() {
            let end = (done + AGENDA_CHUNK).min(targets.len());
            let (actor, keys, shared, targets, first) =
                (actor.clone(), self.keys.clone(), shared.clone(), targets.clone(), done);
            self.write(move |conn, log| {
                Box::pin(async move {
                    for target in targets.get(first..end).unwrap_or_default() {
                        write_case_facts(conn, log, &keys, &actor, &shared, target).await?;
                    }
                    Ok(())
                })
            })
            .await?;
            done = end;
        }
        let mut done = 0;
        while done < plan.awaiting_referrals {
            let end = (done + AGENDA_CHUNK).min(plan.awaiting_referrals);
            let (actor, keys, shared, first) = (actor.clone(), self.keys.clone(), shared.clone(), done);
            self.write(move |conn, log| {
                Box::pin(async move {
                    for j in first..end {
                        write_awaiting_referral(conn, log, &keys, &actor, &shared, j).await?;
                    }
                    Ok(())
                })
            })
            .await?;
            done = end;
        }
        Ok(counts)
    }
}

/// The agenda facts of one open case, with its timeline events and log entries.
async fn write_case_facts(
    conn: &mut AnyConnection,
    log: &mut LogBuffer,
    keys: &Keys,
    actor: &Actor,
    plan: &AgendaPlan,
    target: &FactCase,
) -> Result<(), StoreError> {
    use crate::lifecycle::{EventRecord, record_event};
    let (infohus, user, agency) =
        (actor.viewer.infohus.as_str(), actor.viewer.user.as_str(), actor.viewer.agency.as_str());
    let (case, person, i, now, today) = (target.case.as_str(), target.person.as_str(), target.i, plan.now, plan.today);
    let key = keys.master().unwrap(&target.wrapped_key, person)?;
    let mut events = Vec::new();
    let event = |action, object_type: &'static str, object: &str, purpose| LogEvent {
        action,
        object_type,
        object_id: object.to_owned(),
        person_id: Some(person.to_owned()),
        purpose,
        criteria: String::new(),
    };
    sqlx::query("UPDATE persons SET birth_date = $1 WHERE id = $2")
        .bind(Sealer::new(&key, "persons", person).seal("birth_date", &day(synthetic_birth(i)))?)
        .bind(person)
        .execute(&mut *conn)
        .await?;
    if let Some(n) = target.intervention {
        let id = new_id();
        let kind = INTERVENTION_KINDS[i % INTERVENTION_KINDS.len()];
        let review_on = today + Duration::days(1 + spread(n, plan.counts.interventions, plan.review_days));
        let start_on = today - Duration::days(i64::try_from(i % 180).unwrap_or(0));
        sqlx::query(
            "INSERT INTO interventions (id, infohus_id, case_id, person_id, kind, owner_agency_id, responsible_user_id,
                sensitivity, goals, start_on, review_on, status, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'active', $7, $12, $12)",
        )
        .bind(&id)
        .bind(infohus)
        .bind(case)
        .bind(person)
        .bind(kind)
        .bind(agency)
        .bind(user)
        .bind(if kind == "psychiatric" { "health" } else { "" })
        .bind(Sealer::new(&key, "interventions", &id).seal(
            "goals",
            &format!("Syntetisk mål for indsats {n}: fast kontakt, skolegang og et netværk uden for miljøet."),
        )?)
        .bind(day(start_on))
        .bind(day(review_on))
        .bind(ts(start_on.midnight().assume_utc()))
        .execute(&mut *conn)
        .await?;
        let record = EventRecord { kind: "intervention", id: &id, owner: agency };
        record_event(conn, actor, case, "intervention_added", Some(record), kind, start_on.midnight().assume_utc())
            .await?;
        events.push(event(Action::Create, "intervention", &id, "intervention"));
    }
    for (n, open) in [(target.action_open, true), (target.action_done, false)] {
        let Some(n) = n else { continue };
        let total = if open { plan.counts.action_items_open } else { plan.counts.action_items_done };
        let (item, id) = (new_id(), new_id());
        let at = plan.earlier_on.midnight().assume_utc() + Duration::hours(10);
        sqlx::query(
            "INSERT INTO agenda_items (id, meeting_id, position, kind, case_id, referral_id, person_id, reasons, status, discussed)
             VALUES ($1, $2, $3, 'case', $4, NULL, $5, $6, 'on_agenda', 1)",
        )
        .bind(&item)
        .bind(&plan.earlier_meeting)
        .bind(i64::try_from(i + 1).unwrap_or(i64::MAX))
        .bind(case)
        .bind(person)
        .bind(format!("review_due|{}|", day(plan.earlier_on)))
        .execute(&mut *conn)
        .await?;
        let due_on = today - Duration::days(30) + Duration::days(spread(n, total, 90));
        sqlx::query(
            "INSERT INTO tasks (id, infohus_id, case_id, title, owner_agency_id, assignee_user_id, due_on, status,
                created_by, created_at, done_by, done_at, meeting_id, agenda_item_id)
             VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&id)
        .bind(infohus)
        .bind(case)
        .bind(
            Sealer::new(&key, "tasks", &id)
                .seal("title", &format!("Syntetisk handlepunkt {n}: indkald til netværksmøde med familien"))?,
        )
        .bind(agency)
        .bind(day(due_on))
        .bind(if open { "open" } else { "done" })
        .bind(user)
        .bind(ts(at))
        .bind((!open).then_some(user))
        .bind((!open).then(|| ts(now - Duration::days(2))))
        .bind(&plan.earlier_meeting)
        .bind(&item)
        .execute(&mut *conn)
        .await?;
        record_event(conn, actor, case, "action_item_added", None, &plan.lead_code, at).await?;
        events.push(event(Action::Create, "task", &id, "task"));
    }
    if let Some(n) = target.release {
        let expected_on = today + Duration::days(1 + spread(n, plan.counts.release_notices, 365));
        let at = now - Duration::days(i64::try_from(i % 60).unwrap_or(0) + 1);
        sqlx::query(
            "INSERT INTO release_notices (case_id, infohus_id, expected_on, agency_id, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(case)
        .bind(infohus)
        .bind(day(expected_on))
        .bind(agency)
        .bind(user)
        .bind(ts(at))
        .execute(&mut *conn)
        .await?;
        record_event(conn, actor, case, "release", None, &day(expected_on), at).await?;
        events.push(event(Action::Change, "case", case, "release_notice"));
    }
    for (n, open) in [(target.flag_open, true), (target.flag_handled, false)] {
        let Some(n) = n else { continue };
        let total = if open { plan.counts.flags_open } else { plan.counts.flags_handled };
        // Open flags over the last 14 days; handled ones in the two weeks before that.
        let back =
            Duration::minutes(spread(n, total, 14 * 24 * 60)) + if open { Duration::ZERO } else { Duration::days(14) };
        let at = now - back - Duration::minutes(1);
        let id = new_id();
        sqlx::query(
            "INSERT INTO agenda_flags (id, infohus_id, case_id, agency_id, flagged_by, flagged_at, note, handled_meeting_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(infohus)
        .bind(case)
        .bind(agency)
        .bind(user)
        .bind(ts(at))
        .bind(
            Sealer::new(&key, "agenda_flags", &id)
                .seal("note", &format!("Syntetisk ønske om drøftelse {n}: ny bekymrende henvendelse fra skolen."))?,
        )
        .bind((!open).then_some(plan.earlier_meeting.as_str()))
        .execute(&mut *conn)
        .await?;
        record_event(conn, actor, case, "flagged", None, "", at).await?;
        events.push(event(Action::Create, "agenda_flag", &id, "agenda"));
    }
    if target.partner
        && let Some(partner) = &plan.partner
    {
        sqlx::query("INSERT INTO case_agencies (case_id, agency_id, since) VALUES ($1, $2, $3)")
            .bind(case)
            .bind(partner)
            .bind(ts(now - Duration::days(30)))
            .execute(&mut *conn)
            .await?;
        events.push(event(Action::Change, "case", case, "case_agencies"));
    }
    log.record(actor, now, events);
    Ok(())
}

/// Referral number `j` of a new person, received during the last 30 days and still awaiting
/// screening, with its intake log entries.
async fn write_awaiting_referral(
    conn: &mut AnyConnection,
    log: &mut LogBuffer,
    keys: &Keys,
    actor: &Actor,
    plan: &AgendaPlan,
    j: usize,
) -> Result<(), StoreError> {
    let (infohus, user, agency) =
        (actor.viewer.infohus.as_str(), actor.viewer.user.as_str(), actor.viewer.agency.as_str());
    let received =
        plan.now - Duration::days(30) + Duration::minutes(spread(j, plan.counts.awaiting_referrals, 30 * 24 * 60 - 60));
    let (person, referral) = (new_id(), new_id());
    let key = DataKey::generate();
    let name = format!("Syntetisk Henvist Person {j}");
    let birth = synthetic_birth(j + 7);
    let cpr = format!("{:02}{:02}{:02}{:04}", birth.day(), u8::from(birth.month()), birth.year() % 100, j % 10_000);
    let p = Sealer::new(&key, "persons", &person);
    sqlx::query(
        "INSERT INTO persons (id, infohus_id, name, cpr, cpr_index, match_index, birth_date, gender,
            municipality, created_at, updated_at, data_key)
         VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, '0101', $8, $8, $9)",
    )
    .bind(&person)
    .bind(infohus)
    .bind(p.seal("name", &name)?)
    .bind(p.seal("cpr", &cpr)?)
    .bind(keys.blind_index("cpr", &format!("{cpr}-awaiting-{j}")))
    .bind(p.seal("birth_date", &day(birth))?)
    .bind(if j.is_multiple_of(3) { "female" } else { "male" })
    .bind(ts(received))
    .bind(keys.master().wrap(&key, &person)?)
    .execute(&mut *conn)
    .await?;
    let r = Sealer::new(&key, "referrals", &referral);
    sqlx::query(
        "INSERT INTO referrals (id, infohus_id, person_id, status, channel, concern_category, urgency,
            urgency_rank, under_18, description, subject_name, submitted_by, submitted_by_agency,
            received_at, updated_at)
         VALUES ($1, $2, $3, $4, 'professional', $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
    )
    .bind(&referral)
    .bind(infohus)
    .bind(&person)
    .bind(ReferralStatus::Received.as_str())
    .bind(["right_wing", "militant_islamism", "conspiracy", "misogyny", "other"][j % 5])
    .bind(if j.is_multiple_of(9) { "urgent" } else { "normal" })
    .bind(if j.is_multiple_of(9) { 0i64 } else { 1 })
    .bind(i64::from(birth.year() >= plan.today.year() - 18))
    .bind(r.seal("description", &format!("Syntetisk henvendelse nummer {j}, der afventer screening."))?)
    .bind(r.seal("subject_name", &name)?)
    .bind(user)
    .bind(agency)
    .bind(ts(received))
    .execute(&mut *conn)
    .await?;
    if let Some(partner) =
        plan.partner.as_ref().filter(|_| plan.partner_every > 0 && j.is_multiple_of(plan.partner_every))
    {
        sqlx::query("INSERT INTO referral_agencies (referral_id, agency_id, since) VALUES ($1, $2, $3)")
            .bind(&referral)
            .bind(partner)
            .bind(ts(received))
            .execute(&mut *conn)
            .await?;
    }
    let created = |object_type: &'static str, object: &str| LogEvent {
        action: Action::Create,
        object_type,
        object_id: object.to_owned(),
        person_id: Some(person.clone()),
        purpose: "intake",
        criteria: String::new(),
    };
    log.record(actor, received, vec![created("person", &person), created("referral", &referral)]);
    Ok(())
}
