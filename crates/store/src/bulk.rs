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

impl Store {
    /// Writes `referrals` synthetic referrals (one person each, a case for every hundredth)
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
                        let cpr = format!("{:02}{:02}{:02}{:04}", i % 28 + 1, (i / 28) % 12 + 1, (i / 336) % 100, i % 10_000);
                        let p = Sealer::new(&key, "persons", &person);
                        sqlx::query(
                            "INSERT INTO persons (id, infohus_id, name, cpr, cpr_index, match_index, birth_date, gender,
                                municipality, created_at, updated_at, data_key)
                             VALUES ($1, $2, $3, $4, $5, NULL, NULL, 'female', '0101', $6, $6, $7)",
                        )
                        .bind(&person)
                        .bind(actor.viewer.infohus.as_str())
                        .bind(p.seal("name", &format!("Syntetisk Person {i}"))?)
                        .bind(p.seal("cpr", &cpr)?)
                        .bind(keys.blind_index("cpr", &format!("{cpr}-{i}")))
                        .bind(ts(at))
                        .bind(wrapped)
                        .execute(&mut *conn)
                        .await?;
                        let r = Sealer::new(&key, "referrals", &referral);
                        sqlx::query(
                            "INSERT INTO referrals (id, infohus_id, person_id, status, channel, concern_category, urgency,
                                urgency_rank, under_18, description, subject_name, submitted_by, submitted_by_agency,
                                received_at, updated_at)
                             VALUES ($1, $2, $3, 'received', 'professional', $4, $5, $6, 0, $7, $8, $9, $10, $11, $11)",
                        )
                        .bind(&referral)
                        .bind(actor.viewer.infohus.as_str())
                        .bind(&person)
                        .bind(["right_wing", "militant_islamism", "conspiracy", "misogyny", "other"][i % 5])
                        .bind(if i % 9 == 0 { "urgent" } else { "normal" })
                        .bind(if i % 9 == 0 { 0i64 } else { 1 })
                        .bind(r.seal("description", &format!("Syntetisk observation nummer {i}."))?)
                        .bind(r.seal("subject_name", &format!("Syntetisk Person {i}"))?)
                        .bind(actor.viewer.user.as_str())
                        .bind(actor.viewer.agency.as_str())
                        .bind(ts(at))
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
