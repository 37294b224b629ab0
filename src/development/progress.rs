//! The rules of progress, pure and dated by the caller: what is overdue,
//! how far a plan has come, whether the gap a goal was meant to close has
//! closed, when a check-in is due, and how well each learning resource
//! worked for the people who took it.

use std::collections::{BTreeMap, HashMap};

use async_graphql::Enum;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};

use super::{Goal, GoalStatus};

/// A goal still open after its due day.
pub fn is_overdue(status: GoalStatus, due_on: NaiveDate, today: NaiveDate) -> bool {
    status.is_active() && due_on < today
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PlanProgress {
    pub goals: u32,
    pub done: u32,
    pub dropped: u32,
    pub open: u32,
    pub overdue: u32,
    /// Done over the goals not dropped, in percent; none without such goals.
    pub percent: Option<f64>,
}

pub fn plan_progress(goals: &[Goal], today: NaiveDate) -> PlanProgress {
    let mut p = PlanProgress::default();
    for g in goals {
        p.goals += 1;
        match g.status {
            GoalStatus::Done => p.done += 1,
            GoalStatus::Dropped => p.dropped += 1,
            _ => p.open += 1,
        }
        if is_overdue(g.status, g.due_on, today) {
            p.overdue += 1;
        }
    }
    let counted = p.goals - p.dropped;
    p.percent =
        (counted > 0).then(|| (f64::from(p.done) / f64::from(counted) * 1000.0).round() / 10.0);
    p
}

/// The gap a goal was meant to close, beside where it stands now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapStatus {
    pub skill: String,
    pub required: u8,
    /// Known when the goal was planned.
    pub baseline: Option<u8>,
    /// The latest manager-confirmed level.
    pub current: Option<u8>,
    /// A manager confirms the required level.
    pub closed: bool,
}

pub fn gap_status(goal: &Goal, confirmed: Option<u8>) -> Option<GapStatus> {
    let skill = goal.skill.clone()?;
    let required = goal.required_level?;
    Some(GapStatus {
        skill,
        required,
        baseline: goal.baseline_level,
        current: confirmed,
        closed: confirmed.is_some_and(|c| c >= required),
    })
}

/// The day the next check-in is due: `cadence_days` after the last one, or
/// after the plan was agreed. A draft plan has no check-ins due.
pub fn check_in_due_on(
    agreed_on: Option<NaiveDate>,
    last_check_in: Option<NaiveDate>,
    cadence_days: u32,
) -> Option<NaiveDate> {
    let from = last_check_in.or(agreed_on)?;
    from.checked_add_days(Days::new(u64::from(cadence_days)))
}

/// The first day of `today`'s calendar quarter.
pub fn quarter_start(today: NaiveDate) -> NaiveDate {
    let month = (today.month0() / 3) * 3 + 1;
    NaiveDate::from_ymd_opt(today.year(), month, 1).unwrap_or(today)
}

/// What the next cycle's manager rating says about a planned gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum GapOutcome {
    /// Rated at or above the required level.
    Closed,
    /// Rated, still below.
    NotClosed,
    /// No manager rating of the skill in a cycle opened since.
    NotYetAssessed,
}

/// A manager rating of one skill, and when its cycle opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagerRating {
    pub user_id: i64,
    pub skill: String,
    pub level: u8,
    pub cycle_opened: DateTime<Utc>,
}

/// The manager rating of `skill` in the first cycle opened after `planned`:
/// "the next cycle" after the goal was planned.
pub fn outcome_after(
    ratings: &[ManagerRating],
    user_id: i64,
    skill: &str,
    required: u8,
    planned: DateTime<Utc>,
) -> GapOutcome {
    ratings
        .iter()
        .filter(|r| r.user_id == user_id && r.skill == skill && r.cycle_opened > planned)
        .min_by_key(|r| r.cycle_opened)
        .map_or(GapOutcome::NotYetAssessed, |r| {
            if r.level >= required {
                GapOutcome::Closed
            } else {
                GapOutcome::NotClosed
            }
        })
}

/// One person's goal to take a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceUse {
    pub resource: String,
    pub user_id: i64,
    pub skill: Option<String>,
    pub required: Option<u8>,
    pub status: GoalStatus,
    /// When the goal was planned.
    pub planned_at: DateTime<Utc>,
}

/// How one learning resource served the people who planned it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResourceEffect {
    pub resource: String,
    /// Goals that planned it (not dropped).
    pub planned: u32,
    /// Goals done: the resource was taken.
    pub taken: u32,
    /// Of those taken, the gap closed in the next cycle's manager rating…
    pub closed: u32,
    /// …or the next rating was still short…
    pub not_closed: u32,
    /// …or no cycle since has a manager rating of the skill.
    pub awaiting: u32,
    /// closed / (closed + not closed), percent; none before any rating.
    pub closed_share: Option<f64>,
}

/// The training system's effectiveness, per resource: of the people who took
/// it, how many closed the gap it was planned for in the next cycle (the
/// first opened after the goal was planned) by their manager's rating.
pub fn effectiveness(uses: &[ResourceUse], ratings: &[ManagerRating]) -> Vec<ResourceEffect> {
    let mut by: BTreeMap<&str, ResourceEffect> = BTreeMap::new();
    for u in uses {
        let e = by
            .entry(u.resource.as_str())
            .or_insert_with(|| ResourceEffect {
                resource: u.resource.clone(),
                ..ResourceEffect::default()
            });
        if u.status == GoalStatus::Dropped {
            continue;
        }
        e.planned += 1;
        if u.status != GoalStatus::Done {
            continue;
        }
        e.taken += 1;
        match (&u.skill, u.required) {
            (Some(skill), Some(required)) => {
                match outcome_after(ratings, u.user_id, skill, required, u.planned_at) {
                    GapOutcome::Closed => e.closed += 1,
                    GapOutcome::NotClosed => e.not_closed += 1,
                    GapOutcome::NotYetAssessed => e.awaiting += 1,
                }
            }
            _ => e.awaiting += 1,
        }
    }
    by.into_values()
        .map(|mut e| {
            let rated = e.closed + e.not_closed;
            e.closed_share = (rated > 0)
                .then(|| (f64::from(e.closed) / f64::from(rated) * 1000.0).round() / 10.0);
            e
        })
        .collect()
}

/// A planned gap as one assessment cycle shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedGap {
    pub goal_id: i64,
    pub skill: String,
    pub required: u8,
    pub baseline: Option<u8>,
    /// The manager's rating in this cycle.
    pub rated: Option<u8>,
    pub outcome: GapOutcome,
}

/// The gaps that had a plan, against the manager ratings of one cycle.
pub fn planned_gaps(goals: &[Goal], manager_levels: &HashMap<String, u8>) -> Vec<PlannedGap> {
    let mut out: Vec<PlannedGap> = goals
        .iter()
        .filter(|g| g.status != GoalStatus::Dropped)
        .filter_map(|g| {
            let skill = g.skill.clone()?;
            let required = g.required_level?;
            let rated = manager_levels.get(&skill).copied();
            let outcome = match rated {
                None => GapOutcome::NotYetAssessed,
                Some(l) if l >= required => GapOutcome::Closed,
                Some(_) => GapOutcome::NotClosed,
            };
            Some(PlannedGap {
                goal_id: g.id,
                skill,
                required,
                baseline: g.baseline_level,
                rated,
                outcome,
            })
        })
        .collect();
    out.sort_by(|a, b| a.skill.cmp(&b.skill).then(a.goal_id.cmp(&b.goal_id)));
    out
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::development::GoalKind;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn goal(id: i64, status: GoalStatus, due: &str) -> Goal {
        Goal {
            id,
            plan_id: 1,
            position: id as i32,
            kind: GoalKind::LearningResource,
            title: "t".into(),
            source_action: None,
            skill: Some("retention_incentives".into()),
            required_level: Some(3),
            baseline_level: Some(2),
            kpi: None,
            certification: None,
            resource: Some("course".into()),
            mentor_id: None,
            due_on: d(due),
            status,
            done_on: None,
            created_at: crate::clock::now(),
            evidence: Vec::new(),
        }
    }

    #[test]
    fn a_goal_is_overdue_from_the_day_after_it_is_due_while_open() {
        let due = d("2026-12-01");
        assert!(!is_overdue(GoalStatus::Planned, due, d("2026-12-01")));
        assert!(is_overdue(GoalStatus::Planned, due, d("2026-12-02")));
        assert!(is_overdue(GoalStatus::InProgress, due, d("2027-01-01")));
        assert!(!is_overdue(GoalStatus::Done, due, d("2027-01-01")));
        assert!(!is_overdue(GoalStatus::Dropped, due, d("2027-01-01")));
    }

    #[test]
    fn progress_counts_done_over_goals_not_dropped() {
        let goals = [
            goal(1, GoalStatus::Done, "2026-12-01"),
            goal(2, GoalStatus::Dropped, "2026-12-01"),
            goal(3, GoalStatus::InProgress, "2026-12-01"),
            goal(4, GoalStatus::Planned, "2027-03-01"),
        ];
        let p = plan_progress(&goals, d("2026-12-15"));
        assert_eq!(
            p,
            PlanProgress {
                goals: 4,
                done: 1,
                dropped: 1,
                open: 2,
                overdue: 1,
                percent: Some(33.3),
            }
        );
        assert_eq!(plan_progress(&[], d("2026-12-15")).percent, None);
    }

    #[test]
    fn a_gap_closes_when_a_manager_confirms_the_required_level() {
        let g = goal(1, GoalStatus::Done, "2026-12-01");
        assert!(!gap_status(&g, Some(2)).unwrap().closed);
        assert!(gap_status(&g, Some(3)).unwrap().closed);
        assert!(!gap_status(&g, None).unwrap().closed);
    }

    #[test]
    fn check_ins_fall_due_a_cadence_after_the_last_or_the_agreement() {
        assert_eq!(check_in_due_on(None, None, 30), None);
        assert_eq!(
            check_in_due_on(Some(d("2026-11-01")), None, 30),
            Some(d("2026-12-01"))
        );
        assert_eq!(
            check_in_due_on(Some(d("2026-11-01")), Some(d("2026-11-20")), 30),
            Some(d("2026-12-20"))
        );
        assert_eq!(quarter_start(d("2026-11-24")), d("2026-10-01"));
        assert_eq!(quarter_start(d("2026-01-01")), d("2026-01-01"));
    }

    #[test]
    fn effectiveness_judges_a_taken_resource_by_the_next_manager_rating() {
        let at = |s: &str| format!("{s}T09:00:00Z").parse::<DateTime<Utc>>().unwrap();
        let uses = |user, status| ResourceUse {
            resource: "course".into(),
            user_id: user,
            skill: Some("s".into()),
            required: Some(3),
            status,
            planned_at: at("2026-06-01"),
        };
        let uses = [
            uses(1, GoalStatus::Done),
            uses(2, GoalStatus::Done),
            uses(3, GoalStatus::Done),
            uses(4, GoalStatus::InProgress),
            uses(5, GoalStatus::Dropped),
        ];
        let rating = |user, level, on| ManagerRating {
            user_id: user,
            skill: "s".into(),
            level,
            cycle_opened: at(on),
        };
        let ratings = [
            // A cycle opened before the plan: does not count.
            rating(1, 2, "2026-01-10"),
            rating(1, 3, "2026-07-10"),
            // The next cycle counts, not a later one.
            rating(2, 2, "2026-07-10"),
            rating(2, 4, "2027-01-10"),
        ];
        let e = effectiveness(&uses, &ratings);
        assert_eq!(
            e,
            vec![ResourceEffect {
                resource: "course".into(),
                planned: 4,
                taken: 3,
                closed: 1,
                not_closed: 1,
                awaiting: 1,
                closed_share: Some(50.0),
            }]
        );
    }

    #[test]
    fn planned_gaps_read_one_cycle() {
        let goals = [
            goal(1, GoalStatus::Done, "2026-12-01"),
            goal(2, GoalStatus::Dropped, "2026-12-01"),
        ];
        let levels = HashMap::from([("retention_incentives".to_owned(), 3u8)]);
        let gaps = planned_gaps(&goals, &levels);
        assert_eq!(gaps.len(), 1);
        assert_eq!(gaps[0].outcome, GapOutcome::Closed);
        assert_eq!(gaps[0].rated, Some(3));
        assert_eq!(
            planned_gaps(&goals[..1], &HashMap::new())[0].outcome,
            GapOutcome::NotYetAssessed
        );
    }
}
