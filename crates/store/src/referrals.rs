//! Referrals and the persons they are about: intake with person matching, the inbox, the
//! person page, and linking suggested matches. Each function checks the domain policy and
//! logs its use of personal data in the same transaction.

use crate::access_log::{Action, LogBuffer, LogEvent};
use crate::crypto::DataKey;
use crate::db::{Store, new_id, parse_ts, ts};
use crate::error::StoreError;
use crate::keys::Keys;
use crate::sessions::Actor;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use infohus_domain::policy::{ReferralFacts, ReferralScope};
use infohus_domain::referral::Subject;
use infohus_domain::{
    AgencyId, Channel, ConcernCategory, FieldErrors, Gender, NewReferral, PersonId, Personal, ReferralId,
    ReferralStatus, Urgency, UserId,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::format_description::well_known::Iso8601;
use time::{Date, OffsetDateTime};

/// The subject as recorded on one referral.
#[derive(Debug, Clone)]
pub struct SubjectView {
    pub name: Personal<String>,
    pub birth_date: Option<Date>,
    pub gender: Option<Gender>,
    pub municipality: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ReferrerView {
    pub name: Option<Personal<String>>,
    pub organisation: Option<Personal<String>>,
    pub phone: Option<Personal<String>>,
    pub email: Option<Personal<String>>,
}

/// A referral as its viewer may see it.
#[derive(Debug, Clone)]
pub struct ReferralView {
    pub id: ReferralId,
    pub person_id: PersonId,
    pub status: ReferralStatus,
    pub channel: Channel,
    pub concern_category: ConcernCategory,
    pub urgency: Urgency,
    pub under_18: bool,
    pub description: Personal<String>,
    pub subject: SubjectView,
    pub referrer: ReferrerView,
    pub submitted_by: String,
    pub submitted_by_agency: String,
    pub received_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// A person with the same name and birth date, offered to coordinators for linking.
    pub suggested_person_id: Option<PersonId>,
    /// The case opened for this referral, if any.
    pub case_id: Option<infohus_domain::CaseId>,
}

/// The inbox row: what a list shows. Same data as the full view, to keep one reader.
pub type ReferralSummary = ReferralView;

/// A person and the referrals about them that the viewer may see.
#[derive(Debug, Clone)]
pub struct PersonView {
    pub id: PersonId,
    pub name: Personal<String>,
    pub cpr: Option<Personal<String>>,
    pub birth_date: Option<Date>,
    pub gender: Option<Gender>,
    pub municipality: Option<String>,
    pub created_at: OffsetDateTime,
    pub referrals: Vec<ReferralView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InboxSort {
    #[default]
    NewestFirst,
    OldestFirst,
    UrgentFirst,
}

impl InboxSort {
    pub const ALL: [InboxSort; 3] = [InboxSort::NewestFirst, InboxSort::OldestFirst, InboxSort::UrgentFirst];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InboxSort::NewestFirst => "newest",
            InboxSort::OldestFirst => "oldest",
            InboxSort::UrgentFirst => "urgent",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    pub status: Option<ReferralStatus>,
    pub concern_category: Option<String>,
    pub urgency: Option<Urgency>,
    pub sort: InboxSort,
}

#[derive(Debug, Clone)]
pub struct InboxPage {
    pub items: Vec<ReferralView>,
    pub next_cursor: Option<String>,
}

/// Where a page ends, so the next one starts after it. Opaque to clients.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cursor {
    sort: InboxSort,
    urgency_rank: i64,
    received_at: String,
    id: String,
}

impl Cursor {
    fn encode(&self) -> String {
        let raw = format!(
            "1\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            self.sort.as_str(),
            self.urgency_rank,
            self.received_at,
            self.id
        );
        URL_SAFE_NO_PAD.encode(raw)
    }

    fn decode(raw: &str, sort: InboxSort) -> Option<Self> {
        if raw.len() > 512 {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.split('\u{1f}');
        let (version, s, rank, received_at, id) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if version != "1" || parts.next().is_some() || InboxSort::parse(s)? != sort {
            return None;
        }
        parse_ts(received_at).ok()?;
        ReferralId::parse(id)?;
        Some(Self {
            sort,
            urgency_rank: rank.parse().ok().filter(|r| (0..=1).contains(r))?,
            received_at: received_at.to_owned(),
            id: id.to_owned(),
        })
    }
}

/// Moves what else is sealed under a referral's person to another person's key when the
/// referral is linked to that person: the register checks' notes, the screening outcome, and
/// minutes written about the referral's agenda items.
async fn reseal_screening_records(
    conn: &mut AnyConnection,
    referral: &str,
    from: &DataKey,
    to: &DataKey,
) -> Result<(), StoreError> {
    let checks =
        sqlx::query("SELECT agency_id, note FROM screening_checks WHERE referral_id = $1 AND note IS NOT NULL")
            .bind(referral)
            .fetch_all(&mut *conn)
            .await?;
    for row in &checks {
        let agency: String = row.try_get("agency_id")?;
        let keys = [("referral_id", referral), ("agency_id", agency.as_str())];
        reseal_row(conn, (from, to), "screening_checks", &format!("{referral}/{agency}"), row, &["note"], &keys)
            .await?;
    }
    let outcome =
        sqlx::query("SELECT reply, service_note, handover_reference FROM screening_outcomes WHERE referral_id = $1")
            .bind(referral)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(row) = outcome {
        let columns = ["reply", "service_note", "handover_reference"];
        reseal_row(conn, (from, to), "screening_outcomes", referral, &row, &columns, &[("referral_id", referral)])
            .await?;
    }
    let minutes = sqlx::query(
        "SELECT mi.minutes_id, mi.agenda_item_id, mi.summary, mi.decisions FROM minute_items mi
         JOIN agenda_items a ON a.id = mi.agenda_item_id WHERE a.referral_id = $1",
    )
    .bind(referral)
    .fetch_all(&mut *conn)
    .await?;
    for row in &minutes {
        let (minutes_id, item): (String, String) = (row.try_get("minutes_id")?, row.try_get("agenda_item_id")?);
        let keys = [("minutes_id", minutes_id.as_str()), ("agenda_item_id", item.as_str())];
        let row_id = format!("{minutes_id}/{item}");
        reseal_row(conn, (from, to), "minute_items", &row_id, row, &["summary", "decisions"], &keys).await?;
    }
    Ok(())
}

/// Reads `columns` of `row` (record `row_id` of `table`) sealed with the first key and writes
/// them back sealed with the second, in the row that `keys` (column, value) name.
async fn reseal_row(
    conn: &mut AnyConnection,
    (from, to): (&DataKey, &DataKey),
    table: &'static str,
    row_id: &str,
    row: &AnyRow,
    columns: &[&'static str],
    keys: &[(&'static str, &str)],
) -> Result<(), StoreError> {
    let (old, new) = (Sealer::new(from, table, row_id), Sealer::new(to, table, row_id));
    let mut update = Sql::default();
    update.push("UPDATE ").push(table).push(" SET ");
    for (i, column) in columns.iter().enumerate() {
        update.push(if i == 0 { "" } else { ", " }).push(column).push(" = ");
        match new.seal_opt(column, old.column(row, column)?)? {
            Some(sealed) => update.text(&sealed),
            None => update.push("NULL"),
        };
    }
    for (i, (column, value)) in keys.iter().enumerate() {
        update.push(if i == 0 { " WHERE " } else { " AND " }).push(column).push(" = ").text(value);
    }
    update.execute(conn).await
}

/// SQL text with `$n` placeholders numbered as they are added, and their values.
#[derive(Default)]
pub(crate) struct Sql {
    text: String,
    args: Vec<Arg>,
}

pub(crate) enum Arg {
    Text(String),
    Int(i64),
}

impl Sql {
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub(crate) fn arg(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    pub(crate) fn text(&mut self, value: &str) -> &mut Self {
        self.arg(Arg::Text(value.to_owned()))
    }

    pub(crate) async fn execute(&self, conn: &mut AnyConnection) -> Result<(), StoreError> {
        self.query().execute(conn).await?;
        Ok(())
    }

    pub(crate) async fn fetch_all(&self, conn: &mut AnyConnection) -> Result<Vec<AnyRow>, StoreError> {
        Ok(self.query().fetch_all(conn).await?)
    }

    fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
        // Safe: the text is assembled only from constant fragments and `$n` placeholders;
        // every value travels as a bound argument.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(self.text.clone()));
        for arg in &self.args {
            query = match arg {
                Arg::Text(s) => query.bind(s.clone()),
                Arg::Int(i) => query.bind(*i),
            };
        }
        query
    }
}

/// The referral columns stored sealed with the person's data key.
const SEALED_REFERRAL_COLUMNS: [&str; 7] = [
    "description",
    "subject_name",
    "subject_birth_date",
    "referrer_name",
    "referrer_organisation",
    "referrer_phone",
    "referrer_email",
];

pub(crate) const REFERRAL_COLUMNS: &str =
    "r.id, r.person_id, r.suggested_person_id, r.status, r.channel, r.concern_category,
    r.urgency, r.urgency_rank, r.under_18, r.description, r.subject_name, r.subject_birth_date, r.subject_gender,
    r.subject_municipality, r.referrer_name, r.referrer_organisation, r.referrer_phone, r.referrer_email,
    r.received_at, r.updated_at, r.infohus_id, r.submitted_by, u.username AS submitted_by_username,
    a.name AS submitted_by_agency_name, p.data_key AS person_data_key,
    (SELECT c.id FROM cases c WHERE c.referral_id = r.id) AS case_id";

pub(crate) const REFERRAL_FROM: &str =
    " FROM referrals r JOIN users u ON u.id = r.submitted_by JOIN agencies a ON a.id = r.submitted_by_agency
      JOIN persons p ON p.id = r.person_id";

fn urgency_rank(urgency: Urgency) -> i64 {
    match urgency {
        Urgency::Urgent => 0,
        Urgency::Normal => 1,
    }
}

fn parse_date(raw: Option<String>) -> Result<Option<Date>, StoreError> {
    raw.map(|d| Date::parse(&d, &Iso8601::DATE).map_err(|_| StoreError::Corrupt("date"))).transpose()
}

fn date_text(date: Option<Date>) -> Option<String> {
    date.map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()))
}

/// Seals and opens the encrypted columns of one row with its person's data key; the
/// context (table, column, row id) is bound in, so a sealed value cannot be moved elsewhere.
pub(crate) struct Sealer<'a> {
    key: &'a DataKey,
    table: &'static str,
    row: &'a str,
}

impl<'a> Sealer<'a> {
    pub(crate) fn new(key: &'a DataKey, table: &'static str, row: &'a str) -> Self {
        Self { key, table, row }
    }

    fn context(&self, column: &str) -> String {
        format!("{}.{column}:{}", self.table, self.row)
    }

    pub(crate) fn seal(&self, column: &str, plaintext: &str) -> Result<String, StoreError> {
        Ok(self.key.seal(&self.context(column), plaintext)?)
    }

    pub(crate) fn seal_opt(&self, column: &str, plaintext: Option<String>) -> Result<Option<String>, StoreError> {
        plaintext.map(|p| self.seal(column, &p)).transpose()
    }

    pub(crate) fn open(&self, column: &str, sealed: &str) -> Result<String, StoreError> {
        Ok(self.key.open(&self.context(column), sealed)?)
    }

    pub(crate) fn open_opt(&self, column: &str, sealed: Option<String>) -> Result<Option<String>, StoreError> {
        sealed.map(|s| self.open(column, &s)).transpose()
    }

    /// An encrypted column of `row`, opened.
    pub(crate) fn column(&self, row: &AnyRow, column: &str) -> Result<Option<String>, StoreError> {
        self.open_opt(column, row.try_get(column)?)
    }
}

/// The data key of the person a row belongs to (`person_data_key` column).
pub(crate) fn person_key(keys: &Keys, row: &AnyRow, person_id: &str) -> Result<DataKey, StoreError> {
    let wrapped: Option<String> = row.try_get("person_data_key")?;
    Ok(keys.master().unwrap(wrapped.as_deref().ok_or(StoreError::Erased)?, person_id)?)
}

pub(crate) fn referral_from_row(row: &AnyRow, show_suggestion: bool, keys: &Keys) -> Result<ReferralView, StoreError> {
    let corrupt = |what| move || StoreError::Corrupt(what);
    let suggested: Option<String> = row.try_get("suggested_person_id")?;
    let id: String = row.try_get("id")?;
    let person: String = row.try_get("person_id")?;
    let data_key = person_key(keys, row, &person)?;
    let f = Sealer::new(&data_key, "referrals", &id);
    let required = |column: &str| f.column(row, column)?.ok_or(StoreError::Corrupt("required column"));
    Ok(ReferralView {
        id: ReferralId::parse(&id).ok_or_else(corrupt("referral id"))?,
        person_id: PersonId::parse(&person).ok_or_else(corrupt("person id"))?,
        status: ReferralStatus::parse(&row.try_get::<String, _>("status")?).ok_or_else(corrupt("status"))?,
        channel: Channel::parse(&row.try_get::<String, _>("channel")?).ok_or_else(corrupt("channel"))?,
        concern_category: ConcernCategory::from_stored(row.try_get("concern_category")?),
        urgency: Urgency::parse(&row.try_get::<String, _>("urgency")?).ok_or_else(corrupt("urgency"))?,
        under_18: row.try_get::<i64, _>("under_18")? != 0,
        description: Personal::new(required("description")?),
        subject: SubjectView {
            name: Personal::new(required("subject_name")?),
            birth_date: parse_date(f.column(row, "subject_birth_date")?)?,
            gender: row
                .try_get::<Option<String>, _>("subject_gender")?
                .map(|g| Gender::parse(&g).ok_or(StoreError::Corrupt("gender")))
                .transpose()?,
            municipality: row.try_get("subject_municipality")?,
        },
        referrer: ReferrerView {
            name: f.column(row, "referrer_name")?.map(Personal::new),
            organisation: f.column(row, "referrer_organisation")?.map(Personal::new),
            phone: f.column(row, "referrer_phone")?.map(Personal::new),
            email: f.column(row, "referrer_email")?.map(Personal::new),
        },
        submitted_by: row.try_get("submitted_by_username")?,
        submitted_by_agency: row.try_get("submitted_by_agency_name")?,
        received_at: parse_ts(&row.try_get::<String, _>("received_at")?)?,
        updated_at: parse_ts(&row.try_get::<String, _>("updated_at")?)?,
        suggested_person_id: if show_suggestion { suggested.as_deref().and_then(PersonId::parse) } else { None },
        case_id: row.try_get::<Option<String>, _>("case_id")?.as_deref().and_then(infohus_domain::CaseId::parse),
    })
}

/// Adds the viewer's scope to a WHERE clause; the SQL form of `ReferralScope::admits`.
pub(crate) fn push_scope(sql: &mut Sql, scope: &ReferralScope) {
    match scope {
        ReferralScope::Infohus(infohus) => {
            sql.push("r.infohus_id = ").text(infohus.as_str());
        }
        ReferralScope::Participating { infohus, agency, user } => {
            sql.push("r.infohus_id = ")
                .text(infohus.as_str())
                .push(" AND (r.submitted_by = ")
                .text(user.as_str())
                .push(" OR EXISTS (SELECT 1 FROM referral_agencies ra WHERE ra.referral_id = r.id AND ra.agency_id = ")
                .text(agency.as_str())
                .push("))");
        }
        ReferralScope::Nothing => {
            sql.push("1 = 0");
        }
    }
}

fn normalised_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn match_index(keys: &Keys, subject: &Subject) -> Option<String> {
    subject.birth_date.map(|born| {
        keys.blind_index(
            "name+birth_date",
            &format!("{}|{}", normalised_name(subject.name.expose()), date_text(Some(born)).unwrap_or_default()),
        )
    })
}

impl Store {
    /// Seals the personal fields of rows written before encryption at rest existed: every
    /// person without a data key (and not erased) gets one, and their rows are sealed with it.
    /// Runs once: afterwards the settings row `legacy_rows_sealed` says so, and a start no
    /// longer reads the whole persons table (seconds from a cold disk at a million persons).
    pub(crate) async fn seal_legacy_rows(&self) -> Result<usize, StoreError> {
        let keys = self.keys.clone();
        self.write(move |conn, _log| {
            Box::pin(async move {
                let done = sqlx::query("SELECT value FROM settings WHERE name = 'legacy_rows_sealed'")
                    .fetch_optional(&mut *conn)
                    .await?;
                if done.is_some() {
                    return Ok(0);
                }
                let persons = sqlx::query(
                    "SELECT id, name, cpr, birth_date FROM persons WHERE data_key IS NULL AND shredded_at IS NULL",
                )
                .fetch_all(&mut *conn)
                .await?;
                for person in &persons {
                    let id: String = person.try_get("id")?;
                    let data_key = DataKey::generate();
                    let wrapped = keys.master().wrap(&data_key, &id)?;
                    let sealer = Sealer::new(&data_key, "persons", &id);
                    let name: String = person.try_get("name")?;
                    sqlx::query("UPDATE persons SET name = $1, cpr = $2, birth_date = $3, data_key = $4 WHERE id = $5")
                        .bind(sealer.seal("name", &name)?)
                        .bind(sealer.seal_opt("cpr", person.try_get("cpr")?)?)
                        .bind(sealer.seal_opt("birth_date", person.try_get("birth_date")?)?)
                        .bind(wrapped)
                        .bind(&id)
                        .execute(&mut *conn)
                        .await?;
                    let referrals = sqlx::query(
                        "SELECT id, description, subject_name, subject_birth_date, referrer_name, referrer_organisation,
                            referrer_phone, referrer_email FROM referrals WHERE person_id = $1",
                    )
                    .bind(&id)
                    .fetch_all(&mut *conn)
                    .await?;
                    for referral in &referrals {
                        let referral_id: String = referral.try_get("id")?;
                        let sealer = Sealer::new(&data_key, "referrals", &referral_id);
                        let mut update = Sql::default();
                        update.push("UPDATE referrals SET id = id");
                        for column in SEALED_REFERRAL_COLUMNS {
                            update.push(&format!(", {column} = "));
                            match sealer.seal_opt(column, referral.try_get(column)?)? {
                                Some(v) => update.text(&v),
                                None => update.push("NULL"),
                            };
                        }
                        update.push(" WHERE id = ").text(&referral_id);
                        update.execute(&mut *conn).await?;
                    }
                }
                sqlx::query("INSERT INTO settings (name, value) VALUES ('legacy_rows_sealed', 'complete')")
                    .execute(&mut *conn)
                    .await?;
                Ok(persons.len())
            })
        })
        .await
    }

    /// The active concern categories, in display order.
    pub async fn concern_categories(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT code FROM concern_categories WHERE active = 1 ORDER BY sort_order, code")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get::<String, _>("code")?)).collect()
    }

    /// Registers a referral: links it to the person with the same CPR, or creates the
    /// person; a same-name-and-birth-date match is only recorded as a suggestion.
    async fn create_referral_in(
        tx: &mut AnyConnection,
        keys: &Keys,
        log: &mut LogBuffer,
        actor: &Actor,
        referral: NewReferral,
        now: OffsetDateTime,
    ) -> Result<ReferralView, StoreError> {
        if !actor.viewer.may_submit_referral() {
            return Err(StoreError::Forbidden);
        }
        let routed = crate::infohuse::route(tx, actor, referral.subject.municipality.as_deref()).await?;
        let infohus = routed.as_str();

        let category_known = sqlx::query("SELECT 1 AS one FROM concern_categories WHERE code = $1 AND active = 1")
            .bind(referral.concern_category.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if category_known.is_none() {
            return Err(StoreError::Invalid(FieldErrors::single("concern_category", "invalid_choice")));
        }

        let subject = &referral.subject;
        let cpr_index = subject.cpr.as_ref().map(|c| keys.blind_index("cpr", &c.compact()));
        let match_index = match_index(keys, subject);
        let existing: Option<(String, Option<String>)> = match &cpr_index {
            Some(index) => sqlx::query("SELECT id, data_key FROM persons WHERE infohus_id = $1 AND cpr_index = $2")
                .bind(infohus)
                .bind(index)
                .fetch_optional(&mut *tx)
                .await?
                .map(|row| Ok::<_, StoreError>((row.try_get("id")?, row.try_get("data_key")?)))
                .transpose()?,
            None => None,
        };
        let mut events = Vec::new();
        let (person_id, data_key) = match existing {
            Some((id, wrapped)) => {
                let data_key = keys.master().unwrap(wrapped.as_deref().ok_or(StoreError::Erased)?, &id)?;
                let sealed_birth =
                    Sealer::new(&data_key, "persons", &id).seal_opt("birth_date", date_text(subject.birth_date))?;
                // Known person: fill in what was missing, never overwrite what is recorded.
                sqlx::query(
                    "UPDATE persons SET birth_date = COALESCE(birth_date, $1), gender = COALESCE(gender, $2),
                        municipality = COALESCE(municipality, $3),
                        match_index = COALESCE(match_index, $4), updated_at = $5
                     WHERE id = $6",
                )
                .bind(sealed_birth)
                .bind(subject.gender.map(Gender::as_str))
                .bind(subject.municipality.clone())
                .bind(match_index.clone())
                .bind(ts(now))
                .bind(&id)
                .execute(&mut *tx)
                .await?;
                crate::search::index_name_words(tx, keys, &id, subject.name.expose()).await?;
                events.push(LogEvent::of(Action::Change, "person", id.clone(), Some(id.clone()), "intake"));
                (id, data_key)
            }
            None => {
                let id = new_id();
                let data_key = DataKey::generate();
                let wrapped = keys.master().wrap(&data_key, &id)?;
                let sealer = Sealer::new(&data_key, "persons", &id);
                sqlx::query(
                    "INSERT INTO persons (id, infohus_id, name, cpr, cpr_index, match_index, birth_date, gender,
                        municipality, created_at, updated_at, data_key)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(&id)
                .bind(infohus)
                .bind(sealer.seal("name", subject.name.expose())?)
                .bind(sealer.seal_opt("cpr", subject.cpr.as_ref().map(|c| c.compact()))?)
                .bind(cpr_index.clone())
                .bind(match_index.clone())
                .bind(sealer.seal_opt("birth_date", date_text(subject.birth_date))?)
                .bind(subject.gender.map(Gender::as_str))
                .bind(subject.municipality.clone())
                .bind(ts(now))
                .bind(ts(now))
                .bind(wrapped)
                .execute(&mut *tx)
                .await?;
                crate::search::index_name_words(tx, keys, &id, subject.name.expose()).await?;
                events.push(LogEvent::of(Action::Create, "person", id.clone(), Some(id.clone()), "intake"));
                (id, data_key)
            }
        };

        // A possible match by name and birth date: another person, and not one whose CPR
        // already shows they are someone else.
        let suggested: Option<String> = match &match_index {
            Some(index) => sqlx::query(
                "SELECT id FROM persons WHERE infohus_id = $1 AND match_index = $2 AND id <> $3
                   AND (cpr_index IS NULL OR $4 = '')
                 ORDER BY created_at, id LIMIT 1",
            )
            .bind(infohus)
            .bind(index)
            .bind(&person_id)
            .bind(if cpr_index.is_some() { "cpr" } else { "" })
            .fetch_optional(&mut *tx)
            .await?
            .map(|row| row.try_get("id"))
            .transpose()?,
            None => None,
        };
        if let Some(candidate) = &suggested {
            events.push(LogEvent {
                action: Action::Search,
                object_type: "person",
                object_id: candidate.clone(),
                person_id: Some(candidate.clone()),
                purpose: "intake_match",
                criteria: "match=name+birth_date".to_owned(),
            });
        }

        let id = new_id();
        let r = &referral;
        let sealer = Sealer::new(&data_key, "referrals", &id);
        let sealed = |column: &str, value: &Option<Personal<String>>| {
            sealer.seal_opt(column, value.as_ref().map(|v| v.expose().clone()))
        };
        sqlx::query(
            "INSERT INTO referrals (id, infohus_id, person_id, suggested_person_id, status, channel, concern_category,
                urgency, urgency_rank, under_18, description, subject_name, subject_birth_date, subject_gender,
                subject_municipality, referrer_name, referrer_organisation, referrer_phone, referrer_email,
                submitted_by, submitted_by_agency, received_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                $21, $22, $23)",
        )
        .bind(&id)
        .bind(infohus)
        .bind(&person_id)
        .bind(suggested.clone())
        .bind(ReferralStatus::Received.as_str())
        .bind(r.channel.as_str())
        .bind(r.concern_category.as_str())
        .bind(r.urgency.as_str())
        .bind(urgency_rank(r.urgency))
        .bind(i64::from(r.under_18))
        .bind(sealer.seal("description", r.description.expose())?)
        .bind(sealer.seal("subject_name", r.subject.name.expose())?)
        .bind(sealer.seal_opt("subject_birth_date", date_text(r.subject.birth_date))?)
        .bind(r.subject.gender.map(Gender::as_str))
        .bind(r.subject.municipality.clone())
        .bind(sealed("referrer_name", &r.referrer.name)?)
        .bind(sealed("referrer_organisation", &r.referrer.organisation)?)
        .bind(sealed("referrer_phone", &r.referrer.phone)?)
        .bind(sealed("referrer_email", &r.referrer.email)?)
        .bind(actor.viewer.user.as_str())
        .bind(actor.viewer.agency.as_str())
        .bind(ts(now))
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        if actor.viewer.role == infohus_domain::Role::Member {
            // The submitting member's agency takes part from the start.
            sqlx::query("INSERT INTO referral_agencies (referral_id, agency_id, since) VALUES ($1, $2, $3)")
                .bind(&id)
                .bind(actor.viewer.agency.as_str())
                .bind(ts(now))
                .execute(&mut *tx)
                .await?;
        }
        events.push(LogEvent::of(Action::Create, "referral", id.clone(), Some(person_id.clone()), "intake"));
        log.record_in(actor, infohus, now, events);

        let mut sql = Sql::default();
        sql.push("SELECT ").push(REFERRAL_COLUMNS).push(REFERRAL_FROM).push(" WHERE r.id = ").text(&id);
        let rows = sql.fetch_all(&mut *tx).await?;
        let row = rows.first().ok_or(StoreError::Corrupt("referral vanished"))?;
        let view = referral_from_row(row, actor.viewer.may_link_persons(), keys)?;
        Ok(view)
    }

    pub(crate) async fn participating_agencies(
        conn: &mut AnyConnection,
        referral: &str,
    ) -> Result<Vec<AgencyId>, StoreError> {
        let rows = sqlx::query("SELECT agency_id FROM referral_agencies WHERE referral_id = $1")
            .bind(referral)
            .fetch_all(conn)
            .await?;
        rows.iter()
            .map(|r| AgencyId::parse(&r.try_get::<String, _>("agency_id")?).ok_or(StoreError::Corrupt("agency id")))
            .collect()
    }

    /// Whether the actor may see the referral in `row`, decided by the domain policy.
    pub(crate) async fn admits(conn: &mut AnyConnection, actor: &Actor, row: &AnyRow) -> Result<bool, StoreError> {
        let scope = actor.viewer.referral_scope();
        if scope == ReferralScope::Nothing {
            return Ok(false);
        }
        let id: String = row.try_get("id")?;
        let infohus = infohus_domain::InfohusId::parse(&row.try_get::<String, _>("infohus_id")?)
            .ok_or(StoreError::Corrupt("infohus id"))?;
        let submitted_by =
            UserId::parse(&row.try_get::<String, _>("submitted_by")?).ok_or(StoreError::Corrupt("user id"))?;
        let agencies = Self::participating_agencies(conn, &id).await?;
        Ok(scope.admits(ReferralFacts {
            infohus: &infohus,
            submitted_by: &submitted_by,
            participating_agencies: &agencies,
        }))
    }

    /// One referral, or `NotFound` when it does not exist or the actor may not see it.
    async fn referral_in(
        tx: &mut AnyConnection,
        keys: &Keys,
        log: &mut LogBuffer,
        actor: &Actor,
        id: &ReferralId,
        now: OffsetDateTime,
    ) -> Result<ReferralView, StoreError> {
        let mut sql = Sql::default();
        sql.push("SELECT ").push(REFERRAL_COLUMNS).push(REFERRAL_FROM).push(" WHERE r.id = ").text(id.as_str());
        let rows = sql.fetch_all(&mut *tx).await?;
        let Some(row) = rows.first() else {
            return Err(StoreError::NotFound);
        };
        if !Self::admits(&mut *tx, actor, row).await? {
            return Err(StoreError::NotFound);
        }
        let view = referral_from_row(row, actor.viewer.may_link_persons(), keys)?;
        log.record(
            actor,
            now,
            vec![LogEvent::of(
                Action::Read,
                "referral",
                view.id.as_str().to_owned(),
                Some(view.person_id.as_str().to_owned()),
                "referral_view",
            )],
        );
        Ok(view)
    }

    /// A page of the referrals the actor may see. Logs one `search` entry per person shown.
    /// `cursor` comes from a previous page; a cursor that is not one is `Invalid`.
    #[allow(clippy::too_many_arguments)] // the public `inbox` plus its connection, keys and log
    async fn inbox_in(
        tx: &mut AnyConnection,
        keys: &Keys,
        log: &mut LogBuffer,
        actor: &Actor,
        filter: &InboxFilter,
        cursor: Option<&str>,
        limit: u32,
        now: OffsetDateTime,
    ) -> Result<InboxPage, StoreError> {
        let cursor = cursor
            .map(|raw| {
                Cursor::decode(raw, filter.sort)
                    .ok_or_else(|| StoreError::Invalid(FieldErrors::single("cursor", "invalid_cursor")))
            })
            .transpose()?;
        let scope = actor.viewer.referral_scope();
        if scope == ReferralScope::Nothing {
            return Ok(InboxPage { items: Vec::new(), next_cursor: None });
        }
        let mut sql = Sql::default();
        sql.push("SELECT ").push(REFERRAL_COLUMNS).push(REFERRAL_FROM).push(" WHERE ");
        push_scope(&mut sql, &scope);
        if let Some(status) = filter.status {
            sql.push(" AND r.status = ").text(status.as_str());
        }
        if let Some(category) = &filter.concern_category {
            sql.push(" AND r.concern_category = ").text(category);
        }
        if let Some(urgency) = filter.urgency {
            sql.push(" AND r.urgency = ").text(urgency.as_str());
        }
        if let Some(c) = &cursor {
            let (cmp, _) = match filter.sort {
                InboxSort::OldestFirst => (">", "ASC"),
                _ => ("<", "DESC"),
            };
            sql.push(" AND (");
            if filter.sort == InboxSort::UrgentFirst {
                sql.push("r.urgency_rank > ")
                    .arg(Arg::Int(c.urgency_rank))
                    .push(" OR (r.urgency_rank = ")
                    .arg(Arg::Int(c.urgency_rank))
                    .push(" AND (");
            }
            sql.push(&format!("r.received_at {cmp} "))
                .text(&c.received_at)
                .push(" OR (r.received_at = ")
                .text(&c.received_at)
                .push(&format!(" AND r.id {cmp} "))
                .text(&c.id)
                .push(")");
            if filter.sort == InboxSort::UrgentFirst {
                sql.push("))");
            }
            sql.push(")");
        }
        sql.push(match filter.sort {
            InboxSort::NewestFirst => " ORDER BY r.received_at DESC, r.id DESC",
            InboxSort::OldestFirst => " ORDER BY r.received_at ASC, r.id ASC",
            InboxSort::UrgentFirst => " ORDER BY r.urgency_rank ASC, r.received_at DESC, r.id DESC",
        });
        sql.push(" LIMIT ").arg(Arg::Int(i64::from(limit) + 1));
        let rows = sql.fetch_all(&mut *tx).await?;
        let more = rows.len() > limit as usize;
        let mut items = Vec::with_capacity(rows.len().min(limit as usize));
        let mut last = None;
        for row in rows.iter().take(limit as usize) {
            items.push(referral_from_row(row, actor.viewer.may_link_persons(), keys)?);
            last = Some((row.try_get::<i64, _>("urgency_rank")?, row.try_get::<String, _>("received_at")?));
        }
        let next_cursor = match (more, last, items.last()) {
            (true, Some((urgency_rank, received_at)), Some(item)) => {
                Some(Cursor { sort: filter.sort, urgency_rank, received_at, id: item.id.as_str().to_owned() }.encode())
            }
            _ => None,
        };

        let criteria = format!(
            "status={};category={};urgency={};sort={};page={}",
            filter.status.map(ReferralStatus::as_str).unwrap_or(""),
            filter.concern_category.as_deref().unwrap_or(""),
            filter.urgency.map(Urgency::as_str).unwrap_or(""),
            filter.sort.as_str(),
            if cursor.is_some() { "next" } else { "first" },
        );
        let mut per_person: Vec<(String, Vec<&str>)> = Vec::new();
        for item in &items {
            match per_person.iter_mut().find(|(p, _)| p == item.person_id.as_str()) {
                Some((_, ids)) => ids.push(item.id.as_str()),
                None => per_person.push((item.person_id.as_str().to_owned(), vec![item.id.as_str()])),
            }
        }
        let events: Vec<LogEvent> = per_person
            .into_iter()
            .map(|(person, ids)| LogEvent {
                action: Action::Search,
                object_type: "referral",
                object_id: ids.join(","),
                person_id: Some(person),
                purpose: "inbox",
                criteria: criteria.clone(),
            })
            .collect();
        log.record(actor, now, events);
        Ok(InboxPage { items, next_cursor })
    }

    /// A person with the referrals about them that the actor may see. `NotFound` unless
    /// the actor may see at least one of them.
    async fn person_in(
        tx: &mut AnyConnection,
        keys: &Keys,
        log: &mut LogBuffer,
        actor: &Actor,
        id: &PersonId,
        now: OffsetDateTime,
    ) -> Result<PersonView, StoreError> {
        let scope = actor.viewer.referral_scope();
        if scope == ReferralScope::Nothing {
            return Err(StoreError::NotFound);
        }
        let person = sqlx::query(
            "SELECT id, name, cpr, birth_date, gender, municipality, created_at, data_key AS person_data_key FROM persons
             WHERE id = $1 AND infohus_id = $2",
        )
        .bind(id.as_str())
        .bind(actor.viewer.infohus.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(person) = person else {
            return Err(StoreError::NotFound);
        };

        let mut sql = Sql::default();
        sql.push("SELECT ")
            .push(REFERRAL_COLUMNS)
            .push(REFERRAL_FROM)
            .push(" WHERE r.person_id = ")
            .text(id.as_str())
            .push(" ORDER BY r.received_at DESC, r.id DESC");
        let rows = sql.fetch_all(&mut *tx).await?;
        let mut referrals = Vec::new();
        for row in &rows {
            if Self::admits(&mut *tx, actor, row).await? {
                referrals.push(referral_from_row(row, actor.viewer.may_link_persons(), keys)?);
            }
        }
        if referrals.is_empty() && !matches!(scope, ReferralScope::Infohus(_)) {
            return Err(StoreError::NotFound);
        }
        let data_key = person_key(keys, &person, id.as_str())?;
        let sealer = Sealer::new(&data_key, "persons", id.as_str());
        let cpr = sealer.column(&person, "cpr")?;
        let view = PersonView {
            id: id.clone(),
            name: Personal::new(sealer.column(&person, "name")?.ok_or(StoreError::Corrupt("person name"))?),
            cpr: cpr.and_then(|c| infohus_domain::Cpr::parse(&c).ok()).map(|c| Personal::new(c.formatted())),
            birth_date: parse_date(sealer.column(&person, "birth_date")?)?,
            gender: person.try_get::<Option<String>, _>("gender")?.and_then(|g| Gender::parse(&g)),
            municipality: person.try_get("municipality")?,
            created_at: parse_ts(&person.try_get::<String, _>("created_at")?)?,
            referrals,
        };
        log.record(
            actor,
            now,
            vec![LogEvent::of(
                Action::Read,
                "person",
                id.as_str().to_owned(),
                Some(id.as_str().to_owned()),
                "person_view",
            )],
        );
        Ok(view)
    }

    /// Registers a referral: links it to the person with the same CPR, or creates the
    /// person; a same-name-and-birth-date match is only recorded as a suggestion.
    pub async fn create_referral(
        &self,
        actor: &Actor,
        referral: NewReferral,
        now: OffsetDateTime,
    ) -> Result<ReferralView, StoreError> {
        if !actor.viewer.may_submit_referral() {
            return Err(StoreError::Forbidden);
        }
        let (keys, actor) = (self.keys.clone(), actor.clone());
        self.write(move |conn, log| {
            Box::pin(async move { Self::create_referral_in(conn, &keys, log, &actor, referral, now).await })
        })
        .await
    }

    /// One referral, or `NotFound` when it does not exist or the actor may not see it.
    /// Read on a pooled connection; returned only once its log entry has committed.
    pub async fn referral(
        &self,
        actor: &Actor,
        id: &ReferralId,
        now: OffsetDateTime,
    ) -> Result<ReferralView, StoreError> {
        let mut log = LogBuffer::default();
        let view = {
            let mut conn = self.pool.acquire().await?;
            Self::referral_in(&mut conn, &self.keys, &mut log, actor, id, now).await?
        };
        self.commit_log(log).await?;
        Ok(view)
    }

    /// A page of the referrals the actor may see. Logs one `search` entry per person shown.
    /// `cursor` comes from a previous page; a cursor that is not one is `Invalid`.
    pub async fn inbox(
        &self,
        actor: &Actor,
        filter: &InboxFilter,
        cursor: Option<&str>,
        limit: u32,
        now: OffsetDateTime,
    ) -> Result<InboxPage, StoreError> {
        let mut log = LogBuffer::default();
        let page = {
            let mut conn = self.pool.acquire().await?;
            Self::inbox_in(&mut conn, &self.keys, &mut log, actor, filter, cursor, limit, now).await?
        };
        self.commit_log(log).await?;
        Ok(page)
    }

    /// A person with the referrals about them that the actor may see. `NotFound` unless
    /// the actor may see at least one of them.
    pub async fn person(&self, actor: &Actor, id: &PersonId, now: OffsetDateTime) -> Result<PersonView, StoreError> {
        let mut log = LogBuffer::default();
        let view = {
            let mut conn = self.pool.acquire().await?;
            Self::person_in(&mut conn, &self.keys, &mut log, actor, id, now).await?
        };
        self.commit_log(log).await?;
        Ok(view)
    }

    async fn resolve_suggestion(
        &self,
        actor: &Actor,
        referral: &ReferralId,
        accept: bool,
        now: OffsetDateTime,
    ) -> Result<PersonId, StoreError> {
        let (keys, actor, referral) = (self.keys.clone(), actor.clone(), referral.clone());
        self.write(move |conn, log| {
            Box::pin(async move { Self::resolve_suggestion_in(conn, &keys, log, &actor, &referral, accept, now).await })
        })
        .await
    }

    /// Accepts the suggested match of a referral (coordinators): the referral moves to the
    /// suggested person; the person created at intake is removed when nothing else is theirs.
    pub async fn link_suggested_person(
        &self,
        actor: &Actor,
        referral: &ReferralId,
        now: OffsetDateTime,
    ) -> Result<PersonId, StoreError> {
        self.resolve_suggestion(actor, referral, true, now).await
    }

    /// Declines the suggested match: the referral stays with its own person.
    pub async fn dismiss_suggested_person(
        &self,
        actor: &Actor,
        referral: &ReferralId,
        now: OffsetDateTime,
    ) -> Result<PersonId, StoreError> {
        self.resolve_suggestion(actor, referral, false, now).await
    }

    async fn resolve_suggestion_in(
        tx: &mut AnyConnection,
        keys: &Keys,
        log: &mut LogBuffer,
        actor: &Actor,
        referral: &ReferralId,
        accept: bool,
        now: OffsetDateTime,
    ) -> Result<PersonId, StoreError> {
        let mut sql = Sql::default();
        sql.push("SELECT ").push(REFERRAL_COLUMNS).push(REFERRAL_FROM).push(" WHERE r.id = ").text(referral.as_str());
        let rows = sql.fetch_all(&mut *tx).await?;
        let Some(row) = rows.first() else {
            return Err(StoreError::NotFound);
        };
        if !Self::admits(&mut *tx, actor, row).await? {
            return Err(StoreError::NotFound);
        }
        if !actor.viewer.may_link_persons() {
            return Err(StoreError::Forbidden);
        }
        let own: String = row.try_get("person_id")?;
        let Some(suggested) = row.try_get::<Option<String>, _>("suggested_person_id")? else {
            return Err(StoreError::Conflict("no_suggestion"));
        };
        let mut events = Vec::new();
        if accept && row.try_get::<Option<String>, _>("case_id")?.is_some() {
            // The case, its records and their sealing belong to the referral's own person;
            // the match is settled before a case is opened.
            return Err(StoreError::Conflict("case_exists"));
        }
        let result = if accept {
            // The referral's sealed fields move to the other person's data key, so that
            // erasing either person later erases exactly their own data.
            let wrapped: Option<String> = sqlx::query("SELECT data_key FROM persons WHERE id = $1 AND infohus_id = $2")
                .bind(&suggested)
                .bind(actor.viewer.infohus.as_str())
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get::<Option<String>, _>("data_key"))
                .transpose()?
                .flatten();
            let target_key = keys.master().unwrap(wrapped.as_deref().ok_or(StoreError::Erased)?, &suggested)?;
            let own_key = person_key(keys, row, &own)?;
            sqlx::query(
                "UPDATE referrals SET person_id = $1, suggested_person_id = NULL, updated_at = $2 WHERE id = $3",
            )
            .bind(&suggested)
            .bind(ts(now))
            .bind(referral.as_str())
            .execute(&mut *tx)
            .await?;
            let keys = [("id", referral.as_str())];
            reseal_row(
                tx,
                (&own_key, &target_key),
                "referrals",
                referral.as_str(),
                row,
                &SEALED_REFERRAL_COLUMNS,
                &keys,
            )
            .await?;
            reseal_screening_records(tx, referral.as_str(), &own_key, &target_key).await?;
            // Agenda items about the referral name its person; they follow it.
            sqlx::query("UPDATE agenda_items SET person_id = $1 WHERE referral_id = $2")
                .bind(&suggested)
                .bind(referral.as_str())
                .execute(&mut *tx)
                .await?;
            events.push(LogEvent::of(
                Action::Change,
                "referral",
                referral.as_str().to_owned(),
                Some(suggested.clone()),
                "link_person",
            ));
            // The person left without referrals goes, unless a share request or a transfer
            // still names them.
            let remaining: i64 = sqlx::query(
                "SELECT (SELECT COUNT(*) FROM referrals WHERE person_id = $1 OR suggested_person_id = $1)
                      + (SELECT COUNT(*) FROM share_requests WHERE to_person_id = $1)
                      + (SELECT COUNT(*) FROM transfers WHERE person_id = $1) AS n",
            )
            .bind(&own)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
            if remaining == 0 {
                crate::search::forget_name_words(tx, &own).await?;
                sqlx::query("DELETE FROM persons WHERE id = $1").bind(&own).execute(&mut *tx).await?;
                events.push(LogEvent::of(Action::Delete, "person", own.clone(), Some(own.clone()), "link_person"));
            }
            suggested
        } else {
            sqlx::query("UPDATE referrals SET suggested_person_id = NULL, updated_at = $1 WHERE id = $2")
                .bind(ts(now))
                .bind(referral.as_str())
                .execute(&mut *tx)
                .await?;
            events.push(LogEvent::of(
                Action::Change,
                "referral",
                referral.as_str().to_owned(),
                Some(own.clone()),
                "dismiss_match",
            ));
            own
        };
        log.record(actor, now, events);
        PersonId::parse(&result).ok_or(StoreError::Corrupt("person id"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_stay_url_safe() {
        let c = Cursor {
            sort: InboxSort::UrgentFirst,
            urgency_rank: 1,
            received_at: "2026-11-22T11:34:56.789000Z".into(),
            id: "0190f5c2-8e4b-7cc3-9b1e-2f7f6a1d9e01".into(),
        };
        let text = c.encode();
        assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(Cursor::decode(&text, InboxSort::UrgentFirst), Some(c));
        assert_eq!(Cursor::decode(&text, InboxSort::NewestFirst), None, "a cursor belongs to its sort");
    }

    #[test]
    fn junk_is_not_a_cursor() {
        for raw in ["", "abc", "!!!", &"A".repeat(600)] {
            assert_eq!(Cursor::decode(raw, InboxSort::NewestFirst), None);
        }
    }

    #[test]
    fn names_match_regardless_of_case_and_spacing() {
        assert_eq!(normalised_name("  Åse   Ørsted "), normalised_name("åse ørsted"));
    }
}
