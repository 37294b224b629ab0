//! HR's questions over everyone's certifications: who holds what, who is
//! working on what, what is about to lapse. Set-based: a fixed number of SQL
//! statements whatever the size of the organisation.

use std::collections::{BTreeMap, HashSet};

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
struct PersonRow {
    id: i64,
    job_role: String,
    career_level: String,
}

#[derive(FromQueryResult)]
struct HeldRow {
    user_id: i64,
    certification_key: String,
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
    let mut people = Conditions::default();
    people_conditions(db, actor, filter, &mut people).await?;

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
        let stored = RecordStatus::parse(&row.status)?;
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

    let mut placed = Conditions::default();
    people_conditions(db, actor, filter, &mut placed).await?;
    placed.push("u.job_role IS NOT NULL AND u.career_level IS NOT NULL", []);
    let persons = PersonRow::find_by_statement(placed.statement(
        backend,
        "SELECT u.id, u.job_role, u.career_level FROM users u",
        "",
    ))
    .all(db)
    .await?;
    people.push(
        "r.status = 'EARNED' AND (r.expires_on IS NULL OR r.expires_on >= ?)",
        [Value::from(today)],
    );
    let held = HeldRow::find_by_statement(people.statement(
        backend,
        "SELECT r.user_id, r.certification_key FROM certification_records r JOIN users u ON u.id = r.user_id",
        "",
    ))
    .all(db)
    .await?;
    let held: HashSet<(i64, &str)> = held
        .iter()
        .map(|h| (h.user_id, h.certification_key.as_str()))
        .collect();

    let fw = store.current(db).await?;
    let mut coverage: BTreeMap<(String, String), LevelCoverage> = BTreeMap::new();
    for p in &persons {
        let Some(level) = fw.level(&p.job_role, &p.career_level) else {
            continue;
        };
        let required = &level.certifications.required;
        let entry = coverage
            .entry((p.job_role.clone(), p.career_level.clone()))
            .or_insert_with(|| LevelCoverage {
                job_role: p.job_role.clone(),
                career_level: p.career_level.clone(),
                required: required.clone(),
                people: 0,
                holding_all: 0,
            });
        entry.people += 1;
        if required.iter().all(|c| held.contains(&(p.id, c.as_str()))) {
            entry.holding_all += 1;
        }
    }
    Ok(CertificationSummary {
        by_certification,
        by_team,
        level_coverage: coverage
            .into_values()
            .filter(|c| !c.required.is_empty())
            .collect(),
    })
}
