//! Benchmark (not a test): the case page and the progression chart at national casework
//! scale. Bulk-loads open cases with signed assessments through the store's `bulk` feature
//! (the real sealing and access-log chain), starts the real server, and times the case and
//! progression JSON and their HTML pages over random cases, one keep-alive client.
//! `cargo bench -p infohus-web --features bench-data --bench casework`;
//! `INFOHUS_BENCH_CASES` (default 100000) and `INFOHUS_BENCH_ASSESSMENTS` (per case, default
//! 10) set the size, `INFOHUS_BENCH_SAMPLES` the requests per endpoint (default 300), and
//! `INFOHUS_BENCH_DATABASE_URL` an empty PostgreSQL database to run on instead of SQLite.

use infohus_domain::splitmix::SplitMix64;
use infohus_domain::{AgencyCode, AgencyKind, AgencyName, Clock, Password, PersonId, Role, Username};
use infohus_store::{Store, password, sqlite_url};
use infohus_web::{AppState, Config, SystemClock};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const PASSWORD: &str = "benchmark-password";

/// Days between assessments, as `Store::bulk_casework` spaces them.
const ASSESSMENT_INTERVAL_DAYS: i64 = 60;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A response: status, header block, body.
struct Answer {
    status: u16,
    headers: String,
    body: String,
}

/// A minimal keep-alive HTTP/1.1 client: enough for a loopback benchmark.
struct Client {
    stream: BufReader<TcpStream>,
    host: String,
}

impl Client {
    async fn connect(address: &str) -> std::io::Result<Self> {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        Ok(Self { stream: BufReader::new(stream), host: address.to_owned() })
    }

    async fn request(&mut self, method: &str, path: &str, headers: &str, body: &[u8]) -> std::io::Result<Answer> {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{headers}Content-Length: {}\r\n\r\n",
            self.host,
            body.len()
        );
        let inner = self.stream.get_mut();
        inner.write_all(head.as_bytes()).await?;
        inner.write_all(body).await?;
        let (headers, body) = read_response(&mut self.stream).await?;
        let status = headers.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        Ok(Answer { status, headers, body })
    }
}

async fn read_response(stream: &mut BufReader<TcpStream>) -> std::io::Result<(String, String)> {
    let mut headers = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).await?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
        headers.push_str(&line);
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await?;
    Ok((headers, String::from_utf8_lossy(&body).into_owned()))
}

fn cookie_value(headers: &str, name: &str) -> Option<String> {
    headers
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .filter_map(|l| l.split_once(':').map(|(_, v)| v.trim()))
        .find(|v| v.starts_with(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .and_then(|v| v.split_once('='))
        .map(|(_, v)| v.to_owned())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

fn report(name: &str, mut samples: Vec<Duration>, wall: Duration, bytes: usize) {
    samples.sort();
    let n = samples.len().max(1);
    println!(
        "{name:<44} n={:<5} throughput={:>8.1}/s  p50={:>7.2}ms  p95={:>7.2}ms  p99={:>7.2}ms  max={:>7.2}ms  body={:>7} B",
        samples.len(),
        samples.len() as f64 / wall.as_secs_f64(),
        percentile(&samples, 0.50).as_secs_f64() * 1e3,
        percentile(&samples, 0.95).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        bytes / n,
    );
}

/// The sizes of the SQLite database file and of its write-ahead log.
fn sqlite_sizes(dir: &Path) -> (u64, u64) {
    let size = |file: &str| std::fs::metadata(dir.join(file)).map(|m| m.len()).unwrap_or(0);
    (size("infohus.sqlite"), size("infohus.sqlite-wal"))
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> BenchResult<()> {
    let cases = env("INFOHUS_BENCH_CASES", 100_000);
    let assessments = env("INFOHUS_BENCH_ASSESSMENTS", 10);
    let samples = env("INFOHUS_BENCH_SAMPLES", 300);
    let dir = std::env::temp_dir().join(format!("infohus-bench-casework-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir)?;
    let clock = Arc::new(SystemClock);
    let url =
        std::env::var("INFOHUS_BENCH_DATABASE_URL").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| sqlite_url(&dir));
    let postgres = url.starts_with("postgres");
    let backend = if postgres { "PostgreSQL" } else { "SQLite (WAL, synchronous=FULL)" };
    let store = Store::open(&url, &dir.join("keys"), clock.now()).await?;
    let infohus = store.default_infohus().await?;
    let code = AgencyCode::parse("KK").ok_or("code")?;
    let now = clock.now();
    store
        .add_agency(&infohus, &code, &AgencyName::parse("Kommune").ok_or("name")?, AgencyKind::Municipality, now)
        .await?;
    let hash = password::hash(&Password::parse(PASSWORD)?).ok_or("hash")?;
    store
        .add_user(&infohus, &Username::parse("koordinator").ok_or("user")?, "K", &code, Role::Coordinator, &hash, now)
        .await?;
    let actor = store.actor_for_operator("koordinator").await?;
    println!("casework benchmark on {backend}: {cases} cases x {assessments} signed assessments");

    // Cases open over ten years; every case's last assessment lies before today.
    let course = time::Duration::days(ASSESSMENT_INTERVAL_DAYS * i64::try_from(assessments.saturating_sub(1))?);
    let span = time::Duration::days(3650);
    let started = Instant::now();
    store.bulk_casework(&actor, cases, assessments, now - time::Duration::days(1) - course - span, span).await?;
    let load = started.elapsed();
    let rows = cases * (7 + 3 * assessments);
    println!(
        "bulk load: {:.1} s ({:.0} rows/s, {:.0} cases/s)",
        load.as_secs_f64(),
        rows as f64 / load.as_secs_f64(),
        cases as f64 / load.as_secs_f64()
    );

    sqlx::any::install_default_drivers();
    let raw = sqlx::AnyPool::connect(&url).await?;
    let (entries,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM access_log").fetch_one(&raw).await?;
    if postgres {
        let (bytes,): (i64,) = sqlx::query_as("SELECT pg_database_size(current_database())").fetch_one(&raw).await?;
        println!("access log: {entries} entries; database size: {:.1} MiB", mib(u64::try_from(bytes)?));
    } else {
        let (file, wal) = sqlite_sizes(&dir);
        println!(
            "access log: {entries} entries; database size: {:.1} MiB (file {:.1} MiB, WAL {:.1} MiB)",
            mib(file + wal),
            mib(file),
            mib(wal)
        );
    }
    let ids: Vec<(String, String)> =
        sqlx::query_as("SELECT id, person_id FROM cases ORDER BY id").fetch_all(&raw).await?;
    raw.close().await;
    if ids.is_empty() {
        return Err("no cases were loaded".into());
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?.to_string();
    let state = AppState::new(store, clock, Config::default());
    let server = tokio::spawn(infohus_web::serve(listener, state.clone(), std::future::pending()));

    let mut client = Client::connect(&address).await?;
    let login = format!(r#"{{"username":"koordinator","password":"{PASSWORD}"}}"#);
    let answer =
        client.request("POST", "/api/v1/auth/login", "Content-Type: application/json\r\n", login.as_bytes()).await?;
    let token = answer.body.split("\"token\":\"").nth(1).and_then(|s| s.split('"').next()).ok_or("token")?.to_owned();
    let bearer = format!("Authorization: Bearer {token}\r\n");
    let cookie = format!("Cookie: infohus_session={}\r\n", web_login(&mut client).await?);

    let endpoints: [(&str, &str, &str, bool); 4] = [
        ("case JSON GET /api/v1/cases/{id}", "/api/v1/cases/", "", false),
        ("case page GET /sager/{id}", "/sager/", "", true),
        ("progression JSON .../progression", "/api/v1/persons/", "/progression", false),
        ("progression page /personer/{id}/udvikling", "/personer/", "/udvikling", true),
    ];
    let mut missing_pages = Vec::new();
    for (n, (name, prefix, suffix, page)) in endpoints.into_iter().enumerate() {
        let mut picks = SplitMix64::new(n as u64 + 1);
        let auth = if page { &cookie } else { &bearer };
        let (mut times, mut bytes) = (Vec::with_capacity(samples), 0);
        let wall = Instant::now();
        for s in 0..samples {
            let (case, person) = &ids[picks.index(ids.len())];
            let id = if suffix.is_empty() { case } else { person };
            let path = format!("{prefix}{id}{suffix}");
            let t = Instant::now();
            let answer = client.request("GET", &path, auth, b"").await?;
            times.push(t.elapsed());
            if page && s == 0 && answer.status == 404 {
                break;
            }
            if answer.status != 200 {
                server.abort();
                return Err(format!("{name}: GET {path} answered {}, expected 200; aborting", answer.status).into());
            }
            if s == 0 {
                check_first(name, &answer.body, assessments)?;
            }
            bytes += answer.body.len();
        }
        if page && bytes == 0 {
            println!("{name:<44} not measured: the route answered 404");
            missing_pages.push(name);
            continue;
        }
        report(name, times, wall.elapsed(), bytes);
    }

    // In-process, without HTTP: the store's progression, and the chart rendered from it.
    let mut picks = SplitMix64::new(99);
    let (mut fetch, mut render, mut svg_bytes) = (Vec::with_capacity(samples), Vec::with_capacity(samples), 0);
    for _ in 0..samples {
        let person = PersonId::parse(&ids[picks.index(ids.len())].1).ok_or("person id")?;
        let t = Instant::now();
        let p = state.store().progression(&actor, &person, state.now()).await?;
        fetch.push(t.elapsed());
        let t = Instant::now();
        let svg = infohus_web::chart::progression_svg(&p.progression, "Udvikling");
        render.push(t.elapsed());
        svg_bytes += svg.len();
    }
    // Each on its own time, so its throughput is that of one thread doing only that.
    let (fetch_time, render_time) = (fetch.iter().sum(), render.iter().sum());
    report("Store::progression (in process)", fetch, fetch_time, 0);
    report("chart::progression_svg (render only)", render, render_time, svg_bytes);
    if !missing_pages.is_empty() {
        println!("pages not yet routed, measured through the store and chart above instead: {missing_pages:?}");
    }
    server.abort();
    state.store().close().await;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// The first answer of each endpoint must show the loaded course, or the figures mean nothing.
fn check_first(name: &str, body: &str, assessments: usize) -> BenchResult<()> {
    let ok = if name.contains("JSON") {
        let value: serde_json::Value = serde_json::from_str(body)?;
        let list = if name.starts_with("case") { &value["assessments"] } else { &value["columns"] };
        list.as_array().map(Vec::len) == Some(assessments)
    } else if name.starts_with("progression") {
        body.contains("<svg")
    } else {
        body.contains("</html>")
    };
    if ok { Ok(()) } else { Err(format!("{name}: the first answer does not show {assessments} assessments").into()) }
}

/// Logs in through the form (CSRF cookie and field) and returns the session cookie.
async fn web_login(client: &mut Client) -> BenchResult<String> {
    let form = client.request("GET", "/log-ind", "", b"").await?;
    let pre = cookie_value(&form.headers, "infohus_login_csrf").ok_or("login csrf cookie")?;
    let csrf = form.body.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).ok_or("csrf")?;
    let body = format!("csrf={csrf}&username=koordinator&password={PASSWORD}");
    let headers = format!("Cookie: infohus_login_csrf={pre}\r\nContent-Type: application/x-www-form-urlencoded\r\n");
    let answer = client.request("POST", "/log-ind", &headers, body.as_bytes()).await?;
    Ok(cookie_value(&answer.headers, "infohus_session").ok_or("session cookie")?)
}
