//! The access log: every use of personal data appends an entry in the transaction of the
//! use itself. Entries hold ids only and are chained by HMAC-SHA256 under a key kept outside
//! the database, so whoever can write the database still cannot rewrite history unseen.

use crate::db::{Backend, Store, parse_ts, ts};
use crate::error::StoreError;
use crate::keys::{Keys, hex};
use crate::sessions::Actor;
use hmac::Mac;
use infohus_domain::PersonId;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What was done with the data (Datatilsynet's categories).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Create,
    Search,
    Change,
    Export,
    Delete,
}

impl Action {
    pub const ALL: [Action; 6] =
        [Action::Read, Action::Create, Action::Search, Action::Change, Action::Export, Action::Delete];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Search => "search",
            Action::Change => "change",
            Action::Export => "export",
            Action::Delete => "delete",
        }
    }
}

/// One use of personal data, before it has a place in the chain.
pub(crate) struct LogEvent {
    pub action: Action,
    pub object_type: &'static str,
    pub object_id: String,
    pub person_id: Option<String>,
    pub purpose: &'static str,
    /// Search criteria as canonical text (codes and ids only, never typed-in values).
    pub criteria: String,
}

impl LogEvent {
    /// A use of one object, without search criteria: the common case.
    pub(crate) fn of(
        action: Action,
        object_type: &'static str,
        object_id: String,
        person_id: Option<String>,
        purpose: &'static str,
    ) -> Self {
        Self { action, object_type, object_id, person_id, purpose, criteria: String::new() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLogEntry {
    pub seq: i64,
    pub at: OffsetDateTime,
    pub actor_username: String,
    pub actor_agency_id: String,
    pub actor_role: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub person_id: Option<String>,
    pub purpose: String,
    pub criteria: String,
}

#[derive(Debug, Clone)]
pub struct AccessLogPage {
    pub entries: Vec<AccessLogEntry>,
    /// The last sequence number shown, when more may follow.
    pub next_after: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: i64,
    pub head_seq: i64,
    pub head_hash: String,
}

/// The head of the chain at some moment, kept by the operator outside the database so that
/// a later truncation of the log (with the head row rewritten to match) is still caught.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
}

const CHECKPOINT_PREFIX: &str = "infohus-access-log-checkpoint v1";

impl Checkpoint {
    /// One line of text: what `infohus audit checkpoint` prints.
    pub fn to_line(&self) -> String {
        format!("{CHECKPOINT_PREFIX} seq={} hash={}", self.seq, self.hash)
    }

    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.trim().strip_prefix(CHECKPOINT_PREFIX)?.trim();
        let mut seq = None;
        let mut hash = None;
        for part in rest.split_whitespace() {
            match part.split_once('=') {
                Some(("seq", v)) => seq = v.parse::<i64>().ok().filter(|n| *n >= 0),
                Some(("hash", v)) if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    hash = Some(v.to_ascii_lowercase())
                }
                _ => return None,
            }
        }
        Some(Self { seq: seq?, hash: hash? })
    }
}

/// The first entry where the chain breaks, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyFailure {
    pub seq: i64,
    pub reason: &'static str,
}

struct Fields<'a> {
    seq: i64,
    at: &'a str,
    infohus_id: &'a str,
    actor_user_id: &'a str,
    actor_username: &'a str,
    actor_agency_id: &'a str,
    actor_role: &'a str,
    action: &'a str,
    object_type: &'a str,
    object_id: &'a str,
    person_id: &'a str,
    purpose: &'a str,
    criteria: &'a str,
    prev_hash: &'a str,
}

/// HMAC over a length-prefixed encoding of every field: no two entries encode alike.
fn entry_hash(keys: &Keys, f: &Fields<'_>) -> String {
    let mut mac = keys.log_mac();
    let seq = f.seq.to_string();
    for part in [
        seq.as_str(),
        f.at,
        f.infohus_id,
        f.actor_user_id,
        f.actor_username,
        f.actor_agency_id,
        f.actor_role,
        f.action,
        f.object_type,
        f.object_id,
        f.person_id,
        f.purpose,
        f.criteria,
        f.prev_hash,
    ] {
        let len = u64::try_from(part.len()).unwrap_or(u64::MAX);
        mac.update(&len.to_be_bytes());
        mac.update(part.as_bytes());
    }
    hex(&mac.finalize().into_bytes())
}

/// One entry waiting for its place in the chain: everything but sequence and hashes.
#[derive(Debug, Clone)]
struct PendingEntry {
    at: String,
    infohus_id: String,
    actor_user_id: String,
    actor_username: String,
    actor_agency_id: String,
    actor_role: &'static str,
    action: &'static str,
    object_type: &'static str,
    object_id: String,
    person_id: Option<String>,
    purpose: &'static str,
    criteria: String,
}

/// Log entries of the accesses in one write batch. Jobs record into it; the writer appends
/// them all to the chain just before the batch commits, so an access and its entries commit
/// together or not at all.
#[derive(Debug, Default)]
pub(crate) struct LogBuffer {
    entries: Vec<PendingEntry>,
}

/// How often an append re-reads a head another process moved before giving up.
const MAX_HEAD_ATTEMPTS: usize = 50;

/// Rows per INSERT statement (15 bound values each, well under SQLite's limit).
const INSERT_CHUNK: usize = 16;

impl LogBuffer {
    pub(crate) fn record(&mut self, actor: &Actor, at: OffsetDateTime, events: Vec<LogEvent>) {
        self.record_in(actor, actor.viewer.infohus.as_str(), at, events);
    }

    /// Records uses of data that belongs to another infohus than the actor's (a referral
    /// routed from the national hotline): the entries go in that infohus's log.
    pub(crate) fn record_in(&mut self, actor: &Actor, infohus: &str, at: OffsetDateTime, events: Vec<LogEvent>) {
        let at = ts(at);
        let v = &actor.viewer;
        self.entries.extend(events.into_iter().map(|event| PendingEntry {
            at: at.clone(),
            infohus_id: infohus.to_owned(),
            actor_user_id: v.user.as_str().to_owned(),
            actor_username: actor.username.clone(),
            actor_agency_id: v.agency.as_str().to_owned(),
            actor_role: v.role.as_str(),
            action: event.action.as_str(),
            object_type: event.object_type,
            object_id: event.object_id,
            person_id: event.person_id,
            purpose: event.purpose,
            criteria: event.criteria,
        }));
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Forgets what a failed job recorded.
    pub(crate) fn truncate(&mut self, len: usize) {
        self.entries.truncate(len);
    }

    pub(crate) fn extend(&mut self, other: LogBuffer) {
        self.entries.extend(other.entries);
    }

    /// Chains and inserts every recorded entry, inside the batch's transaction. `head` is
    /// the writer's cache of the chain's head; it is checked, not trusted: the head row is
    /// moved only from the cached value, and re-read when another process appended.
    pub(crate) async fn flush(
        &mut self,
        conn: &mut AnyConnection,
        keys: &Keys,
        head: &mut Option<(i64, String)>,
    ) -> Result<(), StoreError> {
        if self.entries.is_empty() {
            return Ok(());
        }
        // Chain from the cached head and move the head row only if it still is that head;
        // when another process appended first, re-read and try again. The conditional update
        // waits on the row lock (PostgreSQL) or the write lock (SQLite), so each attempt sees
        // the head as the previous appender left it.
        let mut from = match head.take() {
            Some(cached) => cached,
            None => read_head(&mut *conn).await?,
        };
        let mut attempts = 0;
        let (seq, prev, rows) = loop {
            let (mut seq, mut prev) = from.clone();
            let rows = self.chain(keys, &mut seq, &mut prev);
            let moved =
                sqlx::query("UPDATE access_log_head SET seq = $1, hash = $2 WHERE id = 1 AND seq = $3 AND hash = $4")
                    .bind(seq)
                    .bind(&prev)
                    .bind(from.0)
                    .bind(&from.1)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
            if moved == 1 {
                break (seq, prev, rows);
            }
            attempts += 1;
            if attempts > MAX_HEAD_ATTEMPTS {
                return Err(StoreError::Corrupt("the access-log head kept moving"));
            }
            from = read_head(&mut *conn).await?;
        };
        let entries = std::mem::take(&mut self.entries);
        for (chunk, chunk_rows) in entries.chunks(INSERT_CHUNK).zip(rows.chunks(INSERT_CHUNK)) {
            insert_chunk(conn, chunk, chunk_rows).await?;
        }
        *head = Some((seq, prev));
        Ok(())
    }

    /// Sequence numbers and hashes for every entry, continuing from `seq` and `prev`.
    fn chain(&self, keys: &Keys, seq: &mut i64, prev: &mut String) -> Vec<(i64, String, String)> {
        let mut rows = Vec::with_capacity(self.entries.len());
        for e in &self.entries {
            *seq += 1;
            let hash = entry_hash(
                keys,
                &Fields {
                    seq: *seq,
                    at: &e.at,
                    infohus_id: &e.infohus_id,
                    actor_user_id: &e.actor_user_id,
                    actor_username: &e.actor_username,
                    actor_agency_id: &e.actor_agency_id,
                    actor_role: e.actor_role,
                    action: e.action,
                    object_type: e.object_type,
                    object_id: &e.object_id,
                    person_id: e.person_id.as_deref().unwrap_or(""),
                    purpose: e.purpose,
                    criteria: &e.criteria,
                    prev_hash: prev,
                },
            );
            rows.push((*seq, std::mem::replace(prev, hash.clone()), hash));
        }
        rows
    }
}

/// The head of the chain as the database records it: `(seq, hash)`.
async fn read_head<'e>(executor: impl sqlx::Executor<'e, Database = sqlx::Any>) -> Result<(i64, String), StoreError> {
    let head = sqlx::query("SELECT seq, hash FROM access_log_head WHERE id = 1").fetch_one(executor).await?;
    Ok((head.try_get("seq")?, head.try_get("hash")?))
}

/// One multi-row INSERT of chained entries.
async fn insert_chunk(
    conn: &mut AnyConnection,
    chunk: &[PendingEntry],
    rows: &[(i64, String, String)],
) -> Result<(), StoreError> {
    let mut sql = String::from(
        "INSERT INTO access_log (seq, at, infohus_id, actor_user_id, actor_username, actor_agency_id,
            actor_role, action, object_type, object_id, person_id, purpose, criteria, prev_hash, hash) VALUES ",
    );
    for i in 0..chunk.len() {
        let base = i * 15;
        let placeholders: Vec<String> = (1..=15).map(|n| format!("${}", base + n)).collect();
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        sql.push_str(&placeholders.join(", "));
        sql.push(')');
    }
    // Safe: constant text and numbered placeholders only; every value is bound.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (e, (seq, prev_hash, hash)) in chunk.iter().zip(rows) {
        query = query
            .bind(*seq)
            .bind(e.at.clone())
            .bind(e.infohus_id.clone())
            .bind(e.actor_user_id.clone())
            .bind(e.actor_username.clone())
            .bind(e.actor_agency_id.clone())
            .bind(e.actor_role)
            .bind(e.action)
            .bind(e.object_type)
            .bind(e.object_id.clone())
            .bind(e.person_id.clone())
            .bind(e.purpose)
            .bind(e.criteria.clone())
            .bind(prev_hash.clone())
            .bind(hash.clone());
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

pub(crate) fn entry_from_row(row: &sqlx::any::AnyRow) -> Result<AccessLogEntry, StoreError> {
    Ok(AccessLogEntry {
        seq: row.try_get("seq")?,
        at: parse_ts(&row.try_get::<String, _>("at")?)?,
        actor_username: row.try_get("actor_username")?,
        actor_agency_id: row.try_get("actor_agency_id")?,
        actor_role: row.try_get("actor_role")?,
        action: row.try_get("action")?,
        object_type: row.try_get("object_type")?,
        object_id: row.try_get("object_id")?,
        person_id: row.try_get("person_id")?,
        purpose: row.try_get("purpose")?,
        criteria: row.try_get("criteria")?,
    })
}

const VERIFY_BATCH: i64 = 10_000;

/// One batch of entries, each joined into one text (see `VERIFY_SEPARATOR`).
macro_rules! verify_rows {
    () => {
        "SELECT seq, CAST(seq AS TEXT) || $1 || at || $1 || infohus_id || $1 || actor_user_id || $1
            || actor_username || $1 || actor_agency_id || $1 || actor_role || $1 || action || $1
            || object_type || $1 || object_id || $1 || COALESCE(person_id, '') || $1 || purpose || $1
            || criteria || $1 || prev_hash || $1 || hash AS line
         FROM access_log WHERE seq > $3 ORDER BY seq LIMIT $4"
    };
}

/// Joins an entry's fields into one text column for verification: one value to decode per
/// row instead of fifteen. No field can hold it (ids, codes, timestamps, hex, usernames);
/// a tampered field that does is caught, since the split then fails or the hash differs.
const VERIFY_SEPARATOR: &str = "\u{1f}";

/// Joins the entries of one batch into one text, in order (`$1` the field separator, `$2`
/// the entry separator): one value crosses the driver per batch instead of fifteen per
/// entry. SQLite and PostgreSQL spell the ordered aggregate differently.
fn verify_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => concat!(
            "SELECT group_concat(line, $2 ORDER BY seq) AS lines, MAX(seq) AS last FROM (",
            verify_rows!(),
            ") t"
        ),
        Backend::Postgres => {
            concat!("SELECT string_agg(line, $2 ORDER BY seq) AS lines, MAX(seq) AS last FROM (", verify_rows!(), ") t")
        }
    }
}

/// Separates the entries of a batch in `verify_sql`'s text; no field can hold it either.
const VERIFY_ENTRY_SEPARATOR: &str = "\u{1e}";

/// One entry as `VERIFY_SQL` joins it, split again.
struct VerifyLine<'a> {
    seq: i64,
    entry: Fields<'a>,
    hash: &'a str,
}

impl<'a> VerifyLine<'a> {
    fn split(line: &'a str) -> Option<Self> {
        let mut parts = line.split(VERIFY_SEPARATOR);
        let mut next = || parts.next();
        let seq_text = next()?;
        let seq: i64 = seq_text.parse().ok()?;
        let entry = Fields {
            seq,
            at: next()?,
            infohus_id: next()?,
            actor_user_id: next()?,
            actor_username: next()?,
            actor_agency_id: next()?,
            actor_role: next()?,
            action: next()?,
            object_type: next()?,
            object_id: next()?,
            person_id: next()?,
            purpose: next()?,
            criteria: next()?,
            prev_hash: next()?,
        };
        let hash = next()?;
        next().is_none().then_some(Self { seq, entry, hash })
    }
}

/// Each line of a batch split into its fields, with whether its hash matches its content
/// (`None`: the line does not split into an entry); split and hashed on every core.
fn split_and_hash<'a>(keys: &Keys, lines: &[&'a str]) -> Vec<Option<(VerifyLine<'a>, bool)>> {
    let check = |line: &&'a str| {
        VerifyLine::split(line).map(|l| {
            let ok = entry_hash(keys, &l.entry) == l.hash;
            (l, ok)
        })
    };
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    if threads < 2 || lines.len() < 1_000 {
        return lines.iter().map(check).collect();
    }
    let chunk = lines.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            lines.chunks(chunk).map(|part| scope.spawn(move || part.iter().map(check).collect::<Vec<_>>())).collect();
        let mut all = Vec::with_capacity(lines.len());
        for handle in handles {
            match handle.join() {
                Ok(part) => all.extend(part),
                // A panicking hash thread cannot vouch for its lines.
                Err(_) => all.extend(std::iter::repeat_with(|| None).take(chunk)),
            }
        }
        all.truncate(lines.len());
        all
    })
}

/// Where the check of the chain stands between batches.
struct ChainCheck {
    checkpoint: Option<Checkpoint>,
    checkpoint_seen: bool,
    expected_seq: i64,
    prev: String,
}

impl ChainCheck {
    fn new(checkpoint: Option<&Checkpoint>) -> Self {
        Self { checkpoint: checkpoint.cloned(), checkpoint_seen: false, expected_seq: 0, prev: GENESIS.to_owned() }
    }

    /// After the last batch: the checkpoint was passed, and the recorded head is where the
    /// chain ended.
    fn finish(self, (head_seq, head_hash): (i64, String)) -> Result<VerifyReport, VerifyFailure> {
        if let Some(c) = &self.checkpoint
            && !self.checkpoint_seen
            && c.seq > 0
        {
            return Err(VerifyFailure {
                seq: self.expected_seq + 1,
                reason: "the checkpoint's entry is missing: the log was truncated",
            });
        }
        if head_seq != self.expected_seq || head_hash != self.prev {
            return Err(VerifyFailure {
                seq: self.expected_seq + 1,
                reason: "entries after this point are missing (the recorded head is further on)",
            });
        }
        Ok(VerifyReport { entries: self.expected_seq, head_seq, head_hash })
    }

    /// Checks one batch (`verify_sql`'s text) in order: every entry present, each following
    /// the previous one, each hash matching its content, and the checkpoint where it falls.
    fn batch(&mut self, keys: &Keys, text: &str) -> Result<(), VerifyFailure> {
        let lines: Vec<&str> = text.split(VERIFY_ENTRY_SEPARATOR).collect();
        for checked in split_and_hash(keys, &lines) {
            self.expected_seq += 1;
            let Some((fields, hash_ok)) = checked else {
                return Err(VerifyFailure { seq: self.expected_seq, reason: "content does not match its hash" });
            };
            if fields.seq != self.expected_seq {
                return Err(VerifyFailure { seq: self.expected_seq, reason: "missing entry" });
            }
            if fields.entry.prev_hash != self.prev {
                return Err(VerifyFailure { seq: fields.seq, reason: "does not follow the previous entry" });
            }
            if !hash_ok {
                return Err(VerifyFailure { seq: fields.seq, reason: "content does not match its hash" });
            }
            if let Some(c) = &self.checkpoint
                && c.seq == fields.seq
            {
                if c.hash != fields.hash {
                    return Err(VerifyFailure {
                        seq: fields.seq,
                        reason: "differs from the checkpoint: the log was rewritten",
                    });
                }
                self.checkpoint_seen = true;
            }
            fields.hash.clone_into(&mut self.prev);
        }
        Ok(())
    }
}

impl Store {
    /// The head of the access log now, for an operator to keep elsewhere.
    pub async fn access_log_checkpoint(&self) -> Result<Checkpoint, StoreError> {
        let head = sqlx::query("SELECT seq, hash FROM access_log_head WHERE id = 1").fetch_one(&self.pool).await?;
        Ok(Checkpoint { seq: head.try_get("seq")?, hash: head.try_get("hash")? })
    }

    /// Every logged use of one person's data, oldest first (auditors only). The lookup is
    /// itself logged, against the access log rather than the person, so it does not alter
    /// the history being read.
    pub async fn access_log_for_person(
        &self,
        actor: &Actor,
        person: &PersonId,
        after_seq: Option<i64>,
        limit: u32,
        now: OffsetDateTime,
    ) -> Result<AccessLogPage, StoreError> {
        if !actor.viewer.may_read_access_log() {
            return Err(StoreError::Forbidden);
        }
        let person = person.as_str();
        let rows = sqlx::query(
            "SELECT seq, at, actor_username, actor_agency_id, actor_role, action, object_type, object_id,
                    person_id, purpose, criteria
             FROM access_log WHERE person_id = $1 AND infohus_id = $2 AND seq > $3
             ORDER BY seq LIMIT $4",
        )
        .bind(person)
        .bind(actor.viewer.infohus.as_str())
        .bind(after_seq.unwrap_or(0))
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.pool)
        .await?;
        let mut entries = rows.iter().map(entry_from_row).collect::<Result<Vec<_>, _>>()?;
        let more = entries.len() > limit as usize;
        entries.truncate(limit as usize);
        let mut log = LogBuffer::default();
        log.record(
            actor,
            now,
            vec![LogEvent {
                action: Action::Search,
                object_type: "access_log",
                object_id: person.to_owned(),
                person_id: None,
                purpose: "audit",
                criteria: format!("person={person};after={}", after_seq.unwrap_or(0)),
            }],
        );
        self.commit_log(log).await?;
        Ok(AccessLogPage { next_after: if more { entries.last().map(|e| e.seq) } else { None }, entries })
    }

    /// Recomputes the whole chain. `Ok` holds the count and head; `Err` names the first bad
    /// entry. Reads in batches so memory stays flat at millions of entries.
    pub async fn verify_access_log(
        &self,
        checkpoint: Option<&Checkpoint>,
    ) -> Result<Result<VerifyReport, VerifyFailure>, StoreError> {
        // One task reads batches while this one checks the previous batch: reading and
        // hashing overlap, and each batch's hashes are computed on every core.
        let (sender, mut batches) = tokio::sync::mpsc::channel::<Result<String, StoreError>>(2);
        let (pool, backend) = (self.pool.clone(), self.backend);
        let reader = tokio::spawn(async move {
            let mut after = 0i64;
            loop {
                let (last, lines) = match verify_batch(&pool, backend, after).await {
                    Ok(Some(batch)) => batch,
                    Ok(None) => return,
                    Err(error) => {
                        let _ = sender.send(Err(error)).await;
                        return;
                    }
                };
                after = last;
                if sender.send(Ok(lines)).await.is_err() {
                    return;
                }
            }
        });
        let keys = self.keys.clone();
        let mut chain = ChainCheck::new(checkpoint);
        while let Some(batch) = batches.recv().await {
            let text = batch?;
            let keys = keys.clone();
            let (checked, outcome) = tokio::task::spawn_blocking(move || {
                let outcome = chain.batch(&keys, &text);
                (chain, outcome)
            })
            .await
            .map_err(|_| StoreError::Corrupt("access-log verification"))?;
            chain = checked;
            if let Err(failure) = outcome {
                return Ok(Err(failure));
            }
        }
        reader.await.map_err(|_| StoreError::Corrupt("access-log verification"))?;
        let head = read_head(&self.pool).await?;
        Ok(chain.finish(head))
    }
}

/// One batch of entries after `after` as `verify_sql` joins them, with its last `seq`;
/// `None` past the end.
async fn verify_batch<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    backend: Backend,
    after: i64,
) -> Result<Option<(i64, String)>, StoreError> {
    let row = sqlx::query(verify_sql(backend))
        .bind(VERIFY_SEPARATOR)
        .bind(VERIFY_ENTRY_SEPARATOR)
        .bind(after)
        .bind(VERIFY_BATCH)
        .fetch_one(executor)
        .await?;
    match (row.try_get::<Option<i64>, _>("last")?, row.try_get::<Option<String>, _>("lines")?) {
        (Some(last), Some(lines)) => Ok(Some((last, lines))),
        _ => Ok(None),
    }
}

/// The whole chain checked on one connection, batch after batch: for rows that only this
/// connection sees yet, such as an archive loaded in a transaction that has not committed.
pub(crate) async fn verify_chain_on(
    conn: &mut AnyConnection,
    keys: &Keys,
    backend: Backend,
) -> Result<Result<VerifyReport, VerifyFailure>, StoreError> {
    let mut chain = ChainCheck::new(None);
    let mut after = 0i64;
    while let Some((last, lines)) = verify_batch(&mut *conn, backend, after).await? {
        after = last;
        if let Err(failure) = chain.batch(keys, &lines) {
            return Ok(Err(failure));
        }
    }
    let head = read_head(&mut *conn).await?;
    Ok(chain.finish(head))
}
