//! Sessions and the `Actor` they yield. Tokens are random, only their SHA-256 is stored;
//! a session ends on logout, after the idle timeout, or after an absolute lifetime.

use crate::db::{Store, parse_ts, ts};
use crate::error::StoreError;
use crate::keys::hex;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use infohus_domain::policy::Viewer;
use infohus_domain::{AgencyId, InfohusId, Role, UserId};
use rand::RngExt;
use sha2::{Digest, Sha256};
use sqlx::Row;
use time::{Duration, OffsetDateTime};

/// No session lives longer than this, however active.
const ABSOLUTE_LIFETIME: Duration = Duration::hours(12);
/// Activity is written back at most this often, so reads do not each cost a write.
const TOUCH_INTERVAL: Duration = Duration::seconds(60);

/// The authenticated user on whose behalf the store acts. Only the store makes one.
#[derive(Debug, Clone)]
pub struct Actor {
    pub(crate) viewer: Viewer,
    pub(crate) username: String,
    pub(crate) display_name: String,
}

impl Actor {
    pub fn viewer(&self) -> &Viewer {
        &self.viewer
    }
    pub fn role(&self) -> Role {
        self.viewer.role
    }
    pub fn username(&self) -> &str {
        &self.username
    }
    pub fn display_name(&self) -> &str {
        &self.display_name
    }
    pub fn user_id(&self) -> &UserId {
        &self.viewer.user
    }
    pub fn infohus(&self) -> &InfohusId {
        &self.viewer.infohus
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// Browser session: cookie + CSRF token.
    Web,
    /// API bearer token.
    Api,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }
}

/// A new session's secrets, handed to the client once.
pub struct SessionToken {
    pub token: String,
    pub csrf: String,
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

pub(crate) fn random_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    URL_SAFE_NO_PAD.encode(bytes)
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub(crate) fn actor_from_row(row: &sqlx::any::AnyRow) -> Result<Actor, StoreError> {
    let corrupt = || StoreError::Corrupt("user row");
    Ok(Actor {
        viewer: Viewer {
            user: UserId::parse(&row.try_get::<String, _>("user_id")?).ok_or_else(corrupt)?,
            infohus: InfohusId::parse(&row.try_get::<String, _>("infohus_id")?).ok_or_else(corrupt)?,
            agency: AgencyId::parse(&row.try_get::<String, _>("agency_id")?).ok_or_else(corrupt)?,
            role: Role::parse(&row.try_get::<String, _>("role")?).ok_or_else(corrupt)?,
        },
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
    })
}

impl Store {
    pub async fn create_session(
        &self,
        user: &UserId,
        kind: SessionKind,
        now: OffsetDateTime,
    ) -> Result<SessionToken, StoreError> {
        let token = SessionToken { token: random_token(), csrf: random_token() };
        let (hash, user, kind, csrf) =
            (token_hash(&token.token), user.as_str().to_owned(), kind.as_str(), token.csrf.clone());
        self.write(move |conn, _log| {
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, last_seen_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(hash)
                .bind(user)
                .bind(kind)
                .bind(csrf)
                .bind(ts(now))
                .bind(ts(now))
                .execute(conn)
                .await?;
                Ok(())
            })
        })
        .await?;
        Ok(token)
    }

    /// The actor and CSRF token of a live session, or `None` (unknown, ended, idle, expired).
    pub async fn authenticate(
        &self,
        token: &str,
        kind: SessionKind,
        now: OffsetDateTime,
        idle_timeout: Duration,
    ) -> Result<Option<(Actor, String)>, StoreError> {
        if token.is_empty() || token.len() > 128 {
            return Ok(None);
        }
        let hash = token_hash(token);
        let row = sqlx::query(
            "SELECT s.csrf_token, s.created_at, s.last_seen_at, u.id AS user_id, u.infohus_id,
                    u.agency_id, u.role, u.username, u.display_name
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.kind = $2 AND s.ended_at IS NULL AND u.disabled = 0",
        )
        .bind(&hash)
        .bind(kind.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let created = parse_ts(&row.try_get::<String, _>("created_at")?)?;
        let last_seen = parse_ts(&row.try_get::<String, _>("last_seen_at")?)?;
        if now - last_seen > idle_timeout || now - created > ABSOLUTE_LIFETIME {
            self.end_session(token, now).await?;
            return Ok(None);
        }
        if now - last_seen > TOUCH_INTERVAL {
            let hash = hash.clone();
            self.write(move |conn, _log| {
                Box::pin(async move {
                    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND ended_at IS NULL")
                        .bind(ts(now))
                        .bind(hash)
                        .execute(conn)
                        .await?;
                    Ok(())
                })
            })
            .await?;
        }
        let csrf: String = row.try_get("csrf_token")?;
        Ok(Some((actor_from_row(&row)?, csrf)))
    }

    /// Ends a session for good; later use of the token fails.
    pub async fn end_session(&self, token: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        let hash = token_hash(token);
        self.write(move |conn, _log| {
            Box::pin(async move {
                sqlx::query("UPDATE sessions SET ended_at = $1 WHERE token_hash = $2 AND ended_at IS NULL")
                    .bind(ts(now))
                    .bind(hash)
                    .execute(conn)
                    .await?;
                Ok(())
            })
        })
        .await
    }

    /// The id and password hash of an enabled account, for login.
    pub async fn login_candidate(&self, username: &str) -> Result<Option<(UserId, String)>, StoreError> {
        let row = sqlx::query("SELECT id, password_hash FROM users WHERE username = $1 AND disabled = 0")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            let id = UserId::parse(&row.try_get::<String, _>("id")?).ok_or(StoreError::Corrupt("user id"))?;
            Ok((id, row.try_get("password_hash")?))
        })
        .transpose()
    }
}

/// Failed-login limits, shared by every server through the database.
impl Store {
    /// Seconds to wait when any of `keys` (e.g. `account:anne`, `address:10.0.0.1`) has used
    /// up its `max` failures within `window` of its first failure; `None` when free.
    pub async fn login_blocked(
        &self,
        keys: &[(String, u32)],
        window: Duration,
        now: OffsetDateTime,
    ) -> Result<Option<u64>, StoreError> {
        let mut wait = None;
        for (key, max) in keys {
            let row = sqlx::query("SELECT window_start, failures FROM login_failures WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
            let Some(row) = row else { continue };
            let start = parse_ts(&row.try_get::<String, _>("window_start")?)?;
            let failures: i64 = row.try_get("failures")?;
            if failures >= i64::from(*max) && now - start < window {
                let left = (window - (now - start)).whole_seconds().max(1) as u64;
                wait = Some(wait.map_or(left, |w: u64| w.max(left)));
            }
        }
        Ok(wait)
    }

    /// Counts a failed login against each key, starting a new window when the old one ran out.
    pub async fn record_login_failure(
        &self,
        keys: &[String],
        window: Duration,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let keys = keys.to_vec();
        let window_start_before = ts(now - window);
        self.write(move |conn, _log| {
            Box::pin(async move {
                for key in &keys {
                    // A window that has run out starts again at this failure.
                    sqlx::query("DELETE FROM login_failures WHERE key = $1 AND window_start <= $2")
                        .bind(key)
                        .bind(&window_start_before)
                        .execute(&mut *conn)
                        .await?;
                    let updated = sqlx::query("UPDATE login_failures SET failures = failures + 1 WHERE key = $1")
                        .bind(key)
                        .execute(&mut *conn)
                        .await?
                        .rows_affected();
                    if updated == 0 {
                        sqlx::query("INSERT INTO login_failures (key, window_start, failures) VALUES ($1, $2, 1)")
                            .bind(key)
                            .bind(ts(now))
                            .execute(&mut *conn)
                            .await?;
                    }
                }
                // Keep the table small: windows long gone are of no use.
                sqlx::query("DELETE FROM login_failures WHERE window_start <= $1")
                    .bind(&window_start_before)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            })
        })
        .await
    }

    /// Forgets the failures of a key (an account after a successful login).
    pub async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError> {
        let key = key.to_owned();
        self.write(move |conn, _log| {
            Box::pin(async move {
                sqlx::query("DELETE FROM login_failures WHERE key = $1").bind(key).execute(&mut *conn).await?;
                Ok(())
            })
        })
        .await
    }
}
