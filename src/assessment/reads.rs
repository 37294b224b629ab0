//! Reading results. Each query is a fixed number of set-based SQL statements,
//! whatever the size of the team or cycle.

use std::collections::HashMap;

use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, JoinType,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait, Select,
};

use super::profile::{self, DivergenceKind, MemberLevels, Profile, SkillRatings, TeamMatrix};
use super::{
    Assessment, AssessmentKind, AssessmentStatus, Cycle, Participant, Rating, find_cycle,
    latest_cycle_of, participant,
};
use crate::auth::Actor;
use crate::auth::policy::{self, AssessmentReach, TeamView, WorkReader};
use crate::db::entities::{assessment, assessment_cycle, cycle_participant, rating, user};
use crate::domain::Proficiency;
use crate::error::{Error, Result};
use crate::framework::FrameworkStore;
use crate::people;

#[derive(Debug, FromQueryResult)]
struct SubmittedRating {
    subject_id: i64,
    kind: String,
    skill_key: String,
    level: i16,
}

/// Ratings joined to their submitted assessments, selecting nothing yet.
fn submitted_ratings_query() -> Select<rating::Entity> {
    rating::Entity::find()
        .select_only()
        .inner_join(assessment::Entity)
        .filter(assessment::Column::Status.eq(AssessmentStatus::Submitted.as_str()))
}

/// The submitted ratings of a cycle, optionally for one subject: one statement.
async fn submitted_ratings(
    db: &impl ConnectionTrait,
    cycle_id: i64,
    subject: Option<i64>,
) -> Result<Vec<SubmittedRating>> {
    let mut query = submitted_ratings_query()
        .column(assessment::Column::SubjectId)
        .column(assessment::Column::Kind)
        .column(rating::Column::SkillKey)
        .column(rating::Column::Level)
        .filter(assessment::Column::CycleId.eq(cycle_id));
    if let Some(subject) = subject {
        query = query.filter(assessment::Column::SubjectId.eq(subject));
    }
    Ok(query.into_model::<SubmittedRating>().all(db).await?)
}

fn by_skill(rows: &[SubmittedRating]) -> HashMap<String, SkillRatings> {
    let mut map: HashMap<String, SkillRatings> = HashMap::new();
    for row in rows {
        let entry = map.entry(row.skill_key.clone()).or_default();
        let level = Proficiency::from_stored(row.level).get();
        match row.kind.as_str() {
            "SELF" => entry.self_level = Some(level),
            "MANAGER" => entry.manager_level = Some(level),
            _ => entry.peer_levels.push(level),
        }
    }
    map
}

pub struct SkillProfile {
    pub cycle: Cycle,
    pub participant: Participant,
    pub framework: std::sync::Arc<crate::framework::Framework>,
    pub profile: Profile,
}

/// A person's skill profile in a cycle (the latest they take part in by default).
pub async fn skill_profile(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    user_id: i64,
    cycle_id: Option<i64>,
) -> Result<SkillProfile> {
    policy::view_work(actor, user_id)?;
    let cycle = match cycle_id {
        Some(id) => find_cycle(db, id).await?,
        None => latest_cycle_of(db, user_id).await?,
    };
    let participant = participant(db, cycle.id, user_id).await?;
    let framework = store
        .published_by_id(db, cycle.framework_version_id)
        .await?;
    let ratings = by_skill(&submitted_ratings(db, cycle.id, Some(user_id)).await?);
    let profile = profile::build_profile(
        &framework,
        &participant.job_role,
        &participant.career_level,
        &ratings,
    );
    Ok(SkillProfile {
        cycle,
        participant,
        framework,
        profile,
    })
}

/// The assessments of `subject_id` in a cycle that the caller may read: their
/// own (any status) for the person, submitted ones for the person's managers
/// and HR, and only their own for a peer.
pub async fn assessments_of(
    db: &DatabaseConnection,
    actor: &Actor,
    cycle_id: i64,
    subject_id: i64,
) -> Result<Vec<Assessment>> {
    let can_see_person = policy::assessments_reach(actor, subject_id) == AssessmentReach::All;
    let mut query = assessment::Entity::find()
        .filter(assessment::Column::CycleId.eq(cycle_id))
        .filter(assessment::Column::SubjectId.eq(subject_id))
        .order_by_asc(assessment::Column::Id);
    query = if can_see_person {
        // Drafts are their author's private work: others see what was submitted.
        query.filter(
            sea_orm::Condition::any()
                .add(assessment::Column::AssessorId.eq(actor.user_id))
                .add(assessment::Column::Status.ne(AssessmentStatus::Draft.as_str())),
        )
    } else {
        // A peer sees only what they wrote.
        query.filter(assessment::Column::AssessorId.eq(actor.user_id))
    };
    let rows = query.all(db).await?;
    if rows.is_empty() && !can_see_person {
        return Err(Error::Forbidden("you cannot see this person's assessments"));
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let ratings = rating::Entity::find()
        .filter(rating::Column::AssessmentId.is_in(ids))
        .order_by_asc(rating::Column::SkillKey)
        .all(db)
        .await?;
    let mut by_assessment: HashMap<i64, Vec<Rating>> = HashMap::new();
    for r in ratings {
        by_assessment
            .entry(r.assessment_id)
            .or_default()
            .push(Rating {
                skill: r.skill_key,
                level: Proficiency::from_stored(r.level).get(),
                evidence: r.evidence,
            });
    }
    rows.into_iter()
        .map(|row| {
            Ok(Assessment {
                id: row.id,
                cycle_id: row.cycle_id,
                subject_id: row.subject_id,
                assessor_id: row.assessor_id,
                kind: row.kind.parse::<AssessmentKind>()?,
                revision: row.revision,
                status: row.status.parse()?,
                submitted_at: row.submitted_at,
                updated_at: row.updated_at,
                ratings: by_assessment.remove(&row.id).unwrap_or_default(),
            })
        })
        .collect()
}

/// One assessment, if the caller may read it: it is looked up among
/// `assessments_of` its cycle and person, so drafts and peer input follow
/// exactly the rules of that list.
pub async fn assessment_in_reach(
    db: &DatabaseConnection,
    actor: &Actor,
    assessment_id: i64,
) -> Result<Assessment> {
    let row = assessment::Entity::find_by_id(assessment_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("assessment"))?;
    assessments_of(db, actor, row.cycle_id, row.subject_id)
        .await?
        .into_iter()
        .find(|a| a.id == assessment_id)
        .ok_or(Error::NotFound("assessment"))
}

#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    pub user_id: i64,
    pub skill: String,
    pub self_level: u8,
    pub manager_level: u8,
    pub kind: DivergenceKind,
}

/// Where self and manager ratings differ by two levels or more: the whole
/// cycle for HR, their reports for a manager.
pub async fn cycle_divergence(
    db: &DatabaseConnection,
    view: &TeamView,
    cycle_id: i64,
) -> Result<Vec<Divergence>> {
    // A team view, like the team matrix: an employee without reports is
    // refused rather than shown an empty list.
    find_cycle(db, cycle_id).await?;
    let managed = view.scope();
    let rows = submitted_ratings(db, cycle_id, None).await?;
    // (subject, skill) → (self level, manager level)
    type Pair = (Option<u8>, Option<u8>);
    let mut pairs: HashMap<(i64, &str), Pair> = HashMap::new();
    for row in &rows {
        let entry = pairs
            .entry((row.subject_id, row.skill_key.as_str()))
            .or_default();
        let level = Proficiency::from_stored(row.level).get();
        match row.kind.as_str() {
            "SELF" => entry.0 = Some(level),
            "MANAGER" => entry.1 = Some(level),
            _ => {}
        }
    }
    let mut list: Vec<Divergence> = pairs
        .into_iter()
        .filter(|((user, _), _)| managed.contains(*user))
        .filter_map(|((user_id, skill), (s, m))| {
            let (s, m) = (s?, m?);
            Some(Divergence {
                user_id,
                skill: skill.to_owned(),
                self_level: s,
                manager_level: m,
                kind: profile::divergence(s, m)?,
            })
        })
        .collect();
    list.sort_by(|a, b| (a.user_id, &a.skill).cmp(&(b.user_id, &b.skill)));
    Ok(list)
}

#[derive(Debug, FromQueryResult)]
struct MemberRow {
    user_id: i64,
    job_role: String,
    career_level: String,
}

pub struct TeamSkillMatrix {
    pub cycle: Cycle,
    pub framework: std::sync::Arc<crate::framework::Framework>,
    pub matrix: TeamMatrix,
}

/// People × skills for a team (with its sub-teams) in a cycle: agreed levels,
/// requirements and gaps, with coverage per skill. Five statements in all:
/// the cycle, the team tree, its members, their manager ratings, and (once
/// per version) the framework.
pub async fn team_skill_matrix(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    team_id: i64,
    cycle_id: i64,
) -> Result<TeamSkillMatrix> {
    let view = policy::team_views(actor)?;
    let cycle = find_cycle(db, cycle_id).await?;
    let teams = people::team_subtree(db, team_id).await?;
    if teams.is_empty() {
        return Err(Error::NotFound("team"));
    }
    let mut members = cycle_participant::Entity::find()
        .select_only()
        .column(cycle_participant::Column::UserId)
        .column(cycle_participant::Column::JobRole)
        .column(cycle_participant::Column::CareerLevel)
        .inner_join(user::Entity)
        .filter(cycle_participant::Column::CycleId.eq(cycle_id))
        .filter(user::Column::TeamId.is_in(teams.iter().copied()))
        .order_by_asc(user::Column::Name)
        .order_by_asc(cycle_participant::Column::UserId)
        .into_model::<MemberRow>()
        .all(db)
        .await?;
    let managed = view.scope();
    let before = members.len();
    members.retain(|m| managed.contains(m.user_id));
    if members.is_empty() && before > 0 {
        return Err(Error::Forbidden("this team is not yours"));
    }
    // Only members' ratings are read below; the team filter keeps the
    // statement one and its size independent of the team's.
    let in_teams = Query::select()
        .column(user::Column::Id)
        .from(user::Entity)
        .and_where(user::Column::TeamId.is_in(teams.iter().copied()))
        .to_owned();
    let ratings = submitted_ratings_query()
        .column(assessment::Column::SubjectId)
        .column(assessment::Column::Kind)
        .column(rating::Column::SkillKey)
        .column(rating::Column::Level)
        .filter(assessment::Column::CycleId.eq(cycle_id))
        .filter(assessment::Column::Kind.eq(AssessmentKind::Manager.as_str()))
        .filter(assessment::Column::SubjectId.in_subquery(in_teams))
        .into_model::<SubmittedRating>()
        .all(db)
        .await?;
    let mut agreed: HashMap<i64, HashMap<String, u8>> = HashMap::new();
    for r in ratings {
        agreed
            .entry(r.subject_id)
            .or_default()
            .insert(r.skill_key, Proficiency::from_stored(r.level).get());
    }
    let framework = store
        .published_by_id(db, cycle.framework_version_id)
        .await?;
    let empty = HashMap::new();
    let levels: Vec<MemberLevels<'_>> = members
        .iter()
        .map(|m| MemberLevels {
            user_id: m.user_id,
            role: &m.job_role,
            level: &m.career_level,
            agreed: agreed.get(&m.user_id).unwrap_or(&empty),
        })
        .collect();
    let matrix = profile::team_matrix(&framework, &levels);
    Ok(TeamSkillMatrix {
        cycle,
        framework,
        matrix,
    })
}

#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct TrendPoint {
    pub cycle_id: i64,
    pub skill_key: String,
    pub level: i16,
}

/// A person's agreed (manager) level per skill across cycles, oldest first.
pub async fn skill_trend(db: &DatabaseConnection, reader: &WorkReader) -> Result<Vec<TrendPoint>> {
    let user_id = reader.subject();
    Ok(submitted_ratings_query()
        .column(assessment::Column::CycleId)
        .column(rating::Column::SkillKey)
        .column(rating::Column::Level)
        .filter(assessment::Column::SubjectId.eq(user_id))
        .filter(assessment::Column::Kind.eq(AssessmentKind::Manager.as_str()))
        .order_by_asc(assessment::Column::CycleId)
        .order_by_asc(rating::Column::SkillKey)
        .into_model::<TrendPoint>()
        .all(db)
        .await?)
}

/// One submitted manager rating, with when its cycle opened.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct DatedManagerRating {
    pub subject_id: i64,
    pub skill_key: String,
    pub level: i16,
    /// When the rating's cycle was opened.
    pub cycle_opened: chrono::DateTime<chrono::Utc>,
}

/// Every submitted manager rating of `people` (for the development plans'
/// effectiveness view: what the next rating after a course said). One
/// statement; no authorization here, the caller decided.
pub async fn manager_ratings_of(
    db: &impl ConnectionTrait,
    people: &[i64],
) -> Result<Vec<DatedManagerRating>> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    Ok(submitted_ratings_query()
        .column(assessment::Column::SubjectId)
        .column(rating::Column::SkillKey)
        .column(rating::Column::Level)
        .column_as(assessment_cycle::Column::CreatedAt, "cycle_opened")
        .join(
            JoinType::InnerJoin,
            assessment::Relation::AssessmentCycle.def(),
        )
        .filter(assessment::Column::Kind.eq(AssessmentKind::Manager.as_str()))
        .filter(assessment::Column::SubjectId.is_in(people.iter().copied()))
        .order_by_asc(assessment_cycle::Column::CreatedAt)
        .order_by_asc(assessment::Column::Id)
        .into_model::<DatedManagerRating>()
        .all(db)
        .await?)
}
