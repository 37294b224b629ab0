//! Reading cycles, assessments, profiles and team views.

use super::*;
use crate::auth::policy;

/// One cycle for `node(id:)`, with the reach of `assessmentCycles`.
pub(crate) async fn cycle_by_id(ctx: &Context<'_>, id: i64) -> ApiResult<AssessmentCycle> {
    let cycle = crate::assessment::cycle_in_reach(&state(ctx)?.db, actor(ctx)?, id).await?;
    Ok(AssessmentCycle(cycle))
}

/// One assessment for `node(id:)`, with the reach of `assessments`.
pub(crate) async fn assessment_by_id(ctx: &Context<'_>, id: i64) -> ApiResult<AssessmentNode> {
    let found = crate::assessment::assessment_in_reach(&state(ctx)?.db, actor(ctx)?, id).await?;
    Ok(AssessmentNode(found))
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
        #[graphql(desc = "Items from the start or after `after`, 1 to 500.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items after it.")] after: Option<String>,
        #[graphql(desc = "Items from the end or before `before`, 1 to 500.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items before it.")] before: Option<String>,
    ) -> ApiResult<Page<AssessmentCycle>> {
        let cycles = crate::assessment::list_cycles(&state(ctx)?.db, actor(ctx)?).await?;
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
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(desc = "The assessment cycle's id.")] cycle_id: Option<ID>,
    ) -> ApiResult<SkillProfileNode> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let user_id = parse_id(&user_id, "userId", NodeType::User)?;
        let cycle_id = cycle_id
            .as_ref()
            .map(|c| parse_id(c, "cycleId", NodeType::AssessmentCycle))
            .transpose()?;
        let p = crate::assessment::skill_profile(
            &state.db,
            &state.frameworks,
            actor,
            user_id,
            cycle_id,
        )
        .await?;
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
                    (Some(s), Some(m)) => crate::assessment::profile::divergence(s, m),
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
        #[graphql(desc = "The assessment cycle's id.")] cycle_id: ID,
        #[graphql(desc = "The person's id.")] user_id: ID,
    ) -> ApiResult<Vec<AssessmentNode>> {
        let actor = actor(ctx)?;
        let cycle_id = parse_id(&cycle_id, "cycleId", NodeType::AssessmentCycle)?;
        let user_id = parse_id(&user_id, "userId", NodeType::User)?;
        let list =
            crate::assessment::assessments_of(&state(ctx)?.db, actor, cycle_id, user_id).await?;
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
        #[graphql(desc = "The assessment cycle's id.")] cycle_id: ID,
        #[graphql(desc = "Items from the start or after `after`, 1 to 500.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items after it.")] after: Option<String>,
        #[graphql(desc = "Items from the end or before `before`, 1 to 500.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items before it.")] before: Option<String>,
    ) -> ApiResult<Page<DivergenceFlag>> {
        let actor = actor(ctx)?;
        let cycle_id = parse_id(&cycle_id, "cycleId", NodeType::AssessmentCycle)?;
        let view = policy::team_views(actor)?;
        let list = crate::assessment::cycle_divergence(&state(ctx)?.db, &view, cycle_id).await?;
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
        #[graphql(desc = "The team's id.")] team_id: ID,
        #[graphql(desc = "The assessment cycle's id.")] cycle_id: ID,
    ) -> ApiResult<TeamSkillMatrixNode> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let team_id = parse_id(&team_id, "teamId", NodeType::Team)?;
        let cycle_id = parse_id(&cycle_id, "cycleId", NodeType::AssessmentCycle)?;
        let result = crate::assessment::team_skill_matrix(
            &state.db,
            &state.frameworks,
            actor,
            team_id,
            cycle_id,
        )
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
    async fn skill_trend(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] user_id: ID,
    ) -> ApiResult<Vec<SkillTrendPoint>> {
        let actor = actor(ctx)?;
        let user_id = parse_id(&user_id, "userId", NodeType::User)?;
        let reader = policy::view_work(actor, user_id)?;
        let points = crate::assessment::skill_trend(&state(ctx)?.db, &reader).await?;
        Ok(points
            .into_iter()
            .map(|p| SkillTrendPoint {
                cycle_id: global_id::encode(NodeType::AssessmentCycle, p.cycle_id),
                skill_key: p.skill_key,
                level: p.level as i32,
            })
            .collect())
    }
}
