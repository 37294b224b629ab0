//! The development-plan API: resolvers parse arguments, call the services
//! and map the answers; the rules live in the services and `progress`.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object};
use chrono::NaiveDate;

mod nodes;

pub use self::nodes::*;
use crate::advancement::graphql::TargetLevelInput;
use crate::auth::policy;
use crate::development::{
    EvidenceKind, GoalInput, GoalKind, GoalStatus, OrganisationDevelopment, Plan,
};
use crate::framework::Framework;
use crate::framework::graphql::View;
use crate::graphql::context::{actor, current_framework, locale, state};
use crate::graphql::date::Date;
use crate::graphql::error::{ApiResult, parse_id};
use crate::graphql::global_id::NodeType;

fn today() -> NaiveDate {
    crate::clock::today()
}

/// A goal to add to a development plan.
#[derive(InputObject)]
pub struct DevelopmentGoalInput {
    /// What the goal is about.
    pub kind: GoalKind,
    /// At most 200 characters.
    pub title: String,
    /// The skill gap it closes.
    pub skill: Option<String>,
    /// The level of `skill` it aims at (1–5).
    pub required_level: Option<i32>,
    /// The KPI's key, for a KPI goal.
    pub kpi: Option<String>,
    /// The certificate's key, for a certification goal.
    pub certification: Option<String>,
    /// A learning resource of the catalogue (not retired).
    pub resource: Option<String>,
    /// The colleague who mentors.
    pub mentor_id: Option<ID>,
    /// The day it is due.
    pub due_on: Date,
}

fn goal_input(g: DevelopmentGoalInput) -> ApiResult<GoalInput> {
    Ok(GoalInput {
        kind: g.kind,
        title: g.title,
        skill: g.skill,
        required_level: g.required_level,
        kpi: g.kpi,
        certification: g.certification,
        resource: g.resource,
        mentor_id: g
            .mentor_id
            .map(|m| parse_id(&m, "mentorId", NodeType::User))
            .transpose()?,
        due_on: g.due_on.into(),
    })
}

async fn fw_view(ctx: &Context<'_>) -> ApiResult<(Arc<Framework>, View)> {
    let fw = current_framework(ctx).await?;
    Ok((fw.clone(), View::new(fw, locale(ctx, None))))
}

/// One plan for `node(id:)`, as `developmentPlan` would show it.
pub(crate) async fn plan_by_id(ctx: &Context<'_>, id: i64) -> ApiResult<DevelopmentPlanNode> {
    let state = state(ctx)?;
    let view = crate::development::plan_in_reach(
        &state.db,
        &state.frameworks,
        actor(ctx)?,
        id,
        today(),
        state.settings.development_check_in_days,
    )
    .await?;
    Ok(DevelopmentPlanNode {
        view,
        fw: fw_view(ctx).await?.1,
    })
}

/// One goal for `node(id:)`, as its plan's `goals` would show it.
pub(crate) async fn goal_by_id(ctx: &Context<'_>, id: i64) -> ApiResult<DevelopmentGoalNode> {
    let state = state(ctx)?;
    let (view, goal) = crate::development::goal_in_reach(
        &state.db,
        &state.frameworks,
        actor(ctx)?,
        id,
        today(),
        state.settings.development_check_in_days,
    )
    .await?;
    Ok(DevelopmentGoalNode {
        gap: view.gaps.get(&goal.id).cloned(),
        today: view.today,
        goal,
        fw: fw_view(ctx).await?.1,
    })
}

async fn plan_node(ctx: &Context<'_>, plan: Plan) -> ApiResult<DevelopmentPlanNode> {
    let state = state(ctx)?;
    let view = crate::development::plan_by_id(
        &state.db,
        &state.frameworks,
        actor(ctx)?,
        plan,
        today(),
        state.settings.development_check_in_days,
    )
    .await?;
    Ok(DevelopmentPlanNode {
        view,
        fw: fw_view(ctx).await?.1,
    })
}

const MAX_GOALS_PER_CALL: usize = crate::development::MAX_GOALS;

fn goal_inputs(goals: Vec<DevelopmentGoalInput>) -> ApiResult<Vec<GoalInput>> {
    if goals.len() > MAX_GOALS_PER_CALL {
        return Err(crate::graphql::error::ApiError::bad_input(
            "goals",
            format!("at most {MAX_GOALS_PER_CALL} goals"),
        ));
    }
    goals.into_iter().map(goal_input).collect()
}

#[derive(Default)]
pub struct DevelopmentQuery;

#[Object]
impl DevelopmentQuery {
    /// A person's open development plan: the person, their managers and HR
    /// read it whole; a colleague named as mentor reads the goals naming them
    /// once the plan is agreed.
    async fn development_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] user_id: ID,
    ) -> ApiResult<Option<DevelopmentPlanNode>> {
        let state = state(ctx)?;
        let user_id = parse_id(&user_id, "userId", NodeType::User)?;
        let view = crate::development::development_plan(
            &state.db,
            &state.frameworks,
            actor(ctx)?,
            user_id,
            today(),
            state.settings.development_check_in_days,
        )
        .await?;
        let Some(view) = view else { return Ok(None) };
        Ok(Some(DevelopmentPlanNode {
            view,
            fw: fw_view(ctx).await?.1,
        }))
    }

    /// The goals of agreed plans naming the caller as mentor.
    async fn mentoring_goals(&self, ctx: &Context<'_>) -> ApiResult<Vec<MentoredGoalNode>> {
        let state = state(ctx)?;
        let goals = crate::development::mentoring_goals(&state.db, actor(ctx)?).await?;
        let fw = fw_view(ctx).await?.1;
        Ok(goals
            .into_iter()
            .map(|(user_id, goal)| MentoredGoalNode {
                user_id,
                goal: DevelopmentGoalNode {
                    goal,
                    gap: None,
                    today: today(),
                    fw: fw.clone(),
                },
            })
            .collect())
    }

    /// A manager's reports (everyone for HR), each with their plan's standing:
    /// goals due in the next 30 days, overdue, done this quarter.
    async fn team_development_plans(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The team's id.")] team_id: Option<ID>,
    ) -> ApiResult<Vec<TeamPlanNode>> {
        let state = state(ctx)?;
        let team_id = team_id
            .map(|t| parse_id(&t, "teamId", NodeType::Team))
            .transpose()?;
        let view = policy::team_views(actor(ctx)?)?;
        let rows = crate::development::team_plans(&state.db, &view, team_id, today()).await?;
        Ok(rows.into_iter().map(TeamPlanNode).collect())
    }

    /// HR: the share of people with an agreed plan, goals done, and per
    /// learning resource whether the people who took it closed the gap at
    /// their next manager rating.
    async fn organisation_development(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<OrganisationDevelopmentNode> {
        let state = state(ctx)?;
        let o: OrganisationDevelopment = crate::development::organisation_development(
            &state.db,
            &policy::hr(actor(ctx)?)?,
            today(),
        )
        .await?;
        let fw = fw_view(ctx).await?.1;
        Ok(OrganisationDevelopmentNode {
            people: o.people as i32,
            with_open_plan: o.with_open_plan as i32,
            with_agreed_plan: o.with_agreed_plan as i32,
            agreed_share: o.agreed_share,
            goals: o.goals as i32,
            goals_done: o.goals_done as i32,
            goals_overdue: o.goals_overdue as i32,
            resources: o
                .resources
                .into_iter()
                .map(|e| effect_node(&fw, e))
                .collect(),
        })
    }
}

#[derive(Default)]
pub struct DevelopmentMutation;

#[Object]
impl DevelopmentMutation {
    /// Starts a draft plan toward a level the path graph reaches (the person,
    /// their managers, HR). One open plan per person.
    async fn create_development_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(
            desc = "The role and level the plan aims at; the framework's paths must lead there from the person's level."
        )]
        target: TargetLevelInput,
        #[graphql(
            desc = "Goals to start with, at most 50; more can be added later.",
            default
        )]
        goals: Vec<DevelopmentGoalInput>,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let user_id = parse_id(&user_id, "userId", NodeType::User)?;
        let goals = goal_inputs(goals)?;
        let plan = crate::development::create_plan(
            &state.db,
            &state.frameworks,
            &policy::write_plan(actor(ctx)?, user_id)?,
            (&target.role, &target.level),
            goals,
            today(),
        )
        .await?;
        plan_node(ctx, plan).await
    }

    /// Drafts a plan from the advice: the route to `target` (or the best next
    /// move) and a goal for each of its actions.
    async fn create_development_plan_from_advice(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(desc = "A role and level to aim for; the best next move when left out.")]
        target: Option<TargetLevelInput>,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let user_id = parse_id(&user_id, "userId", NodeType::User)?;
        let target = target.as_ref().map(|t| (t.role.as_str(), t.level.as_str()));
        let plan = crate::development::create_plan_from_advice(
            &state.db,
            &state.frameworks,
            &policy::write_plan(actor(ctx)?, user_id)?,
            target,
            today(),
            locale(ctx, None),
        )
        .await?;
        plan_node(ctx, plan).await
    }

    /// Adds goals (the plan becomes a draft again: both agree anew).
    async fn add_development_goals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The development plan's id.")] plan_id: ID,
        #[graphql(desc = "Goals to add; at most 50 in a plan.")] goals: Vec<DevelopmentGoalInput>,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let plan_id = parse_id(&plan_id, "planId", NodeType::DevelopmentPlan)?;
        let goals = goal_inputs(goals)?;
        let plan = crate::development::add_goals(
            &state.db,
            &state.frameworks,
            actor(ctx)?,
            plan_id,
            goals,
            today(),
        )
        .await?;
        plan_node(ctx, plan).await
    }

    /// Changes a goal's title or due day (the plan becomes a draft again).
    async fn edit_development_goal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The development goal's id.")] goal_id: ID,
        #[graphql(desc = "A new title, 1 to 200 characters; unchanged when left out.")]
        title: Option<String>,
        #[graphql(desc = "A new due day, not in the past; unchanged when left out.")]
        due_on: Option<Date>,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let goal_id = parse_id(&goal_id, "goalId", NodeType::DevelopmentGoal)?;
        let plan = crate::development::edit_goal(
            &state.db,
            actor(ctx)?,
            goal_id,
            title,
            due_on.map(NaiveDate::from),
            today(),
        )
        .await?;
        plan_node(ctx, plan).await
    }

    /// Moves a goal: planned, in progress, done, dropped (the agreement stands).
    async fn set_development_goal_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The development goal's id.")] goal_id: ID,
        #[graphql(desc = "The new status; DONE records today as the day the goal was reached.")]
        status: GoalStatus,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let goal_id = parse_id(&goal_id, "goalId", NodeType::DevelopmentGoal)?;
        let plan =
            crate::development::set_goal_status(&state.db, actor(ctx)?, goal_id, status, today())
                .await?;
        plan_node(ctx, plan).await
    }

    /// Evidence for a goal: a note (≤ 4,000 characters), an http(s) link
    /// (≤ 2,000), or a completed course, which closes a learning-resource goal.
    async fn add_goal_evidence(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The development goal's id.")] goal_id: ID,
        #[graphql(
            desc = "NOTE, LINK, or COURSE_COMPLETED for a learning-resource goal; CERTIFICATION_EARNED is recorded by the certification service alone."
        )]
        kind: EvidenceKind,
        #[graphql(desc = "A note, needed for NOTE; ≤ 4,000 characters.")] note: Option<String>,
        #[graphql(desc = "An http(s) link for LINK; ≤ 2,000 characters.")] url: Option<String>,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let goal_id = parse_id(&goal_id, "goalId", NodeType::DevelopmentGoal)?;
        let plan = crate::development::add_evidence(
            &state.db,
            actor(ctx)?,
            goal_id,
            kind,
            note,
            url,
            today(),
        )
        .await?;
        plan_node(ctx, plan).await
    }

    /// The person, or a manager above them or HR (the manager's side), agrees the plan
    /// at the revision they read; CONFLICT when it changed since.
    async fn agree_development_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The development plan's id.")] plan_id: ID,
        #[graphql(desc = "The plan's `revision` as the caller read it.")] revision: i32,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let plan_id = parse_id(&plan_id, "planId", NodeType::DevelopmentPlan)?;
        let plan =
            crate::development::agree_plan(&state.db, actor(ctx)?, plan_id, revision, today())
                .await?;
        plan_node(ctx, plan).await
    }

    /// Closes an open plan (finished or abandoned), so a new one can start.
    async fn close_development_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The development plan's id.")] plan_id: ID,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let plan_id = parse_id(&plan_id, "planId", NodeType::DevelopmentPlan)?;
        let plan = crate::development::close_plan(&state.db, actor(ctx)?, plan_id).await?;
        plan_node(ctx, plan).await
    }

    /// Records a check-in on a plan: the day it was held, notes (≤ 4,000
    /// characters) and next steps.
    async fn record_check_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The development plan's id.")] plan_id: ID,
        #[graphql(desc = "The day the check-in was held; not in the future.")] held_on: Date,
        #[graphql(desc = "What was discussed, 1 to 4,000 characters.")] notes: String,
        #[graphql(desc = "What comes next, up to 4,000 characters.")] next_steps: Option<String>,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let plan_id = parse_id(&plan_id, "planId", NodeType::DevelopmentPlan)?;
        let plan = crate::development::record_check_in(
            &state.db,
            actor(ctx)?,
            plan_id,
            held_on.into(),
            notes,
            next_steps,
            today(),
        )
        .await?;
        plan_node(ctx, plan).await
    }

    /// HR: runs the development reminder job now; returns how many reminders were new.
    async fn run_development_reminders(&self, ctx: &Context<'_>) -> ApiResult<i32> {
        let state = state(ctx)?;
        let n = crate::development::run_development_reminders(
            &state.db,
            &policy::hr(actor(ctx)?)?,
            state.settings.development_check_in_days,
            today(),
        )
        .await?;
        Ok(n as i32)
    }
}
