//! Synthetic data at national scale, for benchmarks only (cargo feature `bulk`): persons,
//! referrals and cases written in large batches through the real sealing and the real
//! access-log chain, without the per-request round trips of intake.

use crate::access_log::{Action, LogEvent};
use crate::crypto::DataKey;
use crate::db::{Store, new_id, ts};
use crate::error::StoreError;
use crate::referrals::Sealer;
use crate::sessions::Actor;
use time::{Duration, OffsetDateTime};

/// Referrals written per write job (one transaction).
const CHUNK: usize = 1_000;

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
}
