//! How people are read everywhere but at login: the account row without its
//! password hash, only whether there is one. The hash is a secret and the
//! widest column of the row; nothing outside authentication needs it.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{EntityTrait, FromQueryResult, QuerySelect, Select};

use super::Person;
use crate::auth::{Locale, Role};
use crate::db::entities::user;
use crate::error::{Error, Result};

#[derive(Debug, FromQueryResult)]
pub(crate) struct PersonRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    manager_id: Option<i64>,
    team_id: Option<i64>,
    locale: Option<String>,
    active: bool,
    has_password: bool,
    job_role: Option<String>,
    career_level: Option<String>,
    level_since: Option<NaiveDate>,
    employee_id: Option<String>,
}

/// `SELECT` of the columns a `Person` is made of; add filters, then
/// `.into_model::<PersonRow>()`.
pub(crate) fn select_people() -> Select<user::Entity> {
    use user::Column as C;
    user::Entity::find()
        .select_only()
        .columns([
            C::Id,
            C::Email,
            C::Name,
            C::Role,
            C::ManagerId,
            C::TeamId,
            C::Locale,
            C::Active,
            C::JobRole,
            C::CareerLevel,
            C::LevelSince,
            C::EmployeeId,
        ])
        .column_as(Expr::col(C::PasswordHash).is_not_null(), "has_password")
}

/// A whole account row (read at login, or returned by a write) seen as
/// every other read sees it: whether there is a password, not the hash.
impl From<user::Model> for PersonRow {
    fn from(row: user::Model) -> Self {
        Self {
            id: row.id,
            email: row.email,
            name: row.name,
            role: row.role,
            manager_id: row.manager_id,
            team_id: row.team_id,
            locale: row.locale,
            active: row.active,
            has_password: row.password_hash.is_some(),
            job_role: row.job_role,
            career_level: row.career_level,
            level_since: row.level_since,
            employee_id: row.employee_id,
        }
    }
}

impl TryFrom<PersonRow> for Person {
    type Error = Error;
    fn try_from(row: PersonRow) -> Result<Self> {
        let role = Role::from_stored(&row.role)?;
        Ok(Self {
            id: row.id,
            email: row.email,
            name: row.name,
            role,
            manager_id: row.manager_id,
            team_id: row.team_id,
            locale: row.locale.as_deref().and_then(Locale::from_tag),
            active: row.active,
            has_password: row.has_password,
            job_role: row.job_role,
            career_level: row.career_level,
            level_since: row.level_since,
            employee_id: row.employee_id,
        })
    }
}
