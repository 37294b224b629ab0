//! The arithmetic of a skill profile, divergence and a team matrix: pure
//! functions over the framework and ratings, no database.
//!
//! **Match.** Against a level, a person's match is the weighted share of the
//! required proficiency they reach, each skill capped at 100 %:
//! `match = Σ wᵢ · min(levelᵢ / requiredᵢ, 1) / Σ wᵢ`, over the skills the
//! level requires (required ≥ 1). `levelᵢ` is the agreed level: the manager's
//! rating once it exists, until then the person's own (marked as such).
//! An area's score is the same sum over that area's skills.

use std::collections::HashMap;

use async_graphql::Enum;

use crate::framework::Framework;
use crate::framework::document::{PathKind, split_ref};

/// A skill is *held* by someone whose agreed level is at least "proficient".
pub const HOLDS_AT: u8 = 3;
/// Self and manager ratings this far apart are flagged.
pub const DIVERGENCE_AT: u8 = 2;

/// The ratings one skill received in one cycle.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SkillRatings {
    pub self_level: Option<u8>,
    pub manager_level: Option<u8>,
    pub peer_levels: Vec<u8>,
}

/// Where an agreed level comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum AgreedBasis {
    /// The manager's rating.
    Manager,
    /// Only the person's own rating exists so far.
    #[graphql(name = "SELF")]
    SelfOnly,
    /// Not rated.
    None,
}

impl SkillRatings {
    pub fn agreed(&self) -> (Option<u8>, AgreedBasis) {
        match (self.manager_level, self.self_level) {
            (Some(m), _) => (Some(m), AgreedBasis::Manager),
            (None, Some(s)) => (Some(s), AgreedBasis::SelfOnly),
            (None, None) => (None, AgreedBasis::None),
        }
    }

    pub fn peer_average(&self) -> Option<f64> {
        (!self.peer_levels.is_empty()).then(|| {
            self.peer_levels.iter().map(|l| *l as f64).sum::<f64>() / self.peer_levels.len() as f64
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SkillLine {
    pub skill: String,
    pub area: String,
    pub ratings: SkillRatings,
    pub agreed: Option<u8>,
    pub basis: AgreedBasis,
    pub required_current: u8,
    pub weight_current: u8,
    pub required_next: Option<u8>,
    pub gap_current: u8,
    pub gap_next: Option<u8>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AreaScore {
    pub area: String,
    /// Percent, or none when the level requires nothing in this area.
    pub match_current: Option<f64>,
    pub match_next: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub next_level: Option<String>,
    pub lines: Vec<SkillLine>,
    pub areas: Vec<AreaScore>,
    pub match_current: Option<f64>,
    pub match_next: Option<f64>,
}

/// The level a promotion leads to from `role/level`, if any.
pub fn next_level<'a>(fw: &'a Framework, role: &'a str, level: &'a str) -> Option<&'a str> {
    fw.edges_from(role, level)
        .find(|e| e.kind == PathKind::Promotion)
        .and_then(|e| split_ref(&e.to))
        .map(|(_, level)| level)
}

/// `Σ w · min(level/required, 1) / Σ w` in percent, over (weight, required, level).
pub fn weighted_match(items: impl IntoIterator<Item = (u8, u8, u8)>) -> Option<f64> {
    let (mut reached, mut total) = (0.0, 0.0);
    for (weight, required, level) in items {
        if required == 0 {
            continue;
        }
        let w = weight as f64;
        reached += w * (level as f64 / required as f64).min(1.0);
        total += w;
    }
    (total > 0.0).then(|| (reached / total * 1000.0).round() / 10.0)
}

pub fn build_profile(
    fw: &Framework,
    role: &str,
    level: &str,
    ratings: &HashMap<String, SkillRatings>,
) -> Profile {
    let next = next_level(fw, role, level).map(str::to_owned);
    let current_cells = fw.requirements(role, level);
    let next_cells = next
        .as_deref()
        .map(|n| fw.requirements(role, n))
        .unwrap_or_default();
    let required_at = |cells: &[crate::framework::model::RequirementCell<'_>], skill: &str| {
        cells
            .iter()
            .find(|c| c.skill == skill)
            .map(|c| (c.required, c.weight))
    };
    // Every skill either level asks for, in matrix order.
    let mut skills: Vec<&str> = current_cells.iter().map(|c| c.skill).collect();
    for cell in &next_cells {
        if !skills.contains(&cell.skill) {
            skills.push(cell.skill);
        }
    }
    let lines: Vec<SkillLine> = skills
        .into_iter()
        .map(|skill| {
            let r = ratings.get(skill).cloned().unwrap_or_default();
            let (agreed, basis) = r.agreed();
            let (required_current, weight_current) =
                required_at(&current_cells, skill).unwrap_or((0, 0));
            let required_next = next
                .as_ref()
                .map(|_| required_at(&next_cells, skill).map_or(0, |c| c.0));
            let have = agreed.unwrap_or(0);
            SkillLine {
                skill: skill.to_owned(),
                area: fw.area_of(skill).map(|a| a.key.clone()).unwrap_or_default(),
                ratings: r,
                agreed,
                basis,
                required_current,
                weight_current,
                required_next,
                gap_current: required_current.saturating_sub(have),
                gap_next: required_next.map(|n| n.saturating_sub(have)),
            }
        })
        .collect();
    let score = |cells: &[crate::framework::model::RequirementCell<'_>], area: Option<&str>| {
        weighted_match(
            cells
                .iter()
                .filter(|c| area.is_none_or(|a| fw.area_of(c.skill).is_some_and(|x| x.key == a)))
                .map(|c| {
                    let have = lines
                        .iter()
                        .find(|l| l.skill == c.skill)
                        .and_then(|l| l.agreed)
                        .unwrap_or(0);
                    (c.weight, c.required, have)
                }),
        )
    };
    let areas = fw
        .doc
        .areas
        .iter()
        .map(|a| AreaScore {
            area: a.key.clone(),
            match_current: score(&current_cells, Some(&a.key)),
            match_next: next.as_ref().and_then(|_| score(&next_cells, Some(&a.key))),
        })
        .collect();
    Profile {
        match_current: score(&current_cells, None),
        match_next: next.as_ref().and_then(|_| score(&next_cells, None)),
        next_level: next,
        lines,
        areas,
    }
}

/// Which way a self-rating and a manager's rating differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum DivergenceKind {
    /// The person rates themselves higher than their manager does.
    BlindSpot,
    /// The manager rates the person higher than they rate themselves.
    HiddenStrength,
}

pub fn divergence(self_level: u8, manager_level: u8) -> Option<DivergenceKind> {
    if self_level >= manager_level + DIVERGENCE_AT {
        Some(DivergenceKind::BlindSpot)
    } else if manager_level >= self_level + DIVERGENCE_AT {
        Some(DivergenceKind::HiddenStrength)
    } else {
        None
    }
}

/// One person's row in a team matrix.
#[derive(Debug, Clone)]
pub struct MemberLevels<'a> {
    pub user_id: i64,
    pub role: &'a str,
    pub level: &'a str,
    /// Agreed (manager) levels by skill.
    pub agreed: &'a HashMap<String, u8>,
}

/// One person's cell of a team matrix: their agreed level in a skill against what their level requires.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixCell {
    pub skill: String,
    pub agreed: Option<u8>,
    /// 0 when the person's level does not ask for the skill.
    pub required: u8,
    pub gap: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SkillCoverage {
    pub skill: String,
    /// People whose level requires the skill.
    pub needed_by: usize,
    /// Of those, how many reach the requirement.
    pub met_by: usize,
    /// Everyone in the team who holds the skill (agreed ≥ 3).
    pub holders: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamMatrix {
    pub skills: Vec<String>,
    pub rows: Vec<(i64, Vec<MatrixCell>)>,
    pub coverage: Vec<SkillCoverage>,
}

pub fn team_matrix(fw: &Framework, members: &[MemberLevels<'_>]) -> TeamMatrix {
    let requirements: Vec<HashMap<&str, u8>> = members
        .iter()
        .map(|m| {
            fw.requirements(m.role, m.level)
                .into_iter()
                .map(|c| (c.skill, c.required))
                .collect()
        })
        .collect();
    // Columns: every skill anyone's level needs or anyone was rated on, in framework order.
    let skills: Vec<String> = fw
        .skills()
        .map(|(_, s)| s.key.as_str())
        .filter(|s| {
            requirements.iter().any(|r| r.contains_key(s))
                || members.iter().any(|m| m.agreed.contains_key(*s))
        })
        .map(str::to_owned)
        .collect();
    let rows = members
        .iter()
        .zip(&requirements)
        .map(|(m, req)| {
            let cells: Vec<MatrixCell> = skills
                .iter()
                .map(|s| {
                    let agreed = m.agreed.get(s).copied();
                    let required = req.get(s.as_str()).copied().unwrap_or(0);
                    MatrixCell {
                        skill: s.clone(),
                        agreed,
                        required,
                        gap: required.saturating_sub(agreed.unwrap_or(0)),
                    }
                })
                .collect();
            (m.user_id, cells)
        })
        .collect::<Vec<_>>();
    let coverage = skills
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let cells = rows.iter().map(|(id, cells)| (*id, &cells[i]));
            let needing: Vec<_> = cells.clone().filter(|(_, c)| c.required > 0).collect();
            SkillCoverage {
                skill: s.clone(),
                needed_by: needing.len(),
                met_by: needing
                    .iter()
                    .filter(|(_, c)| c.gap == 0 && c.agreed.is_some())
                    .count(),
                holders: cells
                    .filter(|(_, c)| c.agreed.is_some_and(|a| a >= HOLDS_AT))
                    .map(|(id, _)| id)
                    .collect(),
            }
        })
        .collect();
    TeamMatrix {
        skills,
        rows,
        coverage,
    }
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
                created_at: crate::clock::now(),
                published_at: None,
            },
            FrameworkDocument::default_operations().unwrap(),
        )
    }

    #[test]
    fn match_is_weighted_and_capped_per_skill() {
        // weight 3 fully met (and exceeded), weight 1 at half: (3·1 + 1·0.5) / 4 = 87.5 %.
        assert_eq!(weighted_match([(3, 2, 5), (1, 4, 2)]), Some(87.5));
        assert_eq!(weighted_match([(1, 0, 3)]), None);
    }

    #[test]
    fn divergence_needs_two_levels() {
        assert_eq!(divergence(4, 2), Some(DivergenceKind::BlindSpot));
        assert_eq!(divergence(1, 3), Some(DivergenceKind::HiddenStrength));
        assert_eq!(divergence(3, 2), None);
    }

    #[test]
    fn a_profile_reads_gaps_against_current_and_next_level() {
        let fw = fw();
        let mut ratings = HashMap::new();
        ratings.insert(
            "user_persona".to_string(),
            SkillRatings {
                self_level: Some(4),
                manager_level: Some(2),
                peer_levels: vec![],
            },
        );
        ratings.insert(
            "user_segmentation".to_string(),
            SkillRatings {
                self_level: Some(2),
                manager_level: None,
                peer_levels: vec![3, 4],
            },
        );
        let profile = build_profile(&fw, "user_operations", "p2", &ratings);
        assert_eq!(profile.next_level.as_deref(), Some("p3"));
        let persona = profile
            .lines
            .iter()
            .find(|l| l.skill == "user_persona")
            .unwrap();
        assert_eq!(
            (persona.agreed, persona.basis),
            (Some(2), AgreedBasis::Manager)
        );
        assert_eq!((persona.required_current, persona.gap_current), (2, 0));
        assert_eq!(
            (persona.required_next, persona.gap_next),
            (Some(3), Some(1))
        );
        let segmentation = profile
            .lines
            .iter()
            .find(|l| l.skill == "user_segmentation")
            .unwrap();
        assert_eq!(segmentation.basis, AgreedBasis::SelfOnly);
        assert_eq!(segmentation.ratings.peer_average(), Some(3.5));
        assert!(profile.match_current.unwrap() < 100.0);
        assert!(profile.match_next.unwrap() < profile.match_current.unwrap());
        let top = build_profile(&fw, "user_operations", "p4", &ratings);
        assert_eq!((top.next_level, top.match_next), (None, None));
    }

    #[test]
    fn the_team_matrix_counts_coverage_and_single_holders() {
        let fw = fw();
        let strong: HashMap<String, u8> = [("user_persona".to_string(), 4)].into();
        let weak: HashMap<String, u8> = [("user_persona".to_string(), 1)].into();
        let members = [
            MemberLevels {
                user_id: 1,
                role: "user_operations",
                level: "p2",
                agreed: &strong,
            },
            MemberLevels {
                user_id: 2,
                role: "user_operations",
                level: "p2",
                agreed: &weak,
            },
        ];
        let matrix = team_matrix(&fw, &members);
        let persona = matrix
            .coverage
            .iter()
            .find(|c| c.skill == "user_persona")
            .unwrap();
        assert_eq!((persona.needed_by, persona.met_by), (2, 1));
        assert_eq!(persona.holders, vec![1]);
        assert_eq!(matrix.rows.len(), 2);
        assert!(
            matrix
                .rows
                .iter()
                .all(|(_, cells)| cells.len() == matrix.skills.len())
        );
    }
}
