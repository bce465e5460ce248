//! The machine's limits, measured in the same run as Infohus's figures: what the database
//! does with no application on top (durable single-row commits, batched rows, primary-key
//! reads), what the hashes do with no database under them, and what a trivial handler on
//! the same server stack (axum, hyper, tokio) answers per second.

use hmac::{KeyInit, Mac};
use sqlx::{AnyConnection, AnyPool, Connection, Executor, Row};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Durable single-row commits per second: one INSERT per transaction, each fsynced
/// (SQLite: WAL, `synchronous = FULL`, as the store runs it; PostgreSQL: its defaults).
pub async fn durable_commits(url: &str, duration: Duration) -> anyhow::Result<f64> {
    let mut conn = raw_connection(url).await?;
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < duration {
        sqlx::query("INSERT INTO bench_raw_rows (id, body) VALUES ($1, $2)")
            .bind(format!("commit-{n}"))
            .bind(ROW_BODY)
            .execute(&mut conn)
            .await?;
        n += 1;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    conn.close().await?;
    Ok(rate)
}

/// Rows per second written in transactions of 1,000 single-row INSERTs.
pub async fn batched_rows(url: &str, duration: Duration) -> anyhow::Result<f64> {
    let mut conn = raw_connection(url).await?;
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < duration {
        let mut tx = conn.begin().await?;
        for _ in 0..1000 {
            sqlx::query("INSERT INTO bench_raw_rows (id, body) VALUES ($1, $2)")
                .bind(format!("batch-{n}"))
                .bind(ROW_BODY)
                .execute(&mut *tx)
                .await?;
            n += 1;
        }
        tx.commit().await?;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    conn.close().await?;
    Ok(rate)
}

/// About the size of a referral's sealed row.
const ROW_BODY: &str = "Syntetisk række med omtrent samme størrelse som en henvendelses forseglede felter. \
    Syntetisk række med omtrent samme størrelse som en henvendelses forseglede felter.";

async fn raw_connection(url: &str) -> anyhow::Result<AnyConnection> {
    let mut conn = AnyConnection::connect(url).await?;
    if url.starts_with("sqlite") {
        conn.execute("PRAGMA journal_mode = WAL").await?;
        conn.execute("PRAGMA synchronous = FULL").await?;
    }
    conn.execute("CREATE TABLE IF NOT EXISTS bench_raw_rows (id TEXT PRIMARY KEY, body TEXT NOT NULL)").await?;
    conn.execute("DELETE FROM bench_raw_rows").await?;
    Ok(conn)
}

/// Drops the scratch table of the raw write figures.
pub async fn drop_scratch(url: &str) -> anyhow::Result<()> {
    let mut conn = AnyConnection::connect(url).await?;
    conn.execute("DROP TABLE IF EXISTS bench_raw_rows").await?;
    conn.close().await?;
    Ok(())
}

/// Primary-key reads per second of referral rows (the columns a referral read fetches, no
/// policy, no decryption, no log) by `clients` concurrent tasks sharing a pool of four
/// connections, as the store's readers do.
pub async fn pk_reads(url: &str, ids: Arc<Vec<String>>, clients: usize, duration: Duration) -> anyhow::Result<f64> {
    let pool = sqlx::pool::PoolOptions::<sqlx::Any>::new().max_connections(4).connect(url).await?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (pool, ids) = (pool.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0usize;
            while started.elapsed() < duration {
                let id = &ids[(c * 7919 + n) % ids.len()];
                let row = sqlx::query(
                    "SELECT id, person_id, status, concern_category, description, subject_name, received_at
                     FROM referrals WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&pool)
                .await?;
                anyhow::ensure!(row.is_some(), "a referral read back nothing");
                n += 1;
            }
            Ok::<_, anyhow::Error>(n)
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await??;
    }
    let rate = total as f64 / started.elapsed().as_secs_f64();
    pool.close().await;
    Ok(rate)
}

/// Bytes per second of a hash over 1 MiB buffers, single thread.
pub fn hash_throughput(duration: Duration, mut hash: impl FnMut(&[u8]) -> u8) -> f64 {
    let buffer: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
    let started = Instant::now();
    let (mut bytes, mut sink) = (0usize, 0u8);
    while started.elapsed() < duration {
        sink ^= hash(&buffer);
        bytes += buffer.len();
    }
    std::hint::black_box(sink);
    bytes as f64 / started.elapsed().as_secs_f64()
}

pub fn sha256(data: &[u8]) -> u8 {
    use sha2::Digest;
    sha2::Sha256::digest(data)[0]
}

pub fn blake3(data: &[u8]) -> u8 {
    blake3::hash(data).as_bytes()[0]
}

/// HMAC-SHA256 computations per second over messages of `size` bytes, single thread: the
/// hashing an access-log entry of that encoded size costs, with nothing else.
pub fn hmac_per_second(size: usize, duration: Duration) -> f64 {
    let message: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    let started = Instant::now();
    let (mut n, mut sink) = (0u64, 0u8);
    while started.elapsed() < duration {
        for _ in 0..1000 {
            let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"benchmark key of thirty-two byte") else {
                return 0.0;
            };
            mac.update(&message);
            sink ^= mac.finalize().into_bytes()[0];
        }
        n += 1000;
    }
    std::hint::black_box(sink);
    n as f64 / started.elapsed().as_secs_f64()
}

/// The average encoded size of an access-log entry as the chain hashes it: every field
/// with an eight-byte length prefix.
pub async fn log_entry_size(pool: &AnyPool) -> anyhow::Result<usize> {
    let row = sqlx::query(
        "SELECT CAST(AVG(LENGTH(CAST(seq AS TEXT)) + LENGTH(at) + LENGTH(infohus_id) + LENGTH(actor_user_id)
            + LENGTH(actor_username) + LENGTH(actor_agency_id) + LENGTH(actor_role) + LENGTH(action)
            + LENGTH(object_type) + LENGTH(object_id) + COALESCE(LENGTH(person_id), 0) + LENGTH(purpose)
            + LENGTH(criteria) + LENGTH(prev_hash)) AS BIGINT) AS size FROM access_log",
    )
    .fetch_one(pool)
    .await?;
    let size: Option<i64> = row.try_get("size")?;
    Ok(usize::try_from(size.unwrap_or(0)).unwrap_or(0) + 14 * 8)
}

/// Serves `GET /` → "ok" on `bind` with the same stack and runtime as `infohus serve`,
/// printing the same `listening on` line; runs until killed.
pub async fn trivial_server(bind: &str) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    println!("listening on http://{}", listener.local_addr()?);
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
    axum::serve(listener, app).await?;
    Ok(())
}
