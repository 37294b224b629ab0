//! Cycles, assessments and a person's skill profile as GraphQL objects.

use super::*;

pub struct AssessmentCycle(pub crate::assessment::Cycle);

impl GlobalId for AssessmentCycle {
    fn global_id(&self) -> ID {
        global_id::encode(NodeType::AssessmentCycle, self.0.id)
    }
}
/// A round of assessments over some people, pinned to one framework version: self-assessment, then manager review, calibration and close.
#[Object]
impl AssessmentCycle {
    /// The cycle's global id (`node(id:)` fetches it again).
    async fn id(&self) -> ID {
        self.global_id()
    }
    /// The cycle's name, e.g. `2026 H2`.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Draft, self-assessment, manager review, calibration or closed.
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
    /// The day self-assessments are due, if set.
    async fn self_due(&self) -> Option<Date> {
        self.0.self_due.map(Date)
    }
    /// The day manager reviews are due, if set.
    async fn manager_due(&self) -> Option<Date> {
        self.0.manager_due.map(Date)
    }
    /// When the cycle was opened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the cycle closed; null while it runs.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// Participants, and how many self and manager assessments are submitted.
    async fn progress(&self, ctx: &Context<'_>) -> ApiResult<CycleProgress> {
        let (participants, self_submitted, manager_submitted) =
            crate::assessment::cycle_counts(&state(ctx)?.db, self.0.id).await?;
        Ok(CycleProgress {
            participants: participants as i32,
            self_submitted: self_submitted as i32,
            manager_submitted: manager_submitted as i32,
        })
    }
    /// What was done to the cycle (opened, moved on), newest first: for HR
    /// and admins. A Relay connection (50 by default, at most 500 a page).
    #[graphql(complexity = "PageArgs::cost(first, last, 50, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Items from the start or after `after`, 1 to 500.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items after it.")] after: Option<String>,
        #[graphql(desc = "Items from the end or before `before`, 1 to 500.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items before it.")] before: Option<String>,
    ) -> ApiResult<Page<crate::audit::graphql::AuditEntry>> {
        let trail = crate::audit::read::Trail::Cycle(self.0.id);
        let args = PageArgs::new(first, after, last, before);
        crate::audit::graphql::history_page(ctx, trail, args).await
    }
}

/// How far a cycle has come: participants and submitted assessments by kind.
#[derive(SimpleObject)]
pub struct CycleProgress {
    /// How many people take part in the cycle.
    pub(super) participants: i32,
    /// How many participants have submitted their self-assessment.
    pub(super) self_submitted: i32,
    /// How many participants have a submitted manager assessment.
    pub(super) manager_submitted: i32,
}

/// One skill's level in an assessment, with optional evidence.
#[derive(SimpleObject)]
#[graphql(name = "Rating")]
pub struct RatingNode {
    /// The skill rated.
    pub(super) skill_key: String,
    /// 0 (not yet) to 5 (expert).
    pub(super) level: i32,
    /// What shows the level, in the rater's words.
    pub(super) evidence: Option<String>,
}

pub struct AssessmentNode(pub(crate) crate::assessment::Assessment);

impl GlobalId for AssessmentNode {
    fn global_id(&self) -> ID {
        global_id::encode(NodeType::Assessment, self.0.id)
    }
}
/// One set of ratings given in a cycle: a self-assessment, a manager's review or a peer's input.
#[Object(name = "Assessment")]
impl AssessmentNode {
    /// The assessment's global id (`node(id:)` fetches it again).
    async fn id(&self) -> ID {
        self.global_id()
    }
    /// The global id of the cycle it belongs to.
    async fn cycle_id(&self) -> ID {
        global_id::encode(NodeType::AssessmentCycle, self.0.cycle_id)
    }
    /// Self, manager or peer.
    async fn kind(&self) -> AssessmentKind {
        self.0.kind
    }
    /// 1 for the first version; amending a submitted assessment makes the next.
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    /// Draft or submitted.
    async fn status(&self) -> AssessmentStatus {
        self.0.status
    }
    /// When it was submitted; null for a draft.
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The person assessed.
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
    /// The levels given, by skill.
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

/// One skill of a person's profile: ratings, the agreed level, requirements now and at the next level, gaps.
#[derive(SimpleObject)]
pub struct ProfileSkill {
    /// The skill.
    pub(super) skill: Option<SkillNode>,
    /// The skill's key.
    pub(super) skill_key: String,
    /// The skill area.
    pub(super) area_key: String,
    /// The person's own rating in this cycle.
    pub(super) self_level: Option<i32>,
    /// The manager's rating in this cycle.
    pub(super) manager_level: Option<i32>,
    /// The mean of peers' input; shown, not counted.
    pub(super) peer_average: Option<f64>,
    /// The manager's rating once it exists, until then the person's own.
    pub(super) agreed: Option<i32>,
    /// Where the agreed level comes from.
    pub(super) basis: AgreedBasis,
    /// What the person's level requires.
    pub(super) required_current: i32,
    /// What the next level requires.
    pub(super) required_next: Option<i32>,
    /// Required now minus agreed; 0 when met.
    pub(super) gap_current: i32,
    /// Required at the next level minus agreed; 0 when met.
    pub(super) gap_next: Option<i32>,
    /// Set when self and manager differ by two levels or more.
    pub(super) divergence: Option<DivergenceKind>,
}

/// How a person matches their level and the next in one skill area, as shares of the weighted requirement.
#[derive(SimpleObject)]
#[graphql(name = "AreaScore")]
pub struct AreaScoreNode {
    /// The skill area's key.
    pub(super) area_key: String,
    /// Weighted match in percent against the current level.
    pub(super) match_current: Option<f64>,
    /// Weighted match in percent against the level a promotion leads to; null
    /// at the top of a track or when that level requires nothing in this area.
    pub(super) match_next: Option<f64>,
}

/// A person's skills against their level and the next, in one cycle.
#[derive(SimpleObject)]
#[graphql(name = "SkillProfile")]
pub struct SkillProfileNode {
    /// The person.
    pub(super) user: Option<User>,
    /// The cycle the profile is from.
    pub(super) cycle: AssessmentCycle,
    /// The person's job role in this cycle.
    pub(super) job_role: String,
    /// The person's level in this cycle.
    pub(super) career_level: String,
    /// The level a promotion leads to; null at the top of a track.
    pub(super) next_level: Option<String>,
    /// Weighted match in percent against the current level (see README).
    pub(super) match_current: Option<f64>,
    /// Weighted match in percent against the level a promotion leads to (see
    /// README); null at the top of a track, or when that level requires nothing.
    pub(super) match_next: Option<f64>,
    /// Match per skill area.
    pub(super) areas: Vec<AreaScoreNode>,
    /// Each skill with ratings, agreed level and gaps.
    pub(super) skills: Vec<ProfileSkill>,
    /// The skill gaps a development plan targeted before this cycle opened,
    /// and whether this cycle's manager rating closed them.
    pub(super) planned_gaps: Vec<crate::development::graphql::PlannedGapNode>,
}

/// One skill's ratings of a person in a cycle: their own, their manager's, the mean of peers' input, and the level agreed from them.
#[derive(SimpleObject)]
pub struct PersonSkillRating {
    /// The skill's key.
    pub(crate) skill_key: String,
    /// The person's own rating.
    pub(crate) self_level: Option<i32>,
    /// The manager's rating.
    pub(crate) manager_level: Option<i32>,
    /// The mean of peers' input; shown, not counted.
    pub(crate) peer_average: Option<f64>,
    /// The manager's rating once it exists, until then the person's own.
    pub(crate) agreed: Option<i32>,
    /// Where the agreed level comes from.
    pub(crate) basis: AgreedBasis,
}

impl From<crate::assessment::SkillRatingsOf> for PersonSkillRating {
    fn from(s: crate::assessment::SkillRatingsOf) -> Self {
        let (agreed, basis) = s.ratings.agreed();
        Self {
            self_level: s.ratings.self_level.map(i32::from),
            manager_level: s.ratings.manager_level.map(i32::from),
            peer_average: s.ratings.peer_average(),
            agreed: agreed.map(i32::from),
            basis,
            skill_key: s.skill,
        }
    }
}
