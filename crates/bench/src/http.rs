//! A minimal keep-alive HTTP/1.1 client for loopback measurements, and the driver that
//! runs many of them against a server for a bounded time.

use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One request as the driver sends it.
pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub body: Vec<u8>,
}

impl Request {
    pub fn get(path: impl Into<String>) -> Self {
        Self { method: "GET", path: path.into(), body: Vec::new() }
    }

    pub fn post(path: impl Into<String>, body: Vec<u8>) -> Self {
        Self { method: "POST", path: path.into(), body }
    }
}

pub struct Client {
    stream: BufReader<TcpStream>,
    host: String,
    authorization: String,
}

impl Client {
    pub async fn connect(address: &str, token: Option<&str>) -> std::io::Result<Self> {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        let authorization = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
        Ok(Self { stream: BufReader::new(stream), host: address.to_owned(), authorization })
    }

    /// Sends one request and reads the whole response: (status, body).
    pub async fn send(&mut self, request: &Request) -> std::io::Result<(u16, Vec<u8>)> {
        let content_type = if request.body.is_empty() { "" } else { "Content-Type: application/json\r\n" };
        let head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\n{}{content_type}Content-Length: {}\r\n\r\n",
            request.method,
            request.path,
            self.host,
            self.authorization,
            request.body.len()
        );
        let inner = self.stream.get_mut();
        inner.write_all(head.as_bytes()).await?;
        inner.write_all(&request.body).await?;
        read_response(&mut self.stream).await
    }
}

fn invalid(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned())
}

async fn read_response(stream: &mut BufReader<TcpStream>) -> std::io::Result<(u16, Vec<u8>)> {
    let mut status_line = String::new();
    if stream.read_line(&mut status_line).await? == 0 {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed"));
    }
    let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| invalid("status line"))?;
    let mut length: Option<usize> = None;
    let mut chunked = false;
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await? == 0 {
            return Err(invalid("headers cut short"));
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
            if name == "content-length" {
                length = Some(value.parse().map_err(|_| invalid("content-length"))?);
            } else if name == "transfer-encoding" && value.eq_ignore_ascii_case("chunked") {
                chunked = true;
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size_line = String::new();
            stream.read_line(&mut size_line).await?;
            let size = usize::from_str_radix(size_line.trim(), 16).map_err(|_| invalid("chunk size"))?;
            let mut chunk = vec![0; size + 2];
            stream.read_exact(&mut chunk).await?;
            chunk.truncate(size);
            body.extend_from_slice(&chunk);
            if size == 0 {
                break;
            }
        }
    } else if let Some(length) = length {
        body.resize(length, 0);
        stream.read_exact(&mut body).await?;
    }
    Ok((status, body))
}

/// Logs in and returns the bearer token.
pub async fn login(address: &str, username: &str, password: &str) -> anyhow::Result<String> {
    let mut client = Client::connect(address, None).await?;
    let body = serde_json::to_vec(&serde_json::json!({"username": username, "password": password}))?;
    let (status, reply) = client.send(&Request::post("/api/v1/auth/login", body)).await?;
    anyhow::ensure!(status == 200, "login as {username} answered {status}");
    let value: serde_json::Value = serde_json::from_slice(&reply)?;
    value["token"].as_str().map(str::to_owned).ok_or_else(|| anyhow::anyhow!("login answer without a token"))
}

/// What a bounded run measured.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub ok: usize,
    /// Answers other than the expected status, and connection errors.
    pub errors: usize,
    pub wall: Duration,
    /// Latency of every answered request, sorted.
    pub samples: Vec<Duration>,
    /// The first few unexpected answers, for the report (status and operation).
    pub first_errors: Vec<String>,
    /// Latencies by the plan's kind of request (index), sorted; for mixed runs.
    pub by_kind: Vec<Vec<Duration>>,
    pub errors_by_kind: Vec<usize>,
}

impl Run {
    pub fn throughput(&self) -> f64 {
        self.ok as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    pub fn percentile_ms(&self, p: f64) -> f64 {
        percentile_ms(&self.samples, p)
    }
}

/// The `p` quantile of sorted latencies, in milliseconds.
pub fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round().max(0.0) as usize;
    sorted.get(index).map(|d| d.as_secs_f64() * 1e3).unwrap_or(0.0)
}

/// One request of a plan: what to send, which status counts as success, and its kind (an
/// index the run reports latencies under).
pub struct Step {
    pub request: Request,
    pub expect: u16,
    pub kind: usize,
}

/// Makes the `n`th request of client `c`.
pub type Plan = Arc<dyn Fn(usize, usize) -> Step + Send + Sync>;

/// A plan of one kind of request.
pub fn single(expect: u16, make: impl Fn(usize, usize) -> Request + Send + Sync + 'static) -> Plan {
    Arc::new(move |c, n| Step { request: make(c, n), expect, kind: 0 })
}

/// `clients` keep-alive connections send requests from `plan` until `duration` has passed
/// or `max_per_client` requests each have been sent, whichever comes first.
pub async fn drive(
    address: &str,
    token: Option<&str>,
    clients: usize,
    duration: Duration,
    max_per_client: usize,
    plan: Plan,
) -> anyhow::Result<Run> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(clients);
    for c in 0..clients {
        let (address, token, plan) = (address.to_owned(), token.map(str::to_owned), plan.clone());
        tasks.push(tokio::spawn(async move {
            let mut run = Run::default();
            let mut client = Client::connect(&address, token.as_deref()).await?;
            let mut n = 0;
            while Instant::now() < deadline && n < max_per_client {
                let Step { request, expect, kind } = plan(c, n);
                n += 1;
                if run.by_kind.len() <= kind {
                    run.by_kind.resize(kind + 1, Vec::new());
                    run.errors_by_kind.resize(kind + 1, 0);
                }
                let at = Instant::now();
                match client.send(&request).await {
                    Ok((status, _)) if status == expect => {
                        let took = at.elapsed();
                        run.ok += 1;
                        run.samples.push(took);
                        run.by_kind[kind].push(took);
                    }
                    Ok((status, _)) => {
                        run.errors += 1;
                        run.errors_by_kind[kind] += 1;
                        if run.first_errors.len() < 5 {
                            run.first_errors.push(format!(
                                "{} {} -> {status}",
                                request.method,
                                route_of(&request.path)
                            ));
                        }
                    }
                    Err(error) => {
                        run.errors += 1;
                        run.errors_by_kind[kind] += 1;
                        if run.first_errors.len() < 5 {
                            run.first_errors.push(format!("{} {}: {error}", request.method, route_of(&request.path)));
                        }
                        client = Client::connect(&address, token.as_deref()).await?;
                    }
                }
            }
            Ok::<_, anyhow::Error>(run)
        }));
    }
    let mut total = Run::default();
    for task in tasks {
        let run = task.await??;
        total.ok += run.ok;
        total.errors += run.errors;
        total.samples.extend(run.samples);
        total.first_errors.extend(run.first_errors);
        if total.by_kind.len() < run.by_kind.len() {
            total.by_kind.resize(run.by_kind.len(), Vec::new());
            total.errors_by_kind.resize(run.by_kind.len(), 0);
        }
        for (kind, samples) in run.by_kind.into_iter().enumerate() {
            total.by_kind[kind].extend(samples);
        }
        for (kind, errors) in run.errors_by_kind.into_iter().enumerate() {
            total.errors_by_kind[kind] += errors;
        }
    }
    for samples in &mut total.by_kind {
        samples.sort_unstable();
    }
    total.wall = started.elapsed();
    total.samples.sort_unstable();
    total.first_errors.truncate(10);
    Ok(total)
}

/// The path without ids or query, for error reports (ids are not personal data, but the
/// report only needs the route).
pub fn route_of(path: &str) -> String {
    path.split('?')
        .next()
        .unwrap_or("")
        .split('/')
        .map(|part| if part.len() > 20 { "{id}" } else { part })
        .collect::<Vec<_>>()
        .join("/")
}
