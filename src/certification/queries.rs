//! HR's questions over everyone's certifications: who holds what, who is
//! working on what, what is about to lapse. Set-based: a fixed number of SQL
//! statements whatever the size of the organisation.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, ExprTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect,
};

use super::{CertificationRecord, CertificationStatus, RecordStatus};
use crate::auth::{Actor, policy};
use crate::db::entities::{certification_record as record, user};
use crate::error::{Error, Result};
use crate::framework::FrameworkStore;
use crate::people::{self, PeopleSelection};

#[derive(Debug, Clone, Default)]
pub struct CertificationFilter {
    pub user_id: Option<i64>,
    /// The team and its sub-teams.
    pub team_id: Option<i64>,
    pub job_role: Option<String>,
    pub career_level: Option<String>,
    pub certification: Option<String>,
    pub status: Option<CertificationStatus>,
    /// Earned and still valid, expiring within this many days from today.
    pub expiring_within_days: Option<u32>,
}

/// The condition on the person shared by every query: who the caller may
/// see (the policy's work scope), and the team, role and level filters.
async fn people_condition(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &CertificationFilter,
) -> Result<Condition> {
    let selection = PeopleSelection {
        user_id: filter.user_id,
        team_id: filter.team_id,
        job_role: filter.job_role.clone(),
        career_level: filter.career_level.clone(),
        except: None,
    };
    people::people_condition(db, &policy::work_scope(actor), &selection).await
}

/// Earned and valid on `today` (a stored status never says expired).
fn valid_on(today: NaiveDate) -> Condition {
    Condition::all()
        .add(record::Column::Status.eq(RecordStatus::Earned.as_str()))
        .add(
            Condition::any()
                .add(record::Column::ExpiresOn.is_null())
                .add(record::Column::ExpiresOn.gte(today)),
        )
}

/// Earned, but lapsed before `today`.
fn lapsed_on(today: NaiveDate) -> Condition {
    Condition::all()
        .add(record::Column::Status.eq(RecordStatus::Earned.as_str()))
        .add(record::Column::ExpiresOn.lt(today))
}

/// The condition on the record: certification, status, expiry window.
fn record_condition(filter: &CertificationFilter, today: NaiveDate) -> Result<Condition> {
    let mut c = Condition::all();
    if let Some(cert) = &filter.certification {
        c = c.add(record::Column::CertificationKey.eq(cert.as_str()));
    }
    c = match filter.status {
        None => c,
        Some(CertificationStatus::Earned) => c.add(valid_on(today)),
        Some(CertificationStatus::Expired) => c.add(lapsed_on(today)),
        Some(other) => c.add(record::Column::Status.eq(RecordStatus::from(other).as_str())),
    };
    if let Some(days) = filter.expiring_within_days {
        if days > 3660 {
            return Err(Error::invalid("expiringWithinDays", "must be at most 3660"));
        }
        let until = today + chrono::Days::new(u64::from(days));
        c = c
            .add(record::Column::Status.eq(RecordStatus::Earned.as_str()))
            .add(record::Column::ExpiresOn.gte(today))
            .add(record::Column::ExpiresOn.lte(until));
    }
    Ok(c)
}

/// A page of records matching `filter`, by id, after `after`; one more than
/// `limit` signals a next page.
pub async fn certification_progress(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &CertificationFilter,
    today: NaiveDate,
    after: Option<i64>,
    limit: u64,
) -> Result<(Vec<CertificationRecord>, bool)> {
    let mut query = record::Entity::find()
        .inner_join(user::Entity)
        .filter(people_condition(db, actor, filter).await?)
        .filter(record_condition(filter, today)?);
    if let Some(after) = after {
        query = query.filter(record::Column::Id.gt(after));
    }
    let mut rows = query
        .order_by_asc(record::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let has_next = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let records = rows
        .into_iter()
        .map(CertificationRecord::try_from)
        .collect::<Result<_>>()?;
    Ok((records, has_next))
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub planned: u64,
    pub in_progress: u64,
    pub earned: u64,
    pub expired: u64,
    pub withdrawn: u64,
}

impl StatusCounts {
    fn add(&mut self, status: CertificationStatus, n: u64) {
        match status {
            CertificationStatus::Planned => self.planned += n,
            CertificationStatus::InProgress => self.in_progress += n,
            CertificationStatus::Earned => self.earned += n,
            CertificationStatus::Expired => self.expired += n,
            CertificationStatus::Withdrawn => self.withdrawn += n,
        }
    }
}

/// Of the people at one level, how many hold every certification it requires.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelCoverage {
    pub job_role: String,
    pub career_level: String,
    pub required: Vec<String>,
    pub people: u64,
    pub holding_all: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CertificationSummary {
    pub by_certification: BTreeMap<String, StatusCounts>,
    /// By team id; `None` collects people without a team.
    pub by_team: BTreeMap<Option<i64>, StatusCounts>,
    pub level_coverage: Vec<LevelCoverage>,
}

#[derive(FromQueryResult)]
struct CountRow {
    certification_key: String,
    team_id: Option<i64>,
    status: String,
    /// Of the `n`, those earned but lapsed today.
    expired: i64,
    n: i64,
}

#[derive(FromQueryResult)]
struct LevelCountRow {
    job_role: String,
    career_level: String,
    n: i64,
}

/// Counts by status per certification and per team, and the share of people
/// at each level holding what it requires: three statements in all.
pub async fn certification_summary(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    filter: &CertificationFilter,
    today: NaiveDate,
) -> Result<CertificationSummary> {
    let people = people_condition(db, actor, filter).await?;
    // `expired` is counted with today's date within each group: the stored
    // status never says it.
    let lapsed = Expr::case(lapsed_on(today), 1).finally(0);
    let counts = record::Entity::find()
        .select_only()
        .column(record::Column::CertificationKey)
        .column(user::Column::TeamId)
        .column(record::Column::Status)
        .expr_as(Func::sum(lapsed), "expired")
        .expr_as(
            Func::count(Expr::col((record::Entity, record::Column::Id))),
            "n",
        )
        .inner_join(user::Entity)
        .filter(people.clone())
        .filter(record_condition(filter, today)?)
        .group_by(record::Column::CertificationKey)
        .group_by(user::Column::TeamId)
        .group_by(record::Column::Status)
        .into_model::<CountRow>()
        .all(db)
        .await?;
    let mut by_certification: BTreeMap<String, StatusCounts> = BTreeMap::new();
    let mut by_team: BTreeMap<Option<i64>, StatusCounts> = BTreeMap::new();
    for row in counts {
        let stored = RecordStatus::from_stored(&row.status)?;
        let lapsed = row.expired.clamp(0, row.n) as u64;
        let split = [
            (CertificationStatus::Expired, lapsed),
            (
                super::effective_status(stored, None, today),
                row.n as u64 - lapsed,
            ),
        ];
        for (status, n) in split.into_iter().filter(|(_, n)| *n > 0) {
            by_certification
                .entry(row.certification_key.clone())
                .or_default()
                .add(status, n);
            by_team.entry(row.team_id).or_default().add(status, n);
        }
    }

    // Coverage per level, counted by the database: how many people hold at
    // that level, and how many of them hold every certificate it requires
    // (valid today). The requirements come from the framework, one
    // alternative per level that has any.
    let fw = store.current(db).await?;
    let required: Vec<(&str, &str, &Vec<String>)> = fw
        .doc
        .roles
        .iter()
        .flat_map(|role| {
            role.levels.iter().map(move |level| {
                (
                    role.key.as_str(),
                    level.key.as_str(),
                    &level.certifications.required,
                )
            })
        })
        .filter(|(_, _, required)| !required.is_empty())
        .collect();
    if required.is_empty() {
        return Ok(CertificationSummary {
            by_certification,
            by_team,
            level_coverage: Vec::new(),
        });
    }
    // At one of those levels and, when `holding_all`, holding every
    // certificate it requires, valid today (counted by a correlated subquery).
    let at_required_level = |holding_all: bool| {
        let mut alternatives = Condition::any();
        for (role, level, certificates) in &required {
            let mut alternative = Condition::all()
                .add(user::Column::JobRole.eq(*role))
                .add(user::Column::CareerLevel.eq(*level));
            if holding_all {
                let held = Query::select()
                    .expr(Func::count_distinct(Expr::col((
                        record::Entity,
                        record::Column::CertificationKey,
                    ))))
                    .from(record::Entity)
                    .and_where(
                        Expr::col((record::Entity, record::Column::UserId))
                            .equals((user::Entity, user::Column::Id)),
                    )
                    .cond_where(valid_on(today))
                    .and_where(
                        record::Column::CertificationKey
                            .is_in(certificates.iter().map(String::as_str)),
                    )
                    .to_owned();
                alternative = alternative
                    .add(Expr::SubQuery(None, Box::new(held.into())).eq(certificates.len() as i64));
            }
            alternatives = alternatives.add(alternative);
        }
        alternatives
    };
    let mut counted = BTreeMap::new();
    for holding_all in [false, true] {
        let rows = user::Entity::find()
            .select_only()
            .column(user::Column::JobRole)
            .column(user::Column::CareerLevel)
            .expr_as(
                Func::count(Expr::col((user::Entity, user::Column::Id))),
                "n",
            )
            .filter(people.clone())
            .filter(at_required_level(holding_all))
            .group_by(user::Column::JobRole)
            .group_by(user::Column::CareerLevel)
            .into_model::<LevelCountRow>()
            .all(db)
            .await?;
        for row in rows {
            let entry: &mut (u64, u64) =
                counted.entry((row.job_role, row.career_level)).or_default();
            if holding_all {
                entry.1 = row.n as u64;
            } else {
                entry.0 = row.n as u64;
            }
        }
    }
    let level_coverage = required
        .iter()
        .filter_map(|(role, level, certificates)| {
            let (people, holding_all) = counted.get(&(role.to_string(), level.to_string()))?;
            Some(LevelCoverage {
                job_role: role.to_string(),
                career_level: level.to_string(),
                required: certificates.to_vec(),
                people: *people,
                holding_all: *holding_all,
            })
        })
        .collect();
    Ok(CertificationSummary {
        by_certification,
        by_team,
        level_coverage,
    })
}
