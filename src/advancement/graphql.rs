//! The advancement API: each person's possible moves with readiness, reasons
//! and next actions; and the organisation view ranked by readiness.

use std::collections::HashMap;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::scoring::{Candidate, Gate, GateKind, SkillGap};
use super::{ReadinessFilter, advancement_paths, promotion_readiness};
use crate::auth::Locale;
use crate::certification::today;
use crate::framework::Framework;
use crate::framework::document::PathKind;
use crate::framework::graphql::{
    CareerLevelNode, CertificationNode, DirectionNode, LearningResourceNode, SkillNode, View,
};
use crate::graphql::context::{actor, locale, state};
use crate::graphql::error::{ApiResult, parse_id};
use crate::graphql::loaders::Loaders;
use crate::people::Person;
use crate::people::graphql::User;

#[derive(SimpleObject)]
pub struct ReadinessComponents {
    /// Weighted skill match against the target level (self-only ratings count half).
    skills: f64,
    /// Mean KPI score of recent periods, capped at 100; null without results.
    kpi: Option<f64>,
    /// Share of the required certifications held.
    certifications: f64,
    /// Months at level against the minimum, capped at 100; null when the start date is unknown.
    time_at_level: Option<f64>,
}

#[derive(SimpleObject)]
pub struct GateNode {
    kind: GateKind,
    /// The certification key, the minimum months, or the minimum KPI score.
    requirement: String,
    certification: Option<CertificationNode>,
    met: bool,
    actual: Option<String>,
}

#[derive(SimpleObject)]
pub struct SkillGapNode {
    skill: Option<SkillNode>,
    skill_key: String,
    required: i32,
    current: i32,
    weight: i32,
    /// Only the person's own rating is known for this skill.
    self_rated_only: bool,
}

#[derive(SimpleObject)]
pub struct MentorNode {
    user: Option<User>,
    skill_key: String,
    /// The mentor's manager-agreed level in the skill.
    level: i32,
}

#[derive(SimpleObject)]
pub struct NextActions {
    /// Courses and practice for the biggest gaps.
    learning_resources: Vec<LearningResourceNode>,
    /// Certifications the move requires that are not held yet.
    certifications_to_start: Vec<CertificationNode>,
    /// Colleagues strong in a gap skill (among those the caller may see).
    mentors: Vec<MentorNode>,
}

#[derive(SimpleObject)]
pub struct AdvancementCandidate {
    role_key: String,
    level_key: String,
    /// The level the move leads to.
    level: Option<CareerLevelNode>,
    kind: PathKind,
    direction: Option<DirectionNode>,
    /// Every level on the way, ending with the target.
    route: Vec<CareerLevelNode>,
    /// 0–100 (see README); capped at 60 while a gate is unmet.
    readiness: f64,
    ready: bool,
    components: ReadinessComponents,
    gates: Vec<GateNode>,
    blockers: Vec<GateNode>,
    gaps: Vec<SkillGapNode>,
    strengths: Vec<SkillGapNode>,
    next_actions: NextActions,
    /// The reasons, in a sentence or two.
    explanation: String,
}

#[derive(SimpleObject)]
pub struct AdvancementPaths {
    user: Option<User>,
    current_level: Option<CareerLevelNode>,
    months_at_level: Option<i32>,
    /// Every move open from the current level, best first; empty at the top of a track.
    candidates: Vec<AdvancementCandidate>,
    /// The route to the requested target, scored.
    target: Option<AdvancementCandidate>,
}

#[derive(SimpleObject)]
pub struct ReadinessRank {
    user: Option<User>,
    readiness: f64,
    ready: bool,
    best_move: AdvancementCandidate,
}

#[derive(InputObject)]
pub struct TargetLevelInput {
    pub role: String,
    pub level: String,
}

#[derive(InputObject, Default)]
pub struct ReadinessFilterInput {
    pub team_id: Option<ID>,
    pub job_role: Option<String>,
    pub career_level: Option<String>,
    pub min_readiness: Option<f64>,
    /// Only people ready for their best move (score ≥ 80, no blockers).
    #[graphql(default)]
    pub only_ready: bool,
}

fn gap_node(view: &View, g: &SkillGap) -> SkillGapNode {
    SkillGapNode {
        skill: view.skill(&g.skill),
        skill_key: g.skill.clone(),
        required: g.required.into(),
        current: g.current.into(),
        weight: g.weight.into(),
        self_rated_only: g.self_only,
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
    }
}

fn explanation(fw: &Framework, c: &Candidate, locale: Locale) -> String {
    let title = fw
        .level(&c.to_role, &c.to_level)
        .map(|l| l.title.get(locale).to_owned())
        .unwrap_or_default();
    let skill_name = |key: &str| {
        fw.skill(key)
            .map(|s| s.name.get(locale).to_owned())
            .unwrap_or_else(|| key.to_owned())
    };
    let gaps: Vec<String> = c
        .gaps
        .iter()
        .take(3)
        .map(|g| format!("{} {}→{}", skill_name(&g.skill), g.current, g.required))
        .collect();
    let blockers: Vec<String> = c
        .blockers
        .iter()
        .map(|b| match (b.kind, locale) {
            (GateKind::Certification, Locale::ZhCn) => format!(
                "缺少认证 {}",
                fw.certification(&b.requirement)
                    .map(|x| x.name.zh_cn.clone())
                    .unwrap_or_default()
            ),
            (GateKind::Certification, _) => format!(
                "missing certification {}",
                fw.certification(&b.requirement)
                    .map(|x| x.name.en.clone())
                    .unwrap_or_default()
            ),
            (GateKind::MinMonths, Locale::ZhCn) => format!("在当前级别需满 {} 个月", b.requirement),
            (GateKind::MinMonths, _) => {
                format!("needs {} months at the current level", b.requirement)
            }
            (GateKind::KpiAttainment, Locale::ZhCn) => format!("KPI 得分需达到 {}", b.requirement),
            (GateKind::KpiAttainment, _) => format!("needs a KPI score of {}", b.requirement),
        })
        .collect();
    let kpi = c
        .components
        .kpi
        .map_or_else(|| "—".to_owned(), |k| format!("{k:.0}%"));
    match locale {
        Locale::ZhCn => {
            let mut s = format!(
                "{}：{}，准备度 {:.0}/100。技能匹配 {:.0}%，KPI {}，认证 {:.0}%。",
                title,
                if c.ready() {
                    "已具备条件"
                } else {
                    "尚未具备条件"
                },
                c.readiness,
                c.components.skills,
                kpi,
                c.components.certifications
            );
            if !blockers.is_empty() {
                s.push_str(&format!("阻碍：{}。", blockers.join("；")));
            }
            if !gaps.is_empty() {
                s.push_str(&format!("主要差距：{}。", gaps.join("，")));
            }
            s
        }
        Locale::En => {
            let mut s = format!(
                "{}: {}, readiness {:.0}/100. Skills match {:.0}% of the level, KPIs {}, certifications {:.0}%.",
                title,
                if c.ready() { "ready" } else { "not ready yet" },
                c.readiness,
                c.components.skills,
                kpi,
                c.components.certifications
            );
            if !blockers.is_empty() {
                s.push_str(&format!(" Blocked: {}.", blockers.join("; ")));
            }
            if !gaps.is_empty() {
                s.push_str(&format!(" Biggest gaps: {}.", gaps.join(", ")));
            }
            s
        }
    }
}

fn candidate_node(
    view: &View,
    c: &Candidate,
    mentors: &HashMap<String, Vec<(i64, u8)>>,
    people: &HashMap<i64, Person>,
) -> AdvancementCandidate {
    let fw = view.framework();
    let mut resources: Vec<usize> = Vec::new();
    for gap in c.gaps.iter().take(3) {
        for (i, r) in fw.doc.learning_resources.iter().enumerate() {
            if r.skills.contains(&gap.skill) && !resources.contains(&i) && resources.len() < 5 {
                resources.push(i);
            }
        }
    }
    let mentor_nodes = c
        .gaps
        .iter()
        .flat_map(|g| {
            mentors
                .get(&g.skill)
                .into_iter()
                .flatten()
                .map(move |(id, level)| (g.skill.clone(), *id, *level))
        })
        .map(|(skill, id, level)| MentorNode {
            user: people.get(&id).cloned().map(User),
            skill_key: skill,
            level: level.into(),
        })
        .collect();
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
        readiness: c.readiness,
        ready: c.ready(),
        components: ReadinessComponents {
            skills: c.components.skills,
            kpi: c.components.kpi,
            certifications: c.components.certifications,
            time_at_level: c.components.time,
        },
        gates: c.gates.iter().map(|g| gate_node(view, g)).collect(),
        blockers: c.blockers.iter().map(|g| gate_node(view, g)).collect(),
        gaps: c.gaps.iter().map(|g| gap_node(view, g)).collect(),
        strengths: c
            .strengths
            .iter()
            .take(5)
            .map(|g| gap_node(view, g))
            .collect(),
        next_actions: NextActions {
            learning_resources: resources
                .into_iter()
                .map(|i| LearningResourceNode(view.clone(), i))
                .collect(),
            certifications_to_start: c
                .blockers
                .iter()
                .filter(|b| b.kind == GateKind::Certification)
                .filter_map(|b| view.certification(&b.requirement))
                .collect(),
            mentors: mentor_nodes,
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
        user_id: ID,
        target: Option<TargetLevelInput>,
    ) -> ApiResult<AdvancementPaths> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let user_id = parse_id(&user_id, "userId")?;
        let target_ref = target.as_ref().map(|t| (t.role.as_str(), t.level.as_str()));
        let paths = advancement_paths(
            &state.db,
            &state.frameworks,
            actor,
            user_id,
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
            months_at_level: paths.person.months_at_level.map(|m| m as i32),
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
    /// reports, or anyone for HR ("who is ready for promotion?").
    #[graphql(
        complexity = "crate::graphql::limits::cost::ORGANISATION + crate::graphql::limits::cost::per_item(first, child_complexity)"
    )]
    async fn promotion_readiness(
        &self,
        ctx: &Context<'_>,
        filter: Option<ReadinessFilterInput>,
        #[graphql(default = 50, validator(minimum = 1, maximum = 500))] first: i32,
    ) -> ApiResult<Vec<ReadinessRank>> {
        let actor = actor(ctx)?;
        let state = state(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = ReadinessFilter {
            team_id: f
                .team_id
                .as_ref()
                .map(|t| parse_id(t, "filter.teamId"))
                .transpose()?,
            job_role: f.job_role,
            career_level: f.career_level,
            min_readiness: f.min_readiness,
            only_ready: f.only_ready,
        };
        let (fw, mut rows) =
            promotion_readiness(&state.db, &state.frameworks, actor, &filter, today()).await?;
        rows.truncate(first as usize);
        let view = View::new(fw, locale(ctx, None));
        let people = ctx
            .data::<Loaders>()?
            .person
            .load_many(rows.iter().map(|r| r.user_id))
            .await?;
        let none = HashMap::new();
        Ok(rows
            .iter()
            .map(|r| ReadinessRank {
                user: people.get(&r.user_id).cloned().map(User),
                readiness: r.best.readiness,
                ready: r.best.ready(),
                best_move: candidate_node(&view, &r.best, &none, &people),
            })
            .collect())
    }
}
