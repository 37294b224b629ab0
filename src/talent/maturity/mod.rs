//! Capability maturity: for a team, a manager's sub-tree or everyone in
//! reach, how mature the organisation is in each skill area (1 initial to
//! 5 optimising), from the evidence a cycle and a KPI period hold, compared
//! with the level leadership aims for. The rules are in `model`; this module
//! gathers the evidence in a fixed number of statements (counts, not rows:
//! see `assessment::census`) and keeps the aims.

pub mod explain;
pub mod graphql;
pub mod model;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use self::model::{AreaEvidence, AreaMaturity, Coverage, CriticalSkill, KpiEvidence};
use crate::assessment::Cycle;
use crate::assessment::census::{self, Census, CensusScope};
use crate::audit::{self, Change};
use crate::auth::policy::{HrOffice, PeopleScope, TeamView};
use crate::db::entities::maturity_target;
use crate::domain::Proficiency;
use crate::error::{Error, Result};
use crate::framework::validate::AREA_KEYS;
use crate::framework::{Framework, FrameworkStore};
use crate::kpi::Period;

/// Whose maturity: a team (with its sub-teams), everyone below a manager,
/// or (neither) everyone in the caller's reach. Both narrow together.
#[derive(Debug, Clone, Copy, Default)]
pub struct MaturityScope {
    pub team_id: Option<i64>,
    pub manager_id: Option<i64>,
}

pub struct MaturityReport {
    /// The cycle's framework version: the requirements the ratings answered.
    pub framework: Arc<Framework>,
    pub cycle: Option<Cycle>,
    pub previous: Option<Cycle>,
    /// The KPI period whose results count.
    pub period: String,
    /// People of the scope who took part in the cycle.
    pub people: usize,
    /// One per area of the framework, in its order.
    pub areas: Vec<AreaMaturity>,
    /// Leadership's aim per area.
    pub targets: HashMap<String, u8>,
    /// Names of the people the steps name (sole holders).
    pub names: HashMap<i64, String>,
}

pub async fn capability_maturity(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    view: &TeamView,
    scope: MaturityScope,
    cycle_id: Option<i64>,
    period: Option<Period>,
    today: NaiveDate,
) -> Result<MaturityReport> {
    let period = period
        .unwrap_or_else(|| Period::last_finished_quarter(today))
        .to_string();
    let (counted, members) = counted_scope(db, view, scope).await?;
    let (cycle, previous) = census::cycle_and_previous(db, cycle_id).await?;
    let framework = match &cycle {
        Some(c) => store.published_by_id(db, c.framework_version_id).await?,
        None => store.current(db).await?,
    };
    let now = match &cycle {
        Some(c) => census::cycle_census(db, c.id, &counted).await?,
        None => Census::default(),
    };
    let before = match &previous {
        Some(c) => Some(census::cycle_census(db, c.id, &counted).await?),
        None => None,
    };
    let kpi = kpi_attainments(db, store, members, &period).await?;
    let targets = targets(db).await?;

    let mut coverage_now = coverage_by_area(&framework, &now);
    let mut coverage_before = before.map(|b| coverage_by_area(&framework, &b));
    let mut holders = holders_by_skill(&now);
    let mut areas = Vec::new();
    for area in &framework.doc.areas {
        let (coverage, critical_skills) = coverage_now.remove(&area.key).unwrap_or_default();
        let critical = critical_skills
            .into_iter()
            .map(|skill| {
                let (count, someone) = holders.remove(&skill).unwrap_or((0, i64::MAX));
                CriticalSkill {
                    sole_holder: (count == 1).then_some(someone),
                    holders: count,
                    skill,
                }
            })
            .collect();
        areas.push(model::assess(AreaEvidence {
            area: area.key.clone(),
            coverage,
            previous: coverage_before
                .as_mut()
                .map(|b| b.remove(&area.key).unwrap_or_default().0),
            critical,
            kpi: KpiEvidence::from_attainments(kpi.get(&area.key).map_or(&[][..], Vec::as_slice)),
        }));
    }
    let named: Vec<i64> = areas
        .iter()
        .flat_map(|a| a.evidence.single_points().filter_map(|c| c.sole_holder))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let names = if named.is_empty() {
        HashMap::new()
    } else {
        crate::people::people_by_ids(db, &named)
            .await?
            .into_iter()
            .map(|(id, p)| (id, p.name))
            .collect()
    };
    Ok(MaturityReport {
        people: now
            .participants
            .iter()
            .map(|p| p.people.max(0) as usize)
            .sum(),
        framework,
        cycle,
        previous,
        period,
        areas,
        targets,
        names,
    })
}

/// Whom the evidence is counted over: the scope asked for, within reach,
/// and its active members by id.
async fn counted_scope(
    db: &DatabaseConnection,
    view: &TeamView,
    scope: MaturityScope,
) -> Result<(CensusScope, Vec<i64>)> {
    let mut people = match view.scope() {
        PeopleScope::Everyone => None,
        PeopleScope::Only(ids) => Some(ids),
    };
    let teams = match scope.team_id {
        Some(team) => {
            let teams = crate::people::team_subtree(db, team).await?;
            if teams.is_empty() {
                return Err(Error::NotFound("team"));
            }
            Some(teams)
        }
        None => None,
    };
    if let Some(manager) = scope.manager_id {
        view.below(manager)?;
        if crate::people::people_by_ids(db, &[manager])
            .await?
            .is_empty()
        {
            return Err(Error::NotFound("person"));
        }
        let (mut below, _) = crate::people::reports_of(db, manager).await?;
        below.sort_unstable();
        people = Some(match people {
            Some(reach) => below
                .into_iter()
                .filter(|id| reach.binary_search(id).is_ok())
                .collect(),
            None => below,
        });
    }
    let counted = CensusScope { teams, people };
    let members =
        crate::people::active_member_ids(db, counted.teams.as_deref(), counted.people.as_deref())
            .await?;
    // A manager asking for a team none of whose members they manage.
    if members.is_empty() && scope.team_id.is_some() && view.scope() != PeopleScope::Everyone {
        return Err(Error::Forbidden("this team is not yours"));
    }
    Ok((counted, members))
}

/// Per area: required proficiencies and those met, and the critical skills.
fn coverage_by_area(
    fw: &Framework,
    census: &Census,
) -> HashMap<String, (Coverage, BTreeSet<String>)> {
    let mut people: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for p in &census.participants {
        *people.entry((&p.job_role, &p.career_level)).or_default() += p.people.max(0) as usize;
    }
    // (role, level, skill) → (rated at, how many people).
    type Cell<'a> = (&'a str, &'a str, &'a str);
    let mut rated: HashMap<Cell<'_>, Vec<(u8, usize)>> = HashMap::new();
    for r in &census.rated {
        rated
            .entry((&r.job_role, &r.career_level, &r.skill_key))
            .or_default()
            .push((
                Proficiency::from_stored(r.level).get(),
                r.people.max(0) as usize,
            ));
    }
    let mut areas: HashMap<String, (Coverage, BTreeSet<String>)> = HashMap::new();
    for ((role, level), count) in people {
        for req in fw.requirements(role, level) {
            let Some(area) = fw.area_of(req.skill) else {
                continue;
            };
            let entry = areas.entry(area.key.clone()).or_default();
            entry.0.required += count;
            entry.0.met += rated.get(&(role, level, req.skill)).map_or(0, |levels| {
                levels
                    .iter()
                    .filter(|(at, _)| *at >= req.required)
                    .map(|(_, n)| n)
                    .sum()
            });
            if req.critical || model::holds(req.required) {
                entry.1.insert(req.skill.to_owned());
            }
        }
    }
    areas
}

/// Per skill: how many people are rated proficient or better, and one of
/// them (the only one when the count is 1).
fn holders_by_skill(census: &Census) -> HashMap<String, (usize, i64)> {
    let mut holders: HashMap<String, (usize, i64)> = HashMap::new();
    for r in census
        .rated
        .iter()
        .filter(|r| model::holds(Proficiency::from_stored(r.level).get()))
    {
        let entry = holders.entry(r.skill_key.clone()).or_insert((0, i64::MAX));
        entry.0 += r.people.max(0) as usize;
        entry.1 = entry.1.min(r.someone);
    }
    holders
}

/// Attainments of the scope's KPI targets in `period`, per area their KPI
/// family names (the current catalogue: results are read as they stand).
async fn kpi_attainments(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    members: Vec<i64>,
    period: &str,
) -> Result<HashMap<String, Vec<f64>>> {
    if members.is_empty() {
        return Ok(HashMap::new());
    }
    let current = store.current(db).await?;
    let mut by_area: HashMap<String, Vec<f64>> = HashMap::new();
    for performance in crate::kpi::evaluate_many(db, &current, members, period).await? {
        for result in &performance.targets {
            let (Some(attainment), Some(family)) =
                (result.attainment, current.kpi_family_of(&result.target.kpi))
            else {
                continue;
            };
            for area in &family.areas {
                by_area.entry(area.clone()).or_default().push(attainment);
            }
        }
    }
    Ok(by_area)
}

/// Leadership's aim per area.
pub async fn targets(db: &impl ConnectionTrait) -> Result<HashMap<String, u8>> {
    Ok(maturity_target::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.area_key, t.level.clamp(1, 5) as u8))
        .collect())
}

/// Sets (or, with no level, clears) the level leadership aims for in an
/// area (HR and admins). Returns the aims after the change.
pub async fn set_target(
    db: &DatabaseConnection,
    hr: &HrOffice,
    area: &str,
    level: Option<i32>,
) -> Result<HashMap<String, u8>> {
    let actor = hr.by();
    if !AREA_KEYS.contains(&area) {
        return Err(Error::invalid(
            "area",
            format!("unknown area: the areas are {}", AREA_KEYS.join(", ")),
        ));
    }
    let level = level
        .map(|l| {
            i16::try_from(l)
                .ok()
                .filter(|l| (1..=5).contains(l))
                .ok_or_else(|| Error::invalid("level", "is 1 (initial) to 5 (optimising)"))
        })
        .transpose()?;
    let txn = crate::db::begin_write(db).await?;
    let before = maturity_target::Entity::find()
        .filter(maturity_target::Column::AreaKey.eq(area))
        .one(&txn)
        .await?;
    let change = match level {
        Some(level) => {
            // An upsert, so two leaders setting one area at once both succeed
            // and the later write stands.
            maturity_target::Entity::insert(maturity_target::ActiveModel {
                area_key: Set(area.to_owned()),
                level: Set(level),
                set_by: Set(Some(actor.user_id)),
                set_at: Set(crate::clock::now()),
                ..Default::default()
            })
            .on_conflict(
                OnConflict::column(maturity_target::Column::AreaKey)
                    .update_columns([
                        maturity_target::Column::Level,
                        maturity_target::Column::SetBy,
                        maturity_target::Column::SetAt,
                    ])
                    .to_owned(),
            )
            .exec(&txn)
            .await?;
            let after = maturity_target::Entity::find()
                .filter(maturity_target::Column::AreaKey.eq(area))
                .one(&txn)
                .await?
                .ok_or_else(|| {
                    Error::Internal(anyhow::anyhow!("a maturity target just written"))
                })?;
            Some(
                Change::new("maturity_target.set", "maturity_target", after.id)
                    .diff(before.as_ref(), Some(&after)),
            )
        }
        None => match before {
            Some(row) => {
                maturity_target::Entity::delete_by_id(row.id)
                    .exec(&txn)
                    .await?;
                Some(
                    Change::new("maturity_target.clear", "maturity_target", row.id)
                        .diff(Some(&row), None),
                )
            }
            None => None,
        },
    };
    audit::commit(txn, change).await?;
    targets(db).await
}
