//! Reading plans: one person's plan with the gaps beside it, the goals that
//! name a mentor, a manager's team, HR's organisation view and the
//! training system's effectiveness per learning resource.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, Value,
};

use super::plans::{load_plan, open_plan_id};
use super::progress::{self, GapStatus, ManagerRating, PlanProgress, ResourceEffect, ResourceUse};
use super::{Goal, GoalStatus, Plan, PlanStatus};
use crate::advancement;
use crate::assessment;
use crate::auth::policy::{HrOffice, TeamView};
use crate::auth::{Actor, PlanReach, policy};
use crate::db::Conditions;
use crate::db::entities::{development_goal, development_plan, user};
use crate::domain::Proficiency;
use crate::error::Result;
use crate::framework::FrameworkStore;
use crate::people::{self, PeopleSelection};

/// A plan as one caller reads it.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub plan: Plan,
    pub reach: PlanReach,
    pub progress: PlanProgress,
    /// For goals tied to a skill gap: the gap beside where it stands now.
    pub gaps: HashMap<i64, GapStatus>,
    /// The day the next check-in is due (agreed plans).
    pub next_check_in_on: Option<NaiveDate>,
    pub today: NaiveDate,
}

/// Builds the view of a loaded plan for a caller with `reach`: a mentor sees
/// only the goals naming them and no check-ins.
pub async fn view_plan(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    mut plan: Plan,
    reach: PlanReach,
    today: NaiveDate,
    check_in_days: u32,
) -> Result<PlanView> {
    if let PlanReach::MentorOf(mentor) = reach {
        plan.goals.retain(|g| g.mentor_id == Some(mentor));
        plan.check_ins.clear();
    }
    let confirmed = confirmed_levels(db, store, plan.user_id, today).await?;
    let gaps = plan
        .goals
        .iter()
        .filter_map(|g| {
            let level = g.skill.as_ref().and_then(|s| confirmed.get(s).copied());
            progress::gap_status(g, level).map(|s| (g.id, s))
        })
        .collect();
    let next_check_in_on = (plan.status == PlanStatus::Agreed)
        .then(|| {
            progress::check_in_due_on(
                plan.agreed_on,
                plan.check_ins.iter().map(|c| c.held_on).max(),
                check_in_days,
            )
        })
        .flatten();
    Ok(PlanView {
        progress: progress::plan_progress(&plan.goals, today),
        plan,
        reach,
        gaps,
        next_check_in_on,
        today,
    })
}

/// The levels a manager confirms today, per skill (the advice's evidence rule).
async fn confirmed_levels(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    user_id: i64,
    today: NaiveDate,
) -> Result<HashMap<String, u8>> {
    let fw = store.current(db).await?;
    // `advancement::snapshots` still takes raw conditions (being rewritten).
    let mut one = Conditions::default();
    one.push("u.id = ?", [Value::from(user_id)]);
    let Some(person) = advancement::snapshots(db, &fw, &one, today).await?.pop() else {
        return Ok(HashMap::new());
    };
    Ok(person
        .skills
        .iter()
        .filter_map(|(k, e)| Some((k.clone(), e.confirmed_level()?)))
        .collect())
}

async fn names_as_mentor(db: &impl ConnectionTrait, plan_id: i64, mentor: i64) -> Result<bool> {
    Ok(development_goal::Entity::find()
        .filter(development_goal::Column::PlanId.eq(plan_id))
        .filter(development_goal::Column::MentorId.eq(mentor))
        .one(db)
        .await?
        .is_some())
}

/// The reach of `actor` over a plan. A draft is between the person and
/// their managers: a mentor reads the goals naming them once it is agreed.
pub async fn plan_reach(
    db: &impl ConnectionTrait,
    actor: &Actor,
    plan: &Plan,
) -> Result<PlanReach> {
    let mentor = !policy::can_read_whole_plan(actor, plan.user_id)
        && plan.status != PlanStatus::Draft
        && names_as_mentor(db, plan.id, actor.user_id).await?;
    policy::read_plan(actor, plan.user_id, mentor).map(|reader| reader.reach())
}

/// A person's open plan, as the caller may read it; none when they have none.
pub async fn development_plan(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    user_id: i64,
    today: NaiveDate,
    check_in_days: u32,
) -> Result<Option<PlanView>> {
    let Some(id) = open_plan_id(db, user_id).await? else {
        // Whether a plan exists is itself the person's record.
        policy::view_work(actor, user_id)?;
        return Ok(None);
    };
    let plan = load_plan(db, id).await?;
    let reach = plan_reach(db, actor, &plan).await?;
    Ok(Some(
        view_plan(db, store, plan, reach, today, check_in_days).await?,
    ))
}

/// A plan by id (after a write), as the caller reads it.
pub async fn plan_by_id(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    plan: Plan,
    today: NaiveDate,
    check_in_days: u32,
) -> Result<PlanView> {
    let reach = plan_reach(db, actor, &plan).await?;
    view_plan(db, store, plan, reach, today, check_in_days).await
}

/// Any plan (open or closed) by its id, as the caller may read it.
pub async fn plan_in_reach(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    plan_id: i64,
    today: NaiveDate,
    check_in_days: u32,
) -> Result<PlanView> {
    let plan = load_plan(db, plan_id).await?;
    plan_by_id(db, store, actor, plan, today, check_in_days).await
}

/// One goal, with the view of its plan, as the caller may read it: a mentor
/// reaches only the goals naming them.
pub async fn goal_in_reach(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    goal_id: i64,
    today: NaiveDate,
    check_in_days: u32,
) -> Result<(PlanView, Goal)> {
    let plan_id = super::goals::goal_row(db, goal_id).await?.plan_id;
    let view = plan_in_reach(db, store, actor, plan_id, today, check_in_days).await?;
    let goal = view
        .plan
        .goals
        .iter()
        .find(|g| g.id == goal_id)
        .cloned()
        .ok_or(crate::error::Error::NotFound("development goal"))?;
    Ok((view, goal))
}

/// The goals of agreed plans naming the caller as mentor, with whose plan they are in.
pub async fn mentoring_goals(db: &DatabaseConnection, actor: &Actor) -> Result<Vec<(i64, Goal)>> {
    let goals = development_goal::Entity::find()
        .filter(development_goal::Column::MentorId.eq(actor.user_id))
        .order_by_asc(development_goal::Column::DueOn)
        .all(db)
        .await?;
    let plan_ids: Vec<i64> = goals.iter().map(|g| g.plan_id).collect();
    let plans: HashMap<i64, i64> = development_plan::Entity::find()
        .filter(development_plan::Column::Id.is_in(plan_ids))
        .filter(development_plan::Column::OpenSlot.is_not_null())
        .filter(development_plan::Column::Status.eq(PlanStatus::Agreed.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.user_id))
        .collect();
    goals
        .into_iter()
        .filter_map(|g| Some((*plans.get(&g.plan_id)?, g)))
        .map(|(user, g)| Ok((user, Goal::try_from(g)?)))
        .collect()
}

/// One person in a manager's team view.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamPlanRow {
    pub user_id: i64,
    pub plan_id: Option<i64>,
    pub status: Option<PlanStatus>,
    pub target: Option<(String, String)>,
    pub progress: PlanProgress,
    /// Open goals due within the next 30 days.
    pub due_soon: u32,
    pub overdue: u32,
    /// Goals done since the start of the quarter.
    pub done_this_quarter: u32,
}

/// Days ahead a goal counts as "due soon" in the team view.
pub const DUE_SOON_DAYS: u64 = 30;

async fn open_plans_of(
    db: &impl ConnectionTrait,
    people: &[i64],
) -> Result<(Vec<development_plan::Model>, HashMap<i64, Vec<Goal>>)> {
    if people.is_empty() {
        return Ok((Vec::new(), HashMap::new()));
    }
    let plans = development_plan::Entity::find()
        .filter(development_plan::Column::UserId.is_in(people.iter().copied()))
        .filter(development_plan::Column::OpenSlot.is_not_null())
        .all(db)
        .await?;
    let ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
    let mut goals: HashMap<i64, Vec<Goal>> = HashMap::new();
    for g in development_goal::Entity::find()
        .filter(development_goal::Column::PlanId.is_in(ids))
        .all(db)
        .await?
    {
        let g = Goal::try_from(g)?;
        goals.entry(g.plan_id).or_default().push(g);
    }
    Ok((plans, goals))
}

/// The caller's reports (everyone for HR), each with their open plan's
/// standing: a fixed number of statements whatever the team's size.
pub async fn team_plans(
    db: &DatabaseConnection,
    view: &TeamView,
    team_id: Option<i64>,
    today: NaiveDate,
) -> Result<Vec<TeamPlanRow>> {
    let selection = PeopleSelection {
        team_id,
        except: view.leaves_out(),
        ..PeopleSelection::default()
    };
    let ids = people::people_ids(db, &view.scope(), &selection).await?;
    let (plans, mut goals) = open_plans_of(db, &ids).await?;
    let by_user: HashMap<i64, &development_plan::Model> =
        plans.iter().map(|p| (p.user_id, p)).collect();
    let quarter = progress::quarter_start(today);
    let soon = today
        .checked_add_days(Days::new(DUE_SOON_DAYS))
        .unwrap_or(today);
    ids.into_iter()
        .map(|user_id| {
            let Some(plan) = by_user.get(&user_id) else {
                return Ok(TeamPlanRow {
                    user_id,
                    plan_id: None,
                    status: None,
                    target: None,
                    progress: PlanProgress::default(),
                    due_soon: 0,
                    overdue: 0,
                    done_this_quarter: 0,
                });
            };
            let goals = goals.remove(&plan.id).unwrap_or_default();
            let p = progress::plan_progress(&goals, today);
            Ok(TeamPlanRow {
                user_id,
                plan_id: Some(plan.id),
                status: Some(PlanStatus::from_stored(&plan.status)?),
                target: Some((plan.target_role.clone(), plan.target_level.clone())),
                due_soon: goals
                    .iter()
                    .filter(|g| g.status.is_active() && g.due_on >= today && g.due_on <= soon)
                    .count() as u32,
                overdue: p.overdue,
                done_this_quarter: goals
                    .iter()
                    .filter(|g| {
                        g.status == GoalStatus::Done && g.done_on.is_some_and(|d| d >= quarter)
                    })
                    .count() as u32,
                progress: p,
            })
        })
        .collect()
}

/// HR's organisation view of development plans.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganisationDevelopment {
    /// Active people with a position in the framework.
    pub people: u32,
    pub with_open_plan: u32,
    pub with_agreed_plan: u32,
    /// with_agreed_plan / people, percent.
    pub agreed_share: Option<f64>,
    pub goals: u32,
    pub goals_done: u32,
    pub goals_overdue: u32,
    /// Per learning resource planned anywhere, open or closed plans.
    pub resources: Vec<ResourceEffect>,
}

#[derive(FromQueryResult)]
struct UseRow {
    user_id: i64,
    resource_key: String,
    skill_key: Option<String>,
    required_level: Option<i16>,
    status: String,
    created_at: DateTime<Utc>,
}

pub async fn organisation_development(
    db: &DatabaseConnection,
    _hr: &HrOffice,
    today: NaiveDate,
) -> Result<OrganisationDevelopment> {
    let everyone = people::people_condition(
        db,
        &policy::PeopleScope::Everyone,
        &PeopleSelection::default(),
    )
    .await?;
    let placed: Vec<i64> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(everyone)
        .filter(user::Column::JobRole.is_not_null())
        .filter(user::Column::CareerLevel.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let (plans, goals) = open_plans_of(db, &placed).await?;
    let agreed = plans
        .iter()
        .filter(|p| p.status == PlanStatus::Agreed.as_str())
        .count() as u32;
    let all_goals: Vec<&Goal> = goals.values().flatten().collect();
    let people = placed.len() as u32;

    // Effectiveness reads every plan (closed ones too): a course taken in
    // last year's plan still says something about the course.
    use development_goal::Column as G;
    let uses: Vec<ResourceUse> = development_goal::Entity::find()
        .select_only()
        .column(development_plan::Column::UserId)
        .columns([
            G::ResourceKey,
            G::SkillKey,
            G::RequiredLevel,
            G::Status,
            G::CreatedAt,
        ])
        .inner_join(development_plan::Entity)
        .filter(G::ResourceKey.is_not_null())
        .order_by_asc(G::Id)
        .into_model::<UseRow>()
        .all(db)
        .await?
        .into_iter()
        .map(|r| {
            Ok(ResourceUse {
                resource: r.resource_key,
                user_id: r.user_id,
                skill: r.skill_key,
                required: r.required_level.map(|l| Proficiency::from_stored(l).get()),
                status: GoalStatus::from_stored(&r.status)?,
                planned_at: r.created_at,
            })
        })
        .collect::<Result<_>>()?;
    let users: Vec<i64> = uses
        .iter()
        .map(|u| u.user_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let ratings: Vec<ManagerRating> = assessment::manager_ratings_of(db, &users)
        .await?
        .into_iter()
        .map(|r| ManagerRating {
            user_id: r.subject_id,
            skill: r.skill_key,
            level: Proficiency::from_stored(r.level).get(),
            cycle_opened: r.cycle_opened,
        })
        .collect();
    Ok(OrganisationDevelopment {
        people,
        with_open_plan: plans.len() as u32,
        with_agreed_plan: agreed,
        agreed_share: (people > 0)
            .then(|| (f64::from(agreed) / f64::from(people) * 1000.0).round() / 10.0),
        goals: all_goals.len() as u32,
        goals_done: all_goals
            .iter()
            .filter(|g| g.status == GoalStatus::Done)
            .count() as u32,
        goals_overdue: all_goals
            .iter()
            .filter(|g| progress::is_overdue(g.status, g.due_on, today))
            .count() as u32,
        resources: progress::effectiveness(&uses, &ratings),
    })
}

/// The skill goals of a person's plans made before `before` (a cycle's
/// opening): what the cycle can say closed or not. The caller has checked
/// reach (the skill profile's).
pub async fn goals_planned_before(
    db: &impl ConnectionTrait,
    user_id: i64,
    before: DateTime<Utc>,
) -> Result<Vec<Goal>> {
    let plan_ids: Vec<i64> = development_plan::Entity::find()
        .filter(development_plan::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    if plan_ids.is_empty() {
        return Ok(Vec::new());
    }
    development_goal::Entity::find()
        .filter(development_goal::Column::PlanId.is_in(plan_ids))
        .filter(development_goal::Column::SkillKey.is_not_null())
        .filter(development_goal::Column::CreatedAt.lt(before))
        .order_by_asc(development_goal::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Goal::try_from)
        .collect()
}

/// The gaps a plan targeted before a cycle opened, against that cycle's
/// manager ratings (`manager_levels`, from the skill profile, whose reach
/// the caller has checked).
pub async fn planned_gaps_in_cycle(
    db: &impl ConnectionTrait,
    user_id: i64,
    cycle_opened: DateTime<Utc>,
    manager_levels: &HashMap<String, u8>,
) -> Result<Vec<progress::PlannedGap>> {
    let goals = goals_planned_before(db, user_id, cycle_opened).await?;
    Ok(progress::planned_gaps(&goals, manager_levels))
}
