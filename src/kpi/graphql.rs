//! The performance API: targets, actuals, attainment and scores.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::{ActualInput, Performance, PerformanceTarget, Period, TargetInput, TargetResult};
use crate::auth::policy;
use crate::framework::document::{Aggregation, KpiDirection};
use crate::framework::graphql::{KpiNode, View};
use crate::graphql::context::{actor, current_framework, locale, state};
use crate::graphql::error::{ApiResult, parse_id};
use crate::graphql::global_id::{self, GlobalId, NodeType};
use crate::graphql::loaders::Loaders;
use crate::graphql::pagination::{Page, PageArgs, connection, window};
use crate::people::graphql::User;

/// A comment on a performance target.
#[derive(SimpleObject)]
#[graphql(name = "TargetComment")]
pub struct TargetCommentNode {
    /// The comment's id.
    id: ID,
    /// Who wrote it.
    author: Option<User>,
    /// The comment's text.
    body: String,
    /// When it was written.
    created_at: DateTime<Utc>,
}

impl GlobalId for PerformanceTargetNode {
    fn global_id(&self) -> ID {
        self.id.clone()
    }
}
/// One weighted KPI target for a person and period, with threshold and stretch.
#[derive(SimpleObject)]
#[graphql(name = "PerformanceTarget")]
pub struct PerformanceTargetNode {
    /// The target's global id (`node(id:)` fetches it again).
    pub(crate) id: ID,
    /// The period the target is for.
    period: String,
    /// The KPI's key.
    kpi_key: String,
    /// The KPI in the current catalogue.
    kpi: Option<KpiNode>,
    /// Percent of the period's score.
    weight: i32,
    /// The target value: attainment 100 % when reached.
    target: f64,
    /// The threshold: worth 0 % attainment; from it to the target attainment
    /// rises linearly to 100 %. Null: 0 is the threshold (higher-is-better KPIs only).
    threshold: Option<f64>,
    /// The stretch value: worth 150 % attainment (the cap), reached linearly
    /// from 100 % at the target. Null: attainment stops at 100 %.
    stretch: Option<f64>,
    /// A note from whoever set the target.
    note: Option<String>,
    /// When the target last changed.
    updated_at: DateTime<Utc>,
}

/// One target with its actual value and attainment.
#[derive(SimpleObject)]
#[graphql(name = "TargetResult")]
pub struct TargetResultNode {
    /// The target.
    target: PerformanceTargetNode,
    /// Whether more or less of the KPI is better; null when the KPI is no longer in the catalogue.
    direction: Option<KpiDirection>,
    /// How the period's readings combine; null when the KPI is no longer in the catalogue.
    aggregation: Option<Aggregation>,
    /// The period's readings combined per the KPI's aggregation.
    actual: Option<f64>,
    /// How many readings of the KPI the period has.
    readings: i32,
    /// Percent: threshold 0, target 100, stretch 150 (see README).
    attainment: Option<f64>,
    /// Comments on the target, oldest first.
    comments: Vec<TargetCommentNode>,
}

/// A person's targets for a period with actuals, attainment and the weighted score.
#[derive(SimpleObject)]
#[graphql(name = "Performance")]
pub struct PerformanceNode {
    /// The person.
    user: Option<User>,
    /// The period, e.g. `2026-Q4`.
    period: String,
    /// Each target with its actual and attainment.
    targets: Vec<TargetResultNode>,
    /// The sum of the targets' weights; the score needs 100.
    weight_total: i32,
    /// Σ weight × attainment / 100; null until the weights total 100.
    score: Option<f64>,
    /// Every target has at least one actual value.
    complete: bool,
}

/// A team's scores for a period.
#[derive(SimpleObject)]
#[graphql(name = "TeamPerformance", complex)]
pub struct TeamPerformanceNode {
    /// The period.
    period: String,
    /// Mean score of the members who have one.
    average_score: Option<f64>,
    #[graphql(skip)]
    members: Vec<Performance>,
}

#[ComplexObject]
impl TeamPerformanceNode {
    /// Each member's targets, actuals and score, in the team's order. A Relay
    /// connection (`first`/`after` or `last`/`before`, 100 by default).
    #[graphql(complexity = "PageArgs::cost(first, last, 100, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items from the start or after `after`, 1 to 500.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items after it.")] after: Option<String>,
        #[graphql(desc = "Items from the end or before `before`, 1 to 500.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items before it.")] before: Option<String>,
    ) -> ApiResult<Page<PerformanceNode>> {
        let total = self.members.len();
        let range = window(&PageArgs::new(first, after, last, before), total, 100)?;
        let nodes = performance_nodes(ctx, self.members[range.clone()].to_vec()).await?;
        Ok(connection(range, total, nodes))
    }
}

impl GlobalId for KpiActualNode {
    fn global_id(&self) -> ID {
        self.id.clone()
    }
}
/// One recorded value of a KPI for a person and period.
#[derive(SimpleObject)]
#[graphql(name = "KpiActual")]
pub struct KpiActualNode {
    /// The reading's global id (`node(id:)` fetches it again).
    pub(crate) id: ID,
    /// The period the reading belongs to.
    period: String,
    /// The KPI read.
    kpi_key: String,
    /// The value, in the KPI's unit.
    value: f64,
    /// A note with the reading.
    note: Option<String>,
    /// Entered by hand or imported from CSV.
    source: String,
    /// When it was recorded.
    recorded_at: DateTime<Utc>,
}

/// One change to a person's targets, with who made it and when.
#[derive(SimpleObject)]
#[graphql(name = "TargetChange")]
pub struct TargetChangeNode {
    /// The KPI whose target changed.
    kpi_key: String,
    /// SET, CHANGE or REMOVE.
    action: String,
    /// The target after the change, as JSON.
    snapshot: Option<String>,
    /// Who made the change.
    changed_by: Option<User>,
    /// When the change was made.
    changed_at: DateTime<Utc>,
}

fn actual_node(a: super::KpiActual) -> KpiActualNode {
    KpiActualNode {
        id: global_id::encode(NodeType::KpiActual, a.id),
        period: a.period,
        kpi_key: a.kpi,
        value: a.value,
        note: a.note,
        source: a.source,
        recorded_at: a.recorded_at,
    }
}

/// One target for `node(id:)`, within the reach of `performance`.
pub(crate) async fn target_by_id(ctx: &Context<'_>, id: i64) -> ApiResult<PerformanceTargetNode> {
    let target = super::target_in_reach(&state(ctx)?.db, actor(ctx)?, id).await?;
    let fw = current_framework(ctx).await?;
    Ok(target_node(ctx, &fw, target))
}

/// One reading for `node(id:)`, within the reach of `performance`.
pub(crate) async fn actual_by_id(ctx: &Context<'_>, id: i64) -> ApiResult<KpiActualNode> {
    let actual = super::actual_in_reach(&state(ctx)?.db, actor(ctx)?, id).await?;
    Ok(actual_node(actual))
}

fn target_node(
    ctx: &Context<'_>,
    fw: &std::sync::Arc<crate::framework::Framework>,
    t: PerformanceTarget,
) -> PerformanceTargetNode {
    PerformanceTargetNode {
        id: global_id::encode(NodeType::PerformanceTarget, t.id),
        kpi: fw
            .kpi(&t.kpi)
            .map(|_| KpiNode(View::new(fw.clone(), locale(ctx, None)), t.kpi.clone())),
        period: t.period,
        kpi_key: t.kpi,
        weight: t.weight,
        target: t.target,
        threshold: t.threshold,
        stretch: t.stretch,
        note: t.note,
        updated_at: t.updated_at,
    }
}

/// API nodes for several people's performance at once: the framework, every
/// comment and every person involved are each fetched once, however many
/// people and targets there are.
async fn performance_nodes(
    ctx: &Context<'_>,
    list: Vec<Performance>,
) -> ApiResult<Vec<PerformanceNode>> {
    let state = state(ctx)?;
    let fw = current_framework(ctx).await?;
    let ids: Vec<i64> = list
        .iter()
        .flat_map(|p| p.targets.iter().map(|t| t.target.id))
        .collect();
    let mut comments = super::comments_on(&state.db, &ids).await?;
    let mut people_ids: Vec<i64> = comments.values().flatten().map(|c| c.author_id).collect();
    people_ids.extend(list.iter().map(|p| p.user_id));
    let people = ctx.data::<Loaders>()?.person.load_many(people_ids).await?;
    Ok(list
        .into_iter()
        .map(|p| {
            let targets = p
                .targets
                .into_iter()
                .map(
                    |TargetResult {
                         target,
                         actual,
                         readings,
                         attainment,
                     }| {
                        let kpi = fw.kpi(&target.kpi);
                        TargetResultNode {
                            direction: kpi.map(|k| k.direction),
                            aggregation: kpi.map(|k| k.aggregation),
                            comments: comments
                                .remove(&target.id)
                                .unwrap_or_default()
                                .into_iter()
                                .map(|c| TargetCommentNode {
                                    id: ID(c.id.to_string()),
                                    author: people.get(&c.author_id).cloned().map(User),
                                    body: c.body,
                                    created_at: c.created_at,
                                })
                                .collect(),
                            target: target_node(ctx, &fw, target),
                            actual,
                            readings: readings as i32,
                            attainment,
                        }
                    },
                )
                .collect();
            PerformanceNode {
                user: people.get(&p.user_id).cloned().map(User),
                period: p.period,
                targets,
                weight_total: p.weight_total,
                score: p.score,
                complete: p.complete,
            }
        })
        .collect())
}

/// A weighted KPI target: target value, optional threshold and stretch.
#[derive(InputObject)]
#[graphql(name = "TargetInput")]
pub struct TargetInputObject {
    /// A KPI key from the framework catalogue.
    pub kpi: String,
    /// Percent of the period's score, 1 to 100.
    pub weight: i32,
    /// The value that gives 100 % attainment.
    pub target: f64,
    /// Worth 0 %; required for lower-is-better KPIs.
    pub threshold: Option<f64>,
    /// Worth 150 %.
    pub stretch: Option<f64>,
    /// A note for the person.
    pub note: Option<String>,
}

impl From<TargetInputObject> for TargetInput {
    fn from(t: TargetInputObject) -> Self {
        Self {
            kpi: t.kpi,
            weight: t.weight,
            target: t.target,
            threshold: t.threshold,
            stretch: t.stretch,
            note: t.note,
        }
    }
}

#[derive(Default)]
pub struct KpiQuery;

#[Object]
impl KpiQuery {
    /// A person's targets, actuals, attainment and score for a period ("2026-Q4", "2026-11", "2026").
    async fn performance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(desc = "`2026`, `2026-Q4` or `2026-11`.")] period: String,
    ) -> ApiResult<PerformanceNode> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let user_id = parse_id(&user_id, "userId", NodeType::User)?;
        let p = super::performance(&state.db, &state.frameworks, actor, user_id, &period).await?;
        let mut nodes = performance_nodes(ctx, vec![p]).await?;
        Ok(nodes.remove(0))
    }

    /// Scores of a team's members (and sub-teams') for a period: a manager's reports, anyone for HR.
    #[graphql(complexity = "crate::graphql::limits::cost::ROLLUP + child_complexity")]
    async fn team_performance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The team's id.")] team_id: ID,
        #[graphql(desc = "`2026`, `2026-Q4` or `2026-11`.")] period: String,
    ) -> ApiResult<TeamPerformanceNode> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let team_id = parse_id(&team_id, "teamId", NodeType::Team)?;
        let view = policy::team_views(actor)?;
        let parsed = Period::parse(&period)?;
        let list =
            super::team_performance(&state.db, &state.frameworks, &view, team_id, parsed).await?;
        let scores: Vec<f64> = list.iter().filter_map(|p| p.score).collect();
        let average_score = (!scores.is_empty())
            .then(|| (scores.iter().sum::<f64>() / scores.len() as f64 * 10.0).round() / 10.0);
        let period = list
            .first()
            .map(|p| p.period.clone())
            .unwrap_or_else(|| parsed.to_string());
        Ok(TeamPerformanceNode {
            period,
            members: list,
            average_score,
        })
    }

    /// Every change to a person's targets for a period, with who and when.
    async fn performance_target_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(desc = "`2026`, `2026-Q4` or `2026-11`.")] period: String,
    ) -> ApiResult<Vec<TargetChangeNode>> {
        let actor = actor(ctx)?;
        let user_id = parse_id(&user_id, "userId", NodeType::User)?;
        let reader = policy::view_work(actor, user_id)?;
        let period = Period::parse(&period)?;
        let changes = super::target_history(&state(ctx)?.db, &reader, period).await?;
        let loaders = ctx.data::<Loaders>()?;
        let people = loaders
            .person
            .load_many(changes.iter().filter_map(|c| c.changed_by))
            .await?;
        Ok(changes
            .into_iter()
            .map(|c| TargetChangeNode {
                changed_by: c
                    .changed_by
                    .and_then(|id| people.get(&id).cloned().map(User)),
                kpi_key: c.kpi,
                action: c.action,
                snapshot: c.snapshot,
                changed_at: c.changed_at,
            })
            .collect())
    }
}

#[derive(Default)]
pub struct KpiMutation;

#[Object]
impl KpiMutation {
    /// Sets a person's whole set of targets for a period: unlisted targets are
    /// removed, and the weights must total exactly 100.
    async fn set_performance_targets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(desc = "`2026`, `2026-Q4` or `2026-11`.")] period: String,
        #[graphql(desc = "Every target of the period, one per KPI; their weights must total 100.")]
        targets: Vec<TargetInputObject>,
    ) -> ApiResult<Vec<PerformanceTargetNode>> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let user_id = parse_id(&user_id, "userId", NodeType::User)?;
        let inputs = targets.into_iter().map(Into::into).collect();
        let saved = super::set_targets(
            &state.db,
            &state.frameworks,
            &policy::manage_person(actor, user_id)?,
            Period::parse(&period)?,
            inputs,
        )
        .await?;
        let fw = state.frameworks.current(&state.db).await?;
        Ok(saved
            .into_iter()
            .map(|t| target_node(ctx, &fw, t))
            .collect())
    }

    /// Adds or changes one target; the period's weights may not exceed 100.
    async fn set_performance_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(desc = "`2026`, `2026-Q4` or `2026-11`.")] period: String,
        #[graphql(desc = "The target to add, or to replace the one for the same KPI.")]
        target: TargetInputObject,
    ) -> ApiResult<PerformanceTargetNode> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let user_id = parse_id(&user_id, "userId", NodeType::User)?;
        let saved = super::set_target(
            &state.db,
            &state.frameworks,
            &policy::manage_person(actor, user_id)?,
            Period::parse(&period)?,
            target.into(),
        )
        .await?;
        let fw = state.frameworks.current(&state.db).await?;
        Ok(target_node(ctx, &fw, saved))
    }

    /// Removes one target of a person's period (their managers or HR); the
    /// removal is kept in `performanceTargetHistory`.
    async fn remove_performance_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(desc = "`2026`, `2026-Q4` or `2026-11`.")] period: String,
        #[graphql(desc = "The KPI key of the target to remove.")] kpi: String,
    ) -> ApiResult<bool> {
        let actor = actor(ctx)?;
        let user_id = parse_id(&user_id, "userId", NodeType::User)?;
        let manager = policy::manage_person(actor, user_id)?;
        let period = Period::parse(&period)?;
        super::remove_target(&state(ctx)?.db, &manager, period, &kpi).await?;
        Ok(true)
    }

    /// The person (or their manager, or HR) comments on a target; the target itself does not change.
    async fn comment_on_performance_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The performance target's id.")] target_id: ID,
        #[graphql(desc = "The comment, 1 to 2,000 characters.")] body: String,
    ) -> ApiResult<TargetCommentNode> {
        let actor = actor(ctx)?;
        let target_id = parse_id(&target_id, "targetId", NodeType::PerformanceTarget)?;
        let c = super::comment_on_target(&state(ctx)?.db, actor, target_id, &body).await?;
        Ok(TargetCommentNode {
            id: ID(c.id.to_string()),
            author: ctx
                .data::<Loaders>()?
                .person
                .load_one(c.author_id)
                .await?
                .map(User),
            body: c.body,
            created_at: c.created_at,
        })
    }

    /// Records one reading of a KPI for a person and period.
    async fn record_kpi_actual(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(desc = "`2026`, `2026-Q4` or `2026-11`.")] period: String,
        #[graphql(desc = "A KPI key from the framework catalogue.")] kpi: String,
        #[graphql(desc = "The reading, in the KPI's unit.")] value: f64,
        #[graphql(desc = "A note with the reading.")] note: Option<String>,
    ) -> ApiResult<KpiActualNode> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let user_id = parse_id(&user_id, "userId", NodeType::User)?;
        let a = super::record_actual(
            &state.db,
            &state.frameworks,
            &policy::manage_person(actor, user_id)?,
            ActualInput {
                period: Period::parse(&period)?,
                kpi,
                value,
                note,
            },
        )
        .await?;
        Ok(actual_node(a))
    }

    /// Imports actuals from CSV (`email,period,kpi,value[,note]`). Every row
    /// is checked first; one bad row rejects the file. Returns the rows imported.
    async fn import_kpi_actuals(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The file as CSV text: a header naming `email`, `period`, `kpi`, `value` (and optionally `note`), then one reading per row."
        )]
        csv: String,
    ) -> ApiResult<i32> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        Ok(super::import_actuals(&state.db, &state.frameworks, actor, &csv).await? as i32)
    }
}
