//! Opening and moving cycles, writing self, manager and peer ratings.

use super::*;
use crate::auth::policy;

/// A new assessment cycle: its name, who takes part and the due dates.
#[derive(InputObject)]
pub struct OpenAssessmentCycleInput {
    /// The cycle's name, e.g. `2026 H2`.
    pub name: String,
    /// Only people in these teams (and their sub-teams).
    #[graphql(default)]
    pub team_ids: Vec<ID>,
    /// Only people in these job roles.
    #[graphql(default)]
    pub job_roles: Vec<String>,
    /// The day self-assessments are due.
    pub self_due: Option<Date>,
    /// The day manager reviews are due.
    pub manager_due: Option<Date>,
    /// Start the self-assessment straight away (default) or keep it a draft.
    #[graphql(default = true)]
    pub start: bool,
}

/// A skill's level (0 to 5) and optional evidence.
#[derive(InputObject)]
#[graphql(name = "RatingInput")]
pub struct RatingInputObject {
    /// The skill's key.
    pub skill: String,
    /// 0 to 5.
    pub level: i32,
    /// What shows the level, in the rater's words.
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
    let cycle_id = parse_id(&cycle_id, "cycleId", NodeType::AssessmentCycle)?;
    let subject_id = match subject {
        Some(id) => parse_id(&id, "userId", NodeType::User)?,
        None => actor.user_id,
    };
    let written = crate::assessment::save_assessment(
        &state.db,
        &state.frameworks,
        actor,
        crate::assessment::AssessmentWrite {
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
        #[graphql(desc = "What to create or change.")] input: OpenAssessmentCycleInput,
    ) -> ApiResult<OpenCyclePayload> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let team_ids = input
            .team_ids
            .iter()
            .map(|t| parse_id(t, "teamIds", NodeType::Team))
            .collect::<ApiResult<Vec<_>>>()?;
        let (cycle, count) = crate::assessment::open_cycle(
            &state.db,
            &state.frameworks,
            &policy::hr(actor)?,
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
        #[graphql(desc = "The assessment cycle's id.")] id: ID,
    ) -> ApiResult<AssessmentCycle> {
        let id = parse_id(&id, "id", NodeType::AssessmentCycle)?;
        Ok(AssessmentCycle(
            crate::assessment::advance_cycle(&state(ctx)?.db, &policy::hr(actor(ctx)?)?, id)
                .await?,
        ))
    }

    /// Saves some or all of your own ratings as a draft.
    async fn save_self_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The assessment cycle's id.")] cycle_id: ID,
        #[graphql(desc = "Levels by skill (0 to 5).")] ratings: Vec<RatingInputObject>,
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
        #[graphql(desc = "The assessment cycle's id.")] cycle_id: ID,
        #[graphql(desc = "Levels by skill (0 to 5).", default)] ratings: Vec<RatingInputObject>,
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

    /// Saves some or all of your manager ratings of a participant as a draft
    /// (their reviewer or a manager above them, during manager review or calibration).
    async fn save_manager_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The assessment cycle's id.")] cycle_id: ID,
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(desc = "Levels by skill (0 to 5).")] ratings: Vec<RatingInputObject>,
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

    /// Submits your manager assessment of a participant (their reviewer or a
    /// manager above them, during manager review or calibration): every skill
    /// of their role must be rated. It replaces any earlier one, and the
    /// person is told by mail.
    async fn submit_manager_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The assessment cycle's id.")] cycle_id: ID,
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(desc = "Levels by skill (0 to 5).", default)] ratings: Vec<RatingInputObject>,
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
        #[graphql(desc = "The assessment cycle's id.")] cycle_id: ID,
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(desc = "The colleague asked for input.")] peer_id: ID,
    ) -> ApiResult<bool> {
        let actor = actor(ctx)?;
        let (cycle_id, user_id, peer_id) = (
            parse_id(&cycle_id, "cycleId", NodeType::AssessmentCycle)?,
            parse_id(&user_id, "userId", NodeType::User)?,
            parse_id(&peer_id, "peerId", NodeType::User)?,
        );
        crate::assessment::request_peer_input(&state(ctx)?.db, actor, cycle_id, user_id, peer_id)
            .await?;
        Ok(true)
    }

    /// Saves some or all of your peer input on a colleague as a draft, once
    /// their manager has asked you for it (during manager review).
    async fn save_peer_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The assessment cycle's id.")] cycle_id: ID,
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(desc = "Levels by skill (0 to 5).")] ratings: Vec<RatingInputObject>,
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

    /// Submits your peer input: every skill of the colleague's role must be
    /// rated. It is shown beside the ratings, never counted, and anonymous to them.
    async fn submit_peer_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The assessment cycle's id.")] cycle_id: ID,
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(desc = "Levels by skill (0 to 5).", default)] ratings: Vec<RatingInputObject>,
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
