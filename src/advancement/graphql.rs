//! The advancement API: each person's possible moves with readiness, reasons
//! and next actions; and the organisation view ranked by readiness.

use std::collections::HashMap;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::explain::{action_text, explanation};
use super::scoring::{
    ActionKind, Candidate, EvidenceLevel, Gate, GateKind, SkillBasis, SkillGap, Verdict,
};
use super::{ReadinessFilter, advancement_paths, readiness_scope, succession_candidates};
use crate::auth::policy;
use crate::certification::today;
use crate::framework::document::PathKind;
use crate::framework::graphql::{
    CareerLevelNode, CertificationNode, DirectionNode, LearningResourceNode, SkillNode, View,
};
use crate::graphql::context::{actor, locale, state};
use crate::graphql::date::Date;
use crate::graphql::error::{ApiError, ApiResult, parse_id};
use crate::graphql::global_id::NodeType;
use crate::graphql::loaders::Loaders;
use crate::graphql::pagination::{Page, PageArgs, connection, window};
use crate::people::Person;
use crate::people::graphql::User;

/// The parts a readiness figure is made of: skills, KPI results, certificates.
#[derive(SimpleObject)]
pub struct ReadinessComponents {
    /// Weighted skill match against the target level, manager-confirmed
    /// ratings only; null when the move needs evidence.
    skills: Option<f64>,
    /// Mean KPI score of the finished periods of the last year, capped at 100; null without one.
    kpi: Option<f64>,
    /// Share of the required certifications held (verified).
    certifications: f64,
    /// Months at level against the minimum, capped at 100; null when the start date is unknown.
    time_at_level: Option<f64>,
}

/// A condition a move requires besides skills: a certificate, time at level or a KPI score.
#[derive(SimpleObject)]
#[graphql(name = "Gate")]
pub struct GateNode {
    /// A certificate, a minimum time at level or a minimum KPI score.
    kind: GateKind,
    /// The certification key, the minimum months, or the minimum KPI score.
    requirement: String,
    /// A CERTIFICATION gate: the certificate to hold; null for the other kinds.
    certification: Option<CertificationNode>,
    /// True when the person meets it today: the certificate earned, valid and
    /// verified by HR, the months at level served, or the KPI score reached.
    met: bool,
    /// `held`, `unverified` or `not held`; the months so far; the KPI score.
    actual: Option<String>,
    /// A time gate: the day it opens.
    opens_on: Option<Date>,
}

/// A required skill where a person is short, or meets or exceeds the requirement.
#[derive(SimpleObject)]
#[graphql(name = "SkillGap")]
pub struct SkillGapNode {
    /// The skill.
    skill: Option<SkillNode>,
    /// The skill's key.
    skill_key: String,
    /// The level the target requires, 1 to 5.
    required: i32,
    /// The manager-confirmed level; null when no recent manager rating exists.
    current: Option<i32>,
    /// The best level known: confirmed, else a self, peer or old manager rating.
    known: Option<i32>,
    /// Where the known level comes from, and whether it counts.
    basis: SkillBasis,
    /// The skill's importance at the target level, 1 to 5.
    weight: i32,
    /// Declared critical for the target level: not compensable.
    critical: bool,
    /// Only the person's own rating is known for this skill.
    self_rated_only: bool,
    /// The person's own rating from a later cycle than the manager's: a signal.
    newer_self_rating: Option<i32>,
}

/// What a readiness figure rests on: how many requirements were rated, by whom and how recently.
#[derive(SimpleObject)]
#[graphql(name = "Evidence")]
pub struct EvidenceNode {
    /// What the verdict rests on: no ratings, only the person's own, or a
    /// manager's for some or for all of the target's skills.
    level: EvidenceLevel,
    /// Percent of the target's skill weight a manager has confirmed.
    confirmed_share: f64,
    /// What the person's own ratings claim (a signal, never counted).
    self_assessed_match: Option<f64>,
    /// Skills the target needs that nobody has rated yet.
    unknown_skills: Vec<String>,
    /// Skills with only a self, peer or old manager rating.
    unconfirmed_skills: Vec<String>,
}

/// A colleague the caller may see whose latest manager rating in a gap skill is 4 or more.
#[derive(SimpleObject)]
#[graphql(name = "Mentor")]
pub struct MentorNode {
    /// The colleague.
    user: Option<User>,
    /// The gap skill they are strong in.
    skill_key: String,
    /// The mentor's manager-agreed level in the skill.
    level: i32,
}

/// What would move a person forward on a move: resources, certificates to start, mentors.
#[derive(SimpleObject)]
pub struct NextActions {
    /// Courses and practice for the biggest gaps.
    learning_resources: Vec<LearningResourceNode>,
    /// Certifications the move requires that are not held yet.
    certifications_to_start: Vec<CertificationNode>,
    /// Colleagues strong in a gap skill (among those the caller may see).
    mentors: Vec<MentorNode>,
}

/// One concrete thing to do; the first of a move's actions comes first.
#[derive(SimpleObject)]
pub struct AdvancementAction {
    /// What to do; it decides which of the other fields are filled.
    kind: ActionKind,
    /// The action in a sentence, in the caller's language.
    text: String,
    /// GET_ASSESSED, CONFIRM_WITH_MANAGER, CLOSE_SKILL_GAP: the skills concerned;
    /// empty for the other kinds.
    skill_keys: Vec<String>,
    /// EARN_CERTIFICATION, GET_CERTIFICATION_VERIFIED: the certificate concerned.
    certification: Option<CertificationNode>,
    /// IMPROVE_KPI: the KPI with the biggest weighted shortfall in the latest finished period.
    kpi_key: Option<String>,
    /// WAIT_UNTIL: the day the time gate opens; AWAIT_KPI_RESULTS: the running period's end.
    date: Option<Date>,
    /// IMPROVE_KPI: KPI score points missing to the gate.
    short_by: Option<f64>,
    /// IMPROVE_KPI: the weakest KPI's attainment in the latest finished period.
    attainment: Option<f64>,
    /// CLOSE_SKILL_GAP: courses and practice for these skills.
    learning_resources: Vec<LearningResourceNode>,
    /// CLOSE_SKILL_GAP: colleagues rated 4+ in these skills.
    mentors: Vec<MentorNode>,
}

/// One move a person could make: to another level or role, how ready they are, what blocks it and what to do next.
#[derive(SimpleObject)]
pub struct AdvancementCandidate {
    /// The job role the move leads to.
    role_key: String,
    /// The level the move leads to.
    level_key: String,
    /// The level the move leads to.
    level: Option<CareerLevelNode>,
    /// Promotion, lateral move or a step into management.
    kind: PathKind,
    /// The direction of growth this move serves, if the framework names one.
    direction: Option<DirectionNode>,
    /// Every level on the way, ending with the target.
    route: Vec<CareerLevelNode>,
    /// Ready, not ready, or not enough manager-confirmed evidence to judge.
    verdict: Verdict,
    /// 0–100 (see README): at least 80 when ready, at most 79 when not;
    /// null when there is not enough manager-confirmed evidence to judge.
    readiness: Option<f64>,
    /// True when the verdict is READY.
    ready: bool,
    /// What the readiness figure is made of.
    components: ReadinessComponents,
    /// What the verdict rests on.
    evidence: EvidenceNode,
    /// Every gate of the move, met or not.
    gates: Vec<GateNode>,
    /// The gates not met yet.
    blockers: Vec<GateNode>,
    /// Critical skills confirmed below what the target requires.
    critical_gaps: Vec<SkillGapNode>,
    /// Required skills known to be short (unknown ones are in `evidence`).
    gaps: Vec<SkillGapNode>,
    /// Required skills met or exceeded, heaviest first.
    strengths: Vec<SkillGapNode>,
    /// What to do, first thing first; never empty.
    actions: Vec<AdvancementAction>,
    /// Resources, certificates and mentors for the gaps.
    next_actions: NextActions,
    /// Why this move, what blocks it and what to do first, in a sentence or two.
    explanation: String,
}

/// A person's next moves, best first, and optionally the route to a chosen target.
#[derive(SimpleObject)]
pub struct AdvancementPaths {
    /// The person.
    user: Option<User>,
    /// The person's job role and career level now, where every move starts.
    current_level: Option<CareerLevelNode>,
    /// Whole months at the current level; null when the day it started is unknown.
    months_at_level: Option<i32>,
    /// Every move open from the current level, best first: ready, blocked
    /// only by time, not ready, needing evidence; empty at the top of a track.
    candidates: Vec<AdvancementCandidate>,
    /// The route to the requested target, scored.
    target: Option<AdvancementCandidate>,
}

/// One person in the readiness ranking, with their best next move.
#[derive(SimpleObject)]
pub struct ReadinessRank {
    /// The person.
    user: Option<User>,
    /// Readiness for it, 0 to 100; null without enough evidence.
    readiness: Option<f64>,
    /// True when the verdict is READY.
    ready: bool,
    /// Ready, not ready, or not enough evidence.
    verdict: Verdict,
    /// The move the person is closest to.
    best_move: AdvancementCandidate,
}

/// Who could fill a role and level, and how far the organisation is from the
/// number it needs.
#[derive(SimpleObject)]
pub struct SuccessionPlan {
    /// The job role to fill.
    role_key: String,
    /// The career level to fill.
    level_key: String,
    /// The level, in the caller's language.
    level: Option<CareerLevelNode>,
    /// How many more people are needed there.
    needed: i32,
    /// People in reach who hold that role and level today.
    holders: i32,
    /// Candidates ready for the move now.
    ready_now: i32,
    /// How many of the needed are not covered by a ready candidate.
    gap: i32,
    /// Everyone in reach one move away, most ready first, with what the
    /// move still needs.
    candidates: Vec<ReadinessRank>,
}

/// A role and level to aim for.
#[derive(InputObject)]
pub struct TargetLevelInput {
    /// The job role key.
    pub role: String,
    /// The career level key.
    pub level: String,
}

/// Narrows the readiness ranking: a team and its sub-teams, a role, a level, a minimum readiness, only those ready.
#[derive(InputObject, Default)]
#[graphql(name = "ReadinessFilter")]
pub struct ReadinessFilterInput {
    /// Only this team and its sub-teams.
    pub team_id: Option<ID>,
    /// Only people in this job role key.
    pub job_role: Option<String>,
    /// Only people at this career level key.
    pub career_level: Option<String>,
    /// Only people whose best move is at least this ready (0 to 100).
    pub min_readiness: Option<f64>,
    /// Only people ready for their best move: its critical skills met and
    /// confirmed by a manager, its gates met.
    #[graphql(default)]
    pub only_ready: bool,
}

fn gap_node(view: &View, g: &SkillGap) -> SkillGapNode {
    SkillGapNode {
        skill: view.skill(&g.skill),
        skill_key: g.skill.clone(),
        required: g.required.into(),
        current: g.confirmed.map(i32::from),
        known: g.known.map(i32::from),
        basis: g.basis,
        weight: g.weight.into(),
        critical: g.critical,
        self_rated_only: g.basis == SkillBasis::SelfOnly,
        newer_self_rating: g.newer_self.map(i32::from),
    }
}

fn gate_node(view: &View, g: &Gate) -> GateNode {
    GateNode {
        kind: g.kind,
        certification: (g.kind == GateKind::Certification)
            .then(|| view.certification(&g.requirement))
            .flatten(),
        requirement: g.requirement.clone(),
        met: g.met,
        actual: g.actual.clone(),
        opens_on: g.opens_on.map(Date),
    }
}

fn resources_for(view: &View, skills: &[String]) -> Vec<LearningResourceNode> {
    let mut found: Vec<usize> = Vec::new();
    for skill in skills.iter().take(3) {
        for (i, r) in view.framework().doc.learning_resources.iter().enumerate() {
            if !r.retired && r.skills.contains(skill) && !found.contains(&i) && found.len() < 5 {
                found.push(i);
            }
        }
    }
    found
        .into_iter()
        .map(|i| LearningResourceNode(view.clone(), i))
        .collect()
}

fn mentors_for(
    skills: &[String],
    mentors: &HashMap<String, Vec<(i64, u8)>>,
    people: &HashMap<i64, Person>,
) -> Vec<MentorNode> {
    skills
        .iter()
        .flat_map(|s| {
            mentors
                .get(s)
                .into_iter()
                .flatten()
                .map(move |(id, level)| (s.clone(), *id, *level))
        })
        .map(|(skill, id, level)| MentorNode {
            user: people.get(&id).cloned().map(User),
            skill_key: skill,
            level: level.into(),
        })
        .collect()
}

/// Ranked people as the API shows them, their names loaded in one batch.
async fn ranked_nodes(
    ctx: &Context<'_>,
    view: &View,
    rows: &[super::ReadinessRow],
) -> ApiResult<Vec<ReadinessRank>> {
    let people = ctx
        .data::<Loaders>()?
        .person
        .load_many(rows.iter().map(|r| r.user_id))
        .await?;
    let no_mentors = HashMap::new();
    Ok(rows
        .iter()
        .map(|r| ReadinessRank {
            user: people.get(&r.user_id).cloned().map(User),
            readiness: r.best.readiness,
            ready: r.best.ready(),
            verdict: r.best.verdict,
            best_move: candidate_node(view, &r.best, &no_mentors, &people),
        })
        .collect())
}

fn candidate_node(
    view: &View,
    c: &Candidate,
    mentors: &HashMap<String, Vec<(i64, u8)>>,
    people: &HashMap<i64, Person>,
) -> AdvancementCandidate {
    let fw = view.framework();
    let gap_keys: Vec<String> = c.gaps.iter().take(3).map(|g| g.skill.clone()).collect();
    let actions = c
        .actions
        .iter()
        .map(|a| {
            let closes = a.kind == ActionKind::CloseSkillGap;
            AdvancementAction {
                kind: a.kind,
                text: action_text(fw, a, view.locale()),
                skill_keys: a.skills.clone(),
                certification: a
                    .certification
                    .as_deref()
                    .and_then(|k| view.certification(k)),
                kpi_key: a.kpi.clone(),
                date: a.date.map(Date),
                short_by: a.short_by,
                attainment: a.attainment,
                learning_resources: if closes {
                    resources_for(view, &a.skills)
                } else {
                    Vec::new()
                },
                mentors: if closes {
                    mentors_for(&a.skills, mentors, people)
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    let all_gaps: Vec<String> = c.gaps.iter().map(|g| g.skill.clone()).collect();
    AdvancementCandidate {
        role_key: c.to_role.clone(),
        level_key: c.to_level.clone(),
        level: view.level(&format!("{}/{}", c.to_role, c.to_level)),
        kind: c.kind,
        direction: c.direction.clone().map(|d| DirectionNode(view.clone(), d)),
        route: c
            .route
            .iter()
            .filter_map(|(r, l)| view.level(&format!("{r}/{l}")))
            .collect(),
        verdict: c.verdict,
        readiness: c.readiness,
        ready: c.ready(),
        components: ReadinessComponents {
            skills: c.components.skills,
            kpi: c.components.kpi,
            certifications: c.components.certifications,
            time_at_level: c.components.time,
        },
        evidence: EvidenceNode {
            level: c.evidence.level,
            confirmed_share: c.evidence.confirmed_share,
            self_assessed_match: c.evidence.self_match,
            unknown_skills: c.evidence.unknown.clone(),
            unconfirmed_skills: c.evidence.unconfirmed.clone(),
        },
        gates: c.gates.iter().map(|g| gate_node(view, g)).collect(),
        blockers: c.blockers.iter().map(|g| gate_node(view, g)).collect(),
        critical_gaps: c.critical_gaps.iter().map(|g| gap_node(view, g)).collect(),
        gaps: c.gaps.iter().map(|g| gap_node(view, g)).collect(),
        strengths: c
            .strengths
            .iter()
            .take(5)
            .map(|g| gap_node(view, g))
            .collect(),
        actions,
        next_actions: NextActions {
            learning_resources: resources_for(view, &gap_keys),
            certifications_to_start: c
                .blockers
                .iter()
                .filter(|b| b.kind == GateKind::Certification)
                .filter(|b| b.actual.as_deref() != Some("unverified"))
                .filter_map(|b| view.certification(&b.requirement))
                .collect(),
            mentors: mentors_for(&all_gaps, mentors, people),
        },
        explanation: explanation(fw, c, view.locale()),
    }
}

#[derive(Default)]
pub struct AdvancementQuery;

#[Object]
impl AdvancementQuery {
    /// Where a person can go next, how ready they are, what blocks them and
    /// what to do; with `target`, the whole route to a level further away.
    #[graphql(complexity = "crate::graphql::limits::cost::ROLLUP + child_complexity")]
    async fn advancement_paths(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's id.")] user_id: ID,
        #[graphql(
            desc = "A level further away to score the route to; the framework's paths must lead there."
        )]
        target: Option<TargetLevelInput>,
    ) -> ApiResult<AdvancementPaths> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let user_id = parse_id(&user_id, "userId", NodeType::User)?;
        let target_ref = target.as_ref().map(|t| (t.role.as_str(), t.level.as_str()));
        let paths = advancement_paths(
            &state.db,
            &state.frameworks,
            &policy::view_work(actor, user_id)?,
            target_ref,
            today(),
        )
        .await?;
        let view = View::new(paths.framework.clone(), locale(ctx, None));
        let mut ids: Vec<i64> = paths
            .mentors
            .values()
            .flatten()
            .map(|(id, _)| *id)
            .collect();
        ids.push(user_id);
        let people = ctx.data::<Loaders>()?.person.load_many(ids).await?;
        Ok(AdvancementPaths {
            user: people.get(&user_id).cloned().map(User),
            current_level: view.level(&format!("{}/{}", paths.person.role, paths.person.level)),
            months_at_level: paths.person.months_at_level().map(|m| m as i32),
            candidates: paths
                .moves
                .iter()
                .map(|c| candidate_node(&view, c, &paths.mentors, &people))
                .collect(),
            target: paths
                .target
                .as_ref()
                .map(|c| candidate_node(&view, c, &paths.mentors, &people)),
        })
    }

    /// People ranked by readiness for their best next move: a manager's
    /// reports, or anyone for HR ("who is ready for promotion?"). A Relay
    /// connection: `first`/`after` (50 by default, at most 500 a page) or
    /// `last`/`before`; `totalCount` is everyone ranked.
    #[graphql(
        complexity = "crate::graphql::limits::cost::ORGANISATION + PageArgs::cost(first, last, 50, child_complexity)"
    )]
    async fn promotion_readiness(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<ReadinessFilterInput>,
        #[graphql(desc = "Items from the start or after `after`, 1 to 500.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items after it.")] after: Option<String>,
        #[graphql(desc = "Items from the end or before `before`, 1 to 500.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items before it.")] before: Option<String>,
    ) -> ApiResult<Page<ReadinessRank>> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = ReadinessFilter {
            team_id: f
                .team_id
                .as_ref()
                .map(|t| parse_id(t, "filter.teamId", NodeType::Team))
                .transpose()?,
            job_role: f.job_role,
            career_level: f.career_level,
            min_readiness: f.min_readiness,
            only_ready: f.only_ready,
        };
        let args = PageArgs::new(first, after, last, before);
        // The ranking is counted and paged by the database: only the page's
        // rows are read.
        let scope = readiness_scope(&state.db, &state.frameworks, actor, &filter, today()).await?;
        let total = scope.count(&state.db).await?;
        let range = window(&args, total, 50)?;
        let rows = scope.rows(&state.db, Some(range.clone())).await?;
        let view = View::new(scope.framework, locale(ctx, None));
        let nodes = ranked_nodes(ctx, &view, &rows).await?;
        Ok(connection(range, total, nodes))
    }

    /// Who could fill a role and level ("two more community p3s"): everyone
    /// in reach one move away from it, most ready first, each with what the
    /// move still needs (gaps, unmet gates, next actions): a list HR can act
    /// on. Managers see their reports, HR everyone.
    #[graphql(complexity = "crate::graphql::limits::cost::ORGANISATION + 100 * child_complexity")]
    async fn succession_plan(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The job role to fill, e.g. `community_operations`.")] role: String,
        #[graphql(desc = "The career level to fill, e.g. `p3`.")] level: String,
        #[graphql(desc = "How many more people are needed there.", default = 1)] needed: i32,
    ) -> ApiResult<SuccessionPlan> {
        if !(1..=1000).contains(&needed) {
            return Err(ApiError::bad_input("needed", "must be between 1 and 1000"));
        }
        let state = state(ctx)?;
        let (fw, rows, holders) = succession_candidates(
            &state.db,
            &state.frameworks,
            &policy::team_views(actor(ctx)?)?,
            &role,
            &level,
            today(),
        )
        .await?;
        let view = View::new(fw, locale(ctx, None));
        let ready_now = rows.iter().filter(|r| r.best.ready()).count();
        Ok(SuccessionPlan {
            level: view.level(&format!("{role}/{level}")),
            role_key: role,
            level_key: level,
            needed,
            holders: i32::try_from(holders).unwrap_or(i32::MAX),
            ready_now: i32::try_from(ready_now).unwrap_or(i32::MAX),
            gap: (needed - i32::try_from(ready_now).unwrap_or(i32::MAX)).max(0),
            candidates: ranked_nodes(ctx, &view, &rows).await?,
        })
    }
}
