//! The development-plan API: resolvers parse arguments, call the services
//! and map the answers; the rules live in the services and `progress`.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::progress::{GapOutcome, GapStatus, PlanProgress, ResourceEffect};
use super::{
    CheckIn, EvidenceKind, Goal, GoalInput, GoalKind, GoalStatus, OrganisationDevelopment, Plan,
    PlanStatus, PlanView, TeamPlanRow,
};
use crate::advancement::graphql::TargetLevelInput;
use crate::advancement::scoring::ActionKind;
use crate::auth::PlanReach;
use crate::framework::Framework;
use crate::framework::graphql::{
    CareerLevelNode, CertificationNode, LearningResourceNode, SkillNode, View,
};
use crate::graphql::context::{actor, current_framework, locale, state};
use crate::graphql::error::{ApiResult, parse_id};
use crate::graphql::loaders::Loaders;
use crate::people::graphql::User;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

async fn load_user(ctx: &Context<'_>, id: Option<i64>) -> ApiResult<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    Ok(ctx.data::<Loaders>()?.person.load_one(id).await?.map(User))
}

pub struct DevelopmentPlanNode {
    view: PlanView,
    fw: View,
}

#[Object(name = "DevelopmentPlan")]
impl DevelopmentPlanNode {
    async fn id(&self) -> ID {
        ID(self.view.plan.id.to_string())
    }
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        load_user(ctx, Some(self.view.plan.user_id)).await
    }
    /// The move the plan works toward.
    async fn target_role(&self) -> &str {
        &self.view.plan.target_role
    }
    async fn target_level(&self) -> &str {
        &self.view.plan.target_level
    }
    async fn target(&self) -> Option<CareerLevelNode> {
        let p = &self.view.plan;
        self.fw
            .level(&format!("{}/{}", p.target_role, p.target_level))
    }
    async fn status(&self) -> PlanStatus {
        self.view.plan.status
    }
    /// Bumped by every change of content; agreeing names the revision read.
    async fn revision(&self) -> i32 {
        self.view.plan.revision
    }
    async fn created_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        load_user(ctx, self.view.plan.created_by).await
    }
    /// When the person agreed the current revision; null when they have not.
    async fn person_agreed_at(&self) -> Option<DateTime<Utc>> {
        self.view.plan.current_agreements().0.map(|a| a.at)
    }
    /// The manager (or HR) who agreed the current revision.
    async fn manager_agreed_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        load_user(ctx, self.view.plan.current_agreements().1.map(|a| a.by)).await
    }
    async fn manager_agreed_at(&self) -> Option<DateTime<Utc>> {
        self.view.plan.current_agreements().1.map(|a| a.at)
    }
    /// The day both last agreed it.
    async fn agreed_on(&self) -> Option<NaiveDate> {
        self.view.plan.agreed_on
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.view.plan.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.view.plan.updated_at
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.view.plan.closed_at
    }
    /// True when the caller reads the plan as a mentor: only the goals naming them.
    async fn mentor_view(&self) -> bool {
        matches!(self.view.reach, PlanReach::MentorOf(_))
    }
    async fn progress(&self) -> PlanProgressNode {
        self.view.progress.into()
    }
    async fn goals(&self) -> Vec<DevelopmentGoalNode> {
        self.view
            .plan
            .goals
            .iter()
            .map(|g| DevelopmentGoalNode {
                goal: g.clone(),
                gap: self.view.gaps.get(&g.id).cloned(),
                today: self.view.today,
                fw: self.fw.clone(),
            })
            .collect()
    }
    /// Newest first.
    async fn check_ins(&self) -> Vec<CheckInNode> {
        self.view
            .plan
            .check_ins
            .iter()
            .cloned()
            .map(CheckInNode)
            .collect()
    }
    /// When the next check-in is due (agreed plans).
    async fn next_check_in_on(&self) -> Option<NaiveDate> {
        self.view.next_check_in_on
    }
}

#[derive(SimpleObject)]
#[graphql(name = "PlanProgress")]
pub struct PlanProgressNode {
    goals: i32,
    done: i32,
    dropped: i32,
    open: i32,
    overdue: i32,
    /// Done over the goals not dropped, percent.
    percent: Option<f64>,
}

impl From<PlanProgress> for PlanProgressNode {
    fn from(p: PlanProgress) -> Self {
        Self {
            goals: p.goals as i32,
            done: p.done as i32,
            dropped: p.dropped as i32,
            open: p.open as i32,
            overdue: p.overdue as i32,
            percent: p.percent,
        }
    }
}

/// The gap a goal was meant to close, beside where it stands now.
#[derive(SimpleObject)]
pub struct GoalGap {
    skill_key: String,
    required: i32,
    /// The level known when the goal was planned.
    baseline: Option<i32>,
    /// The latest manager-confirmed level.
    current: Option<i32>,
    closed: bool,
}

impl From<GapStatus> for GoalGap {
    fn from(g: GapStatus) -> Self {
        Self {
            skill_key: g.skill,
            required: g.required.into(),
            baseline: g.baseline.map(i32::from),
            current: g.current.map(i32::from),
            closed: g.closed,
        }
    }
}

pub struct DevelopmentGoalNode {
    goal: Goal,
    gap: Option<GapStatus>,
    today: NaiveDate,
    fw: View,
}

#[Object(name = "DevelopmentGoal")]
impl DevelopmentGoalNode {
    async fn id(&self) -> ID {
        ID(self.goal.id.to_string())
    }
    async fn kind(&self) -> GoalKind {
        self.goal.kind
    }
    async fn title(&self) -> &str {
        &self.goal.title
    }
    /// The advice action it was drafted from.
    async fn source_action(&self) -> Option<ActionKind> {
        self.goal.source_action
    }
    async fn skill_key(&self) -> Option<&str> {
        self.goal.skill.as_deref()
    }
    async fn skill(&self) -> Option<SkillNode> {
        self.fw.skill(self.goal.skill.as_deref()?)
    }
    async fn required_level(&self) -> Option<i32> {
        self.goal.required_level.map(i32::from)
    }
    async fn baseline_level(&self) -> Option<i32> {
        self.goal.baseline_level.map(i32::from)
    }
    async fn kpi_key(&self) -> Option<&str> {
        self.goal.kpi.as_deref()
    }
    async fn certification_key(&self) -> Option<&str> {
        self.goal.certification.as_deref()
    }
    async fn certification(&self) -> Option<CertificationNode> {
        self.fw.certification(self.goal.certification.as_deref()?)
    }
    async fn resource_key(&self) -> Option<&str> {
        self.goal.resource.as_deref()
    }
    /// The learning resource, retired or not (retired ones stay readable).
    async fn resource(&self) -> Option<LearningResourceNode> {
        let key = self.goal.resource.as_deref()?;
        let i = self
            .fw
            .framework()
            .doc
            .learning_resources
            .iter()
            .position(|r| r.key == key)?;
        Some(LearningResourceNode(self.fw.clone(), i))
    }
    async fn mentor(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        load_user(ctx, self.goal.mentor_id).await
    }
    async fn due_on(&self) -> NaiveDate {
        self.goal.due_on
    }
    async fn status(&self) -> GoalStatus {
        self.goal.status
    }
    async fn done_on(&self) -> Option<NaiveDate> {
        self.goal.done_on
    }
    /// Still open after its due day.
    async fn overdue(&self) -> bool {
        super::progress::is_overdue(self.goal.status, self.goal.due_on, self.today)
    }
    /// For a goal tied to a skill gap with a required level.
    async fn gap(&self) -> Option<GoalGap> {
        self.gap.clone().map(Into::into)
    }
    async fn evidence(&self) -> Vec<GoalEvidenceNode> {
        self.goal
            .evidence
            .iter()
            .cloned()
            .map(GoalEvidenceNode)
            .collect()
    }
}

pub struct GoalEvidenceNode(super::Evidence);

#[Object(name = "GoalEvidence")]
impl GoalEvidenceNode {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn kind(&self) -> EvidenceKind {
        self.0.kind
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
    /// The certification record that closed the goal.
    async fn certification_record_id(&self) -> Option<ID> {
        self.0.certification_record_id.map(|i| ID(i.to_string()))
    }
    /// Null when recorded by the system (an earned certification).
    async fn recorded_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        load_user(ctx, self.0.recorded_by).await
    }
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

pub struct CheckInNode(CheckIn);

#[Object(name = "CheckIn")]
impl CheckInNode {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn held_on(&self) -> NaiveDate {
        self.0.held_on
    }
    async fn notes(&self) -> &str {
        &self.0.notes
    }
    async fn next_steps(&self) -> Option<&str> {
        self.0.next_steps.as_deref()
    }
    async fn recorded_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        load_user(ctx, self.0.recorded_by).await
    }
}

pub struct MentoredGoalNode {
    user_id: i64,
    goal: DevelopmentGoalNode,
}

#[Object(name = "MentoredGoal")]
impl MentoredGoalNode {
    /// Whose plan the goal is in.
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        load_user(ctx, Some(self.user_id)).await
    }
    async fn goal(&self) -> &DevelopmentGoalNode {
        &self.goal
    }
}

pub struct TeamPlanNode(TeamPlanRow);

#[Object(name = "TeamDevelopmentPlan")]
impl TeamPlanNode {
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        load_user(ctx, Some(self.0.user_id)).await
    }
    async fn plan_id(&self) -> Option<ID> {
        self.0.plan_id.map(|i| ID(i.to_string()))
    }
    /// Null when the person has no open plan.
    async fn status(&self) -> Option<PlanStatus> {
        self.0.status
    }
    async fn target_role(&self) -> Option<&str> {
        self.0.target.as_ref().map(|t| t.0.as_str())
    }
    async fn target_level(&self) -> Option<&str> {
        self.0.target.as_ref().map(|t| t.1.as_str())
    }
    async fn progress(&self) -> PlanProgressNode {
        self.0.progress.into()
    }
    /// Open goals due within the next 30 days.
    async fn goals_due_soon(&self) -> i32 {
        self.0.due_soon as i32
    }
    async fn goals_overdue(&self) -> i32 {
        self.0.overdue as i32
    }
    async fn goals_done_this_quarter(&self) -> i32 {
        self.0.done_this_quarter as i32
    }
}

/// How one learning resource served the people who planned it.
#[derive(SimpleObject)]
pub struct ResourceEffectiveness {
    resource_key: String,
    resource: Option<LearningResourceNode>,
    /// Goals that planned it (not dropped).
    planned: i32,
    /// Goals done: the resource was taken.
    taken: i32,
    /// Of those taken: the next manager rating met the required level…
    closed_gap: i32,
    /// …was still short…
    gap_still_open: i32,
    /// …or there has been no manager rating of the skill since.
    awaiting_assessment: i32,
    /// closedGap / (closedGap + gapStillOpen), percent.
    closed_share: Option<f64>,
}

fn effect_node(fw: &View, e: ResourceEffect) -> ResourceEffectiveness {
    let i = fw
        .framework()
        .doc
        .learning_resources
        .iter()
        .position(|r| r.key == e.resource);
    ResourceEffectiveness {
        resource: i.map(|i| LearningResourceNode(fw.clone(), i)),
        resource_key: e.resource,
        planned: e.planned as i32,
        taken: e.taken as i32,
        closed_gap: e.closed as i32,
        gap_still_open: e.not_closed as i32,
        awaiting_assessment: e.awaiting as i32,
        closed_share: e.closed_share,
    }
}

#[derive(SimpleObject)]
pub struct OrganisationDevelopmentNode {
    /// Active people with a position in the framework.
    people: i32,
    with_open_plan: i32,
    with_agreed_plan: i32,
    /// withAgreedPlan / people, percent.
    agreed_share: Option<f64>,
    /// Goals of open plans.
    goals: i32,
    goals_done: i32,
    goals_overdue: i32,
    /// The training system's effectiveness, per learning resource.
    resources: Vec<ResourceEffectiveness>,
}

#[derive(InputObject)]
pub struct DevelopmentGoalInput {
    pub kind: GoalKind,
    /// At most 200 characters.
    pub title: String,
    /// The skill gap it closes.
    pub skill: Option<String>,
    /// The level of `skill` it aims at (1–5).
    pub required_level: Option<i32>,
    pub kpi: Option<String>,
    pub certification: Option<String>,
    /// A learning resource of the catalogue (not retired).
    pub resource: Option<String>,
    /// The colleague who mentors.
    pub mentor_id: Option<ID>,
    pub due_on: NaiveDate,
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
        mentor_id: g.mentor_id.map(|m| parse_id(&m, "mentorId")).transpose()?,
        due_on: g.due_on,
    })
}

async fn fw_view(ctx: &Context<'_>) -> ApiResult<(Arc<Framework>, View)> {
    let fw = current_framework(ctx).await?;
    Ok((fw.clone(), View::new(fw, locale(ctx, None))))
}

async fn plan_node(ctx: &Context<'_>, plan: Plan) -> ApiResult<DevelopmentPlanNode> {
    let state = state(ctx)?;
    let view = super::plan_by_id(
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

const MAX_GOALS_PER_CALL: usize = super::MAX_GOALS;

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
        user_id: ID,
    ) -> ApiResult<Option<DevelopmentPlanNode>> {
        let state = state(ctx)?;
        let user_id = parse_id(&user_id, "userId")?;
        let view = super::development_plan(
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
        let goals = super::mentoring_goals(&state.db, actor(ctx)?).await?;
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
        team_id: Option<ID>,
    ) -> ApiResult<Vec<TeamPlanNode>> {
        let state = state(ctx)?;
        let team_id = team_id.map(|t| parse_id(&t, "teamId")).transpose()?;
        let rows = super::team_plans(&state.db, actor(ctx)?, team_id, today()).await?;
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
        let o: OrganisationDevelopment =
            super::organisation_development(&state.db, actor(ctx)?, today()).await?;
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
        user_id: ID,
        target: TargetLevelInput,
        #[graphql(default)] goals: Vec<DevelopmentGoalInput>,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let user_id = parse_id(&user_id, "userId")?;
        let goals = goal_inputs(goals)?;
        let plan = super::create_plan(
            &state.db,
            &state.frameworks,
            actor(ctx)?,
            user_id,
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
        user_id: ID,
        target: Option<TargetLevelInput>,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let user_id = parse_id(&user_id, "userId")?;
        let target = target.as_ref().map(|t| (t.role.as_str(), t.level.as_str()));
        let plan = super::create_plan_from_advice(
            &state.db,
            &state.frameworks,
            actor(ctx)?,
            user_id,
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
        plan_id: ID,
        goals: Vec<DevelopmentGoalInput>,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let plan_id = parse_id(&plan_id, "planId")?;
        let goals = goal_inputs(goals)?;
        let plan = super::add_goals(
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
        goal_id: ID,
        title: Option<String>,
        due_on: Option<NaiveDate>,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let goal_id = parse_id(&goal_id, "goalId")?;
        let plan =
            super::edit_goal(&state.db, actor(ctx)?, goal_id, title, due_on, today()).await?;
        plan_node(ctx, plan).await
    }

    /// Moves a goal: planned, in progress, done, dropped (the agreement stands).
    async fn set_development_goal_status(
        &self,
        ctx: &Context<'_>,
        goal_id: ID,
        status: GoalStatus,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let goal_id = parse_id(&goal_id, "goalId")?;
        let plan = super::set_goal_status(&state.db, actor(ctx)?, goal_id, status, today()).await?;
        plan_node(ctx, plan).await
    }

    /// Evidence for a goal: a note (≤ 4,000 characters), an http(s) link
    /// (≤ 2,000), or a completed course, which closes a learning-resource goal.
    async fn add_goal_evidence(
        &self,
        ctx: &Context<'_>,
        goal_id: ID,
        kind: EvidenceKind,
        note: Option<String>,
        url: Option<String>,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let goal_id = parse_id(&goal_id, "goalId")?;
        let plan =
            super::add_evidence(&state.db, actor(ctx)?, goal_id, kind, note, url, today()).await?;
        plan_node(ctx, plan).await
    }

    /// The person, or a manager above them or HR (the manager's side), agrees the plan
    /// at the revision they read; CONFLICT when it changed since.
    async fn agree_development_plan(
        &self,
        ctx: &Context<'_>,
        plan_id: ID,
        revision: i32,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let plan_id = parse_id(&plan_id, "planId")?;
        let plan = super::agree_plan(&state.db, actor(ctx)?, plan_id, revision, today()).await?;
        plan_node(ctx, plan).await
    }

    /// Closes an open plan (finished or abandoned), so a new one can start.
    async fn close_development_plan(
        &self,
        ctx: &Context<'_>,
        plan_id: ID,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let plan_id = parse_id(&plan_id, "planId")?;
        let plan = super::close_plan(&state.db, actor(ctx)?, plan_id).await?;
        plan_node(ctx, plan).await
    }

    /// Records a check-in on a plan: the day it was held, notes (≤ 4,000
    /// characters) and next steps.
    async fn record_check_in(
        &self,
        ctx: &Context<'_>,
        plan_id: ID,
        held_on: NaiveDate,
        notes: String,
        next_steps: Option<String>,
    ) -> ApiResult<DevelopmentPlanNode> {
        let state = state(ctx)?;
        let plan_id = parse_id(&plan_id, "planId")?;
        let plan = super::record_check_in(
            &state.db,
            actor(ctx)?,
            plan_id,
            held_on,
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
        crate::auth::policy::hr(actor(ctx)?)?;
        let n = super::queue_development_reminders(
            &state.db,
            state.settings.development_check_in_days,
            today(),
        )
        .await?;
        Ok(n as i32)
    }
}

/// A skill gap a development plan targeted, as one assessment cycle shows it.
#[derive(SimpleObject)]
#[graphql(name = "PlannedGap")]
pub struct PlannedGapNode {
    goal_id: ID,
    skill_key: String,
    required: i32,
    /// The level known when the goal was planned.
    baseline: Option<i32>,
    /// The manager's rating in this cycle.
    rated: Option<i32>,
    outcome: GapOutcome,
}

impl From<super::progress::PlannedGap> for PlannedGapNode {
    fn from(g: super::progress::PlannedGap) -> Self {
        Self {
            goal_id: ID(g.goal_id.to_string()),
            skill_key: g.skill,
            required: g.required.into(),
            baseline: g.baseline.map(i32::from),
            rated: g.rated.map(i32::from),
            outcome: g.outcome,
        }
    }
}
