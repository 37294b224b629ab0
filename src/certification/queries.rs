//! HR's questions over everyone's certifications: who holds what, who is
//! working on what, what is about to lapse. Set-based: a fixed number of SQL
//! statements whatever the size of the organisation.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{DatabaseConnection, FromQueryResult, Value};

use super::{CertificationRecord, CertificationStatus, RecordStatus};
use crate::auth::{Actor, policy};
use crate::db::Conditions;
use crate::db::entities::certification_record as record;
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

/// Conditions on the person (alias `u`) shared by every query: who the caller
/// may see (the policy's work scope), and the team, role and level filters.
async fn people_conditions(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &CertificationFilter,
    c: &mut Conditions,
) -> Result<()> {
    let selection = PeopleSelection {
        user_id: filter.user_id,
        team_id: filter.team_id,
        job_role: filter.job_role.clone(),
        career_level: filter.career_level.clone(),
        except: None,
    };
    people::select_people(db, &policy::work_scope(actor), &selection, c).await
}

/// Conditions on the record (alias `r`): certification, status, expiry window.
fn record_conditions(
    filter: &CertificationFilter,
    today: NaiveDate,
    c: &mut Conditions,
) -> Result<()> {
    if let Some(cert) = &filter.certification {
        c.push("r.certification_key = ?", [Value::from(cert.clone())]);
    }
    match filter.status {
        None => {}
        Some(CertificationStatus::Earned) => c.push(
            "r.status = 'EARNED' AND (r.expires_on IS NULL OR r.expires_on >= ?)",
            [Value::from(today)],
        ),
        Some(CertificationStatus::Expired) => c.push(
            "r.status = 'EARNED' AND r.expires_on < ?",
            [Value::from(today)],
        ),
        Some(other) => c.push(
            "r.status = ?",
            [Value::from(RecordStatus::from(other).as_str())],
        ),
    }
    if let Some(days) = filter.expiring_within_days {
        if days > 3660 {
            return Err(Error::invalid("expiringWithinDays", "must be at most 3660"));
        }
        let until = today + chrono::Days::new(u64::from(days));
        c.push(
            "r.status = 'EARNED' AND r.expires_on >= ? AND r.expires_on <= ?",
            [Value::from(today), Value::from(until)],
        );
    }
    Ok(())
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
    let mut c = Conditions::default();
    people_conditions(db, actor, filter, &mut c).await?;
    record_conditions(filter, today, &mut c)?;
    if let Some(after) = after {
        c.push("r.id > ?", [Value::from(after)]);
    }
    let stmt = c.statement(
        db.get_database_backend(),
        "SELECT r.* FROM certification_records r JOIN users u ON u.id = r.user_id",
        &format!("ORDER BY r.id LIMIT {}", limit + 1),
    );
    let mut rows = record::Model::find_by_statement(stmt).all(db).await?;
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
    expired: i32,
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
    let backend = db.get_database_backend();
    let mut c = Conditions::default();
    people_conditions(db, actor, filter, &mut c).await?;
    record_conditions(filter, today, &mut c)?;
    // `expired` is computed with today's date: the stored status never says
    // it. The date is the server's own (never user input), written as a
    // literal so the grouping can refer to the select list by position.
    let counts = CountRow::find_by_statement(c.statement(
        backend,
        &format!(
            "SELECT r.certification_key, u.team_id, r.status, \
             CASE WHEN r.status = 'EARNED' AND r.expires_on < '{today}' THEN 1 ELSE 0 END AS expired, \
             COUNT(*) AS n FROM certification_records r JOIN users u ON u.id = r.user_id"
        ),
        "GROUP BY 1, 2, 3, 4",
    ))
    .all(db)
    .await?;
    let mut by_certification: BTreeMap<String, StatusCounts> = BTreeMap::new();
    let mut by_team: BTreeMap<Option<i64>, StatusCounts> = BTreeMap::new();
    for row in counts {
        let stored = RecordStatus::from_stored(&row.status)?;
        let status = if row.expired == 1 {
            CertificationStatus::Expired
        } else {
            super::effective_status(stored, None, today)
        };
        by_certification
            .entry(row.certification_key)
            .or_default()
            .add(status, row.n as u64);
        by_team
            .entry(row.team_id)
            .or_default()
            .add(status, row.n as u64);
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
    let at_required_level = |c: &mut Conditions, holding_all: bool| {
        let mut alternatives = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        for (role, level, certificates) in &required {
            let mut alternative = "(u.job_role = ? AND u.career_level = ?".to_owned();
            values.push(Value::from(*role));
            values.push(Value::from(*level));
            if holding_all {
                alternative.push_str(&format!(
                    " AND (SELECT COUNT(DISTINCT r.certification_key) FROM certification_records r \
                     WHERE r.user_id = u.id AND r.status = 'EARNED' \
                     AND (r.expires_on IS NULL OR r.expires_on >= ?) \
                     AND r.certification_key IN ({})) = {}",
                    vec!["?"; certificates.len()].join(", "),
                    certificates.len()
                ));
                values.push(Value::from(today));
                values.extend(certificates.iter().map(|k| Value::from(k.clone())));
            }
            alternative.push(')');
            alternatives.push(alternative);
        }
        c.push(&format!("({})", alternatives.join(" OR ")), values);
    };
    let mut counted = BTreeMap::new();
    for holding_all in [false, true] {
        let mut c = Conditions::default();
        people_conditions(db, actor, filter, &mut c).await?;
        at_required_level(&mut c, holding_all);
        let rows = LevelCountRow::find_by_statement(c.statement(
            backend,
            "SELECT u.job_role, u.career_level, COUNT(*) AS n FROM users u",
            "GROUP BY u.job_role, u.career_level",
        ))
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
