//! The talent review's nine boxes: performance (the KPI score of a period)
//! against potential (readiness for the best next move), each cut into low,
//! medium and high at configured points. Pure.

/// A third of an axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Band {
    Low,
    Medium,
    High,
}

impl Band {
    pub const ALL: [Band; 3] = [Band::Low, Band::Medium, Band::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Band::Low => "LOW",
            Band::Medium => "MEDIUM",
            Band::High => "HIGH",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Band::ALL.into_iter().find(|b| b.as_str() == text)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Where an axis is cut: below `medium_from` is low, from `high_from` high.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cuts {
    pub medium_from: f64,
    pub high_from: f64,
}

impl Cuts {
    pub fn band(self, value: f64) -> Band {
        if value >= self.high_from {
            Band::High
        } else if value >= self.medium_from {
            Band::Medium
        } else {
            Band::Low
        }
    }
}

/// One person's place; a missing score or readiness leaves them unplaced on
/// that axis (and out of the boxes).
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub user_id: i64,
    pub team_id: Option<i64>,
    pub score: Option<f64>,
    pub readiness: Option<f64>,
    pub performance: Option<Band>,
    pub potential: Option<Band>,
}

impl Placement {
    pub fn new(
        user_id: i64,
        team_id: Option<i64>,
        score: Option<f64>,
        readiness: Option<f64>,
        performance: Cuts,
        potential: Cuts,
    ) -> Self {
        Self {
            user_id,
            team_id,
            score,
            readiness,
            performance: score.map(|s| performance.band(s)),
            potential: readiness.map(|r| potential.band(r)),
        }
    }

    pub fn boxed(&self) -> Option<(Band, Band)> {
        Some((self.performance?, self.potential?))
    }
}

/// How many people sit in each box: `[performance][potential]`.
pub fn counts(boxes: impl IntoIterator<Item = (Band, Band)>) -> [[usize; 3]; 3] {
    let mut grid = [[0; 3]; 3];
    for (performance, potential) in boxes {
        grid[performance.index()][potential.index()] += 1;
    }
    grid
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const PERFORMANCE: Cuts = Cuts {
        medium_from: 80.0,
        high_from: 100.0,
    };

    #[test]
    fn the_cut_points_belong_to_the_band_above() {
        assert_eq!(PERFORMANCE.band(79.9), Band::Low);
        assert_eq!(PERFORMANCE.band(80.0), Band::Medium);
        assert_eq!(PERFORMANCE.band(100.0), Band::High);
    }

    proptest! {
        /// A higher value is never in a lower band, and every placed person
        /// is counted in exactly one box.
        #[test]
        fn bands_are_monotonic_and_boxes_count_everyone_placed(
            values in proptest::collection::vec((proptest::option::of(0.0f64..150.0), proptest::option::of(0.0f64..100.0)), 0..40),
        ) {
            let potential = Cuts { medium_from: 50.0, high_from: 80.0 };
            let placements: Vec<Placement> = values
                .iter()
                .enumerate()
                .map(|(i, (s, r))| Placement::new(i as i64, None, *s, *r, PERFORMANCE, potential))
                .collect();
            let grid = counts(placements.iter().filter_map(Placement::boxed));
            let boxed = placements.iter().filter(|p| p.boxed().is_some()).count();
            prop_assert_eq!(grid.iter().flatten().sum::<usize>(), boxed);
            for a in &placements {
                for b in &placements {
                    if let (Some(x), Some(y)) = (a.score, b.score) && x <= y {
                        prop_assert!(a.performance <= b.performance);
                    }
                }
            }
        }
    }
}
