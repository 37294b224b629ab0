//! The arithmetic of capability maturity: from one skill area's evidence to
//! a level 1–5 and what would raise it. Pure functions, no database.
//!
//! The levels follow the staged capability maturity models (CMMI, and the
//! DO-CMM digital-operations maturity standard the source curriculum names):
//! each level is a set of conditions on evidence, and an area sits at the
//! highest level whose conditions, and every lower level's, all hold.
//!
//! | level | coverage | critical skills | KPIs of the area | trend |
//! |-------|----------|-----------------|------------------|-------|
//! | 1 initial | any | | | |
//! | 2 managed | ≥ 50 % | | | |
//! | 3 defined | ≥ 70 % | each has a holder | | |
//! | 4 quantitatively managed | ≥ 85 % | each has two holders | ≥ 90 % mean attainment | |
//! | 5 optimising | ≥ 95 % | each has two holders | ≥ 100 % | not falling |
//!
//! *Coverage* is the share of the required proficiencies (person × skill,
//! for the skills each person's role and level require in the area) that
//! the manager's rating of the cycle meets. A skill is *critical* for the
//! scope when some role and level in it requires it at "proficient" (3) or
//! declares it critical; its *holders* are the people rated proficient or
//! better. One holder is a single point of knowledge. The *trend* compares
//! coverage with the previous cycle, for the same people.

use crate::assessment::profile::HOLDS_AT;

/// The lowest level; every area with requirements has at least this.
pub const INITIAL: u8 = 1;
/// The highest level.
pub const OPTIMISING: u8 = 5;
/// Fewer KPI targets with a result than this give no KPI figure.
pub const MIN_KPI_TARGETS: usize = 3;
/// Coverage moving by less than this many points is steady.
pub const STEADY_WITHIN: f64 = 2.0;

/// What a level asks of an area, beyond every lower level's conditions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LevelRule {
    pub level: u8,
    /// Percent of required proficiencies met.
    pub min_coverage: u32,
    /// Holders every critical skill needs (0: none asked).
    pub min_holders: usize,
    /// Mean attainment of the area's KPI targets, percent.
    pub min_kpi_attainment: Option<f64>,
    /// Coverage must be known not to be falling since the previous cycle.
    pub not_falling: bool,
}

/// Levels 2 to 5; level 1 asks nothing.
pub const RULES: [LevelRule; 4] = [
    LevelRule {
        level: 2,
        min_coverage: 50,
        min_holders: 0,
        min_kpi_attainment: None,
        not_falling: false,
    },
    LevelRule {
        level: 3,
        min_coverage: 70,
        min_holders: 1,
        min_kpi_attainment: None,
        not_falling: false,
    },
    LevelRule {
        level: 4,
        min_coverage: 85,
        min_holders: 2,
        min_kpi_attainment: Some(90.0),
        not_falling: false,
    },
    LevelRule {
        level: 5,
        min_coverage: 95,
        min_holders: 2,
        min_kpi_attainment: Some(100.0),
        not_falling: true,
    },
];

/// A skill the scope's roles need at "proficient" or declare critical.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriticalSkill {
    pub skill: String,
    /// People rated proficient (3) or better in the cycle.
    pub holders: usize,
    /// The one holder, when there is exactly one.
    pub sole_holder: Option<i64>,
}

/// Required proficiencies (person × skill) and how many were met.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coverage {
    pub required: usize,
    pub met: usize,
}

impl Coverage {
    /// Percent met; none when nothing is required.
    pub fn percent(self) -> Option<f64> {
        (self.required > 0).then(|| self.met as f64 * 100.0 / self.required as f64)
    }

    /// Whether at least `percent` is met, in exact integer arithmetic.
    fn reaches(self, percent: u32) -> bool {
        self.met * 100 >= self.required * percent as usize
    }

    /// How many more requirements must be met to reach `percent`.
    fn short_of(self, percent: u32) -> usize {
        (self.required * percent as usize)
            .div_ceil(100)
            .saturating_sub(self.met)
    }
}

/// The KPI targets of the area's KPI families, in the period, for the scope.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct KpiEvidence {
    /// Targets with a result (an attainment).
    pub targets: usize,
    /// Their mean attainment, percent; none below `MIN_KPI_TARGETS`.
    pub mean_attainment: Option<f64>,
}

impl KpiEvidence {
    pub fn from_attainments(attainments: &[f64]) -> Self {
        let targets = attainments.len();
        Self {
            targets,
            mean_attainment: (targets >= MIN_KPI_TARGETS)
                .then(|| attainments.iter().sum::<f64>() / targets as f64),
        }
    }
}

/// Everything known about one area for one scope.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaEvidence {
    pub area: String,
    pub coverage: Coverage,
    /// The same people's coverage in the previous cycle, if there was one.
    pub previous: Option<Coverage>,
    pub critical: Vec<CriticalSkill>,
    pub kpi: KpiEvidence,
}

/// Coverage since the previous cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    Rising,
    Steady,
    Falling,
    /// No previous cycle, or nothing required in one of the two.
    Unknown,
}

impl AreaEvidence {
    pub fn trend(&self) -> Trend {
        let (Some(now), Some(before)) = (
            self.coverage.percent(),
            self.previous.and_then(Coverage::percent),
        ) else {
            return Trend::Unknown;
        };
        let moved = now - before;
        if moved >= STEADY_WITHIN {
            Trend::Rising
        } else if moved <= -STEADY_WITHIN {
            Trend::Falling
        } else {
            Trend::Steady
        }
    }

    /// Critical skills with exactly one holder.
    pub fn single_points(&self) -> impl Iterator<Item = &CriticalSkill> {
        self.critical.iter().filter(|c| c.holders == 1)
    }
}

/// One condition of the next level that the evidence does not meet.
#[derive(Debug, Clone, PartialEq)]
pub enum Shortfall {
    /// Coverage below the level's; `more` requirements to meet.
    Coverage {
        percent: f64,
        needed: u32,
        more: usize,
    },
    /// A critical skill with fewer holders than the level asks.
    Holders {
        skill: String,
        holders: usize,
        needed: usize,
        sole_holder: Option<i64>,
    },
    /// Too few KPI targets with results to judge.
    NoKpiEvidence { targets: usize },
    /// The area's KPIs attain less than the level asks.
    KpiAttainment { percent: f64, needed: f64 },
    /// Coverage fell since the previous cycle.
    Falling { percent: f64, before: f64 },
    /// No previous cycle to show coverage is not falling.
    NoTrend,
}

/// An area's level and what stands between it and the next.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaMaturity {
    pub evidence: AreaEvidence,
    /// None when no one in the scope is required anything in the area.
    pub level: Option<u8>,
    /// The next level's unmet conditions; empty at level 5 or without a level.
    pub to_raise: Vec<Shortfall>,
}

fn shortfalls(rule: &LevelRule, e: &AreaEvidence) -> Vec<Shortfall> {
    let mut missing = Vec::new();
    if !e.coverage.reaches(rule.min_coverage) {
        missing.push(Shortfall::Coverage {
            percent: e.coverage.percent().unwrap_or(0.0),
            needed: rule.min_coverage,
            more: e.coverage.short_of(rule.min_coverage),
        });
    }
    for c in e.critical.iter().filter(|c| c.holders < rule.min_holders) {
        missing.push(Shortfall::Holders {
            skill: c.skill.clone(),
            holders: c.holders,
            needed: rule.min_holders,
            sole_holder: c.sole_holder,
        });
    }
    if let Some(needed) = rule.min_kpi_attainment {
        match e.kpi.mean_attainment {
            None => missing.push(Shortfall::NoKpiEvidence {
                targets: e.kpi.targets,
            }),
            Some(percent) if percent < needed => {
                missing.push(Shortfall::KpiAttainment { percent, needed })
            }
            Some(_) => {}
        }
    }
    if rule.not_falling {
        match e.trend() {
            Trend::Unknown => missing.push(Shortfall::NoTrend),
            Trend::Falling => missing.push(Shortfall::Falling {
                percent: e.coverage.percent().unwrap_or(0.0),
                before: e.previous.and_then(Coverage::percent).unwrap_or(0.0),
            }),
            Trend::Rising | Trend::Steady => {}
        }
    }
    missing
}

/// The highest level whose conditions (and every lower level's) hold.
pub fn assess(evidence: AreaEvidence) -> AreaMaturity {
    if evidence.coverage.required == 0 {
        return AreaMaturity {
            evidence,
            level: None,
            to_raise: Vec::new(),
        };
    }
    let mut level = INITIAL;
    let mut to_raise = Vec::new();
    for rule in &RULES {
        let missing = shortfalls(rule, &evidence);
        if !missing.is_empty() {
            to_raise = missing;
            break;
        }
        level = rule.level;
    }
    AreaMaturity {
        evidence,
        level: Some(level),
        to_raise,
    }
}

/// Whether a rating makes someone a holder of a skill.
pub fn holds(level: u8) -> bool {
    level >= HOLDS_AT
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn critical(skill: &str, holders: usize) -> CriticalSkill {
        CriticalSkill {
            skill: skill.into(),
            holders,
            sole_holder: (holders == 1).then_some(7),
        }
    }

    fn evidence(met: usize, holders: &[usize], kpi: &[f64], before: Option<usize>) -> AreaEvidence {
        AreaEvidence {
            area: "community".into(),
            coverage: Coverage { required: 100, met },
            previous: before.map(|met| Coverage { required: 100, met }),
            critical: holders
                .iter()
                .enumerate()
                .map(|(i, h)| critical(&format!("s{i}"), *h))
                .collect(),
            kpi: KpiEvidence::from_attainments(kpi),
        }
    }

    #[test]
    fn each_level_needs_its_own_conditions_and_every_lower_one() {
        let good_kpi = [90.0, 100.0, 95.0];
        assert_eq!(
            assess(evidence(40, &[2], &good_kpi, Some(40))).level,
            Some(1)
        );
        assert_eq!(
            assess(evidence(50, &[0], &good_kpi, Some(50))).level,
            Some(2)
        );
        // A critical skill nobody holds keeps the area at 2, however covered.
        assert_eq!(
            assess(evidence(99, &[2, 0], &good_kpi, Some(99))).level,
            Some(2)
        );
        assert_eq!(
            assess(evidence(70, &[1, 1], &good_kpi, Some(70))).level,
            Some(3)
        );
        // A single point of knowledge stops it at 3.
        assert_eq!(
            assess(evidence(99, &[2, 1], &good_kpi, Some(99))).level,
            Some(3)
        );
        assert_eq!(
            assess(evidence(85, &[2, 3], &good_kpi, Some(85))).level,
            Some(4)
        );
        // Without KPI results, nothing is measured: 3 at most.
        assert_eq!(
            assess(evidence(99, &[2], &[100.0, 100.0], Some(99))).level,
            Some(3)
        );
        // KPIs at 100 % and coverage steady: optimising.
        assert_eq!(
            assess(evidence(96, &[2], &good_kpi, Some(95))).level,
            Some(4)
        );
        let strong = [100.0, 110.0, 100.0];
        assert_eq!(assess(evidence(96, &[2], &strong, Some(95))).level, Some(5));
        // Falling coverage, or no previous cycle, stops it at 4.
        assert_eq!(assess(evidence(96, &[2], &strong, Some(99))).level, Some(4));
        assert_eq!(assess(evidence(96, &[2], &strong, None)).level, Some(4));
    }

    #[test]
    fn what_would_raise_it_names_the_next_levels_unmet_conditions() {
        let area = assess(evidence(72, &[2, 1], &[], None));
        assert_eq!(area.level, Some(3));
        assert_eq!(
            area.to_raise,
            vec![
                Shortfall::Coverage {
                    percent: 72.0,
                    needed: 85,
                    more: 13
                },
                Shortfall::Holders {
                    skill: "s1".into(),
                    holders: 1,
                    needed: 2,
                    sole_holder: Some(7)
                },
                Shortfall::NoKpiEvidence { targets: 0 },
            ]
        );
        let top = assess(evidence(100, &[3], &[120.0, 120.0, 120.0], Some(100)));
        assert_eq!((top.level, top.to_raise), (Some(5), vec![]));
    }

    #[test]
    fn nothing_required_gives_no_level() {
        let none = AreaEvidence {
            coverage: Coverage::default(),
            ..evidence(0, &[], &[], None)
        };
        assert_eq!(assess(none).level, None);
    }

    #[test]
    fn coverage_thresholds_are_exact() {
        // 7 of 10 is exactly 70 %; 13 of 15 is 86.7 %.
        assert!(
            Coverage {
                required: 10,
                met: 7
            }
            .reaches(70)
        );
        assert!(
            !Coverage {
                required: 10,
                met: 6
            }
            .reaches(70)
        );
        assert_eq!(
            Coverage {
                required: 15,
                met: 13
            }
            .short_of(95),
            2
        );
        assert_eq!(
            Coverage {
                required: 15,
                met: 13
            }
            .short_of(85),
            0
        );
    }

    proptest! {
        /// More evidence never lowers a level: meeting more requirements,
        /// adding holders or raising KPI attainment.
        #[test]
        fn more_evidence_never_lowers_the_level(
            required in 1usize..200,
            met in 0usize..200,
            extra in 0usize..50,
            holders in proptest::collection::vec(0usize..4, 0..5),
            more_holders in 0usize..3,
            kpi in proptest::collection::vec(0.0f64..150.0, 0..6),
            kpi_gain in 0.0f64..50.0,
            before in proptest::option::of(0usize..200),
        ) {
            let met = met.min(required);
            let base = |met: usize, holders: &[usize], kpi: &[f64]| AreaEvidence {
                area: "a".into(),
                coverage: Coverage { required, met },
                previous: before.map(|b| Coverage { required, met: b.min(required) }),
                critical: holders.iter().enumerate().map(|(i, h)| critical(&i.to_string(), *h)).collect(),
                kpi: KpiEvidence::from_attainments(kpi),
            };
            let level = assess(base(met, &holders, &kpi)).level.unwrap();
            let richer_holders: Vec<usize> = holders.iter().map(|h| h + more_holders).collect();
            let richer_kpi: Vec<f64> = kpi.iter().map(|k| k + kpi_gain).collect();
            let richer = assess(base((met + extra).min(required), &richer_holders, &richer_kpi)).level.unwrap();
            prop_assert!(richer >= level, "{richer} < {level}");
            prop_assert!((INITIAL..=OPTIMISING).contains(&level));
        }

        /// The level's own conditions hold; the next level's shortfalls are
        /// exactly why it is not higher.
        #[test]
        fn a_level_below_five_always_says_what_would_raise_it(
            required in 1usize..100,
            met in 0usize..100,
            holders in proptest::collection::vec(0usize..4, 0..4),
            kpi in proptest::collection::vec(50.0f64..130.0, 0..5),
        ) {
            let area = assess(AreaEvidence {
                area: "a".into(),
                coverage: Coverage { required, met: met.min(required) },
                previous: None,
                critical: holders.iter().enumerate().map(|(i, h)| critical(&i.to_string(), *h)).collect(),
                kpi: KpiEvidence::from_attainments(&kpi),
            });
            let level = area.level.unwrap();
            prop_assert_eq!(level < OPTIMISING, !area.to_raise.is_empty());
        }
    }
}
