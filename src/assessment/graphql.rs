//! The assessment API: cycles, writing ratings, profiles, divergence, team matrices.

use crate::graphql::date::Date;
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::profile::{AgreedBasis, DivergenceKind, MatrixCell};
use super::{AssessmentKind, AssessmentStatus, CycleStatus, OpenCycle, RatingInput};
use crate::auth::policy;
use crate::framework::Framework;
use crate::framework::graphql::{SkillNode, View};
use crate::graphql::context::{actor, locale, state};
use crate::graphql::error::{ApiResult, parse_id};
use crate::graphql::loaders::Loaders;
use crate::graphql::pagination::{
    Page, PageArgs, PageNames, connection, connection_named, page_of, window,
};
use crate::people::Person;
use crate::people::graphql::User;

async fn user(ctx: &Context<'_>, id: i64) -> ApiResult<Option<User>> {
    Ok(ctx.data::<Loaders>()?.person.load_one(id).await?.map(User))
}

fn skill(ctx: &Context<'_>, fw: &Arc<Framework>, key: &str) -> Option<SkillNode> {
    fw.skill(key)
        .map(|_| SkillNode(View::new(fw.clone(), locale(ctx, None)), key.to_owned()))
}

pub struct AssessmentCycle(pub super::Cycle);

#[Object]
impl AssessmentCycle {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn status(&self) -> CycleStatus {
        self.0.status
    }
    /// The framework version every rating in the cycle is read against.
    async fn framework_version(&self, ctx: &Context<'_>) -> ApiResult<Option<i32>> {
        let state = state(ctx)?;
        Ok(state
            .frameworks
            .published_by_id(&state.db, self.0.framework_version_id)
            .await?
            .version
            .number)
    }
    async fn self_due(&self) -> Option<Date> {
        self.0.self_due.map(Date)
    }
    async fn manager_due(&self) -> Option<Date> {
        self.0.manager_due.map(Date)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// Participants, and how many self and manager assessments are submitted.
    async fn progress(&self, ctx: &Context<'_>) -> ApiResult<CycleProgress> {
        let (participants, self_submitted, manager_submitted) =
            super::cycle_counts(&state(ctx)?.db, self.0.id).await?;
        Ok(CycleProgress {
            participants: participants as i32,
            self_submitted: self_submitted as i32,
            manager_submitted: manager_submitted as i32,
        })
    }
}

#[derive(SimpleObject)]
pub struct CycleProgress {
    participants: i32,
    self_submitted: i32,
    manager_submitted: i32,
}

#[derive(SimpleObject)]
#[graphql(name = "Rating")]
pub struct RatingNode {
    skill_key: String,
    level: i32,
    evidence: Option<String>,
}

pub struct AssessmentNode(super::Assessment);

#[Object(name = "Assessment")]
impl AssessmentNode {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn cycle_id(&self) -> ID {
        ID(self.0.cycle_id.to_string())
    }
    async fn kind(&self) -> AssessmentKind {
        self.0.kind
    }
    /// 1 for the first version; amending a submitted assessment makes the next.
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    async fn status(&self) -> AssessmentStatus {
        self.0.status
    }
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn subject(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        user(ctx, self.0.subject_id).await
    }
    /// Who wrote it. Peer input is anonymous to the person assessed: for
    /// them a peer assessment's assessor is null.
    async fn assessor(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        if !policy::can_see_assessor(actor(ctx)?, self.0.kind, self.0.subject_id) {
            return Ok(None);
        }
        user(ctx, self.0.assessor_id).await
    }
    async fn ratings(&self) -> Vec<RatingNode> {
        self.0
            .ratings
            .iter()
            .map(|r| RatingNode {
                skill_key: r.skill.clone(),
                level: r.level as i32,
                evidence: r.evidence.clone(),
            })
            .collect()
    }
}

#[derive(SimpleObject)]
pub struct ProfileSkill {
    skill: Option<SkillNode>,
    skill_key: String,
    area_key: String,
    self_level: Option<i32>,
    manager_level: Option<i32>,
    peer_average: Option<f64>,
    /// The manager's rating once it exists, until then the person's own.
    agreed: Option<i32>,
    basis: AgreedBasis,
    required_current: i32,
    required_next: Option<i32>,
    gap_current: i32,
    gap_next: Option<i32>,
    /// Set when self and manager differ by two levels or more.
    divergence: Option<DivergenceKind>,
}

#[derive(SimpleObject)]
#[graphql(name = "AreaScore")]
pub struct AreaScoreNode {
    area_key: String,
    /// Weighted match in percent against the current level.
    match_current: Option<f64>,
    match_next: Option<f64>,
}

#[derive(SimpleObject)]
#[graphql(name = "SkillProfile")]
pub struct SkillProfileNode {
    user: Option<User>,
    cycle: AssessmentCycle,
    job_role: String,
    career_level: String,
    /// The level a promotion leads to; null at the top of a track.
    next_level: Option<String>,
    /// Weighted match in percent against the current level (see README).
    match_current: Option<f64>,
    match_next: Option<f64>,
    areas: Vec<AreaScoreNode>,
    skills: Vec<ProfileSkill>,
    /// The skill gaps a development plan targeted before this cycle opened,
    /// and whether this cycle's manager rating closed them.
    planned_gaps: Vec<crate::development::graphql::PlannedGapNode>,
}

#[derive(SimpleObject)]
pub struct DivergenceFlag {
    user: Option<User>,
    skill_key: String,
    self_level: i32,
    manager_level: i32,
    kind: DivergenceKind,
}

#[derive(SimpleObject)]
#[graphql(name = "TeamMatrixCell")]
pub struct TeamMatrixCellNode {
    skill_key: String,
    agreed: Option<i32>,
    required: i32,
    gap: i32,
}

#[derive(SimpleObject)]
pub struct TeamMatrixRow {
    user: Option<User>,
    cells: Vec<TeamMatrixCellNode>,
}

/// `SkillHolderConnection`: `UserConnection` is the people directory's.
pub struct SkillHolders;

impl PageNames for SkillHolders {
    type Connection = SkillHolderConnectionName;
    type Edge = SkillHolderConnectionName;
}

pub struct SkillHolderConnectionName;

impl async_graphql::connection::ConnectionNameType for SkillHolderConnectionName {
    fn type_name<T: async_graphql::OutputType>() -> String {
        "SkillHolderConnection".into()
    }
}

impl async_graphql::connection::EdgeNameType for SkillHolderConnectionName {
    fn type_name<T: async_graphql::OutputType>() -> String {
        "SkillHolderEdge".into()
    }
}

#[derive(SimpleObject)]
#[graphql(name = "SkillCoverage", complex)]
pub struct SkillCoverageNode {
    skill: Option<SkillNode>,
    skill_key: String,
    needed_by: i32,
    met_by: i32,
    /// Exactly one person holds it: a risk if they leave.
    single_holder: bool,
    #[graphql(skip)]
    holder_ids: Vec<i64>,
    #[graphql(skip)]
    people: Arc<HashMap<i64, Person>>,
}

#[ComplexObject]
impl SkillCoverageNode {
    /// Everyone holding the skill (agreed level 3 or more). A Relay
    /// connection (`first`/`after` or `last`/`before`, 100 by default).
    #[graphql(complexity = "PageArgs::cost(first, last, 100, child_complexity)")]
    async fn holders(
        &self,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Page<User, SkillHolders>> {
        let total = self.holder_ids.len();
        let range = window(&PageArgs::new(first, after, last, before), total, 100)?;
        let nodes: Vec<User> = self.holder_ids[range.clone()]
            .iter()
            .filter_map(|id| self.people.get(id).cloned().map(User))
            .collect();
        Ok(connection_named::<User, SkillHolders>(range, total, nodes))
    }
}

#[derive(SimpleObject)]
#[graphql(name = "TeamSkillMatrix", complex)]
pub struct TeamSkillMatrixNode {
    cycle: AssessmentCycle,
    skills: Vec<SkillNode>,
    coverage: Vec<SkillCoverageNode>,
    #[graphql(skip)]
    rows: Vec<(i64, Vec<MatrixCell>)>,
    #[graphql(skip)]
    people: Arc<HashMap<i64, Person>>,
}

#[ComplexObject]
impl TeamSkillMatrixNode {
    /// One row per person: their agreed, required and gap per skill. A Relay
    /// connection (`first`/`after` or `last`/`before`, 100 by default).
    #[graphql(complexity = "PageArgs::cost(first, last, 100, child_complexity)")]
    async fn rows(
        &self,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Page<TeamMatrixRow>> {
        let total = self.rows.len();
        let range = window(&PageArgs::new(first, after, last, before), total, 100)?;
        let nodes: Vec<TeamMatrixRow> = self.rows[range.clone()]
            .iter()
            .map(|(id, cells)| TeamMatrixRow {
                user: self.people.get(id).cloned().map(User),
                cells: cells
                    .iter()
                    .map(|c| TeamMatrixCellNode {
                        skill_key: c.skill.clone(),
                        agreed: c.agreed.map(i32::from),
                        required: c.required as i32,
                        gap: c.gap as i32,
                    })
                    .collect(),
            })
            .collect();
        Ok(connection(range, total, nodes))
    }
}

#[derive(SimpleObject)]
pub struct SkillTrendPoint {
    cycle_id: ID,
    skill_key: String,
    level: i32,
}

#[derive(SimpleObject)]
pub struct OpenCyclePayload {
    cycle: AssessmentCycle,
    participant_count: i32,
}

#[derive(Default)]
pub struct AssessmentQuery;

#[Object]
impl AssessmentQuery {
    /// Cycles the caller takes part in or reviews; all of them for HR. A
    /// Relay connection (`first`/`after` or `last`/`before`, 50 by default).
    #[graphql(complexity = "PageArgs::cost(first, last, 50, child_complexity)")]
    async fn assessment_cycles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Page<AssessmentCycle>> {
        let cycles = super::list_cycles(&state(ctx)?.db, actor(ctx)?).await?;
        page_of(
            cycles,
            &PageArgs::new(first, after, last, before),
            50,
            AssessmentCycle,
        )
    }

    /// A person's skills against their level and the next: ratings, agreed
    /// levels, gaps, area scores and match. The latest cycle unless one is given.
    async fn skill_profile(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        cycle_id: Option<ID>,
    ) -> ApiResult<SkillProfileNode> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let user_id = parse_id(&user_id, "userId")?;
        let cycle_id = cycle_id
            .as_ref()
            .map(|c| parse_id(c, "cycleId"))
            .transpose()?;
        let p =
            super::skill_profile(&state.db, &state.frameworks, actor, user_id, cycle_id).await?;
        let skills = p
            .profile
            .lines
            .iter()
            .map(|l| ProfileSkill {
                skill: skill(ctx, &p.framework, &l.skill),
                skill_key: l.skill.clone(),
                area_key: l.area.clone(),
                self_level: l.ratings.self_level.map(i32::from),
                manager_level: l.ratings.manager_level.map(i32::from),
                peer_average: l.ratings.peer_average(),
                agreed: l.agreed.map(i32::from),
                basis: l.basis,
                required_current: l.required_current as i32,
                required_next: l.required_next.map(i32::from),
                gap_current: l.gap_current as i32,
                gap_next: l.gap_next.map(i32::from),
                divergence: match (l.ratings.self_level, l.ratings.manager_level) {
                    (Some(s), Some(m)) => super::profile::divergence(s, m),
                    _ => None,
                },
            })
            .collect();
        let manager_levels: std::collections::HashMap<String, u8> = p
            .profile
            .lines
            .iter()
            .filter_map(|l| Some((l.skill.clone(), l.ratings.manager_level?)))
            .collect();
        let planned_gaps = crate::development::planned_gaps_in_cycle(
            &state.db,
            user_id,
            p.cycle.created_at,
            &manager_levels,
        )
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
        Ok(SkillProfileNode {
            planned_gaps,
            user: user(ctx, user_id).await?,
            job_role: p.participant.job_role.clone(),
            career_level: p.participant.career_level.clone(),
            next_level: p.profile.next_level.clone(),
            match_current: p.profile.match_current,
            match_next: p.profile.match_next,
            areas: p
                .profile
                .areas
                .iter()
                .map(|a| AreaScoreNode {
                    area_key: a.area.clone(),
                    match_current: a.match_current,
                    match_next: a.match_next,
                })
                .collect(),
            skills,
            cycle: AssessmentCycle(p.cycle),
        })
    }

    /// The assessments of a person in a cycle that the caller may read.
    async fn assessments(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        user_id: ID,
    ) -> ApiResult<Vec<AssessmentNode>> {
        let actor = actor(ctx)?;
        let cycle_id = parse_id(&cycle_id, "cycleId")?;
        let user_id = parse_id(&user_id, "userId")?;
        let list = super::assessments_of(&state(ctx)?.db, actor, cycle_id, user_id).await?;
        Ok(list.into_iter().map(AssessmentNode).collect())
    }

    /// Blind spots and hidden strengths: where self and manager ratings differ
    /// by two levels or more. The whole cycle for HR; their reports for a manager.
    /// A Relay connection (`first`/`after` or `last`/`before`, 100 by default).
    #[graphql(
        complexity = "crate::graphql::limits::cost::ROLLUP + PageArgs::cost(first, last, 100, child_complexity)"
    )]
    async fn assessment_divergence(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Page<DivergenceFlag>> {
        let actor = actor(ctx)?;
        let cycle_id = parse_id(&cycle_id, "cycleId")?;
        let list = super::cycle_divergence(&state(ctx)?.db, actor, cycle_id).await?;
        let total = list.len();
        let range = window(&PageArgs::new(first, after, last, before), total, 100)?;
        let list: Vec<_> = list
            .into_iter()
            .skip(range.start)
            .take(range.len())
            .collect();
        // Everyone flagged on this page, in one batched load.
        let people = ctx
            .data::<Loaders>()?
            .person
            .load_many(list.iter().map(|d| d.user_id))
            .await?;
        let nodes: Vec<DivergenceFlag> = list
            .into_iter()
            .map(|d| DivergenceFlag {
                user: people.get(&d.user_id).cloned().map(User),
                skill_key: d.skill,
                self_level: d.self_level as i32,
                manager_level: d.manager_level as i32,
                kind: d.kind,
            })
            .collect();
        Ok(connection(range, total, nodes))
    }

    /// People × skills of a team (and its sub-teams) in a cycle, with coverage per skill.
    #[graphql(complexity = "crate::graphql::limits::cost::ROLLUP + child_complexity")]
    async fn team_skill_matrix(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
        cycle_id: ID,
    ) -> ApiResult<TeamSkillMatrixNode> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let team_id = parse_id(&team_id, "teamId")?;
        let cycle_id = parse_id(&cycle_id, "cycleId")?;
        let result =
            super::team_skill_matrix(&state.db, &state.frameworks, actor, team_id, cycle_id)
                .await?;
        let fw = &result.framework;
        let loaders = ctx.data::<Loaders>()?;
        let mut ids: Vec<i64> = result.matrix.rows.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        // One batched load for every person in the matrix.
        let people = Arc::new(loaders.person.load_many(ids).await?);
        Ok(TeamSkillMatrixNode {
            skills: result
                .matrix
                .skills
                .iter()
                .filter_map(|s| skill(ctx, fw, s))
                .collect(),
            coverage: result
                .matrix
                .coverage
                .iter()
                .map(|c| SkillCoverageNode {
                    skill: skill(ctx, fw, &c.skill),
                    skill_key: c.skill.clone(),
                    needed_by: c.needed_by as i32,
                    met_by: c.met_by as i32,
                    single_holder: c.holders.len() == 1,
                    holder_ids: c.holders.clone(),
                    people: people.clone(),
                })
                .collect(),
            rows: result.matrix.rows.clone(),
            people,
            cycle: AssessmentCycle(result.cycle),
        })
    }

    /// A person's agreed level per skill across cycles.
    async fn skill_trend(&self, ctx: &Context<'_>, user_id: ID) -> ApiResult<Vec<SkillTrendPoint>> {
        let actor = actor(ctx)?;
        let user_id = parse_id(&user_id, "userId")?;
        let points = super::skill_trend(&state(ctx)?.db, actor, user_id).await?;
        Ok(points
            .into_iter()
            .map(|p| SkillTrendPoint {
                cycle_id: ID(p.cycle_id.to_string()),
                skill_key: p.skill_key,
                level: p.level as i32,
            })
            .collect())
    }
}

#[derive(InputObject)]
pub struct OpenAssessmentCycleInput {
    pub name: String,
    /// Only people in these teams (and their sub-teams).
    #[graphql(default)]
    pub team_ids: Vec<ID>,
    /// Only people in these job roles.
    #[graphql(default)]
    pub job_roles: Vec<String>,
    pub self_due: Option<Date>,
    pub manager_due: Option<Date>,
    /// Start the self-assessment straight away (default) or keep it a draft.
    #[graphql(default = true)]
    pub start: bool,
}

#[derive(InputObject)]
#[graphql(name = "RatingInput")]
pub struct RatingInputObject {
    pub skill: String,
    /// 0 to 5.
    pub level: i32,
    pub evidence: Option<String>,
}

fn ratings(input: Vec<RatingInputObject>) -> Vec<RatingInput> {
    input
        .into_iter()
        .map(|r| RatingInput {
            skill: r.skill,
            level: r.level,
            evidence: r.evidence,
        })
        .collect()
}

async fn write(
    ctx: &Context<'_>,
    cycle_id: ID,
    subject: Option<ID>,
    kind: AssessmentKind,
    input: Vec<RatingInputObject>,
    submit: bool,
) -> ApiResult<AssessmentNode> {
    let actor = actor(ctx)?;
    let state = state(ctx)?;
    let cycle_id = parse_id(&cycle_id, "cycleId")?;
    let subject_id = match subject {
        Some(id) => parse_id(&id, "userId")?,
        None => actor.user_id,
    };
    let written = super::save_assessment(
        &state.db,
        &state.frameworks,
        actor,
        super::AssessmentWrite {
            cycle_id,
            subject_id,
            kind,
            ratings: ratings(input),
            submit,
        },
    )
    .await?;
    Ok(AssessmentNode(written))
}

#[derive(Default)]
pub struct AssessmentMutation;

#[Object]
impl AssessmentMutation {
    /// HR opens a cycle for everyone with a place in the framework, or for
    /// some teams or roles. The cycle is pinned to the current framework version.
    async fn open_assessment_cycle(
        &self,
        ctx: &Context<'_>,
        input: OpenAssessmentCycleInput,
    ) -> ApiResult<OpenCyclePayload> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let team_ids = input
            .team_ids
            .iter()
            .map(|t| parse_id(t, "teamIds"))
            .collect::<ApiResult<Vec<_>>>()?;
        let (cycle, count) = super::open_cycle(
            &state.db,
            &state.frameworks,
            actor,
            OpenCycle {
                name: input.name,
                team_ids,
                job_roles: input.job_roles,
                self_due: input.self_due.map(NaiveDate::from),
                manager_due: input.manager_due.map(NaiveDate::from),
                start: input.start,
            },
        )
        .await?;
        Ok(OpenCyclePayload {
            cycle: AssessmentCycle(cycle),
            participant_count: count as i32,
        })
    }

    /// Moves the cycle to its next state: draft → self-assessment → manager
    /// review → calibration → closed. Closing freezes the results.
    async fn advance_assessment_cycle(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<AssessmentCycle> {
        let id = parse_id(&id, "id")?;
        Ok(AssessmentCycle(
            super::advance_cycle(&state(ctx)?.db, actor(ctx)?, id).await?,
        ))
    }

    /// Saves some or all of your own ratings as a draft.
    async fn save_self_assessment(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        ratings: Vec<RatingInputObject>,
    ) -> ApiResult<AssessmentNode> {
        write(
            ctx,
            cycle_id,
            None,
            AssessmentKind::SelfRating,
            ratings,
            false,
        )
        .await
    }

    /// Submits your self-assessment: every skill of your role must be rated.
    async fn submit_self_assessment(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        #[graphql(default)] ratings: Vec<RatingInputObject>,
    ) -> ApiResult<AssessmentNode> {
        write(
            ctx,
            cycle_id,
            None,
            AssessmentKind::SelfRating,
            ratings,
            true,
        )
        .await
    }

    async fn save_manager_assessment(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        user_id: ID,
        ratings: Vec<RatingInputObject>,
    ) -> ApiResult<AssessmentNode> {
        write(
            ctx,
            cycle_id,
            Some(user_id),
            AssessmentKind::Manager,
            ratings,
            false,
        )
        .await
    }

    async fn submit_manager_assessment(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        user_id: ID,
        #[graphql(default)] ratings: Vec<RatingInputObject>,
    ) -> ApiResult<AssessmentNode> {
        write(
            ctx,
            cycle_id,
            Some(user_id),
            AssessmentKind::Manager,
            ratings,
            true,
        )
        .await
    }

    /// The manager asks a colleague for peer input on one of their reports.
    async fn request_peer_input(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        user_id: ID,
        peer_id: ID,
    ) -> ApiResult<bool> {
        let actor = actor(ctx)?;
        let (cycle_id, user_id, peer_id) = (
            parse_id(&cycle_id, "cycleId")?,
            parse_id(&user_id, "userId")?,
            parse_id(&peer_id, "peerId")?,
        );
        super::request_peer_input(&state(ctx)?.db, actor, cycle_id, user_id, peer_id).await?;
        Ok(true)
    }

    async fn save_peer_assessment(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        user_id: ID,
        ratings: Vec<RatingInputObject>,
    ) -> ApiResult<AssessmentNode> {
        write(
            ctx,
            cycle_id,
            Some(user_id),
            AssessmentKind::Peer,
            ratings,
            false,
        )
        .await
    }

    async fn submit_peer_assessment(
        &self,
        ctx: &Context<'_>,
        cycle_id: ID,
        user_id: ID,
        #[graphql(default)] ratings: Vec<RatingInputObject>,
    ) -> ApiResult<AssessmentNode> {
        write(
            ctx,
            cycle_id,
            Some(user_id),
            AssessmentKind::Peer,
            ratings,
            true,
        )
        .await
    }
}
