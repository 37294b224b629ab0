//! Readiness for a move: a deterministic 0–100 score from plain data, with
//! the reasons behind it. No database here.
//!
//! **Components** (each 0–100):
//! - *skills* (weight 50): the weighted match against the target level's
//!   requirements, `Σ w · min(level/required, 1) · c / Σ w`, where the level is
//!   the manager-agreed one (`c` = 1) or, where no manager rating exists, the
//!   person's own rating counted at half (`c` = 0.5);
//! - *KPIs* (weight 20): the mean weighted KPI score over recent periods,
//!   capped at 100;
//! - *certifications* (weight 15): the share held of those the move requires
//!   (the edge's gate and the target level's required certifications);
//! - *time at level* (weight 15): months at the current level over the
//!   edge's minimum, capped at 100 (100 when the edge sets no minimum).
//!
//! A component with no data (no KPI results yet, unknown start date) is left
//! out and the others are re-weighted. **Hard gates** — a required
//! certification missing, fewer months than the minimum, KPIs below the
//! edge's minimum — cap the score at 60 and are named as blockers.

use std::collections::{HashMap, HashSet};

use async_graphql::Enum;

use crate::framework::Framework;
use crate::framework::document::{PathEdge, PathKind, split_ref};

pub const WEIGHT_SKILLS: f64 = 50.0;
pub const WEIGHT_KPI: f64 = 20.0;
pub const WEIGHT_CERTIFICATIONS: f64 = 15.0;
pub const WEIGHT_TIME: f64 = 15.0;
/// A self rating without a manager rating counts this much.
pub const SELF_ONLY_CONFIDENCE: f64 = 0.5;
/// The most a candidate with an unmet hard gate can score.
pub const GATE_CAP: f64 = 60.0;
/// From this score a move is called ready.
pub const READY_AT: f64 = 80.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    Manager(u8),
    SelfOnly(u8),
}

impl Evidence {
    pub fn level(self) -> u8 {
        match self {
            Evidence::Manager(l) | Evidence::SelfOnly(l) => l,
        }
    }
    fn confidence(self) -> f64 {
        match self {
            Evidence::Manager(_) => 1.0,
            Evidence::SelfOnly(_) => SELF_ONLY_CONFIDENCE,
        }
    }
}

/// What is known of a person, gathered before scoring.
#[derive(Debug, Clone, Default)]
pub struct PersonSnapshot {
    pub user_id: i64,
    pub role: String,
    pub level: String,
    pub months_at_level: Option<u32>,
    pub skills: HashMap<String, Evidence>,
    /// Mean weighted KPI score of recent periods, percent.
    pub kpi_score: Option<f64>,
    /// Earned, still-valid certifications.
    pub certifications: HashSet<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum GateKind {
    Certification,
    MinMonths,
    KpiAttainment,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    pub kind: GateKind,
    /// The certification key, the months, or the KPI percentage required.
    pub requirement: String,
    pub met: bool,
    /// What the person has: held or not, months so far, KPI score.
    pub actual: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SkillGap {
    pub skill: String,
    pub required: u8,
    pub current: u8,
    pub weight: u8,
    pub self_only: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Components {
    pub skills: f64,
    pub kpi: Option<f64>,
    pub certifications: f64,
    pub time: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub to_role: String,
    pub to_level: String,
    pub kind: PathKind,
    pub direction: Option<String>,
    /// The edges from the current level to the target, in order.
    pub route: Vec<(String, String)>,
    pub readiness: f64,
    pub components: Components,
    pub gates: Vec<Gate>,
    /// Unmet gates: each one caps the score.
    pub blockers: Vec<Gate>,
    pub gaps: Vec<SkillGap>,
    /// Required skills met or exceeded, heaviest first.
    pub strengths: Vec<SkillGap>,
}

impl Candidate {
    pub fn ready(&self) -> bool {
        self.blockers.is_empty() && self.readiness >= READY_AT
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The readiness score from its components: their weighted mean over the
/// components that have data, capped at 60 while a gate is unmet.
pub fn combine(c: &Components, blocked: bool) -> f64 {
    let mut weighted = WEIGHT_SKILLS * c.skills + WEIGHT_CERTIFICATIONS * c.certifications;
    let mut weights = WEIGHT_SKILLS + WEIGHT_CERTIFICATIONS;
    if let Some(k) = c.kpi {
        weighted += WEIGHT_KPI * k;
        weights += WEIGHT_KPI;
    }
    if let Some(t) = c.time {
        weighted += WEIGHT_TIME * t;
        weights += WEIGHT_TIME;
    }
    let readiness = weighted / weights;
    round1(if blocked {
        readiness.min(GATE_CAP)
    } else {
        readiness
    })
}

/// Scores a move from the person's current level along `route` (one edge for
/// a next move, several for a distant target): skills against the final
/// level, gates of every edge on the way.
pub fn score(fw: &Framework, person: &PersonSnapshot, route: &[&PathEdge]) -> Option<Candidate> {
    let last = route.last()?;
    let (to_role, to_level) = split_ref(&last.to)?;
    let target = fw.level(to_role, to_level)?;

    // Skills against the target level.
    let mut reached = 0.0;
    let mut total = 0.0;
    let mut gaps = Vec::new();
    let mut strengths = Vec::new();
    for cell in fw.requirements(to_role, to_level) {
        let evidence = person.skills.get(cell.skill).copied();
        let level = evidence.map_or(0, Evidence::level);
        let w = f64::from(cell.weight);
        reached += w
            * (f64::from(level) / f64::from(cell.required)).min(1.0)
            * evidence.map_or(0.0, Evidence::confidence);
        total += w;
        let line = SkillGap {
            skill: cell.skill.to_owned(),
            required: cell.required,
            current: level,
            weight: cell.weight,
            self_only: matches!(evidence, Some(Evidence::SelfOnly(_))),
        };
        if level < cell.required {
            gaps.push(line);
        } else {
            strengths.push(line);
        }
    }
    // Biggest weighted shortfall first; heaviest strengths first.
    gaps.sort_by(|a, b| {
        let key = |g: &SkillGap| u32::from(g.weight) * u32::from(g.required - g.current);
        key(b).cmp(&key(a)).then(a.skill.cmp(&b.skill))
    });
    strengths.sort_by(|a, b| {
        b.weight
            .cmp(&a.weight)
            .then(b.current.cmp(&a.current))
            .then(a.skill.cmp(&b.skill))
    });
    let skills = if total > 0.0 {
        reached / total * 100.0
    } else {
        100.0
    };

    // Gates along the route, and the target level's own required certifications.
    let mut required_certs: Vec<String> = Vec::new();
    for edge in route {
        for c in &edge.gates.certifications {
            if !required_certs.contains(c) {
                required_certs.push(c.clone());
            }
        }
    }
    for c in &target.certifications.required {
        if !required_certs.contains(c) {
            required_certs.push(c.clone());
        }
    }
    let mut gates = Vec::new();
    for cert in &required_certs {
        let held = person.certifications.contains(cert);
        gates.push(Gate {
            kind: GateKind::Certification,
            requirement: cert.clone(),
            met: held,
            actual: Some(if held { "held" } else { "not held" }.into()),
        });
    }
    // Time and KPI gates apply to the first step: the one the person takes now.
    let first = route[0];
    let time = match (first.gates.min_months, person.months_at_level) {
        (None, _) => Some(100.0),
        (Some(_), None) => None,
        (Some(min), Some(months)) => {
            Some((f64::from(months) / f64::from(min.max(1)) * 100.0).min(100.0))
        }
    };
    if let Some(min) = first.gates.min_months {
        gates.push(Gate {
            kind: GateKind::MinMonths,
            requirement: min.to_string(),
            met: person.months_at_level.is_some_and(|m| m >= min),
            actual: person.months_at_level.map(|m| m.to_string()),
        });
    }
    if let Some(min) = first.gates.min_kpi_attainment {
        gates.push(Gate {
            kind: GateKind::KpiAttainment,
            requirement: min.to_string(),
            met: person.kpi_score.is_some_and(|k| k >= f64::from(min)),
            actual: person.kpi_score.map(|k| format!("{k:.1}")),
        });
    }
    let certifications = if required_certs.is_empty() {
        100.0
    } else {
        required_certs
            .iter()
            .filter(|c| person.certifications.contains(*c))
            .count() as f64
            / required_certs.len() as f64
            * 100.0
    };
    let kpi = person.kpi_score.map(|k| k.min(100.0));

    let blockers: Vec<Gate> = gates.iter().filter(|g| !g.met).cloned().collect();
    let components = Components {
        skills,
        kpi,
        certifications,
        time,
    };
    let readiness = combine(&components, !blockers.is_empty());
    let kind = if route.len() == 1 {
        first.kind
    } else if route.iter().any(|e| e.kind == PathKind::Management) {
        PathKind::Management
    } else if route.iter().any(|e| e.kind == PathKind::Lateral) {
        PathKind::Lateral
    } else {
        PathKind::Promotion
    };
    Some(Candidate {
        to_role: to_role.to_owned(),
        to_level: to_level.to_owned(),
        kind,
        direction: route.iter().rev().find_map(|e| e.direction.clone()),
        route: route
            .iter()
            .filter_map(|e| split_ref(&e.to).map(|(r, l)| (r.to_owned(), l.to_owned())))
            .collect(),
        readiness,
        components: Components {
            skills: round1(components.skills),
            kpi: components.kpi.map(round1),
            certifications: round1(components.certifications),
            time: components.time.map(round1),
        },
        gates,
        blockers,
        gaps,
        strengths,
    })
}

/// Every move open from the person's current level, best first.
pub fn next_moves(fw: &Framework, person: &PersonSnapshot) -> Vec<Candidate> {
    let mut candidates: Vec<Candidate> = fw
        .edges_from(&person.role, &person.level)
        .filter_map(|edge| score(fw, person, &[edge]))
        .collect();
    candidates.sort_by(|a, b| {
        b.ready()
            .cmp(&a.ready())
            .then(b.readiness.total_cmp(&a.readiness))
            .then(a.to_role.cmp(&b.to_role))
            .then(a.to_level.cmp(&b.to_level))
    });
    candidates
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
mod tests {
    use super::*;
    use crate::framework::document::FrameworkDocument;
    use crate::framework::model::{VersionInfo, VersionStatus};

    fn fw() -> Framework {
        Framework::new(
            VersionInfo {
                id: 1,
                number: Some(1),
                status: VersionStatus::Published,
                created_at: chrono::Utc::now(),
                published_at: None,
            },
            FrameworkDocument::default_operations().unwrap(),
        )
    }

    /// Everyone the role/level requires, rated by the manager at `level` (capped at what is required + bonus).
    fn rated_for(
        fw: &Framework,
        role: &str,
        level: &str,
        at: impl Fn(u8) -> u8,
    ) -> HashMap<String, Evidence> {
        fw.requirements(role, level)
            .into_iter()
            .map(|c| (c.skill.to_owned(), Evidence::Manager(at(c.required))))
            .collect()
    }

    fn person(role: &str, level: &str) -> PersonSnapshot {
        PersonSnapshot {
            user_id: 1,
            role: role.into(),
            level: level.into(),
            months_at_level: Some(30),
            kpi_score: Some(92.0),
            ..PersonSnapshot::default()
        }
    }

    #[test]
    fn the_readme_worked_example() {
        // Skills 80, KPIs 92, certifications 100, time 100:
        // (50·80 + 20·92 + 15·100 + 15·100) / 100 = 88.4.
        let c = Components {
            skills: 80.0,
            kpi: Some(92.0),
            certifications: 100.0,
            time: Some(100.0),
        };
        assert_eq!(combine(&c, false), 88.4);
        // A missing certification gate caps it at 60.
        assert_eq!(combine(&c, true), 60.0);
        // Without KPI results the component drops out: (50·80 + 15·100 + 15·100) / 80 = 87.5.
        assert_eq!(combine(&Components { kpi: None, ..c }, false), 87.5);
    }

    #[test]
    fn a_clear_promotion() {
        let fw = fw();
        let mut p = person("user_operations", "p2");
        p.skills = rated_for(&fw, "user_operations", "p3", |r| r);
        let moves = next_moves(&fw, &p);
        let best = &moves[0];
        assert_eq!(
            (best.to_role.as_str(), best.to_level.as_str(), best.kind),
            ("user_operations", "p3", PathKind::Promotion)
        );
        assert!(best.ready(), "{best:#?}");
        assert_eq!(best.components.skills, 100.0);
        assert!(best.gaps.is_empty() && best.blockers.is_empty());
    }

    #[test]
    fn a_lateral_move_beats_promotion() {
        let fw = fw();
        // Strong in data work, weak in what a senior user-operations role needs.
        let mut p = person("user_operations", "p2");
        p.skills = rated_for(&fw, "data_operations", "p2", |r| (r + 1).min(5));
        for cell in fw.requirements("user_operations", "p3") {
            p.skills
                .entry(cell.skill.to_owned())
                .or_insert(Evidence::Manager(1));
        }
        // The data-operations move asks for a valid Google Analytics certificate.
        p.certifications
            .insert("google_analytics_certification".into());
        let moves = next_moves(&fw, &p);
        let lateral = moves
            .iter()
            .find(|c| c.to_role == "data_operations")
            .expect("a lateral move to data operations");
        let promotion = moves
            .iter()
            .find(|c| c.kind == PathKind::Promotion)
            .unwrap();
        assert_eq!(lateral.kind, PathKind::Lateral);
        assert!(
            lateral.readiness > promotion.readiness,
            "lateral {} vs promotion {}",
            lateral.readiness,
            promotion.readiness
        );
        assert_eq!(moves[0].to_role, "data_operations");
    }

    #[test]
    fn a_missing_certification_is_a_blocker_that_caps_the_score() {
        let fw = fw();
        let mut p = person("data_operations", "p2");
        p.skills = rated_for(&fw, "data_operations", "p3", |r| r);
        let promotion = next_moves(&fw, &p)
            .into_iter()
            .find(|c| c.to_level == "p3" && c.to_role == "data_operations")
            .unwrap();
        assert_eq!(promotion.readiness, GATE_CAP);
        assert_eq!(promotion.blockers.len(), 1);
        assert_eq!(
            (
                promotion.blockers[0].kind,
                promotion.blockers[0].requirement.as_str()
            ),
            (GateKind::Certification, "cda_level_1")
        );
        p.certifications.insert("cda_level_1".into());
        let now = next_moves(&fw, &p)
            .into_iter()
            .find(|c| c.to_level == "p3" && c.to_role == "data_operations")
            .unwrap();
        assert!(now.ready() && now.readiness > GATE_CAP);
    }

    #[test]
    fn self_ratings_alone_count_half() {
        let fw = fw();
        let mut p = person("user_operations", "p2");
        p.skills = rated_for(&fw, "user_operations", "p3", |r| r)
            .into_iter()
            .map(|(k, e)| (k, Evidence::SelfOnly(e.level())))
            .collect();
        let best = next_moves(&fw, &p)
            .into_iter()
            .find(|c| c.to_level == "p3")
            .unwrap();
        assert_eq!(best.components.skills, 50.0);
        assert!(!best.ready());
        assert!(best.strengths.iter().all(|s| s.self_only));
        // No KPI data and no start date: those components drop out rather than count as 0.
        p.kpi_score = None;
        p.months_at_level = None;
        let sparse = next_moves(&fw, &p)
            .into_iter()
            .find(|c| c.to_level == "p3")
            .unwrap();
        assert_eq!(sparse.components.kpi, None);
        assert_eq!(
            sparse.blockers.len(),
            2,
            "the time and KPI gates are unmet, not ignored"
        );
    }

    #[test]
    fn the_top_of_a_track_has_no_promotion() {
        let fw = fw();
        let p = person("user_operations", "m2");
        assert!(next_moves(&fw, &p).is_empty());
        let expert = person("user_operations", "p4");
        assert!(
            next_moves(&fw, &expert)
                .iter()
                .all(|c| c.kind != PathKind::Promotion)
        );
    }

    #[test]
    fn a_distant_target_gets_the_whole_route() {
        let fw = fw();
        let route = route_to(&fw, ("user_operations", "p1"), ("data_operations", "p3")).unwrap();
        let stops: Vec<&str> = route.iter().map(|e| e.to.as_str()).collect();
        assert_eq!(stops.last(), Some(&"data_operations/p3"));
        assert!(stops.len() >= 2);
        let p = person("user_operations", "p1");
        let candidate = score(&fw, &p, &route).unwrap();
        assert_eq!(candidate.route.len(), stops.len());
        assert!(route_to(&fw, ("user_operations", "m2"), ("user_operations", "p1")).is_none());
    }
}
