//! The bounded load and soak run: many keep-alive connections send a fixed mix of audited
//! reads, searches and durable writes to the real server for a set time. It passes only with
//! zero errors and memory that stops growing once warm; it reports p50/p99 per kind.

use crate::http::{self, Plan, Request, Step, drive, percentile_ms};
use crate::server::{self, Server};
use crate::{COORDINATOR, PASSWORD, Setup, intake_body, location, machine, prepare};
use infohus_store::synthetic_cpr;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct LoadArgs {
    /// How long the load runs (at least 20 s: memory is sampled every 5 s and judged over
    /// the last quarter against 20–50 %).
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(20..=86_400))]
    seconds: u64,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u64).range(1..=4_096))]
    connections: u64,
    /// Synthetic referrals loaded before the run.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1_000..=10_000_000))]
    referrals: u64,
    /// The most the resident memory may grow from the warm-up's peak to the end's peak
    /// (0.25 = 25 %) before the run counts as leaking.
    #[arg(long, default_value_t = 0.25)]
    max_rss_growth: f64,
    #[command(flatten)]
    setup: Setup,
}

const KINDS: [&str; 6] = [
    "case read `GET /api/v1/cases/{id}`",
    "referral read `GET /api/v1/referrals/{id}`",
    "inbox page `GET /api/v1/referrals?limit=50`",
    "person search by CPR",
    "intake `POST /api/v1/referrals`",
    "case note `POST /api/v1/cases/{id}/notes`",
];

/// The mix, in twentieths: 8 case reads, 4 referral reads, 2 inbox pages, 2 searches,
/// 2 intakes, 2 notes (70 % reads and searches, 20 % durable writes… and 10 % pages).
fn kind_of(c: usize, n: usize) -> usize {
    match (c * 31 + n) % 20 {
        0..=7 => 0,
        8..=11 => 1,
        12..=13 => 2,
        14..=15 => 3,
        16..=17 => 4,
        _ => 5,
    }
}

pub async fn load(args: LoadArgs) -> anyhow::Result<bool> {
    let args = &args;
    args.setup.within("infohus-load", |infohus, dir| async move { run(args, &infohus, &dir).await }).await
}

async fn run(args: &LoadArgs, infohus: &std::path::Path, dir: &std::path::Path) -> anyhow::Result<bool> {
    let referrals = usize::try_from(args.referrals)?;
    let connections = usize::try_from(args.connections)?;
    let db = args.setup.database_url.as_deref();
    let (store, url) = prepare(dir, db).await?;
    let actor = store.actor_for_operator(COORDINATOR).await?;
    let now = crate::now();
    store.bulk_synthetic(&actor, referrals, 1, now - time::Duration::days(3650), time::Duration::days(3640)).await?;
    store.close().await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await?;
    let ids = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&pool).await?;
            Ok::<_, anyhow::Error>(Arc::new(rows.into_iter().map(|(id,)| id).collect::<Vec<_>>()))
        }
    };
    let referral_ids = ids("SELECT id FROM referrals ORDER BY received_at DESC LIMIT 5000").await?;
    let case_ids = ids("SELECT id FROM cases ORDER BY id LIMIT 5000").await?;
    pool.close().await;
    anyhow::ensure!(!case_ids.is_empty(), "the synthetic data holds no case");

    let mut serve_args = vec!["serve".to_owned()];
    serve_args.extend(location(dir, db));
    let server = Server::start(infohus, &serve_args, &dir.join("serve.log"), Duration::from_secs(120)).await?;
    let token = http::login(&server.address, COORDINATOR, PASSWORD).await?;
    eprintln!(
        "load: {connections} connections for {} s against {} ({referrals} referrals loaded)",
        args.seconds, server.address
    );

    // Memory, sampled every five seconds while the load runs.
    let done = Arc::new(AtomicBool::new(false));
    let pid = server.pid();
    let sampler = {
        let done = done.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let mut samples = Vec::new();
            while !done.load(Ordering::Relaxed) {
                if let Some(rss) = server::status_field(pid, "VmRSS:") {
                    samples.push((started.elapsed().as_secs_f64(), rss));
                }
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
            samples
        })
    };
    let plan: Plan = Arc::new(move |c, n| {
        let kind = kind_of(c, n);
        let pick = |ids: &Arc<Vec<String>>| ids[(c * 7919 + n) % ids.len()].clone();
        let (request, expect) = match kind {
            0 => (Request::get(format!("/api/v1/cases/{}", pick(&case_ids))), 200),
            1 => (Request::get(format!("/api/v1/referrals/{}", pick(&referral_ids))), 200),
            2 => (Request::get("/api/v1/referrals?limit=50"), 200),
            3 => {
                let body = json!({"cpr": synthetic_cpr((c * 104_729 + n * 7_919) % referrals)});
                (Request::post("/api/v1/person-search", serde_json::to_vec(&body).unwrap_or_default()), 200)
            }
            4 => (Request::post("/api/v1/referrals", intake_body(c, n)), 201),
            _ => {
                let body = json!({"body": format!("Notat fra belastningstest {c}-{n}.")});
                (
                    Request::post(
                        format!("/api/v1/cases/{}/notes", pick(&case_ids)),
                        serde_json::to_vec(&body).unwrap_or_default(),
                    ),
                    201,
                )
            }
        };
        Step { request, expect, kind }
    });
    let result =
        drive(&server.address, Some(&token), connections, Duration::from_secs(args.seconds), usize::MAX, plan).await?;
    done.store(true, Ordering::Relaxed);
    let rss = sampler.await?;
    let healthy = http::Client::connect(&server.address, None).await?.send(&Request::get("/healthz")).await?.0 == 200;
    let peak = server.peak_rss().unwrap_or(0);
    server.stop();

    // Flat memory: the peak of the last quarter against the peak after warm-up (20–50 %).
    let total = args.seconds as f64;
    let window_peak = |from: f64, to: f64| {
        rss.iter().filter(|(t, _)| *t >= from * total && *t <= to * total).map(|(_, r)| *r).max().unwrap_or(0)
    };
    let (warm, end) = (window_peak(0.2, 0.5), window_peak(0.75, 1.0));
    let growth = if warm > 0 { end as f64 / warm as f64 - 1.0 } else { 0.0 };
    let flat = growth <= args.max_rss_growth;

    println!();
    println!(
        "load: {} requests in {:.1} s = {:.0}/s from {connections} connections; errors: {}; p50 {:.2} ms, p99 {:.2} ms",
        result.ok,
        result.wall.as_secs_f64(),
        result.throughput(),
        result.errors,
        result.percentile_ms(0.5),
        result.percentile_ms(0.99)
    );
    println!("| kind | requests | errors | p50 | p99 | max |");
    println!("|---|---|---|---|---|---|");
    let mut kinds = Vec::new();
    for (kind, name) in KINDS.iter().enumerate() {
        let samples = result.by_kind.get(kind).map(Vec::as_slice).unwrap_or(&[]);
        let errors = result.errors_by_kind.get(kind).copied().unwrap_or(0);
        let (p50, p99, max) = (percentile_ms(samples, 0.5), percentile_ms(samples, 0.99), percentile_ms(samples, 1.0));
        println!("| {name} | {} | {errors} | {p50:.2} ms | {p99:.2} ms | {max:.2} ms |", samples.len());
        kinds.push(json!({"kind": name, "requests": samples.len(), "errors": errors, "p50_ms": p50, "p99_ms": p99, "max_ms": max}));
    }
    println!(
        "memory: RSS peak after warm-up {:.1} MB, in the last quarter {:.1} MB ({:+.1} %, allowed {:+.0} %); VmHWM {:.1} MB; healthz after: {}",
        warm as f64 / 1e6,
        end as f64 / 1e6,
        growth * 100.0,
        args.max_rss_growth * 100.0,
        peak as f64 / 1e6,
        if healthy { "200" } else { "failed" }
    );
    if !result.first_errors.is_empty() {
        println!("first errors: {:?}", result.first_errors);
    }
    let passed = result.errors == 0 && flat && healthy;
    println!("load run {}", if passed { "PASSED" } else { "FAILED" });
    if let Some(path) = &args.setup.json {
        let report = json!({
            "command": crate::command_line(std::env::args()),
            "machine": machine(),
            "backend": if db.is_some() { "PostgreSQL" } else { "SQLite" },
            "seconds": args.seconds, "connections": connections, "referrals_loaded": referrals,
            "requests": result.ok, "errors": result.errors, "throughput": result.throughput(),
            "p50_ms": result.percentile_ms(0.5), "p99_ms": result.percentile_ms(0.99),
            "kinds": kinds,
            "rss_samples": rss.iter().map(|(t, r)| json!([t, r])).collect::<Vec<_>>(),
            "rss_growth": growth, "peak_rss": peak, "passed": passed,
        });
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
    }
    Ok(passed)
}
