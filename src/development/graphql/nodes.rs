//! The API types of development plans: each maps a service answer to what
//! a client reads, loading people through the request's DataLoader.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use crate::advancement::scoring::ActionKind;
use crate::auth::PlanReach;
use crate::development::progress::{GapOutcome, GapStatus, PlanProgress, ResourceEffect};
use crate::development::{
    CheckIn, EvidenceKind, Goal, GoalKind, GoalStatus, PlanStatus, PlanView, TeamPlanRow,
};
use crate::framework::graphql::{
    CareerLevelNode, CertificationNode, LearningResourceNode, SkillNode, View,
};
use crate::graphql::date::Date;
use crate::graphql::error::ApiResult;
use crate::graphql::global_id::{self, GlobalId, NodeType};
use crate::graphql::loaders::Loaders;
use crate::people::graphql::User;

pub(super) async fn load_user(ctx: &Context<'_>, id: Option<i64>) -> ApiResult<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    Ok(ctx.data::<Loaders>()?.person.load_one(id).await?.map(User))
}

pub struct DevelopmentPlanNode {
    pub(super) view: PlanView,
    pub(super) fw: View,
}

impl GlobalId for DevelopmentPlanNode {
    fn global_id(&self) -> ID {
        global_id::encode(NodeType::DevelopmentPlan, self.view.plan.id)
    }
}
/// A person's plan toward a target level: goals, mentors, check-ins and progress.
#[Object(name = "DevelopmentPlan")]
impl DevelopmentPlanNode {
    /// The plan's global id (`node(id:)` fetches it again).
    async fn id(&self) -> ID {
        self.global_id()
    }
    /// The person whose plan it is.
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        load_user(ctx, Some(self.view.plan.user_id)).await
    }
    /// The move the plan works toward.
    async fn target_role(&self) -> &str {
        &self.view.plan.target_role
    }
    /// The key of the level aimed at.
    async fn target_level(&self) -> &str {
        &self.view.plan.target_level
    }
    /// The level the plan aims at.
    async fn target(&self) -> Option<CareerLevelNode> {
        let p = &self.view.plan;
        self.fw
            .level(&format!("{}/{}", p.target_role, p.target_level))
    }
    /// Draft, agreed or closed.
    async fn status(&self) -> PlanStatus {
        self.view.plan.status
    }
    /// Bumped by every change of content; agreeing names the revision read.
    async fn revision(&self) -> i32 {
        self.view.plan.revision
    }
    /// Who drafted it.
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
    /// When the manager agreed to it.
    async fn manager_agreed_at(&self) -> Option<DateTime<Utc>> {
        self.view.plan.current_agreements().1.map(|a| a.at)
    }
    /// The day both last agreed it.
    async fn agreed_on(&self) -> Option<Date> {
        self.view.plan.agreed_on.map(Date)
    }
    /// When the plan was drafted.
    async fn created_at(&self) -> DateTime<Utc> {
        self.view.plan.created_at
    }
    /// When the plan last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.view.plan.updated_at
    }
    /// When the plan was closed.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.view.plan.closed_at
    }
    /// True when the caller reads the plan as a mentor: only the goals naming them.
    async fn mentor_view(&self) -> bool {
        matches!(self.view.reach, PlanReach::MentorOf(_))
    }
    /// How far the plan has come.
    async fn progress(&self) -> PlanProgressNode {
        self.view.progress.into()
    }
    /// The plan's goals, in order.
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
    async fn next_check_in_on(&self) -> Option<Date> {
        self.view.next_check_in_on.map(Date)
    }
}

/// How far a development plan has come.
#[derive(SimpleObject)]
#[graphql(name = "PlanProgress")]
pub struct PlanProgressNode {
    /// Every goal of the plan, dropped ones included.
    pub(super) goals: i32,
    /// Goals done.
    pub(super) done: i32,
    /// Goals given up.
    pub(super) dropped: i32,
    /// Goals planned or in progress.
    pub(super) open: i32,
    /// Open goals past their due day.
    pub(super) overdue: i32,
    /// Done over the goals not dropped, percent.
    pub(super) percent: Option<f64>,
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
    /// The skill's key.
    pub(super) skill_key: String,
    /// The level the goal aims at, 1 to 5.
    pub(super) required: i32,
    /// The level known when the goal was planned.
    pub(super) baseline: Option<i32>,
    /// The latest manager-confirmed level.
    pub(super) current: Option<i32>,
    /// True once a manager confirms the required level or more.
    pub(super) closed: bool,
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
    pub(super) goal: Goal,
    pub(super) gap: Option<GapStatus>,
    pub(super) today: NaiveDate,
    pub(super) fw: View,
}

impl GlobalId for DevelopmentGoalNode {
    fn global_id(&self) -> ID {
        global_id::encode(NodeType::DevelopmentGoal, self.goal.id)
    }
}
/// One goal of a development plan: close a skill gap, earn a certificate, improve a KPI, take a resource.
#[Object(name = "DevelopmentGoal")]
impl DevelopmentGoalNode {
    /// The goal's global id (`node(id:)` fetches it again).
    async fn id(&self) -> ID {
        self.global_id()
    }
    /// Learning resource, certificate, stretch assignment, mentoring, KPI or another action.
    async fn kind(&self) -> GoalKind {
        self.goal.kind
    }
    /// What the goal is, in words.
    async fn title(&self) -> &str {
        &self.goal.title
    }
    /// The advice action it was drafted from.
    async fn source_action(&self) -> Option<ActionKind> {
        self.goal.source_action
    }
    /// The skill's key.
    async fn skill_key(&self) -> Option<&str> {
        self.goal.skill.as_deref()
    }
    /// The skill the goal closes a gap in.
    async fn skill(&self) -> Option<SkillNode> {
        self.fw.skill(self.goal.skill.as_deref()?)
    }
    /// The level the target requires in the skill.
    async fn required_level(&self) -> Option<i32> {
        self.goal.required_level.map(i32::from)
    }
    /// The agreed level in the skill when the goal was set.
    async fn baseline_level(&self) -> Option<i32> {
        self.goal.baseline_level.map(i32::from)
    }
    /// The KPI to raise, for a KPI goal.
    async fn kpi_key(&self) -> Option<&str> {
        self.goal.kpi.as_deref()
    }
    /// The certificate's key, for a certification goal.
    async fn certification_key(&self) -> Option<&str> {
        self.goal.certification.as_deref()
    }
    /// The certificate to earn, for a certification goal.
    async fn certification(&self) -> Option<CertificationNode> {
        self.fw.certification(self.goal.certification.as_deref()?)
    }
    /// The learning resource to take, for a resource goal.
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
    /// The colleague who mentors, for a mentoring goal.
    async fn mentor(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        load_user(ctx, self.goal.mentor_id).await
    }
    /// The day it is due.
    async fn due_on(&self) -> Date {
        Date(self.goal.due_on)
    }
    /// Planned, in progress, done or dropped.
    async fn status(&self) -> GoalStatus {
        self.goal.status
    }
    /// The day the goal was reached.
    async fn done_on(&self) -> Option<Date> {
        self.goal.done_on.map(Date)
    }
    /// Still open after its due day.
    async fn overdue(&self) -> bool {
        crate::development::progress::is_overdue(self.goal.status, self.goal.due_on, self.today)
    }
    /// For a goal tied to a skill gap with a required level.
    async fn gap(&self) -> Option<GoalGap> {
        self.gap.clone().map(Into::into)
    }
    /// Links and notes that show progress.
    async fn evidence(&self) -> Vec<GoalEvidenceNode> {
        self.goal
            .evidence
            .iter()
            .cloned()
            .map(GoalEvidenceNode)
            .collect()
    }
}

pub struct GoalEvidenceNode(pub(super) crate::development::Evidence);

/// A link or note attached to a development goal.
#[Object(name = "GoalEvidence")]
impl GoalEvidenceNode {
    /// The evidence's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// A note, a link, a completed course or an earned certificate.
    async fn kind(&self) -> EvidenceKind {
        self.0.kind
    }
    /// The note's text, if any.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The link, if any.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
    /// The global id of the certification record that closed the goal.
    async fn certification_record_id(&self) -> Option<ID> {
        self.0
            .certification_record_id
            .map(|i| global_id::encode(NodeType::CertificationRecord, i))
    }
    /// Null when recorded by the system (an earned certification).
    async fn recorded_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        load_user(ctx, self.0.recorded_by).await
    }
    /// When it was added.
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

pub struct CheckInNode(pub(super) CheckIn);

/// A recorded conversation on a development plan.
#[Object(name = "CheckIn")]
impl CheckInNode {
    /// The check-in's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The day it was held.
    async fn held_on(&self) -> Date {
        Date(self.0.held_on)
    }
    /// What was discussed.
    async fn notes(&self) -> &str {
        &self.0.notes
    }
    /// What comes next, if noted.
    async fn next_steps(&self) -> Option<&str> {
        self.0.next_steps.as_deref()
    }
    /// Who recorded it.
    async fn recorded_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        load_user(ctx, self.0.recorded_by).await
    }
}

pub struct MentoredGoalNode {
    pub(super) user_id: i64,
    pub(super) goal: DevelopmentGoalNode,
}

/// A development goal someone mentors.
#[Object(name = "MentoredGoal")]
impl MentoredGoalNode {
    /// Whose plan the goal is in.
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        load_user(ctx, Some(self.user_id)).await
    }
    /// The goal.
    async fn goal(&self) -> &DevelopmentGoalNode {
        &self.goal
    }
}

pub struct TeamPlanNode(pub(super) TeamPlanRow);

/// A development plan as a manager's team overview shows it.
#[Object(name = "TeamDevelopmentPlan")]
impl TeamPlanNode {
    /// The person.
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        load_user(ctx, Some(self.0.user_id)).await
    }
    /// Their open plan's global id; null when they have none.
    async fn plan_id(&self) -> Option<ID> {
        self.0
            .plan_id
            .map(|i| global_id::encode(NodeType::DevelopmentPlan, i))
    }
    /// Null when the person has no open plan.
    async fn status(&self) -> Option<PlanStatus> {
        self.0.status
    }
    /// The key of the job role the plan aims at; null without an open plan.
    async fn target_role(&self) -> Option<&str> {
        self.0.target.as_ref().map(|t| t.0.as_str())
    }
    /// The key of the level the plan aims at; null without an open plan.
    async fn target_level(&self) -> Option<&str> {
        self.0.target.as_ref().map(|t| t.1.as_str())
    }
    /// How far the plan has come; all zero without an open plan.
    async fn progress(&self) -> PlanProgressNode {
        self.0.progress.into()
    }
    /// Open goals due within the next 30 days.
    async fn goals_due_soon(&self) -> i32 {
        self.0.due_soon as i32
    }
    /// Open goals past their due day.
    async fn goals_overdue(&self) -> i32 {
        self.0.overdue as i32
    }
    /// Goals done since the start of the calendar quarter.
    async fn goals_done_this_quarter(&self) -> i32 {
        self.0.done_this_quarter as i32
    }
}

/// How one learning resource served the people who planned it.
#[derive(SimpleObject)]
pub struct ResourceEffectiveness {
    /// The learning resource's key.
    pub(super) resource_key: String,
    /// The learning resource, retired or not; null when it is no longer in the catalogue.
    pub(super) resource: Option<LearningResourceNode>,
    /// Goals that planned it (not dropped).
    pub(super) planned: i32,
    /// Goals done: the resource was taken.
    pub(super) taken: i32,
    /// Of those taken: the next manager rating met the required level…
    pub(super) closed_gap: i32,
    /// …was still short…
    pub(super) gap_still_open: i32,
    /// …or there has been no manager rating of the skill since.
    pub(super) awaiting_assessment: i32,
    /// closedGap / (closedGap + gapStillOpen), percent.
    pub(super) closed_share: Option<f64>,
}

pub(super) fn effect_node(fw: &View, e: ResourceEffect) -> ResourceEffectiveness {
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

/// Development plans across the caller's reach: counts, goals and resources that work.
#[derive(SimpleObject)]
#[graphql(name = "OrganisationDevelopment")]
pub struct OrganisationDevelopmentNode {
    /// Active people with a position in the framework.
    pub(super) people: i32,
    /// Of those, how many have an open plan (draft or agreed).
    pub(super) with_open_plan: i32,
    /// Of those, how many have an agreed plan.
    pub(super) with_agreed_plan: i32,
    /// withAgreedPlan / people, percent.
    pub(super) agreed_share: Option<f64>,
    /// Goals of open plans.
    pub(super) goals: i32,
    /// Goals of open plans that are done.
    pub(super) goals_done: i32,
    /// Goals of open plans still open after their due day.
    pub(super) goals_overdue: i32,
    /// The training system's effectiveness, per learning resource.
    pub(super) resources: Vec<ResourceEffectiveness>,
}

/// A skill gap a development plan targeted, as one assessment cycle shows it.
#[derive(SimpleObject)]
#[graphql(name = "PlannedGap")]
pub struct PlannedGapNode {
    /// The global id of the development goal that targeted the gap.
    pub(super) goal_id: ID,
    /// The skill's key.
    pub(super) skill_key: String,
    /// The level the goal aims at, 1 to 5.
    pub(super) required: i32,
    /// The level known when the goal was planned.
    pub(super) baseline: Option<i32>,
    /// The manager's rating in this cycle.
    pub(super) rated: Option<i32>,
    /// Whether this cycle's manager rating closed the gap.
    pub(super) outcome: GapOutcome,
}

impl From<crate::development::progress::PlannedGap> for PlannedGapNode {
    fn from(g: crate::development::progress::PlannedGap) -> Self {
        Self {
            goal_id: global_id::encode(NodeType::DevelopmentGoal, g.goal_id),
            skill_key: g.skill,
            required: g.required.into(),
            baseline: g.baseline.map(i32::from),
            rated: g.rated.map(i32::from),
            outcome: g.outcome,
        }
    }
}
