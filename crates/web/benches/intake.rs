//! Benchmark (not a test): durable referral intake through the real HTTP API, then inbox
//! page render (HTML and JSON) with that many referrals stored. Run with
//! `cargo bench -p infohus-web --bench intake`; `INFOHUS_BENCH_REFERRALS` sets the count
//! (default 100000), `INFOHUS_BENCH_CLIENTS` the concurrent clients (default 8), and
//! `INFOHUS_BENCH_DATABASE_URL` an empty PostgreSQL database to run on instead of SQLite.

use infohus_domain::{AgencyCode, AgencyKind, AgencyName, Clock, Password, Role, Username};
use infohus_store::{Store, password, sqlite_url};
use infohus_web::{AppState, Config, SystemClock};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const PASSWORD: &str = "benchmark-password";

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

    async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &str,
        body: &[u8],
    ) -> std::io::Result<(u16, Vec<u8>)> {
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
        Ok((status, body.into_bytes()))
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

fn report(name: &str, mut samples: Vec<Duration>, wall: Duration) {
    samples.sort();
    println!(
        "{name:<34} n={:<7} throughput={:>8.1}/s  p50={:>7.2}ms  p95={:>7.2}ms  p99={:>7.2}ms  max={:>7.2}ms",
        samples.len(),
        samples.len() as f64 / wall.as_secs_f64(),
        percentile(&samples, 0.50).as_secs_f64() * 1e3,
        percentile(&samples, 0.95).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
}

const CATEGORIES: [&str; 5] = ["right_wing", "militant_islamism", "conspiracy", "misogyny", "other"];

fn referral_body(i: usize) -> Vec<u8> {
    // Synthetic CPR numbers: a valid date, then a running number from 0000 to 3999, which
    // puts every birth in the 1900s (a CPR number dated in the future is refused).
    let day = i % 28 + 1;
    let month = (i / 28) % 12 + 1;
    let year = (i / 336) % 100;
    let cpr = format!("{day:02}{month:02}{year:02}{:04}", i % 4_000);
    format!(
        r#"{{"channel":"professional","referrer":{{"name":"Lærer {i}","organisation":"Skole {i}"}},"subject":{{"name":"Person Nummer {i}","cpr":"{cpr}","gender":"female","municipality":"0101"}},"concern_category":"{}","description":"Observation nummer {i}: deler materiale fra en ekstrem gruppe og har talt om vold.","urgency":"{}"}}"#,
        CATEGORIES[i % CATEGORIES.len()],
        if i.is_multiple_of(9) { "urgent" } else { "normal" }
    )
    .into_bytes()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let total: usize = std::env::var("INFOHUS_BENCH_REFERRALS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let clients: usize = std::env::var("INFOHUS_BENCH_CLIENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(8);
    let dir = std::env::temp_dir().join(format!("infohus-bench-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir)?;
    let clock = Arc::new(SystemClock);
    // INFOHUS_BENCH_DATABASE_URL (an empty PostgreSQL database) runs the same on PostgreSQL.
    let url =
        std::env::var("INFOHUS_BENCH_DATABASE_URL").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| sqlite_url(&dir));
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite (WAL, synchronous=FULL)" };
    let store = Store::open(&url, &dir.join("keys"), clock.now()).await?;
    let infohus = store.default_infohus().await?;
    let code = AgencyCode::parse("KK").ok_or("code")?;
    store
        .add_agency(
            &infohus,
            &code,
            &AgencyName::parse("Kommune").ok_or("name")?,
            AgencyKind::Municipality,
            clock.now(),
        )
        .await?;
    let hash = password::hash(&Password::parse(PASSWORD)?).ok_or("hash")?;
    store
        .add_user(
            &infohus,
            &Username::parse("koordinator").ok_or("user")?,
            "K",
            &code,
            Role::Coordinator,
            &hash,
            clock.now(),
        )
        .await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?.to_string();
    let state = AppState::new(store, clock, Config::default());
    let server = tokio::spawn(infohus_web::serve(listener, state, std::future::pending()));

    let mut client = Client::connect(&address).await?;
    let (_, body) = client
        .request(
            "POST",
            "/api/v1/auth/login",
            "Content-Type: application/json\r\n",
            format!(r#"{{"username":"koordinator","password":"{PASSWORD}"}}"#).as_bytes(),
        )
        .await?;
    let token = String::from_utf8(body)?
        .split("\"token\":\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .ok_or("token")?
        .to_owned();
    let auth = format!("Authorization: Bearer {token}\r\nContent-Type: application/json\r\n");

    println!("Infohus benchmark: {total} referrals, {clients} concurrent clients, {backend}");
    // Intake: every referral a durable transaction with its access-log entries.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let address = address.clone();
        let auth = auth.clone();
        tasks.push(tokio::spawn(async move {
            let mut client = Client::connect(&address).await?;
            let mut samples = Vec::new();
            let mut i = c;
            while i < total {
                let body = referral_body(i);
                let t = Instant::now();
                let (status, _) = client.request("POST", "/api/v1/referrals", &auth, &body).await?;
                samples.push(t.elapsed());
                if status != 201 {
                    return Err(std::io::Error::other(format!("intake answered {status}")));
                }
                i += clients;
            }
            Ok::<_, std::io::Error>(samples)
        }));
    }
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await??);
    }
    report("intake POST /api/v1/referrals", samples, started.elapsed());

    // Inbox renders at that size.
    let page_auth = format!("Authorization: Bearer {token}\r\n");
    for (name, path) in [
        ("inbox JSON first page (50)", "/api/v1/referrals?limit=50".to_owned()),
        ("inbox JSON urgent first", "/api/v1/referrals?limit=50&sort=urgent".to_owned()),
        ("inbox JSON filtered category", "/api/v1/referrals?limit=50&concern_category=misogyny".to_owned()),
        ("inbox JSON oldest first", "/api/v1/referrals?limit=50&sort=oldest".to_owned()),
    ] {
        let mut samples = Vec::new();
        let started = Instant::now();
        for _ in 0..200 {
            let t = Instant::now();
            let (status, _) = client.request("GET", &path, &page_auth, b"").await?;
            samples.push(t.elapsed());
            if status != 200 {
                return Err(format!("{path} answered {status}").into());
            }
        }
        report(name, samples, started.elapsed());
    }
    // The HTML inbox, through a web session.
    let (samples, wall) = render_html_inbox(&address).await?;
    report("inbox HTML /indbakke (50 rows)", samples, wall);
    server.abort();
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// Logs in through the form, keeps the session cookie, and times 200 inbox pages.
async fn render_html_inbox(address: &str) -> Result<(Vec<Duration>, Duration), Box<dyn std::error::Error>> {
    let mut stream = tokio::io::BufReader::new(TcpStream::connect(address).await?);
    let get_login = format!("GET /log-ind HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\n\r\n");
    stream.get_mut().write_all(get_login.as_bytes()).await?;
    let (headers, body) = read_response(&mut stream).await?;
    let pre = cookie_value(&headers, "infohus_login_csrf").ok_or("login csrf cookie")?;
    let csrf = body.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).ok_or("csrf")?.to_owned();
    let form = format!("csrf={csrf}&username=koordinator&password={PASSWORD}");
    let post = format!(
        "POST /log-ind HTTP/1.1\r\nHost: {address}\r\nCookie: infohus_login_csrf={pre}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    stream.get_mut().write_all(post.as_bytes()).await?;
    let (headers, _) = read_response(&mut stream).await?;
    let session = cookie_value(&headers, "infohus_session").ok_or("session cookie")?;
    let mut samples = Vec::new();
    let started = Instant::now();
    for _ in 0..200 {
        let t = Instant::now();
        let get = format!(
            "GET /indbakke HTTP/1.1\r\nHost: {address}\r\nCookie: infohus_session={session}\r\nContent-Length: 0\r\n\r\n"
        );
        stream.get_mut().write_all(get.as_bytes()).await?;
        let (headers, body) = read_response(&mut stream).await?;
        samples.push(t.elapsed());
        if !headers.starts_with("HTTP/1.1 200") || !body.contains("inbox-table") {
            return Err("inbox page did not render".into());
        }
    }
    Ok((samples, started.elapsed()))
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
