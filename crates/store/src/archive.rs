//! Moving an installation: a complete, versioned, checksummed archive of every table (sealed
//! fields stay sealed, the access log comes along), written from one backend and loaded into
//! an empty database of either. The keys never go into the archive; they move separately.

use crate::db::Store;
use crate::error::StoreError;
use crate::keys::hex;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Connection, Executor, Row};
use std::io::{BufRead, Write};

/// The archive format's version: bump when its shape changes.
pub const ARCHIVE_VERSION: i64 = 1;
const FORMAT: &str = "infohus-archive";
const PAGE: i64 = 5_000;

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Int,
}

use Kind::{Int, Text};

/// Every table that moves, in an order that satisfies the foreign keys, with its columns
/// and the columns that order it. Sessions and failed-login counters do not move.
/// A table's name, its columns with their kinds, and the columns that order it.
type TableSpec = (&'static str, &'static [(&'static str, Kind)], &'static str);

const TABLES: &[TableSpec] = &[
    ("settings", &[("name", Text), ("value", Text)], "name"),
    (
        "infohuse",
        &[
            ("id", Text),
            ("name", Text),
            ("created_at", Text),
            ("code", Text),
            ("police_district", Text),
            ("national", Int),
        ],
        "id",
    ),
    (
        "agencies",
        &[("id", Text), ("infohus_id", Text), ("code", Text), ("name", Text), ("kind", Text), ("created_at", Text)],
        "id",
    ),
    (
        "users",
        &[
            ("id", Text),
            ("infohus_id", Text),
            ("agency_id", Text),
            ("username", Text),
            ("display_name", Text),
            ("role", Text),
            ("password_hash", Text),
            ("disabled", Int),
            ("created_at", Text),
            ("email", Text),
        ],
        "id",
    ),
    ("concern_categories", &[("code", Text), ("sort_order", Int), ("active", Int)], "code"),
    (
        "legal_bases",
        &[
            ("code", Text),
            ("label", Text),
            ("covers_special_category", Int),
            ("covers_criminal_offence", Int),
            ("active", Int),
            ("sort_order", Int),
            ("created_at", Text),
        ],
        "code",
    ),
    (
        "persons",
        &[
            ("id", Text),
            ("infohus_id", Text),
            ("name", Text),
            ("cpr", Text),
            ("cpr_index", Text),
            ("match_index", Text),
            ("birth_date", Text),
            ("gender", Text),
            ("municipality", Text),
            ("created_at", Text),
            ("updated_at", Text),
            ("data_key", Text),
            ("shredded_at", Text),
        ],
        "id",
    ),
    ("person_name_words", &[("person_id", Text), ("word_index", Text)], "word_index, person_id"),
    (
        "referrals",
        &[
            ("id", Text),
            ("infohus_id", Text),
            ("person_id", Text),
            ("suggested_person_id", Text),
            ("status", Text),
            ("channel", Text),
            ("concern_category", Text),
            ("urgency", Text),
            ("urgency_rank", Int),
            ("under_18", Int),
            ("description", Text),
            ("subject_name", Text),
            ("subject_birth_date", Text),
            ("subject_gender", Text),
            ("subject_municipality", Text),
            ("referrer_name", Text),
            ("referrer_organisation", Text),
            ("referrer_phone", Text),
            ("referrer_email", Text),
            ("submitted_by", Text),
            ("submitted_by_agency", Text),
            ("received_at", Text),
            ("updated_at", Text),
        ],
        "id",
    ),
    ("referral_agencies", &[("referral_id", Text), ("agency_id", Text), ("since", Text)], "referral_id, agency_id"),
    (
        "cases",
        &[
            ("id", Text),
            ("infohus_id", Text),
            ("person_id", Text),
            ("referral_id", Text),
            ("status", Text),
            ("lead_agency_id", Text),
            ("opened_by", Text),
            ("opened_at", Text),
            ("closed_at", Text),
            ("closed_reason", Text),
        ],
        "id",
    ),
    ("case_agencies", &[("case_id", Text), ("agency_id", Text), ("since", Text)], "case_id, agency_id"),
    (
        "case_notes",
        &[
            ("id", Text),
            ("case_id", Text),
            ("owner_agency_id", Text),
            ("author_user_id", Text),
            ("sensitivity", Text),
            ("body", Text),
            ("created_at", Text),
        ],
        "id",
    ),
    (
        "meeting_series",
        &[
            ("id", Text),
            ("infohus_id", Text),
            ("name", Text),
            ("first_start", Text),
            ("interval_days", Int),
            ("duration_minutes", Int),
            ("cutoff_minutes", Int),
            ("location", Text),
            ("video_link", Text),
            ("created_by", Text),
            ("created_at", Text),
        ],
        "id",
    ),
    ("meeting_participants", &[("id", Text), ("series_id", Text), ("agency_id", Text), ("user_id", Text)], "id"),
    (
        "meetings",
        &[
            ("id", Text),
            ("infohus_id", Text),
            ("series_id", Text),
            ("planned_start", Text),
            ("starts_at", Text),
            ("duration_minutes", Int),
            ("cutoff_at", Text),
            ("location", Text),
            ("video_link", Text),
            ("status", Text),
            ("sequence", Int),
            ("cancel_reason", Text),
            ("agenda_status", Text),
            ("agenda_built_at", Text),
            ("agenda_published_at", Text),
            ("agenda_published_by", Text),
        ],
        "id",
    ),
    (
        "agenda_items",
        &[
            ("id", Text),
            ("meeting_id", Text),
            ("position", Int),
            ("kind", Text),
            ("case_id", Text),
            ("referral_id", Text),
            ("person_id", Text),
            ("reasons", Text),
            ("title", Text),
            ("status", Text),
            ("status_note", Text),
            ("added_by", Text),
            ("discussed", Int),
        ],
        "id",
    ),
    (
        "agenda_flags",
        &[
            ("id", Text),
            ("infohus_id", Text),
            ("case_id", Text),
            ("agency_id", Text),
            ("flagged_by", Text),
            ("flagged_at", Text),
            ("note", Text),
            ("handled_meeting_id", Text),
        ],
        "id",
    ),
    (
        "minutes",
        &[
            ("id", Text),
            ("meeting_id", Text),
            ("version", Int),
            ("status", Text),
            ("attendance", Text),
            ("supersedes_id", Text),
            ("correction_reason", Text),
            ("created_by", Text),
            ("created_at", Text),
            ("approved_by", Text),
            ("approved_at", Text),
        ],
        "meeting_id, version",
    ),
    (
        "minute_items",
        &[("minutes_id", Text), ("agenda_item_id", Text), ("summary", Text), ("decisions", Text)],
        "minutes_id, agenda_item_id",
    ),
    (
        "disclosures",
        &[
            ("id", Text),
            ("infohus_id", Text),
            ("record_type", Text),
            ("record_id", Text),
            ("case_id", Text),
            ("person_id", Text),
            ("from_agency_id", Text),
            ("to_agency_id", Text),
            ("legal_basis", Text),
            ("purpose", Text),
            ("disclosed_by", Text),
            ("disclosed_at", Text),
            ("meeting_id", Text),
        ],
        "id",
    ),
    (
        "break_glass",
        &[
            ("id", Text),
            ("infohus_id", Text),
            ("case_id", Text),
            ("person_id", Text),
            ("user_id", Text),
            ("agency_id", Text),
            ("reason", Text),
            ("granted_at", Text),
            ("expires_at", Text),
        ],
        "id",
    ),
    (
        "access_log",
        &[
            ("seq", Int),
            ("at", Text),
            ("infohus_id", Text),
            ("actor_user_id", Text),
            ("actor_username", Text),
            ("actor_agency_id", Text),
            ("actor_role", Text),
            ("action", Text),
            ("object_type", Text),
            ("object_id", Text),
            ("person_id", Text),
            ("purpose", Text),
            ("criteria", Text),
            ("prev_hash", Text),
            ("hash", Text),
        ],
        "seq",
    ),
    (
        "share_requests",
        &[
            ("id", Text),
            ("from_infohus_id", Text),
            ("to_infohus_id", Text),
            ("to_person_id", Text),
            ("legal_basis", Text),
            ("purpose", Text),
            ("requested_by", Text),
            ("requested_at", Text),
        ],
        "id",
    ),
    (
        "transfers",
        &[
            ("id", Text),
            ("person_id", Text),
            ("from_infohus_id", Text),
            ("to_infohus_id", Text),
            ("legal_basis", Text),
            ("purpose", Text),
            ("transferred_by", Text),
            ("transferred_at", Text),
        ],
        "id",
    ),
    ("access_log_head", &[("id", Int), ("seq", Int), ("hash", Text)], "id"),
    (
        "screening_checks",
        &[
            ("referral_id", Text),
            ("agency_id", Text),
            ("requested_by", Text),
            ("requested_at", Text),
            ("result", Text),
            ("note", Text),
            ("checked_by", Text),
            ("checked_at", Text),
        ],
        "referral_id, agency_id",
    ),
    (
        "screening_outcomes",
        &[
            ("referral_id", Text),
            ("infohus_id", Text),
            ("outcome", Text),
            ("reply", Text),
            ("service", Text),
            ("service_note", Text),
            ("handover_agency_id", Text),
            ("handover_reference", Text),
            ("decided_by", Text),
            ("decided_at", Text),
        ],
        "referral_id",
    ),
    (
        "case_events",
        &[
            ("id", Text),
            ("case_id", Text),
            ("at", Text),
            ("kind", Text),
            ("agency_id", Text),
            ("user_id", Text),
            ("record_type", Text),
            ("record_id", Text),
            ("detail", Text),
            ("note", Text),
        ],
        "id",
    ),
    (
        "instruments",
        &[("id", Text), ("key", Text), ("version", Int), ("name", Text), ("definition", Text), ("imported_at", Text)],
        "id",
    ),
    (
        "assessments",
        &[
            ("id", Text),
            ("infohus_id", Text),
            ("case_id", Text),
            ("person_id", Text),
            ("instrument_id", Text),
            ("owner_agency_id", Text),
            ("kind", Text),
            ("status", Text),
            ("supersedes_id", Text),
            ("assessed_on", Text),
            ("content", Text),
            ("created_by", Text),
            ("created_at", Text),
            ("updated_at", Text),
            ("signed_by", Text),
            ("signed_at", Text),
        ],
        "id",
    ),
    (
        "intervention_types",
        &[("code", Text), ("label", Text), ("default_review_months", Int), ("sort_order", Int), ("active", Int)],
        "code",
    ),
    (
        "interventions",
        &[
            ("id", Text),
            ("infohus_id", Text),
            ("case_id", Text),
            ("person_id", Text),
            ("kind", Text),
            ("owner_agency_id", Text),
            ("responsible_user_id", Text),
            ("sensitivity", Text),
            ("goals", Text),
            ("start_on", Text),
            ("review_on", Text),
            ("status", Text),
            ("outcome", Text),
            ("ended_on", Text),
            ("created_by", Text),
            ("created_at", Text),
            ("updated_at", Text),
        ],
        "id",
    ),
    (
        "intervention_sessions",
        &[
            ("id", Text),
            ("intervention_id", Text),
            ("held_on", Text),
            ("minutes", Int),
            ("note", Text),
            ("logged_by", Text),
            ("logged_at", Text),
        ],
        "id",
    ),
    (
        "tasks",
        &[
            ("id", Text),
            ("infohus_id", Text),
            ("case_id", Text),
            ("title", Text),
            ("owner_agency_id", Text),
            ("assignee_user_id", Text),
            ("due_on", Text),
            ("status", Text),
            ("created_by", Text),
            ("created_at", Text),
            ("done_by", Text),
            ("done_at", Text),
            ("meeting_id", Text),
            ("agenda_item_id", Text),
        ],
        "id",
    ),
    (
        "release_notices",
        &[
            ("case_id", Text),
            ("infohus_id", Text),
            ("expected_on", Text),
            ("agency_id", Text),
            ("recorded_by", Text),
            ("recorded_at", Text),
        ],
        "case_id",
    ),
];

/// Tables the migrations seed; an import replaces their rows with the archive's.
const SEEDED: &[&str] = &[
    "access_log_head",
    "legal_bases",
    "concern_categories",
    "intervention_types",
    "instruments",
    "infohuse",
    "settings",
];

/// What an export or import moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveSummary {
    pub rows: u64,
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("the archive is not an Infohus archive of a version this program reads")]
    NotAnArchive,
    #[error("the archive is damaged at line {0}")]
    Damaged(u64),
    #[error("the archive's checksum does not match: it is incomplete or was changed")]
    Checksum,
    #[error("the archive holds schema version {archive}; this database is at {database}")]
    Schema { archive: i64, database: i64 },
    #[error("the target database is not empty")]
    NotEmpty,
    #[error("the archive was made with other keys than the ones given")]
    OtherKeys,
    #[error("the archive does not name each of the keys it was made with exactly once")]
    KeysNotNamed,
    #[error("the archive's access log does not verify at entry {seq} ({reason}); nothing was imported")]
    LogBroken { seq: i64, reason: &'static str },
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn select_sql(table: &str, columns: &[(&str, Kind)], order: &str) -> String {
    let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
    format!("SELECT {} FROM {table} ORDER BY {order} LIMIT $1 OFFSET $2", names.join(", "))
}

fn insert_sql(table: &str, columns: &[(&str, Kind)]) -> String {
    let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
    let marks: Vec<String> = (1..=columns.len()).map(|n| format!("${n}")).collect();
    format!("INSERT INTO {table} ({}) VALUES ({})", names.join(", "), marks.join(", "))
}

/// Writes a line and feeds it to the checksum.
fn emit(out: &mut impl Write, hasher: &mut Sha256, value: &Value) -> Result<(), ArchiveError> {
    let line = format!("{value}\n");
    hasher.update(line.as_bytes());
    out.write_all(line.as_bytes())?;
    Ok(())
}

impl Store {
    /// Writes the whole installation to `out`, read in one transaction: one consistent
    /// moment even while a server keeps writing (a read per table would pair a referral with
    /// a person row it has not read, or the log's head with a chain that stops short of it).
    pub async fn export_archive(&self, out: &mut impl Write) -> Result<ArchiveSummary, ArchiveError> {
        let mut hasher = Sha256::new();
        let mut conn = self.pool.acquire().await.map_err(StoreError::from)?;
        let postgres = self.backend == crate::db::Backend::Postgres;
        // Rolled back when dropped; SQLite's snapshot starts at the first read below.
        let mut conn = conn.begin().await.map_err(StoreError::from)?;
        if postgres {
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .await
                .map_err(StoreError::from)?;
        }
        let schema: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations")
            .fetch_one(&mut *conn)
            .await
            .and_then(|row| row.try_get("v"))
            .map_err(StoreError::from)?;
        emit(out, &mut hasher, &json!({"format": FORMAT, "version": ARCHIVE_VERSION, "schema": schema}))?;
        let mut rows = 0u64;
        for (table, columns, order) in TABLES {
            let sql = select_sql(table, columns, order);
            let mut offset = 0i64;
            loop {
                // Safe: table and column names are this module's constants; values are bound.
                let page = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(PAGE)
                    .bind(offset)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(StoreError::from)?;
                for row in &page {
                    let mut values = Vec::with_capacity(columns.len());
                    for (name, kind) in columns.iter() {
                        let value = match kind {
                            Text => row.try_get::<Option<String>, _>(*name).map(|v| json!(v)),
                            Int => row.try_get::<Option<i64>, _>(*name).map(|v| json!(v)),
                        }
                        .map_err(StoreError::from)?;
                        values.push(value);
                    }
                    emit(out, &mut hasher, &json!({"t": table, "v": values}))?;
                    rows += 1;
                }
                if page.len() < PAGE as usize {
                    break;
                }
                offset += PAGE;
            }
        }
        conn.rollback().await.map_err(StoreError::from)?;
        let sha256 = hex(&hasher.finalize());
        out.write_all(format!("{}\n", json!({"end": true, "rows": rows, "sha256": sha256})).as_bytes())?;
        out.flush()?;
        Ok(ArchiveSummary { rows, sha256 })
    }

    /// Loads an archive into this store's database, which must be empty (fresh from `open`).
    /// Checks the format, the schema version, the checksum and that the archive's key
    /// fingerprints match this store's keys, and recomputes the access log's chain before
    /// committing; all or nothing.
    pub async fn import_archive(&self, input: impl BufRead) -> Result<ArchiveSummary, ArchiveError> {
        let mut lines = input.lines();
        let mut hasher = Sha256::new();
        let header_line = lines.next().ok_or(ArchiveError::NotAnArchive)??;
        hasher.update(format!("{header_line}\n").as_bytes());
        let header: Value = serde_json::from_str(&header_line).map_err(|_| ArchiveError::NotAnArchive)?;
        if header["format"] != FORMAT || header["version"] != ARCHIVE_VERSION {
            return Err(ArchiveError::NotAnArchive);
        }
        let database = self.schema_version().await?;
        let archive = header["schema"].as_i64().ok_or(ArchiveError::NotAnArchive)?;
        if archive != database {
            return Err(ArchiveError::Schema { archive, database });
        }
        let empty = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM agencies) + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM persons)
                + (SELECT COUNT(*) FROM access_log) AS n",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(StoreError::from)?
        .try_get::<i64, _>("n")
        .map_err(StoreError::from)?;
        if empty != 0 {
            return Err(ArchiveError::NotEmpty);
        }

        // Read and check the whole archive before touching the database.
        let mut records: Vec<(usize, Vec<Value>)> = Vec::new();
        let mut line_no = 1u64;
        let mut trailer = None;
        for line in lines {
            let line = line?;
            line_no += 1;
            let value: Value = serde_json::from_str(&line).map_err(|_| ArchiveError::Damaged(line_no))?;
            if value["end"] == true {
                trailer = Some(value);
                break;
            }
            hasher.update(format!("{line}\n").as_bytes());
            let table = value["t"].as_str().ok_or(ArchiveError::Damaged(line_no))?;
            let index = TABLES.iter().position(|(t, _, _)| *t == table).ok_or(ArchiveError::Damaged(line_no))?;
            let values = value["v"].as_array().cloned().ok_or(ArchiveError::Damaged(line_no))?;
            let columns = TABLES.get(index).map(|(_, c, _)| c.len()).unwrap_or(0);
            if values.len() != columns {
                return Err(ArchiveError::Damaged(line_no));
            }
            records.push((index, values));
        }
        let trailer = trailer.ok_or(ArchiveError::Checksum)?;
        let sha256 = hex(&hasher.finalize());
        if trailer["sha256"] != sha256.as_str() || trailer["rows"].as_u64() != Some(records.len() as u64) {
            return Err(ArchiveError::Checksum);
        }
        // Each of the three keys must be named, once, and be this store's: an archive that
        // names none would otherwise load content sealed with keys nobody here holds.
        let (log_fp, index_fp) = self.keys.fingerprints();
        let master_fp = self.keys.master().fingerprint();
        let mut named = [0u8; 3];
        for (index, values) in &records {
            if TABLES.get(*index).map(|(t, _, _)| *t) != Some("settings") {
                continue;
            }
            let (slot, expected) = match values.first().and_then(Value::as_str) {
                Some("log_key_fingerprint") => (0, &log_fp),
                Some("index_key_fingerprint") => (1, &index_fp),
                Some("master_key_fingerprint") => (2, &master_fp),
                _ => continue,
            };
            if values.get(1).and_then(Value::as_str) != Some(expected.as_str()) {
                return Err(ArchiveError::OtherKeys);
            }
            named[slot] += 1;
        }
        if named != [1, 1, 1] {
            return Err(ArchiveError::KeysNotNamed);
        }

        // Loaded, then the access log's chain recomputed inside the same transaction: an
        // archive whose log was changed (its checksum recomputed to match) loads nothing.
        let rows = records.len() as u64;
        let (keys, backend) = (self.keys.clone(), self.backend);
        let broken = std::sync::Arc::new(std::sync::OnceLock::new());
        let found = broken.clone();
        let loaded = self
            .write(move |conn, _log| {
                Box::pin(async move {
                    load(conn, records).await?;
                    match crate::access_log::verify_chain_on(conn, &keys, backend).await? {
                        Ok(_) => Ok(()),
                        Err(failure) => {
                            let _ = found.set(failure);
                            Err(StoreError::Corrupt("imported access log"))
                        }
                    }
                })
            })
            .await;
        if let Some(failure) = broken.get() {
            return Err(ArchiveError::LogBroken { seq: failure.seq, reason: failure.reason });
        }
        loaded?;
        Ok(ArchiveSummary { rows, sha256 })
    }
}

async fn load(conn: &mut AnyConnection, records: Vec<(usize, Vec<Value>)>) -> Result<(), StoreError> {
    for table in SEEDED {
        // Safe: constant table names.
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}"))).execute(&mut *conn).await?;
    }
    let statements: Vec<String> = TABLES.iter().map(|(t, c, _)| insert_sql(t, c)).collect();
    for (index, values) in records {
        let (Some((_, columns, _)), Some(sql)) = (TABLES.get(index), statements.get(index)) else {
            return Err(StoreError::Corrupt("archive table"));
        };
        // Safe: the statement is built from this module's constants; values are bound.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for ((_, kind), value) in columns.iter().zip(values) {
            query = match (kind, value) {
                (_, Value::Null) => match kind {
                    Text => query.bind(None::<String>),
                    Int => query.bind(None::<i64>),
                },
                (Text, Value::String(s)) => query.bind(s),
                (Int, Value::Number(n)) => query.bind(n.as_i64().ok_or(StoreError::Corrupt("archive number"))?),
                _ => return Err(StoreError::Corrupt("archive value")),
            };
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use time::macros::datetime;

    #[tokio::test]
    async fn the_archive_covers_every_table_and_column_of_the_schema() {
        let dir = std::env::temp_dir().join(format!("infohus-archive-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let store =
            Store::open(&crate::sqlite_url(&dir), &dir.join("keys"), datetime!(2026-11-22 10:00 UTC)).await.unwrap();
        let tables: Vec<String> = sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&store.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String, _>("name").unwrap())
            .collect();
        let listed: BTreeSet<&str> = TABLES.iter().map(|(t, _, _)| *t).collect();
        for table in &tables {
            if table == "sessions" || table == "schema_migrations" || table == "login_failures" {
                continue;
            }
            assert!(listed.contains(table.as_str()), "{table} is missing from the archive");
            let columns: BTreeSet<String> =
                sqlx::query(sqlx::AssertSqlSafe(format!("SELECT name FROM pragma_table_info('{table}')")))
                    .fetch_all(&store.pool)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.try_get::<String, _>("name").unwrap())
                    .collect();
            let archived: BTreeSet<String> = TABLES
                .iter()
                .find(|(t, _, _)| t == table)
                .map(|(_, c, _)| c.iter().map(|(n, _)| (*n).to_owned()).collect())
                .unwrap();
            assert_eq!(columns, archived, "columns of {table}");
        }
        store.close().await;
        std::fs::remove_dir_all(dir).unwrap();
    }
}
