//! Rating calibration: how each manager's ratings compare with what others
//! say of the same people and skills. Pure functions over the cycle's
//! submitted ratings; no database here.
//!
//! For each manager, over the skills they rated:
//! - **versus self**: the mean of (manager's rating − the person's own
//!   rating of the same skill), over pairs where both exist;
//! - **versus peers**: the same against the mean of the peers' ratings;
//! - **versus other managers**: the mean of (rating − the mean rating other
//!   managers gave the same skill to people of the same role and level).
//!   This is the leniency figure: people rate themselves generously
//!   everywhere, so only a comparison among managers says who is lenient;
//! - **spread**: the standard deviation of the manager's ratings (a manager
//!   who rates everything 3 has spread 0);
//! - **agreement with self**: the share of pairs within one level.
//!
//! Each figure comes with the number of ratings behind it and is absent
//! below `MIN_PAIRS` pairs or `MIN_PEOPLE` people: a mean of three ratings
//! says nothing about a manager.

use std::collections::HashMap;

/// Fewest rating pairs behind a figure.
pub const MIN_PAIRS: usize = 8;
/// Fewest distinct people behind a figure.
pub const MIN_PEOPLE: usize = 2;
/// A manager whose ratings sit at least this far above (below) other
/// managers' for the same role, level and skill is lenient (severe).
pub const LENIENCY_THRESHOLD: f64 = 0.5;

/// Which assessment a rating belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    SelfRating,
    Manager,
    Peer,
}

/// One submitted rating of a cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingFact {
    pub subject: i64,
    pub assessor: i64,
    pub source: Source,
    pub role: String,
    pub level: String,
    pub skill: String,
    pub rating: u8,
}

/// A mean difference and what it rests on; `value` is absent when too few
/// ratings stand behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub value: Option<f64>,
    pub pairs: usize,
    pub people: usize,
}

impl Figure {
    fn from(differences: &[(i64, f64)]) -> Self {
        let pairs = differences.len();
        let mut people: Vec<i64> = differences.iter().map(|(p, _)| *p).collect();
        people.sort_unstable();
        people.dedup();
        let enough = pairs >= MIN_PAIRS && people.len() >= MIN_PEOPLE;
        let value = enough.then(|| differences.iter().map(|(_, d)| d).sum::<f64>() / pairs as f64);
        Figure {
            value,
            pairs,
            people: people.len(),
        }
    }
}

/// Lenient, severe or consistent against other managers; unknown without a
/// figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tendency {
    Lenient,
    Severe,
    Consistent,
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ManagerCalibration {
    pub manager: i64,
    /// Ratings this manager gave.
    pub ratings: usize,
    pub people: usize,
    pub mean_rating: f64,
    pub spread: Option<f64>,
    pub versus_self: Figure,
    pub versus_peers: Figure,
    pub versus_managers: Figure,
    /// Share (0 to 1) of the manager's ratings within one level of the
    /// person's own; absent with too few pairs.
    pub agreement_with_self: Option<f64>,
    pub tendency: Tendency,
}

/// The calibration of every manager who submitted ratings, by manager id.
pub fn calibrate(facts: &[RatingFact]) -> Vec<ManagerCalibration> {
    let mut self_rating: HashMap<(i64, &str), f64> = HashMap::new();
    let mut peer_sum: HashMap<(i64, &str), (f64, usize)> = HashMap::new();
    for f in facts {
        match f.source {
            Source::SelfRating => {
                self_rating.insert((f.subject, f.skill.as_str()), f64::from(f.rating));
            }
            Source::Peer => {
                let entry = peer_sum.entry((f.subject, f.skill.as_str())).or_default();
                entry.0 += f64::from(f.rating);
                entry.1 += 1;
            }
            Source::Manager => {}
        }
    }
    let managers: Vec<&RatingFact> = facts
        .iter()
        .filter(|f| f.source == Source::Manager)
        .collect();
    // Sums of manager ratings per (role, level, skill) and per manager, so
    // "the other managers' mean" is (all − this manager's) / (n − theirs).
    let mut cell_all: HashMap<(&str, &str, &str), (f64, usize)> = HashMap::new();
    let mut cell_own: HashMap<(i64, &str, &str, &str), (f64, usize)> = HashMap::new();
    for f in &managers {
        let key = (f.role.as_str(), f.level.as_str(), f.skill.as_str());
        let all = cell_all.entry(key).or_default();
        all.0 += f64::from(f.rating);
        all.1 += 1;
        let own = cell_own
            .entry((f.assessor, key.0, key.1, key.2))
            .or_default();
        own.0 += f64::from(f.rating);
        own.1 += 1;
    }
    let mut by_manager: HashMap<i64, Vec<&RatingFact>> = HashMap::new();
    for f in managers {
        by_manager.entry(f.assessor).or_default().push(f);
    }
    let mut result: Vec<ManagerCalibration> = by_manager
        .into_iter()
        .map(|(manager, ratings)| {
            let mut versus_self = Vec::new();
            let mut versus_peers = Vec::new();
            let mut versus_managers = Vec::new();
            let mut agree = 0usize;
            for f in &ratings {
                let rating = f64::from(f.rating);
                let key = (f.subject, f.skill.as_str());
                if let Some(own) = self_rating.get(&key) {
                    versus_self.push((f.subject, rating - own));
                    if (rating - own).abs() <= 1.0 {
                        agree += 1;
                    }
                }
                if let Some((sum, n)) = peer_sum.get(&key) {
                    versus_peers.push((f.subject, rating - sum / *n as f64));
                }
                let cell = (f.role.as_str(), f.level.as_str(), f.skill.as_str());
                let (all_sum, all_n) = cell_all[&cell];
                let (own_sum, own_n) = cell_own[&(manager, cell.0, cell.1, cell.2)];
                if all_n > own_n {
                    let others = (all_sum - own_sum) / (all_n - own_n) as f64;
                    versus_managers.push((f.subject, rating - others));
                }
            }
            let values: Vec<f64> = ratings.iter().map(|f| f64::from(f.rating)).collect();
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            let mut people: Vec<i64> = ratings.iter().map(|f| f.subject).collect();
            people.sort_unstable();
            people.dedup();
            let spread = (values.len() >= MIN_PAIRS).then(|| {
                (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64)
                    .sqrt()
            });
            let versus_self = Figure::from(&versus_self);
            let agreement_with_self = versus_self
                .value
                .map(|_| agree as f64 / versus_self.pairs as f64);
            let versus_managers = Figure::from(&versus_managers);
            let tendency = match versus_managers.value {
                None => Tendency::Unknown,
                Some(d) if d >= LENIENCY_THRESHOLD => Tendency::Lenient,
                Some(d) if d <= -LENIENCY_THRESHOLD => Tendency::Severe,
                Some(_) => Tendency::Consistent,
            };
            ManagerCalibration {
                manager,
                ratings: values.len(),
                people: people.len(),
                mean_rating: mean,
                spread,
                versus_self,
                versus_peers: Figure::from(&versus_peers),
                versus_managers,
                agreement_with_self,
                tendency,
            }
        })
        .collect();
    result.sort_by_key(|c| c.manager);
    result
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn fact(subject: i64, assessor: i64, source: Source, skill: usize, rating: u8) -> RatingFact {
        RatingFact {
            subject,
            assessor,
            source,
            role: "user_operations".into(),
            level: "p2".into(),
            skill: format!("s{skill}"),
            rating,
        }
    }

    /// Four teams of three at the same level, five skills each; everyone
    /// rates themselves 3. Manager 100 rates their people 4, managers 200,
    /// 210 and 220 rate theirs 3, and manager 300 rates one person on two
    /// skills.
    fn designed() -> Vec<RatingFact> {
        let mut facts = Vec::new();
        for (manager, first, given) in [(100, 1, 4), (200, 4, 3), (210, 7, 3), (220, 10, 3)] {
            for person in first..first + 3 {
                for skill in 0..5 {
                    facts.push(fact(person, person, Source::SelfRating, skill, 3));
                    facts.push(fact(person, manager, Source::Manager, skill, given));
                }
            }
        }
        facts.push(fact(20, 300, Source::Manager, 0, 5));
        facts.push(fact(20, 300, Source::Manager, 1, 5));
        facts
    }

    #[test]
    fn a_lenient_manager_is_found_and_a_consistent_one_is_not() {
        let result = calibrate(&designed());
        let lenient = &result[0];
        assert_eq!(lenient.manager, 100);
        assert_eq!(lenient.tendency, Tendency::Lenient);
        assert_eq!(lenient.versus_self.value, Some(1.0));
        assert_eq!(lenient.versus_self.pairs, 15);
        assert_eq!(lenient.agreement_with_self, Some(1.0));
        assert_eq!(lenient.spread, Some(0.0));
        // Against the others: +0.8 on the two skills manager 300 also
        // rated, +1 on the other three.
        let figure = lenient.versus_managers.value.unwrap();
        assert!((figure - 0.92).abs() < 1e-9, "{figure}");
        let consistent = &result[1];
        assert_eq!(consistent.manager, 200);
        assert_eq!(consistent.tendency, Tendency::Consistent, "{consistent:?}");
        assert_eq!(consistent.versus_self.value, Some(0.0));
        let figure = consistent.versus_managers.value.unwrap();
        assert!((figure + 0.4).abs() < 1e-9, "{figure}");
    }

    #[test]
    fn too_few_ratings_give_no_figure() {
        let result = calibrate(&designed());
        let few = result.last().unwrap();
        assert_eq!(few.manager, 300);
        assert_eq!(few.ratings, 2);
        assert_eq!(few.versus_managers.value, None);
        assert_eq!(few.versus_managers.pairs, 2);
        assert_eq!(few.spread, None);
        assert_eq!(few.tendency, Tendency::Unknown);
    }

    proptest! {
        /// Adding the same amount to every manager rating of one manager
        /// moves their figure against the others by that amount, and their
        /// figure against themselves is never computed.
        #[test]
        fn a_shift_moves_the_figure_by_the_shift(base in 1u8..=3, shift in 0u8..=2) {
            let mut facts = Vec::new();
            for person in 1..=4 {
                for skill in 0..4 {
                    facts.push(fact(person, 10, Source::Manager, skill, base + shift));
                    facts.push(fact(person + 10, 20, Source::Manager, skill, base));
                }
            }
            let result = calibrate(&facts);
            let moved = result[0].versus_managers.value.unwrap();
            prop_assert!((moved - f64::from(shift)).abs() < 1e-9);
            let other = result[1].versus_managers.value.unwrap();
            prop_assert!((other + f64::from(shift)).abs() < 1e-9);
        }
    }
}
