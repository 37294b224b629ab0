//! `capabilityMaturity`, `maturityLevels` and `setMaturityTarget`: the
//! maturity of each skill area as the domain computes it, in the caller's
//! language.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, SimpleObject};

use super::model::{self, AreaMaturity, CriticalSkill, Shortfall, Trend};
use super::{MaturityReport, MaturityScope, explain};
use crate::assessment::graphql::AssessmentCycle;
use crate::auth::{Locale, policy};
use crate::framework::Framework;
use crate::graphql::context::{actor, locale, state};
use crate::graphql::error::{ApiResult, parse_id};
use crate::graphql::global_id::NodeType;
use crate::graphql::loaders::Loaders;
use crate::kpi::Period;
use crate::people::graphql::User;

/// A maturity level's name and written definition.
#[derive(SimpleObject)]
pub struct MaturityLevel {
    /// 1 (initial) to 5 (optimising).
    level: i32,
    /// The level's name, e.g. "Defined".
    name: String,
    /// What an area at this level shows, in evidence.
    definition: String,
}

fn level_of(level: u8, locale: Locale) -> MaturityLevel {
    let text = explain::level(level, locale);
    MaturityLevel {
        level: i32::from(level),
        name: text.name.to_owned(),
        definition: text.definition.to_owned(),
    }
}

fn all_levels(locale: Locale) -> Vec<MaturityLevel> {
    (model::INITIAL..=model::OPTIMISING)
        .map(|l| level_of(l, locale))
        .collect()
}

/// Coverage since the previous cycle.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum MaturityTrend {
    /// Up by 2 points or more.
    Rising,
    /// Within 2 points.
    Steady,
    /// Down by 2 points or more.
    Falling,
    /// No previous cycle to compare with, or nothing required in it.
    Unknown,
}

impl From<Trend> for MaturityTrend {
    fn from(t: Trend) -> Self {
        match t {
            Trend::Rising => MaturityTrend::Rising,
            Trend::Steady => MaturityTrend::Steady,
            Trend::Falling => MaturityTrend::Falling,
            Trend::Unknown => MaturityTrend::Unknown,
        }
    }
}

/// What kind of condition a step towards the next level meets.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum MaturityStepKind {
    /// More required proficiencies confirmed.
    Coverage,
    /// More holders of a critical skill.
    Holders,
    /// KPI targets with results in the area.
    KpiEvidence,
    /// Higher attainment of the area's KPIs.
    KpiAttainment,
    /// Coverage must stop falling.
    Trend,
}

/// One unmet condition of the next level, and what would meet it.
#[derive(SimpleObject)]
pub struct MaturityStep {
    /// The kind of condition.
    kind: MaturityStepKind,
    /// The skill concerned, for holder steps.
    skill_key: Option<String>,
    /// The step in words.
    text: String,
}

pub struct SkillBench {
    skill: CriticalSkill,
    fw: Arc<Framework>,
    locale: Locale,
}

/// A critical skill of the scope and the people who hold it.
#[Object]
impl SkillBench {
    /// The skill's key.
    async fn skill_key(&self) -> &str {
        &self.skill.skill
    }
    /// The skill's name.
    async fn skill_name(&self) -> String {
        self.fw
            .skill(&self.skill.skill)
            .map(|s| s.name.get(self.locale).to_owned())
            .unwrap_or_else(|| self.skill.skill.clone())
    }
    /// People of the scope rated proficient (3) or better in the cycle.
    async fn holders(&self) -> i32 {
        i32::try_from(self.skill.holders).unwrap_or(i32::MAX)
    }
    /// The only holder, when there is exactly one (a single point of
    /// knowledge).
    async fn sole_holder(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let Some(id) = self.skill.sole_holder else {
            return Ok(None);
        };
        Ok(ctx.data::<Loaders>()?.person.load_one(id).await?.map(User))
    }
}

pub struct AreaMaturityNode {
    area: AreaMaturity,
    report: Arc<MaturityReport>,
    locale: Locale,
}

impl AreaMaturityNode {
    fn bench(&self, only_single: bool) -> Vec<SkillBench> {
        self.area
            .evidence
            .critical
            .iter()
            .filter(|c| !only_single || c.holders == 1)
            .map(|c| SkillBench {
                skill: c.clone(),
                fw: self.report.framework.clone(),
                locale: self.locale,
            })
            .collect()
    }
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// One skill area's maturity for the scope, with the evidence behind it.
#[Object(name = "AreaMaturity")]
impl AreaMaturityNode {
    /// The area's key, e.g. `community`.
    async fn area_key(&self) -> &str {
        &self.area.evidence.area
    }
    /// The area's name.
    async fn area_name(&self) -> String {
        self.report
            .framework
            .doc
            .areas
            .iter()
            .find(|a| a.key == self.area.evidence.area)
            .map(|a| a.name.get(self.locale).to_owned())
            .unwrap_or_default()
    }
    /// 1 (initial) to 5 (optimising); null when nobody in the scope is
    /// required anything in the area.
    async fn level(&self) -> Option<i32> {
        self.area.level.map(i32::from)
    }
    /// The level's name and definition.
    async fn level_definition(&self) -> Option<MaturityLevel> {
        self.area.level.map(|l| level_of(l, self.locale))
    }
    /// The level leadership aims for in the area, if set.
    async fn target(&self) -> Option<i32> {
        self.report
            .targets
            .get(&self.area.evidence.area)
            .map(|l| i32::from(*l))
    }
    /// Levels short of the target (0 when at or above it); null without a
    /// target or a level.
    async fn gap_to_target(&self) -> Option<i32> {
        let target = self.report.targets.get(&self.area.evidence.area)?;
        let level = self.area.level?;
        Some(i32::from(target.saturating_sub(level)))
    }
    /// Percent of the required proficiencies (person × skill) that managers'
    /// ratings in the cycle meet; null when nothing is required.
    async fn coverage(&self) -> Option<f64> {
        self.area.evidence.coverage.percent()
    }
    /// Required proficiencies (person × skill) in the scope.
    async fn requirements(&self) -> i32 {
        count(self.area.evidence.coverage.required)
    }
    /// Of those, how many the cycle's manager ratings meet.
    async fn requirements_met(&self) -> i32 {
        count(self.area.evidence.coverage.met)
    }
    /// The same people's coverage in the previous closed cycle.
    async fn previous_coverage(&self) -> Option<f64> {
        self.area
            .evidence
            .previous
            .and_then(model::Coverage::percent)
    }
    /// Coverage since the previous cycle.
    async fn trend(&self) -> MaturityTrend {
        self.area.evidence.trend().into()
    }
    /// The skills the scope's roles need at proficient (3) or declare
    /// critical, with their holders: the bench depth.
    async fn critical_skills(&self) -> Vec<SkillBench> {
        self.bench(false)
    }
    /// Critical skills only one person holds.
    async fn single_points_of_knowledge(&self) -> Vec<SkillBench> {
        self.bench(true)
    }
    /// KPI targets of the area's KPI families with a result in the period.
    async fn kpi_targets(&self) -> i32 {
        count(self.area.evidence.kpi.targets)
    }
    /// Their mean attainment, percent; null with fewer than 3 targets.
    async fn kpi_attainment(&self) -> Option<f64> {
        self.area.evidence.kpi.mean_attainment
    }
    /// What would raise the area to the next level: that level's unmet
    /// conditions; empty at level 5.
    async fn to_raise(&self) -> Vec<MaturityStep> {
        self.area
            .to_raise
            .iter()
            .map(|s| MaturityStep {
                kind: match s {
                    Shortfall::Coverage { .. } => MaturityStepKind::Coverage,
                    Shortfall::Holders { .. } => MaturityStepKind::Holders,
                    Shortfall::NoKpiEvidence { .. } => MaturityStepKind::KpiEvidence,
                    Shortfall::KpiAttainment { .. } => MaturityStepKind::KpiAttainment,
                    Shortfall::Falling { .. } | Shortfall::NoTrend => MaturityStepKind::Trend,
                },
                skill_key: match s {
                    Shortfall::Holders { skill, .. } => Some(skill.clone()),
                    _ => None,
                },
                text: explain::step(s, &self.report.framework, &self.report.names, self.locale),
            })
            .collect()
    }
}

pub struct CapabilityMaturity {
    report: Arc<MaturityReport>,
    locale: Locale,
}

/// The organisation's maturity per skill area for a scope, a cycle and a
/// KPI period.
#[Object]
impl CapabilityMaturity {
    /// The cycle whose manager ratings are the evidence; null before any
    /// cycle has closed.
    async fn cycle(&self) -> Option<AssessmentCycle> {
        self.report.cycle.clone().map(AssessmentCycle)
    }
    /// The closed cycle before it, for the trend.
    async fn previous_cycle(&self) -> Option<AssessmentCycle> {
        self.report.previous.clone().map(AssessmentCycle)
    }
    /// The KPI period whose results count, e.g. `2026-Q3`.
    async fn period(&self) -> &str {
        &self.report.period
    }
    /// People of the scope who took part in the cycle.
    async fn people(&self) -> i32 {
        count(self.report.people)
    }
    /// One entry per skill area, in the framework's order.
    async fn areas(&self) -> Vec<AreaMaturityNode> {
        self.report
            .areas
            .iter()
            .map(|a| AreaMaturityNode {
                area: a.clone(),
                report: self.report.clone(),
                locale: self.locale,
            })
            .collect()
    }
    /// The five levels and their definitions.
    async fn levels(&self) -> Vec<MaturityLevel> {
        all_levels(self.locale)
    }
    /// The maturity radar as an SVG picture: each area's level against the
    /// target leadership set, in `locale` (default: the caller's language).
    async fn svg(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The labels' language; default the caller's.")] locale: Option<Locale>,
    ) -> String {
        let locale = crate::graphql::context::locale(ctx, locale);
        let radar = crate::charts::data::maturity_radar(
            &self.report.framework,
            &self
                .report
                .areas
                .iter()
                .map(|a| (a.evidence.area.as_str(), a.level))
                .collect::<Vec<_>>(),
            &self.report.targets,
            locale,
        );
        crate::charts::radar::render(&radar)
    }
}

#[derive(Default)]
pub struct MaturityQuery;

#[Object]
impl MaturityQuery {
    /// Capability maturity per skill area (1 initial … 5 optimising) for a
    /// team, everyone below a manager, or everyone in the caller's reach
    /// (managers: their sub-tree; HR: everyone), from a cycle's manager
    /// ratings (coverage, bench depth, single points of knowledge, trend)
    /// and a period's KPI results, with what would raise each level.
    #[graphql(complexity = "crate::graphql::limits::cost::ORGANISATION + child_complexity")]
    async fn capability_maturity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this team and its sub-teams.")] team_id: Option<ID>,
        #[graphql(desc = "Only the people below this manager.")] manager_id: Option<ID>,
        #[graphql(desc = "The cycle whose ratings count; default the newest closed one.")]
        cycle_id: Option<ID>,
        #[graphql(desc = "The KPI period, e.g. `2026-Q3`; default the last finished quarter.")]
        period: Option<String>,
        #[graphql(desc = "The language of names and explanations; default the caller's.")]
        locale: Option<Locale>,
    ) -> ApiResult<CapabilityMaturity> {
        let scope = MaturityScope {
            team_id: team_id
                .map(|t| parse_id(&t, "teamId", NodeType::Team))
                .transpose()?,
            manager_id: manager_id
                .map(|m| parse_id(&m, "managerId", NodeType::User))
                .transpose()?,
        };
        let cycle_id = cycle_id
            .map(|c| parse_id(&c, "cycleId", NodeType::AssessmentCycle))
            .transpose()?;
        let period = period.as_deref().map(Period::parse).transpose()?;
        let view = policy::team_views(actor(ctx)?)?;
        let state = state(ctx)?;
        let report = super::capability_maturity(
            &state.db,
            &state.frameworks,
            &view,
            scope,
            cycle_id,
            period,
            crate::certification::today(),
        )
        .await?;
        Ok(CapabilityMaturity {
            report: Arc::new(report),
            locale: self::locale(ctx, locale),
        })
    }

    /// The five maturity levels and their definitions.
    async fn maturity_levels(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The language; default the caller's.")] locale: Option<Locale>,
    ) -> Vec<MaturityLevel> {
        all_levels(self::locale(ctx, locale))
    }
}

/// The level leadership aims for in one area.
#[derive(SimpleObject)]
pub struct MaturityTarget {
    /// The area's key.
    area_key: String,
    /// 1 (initial) to 5 (optimising).
    level: i32,
}

fn sorted(targets: HashMap<String, u8>) -> Vec<MaturityTarget> {
    let mut list: Vec<MaturityTarget> = targets
        .into_iter()
        .map(|(area_key, level)| MaturityTarget {
            area_key,
            level: i32::from(level),
        })
        .collect();
    list.sort_by(|a, b| a.area_key.cmp(&b.area_key));
    list
}

#[derive(Default)]
pub struct MaturityMutation;

#[Object]
impl MaturityMutation {
    /// Sets the maturity level leadership aims for in a skill area (HR and
    /// admins), or clears it with a null level. Returns every area's aim.
    async fn set_maturity_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The area's key, e.g. `community`.")] area: String,
        #[graphql(desc = "1 (initial) to 5 (optimising); null clears the aim.")] level: Option<i32>,
    ) -> ApiResult<Vec<MaturityTarget>> {
        let hr = policy::hr(actor(ctx)?)?;
        let targets = super::set_target(&state(ctx)?.db, &hr, &area, level).await?;
        Ok(sorted(targets))
    }
}
