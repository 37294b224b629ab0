//! A cycle's results, person × skill: self, manager and agreed levels, the
//! level required at the person's level and the gap. Read a page of
//! participants at a time (keyset on user id), so a 10,000-person cycle is
//! never in memory at once.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::{Heading, PAGE, Row, Table};
use crate::assessment::AssessmentStatus;
use crate::assessment::find_cycle;
use crate::assessment::profile::{SkillRatings, build_profile};
use crate::auth::policy::{self, PeopleScope};
use crate::auth::{Actor, Locale};
use crate::db::entities::{assessment, cycle_participant, rating, user};
use crate::domain::Proficiency;
use crate::error::Result;
use crate::framework::{Framework, FrameworkStore};

pub const HEADINGS: [Heading; 12] = [
    Heading("employee_id", "工号"),
    Heading("email", "邮箱"),
    Heading("name", "姓名"),
    Heading("career_level", "职级"),
    Heading("area", "能力领域"),
    Heading("skill", "技能"),
    Heading("self", "自评"),
    Heading("manager", "上级评"),
    Heading("agreed", "确认等级"),
    Heading("agreed_basis", "确认依据"),
    Heading("required", "要求等级"),
    Heading("gap", "差距"),
];

#[derive(Debug, FromQueryResult)]
struct Participant {
    user_id: i64,
    job_role: String,
    career_level: String,
    name: String,
    email: String,
    employee_id: Option<String>,
}

#[derive(Debug, FromQueryResult)]
struct RatingRow {
    subject_id: i64,
    kind: String,
    skill_key: String,
    level: i16,
}

/// The participants after `after` that the caller reaches, one page.
async fn participants(
    db: &impl ConnectionTrait,
    cycle_id: i64,
    scope: &PeopleScope,
    after: i64,
) -> Result<Vec<Participant>> {
    use cycle_participant::Column as P;
    let mut query = cycle_participant::Entity::find()
        .select_only()
        .columns([P::UserId, P::JobRole, P::CareerLevel])
        .columns([
            user::Column::Name,
            user::Column::Email,
            user::Column::EmployeeId,
        ])
        .inner_join(user::Entity)
        .filter(P::CycleId.eq(cycle_id))
        .filter(P::UserId.gt(after));
    if let PeopleScope::Only(ids) = scope {
        query = query.filter(P::UserId.is_in(ids.iter().copied()));
    }
    Ok(query
        .order_by_asc(P::UserId)
        .limit(PAGE as u64)
        .into_model::<Participant>()
        .all(db)
        .await?)
}

async fn ratings(
    db: &impl ConnectionTrait,
    cycle_id: i64,
    subjects: &[i64],
) -> Result<HashMap<i64, HashMap<String, SkillRatings>>> {
    let rows = rating::Entity::find()
        .select_only()
        .columns([assessment::Column::SubjectId, assessment::Column::Kind])
        .columns([rating::Column::SkillKey, rating::Column::Level])
        .inner_join(assessment::Entity)
        .filter(assessment::Column::CycleId.eq(cycle_id))
        .filter(assessment::Column::Status.eq(AssessmentStatus::Submitted.as_str()))
        .filter(assessment::Column::SubjectId.is_in(subjects.iter().copied()))
        .into_model::<RatingRow>()
        .all(db)
        .await?;
    let mut by_person: HashMap<i64, HashMap<String, SkillRatings>> = HashMap::new();
    for row in rows {
        let entry = by_person
            .entry(row.subject_id)
            .or_default()
            .entry(row.skill_key)
            .or_default();
        let level = Proficiency::from_stored(row.level).get();
        match row.kind.as_str() {
            "SELF" => entry.self_level = Some(level),
            "MANAGER" => entry.manager_level = Some(level),
            _ => entry.peer_levels.push(level),
        }
    }
    Ok(by_person)
}

fn rows_of(
    fw: &Framework,
    locale: Locale,
    p: &Participant,
    ratings: &HashMap<String, SkillRatings>,
) -> Vec<Row> {
    let profile = build_profile(fw, &p.job_role, &p.career_level, ratings);
    profile
        .lines
        .iter()
        .map(|line| {
            let area = fw
                .area_of(&line.skill)
                .map(|a| a.name.get(locale).to_owned())
                .unwrap_or_else(|| line.area.clone());
            let skill = fw
                .skill(&line.skill)
                .map(|s| s.name.get(locale).to_owned())
                .unwrap_or_else(|| line.skill.clone());
            let basis = match line.basis {
                crate::assessment::profile::AgreedBasis::Manager => "MANAGER",
                crate::assessment::profile::AgreedBasis::SelfOnly => "SELF",
                crate::assessment::profile::AgreedBasis::None => "",
            };
            vec![
                p.employee_id.clone().into(),
                p.email.as_str().into(),
                p.name.as_str().into(),
                p.career_level.as_str().into(),
                area.into(),
                skill.into(),
                line.ratings.self_level.into(),
                line.ratings.manager_level.into(),
                line.agreed.into(),
                basis.into(),
                line.required_current.into(),
                line.gap_current.into(),
            ]
        })
        .collect()
}

/// The results of `cycle_id` for the people the caller follows (themselves
/// and their reports; everyone for HR).
pub async fn cycle_results(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    cycle_id: i64,
    locale: Locale,
) -> Result<Table> {
    let cycle = find_cycle(db, cycle_id).await?;
    let fw: Arc<Framework> = store
        .published_by_id(db, cycle.framework_version_id)
        .await?;
    let scope = policy::work_scope(actor);
    let db = db.clone();
    let name = format!("cycle-{cycle_id}-results");
    Ok(Table::spawn(
        name,
        "results",
        &HEADINGS,
        locale,
        move |tx| async move {
            let mut after = 0;
            loop {
                let page = async {
                    let people = participants(&db, cycle_id, &scope, after).await?;
                    let ids: Vec<i64> = people.iter().map(|p| p.user_id).collect();
                    let by_person = if ids.is_empty() {
                        HashMap::new()
                    } else {
                        ratings(&db, cycle_id, &ids).await?
                    };
                    let empty = HashMap::new();
                    let rows: Vec<Row> = people
                        .iter()
                        .flat_map(|p| {
                            rows_of(&fw, locale, p, by_person.get(&p.user_id).unwrap_or(&empty))
                        })
                        .collect();
                    Ok::<_, crate::error::Error>((ids.last().copied(), ids.len(), rows))
                }
                .await;
                match page {
                    Err(e) => {
                        tracing::error!(error = ?e, cycle_id, "cycle results export failed");
                        let _ = tx.send(Err(e)).await;
                        return;
                    }
                    Ok((last, count, rows)) => {
                        if !rows.is_empty() && tx.send(Ok(rows)).await.is_err() {
                            return; // the client went away
                        }
                        match last {
                            Some(last) if count == PAGE => after = last,
                            _ => return,
                        }
                    }
                }
            }
        },
    ))
}
