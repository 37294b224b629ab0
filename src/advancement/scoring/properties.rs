//! The laws of the readiness model, checked on generated people over the
//! shipped framework (256 cases each).

use proptest::prelude::*;

use super::tests::{day, fw, person, rated_for};
use super::*;

/// Parsed once: the properties run hundreds of cases over the same framework.
static SHIPPED: std::sync::LazyLock<Framework> = std::sync::LazyLock::new(fw);

/// Positions with at least one move.
fn positions(fw: &Framework) -> Vec<(String, String)> {
    fw.doc
        .roles
        .iter()
        .flat_map(|r| r.levels.iter().map(move |l| (r.key.clone(), l.key.clone())))
        .filter(|(r, l)| fw.edges_from(r, l).next().is_some())
        .collect()
}

#[derive(Debug, Clone)]
struct Generated {
    position: usize,
    /// Per assessable skill (sorted): manager level, own level, peer level.
    ratings: Vec<(Option<u8>, Option<u8>, Option<u8>)>,
    months: u32,
    kpi: Option<f64>,
    certified: bool,
    pick: usize,
}

fn generated() -> impl Strategy<Value = Generated> {
    (
        0usize..64,
        prop::collection::vec(
            (
                prop::option::weighted(0.7, 0u8..=5),
                prop::option::of(0u8..=5),
                prop::option::weighted(0.2, 0u8..=5),
            ),
            64,
        ),
        0u32..40,
        prop::option::weighted(0.8, 0.0f64..150.0),
        any::<bool>(),
        0usize..64,
    )
        .prop_map(
            |(position, ratings, months, kpi, certified, pick)| Generated {
                position,
                ratings,
                months,
                kpi,
                certified,
                pick,
            },
        )
}

fn build(fw: &Framework, g: &Generated) -> (PersonSnapshot, Vec<String>) {
    let all = positions(fw);
    let (role, level) = &all[g.position % all.len()];
    let mut p = person(role, level);
    p.level_since = Some(p.today - Months::new(g.months));
    p.kpi = g.kpi.map(|score| KpiRecord {
        score,
        ..KpiRecord::default()
    });
    if g.certified {
        p.certifications = fw
            .doc
            .certification_families
            .iter()
            .flat_map(|f| f.certifications.iter().map(|c| c.key.clone()))
            .collect();
    }
    let mut skills: Vec<String> = assessable_skills(fw, role, level).into_iter().collect();
    skills.sort();
    for (skill, (manager, own, peer)) in skills.iter().zip(&g.ratings) {
        if manager.is_none() && own.is_none() && peer.is_none() {
            continue;
        }
        p.skills.insert(
            skill.clone(),
            SkillEvidence {
                manager: manager.map(|l| (l, 0)),
                own: *own,
                own_newer: false,
                peer: *peer,
            },
        );
    }
    (p, skills)
}

fn by_target(fw: &Framework, p: &PersonSnapshot) -> HashMap<(String, String), Candidate> {
    next_moves(fw, p)
        .into_iter()
        .map(|c| ((c.to_role.clone(), c.to_level.clone()), c))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn readiness_stays_within_0_to_100_and_agrees_with_the_verdict(g in generated()) {
        let fw = &*SHIPPED;
        let (p, _) = build(fw, &g);
        for c in next_moves(fw, &p) {
            prop_assert!((0.0..=100.0).contains(&c.progress));
            match (c.verdict, c.readiness) {
                (Verdict::Ready, Some(r)) => prop_assert!((READY_AT..=100.0).contains(&r)),
                (Verdict::NotReady, Some(r)) => prop_assert!((0.0..=NOT_READY_CAP).contains(&r)),
                (Verdict::NeedsEvidence, None) => {}
                other => prop_assert!(false, "verdict and readiness disagree: {other:?}"),
            }
            prop_assert!(!c.actions.is_empty(), "every move names an action: {c:#?}");
        }
    }

    #[test]
    fn raising_a_manager_rating_never_lowers_readiness(g in generated()) {
        let fw = &*SHIPPED;
        let (before, skills) = build(fw, &g);
        let skill = &skills[g.pick % skills.len()];
        let mut after = before.clone();
        let e = after.skills.entry(skill.clone()).or_default();
        e.manager = Some(match e.manager {
            Some((l, age)) => (l.saturating_add(1).min(5), age),
            None => (0, 0),
        });
        let (old, new) = (by_target(fw, &before), by_target(fw, &after));
        for (key, was) in &old {
            let now = &new[key];
            prop_assert!(now.progress >= was.progress - 1e-9, "{key:?}");
            if let (Some(a), Some(b)) = (was.readiness, now.readiness) {
                prop_assert!(b >= a, "{key:?}: {a} → {b}");
            }
            prop_assert!(!was.ready() || now.ready(), "{key:?} stopped being ready");
        }
    }

    #[test]
    fn a_self_or_peer_rating_never_makes_advice_more_confident(g in generated(), level in 0u8..=5) {
        let fw = &*SHIPPED;
        let (before, skills) = build(fw, &g);
        let skill = &skills[g.pick % skills.len()];
        let mut after = before.clone();
        let e = after.skills.entry(skill.clone()).or_default();
        if g.certified { e.own = Some(level); e.own_newer = true; } else { e.peer = Some(level); }
        let (old, new) = (by_target(fw, &before), by_target(fw, &after));
        for (key, was) in &old {
            let now = &new[key];
            prop_assert_eq!(now.verdict, was.verdict, "{:?}", key);
            prop_assert_eq!(now.readiness, was.readiness, "{:?}", key);
        }
    }

    #[test]
    fn evidence_of_a_critical_shortfall_never_makes_a_move_ready(g in generated()) {
        let fw = &*SHIPPED;
        let (mut p, _) = build(fw, &g);
        let moves = next_moves(fw, &p);
        let Some(c) = moves.get(g.pick % moves.len().max(1)) else { return Ok(()); };
        let Some(cell) = fw
            .requirements(&c.to_role, &c.to_level)
            .into_iter()
            .find(|cell| cell.critical)
        else {
            return Ok(());
        };
        p.skills.insert(cell.skill.to_owned(), SkillEvidence::confirmed(cell.required - 1));
        let after = by_target(fw, &p);
        let now = &after[&(c.to_role.clone(), c.to_level.clone())];
        prop_assert!(!now.ready());
    }
}

/// Every requirement and gate of the target met, manager-confirmed: ready,
/// for every move of the shipped framework.
#[test]
fn meeting_every_requirement_and_gate_is_ready() {
    let fw = fw();
    for edge in &fw.doc.paths {
        let (from_role, from_level) = split_ref(&edge.from).unwrap();
        let (to_role, to_level) = split_ref(&edge.to).unwrap();
        let mut p = person(from_role, from_level);
        p.level_since = Some(day("2020-01-01"));
        p.skills = rated_for(&fw, from_role, from_level, |r| r);
        for cell in fw.requirements(to_role, to_level) {
            let e = p.skills.entry(cell.skill.to_owned()).or_default();
            let had = e.confirmed_level().unwrap_or(0);
            *e = SkillEvidence::confirmed(had.max(cell.required));
        }
        p.kpi.as_mut().unwrap().score = 100.0;
        p.certifications = edge
            .gates
            .certifications
            .iter()
            .chain(&fw.level(to_role, to_level).unwrap().certifications.required)
            .cloned()
            .collect();
        let c = score(&fw, &p, &[edge]).unwrap();
        assert_eq!(
            c.verdict,
            Verdict::Ready,
            "{} → {}: {c:#?}",
            edge.from,
            edge.to
        );
        assert_eq!(c.components.skills, Some(100.0));
    }
}

/// Rated by the manager exactly at the current level, every gate met: not
/// ready for any move up (promotion or management) of the shipped framework.
#[test]
fn meeting_only_the_current_level_is_not_ready() {
    let fw = fw();
    for edge in fw.doc.paths.iter().filter(|e| e.kind != PathKind::Lateral) {
        let (from_role, from_level) = split_ref(&edge.from).unwrap();
        let mut p = person(from_role, from_level);
        p.level_since = Some(day("2020-01-01"));
        p.skills = rated_for(&fw, from_role, from_level, |r| r);
        p.kpi.as_mut().unwrap().score = 100.0;
        p.certifications = fw
            .doc
            .certification_families
            .iter()
            .flat_map(|f| f.certifications.iter().map(|c| c.key.clone()))
            .collect();
        let c = score(&fw, &p, &[edge]).unwrap();
        assert_eq!(c.verdict, Verdict::NotReady, "{} → {}", edge.from, edge.to);
        assert!(!c.critical_gaps.is_empty(), "{} → {}", edge.from, edge.to);
    }
}
