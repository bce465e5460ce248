//! Agencies and user accounts of an infohus. No personal data of citizens lives here.

use crate::db::{Store, new_id, ts};
use crate::error::StoreError;
use crate::sessions::{Actor, actor_from_row};
use infohus_domain::{AgencyCode, AgencyKind, AgencyName, FieldErrors, InfohusId, Role, Username};
use sqlx::Row;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: AgencyKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub agency_code: String,
}

impl Store {
    pub async fn add_agency(
        &self,
        infohus: &InfohusId,
        code: &AgencyCode,
        name: &AgencyName,
        kind: AgencyKind,
        now: OffsetDateTime,
    ) -> Result<Agency, StoreError> {
        let agency = Agency { id: new_id(), code: code.as_str().to_owned(), name: name.as_str().to_owned(), kind };
        let (infohus, row) = (infohus.as_str().to_owned(), agency.clone());
        self.write(move |conn, _log| {
            Box::pin(async move {
                let exists = sqlx::query("SELECT 1 AS one FROM agencies WHERE infohus_id = $1 AND code = $2")
                    .bind(&infohus)
                    .bind(&row.code)
                    .fetch_optional(&mut *conn)
                    .await?;
                if exists.is_some() {
                    return Err(StoreError::Conflict("agency_exists"));
                }
                sqlx::query(
                    "INSERT INTO agencies (id, infohus_id, code, name, kind, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(row.id)
                .bind(infohus)
                .bind(row.code)
                .bind(row.name)
                .bind(row.kind.as_str())
                .bind(ts(now))
                .execute(&mut *conn)
                .await?;
                Ok(())
            })
        })
        .await?;
        Ok(agency)
    }

    pub async fn agencies(&self, infohus: &InfohusId) -> Result<Vec<Agency>, StoreError> {
        let rows = sqlx::query("SELECT id, code, name, kind FROM agencies WHERE infohus_id = $1 ORDER BY name, code")
            .bind(infohus.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Agency {
                    id: row.try_get("id")?,
                    code: row.try_get("code")?,
                    name: row.try_get("name")?,
                    kind: AgencyKind::parse(&row.try_get::<String, _>("kind")?)
                        .ok_or(StoreError::Corrupt("agency kind"))?,
                })
            })
            .collect()
    }

    /// Creates an account. `password_hash` comes from `password::hash`.
    #[allow(clippy::too_many_arguments)] // each argument is a distinct, typed column
    pub async fn add_user(
        &self,
        infohus: &InfohusId,
        username: &Username,
        display_name: &str,
        agency: &AgencyCode,
        role: Role,
        password_hash: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let (infohus, username, display_name, agency, hash) = (
            infohus.as_str().to_owned(),
            username.as_str().to_owned(),
            display_name.to_owned(),
            agency.as_str().to_owned(),
            password_hash.to_owned(),
        );
        self.write(move |conn, _log| {
            Box::pin(async move {
                let agency_id: Option<String> =
                    sqlx::query("SELECT id FROM agencies WHERE infohus_id = $1 AND code = $2")
                        .bind(&infohus)
                        .bind(&agency)
                        .fetch_optional(&mut *conn)
                        .await?
                        .map(|row| row.try_get("id"))
                        .transpose()?;
                let Some(agency_id) = agency_id else {
                    return Err(StoreError::Invalid(FieldErrors::single("agency", "unknown_agency")));
                };
                let exists = sqlx::query("SELECT 1 AS one FROM users WHERE username = $1")
                    .bind(&username)
                    .fetch_optional(&mut *conn)
                    .await?;
                if exists.is_some() {
                    return Err(StoreError::Conflict("user_exists"));
                }
                sqlx::query(
                    "INSERT INTO users (id, infohus_id, agency_id, username, display_name, role, password_hash, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(new_id())
                .bind(infohus)
                .bind(agency_id)
                .bind(username)
                .bind(display_name)
                .bind(role.as_str())
                .bind(hash)
                .bind(ts(now))
                .execute(&mut *conn)
                .await?;
                Ok(())
            })
        })
        .await
    }

    pub async fn users(&self, infohus: &InfohusId) -> Result<Vec<UserSummary>, StoreError> {
        self.users_where(infohus, false).await
    }

    /// Sets or clears an employee's work e-mail address (for content-free notifications).
    pub async fn set_user_email(&self, username: &str, email: Option<&str>) -> Result<(), StoreError> {
        let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
            None => None,
            Some(raw) => Some(
                infohus_domain::referral::valid_email(raw)
                    .ok_or_else(|| StoreError::Invalid(FieldErrors::single("email", "invalid_email")))?,
            ),
        };
        let username = username.to_owned();
        self.write(move |conn, _log| {
            Box::pin(async move {
                let changed = sqlx::query("UPDATE users SET email = $1 WHERE username = $2")
                    .bind(email)
                    .bind(&username)
                    .execute(&mut *conn)
                    .await?;
                if changed.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            })
        })
        .await
    }

    /// The accounts that can be chosen as responsible or assignee: not disabled.
    pub async fn active_users(&self, infohus: &InfohusId) -> Result<Vec<UserSummary>, StoreError> {
        self.users_where(infohus, true).await
    }

    async fn users_where(&self, infohus: &InfohusId, active_only: bool) -> Result<Vec<UserSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT u.username, u.display_name, u.role, a.code AS agency_code
             FROM users u JOIN agencies a ON a.id = u.agency_id
             WHERE u.infohus_id = $1 AND ($2 = 0 OR u.disabled = 0) ORDER BY u.username",
        )
        .bind(infohus.as_str())
        .bind(i64::from(active_only))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(UserSummary {
                    username: row.try_get("username")?,
                    display_name: row.try_get("display_name")?,
                    role: Role::parse(&row.try_get::<String, _>("role")?).ok_or(StoreError::Corrupt("role"))?,
                    agency_code: row.try_get("agency_code")?,
                })
            })
            .collect()
    }

    /// The actor for a named account, for trusted operator commands on the server itself
    /// (the demo generator). Requests from clients get their actor from a session only.
    pub async fn actor_for_operator(&self, username: &str) -> Result<Actor, StoreError> {
        let row = sqlx::query(
            "SELECT id AS user_id, infohus_id, agency_id, role, username, display_name
             FROM users WHERE username = $1 AND disabled = 0",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        actor_from_row(&row)
    }

    /// True when nothing but the empty default infohus exists: safe to fill with demo data.
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM agencies) + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM referrals) AS n",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>("n")? == 0)
    }
}
