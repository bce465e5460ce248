//! Benchmark (not a test): what the access log costs. Audited reads of a referral through
//! the store against unaudited raw reads of the same rows, and log appends per second with
//! group commit against one fsync per append, each under 32 concurrent clients.
//! `cargo bench -p infohus-store --bench access`; `INFOHUS_BENCH_READS` sets reads per run.

use infohus_domain::referral::SubjectInput;
use infohus_domain::{AgencyCode, AgencyKind, AgencyName, Password, ReferralId, ReferralInput, Role, Username};
use infohus_store::{Store, StoreOptions, password, sqlite_url};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);
const CLIENTS: usize = 32;
const RECORDS: usize = 2_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

fn report(name: &str, mut samples: Vec<Duration>, wall: Duration) -> f64 {
    samples.sort();
    let rate = samples.len() as f64 / wall.as_secs_f64();
    println!(
        "{name:<44} n={:<6} {:>9.0}/s  p50={:>7.3}ms  p99={:>7.3}ms",
        samples.len(),
        rate,
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
    );
    rate
}

async fn setup(
    options: StoreOptions,
) -> Result<(Arc<Store>, Vec<ReferralId>, std::path::PathBuf), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("infohus-access-bench-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir)?;
    let store = Store::open_with(&sqlite_url(&dir), &dir.join("keys"), NOW, options).await?;
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
    let categories = store.concern_categories().await?;
    let store = Arc::new(store);
    // Create the records concurrently so that setup itself is group-committed.
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (store, actor, categories) = (store.clone(), actor.clone(), categories.clone());
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in (c..RECORDS).step_by(CLIENTS) {
                let input = ReferralInput {
                    channel: Some("professional".into()),
                    subject: Some(SubjectInput {
                        name: Some(format!("Person {i}")),
                        cpr: Some(format!("{:02}{:02}05{:04}", i % 28 + 1, i % 12 + 1, i)),
                        ..Default::default()
                    }),
                    concern_category: Some("other".into()),
                    description: Some(format!("Observation nummer {i} med en beskrivelse af bekymringen.")),
                    ..Default::default()
                };
                let new = input.validate(&categories, NOW.date()).map_err(|e| format!("{e:?}"))?;
                ids.push(store.create_referral(&actor, new, NOW).await.map_err(|e| e.to_string())?.id);
            }
            Ok::<_, String>(ids)
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.extend(task.await??);
    }
    Ok((store, ids, dir))
}

/// `CLIENTS` tasks each reading `per_client` referrals through the store (audited).
async fn audited_reads(
    store: &Arc<Store>,
    ids: &Arc<Vec<ReferralId>>,
    per_client: usize,
) -> Result<(Vec<Duration>, Duration), Box<dyn std::error::Error>> {
    let actor = store.actor_for_operator("koordinator").await?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (store, ids, actor) = (store.clone(), ids.clone(), actor.clone());
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::with_capacity(per_client);
            for i in 0..per_client {
                let id = &ids[(c * 7919 + i * 31) % ids.len()];
                let t = Instant::now();
                store.referral(&actor, id, NOW).await.map_err(|e| e.to_string())?;
                samples.push(t.elapsed());
            }
            Ok::<_, String>(samples)
        }));
    }
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await??);
    }
    Ok((samples, started.elapsed()))
}

/// The same rows read with the same query shape straight from SQLite: no policy, no log.
async fn raw_reads(
    dir: &std::path::Path,
    ids: &Arc<Vec<ReferralId>>,
    per_client: usize,
) -> Result<(Vec<Duration>, Duration), Box<dyn std::error::Error>> {
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(8).connect(&sqlite_url(dir)).await?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (pool, ids) = (pool.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::with_capacity(per_client);
            for i in 0..per_client {
                let id = &ids[(c * 7919 + i * 31) % ids.len()];
                let t = Instant::now();
                let rows = sqlx::query(
                    "SELECT r.*, u.username, a.name FROM referrals r JOIN users u ON u.id = r.submitted_by
                     JOIN agencies a ON a.id = r.submitted_by_agency WHERE r.id = $1",
                )
                .bind(id.as_str())
                .fetch_all(&pool)
                .await
                .map_err(|e| e.to_string())?;
                let _ = sqlx::query("SELECT agency_id FROM referral_agencies WHERE referral_id = $1")
                    .bind(id.as_str())
                    .fetch_all(&pool)
                    .await
                    .map_err(|e| e.to_string())?;
                if rows.is_empty() {
                    return Err("missing row".to_owned());
                }
                samples.push(t.elapsed());
            }
            Ok::<_, String>(samples)
        }));
    }
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await??);
    }
    pool.close().await;
    Ok((samples, started.elapsed()))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let reads: usize = std::env::var("INFOHUS_BENCH_READS").ok().and_then(|v| v.parse().ok()).unwrap_or(32_000);
    let per_client = (reads / CLIENTS).max(1);
    println!("access-log benchmark: {RECORDS} referrals, {CLIENTS} concurrent clients, SQLite WAL synchronous=FULL");

    let (store, ids, dir) = setup(StoreOptions::default()).await?;
    let ids = Arc::new(ids);
    let (samples, wall) = raw_reads(&dir, &ids, per_client).await?;
    let raw = report("unaudited raw read (same rows, no log)", samples, wall);
    let before =
        (store.write_stats().batches.load(Ordering::Relaxed), store.write_stats().jobs.load(Ordering::Relaxed));
    let (samples, wall) = audited_reads(&store, &ids, per_client).await?;
    let audited = report("audited read, group commit", samples, wall);
    let batches = store.write_stats().batches.load(Ordering::Relaxed) - before.0;
    let jobs = store.write_stats().jobs.load(Ordering::Relaxed) - before.1;
    println!(
        "  -> {jobs} log appends in {batches} commits ({:.1} per fsync); audited/raw cost ratio {:.2}x",
        jobs as f64 / batches.max(1) as f64,
        raw / audited
    );
    store.close().await;
    std::fs::remove_dir_all(&dir)?;

    let (store, ids, dir) = setup(StoreOptions { max_write_batch: 1, ..StoreOptions::default() }).await?;
    let ids = Arc::new(ids);
    let (samples, wall) = audited_reads(&store, &ids, (per_client / 8).max(1)).await?;
    let single = report("audited read, one fsync per append", samples, wall);
    println!("  -> group commit gives {:.1}x the appends per second", audited / single);
    store.close().await;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
