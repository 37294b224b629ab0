//! How far an actual value goes towards a target, and the weighted score.
//!
//! **Attainment** is piecewise linear through three points: the threshold
//! scores 0 %, the target 100 %, the stretch value the cap (150 %):
//!
//! ```text
//! actual at or below threshold          → 0 %
//! between threshold and target          → 0 … 100 %, linearly
//! between target and stretch            → 100 … 150 %, linearly
//! at or beyond stretch                  → 150 %
//! ```
//!
//! For lower-is-better KPIs (churn, cost per acquisition) the same holds
//! with the axis reversed: the threshold is the highest acceptable value and
//! the stretch the lowest. A higher-is-better target without a threshold
//! starts at 0; without a stretch value attainment stops at 100 %.
//!
//! **Score** for a person and period: `Σ weightᵢ · attainmentᵢ / 100`, the
//! weights totalling 100, a target with no actual yet counting 0.

use crate::error::{Problems, Result};
use crate::framework::document::KpiDirection;

/// The attainment a stretch value earns, in percent.
pub const CAP: f64 = 150.0;

/// The largest magnitude a KPI value (target, threshold, stretch, reading)
/// may have: a quadrillion, far beyond any real KPI, and small enough that
/// sums of readings and differences of targets never overflow to infinity
/// (1.7e308 + 1.7e308 did, and showed as `actual: null` beside an attainment).
pub const MAX_MAGNITUDE: f64 = 1e15;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetValues {
    pub direction: KpiDirection,
    pub threshold: Option<f64>,
    pub target: f64,
    pub stretch: Option<f64>,
}

impl TargetValues {
    /// Checks the values are finite and in the order the direction needs.
    pub fn check(&self) -> Result<()> {
        let mut problems = Problems::new();
        // Bounded, not only finite: the differences attainment divides by
        // must stay finite too.
        let finite = |v: f64| v.is_finite() && v.abs() <= MAX_MAGNITUDE;
        let message = format!("must be a number between -{MAX_MAGNITUDE:e} and {MAX_MAGNITUDE:e}");
        if !finite(self.target) {
            problems.add("target", message.clone());
        }
        if self.threshold.is_some_and(|v| !finite(v)) {
            problems.add("threshold", message.clone());
        }
        if self.stretch.is_some_and(|v| !finite(v)) {
            problems.add("stretch", message);
        }
        if !problems.is_empty() {
            return problems.into_result();
        }
        let better = |a: f64, b: f64| match self.direction {
            KpiDirection::HigherIsBetter => a > b,
            KpiDirection::LowerIsBetter => a < b,
        };
        let (word_better, word_worse) = match self.direction {
            KpiDirection::HigherIsBetter => ("above", "below"),
            KpiDirection::LowerIsBetter => ("below", "above"),
        };
        match (self.direction, self.threshold) {
            (KpiDirection::LowerIsBetter, None) => {
                problems.add(
                    "threshold",
                    "is required for a lower-is-better KPI: the worst value that still counts",
                );
            }
            (_, Some(t)) if !better(self.target, t) => {
                problems.add("threshold", format!("must be {word_worse} the target"));
            }
            (KpiDirection::HigherIsBetter, None) if self.target <= 0.0 => {
                problems.add("threshold", "is required when the target is not above 0");
            }
            _ => {}
        }
        if let Some(s) = self.stretch
            && !better(s, self.target)
        {
            problems.add("stretch", format!("must be {word_better} the target"));
        }
        problems.into_result()
    }

    /// Attainment in percent for `actual`. Assumes `check()` passed.
    pub fn attainment(&self, actual: f64) -> f64 {
        // Measure everything as "progress in the better direction".
        let sign = match self.direction {
            KpiDirection::HigherIsBetter => 1.0,
            KpiDirection::LowerIsBetter => -1.0,
        };
        let a = actual * sign;
        let target = self.target * sign;
        let threshold = self.threshold.unwrap_or(0.0) * sign;
        let percent = if a <= threshold {
            0.0
        } else if a < target {
            (a - threshold) / (target - threshold) * 100.0
        } else {
            match self.stretch {
                None => 100.0,
                Some(s) => {
                    let stretch = s * sign;
                    if a >= stretch {
                        CAP
                    } else {
                        100.0 + (a - target) / (stretch - target) * (CAP - 100.0)
                    }
                }
            }
        };
        round1(percent)
    }
}

/// `Σ weight · attainment / 100` over (weight, attainment) pairs.
pub fn weighted_score(items: impl IntoIterator<Item = (i32, Option<f64>)>) -> f64 {
    round1(
        items
            .into_iter()
            .map(|(w, a)| w as f64 * a.unwrap_or(0.0) / 100.0)
            .sum(),
    )
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const UP: TargetValues = TargetValues {
        direction: KpiDirection::HigherIsBetter,
        threshold: Some(80.0),
        target: 100.0,
        stretch: Some(120.0),
    };
    const DOWN: TargetValues = TargetValues {
        direction: KpiDirection::LowerIsBetter,
        threshold: Some(8.0),
        target: 5.0,
        stretch: Some(3.0),
    };

    #[test]
    fn higher_is_better_through_every_point() {
        assert_eq!(UP.attainment(70.0), 0.0);
        assert_eq!(UP.attainment(80.0), 0.0);
        assert_eq!(UP.attainment(90.0), 50.0);
        assert_eq!(UP.attainment(100.0), 100.0);
        assert_eq!(UP.attainment(110.0), 125.0);
        assert_eq!(UP.attainment(120.0), 150.0);
        assert_eq!(UP.attainment(500.0), 150.0);
    }

    #[test]
    fn lower_is_better_inverts() {
        assert_eq!(DOWN.attainment(9.0), 0.0);
        assert_eq!(DOWN.attainment(8.0), 0.0);
        assert_eq!(DOWN.attainment(6.5), 50.0);
        assert_eq!(DOWN.attainment(5.0), 100.0);
        assert_eq!(DOWN.attainment(4.0), 125.0);
        assert_eq!(DOWN.attainment(3.0), 150.0);
        assert_eq!(DOWN.attainment(0.5), 150.0);
    }

    #[test]
    fn defaults_start_at_zero_and_stop_at_target() {
        let plain = TargetValues {
            direction: KpiDirection::HigherIsBetter,
            threshold: None,
            target: 200.0,
            stretch: None,
        };
        assert!(plain.check().is_ok());
        assert_eq!(plain.attainment(50.0), 25.0);
        assert_eq!(plain.attainment(300.0), 100.0);
    }

    #[test]
    fn values_in_the_wrong_order_or_not_finite_are_refused() {
        let backwards = TargetValues {
            threshold: Some(120.0),
            ..UP
        };
        assert!(backwards.check().is_err());
        let stretch_below = TargetValues {
            stretch: Some(90.0),
            ..UP
        };
        assert!(stretch_below.check().is_err());
        assert!(
            TargetValues {
                target: f64::NAN,
                ..UP
            }
            .check()
            .is_err()
        );
        assert!(
            TargetValues {
                stretch: Some(f64::INFINITY),
                ..UP
            }
            .check()
            .is_err()
        );
        assert!(
            TargetValues {
                threshold: None,
                ..DOWN
            }
            .check()
            .is_err()
        );
        assert!(UP.check().is_ok() && DOWN.check().is_ok());
    }

    #[test]
    fn the_score_weighs_attainments() {
        // The README's worked example.
        assert_eq!(weighted_score([(60, Some(125.0)), (40, Some(50.0))]), 95.0);
        assert_eq!(weighted_score([(50, Some(100.0)), (50, None)]), 50.0);
    }
}
