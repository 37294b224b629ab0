//! A demo organisation, for a newcomer who wants to see the views full and
//! for benches that need a company-sized database: `skillpath seed demo
//! --people N`.
//!
//! An operations centre (运营中心) with a head, one team per job role of the
//! framework and groups below them, managers at m1, people spread over
//! p1–p4; two closed assessment cycles (self and manager ratings), KPI
//! targets and actuals for the last two finished quarters, and certificates
//! earned, lapsed and in progress. The same `seed` gives the same company.
//! Everything is written in one transaction, a few large statements per
//! table, and only into a database that holds no one but administrators.

use std::collections::HashMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, Set,
};

use crate::db::{self, entities};
use crate::error::{Error, Result};
use crate::framework::Framework;
use crate::kpi::Period;

/// What was created.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoReport {
    pub people: usize,
    pub teams: usize,
    pub cycles: usize,
    pub ratings: usize,
    pub targets: usize,
    pub certificates: usize,
}

/// The most people one run may create.
pub const MAX_PEOPLE: usize = 200_000;
/// Rows per insert statement (PostgreSQL allows 65,535 parameters).
const CHUNK: usize = 1_000;
/// Reports per team lead.
const SPAN: usize = 8;

const TEAMS: [(&str, &str); 6] = [
    ("user_operations", "用户运营"),
    ("content_operations", "内容运营"),
    ("activity_operations", "活动运营"),
    ("community_operations", "社群运营"),
    ("data_operations", "数据运营"),
    ("product_operations", "产品运营"),
];

const GIVEN: [&str; 12] = [
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "婷",
];
const FAMILY: [&str; 10] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];

async fn insert_all<A, E>(txn: &DatabaseTransaction, rows: Vec<A>) -> Result<()>
where
    A: ActiveModelTrait<Entity = E> + Clone + Send,
    E: EntityTrait,
{
    for chunk in rows.chunks(CHUNK) {
        E::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Creates the demo organisation of `people` people (at least 10).
pub async fn seed(
    db: &DatabaseConnection,
    fw: &Framework,
    people: usize,
    seed: u64,
) -> Result<DemoReport> {
    if !(10..=MAX_PEOPLE).contains(&people) {
        return Err(Error::invalid(
            "people",
            format!("between 10 and {MAX_PEOPLE}"),
        ));
    }
    let roles: Vec<(&str, &str)> = TEAMS
        .iter()
        .copied()
        .filter(|(role, _)| fw.role(role).is_some())
        .collect();
    if roles.is_empty() {
        return Err(Error::invalid(
            "framework",
            "none of the operations roles of the default framework is in the current framework",
        ));
    }
    let txn = db::begin_write(db).await?;
    let others = entities::user::Entity::find()
        .filter(entities::user::Column::Role.ne("ADMIN"))
        .count(&txn)
        .await?;
    if others > 0 {
        return Err(Error::Conflict(
            "the demo organisation is for an empty database: people are already here".into(),
        ));
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let now = crate::clock::now();
    let today = now.date_naive();

    // Teams: the centre, one team per role, and groups of SPAN + 1 below each.
    let centre = entities::team::ActiveModel {
        name: Set("运营中心".into()),
        parent_id: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // Everyone but the head, spread over the roles; the first few roles take
    // one more when it does not divide evenly.
    let share =
        |index: usize| (people - 1) / roles.len() + usize::from(index < (people - 1) % roles.len());
    let mut teams = 1;
    let mut team_of_role = HashMap::new();
    for (index, (role, name)) in roles.iter().enumerate() {
        let per_role = share(index);
        let team = entities::team::ActiveModel {
            name: Set((*name).into()),
            parent_id: Set(Some(centre.id)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        teams += 1;
        let groups = per_role.div_ceil(SPAN + 1).max(1);
        let mut group_ids = Vec::new();
        for g in 0..groups {
            let group = entities::team::ActiveModel {
                name: Set(format!("{name}{}组", g + 1)),
                parent_id: Set(Some(team.id)),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            group_ids.push(group.id);
            teams += 1;
        }
        team_of_role.insert(*role, (team.id, group_ids));
    }

    // People: the head, then per role a lead per group and their reports.
    let name = |rng: &mut StdRng| {
        format!(
            "{}{}",
            FAMILY[rng.random_range(0..FAMILY.len())],
            GIVEN[rng.random_range(0..GIVEN.len())]
        )
    };
    let person = |n: usize,
                  name: String,
                  role: &str,
                  level: &str,
                  team: i64,
                  manager: Option<i64>,
                  access: &str,
                  since: NaiveDate| entities::user::ActiveModel {
        email: Set(format!("demo{n:06}@demo.skillpath.example")),
        name: Set(name),
        password_hash: Set(None),
        role: Set(access.into()),
        manager_id: Set(manager),
        team_id: Set(Some(team)),
        locale: Set(Some("zh-CN".into())),
        active: Set(true),
        job_role: Set(Some(role.into())),
        career_level: Set(Some(level.into())),
        level_since: Set(Some(since)),
        employee_id: Set(Some(format!("D{n:06}"))),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let head_name = name(&mut rng);
    let head = person(
        0,
        head_name,
        roles[0].0,
        "m2",
        centre.id,
        None,
        "MANAGER",
        today - Months::new(30),
    )
    .insert(&txn)
    .await?;
    let mut created = 1;
    for (index, (role, _)) in roles.iter().enumerate() {
        let (_, groups) = &team_of_role[role];
        let mut left = share(index);
        for group in groups {
            if left == 0 {
                break;
            }
            let since = today - Months::new(rng.random_range(6..40));
            let lead_name = name(&mut rng);
            let lead = person(
                created,
                lead_name,
                role,
                "m1",
                *group,
                Some(head.id),
                "MANAGER",
                since,
            )
            .insert(&txn)
            .await?;
            created += 1;
            left -= 1;
            let mut reports = Vec::new();
            for _ in 0..SPAN.min(left) {
                let level = ["p1", "p2", "p2", "p3", "p3", "p4"][rng.random_range(0..6)];
                let since = today - Months::new(rng.random_range(3..36));
                let report_name = name(&mut rng);
                reports.push(person(
                    created,
                    report_name,
                    role,
                    level,
                    *group,
                    Some(lead.id),
                    "EMPLOYEE",
                    since,
                ));
                created += 1;
                left -= 1;
            }
            insert_all(&txn, reports).await?;
        }
    }
    let everyone = entities::user::Entity::find()
        .filter(entities::user::Column::Role.ne("ADMIN"))
        .all(&txn)
        .await?;

    // Two closed cycles, a year and half a year ago: self and manager ratings
    // on every skill of each person's role, the manager's a little stricter.
    let mut ratings = 0;
    for (c, months_ago) in [12u32, 6].into_iter().enumerate() {
        let closed = now - Months::new(months_ago);
        let cycle = entities::assessment_cycle::ActiveModel {
            name: Set(format!(
                "{} H{}",
                closed.year(),
                if closed.month() <= 6 { 1 } else { 2 }
            )),
            framework_version_id: Set(fw.version.id),
            status: Set("CLOSED".into()),
            self_due: Set(None),
            manager_due: Set(None),
            created_by: Set(None),
            created_at: Set(closed - Days::new(30)),
            updated_at: Set(closed),
            closed_at: Set(Some(closed)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        insert_all(
            &txn,
            everyone
                .iter()
                .map(|p| entities::cycle_participant::ActiveModel {
                    cycle_id: Set(cycle.id),
                    user_id: Set(p.id),
                    job_role: Set(p.job_role.clone().unwrap_or_default()),
                    career_level: Set(p.career_level.clone().unwrap_or_default()),
                    reviewer_id: Set(p.manager_id),
                })
                .collect(),
        )
        .await?;
        let mut written = Vec::new();
        for p in &everyone {
            for (kind, assessor) in [("SELF", Some(p.id)), ("MANAGER", p.manager_id)] {
                let Some(assessor) = assessor else { continue };
                written.push(entities::assessment::ActiveModel {
                    cycle_id: Set(cycle.id),
                    subject_id: Set(p.id),
                    assessor_id: Set(assessor),
                    kind: Set(kind.into()),
                    revision: Set(1),
                    status: Set("SUBMITTED".into()),
                    submitted_at: Set(Some(closed - Days::new(10))),
                    created_at: Set(closed - Days::new(20)),
                    updated_at: Set(closed - Days::new(10)),
                    ..Default::default()
                });
            }
        }
        insert_all(&txn, written).await?;
        let ids: Vec<(i64, i64, String)> = entities::assessment::Entity::find()
            .select_only()
            .columns([
                entities::assessment::Column::Id,
                entities::assessment::Column::SubjectId,
                entities::assessment::Column::Kind,
            ])
            .filter(entities::assessment::Column::CycleId.eq(cycle.id))
            .into_tuple()
            .all(&txn)
            .await?;
        let by_id: HashMap<i64, &entities::user::Model> =
            everyone.iter().map(|p| (p.id, p)).collect();
        let mut rows = Vec::new();
        for (assessment, subject, kind) in ids {
            let p = by_id[&subject];
            let (Some(role), Some(level)) = (&p.job_role, &p.career_level) else {
                continue;
            };
            let Some(job) = fw.role(role) else { continue };
            for (skill, requirement) in &job.requirements {
                let required = requirement.levels.get(level).copied().unwrap_or(0) as i16;
                // Most people near their level, some above, some short;
                // growth between the two cycles; managers a notch stricter.
                let mut rated = required + rng.random_range(-1..=1) + c as i16;
                if kind == "MANAGER" && rng.random_bool(0.3) {
                    rated -= 1;
                }
                rows.push(entities::rating::ActiveModel {
                    assessment_id: Set(assessment),
                    skill_key: Set(skill.clone()),
                    level: Set(rated.clamp(0, 5)),
                    evidence: Set(None),
                });
            }
        }
        ratings += rows.len();
        insert_all(&txn, rows).await?;
    }

    // KPI targets and actuals for the last two finished quarters.
    let mut targets = Vec::new();
    let mut actuals = Vec::new();
    for period in Period::finished_quarters(today, 2)
        .iter()
        .map(Period::to_string)
    {
        for p in &everyone {
            for (kpi, weight, target) in
                [("new_users", 60, 1000.0), ("retention_rate_30d", 40, 40.0)]
            {
                targets.push(entities::performance_target::ActiveModel {
                    user_id: Set(p.id),
                    period: Set(period.clone()),
                    kpi_key: Set(kpi.into()),
                    weight: Set(weight),
                    target_value: Set(target),
                    threshold_value: Set(Some(target * 0.8)),
                    stretch_value: Set(Some(target * 1.2)),
                    note: Set(None),
                    updated_by: Set(p.manager_id),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                });
                actuals.push(entities::kpi_actual::ActiveModel {
                    user_id: Set(p.id),
                    period: Set(period.clone()),
                    kpi_key: Set(kpi.into()),
                    value: Set((target * rng.random_range(0.6..1.3f64)).round()),
                    note: Set(None),
                    source: Set("CSV".into()),
                    recorded_by: Set(p.manager_id),
                    recorded_at: Set(now),
                    ..Default::default()
                });
            }
        }
    }
    let target_count = targets.len();
    insert_all(&txn, targets).await?;
    insert_all(&txn, actuals).await?;

    // Certificates: what people's levels require, mostly earned and verified,
    // some lapsed, some still in progress.
    let mut records = Vec::new();
    for p in &everyone {
        let (Some(role), Some(level)) = (&p.job_role, &p.career_level) else {
            continue;
        };
        let wanted = fw
            .level(role, level)
            .map(|l| {
                l.certifications
                    .required
                    .iter()
                    .chain(&l.certifications.recommended)
            })
            .into_iter()
            .flatten();
        for key in wanted {
            let roll: f64 = rng.random();
            let earned_on = today - Days::new(rng.random_range(30..900));
            let validity = fw.certification(key).and_then(|c| c.validity_months);
            let (status, progress, earned, expires) = if roll < 0.6 {
                let expires = validity.map(|m| earned_on + Months::new(m));
                ("EARNED", 100, Some(earned_on), expires)
            } else if roll < 0.85 {
                ("IN_PROGRESS", rng.random_range(10..90), None, None)
            } else {
                continue;
            };
            records.push(entities::certification_record::ActiveModel {
                user_id: Set(p.id),
                certification_key: Set(key.clone()),
                status: Set(status.into()),
                progress: Set(progress),
                started_on: Set(Some(earned_on - Days::new(90))),
                target_on: Set(None),
                earned_on: Set(earned),
                expires_on: Set(expires),
                credential: Set(None),
                verified_by: Set(earned.and(Some(head.id))),
                verified_at: Set(earned.map(|_| now)),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
    }
    let certificates = records.len();
    insert_all(&txn, records).await?;
    txn.commit().await?;
    Ok(DemoReport {
        people: everyone.len(),
        teams,
        cycles: 2,
        ratings,
        targets: target_count,
        certificates,
    })
}
