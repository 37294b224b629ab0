//! Readiness for a move: a deterministic verdict and 0–100 score from plain
//! data, with the evidence it rests on and what to do next. No database here.
//! The model is written down in the README (Advancement paths); in short:
//!
//! - **Evidence.** Only a manager rating from the last [`STALE_AFTER_MONTHS`]
//!   confirms a skill. The latest manager rating of a skill stands until a
//!   newer manager rating replaces it; self and peer ratings, and older
//!   manager ratings, are signals: shown, never counted. A skill nobody has
//!   rated is *unknown*, not 0.
//! - **Critical skills** are declared per level in the framework. A move is
//!   not ready while one is short, however strong the rest; and no verdict
//!   is given while one is unconfirmed (or less than half the target's
//!   weight is confirmed): the move *needs evidence*, with no score.
//! - **Ready** = every critical skill confirmed and met, the weighted skill
//!   match at least [`SKILLS_READY_AT`], no skill more than [`MAX_SHORTFALL`]
//!   level short, and every gate met (time at level, verified
//!   certifications, KPI score over finished periods).
//! - **Readiness** is the weighted mean of skills (50), KPIs (20),
//!   certifications (15) and time (15), shown as at least [`READY_AT`] when
//!   ready and at most [`NOT_READY_CAP`] when not, so the number never
//!   contradicts the verdict.

use std::collections::{HashMap, HashSet};

use async_graphql::Enum;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::framework::Framework;
use crate::framework::document::{PathEdge, PathKind, split_ref};

pub const WEIGHT_SKILLS: f64 = 50.0;
pub const WEIGHT_KPI: f64 = 20.0;
pub const WEIGHT_CERTIFICATIONS: f64 = 15.0;
pub const WEIGHT_TIME: f64 = 15.0;
/// The weighted skill match a ready move needs (unconfirmed skills count 0).
pub const SKILLS_READY_AT: f64 = 90.0;
/// How many levels short a non-critical skill may be in a ready move.
pub const MAX_SHORTFALL: u8 = 1;
/// A ready move shows at least this readiness…
pub const READY_AT: f64 = 80.0;
/// …and a move that is not ready at most this.
pub const NOT_READY_CAP: f64 = 79.0;
/// Below this share of the target's weight confirmed by a manager, no score.
pub const MIN_CONFIRMED_SHARE: f64 = 50.0;
/// A manager rating older than this (months) no longer confirms a skill.
pub const STALE_AFTER_MONTHS: u32 = 24;

/// Whole months from `since` to `today` (a month counts once its day is reached).
pub fn months_between(since: NaiveDate, today: NaiveDate) -> u32 {
    let months = (today.year() - since.year()) * 12 + today.month() as i32
        - since.month() as i32
        - i32::from(today.day() < since.day());
    months.max(0) as u32
}

/// What is known of one skill of one person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SkillEvidence {
    /// The latest manager rating and its age in whole months.
    pub manager: Option<(u8, u32)>,
    /// The person's latest own rating.
    pub own: Option<u8>,
    /// The own rating is from a later cycle than the manager's.
    pub own_newer: bool,
    /// The latest peer input (the highest when several peers gave it).
    pub peer: Option<u8>,
}

impl SkillEvidence {
    pub fn confirmed(manager: u8) -> Self {
        Self {
            manager: Some((manager, 0)),
            ..Self::default()
        }
    }
    pub fn self_only(own: u8) -> Self {
        Self {
            own: Some(own),
            ..Self::default()
        }
    }
    /// The level a manager confirms, if the rating is recent enough.
    pub fn confirmed_level(&self) -> Option<u8> {
        self.manager
            .filter(|(_, age)| *age <= STALE_AFTER_MONTHS)
            .map(|(l, _)| l)
    }
    /// What the best unconfirmed signal says.
    pub fn signal(&self) -> Option<u8> {
        self.own
            .or(self.peer)
            .or(self.manager.map(|(level, _)| level))
    }
    pub fn basis(&self) -> SkillBasis {
        match (self.confirmed_level(), self.manager, self.own, self.peer) {
            (Some(_), ..) => SkillBasis::Manager,
            (None, Some(_), ..) => SkillBasis::StaleManager,
            (None, None, Some(_), _) => SkillBasis::SelfOnly,
            (None, None, None, Some(_)) => SkillBasis::PeerOnly,
            _ => SkillBasis::None,
        }
    }
}

/// Where one skill's level comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SkillBasis {
    /// A manager rating from the last 24 months: counts.
    Manager,
    /// A manager rating older than 24 months: shown, does not count.
    StaleManager,
    /// Only the person's own rating: shown, does not count.
    SelfOnly,
    /// Only peer input: shown, does not count.
    PeerOnly,
    /// Nobody has rated it.
    None,
}

/// The evidence a move's verdict rests on, over the target's skills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum EvidenceLevel {
    /// No rating of any of the target's skills.
    None,
    /// Only the person's own (or peers') ratings: no manager has rated.
    SelfOnly,
    /// A manager has rated some of the target's skills, not all.
    Partial,
    /// A manager has rated every skill the target requires.
    ManagerConfirmed,
}

/// The judgement on a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// Ready: critical skills met and confirmed by a manager, gates met.
    Ready,
    /// Not ready yet: gaps or gates remain.
    NotReady,
    /// Too little manager-confirmed evidence to judge: no score is given.
    NeedsEvidence,
}

/// KPI results of finished periods (a running period is no evidence yet).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KpiRecord {
    /// Mean weighted score over the finished periods of the last year.
    pub score: f64,
    pub periods: Vec<String>,
    /// The target with the biggest weighted shortfall in the latest finished period.
    pub weakest: Option<KpiShortfall>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KpiShortfall {
    pub kpi: String,
    pub period: String,
    /// Percent; none when no actual was recorded.
    pub attainment: Option<f64>,
    pub weight: u8,
}

/// What is known of a person, gathered before scoring.
#[derive(Debug, Clone)]
pub struct PersonSnapshot {
    pub user_id: i64,
    pub role: String,
    pub level: String,
    pub today: NaiveDate,
    /// When the person took their current level; none when unknown.
    pub level_since: Option<NaiveDate>,
    pub skills: HashMap<String, SkillEvidence>,
    pub kpi: Option<KpiRecord>,
    /// The last day of a running period the person has targets for.
    pub kpi_running_until: Option<NaiveDate>,
    /// Earned, still valid and verified by HR.
    pub certifications: HashSet<String>,
    /// Earned and still valid, but not verified yet.
    pub unverified_certifications: HashSet<String>,
}

impl Default for PersonSnapshot {
    fn default() -> Self {
        Self {
            user_id: 0,
            role: String::new(),
            level: String::new(),
            today: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
            level_since: None,
            skills: HashMap::new(),
            kpi: None,
            kpi_running_until: None,
            certifications: HashSet::new(),
            unverified_certifications: HashSet::new(),
        }
    }
}

impl PersonSnapshot {
    pub fn months_at_level(&self) -> Option<u32> {
        self.level_since.map(|s| months_between(s, self.today))
    }
}

/// What a gate requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum GateKind {
    /// A certificate must be held (and verified by HR).
    Certification,
    /// A minimum time at the current level.
    MinMonths,
    /// The KPI score of finished periods must reach a percentage.
    KpiAttainment,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    pub kind: GateKind,
    /// The certification key, the months, or the KPI percentage required.
    pub requirement: String,
    pub met: bool,
    /// What the person has: "held", "unverified", "not held"; months so far;
    /// the KPI score (none without a finished period).
    pub actual: Option<String>,
    /// For a time gate: the day it opens.
    pub opens_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillGap {
    pub skill: String,
    pub required: u8,
    /// The manager-confirmed level; none when unconfirmed.
    pub confirmed: Option<u8>,
    /// The best level known (confirmed, else the person's own, a peer's or an old manager rating).
    pub known: Option<u8>,
    pub basis: SkillBasis,
    pub weight: u8,
    pub critical: bool,
    /// The person rated themselves in a later cycle than their manager did.
    pub newer_self: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Components {
    /// Manager-confirmed match; none when the move needs evidence.
    pub skills: Option<f64>,
    pub kpi: Option<f64>,
    pub certifications: f64,
    pub time: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceSummary {
    pub level: EvidenceLevel,
    /// Percent of the target's weight a manager has confirmed.
    pub confirmed_share: f64,
    /// The match the person's own ratings claim, where they rated themselves.
    pub self_match: Option<f64>,
    /// Target skills nobody has rated, critical first.
    pub unknown: Vec<String>,
    /// Target skills with only a self, peer or old manager rating.
    pub unconfirmed: Vec<String>,
}

/// What to do next about a move, first thing first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ActionKind {
    /// Ready: talk the move through with the manager.
    DiscussMove,
    /// Skills nobody has rated: ask the manager to rate them.
    GetAssessed,
    /// Skills with only a self (or peer, or old) rating: ask the manager to confirm.
    ConfirmWithManager,
    /// The top skill gaps: courses, practice and mentors.
    CloseSkillGap,
    /// Earn a certificate the move requires.
    EarnCertification,
    /// Earned, recorded, not yet verified by HR.
    GetCertificationVerified,
    /// The KPI score is below the gate: the KPI with the biggest shortfall.
    ImproveKpi,
    /// No finished period yet: results count once the running period ends.
    AwaitKpiResults,
    /// No KPI targets at all: ask the manager to set them.
    SetKpiTargets,
    /// Blocked by time at level: the gate opens on `date`.
    WaitUntil,
    /// The date the current level started is unknown: ask HR to record it.
    RecordLevelStart,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub kind: ActionKind,
    pub skills: Vec<String>,
    pub certification: Option<String>,
    pub kpi: Option<String>,
    pub date: Option<NaiveDate>,
    /// ImproveKpi: points of KPI score missing to the gate.
    pub short_by: Option<f64>,
    /// ImproveKpi: the weakest KPI's attainment, percent.
    pub attainment: Option<f64>,
}

impl Action {
    fn new(kind: ActionKind) -> Self {
        Self {
            kind,
            skills: Vec::new(),
            certification: None,
            kpi: None,
            date: None,
            short_by: None,
            attainment: None,
        }
    }
    fn skills(kind: ActionKind, skills: Vec<String>) -> Self {
        Self {
            skills,
            ..Self::new(kind)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub to_role: String,
    pub to_level: String,
    pub kind: PathKind,
    pub direction: Option<String>,
    /// The edges from the current level to the target, in order.
    pub route: Vec<(String, String)>,
    pub verdict: Verdict,
    /// None when the move needs evidence.
    pub readiness: Option<f64>,
    /// The uncapped weighted mean, for ordering.
    pub progress: f64,
    pub components: Components,
    pub evidence: EvidenceSummary,
    pub gates: Vec<Gate>,
    /// Unmet gates.
    pub blockers: Vec<Gate>,
    /// Critical skills a manager confirms below the requirement.
    pub critical_gaps: Vec<SkillGap>,
    /// Required skills known to be short (confirmed or not), biggest weighted shortfall first.
    pub gaps: Vec<SkillGap>,
    /// Required skills met or exceeded, heaviest first.
    pub strengths: Vec<SkillGap>,
    /// What to do, first thing first; never empty.
    pub actions: Vec<Action>,
}

impl Candidate {
    pub fn ready(&self) -> bool {
        self.verdict == Verdict::Ready
    }

    /// Not ready only because time at level has not passed yet.
    pub fn blocked_only_by_time(&self) -> bool {
        self.verdict == Verdict::NotReady
            && !self.blockers.is_empty()
            && self.blockers.iter().all(|b| b.kind == GateKind::MinMonths)
            && self.actions.iter().all(|a| a.kind == ActionKind::WaitUntil)
    }

    /// Ordering class: ready, then blocked only by time, then not ready, then
    /// those that need evidence.
    pub fn class(&self) -> u8 {
        match self.verdict {
            Verdict::Ready => 0,
            Verdict::NotReady if self.blocked_only_by_time() => 1,
            Verdict::NotReady => 2,
            Verdict::NeedsEvidence => 3,
        }
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The weighted mean of the components that have data.
pub fn combine(c: &Components) -> f64 {
    let mut weighted =
        WEIGHT_SKILLS * c.skills.unwrap_or(0.0) + WEIGHT_CERTIFICATIONS * c.certifications;
    let mut weights = WEIGHT_SKILLS + WEIGHT_CERTIFICATIONS;
    if let Some(k) = c.kpi {
        weighted += WEIGHT_KPI * k;
        weights += WEIGHT_KPI;
    }
    if let Some(t) = c.time {
        weighted += WEIGHT_TIME * t;
        weights += WEIGHT_TIME;
    }
    weighted / weights
}

/// The readiness shown for a verdict: never contradicting it.
pub fn shown_readiness(verdict: Verdict, progress: f64) -> Option<f64> {
    match verdict {
        Verdict::Ready => Some(round1(progress.max(READY_AT))),
        Verdict::NotReady => Some(round1(progress.min(NOT_READY_CAP))),
        Verdict::NeedsEvidence => None,
    }
}

/// Promotion before management before lateral, as moves are offered.
pub fn kind_order(kind: PathKind) -> u8 {
    match kind {
        PathKind::Promotion => 0,
        PathKind::Management => 1,
        PathKind::Lateral => 2,
    }
}

/// The order moves are offered in: class, then progress, then promotion
/// before management before lateral, then by name.
pub fn compare(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    a.class()
        .cmp(&b.class())
        .then(b.progress.total_cmp(&a.progress))
        .then(kind_order(a.kind).cmp(&kind_order(b.kind)))
        .then(a.to_role.cmp(&b.to_role))
        .then(a.to_level.cmp(&b.to_level))
}

mod assess;

pub use assess::score;

/// Every move open from the person's current level, best first.
pub fn next_moves(fw: &Framework, person: &PersonSnapshot) -> Vec<Candidate> {
    let mut candidates: Vec<Candidate> = fw
        .edges_from(&person.role, &person.level)
        .filter_map(|edge| score(fw, person, &[edge]))
        .collect();
    candidates.sort_by(compare);
    candidates
}

/// The skills a person may be rated on beyond their role's own: those the
/// levels their next moves lead to require. The framework's path graph
/// decides, so a lateral move's skills can be measured before it is taken.
pub fn assessable_skills(fw: &Framework, role: &str, level: &str) -> HashSet<String> {
    let mut skills: HashSet<String> = fw
        .role(role)
        .map(|r| r.requirements.keys().cloned().collect())
        .unwrap_or_default();
    for edge in fw.edges_from(role, level) {
        if let Some((r, l)) = split_ref(&edge.to) {
            skills.extend(
                fw.requirements(r, l)
                    .into_iter()
                    .map(|c| c.skill.to_owned()),
            );
        }
    }
    skills
}

/// The day `months` after `since` (clamped to the month's end).
pub fn gate_opens_on(since: NaiveDate, months: u32) -> NaiveDate {
    since
        .checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The shortest route of edges from the person's level to `role/level`
/// (breadth-first; ties broken by the framework's edge order).
pub fn route_to<'a>(
    fw: &'a Framework,
    from: (&str, &str),
    to: (&str, &str),
) -> Option<Vec<&'a PathEdge>> {
    let start = format!("{}/{}", from.0, from.1);
    let goal = format!("{}/{}", to.0, to.1);
    if start == goal {
        return None;
    }
    let mut previous: HashMap<&str, &PathEdge> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start.as_str()]);
    let mut seen: HashSet<&str> = HashSet::from([start.as_str()]);
    while let Some(node) = queue.pop_front() {
        for edge in fw.doc.paths.iter().filter(|e| e.from == node) {
            if seen.insert(edge.to.as_str()) {
                previous.insert(edge.to.as_str(), edge);
                if edge.to == goal {
                    let mut route = vec![edge];
                    let mut at = edge.from.as_str();
                    while let Some(e) = previous.get(at) {
                        route.push(e);
                        at = e.from.as_str();
                    }
                    route.reverse();
                    return Some(route);
                }
                queue.push_back(edge.to.as_str());
            }
        }
    }
    None
}

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
