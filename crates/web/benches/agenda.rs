//! Benchmark (not a test): the generated agenda of a coordination meeting at national
//! casework scale, and its PDF. Bulk-loads open cases (`Store::bulk_casework`) and agenda
//! inputs on top (`Store::bulk_agenda_facts`: interventions with review dates, action items
//! from an earlier meeting, release notices, flags, referrals awaiting screening), then times,
//! in process: `Store::build_agenda` (first build and rebuilds), `Store::meeting` for a
//! coordinator and for a member whose agency takes part in only some cases, and
//! `pdf::render_pdf` of the agenda as a page would lay it out.
//! `cargo bench -p infohus-web --features bench-data --bench agenda`; `INFOHUS_BENCH_CASES`
//! (default 100000), `INFOHUS_BENCH_ASSESSMENTS` (per case, default 1),
//! `INFOHUS_BENCH_AWAITING` (referrals awaiting screening, default 2000) and
//! `INFOHUS_BENCH_REPS` (repetitions per measurement, default 20) set the size,
//! `INFOHUS_BENCH_DATABASE_URL` an empty PostgreSQL database to run on instead of SQLite, and
//! `INFOHUS_BENCH_TRY_SQL` statements (`;`-separated) to run after the load, e.g. an index to try.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use infohus_domain::agenda::{AgendaFacts, AwaitingReferral, CaseFact, Reason};
use infohus_domain::{AgencyCode, AgencyKind, AgencyName, Clock, Password, Role, Username};
use infohus_store::{AgendaFactsPlan, MeetingView, NewSeries, Store, password, sqlite_url};
use infohus_web::SystemClock;
use infohus_web::pdf::{Block, PdfDocument, render_pdf};
use std::path::Path;
use std::time::{Duration, Instant};
use time::{Date, PrimitiveDateTime, Time};

const PASSWORD: &str = "benchmark-password";

/// Days between assessments, as `Store::bulk_casework` spaces them.
const ASSESSMENT_INTERVAL_DAYS: i64 = 60;

/// The screening deadline the agenda is built with (the installation's default).
const SCREENING_DAYS: u32 = infohus_domain::calendar::SCREENING_WORKING_DAYS;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn report(name: &str, mut samples: Vec<Duration>, extra: &str) {
    samples.sort();
    println!(
        "{name:<52} n={:<3} min={:>8.2}ms  p50={:>8.2}ms  p95={:>8.2}ms  max={:>8.2}ms  {extra}",
        samples.len(),
        ms(samples.first().copied().unwrap_or_default()),
        ms(percentile(&samples, 0.50)),
        ms(percentile(&samples, 0.95)),
        ms(samples.last().copied().unwrap_or_default()),
    );
}

/// CPU time this process has used, all threads (Linux: `/proc/self/stat`, 100 ticks a second).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// CPU time used since `before` as a share of `wall`: well under 100 % means waiting (for the
/// disk, or for the database server, whose work is not counted here).
fn cpu_share(before: Option<Duration>, wall: &[Duration]) -> String {
    let wall: Duration = wall.iter().sum();
    match (before, cpu_time()) {
        (Some(before), Some(after)) if !wall.is_zero() => {
            format!("cpu={:.0}%", 100.0 * (after - before).as_secs_f64() / wall.as_secs_f64())
        }
        _ => String::new(),
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// The sizes of the SQLite database file and of its write-ahead log.
fn sqlite_sizes(dir: &Path) -> (u64, u64) {
    let size = |file: &str| std::fs::metadata(dir.join(file)).map(|m| m.len()).unwrap_or(0);
    (size("infohus.sqlite"), size("infohus.sqlite-wal"))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> BenchResult<()> {
    let cases = env("INFOHUS_BENCH_CASES", 100_000);
    let assessments = env("INFOHUS_BENCH_ASSESSMENTS", 1);
    let awaiting = env("INFOHUS_BENCH_AWAITING", 2_000);
    let reps = env("INFOHUS_BENCH_REPS", 20).max(1);
    let dir = std::env::temp_dir().join(format!("infohus-bench-agenda-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir)?;
    let clock = SystemClock;
    let url =
        std::env::var("INFOHUS_BENCH_DATABASE_URL").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| sqlite_url(&dir));
    let postgres = url.starts_with("postgres");
    let backend = if postgres { "PostgreSQL" } else { "SQLite (WAL, synchronous=FULL)" };
    let store = Store::open(&url, &dir.join("keys"), clock.now()).await?;
    let infohus = store.default_infohus().await?;
    let now = clock.now();
    let (lead, police) = (AgencyCode::parse("KK").unwrap(), AgencyCode::parse("POL").unwrap());
    store.add_agency(&infohus, &lead, &AgencyName::parse("Kommune").unwrap(), AgencyKind::Municipality, now).await?;
    store.add_agency(&infohus, &police, &AgencyName::parse("Politi").unwrap(), AgencyKind::Police, now).await?;
    let hash = password::hash(&Password::parse(PASSWORD)?).unwrap();
    store
        .add_user(
            &infohus,
            &Username::parse("koordinator").unwrap(),
            "Koordinator",
            &lead,
            Role::Coordinator,
            &hash,
            now,
        )
        .await?;
    store.add_user(&infohus, &Username::parse("politi").unwrap(), "Politi", &police, Role::Member, &hash, now).await?;
    let coordinator = store.actor_for_operator("koordinator").await?;
    let member = store.actor_for_operator("politi").await?;
    println!(
        "agenda benchmark on {backend}: {cases} open cases x {assessments} signed assessments, \
         {awaiting} referrals awaiting screening, {reps} repetitions"
    );

    // Cases opened over ten years; every case's last assessment lies before today.
    let course = time::Duration::days(ASSESSMENT_INTERVAL_DAYS * i64::try_from(assessments.saturating_sub(1))?);
    let span = time::Duration::days(3650);
    let started = Instant::now();
    store.bulk_casework(&coordinator, cases, assessments, now - time::Duration::days(1) - course - span, span).await?;
    let casework = started.elapsed();
    let started = Instant::now();
    let plan =
        AgendaFactsPlan { awaiting_referrals: awaiting, partner: Some((police.clone(), 3)), ..Default::default() };
    let loaded = store.bulk_agenda_facts(&coordinator, &plan, now).await?;
    let facts = started.elapsed();
    println!(
        "bulk load: casework {:.1} s ({:.0} cases/s); agenda facts {:.1} s",
        casework.as_secs_f64(),
        cases as f64 / casework.as_secs_f64(),
        facts.as_secs_f64()
    );
    println!(
        "agenda facts: {} open cases; {} active interventions; action items from the earlier meeting {} open, {} done; \
         {} release notices; flags {} open, {} handled; {} referrals awaiting screening; the police take part in \
         {} of those cases and {} of those referrals",
        loaded.open_cases,
        loaded.interventions,
        loaded.action_items_open,
        loaded.action_items_done,
        loaded.release_notices,
        loaded.flags_open,
        loaded.flags_handled,
        loaded.awaiting_referrals,
        loaded.partner_cases,
        loaded.partner_referrals
    );
    sqlx::any::install_default_drivers();
    // One connection with the store's page cache, so the fact queries below read as warm as
    // the store's own connections do.
    let raw = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if !postgres {
                    use sqlx::Executor;
                    conn.execute("PRAGMA cache_size = -32000").await?;
                }
                Ok(())
            })
        })
        .connect(&url)
        .await?;
    let entries = log_entries(&raw).await?;
    if postgres {
        let (bytes,): (i64,) = sqlx::query_as("SELECT pg_database_size(current_database())").fetch_one(&raw).await?;
        println!("access log: {entries} entries; database size: {:.1} MiB", mib(u64::try_from(bytes)?));
    } else {
        let (file, wal) = sqlite_sizes(&dir);
        println!("access log: {entries} entries; database size: {:.1} MiB (WAL {:.1} MiB)", mib(file + wal), mib(wal));
    }

    // Fortnightly series whose first meeting is in three days, Copenhagen time: one series per
    // repetition, so that every first build starts from an empty agenda on the same facts.
    let today = infohus_domain::calendar::copenhagen(now).date();
    let first_start = PrimitiveDateTime::new(today + time::Duration::days(3), Time::from_hms(9, 0, 0)?);
    for n in 0..reps {
        let series = NewSeries {
            name: format!("Koordineringsmøde i Infohus Benchmark {}", n + 1),
            first_start,
            interval_days: 14,
            duration_minutes: 90,
            cutoff_minutes: 21 * 60,
            location: Some("Rådhuset, mødelokale 3".to_owned()),
            video_link: None,
            participants: vec![(lead.clone(), None), (police.clone(), None)],
            occurrences: 26,
        };
        store.create_series(&coordinator, series, now).await?;
    }
    let firsts: Vec<_> =
        store.meetings(&coordinator, today, 200).await?.into_iter().filter(|m| m.starts_at == first_start).collect();
    let meeting = firsts.first().cloned().ok_or("no meeting")?;
    let id = meeting.id.clone();

    let (mut times, mut items, cpu) = (Vec::with_capacity(reps), 0, cpu_time());
    for m in &firsts {
        let t = Instant::now();
        let built = store.build_agenda(&coordinator, &m.id, SCREENING_DAYS, clock.now()).await?;
        times.push(t.elapsed());
        if items != 0 && built != items {
            return Err(format!("first builds proposed {built} and {items} items on the same facts").into());
        }
        items = built;
    }
    let extra = format!("items={items} {}", cpu_share(cpu, &times));
    report("build_agenda, first build (empty agenda)", times, &extra);
    rebuild(&store, &coordinator, &id, items, reps, &clock, "").await?;
    let facts = fact_queries(&raw, postgres, infohus.as_str(), id.as_str(), &meeting, reps).await?;
    time_propose(&facts, items, reps)?;
    // Statements to try on the same database, e.g. an index before it becomes a migration;
    // then the same measurements again, so that both sides come from one run.
    if let Ok(statements) = std::env::var("INFOHUS_BENCH_TRY_SQL") {
        for statement in statements.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let t = Instant::now();
            sqlx::query(sqlx::AssertSqlSafe(statement.to_owned())).execute(&raw).await?;
            println!("tried: {statement} ({:.1} s)", t.elapsed().as_secs_f64());
        }
        rebuild(&store, &coordinator, &id, items, reps, &clock, " (tried)").await?;
        fact_queries(&raw, postgres, infohus.as_str(), id.as_str(), &meeting, reps).await?;
    }

    let log_before = log_entries(&raw).await?;
    let (coordinator_view, times, cpu) = views(&store, &coordinator, &id, today, reps, &clock).await?;
    let logged = (log_entries(&raw).await? - log_before) / i64::try_from(reps)?;
    report(
        "Store::meeting, coordinator (draft, all in full)",
        times,
        &format!("{} log_entries={logged} {cpu}", visibility(&coordinator_view)),
    );
    reason_counts(&coordinator_view);
    pdf(&coordinator_view, "coordinator", reps)?;

    store.publish_agenda(&coordinator, &id, clock.now()).await?;
    let log_before = log_entries(&raw).await?;
    let (member_view, times, cpu) = views(&store, &member, &id, today, reps, &clock).await?;
    let logged = (log_entries(&raw).await? - log_before) / i64::try_from(reps)?;
    report(
        "Store::meeting, police member (published)",
        times,
        &format!("{} log_entries={logged} {cpu}", visibility(&member_view)),
    );
    pdf(&member_view, "police member", reps)?;

    raw.close().await;
    store.close().await;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// Times `reps` rebuilds of the agenda, which must keep its `items`.
async fn rebuild(
    store: &Store,
    coordinator: &infohus_store::Actor,
    id: &infohus_domain::MeetingId,
    items: usize,
    reps: usize,
    clock: &SystemClock,
    label: &str,
) -> BenchResult<()> {
    let (mut times, cpu) = (Vec::with_capacity(reps), cpu_time());
    for _ in 0..reps {
        let t = Instant::now();
        let again = store.build_agenda(coordinator, id, SCREENING_DAYS, clock.now()).await?;
        times.push(t.elapsed());
        if again != items {
            return Err(format!("a rebuild proposed {again} items, the first build {items}").into());
        }
    }
    let extra = format!("items={items} {}", cpu_share(cpu, &times));
    report(&format!("build_agenda, rebuild (same state){label}"), times, &extra);
    Ok(())
}

async fn log_entries(raw: &sqlx::AnyPool) -> BenchResult<i64> {
    let (entries,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM access_log").fetch_one(raw).await?;
    Ok(entries)
}

/// `reps` views of the agenda by `actor`, the last one, and the CPU share.
async fn views(
    store: &Store,
    actor: &infohus_store::Actor,
    id: &infohus_domain::MeetingId,
    today: Date,
    reps: usize,
    clock: &SystemClock,
) -> BenchResult<(MeetingView, Vec<Duration>, String)> {
    let (mut times, cpu) = (Vec::with_capacity(reps), cpu_time());
    let mut last = None;
    for _ in 0..reps {
        let t = Instant::now();
        let view = store.meeting(actor, id, today, clock.now()).await?;
        times.push(t.elapsed());
        last = Some(view);
    }
    let cpu = cpu_share(cpu, &times);
    Ok((last.ok_or("no view")?, times, cpu))
}

fn visibility(view: &MeetingView) -> String {
    let full = view.items.iter().filter(|i| i.full.is_some()).count();
    let neutral = view.items.iter().filter(|i| i.neutral.is_some()).count();
    format!("items={} in_full={full} neutral={neutral}", view.items.len())
}

/// How many items carry each reason, and how many are there for it first (most pressing).
fn reason_counts(view: &MeetingView) {
    let (cases, referrals) = view.items.iter().fold((0, 0), |(c, r), i| match i.kind.as_str() {
        "case" => (c + 1, r),
        "referral" => (c, r + 1),
        _ => (c, r),
    });
    println!("agenda: {} items ({cases} cases, {referrals} referrals)", view.items.len());
    for reason in Reason::ALL {
        let with = view.items.iter().filter(|i| i.reasons.iter().any(|r| r.reason == reason)).count();
        let first = view.items.iter().filter(|i| i.reasons.first().is_some_and(|r| r.reason == reason)).count();
        println!("  {:<22} on {with:>5} items, the first reason of {first:>5}", reason.as_str());
    }
    let several = view.items.iter().filter(|i| i.reasons.len() > 1).count();
    println!("  items with more than one reason: {several}");
}

/// Times laying out the agenda as a document and `render_pdf` of it.
fn pdf(view: &MeetingView, who: &str, reps: usize) -> BenchResult<()> {
    let (mut build, mut render) = (Vec::with_capacity(reps), Vec::with_capacity(reps));
    let mut bytes = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        let doc = agenda_document(view);
        build.push(t.elapsed());
        let t = Instant::now();
        bytes = render_pdf(&doc);
        render.push(t.elapsed());
    }
    let pages = page_count(&bytes).ok_or("no page count in the PDF")?;
    report(&format!("agenda document from the view ({who})"), build, "");
    report(
        &format!("render_pdf ({who})"),
        render,
        &format!("pages={pages} bytes={} ({:.1} MiB)", bytes.len(), mib(bytes.len() as u64)),
    );
    Ok(())
}

/// `/Count` of the page tree.
fn page_count(pdf: &[u8]) -> Option<usize> {
    let text = String::from_utf8_lossy(pdf);
    let tree = text.find("/Type /Pages")?;
    let rest = text.get(tree..)?;
    let count = rest.find("/Count ")? + "/Count ".len();
    rest.get(count..)?.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// The agenda as the meeting's PDF page would set it: the meeting's facts, then one heading
/// per item (the person in full, or the neutral reference) with its reasons as bullets.
fn agenda_document(view: &MeetingView) -> PdfDocument {
    let m = &view.meeting;
    let when = format!(
        "{:02}.{:02}.{} kl. {:02}.{:02}",
        m.starts_at.day(),
        u8::from(m.starts_at.month()),
        m.starts_at.year(),
        m.starts_at.hour(),
        m.starts_at.minute()
    );
    let mut blocks = vec![
        Block::Fields(vec![
            ("Tid".to_owned(), format!("{when}, {} minutter", m.duration_minutes)),
            ("Sted".to_owned(), m.location.clone().unwrap_or_default()),
            ("Dagsorden".to_owned(), if m.agenda_status == "published" { "Udsendt" } else { "Udkast" }.to_owned()),
            ("Punkter".to_owned(), view.items.len().to_string()),
        ]),
        Block::Rule,
    ];
    for item in &view.items {
        let subject = match (&item.full, &item.neutral, &item.title) {
            (Some(full), _, _) => format!("{} ({})", full.person_name.expose(), category(&full.category)),
            (None, Some(n), _) => {
                format!("Sag {}: {}, {}, {}", n.number, n.initials, age_band(n.age_band), category(&n.category))
            }
            (None, None, Some(title)) => title.clone(),
            (None, None, None) => String::new(),
        };
        blocks.push(Block::Heading { level: 2, text: format!("{}. {subject}", item.position) });
        blocks.push(Block::Bullets(
            item.reasons
                .iter()
                .map(|r| {
                    let date = r.date.map(|d| format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year()));
                    format!("{} {}", reason_label(r.reason), date.unwrap_or_default())
                })
                .collect(),
        ));
    }
    PdfDocument {
        title: "Dagsorden".to_owned(),
        header: format!("Koordineringsmøde {when}"),
        classification: "Fortroligt".to_owned(),
        footer: view.series.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
        page_label: "Side {page} af {pages}".to_owned(),
        blocks,
    }
}

fn reason_label(reason: Reason) -> &'static str {
    match reason {
        Reason::ScreeningOverdue => "Screeningsfristen er overskredet: frist",
        Reason::Flagged => "Ønsket drøftet af en myndighed",
        Reason::ActionItemOverdue => "Handlepunkt fra tidligere møde, fristen er overskredet:",
        Reason::Postponed => "Udsat fra mødet",
        Reason::ReviewDue => "Opfølgning på indsats senest",
        Reason::ReleaseSoon => "Forventet løsladelse",
        Reason::ActionItemOpen => "Åbent handlepunkt fra tidligere møde, frist",
        Reason::NewReferral => "Ny henvendelse modtaget",
    }
}

fn category(key: &str) -> &str {
    match key {
        "right_wing" => "højreekstremisme",
        "militant_islamism" => "militant islamisme",
        "conspiracy" => "konspirationsteorier",
        "misogyny" => "kvindehad",
        "other" => "andet",
        other => other,
    }
}

fn age_band(band: &str) -> &str {
    match band {
        "under_15" => "under 15 år",
        "15_17" => "15–17 år",
        "18_24" => "18–24 år",
        "25_34" => "25–34 år",
        "35_plus" => "35 år eller ældre",
        _ => "alder ukendt",
    }
}

/// The fact queries of the store's `agenda_facts`, copied here (keep them in step), each
/// timed alone on its own connection and shown with its query plan: where the build's time
/// goes when it is slow.
async fn fact_queries(
    raw: &sqlx::AnyPool,
    postgres: bool,
    infohus: &str,
    meeting: &str,
    m: &infohus_store::MeetingSummary,
    reps: usize,
) -> BenchResult<AgendaFacts> {
    let next_on = m.starts_at.date() + time::Duration::days(14);
    let next = format!("{:04}-{:02}-{:02}", next_on.year(), u8::from(next_on.month()), next_on.day());
    let cutoff = m.cutoff_at.date() + time::Duration::days(1);
    let cutoff = format!("{:04}-{:02}-{:02}", cutoff.year(), u8::from(cutoff.month()), cutoff.day());
    let queries: [(&str, &str, Option<&str>); 5] = [
        (
            "referrals awaiting screening",
            "SELECT id, received_at FROM referrals WHERE infohus_id = $1 AND status IN ('received', 'screening') ORDER BY id",
            None,
        ),
        (
            "open action items from earlier meetings",
            "SELECT t.case_id, t.id, t.due_on FROM tasks t JOIN cases c ON c.id = t.case_id
             WHERE t.infohus_id = $1 AND t.meeting_id IS NOT NULL AND t.meeting_id <> $2 AND t.status = 'open' AND c.status = 'open'",
            Some(meeting),
        ),
        (
            "interventions due for review",
            "SELECT i.case_id, i.id, i.review_on FROM interventions i JOIN cases c ON c.id = i.case_id
             WHERE i.infohus_id = $1 AND i.status IN ('planned', 'active') AND c.status = 'open' AND i.review_on <= $2",
            Some(&next),
        ),
        (
            "release notices",
            "SELECT n.case_id, n.expected_on FROM release_notices n JOIN cases c ON c.id = n.case_id
             WHERE n.infohus_id = $1 AND c.status = 'open'",
            None,
        ),
        (
            "open flags",
            "SELECT f.case_id, a.code AS agency, f.flagged_at FROM agenda_flags f JOIN cases c ON c.id = f.case_id
             JOIN agencies a ON a.id = f.agency_id
             WHERE f.infohus_id = $1 AND f.handled_meeting_id IS NULL AND c.status = 'open' AND f.flagged_at <= $2",
            Some(&cutoff),
        ),
    ];
    let mut facts = AgendaFacts {
        meeting_on: m.starts_at.date(),
        next_meeting_on: next_on,
        screening_working_days: SCREENING_DAYS,
        referrals: Vec::new(),
        cases: Vec::new(),
    };
    for (n, (name, sql, second)) in queries.into_iter().enumerate() {
        let mut times = Vec::with_capacity(reps);
        let mut rows = Vec::new();
        for _ in 0..reps {
            let mut q = sqlx::query(sql).bind(infohus);
            if let Some(second) = second {
                q = q.bind(second);
            }
            let t = Instant::now();
            rows = q.fetch_all(raw).await?;
            times.push(t.elapsed());
        }
        report(&format!("fact query: {name}"), times, &format!("rows={}", rows.len()));
        for row in &rows {
            add_fact(&mut facts, n, row)?;
        }
        // The plan, with the values written in (ids and dates this benchmark made).
        let mut literal = sql.replace("$1", &format!("'{infohus}'"));
        if let Some(second) = second {
            literal = literal.replace("$2", &format!("'{second}'"));
        }
        let explain = if postgres { format!("EXPLAIN {literal}") } else { format!("EXPLAIN QUERY PLAN {literal}") };
        let column = if postgres { "QUERY PLAN" } else { "detail" };
        for row in sqlx::query(sqlx::AssertSqlSafe(explain)).fetch_all(raw).await? {
            use sqlx::Row;
            println!("    plan: {}", row.try_get::<String, _>(column)?);
        }
    }
    Ok(facts)
}

/// A row of fact query `query` as the store's `agenda_facts` reads it.
fn add_fact(facts: &mut AgendaFacts, query: usize, row: &sqlx::any::AnyRow) -> BenchResult<()> {
    use sqlx::Row;
    let text = |column: &str| row.try_get::<String, _>(column);
    let date = |column: &str| -> BenchResult<Date> {
        Ok(Date::parse(&row.try_get::<String, _>(column)?, &time::format_description::well_known::Iso8601::DATE)?)
    };
    let at = |column: &str| -> BenchResult<time::OffsetDateTime> {
        Ok(time::OffsetDateTime::parse(
            &row.try_get::<String, _>(column)?,
            &time::format_description::well_known::Rfc3339,
        )?)
    };
    match query {
        0 => facts.referrals.push(AwaitingReferral {
            referral: text("id")?,
            received_on: infohus_domain::calendar::copenhagen(at("received_at")?).date(),
        }),
        1 => facts.cases.push(CaseFact::ActionItem {
            case: text("case_id")?,
            task: text("id")?,
            due_on: date("due_on")?,
        }),
        2 => facts.cases.push(CaseFact::Review {
            case: text("case_id")?,
            intervention: text("id")?,
            review_on: date("review_on")?,
        }),
        3 => facts.cases.push(CaseFact::Release { case: text("case_id")?, expected_on: date("expected_on")? }),
        _ => facts.cases.push(CaseFact::Flag {
            case: text("case_id")?,
            flag: text("agency")?,
            flagged_on: at("flagged_at")?.date(),
        }),
    }
    Ok(())
}

/// Times the pure proposal (`agenda::propose`) on the facts the queries read.
fn time_propose(facts: &AgendaFacts, items: usize, reps: usize) -> BenchResult<()> {
    let mut times = Vec::with_capacity(reps);
    let mut proposed = 0;
    for _ in 0..reps {
        let t = Instant::now();
        proposed = infohus_domain::agenda::propose(facts).len();
        times.push(t.elapsed());
    }
    if proposed != items {
        return Err(format!("propose on the queried facts gave {proposed} items, build_agenda {items}").into());
    }
    let extra = format!("facts={} items={proposed}", facts.referrals.len() + facts.cases.len());
    report("agenda::propose alone (pure, on those facts)", times, &extra);
    Ok(())
}
