//! `infohus-bench`: the proof harness's measurements.
//!
//! `run` fills a fresh data dir with synthetic national-scale data (one million referrals and
//! ten million access-log entries by default), starts the real `infohus serve` on it and
//! measures over HTTP on loopback; in the same run it measures the machine's limits (raw
//! database commits and reads, hashing, a trivial handler on the same server stack) and
//! prints every figure with its ratio to its limit, as a table and as JSON.
//!
//! `load` runs a bounded mixed read/write load from many connections against the real
//! server and fails on any error or on memory that keeps growing.

mod http;
mod limits;
mod load;
mod server;

use anyhow::Context;
use clap::{Parser, Subcommand};
use http::{Plan, Request, Run, drive, single};
use infohus_domain::{AgencyCode, AgencyKind, AgencyName, Password, Role, Username};
use infohus_store::{Store, password, sqlite_url, synthetic_cpr, synthetic_name};
use serde_json::{Value, json};
use server::Server;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "benchmark-password";
pub const COORDINATOR: &str = "koordinator";

#[derive(Parser)]
#[command(name = "infohus-bench", about = "Infohus's benchmark and load harness")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate national-scale data, measure Infohus and the machine's limits, print ratios.
    Run(RunArgs),
    /// A bounded mixed load from many connections: zero errors, flat memory, p99.
    Load(load::LoadArgs),
    /// Serve a trivial handler on the same stack (used by `run` as the HTTP limit).
    #[command(hide = true)]
    TrivialServer {
        #[arg(long)]
        bind: String,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// Synthetic referrals to generate (one person each, a case for every hundredth).
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1_000..=50_000_000))]
    referrals: u64,
    /// Logged reads per referral; the access log holds about referrals × (3 + this) entries.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u64).range(0..=100))]
    reads_per_referral: u64,
    /// Seconds each throughput figure runs.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    seconds: u64,
    /// Concurrent clients for the read figures, comma-separated.
    #[arg(long, default_value = "1,8,32,128", value_delimiter = ',')]
    clients: Vec<usize>,
    #[command(flatten)]
    setup: Setup,
}

/// Where the data goes and which binary is measured: the same for `run` and `load`.
#[derive(clap::Args)]
pub struct Setup {
    /// Where to put the data (default: a fresh folder under the system's temp dir, removed
    /// afterwards unless --keep). Must not exist yet.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// An empty PostgreSQL database to run on instead of SQLite.
    #[arg(long)]
    database_url: Option<String>,
    /// Keep the data dir afterwards.
    #[arg(long)]
    keep: bool,
    /// Write the results as JSON here too.
    #[arg(long)]
    json: Option<PathBuf>,
    /// The `infohus` binary to measure (default: the one beside this binary).
    #[arg(long)]
    infohus: Option<PathBuf>,
}

impl Setup {
    /// Runs `body` with the `infohus` binary and a fresh data dir, then removes the dir
    /// unless `--keep`.
    pub async fn within<F, Fut>(&self, prefix: &str, body: F) -> anyhow::Result<bool>
    where
        F: FnOnce(PathBuf, PathBuf) -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<bool>>,
    {
        let infohus = match &self.infohus {
            Some(path) => path.clone(),
            None => server::sibling_infohus()?,
        };
        let dir = fresh_dir(self.data_dir.as_deref(), prefix)?;
        let result = body(infohus, dir.clone()).await;
        if !self.keep {
            // Not the URL itself: it holds the password.
            if self.database_url.is_some() {
                eprintln!("note: the PostgreSQL database given with --database-url keeps the data; drop it yourself");
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
        result
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Run(args) => run(args).await,
            Command::Load(args) => load::load(args).await,
            Command::TrivialServer { bind } => limits::trivial_server(&bind).await.map(|()| true),
        }
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// The system clock: this binary, like `infohus`'s main, is where time enters.
#[allow(clippy::disallowed_methods)] // the one place the benchmark reads the clock
pub fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// The machine the figures come from.
pub fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|m| m.trim().to_owned())
        .unwrap_or_default();
    let memory = server::status_field_of("/proc/meminfo", "MemTotal:").unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_owned();
    json!({
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "cpu_model": model,
        "memory_gib": (memory as f64 / (1u64 << 30) as f64 * 10.0).round() / 10.0,
        "kernel": kernel,
    })
}

/// A fresh data dir: the one asked for (must not exist) or one under the temp dir.
pub fn fresh_dir(asked: Option<&Path>, prefix: &str) -> anyhow::Result<PathBuf> {
    let dir = match asked {
        Some(dir) => {
            anyhow::ensure!(!dir.exists(), "{} exists already: give a new folder", dir.display());
            dir.to_owned()
        }
        None => std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::now_v7())),
    };
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Opens the store of `dir` (or `database_url`) and creates the agency and the coordinator
/// the measurements log in as.
pub async fn prepare(dir: &Path, database_url: Option<&str>) -> anyhow::Result<(Store, String)> {
    let url = database_url.map(str::to_owned).unwrap_or_else(|| sqlite_url(dir));
    let now = crate::now();
    let store = Store::open(&url, &dir.join("keys"), now).await.context("opening the store")?;
    let infohus = store.default_infohus().await?;
    let code = AgencyCode::parse("KK").ok_or_else(|| anyhow::anyhow!("agency code"))?;
    let name = AgencyName::parse("Kommunen").ok_or_else(|| anyhow::anyhow!("agency name"))?;
    store.add_agency(&infohus, &code, &name, AgencyKind::Municipality, now).await?;
    let hash = password::hash(&Password::parse(PASSWORD).map_err(|e| anyhow::anyhow!("{e}"))?)
        .ok_or_else(|| anyhow::anyhow!("password hash"))?;
    let user = Username::parse(COORDINATOR).ok_or_else(|| anyhow::anyhow!("username"))?;
    store.add_user(&infohus, &user, "Koordinator", &code, Role::Coordinator, &hash, now).await?;
    Ok((store, url))
}

/// The arguments that point `infohus` at the data.
pub fn location(dir: &Path, database_url: Option<&str>) -> Vec<String> {
    let mut args = vec!["--data-dir".to_owned(), dir.display().to_string()];
    if let Some(url) = database_url {
        args.extend(["--database-url".to_owned(), url.to_owned()]);
    }
    args
}

/// A referral body for intake with a CPR number no synthetic person has.
pub fn intake_body(c: usize, n: usize) -> Vec<u8> {
    let i = c * 1_000_000 + n;
    // Days 29 and 30 of the months that have them: a date no synthetic person is born on;
    // a sequence number from 0000 to 3999 puts every birth in the 1900s (never the future).
    let month = [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12][i / 2 % 11];
    let cpr = format!("{:02}{month:02}{:02}{:04}", 29 + i % 2, i / 22 % 100, i / 2200 % 4_000);
    let category = ["right_wing", "militant_islamism", "conspiracy", "misogyny", "other"][i % 5];
    let body = json!({
        "channel": "professional",
        "referrer": {"name": "Lærer Bench", "organisation": "Skole"},
        "subject": {"name": format!("Ny Borger{i} Benchmark"), "cpr": cpr, "gender": "female", "municipality": "0101"},
        "concern_category": category,
        "description": "Observation til benchmark: deler materiale fra en ekstrem gruppe.",
        "urgency": if i.is_multiple_of(9) { "urgent" } else { "normal" },
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

/// The command line as the JSON report records it, with the password of a database URL
/// (`scheme://user:password@host/…`) replaced, so the report can be shared.
pub fn command_line(args: impl IntoIterator<Item = String>) -> String {
    let hide = |arg: String| match (arg.find("://"), arg.rfind('@')) {
        (Some(scheme), Some(at)) if scheme + 3 < at && arg[scheme + 3..at].contains(':') => {
            let user = arg[scheme + 3..at].split(':').next().unwrap_or_default().to_owned();
            format!("{}{user}:PASSWORD{}", &arg[..scheme + 3], &arg[at..])
        }
        _ => arg,
    };
    args.into_iter().map(hide).collect::<Vec<_>>().join(" ")
}

/// One line of the results: a figure and, where it has one, its limit and the ratio.
struct Figure {
    what: String,
    value: f64,
    unit: &'static str,
    p50_ms: Option<f64>,
    p99_ms: Option<f64>,
    limit: Option<(String, f64)>,
    /// The moonshot ratio, where the issue names one.
    target: Option<f64>,
}

impl Figure {
    fn new(what: impl Into<String>, value: f64, unit: &'static str) -> Self {
        Self { what: what.into(), value, unit, p50_ms: None, p99_ms: None, limit: None, target: None }
    }

    fn of_run(what: impl Into<String>, run: &Run) -> Self {
        Self {
            p50_ms: Some(run.percentile_ms(0.50)),
            p99_ms: Some(run.percentile_ms(0.99)),
            ..Self::new(what, run.throughput(), "/s")
        }
    }

    fn against(mut self, limit: impl Into<String>, value: f64, target: Option<f64>) -> Self {
        self.limit = Some((limit.into(), value));
        self.target = target;
        self
    }

    fn ratio(&self) -> Option<f64> {
        self.limit.as_ref().map(|(_, limit)| if *limit > 0.0 { self.value / limit } else { 0.0 })
    }

    fn json(&self) -> Value {
        json!({
            "what": self.what, "value": round(self.value), "unit": self.unit,
            "p50_ms": self.p50_ms.map(round), "p99_ms": self.p99_ms.map(round),
            "limit": self.limit.as_ref().map(|(name, value)| json!({"what": name, "value": round(*value)})),
            "ratio": self.ratio().map(|r| (r * 1000.0).round() / 1000.0),
            "target_ratio": self.target,
            "meets_target": self.target.zip(self.ratio()).map(|(t, r)| r >= t),
        })
    }
}

fn round(x: f64) -> f64 {
    if x.abs() >= 100.0 { x.round() } else { (x * 100.0).round() / 100.0 }
}

fn human(value: f64, unit: &str) -> String {
    match unit {
        "B/s" => format!("{:.0} MB/s", value / 1e6),
        "B" => format!("{:.0} MB", value / 1e6),
        "s" => format!("{value:.2} s"),
        "ms" => format!("{value:.1} ms"),
        _ => {
            let whole = format!("{:.0}", value);
            let mut grouped = String::new();
            for (i, ch) in whole.chars().enumerate() {
                if i > 0 && (whole.len() - i).is_multiple_of(3) && ch != '-' {
                    grouped.push(',');
                }
                grouped.push(ch);
            }
            format!("{grouped} {unit}")
        }
    }
}

fn print_table(figures: &[Figure]) {
    println!();
    println!("| what | figure | p50 | p99 | limit | limit figure | ratio |");
    println!("|---|---|---|---|---|---|---|");
    for f in figures {
        let ms = |v: Option<f64>| v.map(|v| format!("{v:.2} ms")).unwrap_or_default();
        let (limit, limit_value) = match &f.limit {
            Some((name, value)) => (name.clone(), human(*value, f.unit)),
            None => (String::new(), String::new()),
        };
        let ratio = match (f.ratio(), f.target) {
            (Some(r), Some(t)) => format!("{r:.2} (target ≥ {t:.2}{})", if r >= t { ", met" } else { ", not met" }),
            (Some(r), None) => format!("{r:.2}"),
            _ => String::new(),
        };
        println!(
            "| {} | {} | {} | {} | {limit} | {limit_value} | {ratio} |",
            f.what,
            human(f.value, f.unit),
            ms(f.p50_ms),
            ms(f.p99_ms)
        );
    }
}

/// Refuses a run where nothing succeeded; counts unexpected answers into `errors` (the
/// whole benchmark then exits 1: a figure measured on failing requests proves nothing).
fn check(run: &Run, what: &str, errors: &mut usize) -> anyhow::Result<()> {
    anyhow::ensure!(run.ok > 0, "{what}: no request succeeded ({:?})", run.first_errors);
    if run.errors > 0 {
        eprintln!("error: {what}: {} unexpected answers, e.g. {:?}", run.errors, run.first_errors);
        *errors += run.errors;
    }
    Ok(())
}

async fn run(args: RunArgs) -> anyhow::Result<bool> {
    let me = std::env::current_exe()?;
    let args = &args;
    args.setup.within("infohus-bench", |infohus, dir| async move { measure(args, &infohus, &me, &dir).await }).await
}

async fn measure(args: &RunArgs, infohus: &Path, me: &Path, dir: &Path) -> anyhow::Result<bool> {
    let seconds = Duration::from_secs(args.seconds);
    let referrals = usize::try_from(args.referrals)?;
    let reads = usize::try_from(args.reads_per_referral)?;
    let db = args.setup.database_url.as_deref();
    let machine = machine();
    let backend = if db.is_some() { "PostgreSQL" } else { "SQLite" };
    eprintln!("machine: {machine}");
    eprintln!(
        "generating {referrals} referrals with about {} access-log entries on {backend}",
        referrals * (3 + reads)
    );
    let mut figures = Vec::new();
    let mut errors = 0usize;

    // Data.
    let (store, url) = prepare(dir, db).await?;
    let actor = store.actor_for_operator(COORDINATOR).await?;
    let started = Instant::now();
    let now = crate::now();
    store
        .bulk_synthetic(&actor, referrals, reads, now - time::Duration::days(3650), time::Duration::days(3640))
        .await?;
    let load_time = started.elapsed();
    store.close().await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await?;
    let count = |table: &'static str| {
        let pool = pool.clone();
        async move {
            // Safe: constant table names.
            let row: (i64,) =
                sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(&pool).await?;
            Ok::<_, anyhow::Error>(row.0)
        }
    };
    let (n_referrals, n_log, n_cases) = (count("referrals").await?, count("access_log").await?, count("cases").await?);
    eprintln!(
        "loaded in {:.1} s: {n_referrals} referrals, {n_cases} cases, {n_log} log entries",
        load_time.as_secs_f64()
    );
    figures.push(Figure::new("bulk load (access-log entries written)", n_log as f64 / load_time.as_secs_f64(), "/s"));
    let referral_ids: Vec<String> =
        sqlx::query_as::<_, (String,)>("SELECT id FROM referrals ORDER BY received_at DESC LIMIT 20000")
            .fetch_all(&pool)
            .await?
            .into_iter()
            .map(|(id,)| id)
            .collect();
    let case_ids: Vec<String> = sqlx::query_as::<_, (String,)>("SELECT id FROM cases ORDER BY id LIMIT 10000")
        .fetch_all(&pool)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect();
    let entry_size = limits::log_entry_size(&pool).await?;
    pool.close().await;
    anyhow::ensure!(!case_ids.is_empty() && !referral_ids.is_empty(), "the synthetic data holds no case");
    let (referral_ids, case_ids) = (Arc::new(referral_ids), Arc::new(case_ids));

    // The machine's limits, with no server running.
    let scratch = match db {
        Some(url) => url.to_owned(),
        None => format!("sqlite://{}?mode=rwc", dir.join("raw-limits.sqlite").display()),
    };
    let raw_commits = limits::durable_commits(&scratch, seconds).await?;
    let raw_batched = limits::batched_rows(&scratch, seconds).await?;
    limits::drop_scratch(&scratch).await?;
    let raw_reads = limits::pk_reads(&url, referral_ids.clone(), 32, seconds).await?;
    let sha256 = limits::hash_throughput(seconds.min(Duration::from_secs(3)), limits::sha256);
    let blake3 = limits::hash_throughput(seconds.min(Duration::from_secs(3)), limits::blake3);
    let hmac = limits::hmac_per_second(entry_size, seconds.min(Duration::from_secs(3)));
    eprintln!("limits: {raw_commits:.0} durable commits/s, {raw_batched:.0} batched rows/s, {raw_reads:.0} PK reads/s");

    // Cold start of the real server on the loaded data.
    let dropped = server::drop_page_cache();
    let mut serve_args = vec!["serve".to_owned()];
    serve_args.extend(location(dir, db));
    let server = Server::start(infohus, &serve_args, &dir.join("serve.log"), Duration::from_secs(600)).await?;
    figures.push(Figure::new(
        if dropped { "cold start to `listening on` (page cache dropped)" } else { "cold start to `listening on`" },
        server.start_time.as_secs_f64() * 1e3,
        "ms",
    ));
    let address = server.address.clone();
    let token = http::login(&address, COORDINATOR, PASSWORD).await?;
    let trivial =
        Server::start(me, &["trivial-server".to_owned()], &dir.join("trivial.log"), Duration::from_secs(30)).await?;

    // Audited case reads against the trivial handler, client count by client count.
    for &clients in &args.clients {
        let trivial_run =
            drive(&trivial.address, None, clients, seconds, usize::MAX, single(200, |_, _| Request::get("/"))).await?;
        check(&trivial_run, "trivial handler", &mut errors)?;
        let ids = case_ids.clone();
        let plan: Plan =
            single(200, move |c, n| Request::get(format!("/api/v1/cases/{}", ids[(c * 7919 + n) % ids.len()])));
        let cases = drive(&address, Some(&token), clients, seconds, usize::MAX, plan).await?;
        check(&cases, "case reads", &mut errors)?;
        figures.push(Figure::of_run(format!("trivial handler, {clients} clients"), &trivial_run));
        figures.push(
            Figure::of_run(format!("audited case reads `GET /api/v1/cases/{{id}}`, {clients} clients"), &cases)
                .against(format!("trivial handler, {clients} clients"), trivial_run.throughput(), Some(0.5)),
        );
    }
    trivial.stop();
    let ids = referral_ids.clone();
    let plan: Plan =
        single(200, move |c, n| Request::get(format!("/api/v1/referrals/{}", ids[(c * 7919 + n) % ids.len()])));
    let reads_run = drive(&address, Some(&token), 32, seconds, usize::MAX, plan).await?;
    check(&reads_run, "referral reads", &mut errors)?;
    figures.push(
        Figure::of_run("audited referral reads `GET /api/v1/referrals/{id}`, 32 clients", &reads_run).against(
            "raw primary-key reads, 32 clients",
            raw_reads,
            None,
        ),
    );

    // Intake, durable.
    let intake = drive(
        &address,
        Some(&token),
        32,
        seconds,
        usize::MAX,
        single(201, |c, n| Request::post("/api/v1/referrals", intake_body(c, n))),
    )
    .await?;
    check(&intake, "intake", &mut errors)?;
    figures.push(Figure::of_run("referral intake `POST /api/v1/referrals` (durable), 32 clients", &intake).against(
        "raw durable single-row commits",
        raw_commits,
        Some(0.5),
    ));
    figures.push(Figure::new("raw batched rows (1,000 per transaction)", raw_batched, "/s"));

    // Inbox, search.
    let inbox = drive(
        &address,
        Some(&token),
        8,
        seconds,
        usize::MAX,
        single(200, |_, n| {
            Request::get(match n % 3 {
                0 => "/api/v1/referrals?limit=50",
                1 => "/api/v1/referrals?limit=50&sort=urgent",
                _ => "/api/v1/referrals?limit=50&status=received",
            })
        }),
    )
    .await?;
    check(&inbox, "inbox", &mut errors)?;
    figures.push(Figure::of_run("inbox page (50 referrals), 8 clients", &inbox));
    type SearchBody = fn(usize) -> Value;
    let searches: [(&str, SearchBody); 2] = [
        ("person search by CPR, 8 clients", |i| json!({"cpr": synthetic_cpr(i)})),
        ("person search by name (three words), 8 clients", |i| json!({"name": synthetic_name(i)})),
    ];
    for (what, body) in searches {
        let plan = single(200, move |c, n| {
            let i = (c * 104_729 + n * 7_919) % referrals;
            Request::post("/api/v1/person-search", serde_json::to_vec(&body(i)).unwrap_or_default())
        });
        let run = drive(&address, Some(&token), 8, seconds, usize::MAX, plan).await?;
        check(&run, what, &mut errors)?;
        figures.push(Figure::of_run(what, &run));
    }

    // Agenda generation for the next meeting.
    let agenda = agenda_generation(&address, &token, 5).await?;
    figures.push(Figure::of_run(format!("agenda generation ({} items)", agenda.1), &agenda.0));

    let peak_rss = server.peak_rss().unwrap_or(0);
    figures.push(Figure::new("server peak RSS (VmHWM) over the run", peak_rss as f64, "B"));
    server.stop();

    // `audit verify` through the real CLI, against raw HMAC-SHA256 of the same entry size.
    let mut verify_args = vec!["audit".to_owned(), "verify".to_owned()];
    verify_args.extend(location(dir, db));
    let started = Instant::now();
    let output = std::process::Command::new(infohus).args(&verify_args).output()?;
    let verify_time = started.elapsed();
    anyhow::ensure!(output.status.success(), "audit verify failed: {}", String::from_utf8_lossy(&output.stdout));
    let text = String::from_utf8_lossy(&output.stdout);
    let checked: f64 = text
        .split_whitespace()
        .zip(text.split_whitespace().skip(1))
        .find(|(_, next)| *next == "entries")
        .and_then(|(n, _)| n.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("cannot read the entry count from: {text}"))?;
    figures.push(
        Figure::new(format!("`audit verify` ({checked:.0} entries)"), checked / verify_time.as_secs_f64(), "/s")
            .against(format!("raw HMAC-SHA256 of {entry_size}-byte entries, one thread"), hmac, Some(0.5)),
    );
    figures.push(Figure::new("SHA-256, one thread", sha256, "B/s"));
    figures.push(Figure::new("BLAKE3, one thread", blake3, "B/s"));

    print_table(&figures);
    let report = json!({
        "command": command_line(std::env::args()),
        "at": crate::now().format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        "machine": machine,
        "backend": backend,
        "referrals": n_referrals, "cases": n_cases, "access_log_entries": n_log,
        "bulk_load_seconds": round(load_time.as_secs_f64()),
        "seconds_per_figure": args.seconds,
        "unexpected_answers": errors,
        "figures": figures.iter().map(Figure::json).collect::<Vec<_>>(),
    });
    if let Some(path) = &args.setup.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)?;
        eprintln!("wrote {}", path.display());
    }
    if errors > 0 {
        eprintln!("error: {errors} requests got an unexpected answer: the figures above are not valid");
    }
    Ok(errors == 0)
}

/// Creates a meeting series and times `reps` builds of its first meeting's agenda through
/// the API; returns the run and the number of items.
async fn agenda_generation(address: &str, token: &str, reps: usize) -> anyhow::Result<(Run, u64)> {
    let mut client = http::Client::connect(address, Some(token)).await?;
    // The day after tomorrow: its cut-off (21 hours before 09:00) is after every referral of
    // the run at any hour, so the agenda holds the same subjects whenever the run is made (with
    // the meeting tomorrow, the referrals of the intake figure fell before or after the cut-off
    // by the hour of the run: 1,980 or 9,374 items at a million referrals).
    let day = crate::now().date().checked_add(time::Duration::days(2)).ok_or_else(|| anyhow::anyhow!("date"))?;
    let series = json!({"name": "Benchmarkmøde", "first_start": format!("{day}T09:00"), "occurrences": 2,
        "participants": [{"agency": "KK"}]});
    let (status, body) = client.send(&Request::post("/api/v1/meeting-series", serde_json::to_vec(&series)?)).await?;
    anyhow::ensure!(status == 201, "creating the meeting series answered {status}");
    let _: Value = serde_json::from_slice(&body)?;
    let (status, body) = client.send(&Request::get(format!("/api/v1/meetings?from={day}"))).await?;
    anyhow::ensure!(status == 200, "listing meetings answered {status}");
    let meetings: Value = serde_json::from_slice(&body)?;
    let meeting = meetings["items"][0]["id"].as_str().ok_or_else(|| anyhow::anyhow!("no meeting"))?.to_owned();
    let mut run = Run::default();
    let mut items = 0;
    let started = Instant::now();
    for _ in 0..reps {
        let at = Instant::now();
        let (status, body) =
            client.send(&Request::post(format!("/api/v1/meetings/{meeting}/agenda/build"), Vec::new())).await?;
        anyhow::ensure!(status == 200, "building the agenda answered {status}");
        run.samples.push(at.elapsed());
        run.ok += 1;
        items = serde_json::from_slice::<Value>(&body)?["generated_items"].as_u64().unwrap_or(0);
    }
    run.wall = started.elapsed();
    run.samples.sort_unstable();
    Ok((run, items))
}

#[cfg(test)]
mod tests {
    use super::command_line;

    #[test]
    fn the_recorded_command_line_holds_no_database_password() {
        let args = |list: &[&str]| list.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            command_line(args(&[
                "infohus-bench",
                "run",
                "--database-url",
                "postgres://bench:s3cr3t@localhost:5432/db"
            ])),
            "infohus-bench run --database-url postgres://bench:PASSWORD@localhost:5432/db"
        );
        assert_eq!(
            command_line(args(&["infohus-bench", "--database-url=postgres://u:p@w@h/db", "--seconds", "10"])),
            "infohus-bench --database-url=postgres://u:PASSWORD@h/db --seconds 10"
        );
        assert_eq!(
            command_line(args(&["b", "postgres://u@h/db", "--json", "x.json"])),
            "b postgres://u@h/db --json x.json"
        );
    }
}
