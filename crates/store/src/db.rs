//! The database handle: connecting (SQLite now, PostgreSQL through the same `Any` pool and
//! portable SQL later), versioned migrations, key checks, and time encoding.

use crate::access_log::LogBuffer;
use crate::error::StoreError;
use crate::keys::Keys;
use crate::writer::{WriteStats, WriteWork, Writer};
use infohus_domain::InfohusId;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyConnection, AnyPool, Connection, Executor, Row};
use std::path::Path;
use std::sync::Arc;
use std::sync::Once;
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

/// The storage handle every other crate goes through.
pub struct Store {
    /// Readers of data that is not personal (sessions, agencies, settings) and `verify`.
    pub(crate) pool: AnyPool,
    pub(crate) keys: Arc<Keys>,
    /// Every write, and every use of personal data (which writes its log entry), goes
    /// through the one writer: strictly ordered log, one fsync per batch.
    writer: Writer,
    writer_task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    pub(crate) backend: Backend,
}

/// Tuning of a store; the defaults suit production.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Most write jobs sharing one commit. 1 turns group commit off (one fsync per job).
    pub max_write_batch: usize,
    /// Where the master key is, when not `master.key` in the keys dir.
    pub master_key_file: Option<std::path::PathBuf>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { max_write_batch: 256, master_key_file: None }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

/// Which database a URL names. The SQL is shared; migrations and connection settings differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn of(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    /// How a write batch begins: SQLite takes the write lock up front; PostgreSQL's appenders
    /// serialise on the access-log head row instead.
    pub(crate) fn begin_write(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }
}

/// One schema version, in each backend's dialect (kept side by side in `migrations/`).
struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

macro_rules! migration {
    ($version:literal, $name:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $file)),
            postgres: include_str!(concat!("../migrations/postgres/", $file)),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "foundation", "0001_foundation.sql"),
    migration!(2, "inbox_urgency_index", "0002_inbox_urgency_index.sql"),
    migration!(3, "encryption_at_rest", "0003_encryption_at_rest.sql"),
    migration!(4, "cases_records_disclosures", "0004_cases_records_disclosures.sql"),
    migration!(5, "many_infohuse", "0005_many_infohuse.sql"),
    migration!(6, "known_elsewhere_and_transfers", "0006_known_elsewhere_and_transfers.sql"),
    migration!(7, "login_failures", "0007_login_failures.sql"),
    migration!(8, "casework", "0008_casework.sql"),
    migration!(9, "disclosures_by_case", "0009_disclosures_by_case.sql"),
    migration!(10, "meetings", "0010_meetings.sql"),
    migration!(11, "user_email", "0011_user_email.sql"),
    migration!(12, "agenda_fact_indexes", "0012_agenda_fact_indexes.sql"),
    migration!(13, "person_search", "0013_person_search.sql"),
];

const TS_FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// Fixed-width RFC 3339 UTC text: compares as text in time order.
pub(crate) fn ts(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC).format(TS_FORMAT).unwrap_or_else(|_| String::from("0000-00-00T00:00:00.000000Z"))
}

pub(crate) fn parse_ts(raw: &str) -> Result<OffsetDateTime, StoreError> {
    time::PrimitiveDateTime::parse(raw, TS_FORMAT).map(|t| t.assume_utc()).map_err(|_| StoreError::Corrupt("timestamp"))
}

/// A calendar date as stored: `YYYY-MM-DD`, which sorts as the date.
pub(crate) fn day(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub(crate) fn parse_day(raw: &str) -> Result<time::Date, StoreError> {
    time::Date::parse(raw, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|_| StoreError::Corrupt("date"))
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The SQLite URL for a data directory.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("infohus.sqlite").display())
}

impl Store {
    /// Connects, migrates, and checks that `keys_dir` holds this database's keys (creating
    /// them for a new database). `now` stamps what start-up creates.
    pub async fn open(database_url: &str, keys_dir: &Path, now: OffsetDateTime) -> Result<Self, StoreError> {
        Self::open_with(database_url, keys_dir, now, StoreOptions::default()).await
    }

    /// `open` with tuning options (benchmarks compare group commit on and off).
    pub async fn open_with(
        database_url: &str,
        keys_dir: &Path,
        now: OffsetDateTime,
        options: StoreOptions,
    ) -> Result<Self, StoreError> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(install_default_drivers);

        let backend = Backend::of(database_url).ok_or(StoreError::UnsupportedUrl)?;
        let pool = AnyPoolOptions::new()
            // Readers; the writer has its own connection. On two cores more SQLite readers
            // starve the writer and make every audited access wait longer (BENCHMARKS.md).
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 8,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| Box::pin(async move { configure(conn, backend).await }))
            .connect(database_url)
            .await?;
        migrate(&pool, backend, now).await?;
        let keys = Arc::new(check_keys(&pool, keys_dir, options.master_key_file.as_deref()).await?);
        let mut write_conn = AnyConnection::connect(database_url).await?;
        configure(&mut write_conn, backend).await?;
        let (writer, task) = Writer::start(write_conn, backend, keys.clone(), options.max_write_batch);
        let store = Self { pool, keys, writer, writer_task: std::sync::Mutex::new(Some(task)), backend };
        store.ensure_infohus(now).await?;
        store.ensure_shipped_instruments(now).await?;
        let sealed = store.seal_legacy_rows().await?;
        if sealed > 0 {
            tracing::info!(persons = sealed, "sealed personal data stored before encryption at rest");
        }
        let indexed = store.index_legacy_names().await?;
        if indexed > 0 {
            tracing::info!(persons = indexed, "indexed the name words of persons recorded before person search");
        }
        Ok(store)
    }

    /// The newest schema version applied.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let row =
            sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations").fetch_one(&self.pool).await?;
        Ok(row.try_get("v")?)
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await.is_ok()
    }

    /// Waits for queued writes, then closes every connection.
    pub async fn close(&self) {
        self.writer.close();
        let task = self.writer_task.lock().ok().and_then(|mut t| t.take());
        if let Some(task) = task {
            let _ = task.await;
        }
        self.pool.close().await;
    }

    /// Runs `work` on the write connection inside a shared, group-committed transaction;
    /// its result is returned once the transaction has committed.
    pub(crate) async fn write<T: Send + 'static>(&self, work: impl WriteWork<T>) -> Result<T, StoreError> {
        self.writer.submit(work).await
    }

    /// Appends the log entries of a read and returns once they are committed: the caller
    /// releases the data it read only after this succeeds.
    pub(crate) async fn commit_log(&self, log: LogBuffer) -> Result<(), StoreError> {
        if log.len() == 0 {
            return Ok(());
        }
        self.writer.submit_log(log).await
    }

    /// How many commits the writer made for how many write jobs.
    pub fn write_stats(&self) -> &WriteStats {
        &self.writer.stats
    }

    /// The infohus of a fresh installation (one per data dir until many are supported).
    pub async fn default_infohus(&self) -> Result<InfohusId, StoreError> {
        let row = sqlx::query("SELECT id FROM infohuse ORDER BY created_at, id LIMIT 1").fetch_one(&self.pool).await?;
        InfohusId::parse(&row.try_get::<String, _>("id")?).ok_or(StoreError::Corrupt("infohus id"))
    }

    pub async fn infohus_name(&self, id: &InfohusId) -> Result<String, StoreError> {
        let row = sqlx::query("SELECT name FROM infohuse WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(row.try_get("name")?)
    }

    pub async fn rename_infohus(&self, id: &InfohusId, name: &str) -> Result<(), StoreError> {
        let (id, name) = (id.as_str().to_owned(), name.to_owned());
        self.write(move |conn, _log| {
            Box::pin(async move {
                sqlx::query("UPDATE infohuse SET name = $1 WHERE id = $2").bind(name).bind(id).execute(conn).await?;
                Ok(())
            })
        })
        .await
    }

    async fn ensure_infohus(&self, now: OffsetDateTime) -> Result<(), StoreError> {
        self.write(move |conn, _log| {
            Box::pin(async move {
                let count: i64 =
                    sqlx::query("SELECT COUNT(*) AS n FROM infohuse").fetch_one(&mut *conn).await?.try_get("n")?;
                if count == 0 {
                    sqlx::query("INSERT INTO infohuse (id, name, created_at) VALUES ($1, $2, $3)")
                        .bind(new_id())
                        .bind("Infohus")
                        .bind(ts(now))
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(())
            })
        })
        .await
    }
}

/// Per-connection settings. SQLite: WAL, full fsync on commit, foreign keys, waiting on
/// locks. PostgreSQL: no statement runs forever, and times are UTC.
async fn configure(conn: &mut AnyConnection, backend: Backend) -> Result<(), sqlx::Error> {
    if backend == Backend::Postgres {
        conn.execute("SET statement_timeout = '60s'").await?;
        conn.execute("SET lock_timeout = '30s'").await?;
        conn.execute("SET TIME ZONE 'UTC'").await?;
        return Ok(());
    }
    conn.execute("PRAGMA journal_mode = WAL").await?;
    conn.execute("PRAGMA synchronous = FULL").await?;
    conn.execute("PRAGMA foreign_keys = ON").await?;
    conn.execute("PRAGMA busy_timeout = 10000").await?;
    // Checkpoint the WAL less often (every ~32 MB): each checkpoint also syncs the main file.
    conn.execute("PRAGMA wal_autocheckpoint = 8000").await?;
    conn.execute("PRAGMA cache_size = -32000").await?;
    // Deleted content is overwritten, not left in free pages.
    conn.execute("PRAGMA secure_delete = ON").await?;
    Ok(())
}

async fn migrate(pool: &AnyPool, backend: Backend, now: OffsetDateTime) -> Result<(), StoreError> {
    pool.execute(match backend {
        Backend::Sqlite => {
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        }
        Backend::Postgres => {
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        }
    })
    .await?;
    for migration in MIGRATIONS {
        let mut tx = pool.begin().await?;
        if backend == Backend::Postgres {
            // Several servers may start at once: one migrates, the others wait and skip.
            tx.execute("SELECT pg_advisory_xact_lock(7243190)").await?;
        }
        let applied: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations ORDER BY version")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| row.try_get::<i64, _>("version"))
            .collect::<Result<_, _>>()?;
        if applied.iter().any(|v| *v > MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0)) {
            return Err(StoreError::Corrupt("database is newer than this program"));
        }
        if applied.contains(&migration.version) {
            continue;
        }
        tx.execute(match backend {
            Backend::Sqlite => migration.sqlite,
            Backend::Postgres => migration.postgres,
        })
        .await?;
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(version = migration.version, name = migration.name, "applied migration");
    }
    Ok(())
}

async fn check_keys(pool: &AnyPool, keys_dir: &Path, master_file: Option<&Path>) -> Result<Keys, StoreError> {
    let stored: Vec<(String, String)> = sqlx::query(
        "SELECT name, value FROM settings
         WHERE name IN ('log_key_fingerprint', 'index_key_fingerprint', 'master_key_fingerprint')",
    )
    .fetch_all(pool)
    .await?
    .iter()
    .map(|row| Ok((row.try_get("name")?, row.try_get("value")?)))
    .collect::<Result<_, StoreError>>()?;
    let has = |name: &str| stored.iter().any(|(n, _)| n == name);
    // A new database gets new keys; a database from before encryption at rest gets its
    // master key now. Otherwise every key must already exist and match.
    let create = stored.is_empty() || !has("master_key_fingerprint");
    let complete = has("log_key_fingerprint") && has("index_key_fingerprint");
    if !(stored.is_empty() || complete) {
        return Err(StoreError::Corrupt("key fingerprints are incomplete"));
    }
    if !stored.is_empty() && !keys_dir.join("access-log.key").exists() {
        return Err(StoreError::Keys(format!("the keys of this database are not in {}", keys_dir.display())));
    }
    let keys = Keys::load(keys_dir, create, master_file)?;
    let (log, index) = keys.fingerprints();
    let expected = [
        ("log_key_fingerprint", log),
        ("index_key_fingerprint", index),
        ("master_key_fingerprint", keys.master().fingerprint()),
    ];
    let mut tx = pool.begin().await?;
    for (name, value) in &expected {
        match stored.iter().find(|(n, _)| n == name) {
            Some((_, stored_value)) if stored_value != value => {
                return Err(StoreError::Keys(format!(
                    "the keys in {} do not belong to this database",
                    keys_dir.display()
                )));
            }
            Some(_) => {}
            None => {
                sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2)")
                    .bind(*name)
                    .bind(value.clone())
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_migrations_are_the_sqlite_ones_with_bigint_integers() {
        for m in MIGRATIONS {
            let body: String = m.postgres.lines().skip(1).map(|l| format!("{l}\n")).collect();
            assert_eq!(body, m.sqlite.replace("INTEGER", "BIGINT"), "migration {} drifted", m.version);
        }
    }
    use time::macros::datetime;

    #[test]
    fn timestamps_are_fixed_width_utc_and_round_trip() {
        let t = datetime!(2026-11-22 12:34:56.789 +01:00);
        let text = ts(t);
        assert_eq!(text, "2026-11-22T11:34:56.789000Z");
        assert_eq!(parse_ts(&text).unwrap(), t);
    }
}
