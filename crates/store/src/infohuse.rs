//! Infohuse: the units that own agencies, users, persons and cases. A national deployment
//! holds many; each serves a police district, and the national unit (the hotline) routes
//! the referrals it receives to the infohus of the subject's municipality.

use crate::db::{Store, new_id, ts};
use crate::error::StoreError;
use crate::sessions::Actor;
use infohus_domain::municipality::{self, PoliceDistrict};
use infohus_domain::{AgencyCode, FieldErrors, InfohusId};
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfohusSummary {
    pub id: InfohusId,
    pub code: Option<String>,
    pub name: String,
    pub police_district: Option<PoliceDistrict>,
    pub national: bool,
}

/// What a new infohus is: a code (as an agency code), a name, and either a police district
/// or the national unit.
#[derive(Debug, Clone)]
pub struct NewInfohus {
    pub code: AgencyCode,
    pub name: String,
    pub police_district: Option<PoliceDistrict>,
    pub national: bool,
}

/// The infohus a new referral belongs to: the submitter's, unless the submitter works in the
/// national unit and the subject's municipality lies in a district an infohus serves.
pub(crate) async fn route(
    conn: &mut AnyConnection,
    actor: &Actor,
    municipality_code: Option<&str>,
) -> Result<String, StoreError> {
    let own = actor.viewer.infohus.as_str().to_owned();
    let national: i64 = sqlx::query("SELECT national FROM infohuse WHERE id = $1")
        .bind(&own)
        .fetch_optional(&mut *conn)
        .await?
        .map(|row| row.try_get("national"))
        .transpose()?
        .unwrap_or(0);
    let Some(district) = municipality_code.and_then(municipality::by_code).map(|m| m.district) else {
        return Ok(own);
    };
    if national == 0 {
        return Ok(own);
    }
    let target: Option<String> = sqlx::query("SELECT id FROM infohuse WHERE police_district = $1")
        .bind(district.code())
        .fetch_optional(&mut *conn)
        .await?
        .map(|row| row.try_get("id"))
        .transpose()?;
    Ok(target.unwrap_or(own))
}

impl Store {
    /// Creates an infohus (national administrators).
    pub async fn create_infohus(
        &self,
        actor: &Actor,
        infohus: NewInfohus,
        now: OffsetDateTime,
    ) -> Result<InfohusId, StoreError> {
        if !actor.viewer.may_create_infohus() {
            return Err(StoreError::Forbidden);
        }
        self.add_infohus(infohus, now).await
    }

    /// Creates an infohus on the operator's command line.
    pub async fn add_infohus(&self, infohus: NewInfohus, now: OffsetDateTime) -> Result<InfohusId, StoreError> {
        let name = infohus_domain::text::required_line("name", Some(&infohus.name), 200)
            .map_err(|e| StoreError::Invalid(FieldErrors(vec![e])))?;
        if infohus.national && infohus.police_district.is_some() {
            return Err(StoreError::Invalid(FieldErrors::single("police_district", "national_has_no_district")));
        }
        self.write(move |conn, _log| {
            Box::pin(async move {
                let taken = sqlx::query("SELECT 1 AS one FROM infohuse WHERE code = $1 OR police_district = $2")
                    .bind(infohus.code.as_str())
                    .bind(infohus.police_district.map(PoliceDistrict::code))
                    .fetch_optional(&mut *conn)
                    .await?;
                if taken.is_some() {
                    return Err(StoreError::Conflict("infohus_exists"));
                }
                let id = new_id();
                sqlx::query(
                    "INSERT INTO infohuse (id, name, created_at, code, police_district, national)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&id)
                .bind(name)
                .bind(ts(now))
                .bind(infohus.code.as_str())
                .bind(infohus.police_district.map(PoliceDistrict::code))
                .bind(i64::from(infohus.national))
                .execute(&mut *conn)
                .await?;
                InfohusId::parse(&id).ok_or(StoreError::Corrupt("infohus id"))
            })
        })
        .await
    }

    /// Every infohus of the installation.
    pub async fn infohuse(&self) -> Result<Vec<InfohusSummary>, StoreError> {
        let rows =
            sqlx::query("SELECT id, code, name, police_district, national FROM infohuse ORDER BY created_at, id")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(InfohusSummary {
                    id: InfohusId::parse(&r.try_get::<String, _>("id")?).ok_or(StoreError::Corrupt("infohus id"))?,
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    police_district: r
                        .try_get::<Option<String>, _>("police_district")?
                        .as_deref()
                        .and_then(PoliceDistrict::parse),
                    national: r.try_get::<i64, _>("national")? != 0,
                })
            })
            .collect()
    }

    /// The infohus with this code, or the first one when no code is given (a fresh data dir
    /// holds exactly one).
    pub async fn infohus_for(&self, code: Option<&str>) -> Result<InfohusId, StoreError> {
        let Some(code) = code else { return self.default_infohus().await };
        let row = sqlx::query("SELECT id FROM infohuse WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::Invalid(FieldErrors::single("infohus", "unknown_infohus")))?;
        InfohusId::parse(&row.try_get::<String, _>("id")?).ok_or(StoreError::Corrupt("infohus id"))
    }
}
