//! Benchmark (not a test) at national scale: loads synthetic referrals and access-log
//! entries in bulk, then times intake, the case page, the inbox page and `audit verify`.
//! `cargo bench -p infohus-store --features bulk --bench scale`; `INFOHUS_SCALE_REFERRALS`
//! (default 1,000,000) and `INFOHUS_SCALE_READS` (logged reads per referral, default 7,
//! which makes ten log entries per referral) set the size; `INFOHUS_BENCH_DATABASE_URL`
//! (an empty PostgreSQL database) runs it on PostgreSQL instead of SQLite.

use infohus_domain::referral::SubjectInput;
use infohus_domain::{AgencyCode, AgencyKind, AgencyName, CaseId, Password, ReferralInput, Role, Username};
use infohus_store::{InboxFilter, Store, password, sqlite_url};
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn report(name: &str, mut samples: Vec<Duration>, wall: Duration) {
    samples.sort();
    let at = |p: f64| samples.get(((samples.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or_default();
    println!(
        "{name:<32} n={:<6} {:>9.1}/s  p50={:>8.2}ms  p99={:>8.2}ms",
        samples.len(),
        samples.len() as f64 / wall.as_secs_f64(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let referrals = env("INFOHUS_SCALE_REFERRALS", 1_000_000);
    let reads = env("INFOHUS_SCALE_READS", 7);
    let dir = std::env::temp_dir().join(format!("infohus-scale-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir)?;
    let url =
        std::env::var("INFOHUS_BENCH_DATABASE_URL").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| sqlite_url(&dir));
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    let store = Arc::new(Store::open(&url, &dir.join("keys"), NOW).await?);
    let infohus = store.default_infohus().await?;
    let code = AgencyCode::parse("KK").ok_or("code")?;
    store
        .add_agency(&infohus, &code, &AgencyName::parse("Kommune").ok_or("name")?, AgencyKind::Municipality, NOW)
        .await?;
    let hash = password::hash(&Password::parse("benchmark-password")?).ok_or("hash")?;
    store
        .add_user(&infohus, &Username::parse("koordinator").ok_or("user")?, "K", &code, Role::Coordinator, &hash, NOW)
        .await?;
    let actor = store.actor_for_operator("koordinator").await?;
    println!("scale benchmark on {backend}: {referrals} referrals, {} access-log entries", referrals * (3 + reads));

    let started = Instant::now();
    store
        .bulk_synthetic(&actor, referrals, reads, NOW - time::Duration::days(3650), time::Duration::days(3640))
        .await?;
    let load = started.elapsed();
    println!(
        "bulk load: {:.1} s ({:.0} log entries/s)",
        load.as_secs_f64(),
        (referrals * (3 + reads)) as f64 / load.as_secs_f64()
    );

    // Intake on top of the loaded data: 16 concurrent clients.
    let categories = store.concern_categories().await?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..16usize {
        let (store, actor, categories) = (store.clone(), actor.clone(), categories.clone());
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            for i in 0..125usize {
                let n = c * 1000 + i;
                let input = ReferralInput {
                    channel: Some("hotline".into()),
                    subject: Some(SubjectInput {
                        name: Some(format!("Ny Person {n}")),
                        cpr: Some(format!("{:02}{:02}99{:04}", n % 28 + 1, n % 12 + 1, n % 10_000)),
                        ..Default::default()
                    }),
                    concern_category: Some("other".into()),
                    description: Some("Ny observation".into()),
                    ..Default::default()
                };
                let new = input.validate(&categories, NOW.date()).map_err(|e| format!("{e:?}"))?;
                let t = Instant::now();
                store.create_referral(&actor, new, NOW).await.map_err(|e| e.to_string())?;
                samples.push(t.elapsed());
            }
            Ok::<_, String>(samples)
        }));
    }
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await??);
    }
    report("intake (16 clients)", samples, started.elapsed());

    // The case page and the inbox page, one client.
    sqlx::any::install_default_drivers();
    let raw = sqlx::AnyPool::connect(&url).await?;
    let cases: Vec<(String,)> = sqlx::query_as("SELECT id FROM cases ORDER BY id LIMIT 200").fetch_all(&raw).await?;
    raw.close().await;
    let mut samples = Vec::new();
    let started = Instant::now();
    for (id,) in &cases {
        let id = CaseId::parse(id).ok_or("case id")?;
        let t = Instant::now();
        store.case(&actor, &id, NOW).await?;
        samples.push(t.elapsed());
    }
    report("case page", samples, started.elapsed());
    for (name, filter) in [
        ("inbox page, newest first", InboxFilter::default()),
        ("inbox page, urgent first", InboxFilter { sort: infohus_store::InboxSort::UrgentFirst, ..Default::default() }),
    ] {
        let mut samples = Vec::new();
        let started = Instant::now();
        for _ in 0..100 {
            let t = Instant::now();
            store.inbox(&actor, &filter, None, 50, NOW).await?;
            samples.push(t.elapsed());
        }
        report(name, samples, started.elapsed());
    }

    let started = Instant::now();
    let report_ = store.verify_access_log(None).await?.map_err(|f| format!("chain broken at {}", f.seq))?;
    let took = started.elapsed();
    println!(
        "audit verify: {} entries in {:.1} s ({:.0} entries/s)",
        report_.entries,
        took.as_secs_f64(),
        report_.entries as f64 / took.as_secs_f64()
    );
    store.close().await;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
