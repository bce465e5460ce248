//! Person search: by CPR number (the keyed blind index of the CPR) or by the words of a
//! name (a keyed blind index per normalised word, table `person_name_words`). It returns the
//! referrals about matching persons that the actor may see, newest first, and writes a
//! `search` entry to the access log under every person returned, with the kind of criteria
//! (`by=cpr`, `by=name;words=N`), never the searched value. A search that finds nothing is
//! logged once, without a person.

use crate::access_log::{Action, LogBuffer, LogEvent};
use crate::db::Store;
use crate::error::StoreError;
use crate::keys::Keys;
use crate::referrals::{
    Arg, REFERRAL_COLUMNS, REFERRAL_FROM, ReferralView, Sealer, Sql, person_key, push_scope, referral_from_row,
};
use crate::sessions::Actor;
use infohus_domain::policy::ReferralScope;
use infohus_domain::search::{PersonQuery, name_words};
use infohus_domain::{Cpr, FieldErrors, PersonId};
use sqlx::AnyConnection;
use sqlx::Row;
use time::OffsetDateTime;

/// A name search matching more persons than this asks for more words instead of answering.
pub const MAX_NAME_MATCHES: i64 = 1000;

/// The settings row that says every person's name words are indexed.
const INDEXED_SETTING: &str = "person_name_index";

/// The referrals found, and whether there were more than the limit.
#[derive(Debug, Clone)]
pub struct PersonSearch {
    pub items: Vec<ReferralView>,
    pub more: bool,
}

/// Ids bound per `IN (…)` list: well below the parameter limits of both databases.
const ID_CHUNK: usize = 500;

/// ` AND column IN ($n, …)` for a non-empty list.
fn push_in(sql: &mut Sql, column: &str, ids: &[String]) {
    sql.push(" AND ").push(column).push(" IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.text(id);
    }
    sql.push(")");
}

fn word_index(keys: &Keys, word: &str) -> String {
    keys.blind_index("name_word", word)
}

/// Indexes the words of a person's name (idempotent: words already indexed stay).
pub(crate) async fn index_name_words(
    conn: &mut AnyConnection,
    keys: &Keys,
    person: &str,
    name: &str,
) -> Result<(), StoreError> {
    for word in name_words(name) {
        sqlx::query("INSERT INTO person_name_words (person_id, word_index) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(person)
            .bind(word_index(keys, &word))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Removes a person's name words (before the person row goes).
pub(crate) async fn forget_name_words(conn: &mut AnyConnection, person: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM person_name_words WHERE person_id = $1").bind(person).execute(&mut *conn).await?;
    Ok(())
}

impl Store {
    /// Indexes the name words of persons recorded before person search existed; runs once
    /// (on start), then marks the settings row.
    pub(crate) async fn index_legacy_names(&self) -> Result<usize, StoreError> {
        let keys = self.keys.clone();
        self.write(move |conn, _log| {
            Box::pin(async move {
                let done = sqlx::query("SELECT value FROM settings WHERE name = $1")
                    .bind(INDEXED_SETTING)
                    .fetch_optional(&mut *conn)
                    .await?;
                if done.is_some() {
                    return Ok(0);
                }
                let persons = sqlx::query(
                    "SELECT p.id, p.name, p.data_key FROM persons p WHERE p.data_key IS NOT NULL
                       AND NOT EXISTS (SELECT 1 FROM person_name_words w WHERE w.person_id = p.id)",
                )
                .fetch_all(&mut *conn)
                .await?;
                for person in &persons {
                    let id: String = person.try_get("id")?;
                    let data_key = person_key(&keys, person, &id)?;
                    let name = Sealer::new(&data_key, "persons", &id).column(person, "name")?;
                    if let Some(name) = name {
                        index_name_words(conn, &keys, &id, &name).await?;
                    }
                }
                sqlx::query("INSERT INTO settings (name, value) VALUES ($1, 'complete')")
                    .bind(INDEXED_SETTING)
                    .execute(&mut *conn)
                    .await?;
                Ok(persons.len())
            })
        })
        .await
    }

    /// The referrals about persons matching `query` that the actor may see, newest first,
    /// at most `limit`. Roles that see no referral content are refused (`Forbidden`); a name
    /// search matching more than [`MAX_NAME_MATCHES`] persons is refused with the field
    /// error `name` `too_many_matches` (add words).
    pub async fn search_persons(
        &self,
        actor: &Actor,
        query: &PersonQuery,
        limit: u32,
        now: OffsetDateTime,
    ) -> Result<PersonSearch, StoreError> {
        let mut log = LogBuffer::default();
        let found = {
            let mut conn = self.pool.acquire().await?;
            Self::search_in(&mut conn, &self.keys, &mut log, actor, query, limit, now).await?
        };
        self.commit_log(log).await?;
        Ok(found)
    }

    async fn search_in(
        conn: &mut AnyConnection,
        keys: &Keys,
        log: &mut LogBuffer,
        actor: &Actor,
        query: &PersonQuery,
        limit: u32,
        now: OffsetDateTime,
    ) -> Result<PersonSearch, StoreError> {
        let scope = actor.viewer.referral_scope();
        if scope == ReferralScope::Nothing {
            return Err(StoreError::Forbidden);
        }
        let persons = match query {
            PersonQuery::Cpr(cpr) => Self::persons_with_cpr(conn, keys, cpr).await?,
            PersonQuery::Name(words) => Self::persons_named(conn, keys, words).await?,
        };
        // Their referrals by the person index alone, then those rows by primary key within
        // the scope, sorted here: with an ORDER BY on the receipt time, SQLite would walk
        // the whole inbox index instead.
        let referral_ids = Self::referrals_of(conn, &persons).await?;
        let mut rows = Vec::new();
        for chunk in referral_ids.chunks(ID_CHUNK) {
            let mut sql = Sql::default();
            sql.push("SELECT ").push(REFERRAL_COLUMNS).push(REFERRAL_FROM).push(" WHERE ");
            push_scope(&mut sql, &scope);
            push_in(&mut sql, "r.id", chunk);
            rows.extend(sql.fetch_all(&mut *conn).await?);
        }
        let mut keyed = rows
            .into_iter()
            .map(|row| Ok((row.try_get::<String, _>("received_at")?, row.try_get::<String, _>("id")?, row)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        keyed.sort_unstable_by(|a, b| (&b.0, &b.1).cmp(&(&a.0, &a.1)));
        let more = keyed.len() > limit as usize;
        let items = keyed
            .iter()
            .take(limit as usize)
            .map(|(_, _, row)| referral_from_row(row, actor.viewer.may_link_persons(), keys))
            .collect::<Result<Vec<_>, _>>()?;

        let criteria = query.criteria();
        let mut per_person: Vec<(&PersonId, Vec<&str>)> = Vec::new();
        for item in &items {
            match per_person.iter_mut().find(|(p, _)| *p == &item.person_id) {
                Some((_, ids)) => ids.push(item.id.as_str()),
                None => per_person.push((&item.person_id, vec![item.id.as_str()])),
            }
        }
        let events: Vec<LogEvent> = if per_person.is_empty() {
            vec![LogEvent {
                action: Action::Search,
                object_type: "person",
                object_id: String::new(),
                person_id: None,
                purpose: "person_search",
                criteria,
            }]
        } else {
            per_person
                .into_iter()
                .map(|(person, ids)| LogEvent {
                    action: Action::Search,
                    object_type: "referral",
                    object_id: ids.join(","),
                    person_id: Some(person.as_str().to_owned()),
                    purpose: "person_search",
                    criteria: criteria.clone(),
                })
                .collect()
        };
        log.record(actor, now, events);
        Ok(PersonSearch { items, more })
    }

    /// The referrals about these persons, by the person index.
    async fn referrals_of(conn: &mut AnyConnection, persons: &[String]) -> Result<Vec<String>, StoreError> {
        let mut ids = Vec::new();
        for chunk in persons.chunks(ID_CHUNK) {
            let mut sql = Sql::default();
            sql.push("SELECT r.id FROM referrals r WHERE 1 = 1");
            push_in(&mut sql, "r.person_id", chunk);
            for row in sql.fetch_all(&mut *conn).await? {
                ids.push(row.try_get("id")?);
            }
        }
        Ok(ids)
    }

    /// The persons with this CPR number (one per infohus at most).
    async fn persons_with_cpr(conn: &mut AnyConnection, keys: &Keys, cpr: &Cpr) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT id FROM persons WHERE cpr_index = $1")
            .bind(keys.blind_index("cpr", &cpr.compact()))
            .fetch_all(&mut *conn)
            .await?;
        rows.iter().map(|row| Ok(row.try_get("id")?)).collect()
    }

    /// The persons having every word: driven by the rarest word (counted up to the cap),
    /// so a common word costs at most the cap's index entries.
    async fn persons_named(conn: &mut AnyConnection, keys: &Keys, words: &[String]) -> Result<Vec<String>, StoreError> {
        let indexes: Vec<String> = words.iter().map(|w| word_index(keys, w)).collect();
        let mut rarest: Option<(i64, &str)> = None;
        for index in &indexes {
            let n: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM person_name_words WHERE word_index = $1 LIMIT $2) t",
            )
            .bind(index)
            .bind(MAX_NAME_MATCHES + 1)
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
            if n == 0 {
                return Ok(Vec::new());
            }
            if rarest.is_none_or(|(best, _)| n < best) {
                rarest = Some((n, index));
            }
        }
        let Some((_, driver)) = rarest else {
            return Ok(Vec::new());
        };
        let mut sql = Sql::default();
        sql.push("SELECT w0.person_id FROM person_name_words w0 WHERE w0.word_index = ").text(driver);
        for index in indexes.iter().filter(|i| i.as_str() != driver) {
            sql.push(
                " AND EXISTS (SELECT 1 FROM person_name_words w WHERE w.person_id = w0.person_id AND w.word_index = ",
            )
            .text(index)
            .push(")");
        }
        sql.push(" LIMIT ").arg(Arg::Int(MAX_NAME_MATCHES + 1));
        let rows = sql.fetch_all(&mut *conn).await?;
        if rows.len() as i64 > MAX_NAME_MATCHES {
            return Err(StoreError::Invalid(FieldErrors::single("name", "too_many_matches")));
        }
        rows.iter().map(|row| Ok(row.try_get("person_id")?)).collect()
    }
}
