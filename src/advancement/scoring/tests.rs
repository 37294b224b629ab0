use super::*;
use crate::framework::document::FrameworkDocument;
use crate::framework::model::{VersionInfo, VersionStatus};

pub(super) fn fw() -> Framework {
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

pub(super) fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Manager ratings for every skill of `role`, at `at(what level requires)`
/// (a submitted assessment rates them all, 0 included).
pub(super) fn rated_for(
    fw: &Framework,
    role: &str,
    level: &str,
    at: impl Fn(u8) -> u8,
) -> HashMap<String, SkillEvidence> {
    fw.role(role)
        .unwrap()
        .requirements
        .iter()
        .map(|(skill, req)| {
            let required = req.levels.get(level).copied().unwrap_or(0);
            (skill.clone(), SkillEvidence::confirmed(at(required).min(5)))
        })
        .collect()
}

/// 30 months at level, a finished KPI period at 92, nothing else known.
pub(super) fn person(role: &str, level: &str) -> PersonSnapshot {
    PersonSnapshot {
        user_id: 1,
        role: role.into(),
        level: level.into(),
        today: day("2026-11-24"),
        level_since: Some(day("2024-05-24")),
        kpi: Some(KpiRecord {
            score: 92.0,
            periods: vec!["2026-Q3".into()],
            weakest: None,
        }),
        ..PersonSnapshot::default()
    }
}

fn the_move(fw: &Framework, p: &PersonSnapshot, role: &str, level: &str) -> Candidate {
    next_moves(fw, p)
        .into_iter()
        .find(|c| c.to_role == role && c.to_level == level)
        .unwrap_or_else(|| panic!("no move to {role}/{level}"))
}

#[test]
fn the_readme_worked_example() {
    // Skills 95, KPIs 92, certifications 100, time 100:
    // (50·95 + 20·92 + 15·100 + 15·100) / 100 = 95.9.
    let c = Components {
        skills: Some(95.0),
        kpi: Some(92.0),
        certifications: 100.0,
        time: Some(100.0),
    };
    assert_eq!(round1(combine(&c)), 95.9);
    assert_eq!(shown_readiness(Verdict::Ready, combine(&c)), Some(95.9));
    // The same numbers with a gate unmet: not ready, shown at most 79.
    assert_eq!(shown_readiness(Verdict::NotReady, combine(&c)), Some(79.0));
    // No KPI results yet: the component drops out, (50·95 + 15·100 + 15·100) / 80 = 96.9.
    assert_eq!(
        round1(combine(&Components {
            kpi: None,
            ..c.clone()
        })),
        96.9
    );
    assert_eq!(shown_readiness(Verdict::NeedsEvidence, combine(&c)), None);

    // Rated by the manager exactly at user operations p2: the weighted mean
    // is 79.2, and the two critical skills are short: not ready.
    let fw = fw();
    let mut p = person("user_operations", "p2");
    p.skills = rated_for(&fw, "user_operations", "p2", |r| r);
    let promotion = the_move(&fw, &p, "user_operations", "p3");
    assert_eq!(promotion.verdict, Verdict::NotReady);
    // Skills 61.7: (50·61.7 + 20·92 + 15·100 + 15·100) / 100 = 79.2, shown as 79.
    assert_eq!(promotion.components.skills, Some(61.7));
    assert_eq!(round1(promotion.progress), 79.2);
    assert_eq!(promotion.readiness, Some(79.0));
    let critical: Vec<&str> = promotion
        .critical_gaps
        .iter()
        .map(|g| g.skill.as_str())
        .collect();
    assert_eq!(critical, ["lifecycle_management", "retention_incentives"]);
    assert_eq!(promotion.actions[0].kind, ActionKind::CloseSkillGap);

    // An expert rated at p4 (team leadership 2 of 3, performance management
    // 1 of 3): the weighted mean is 96.4, but people skills are critical for a lead.
    let mut expert = person("user_operations", "p4");
    expert.skills = rated_for(&fw, "user_operations", "p4", |r| r);
    expert.kpi.as_mut().unwrap().score = 95.0;
    let lead = the_move(&fw, &expert, "user_operations", "m1");
    assert_eq!(lead.verdict, Verdict::NotReady);
    let critical: Vec<&str> = lead
        .critical_gaps
        .iter()
        .map(|g| g.skill.as_str())
        .collect();
    assert_eq!(critical, ["performance_management", "team_leadership"]);
    assert_eq!(lead.components.skills, Some(94.7));
    assert_eq!(round1(lead.progress), 96.4);
    assert_eq!(lead.readiness, Some(79.0));
}

#[test]
fn a_clear_promotion_is_ready_and_says_so() {
    let fw = fw();
    let mut p = person("user_operations", "p2");
    p.skills = rated_for(&fw, "user_operations", "p3", |r| r);
    let best = &next_moves(&fw, &p)[0];
    assert_eq!(
        (best.to_role.as_str(), best.to_level.as_str(), best.kind),
        ("user_operations", "p3", PathKind::Promotion)
    );
    assert_eq!(best.verdict, Verdict::Ready);
    assert_eq!(best.components.skills, Some(100.0));
    assert_eq!(best.evidence.level, EvidenceLevel::ManagerConfirmed);
    assert!(best.readiness.unwrap() >= READY_AT);
    assert_eq!(best.actions[0].kind, ActionKind::DiscussMove);
}

#[test]
fn a_newer_self_rating_is_a_signal_not_a_replacement() {
    let fw = fw();
    let mut p = person("user_operations", "p2");
    p.skills = rated_for(&fw, "user_operations", "p3", |r| r);
    for e in p.skills.values_mut() {
        e.own = Some(1);
        e.own_newer = true;
    }
    let promotion = the_move(&fw, &p, "user_operations", "p3");
    assert_eq!(promotion.verdict, Verdict::Ready);
    assert_eq!(promotion.components.skills, Some(100.0));
}

#[test]
fn self_ratings_alone_give_no_score() {
    let fw = fw();
    let mut p = person("user_operations", "p2");
    p.skills = fw
        .requirements("user_operations", "p3")
        .into_iter()
        .map(|c| (c.skill.to_owned(), SkillEvidence::self_only(c.required)))
        .collect();
    let promotion = the_move(&fw, &p, "user_operations", "p3");
    assert_eq!(promotion.verdict, Verdict::NeedsEvidence);
    assert_eq!(promotion.readiness, None);
    assert_eq!(promotion.components.skills, None);
    assert_eq!(promotion.evidence.level, EvidenceLevel::SelfOnly);
    assert_eq!(promotion.evidence.self_match, Some(100.0));
    assert_eq!(promotion.actions[0].kind, ActionKind::ConfirmWithManager);
    assert!(promotion.gaps.is_empty());
}

#[test]
fn never_assessed_is_unknown_not_zero() {
    let fw = fw();
    let p = person("user_operations", "p2");
    for c in next_moves(&fw, &p) {
        assert_eq!(c.verdict, Verdict::NeedsEvidence, "{c:#?}");
        assert_eq!(c.evidence.level, EvidenceLevel::None);
        assert!(c.gaps.is_empty(), "no measured gaps without ratings");
        assert_eq!(c.actions[0].kind, ActionKind::GetAssessed);
    }
}

#[test]
fn an_old_manager_rating_no_longer_confirms() {
    let fw = fw();
    let mut p = person("user_operations", "p2");
    p.skills = rated_for(&fw, "user_operations", "p3", |r| r);
    for e in p.skills.values_mut() {
        e.manager = e.manager.map(|(l, _)| (l, STALE_AFTER_MONTHS + 1));
    }
    let promotion = the_move(&fw, &p, "user_operations", "p3");
    assert_eq!(promotion.verdict, Verdict::NeedsEvidence);
    assert!(
        promotion
            .gaps
            .iter()
            .chain(&promotion.strengths)
            .all(|g| g.basis == SkillBasis::StaleManager)
    );
}

#[test]
fn a_running_period_is_not_a_failure() {
    let fw = fw();
    let mut p = person("user_operations", "p2");
    p.skills = rated_for(&fw, "user_operations", "p3", |r| r);
    p.kpi = None;
    p.kpi_running_until = Some(day("2026-12-31"));
    let promotion = the_move(&fw, &p, "user_operations", "p3");
    // Without a finished period the KPI gate cannot be shown met…
    assert_eq!(promotion.verdict, Verdict::NotReady);
    assert_eq!(promotion.components.kpi, None);
    // …and the advice says when it can be.
    let action = &promotion.actions[0];
    assert_eq!(
        (action.kind, action.date),
        (ActionKind::AwaitKpiResults, Some(day("2026-12-31")))
    );
}

#[test]
fn a_kpi_gate_names_the_weakest_kpi_and_the_distance() {
    let fw = fw();
    let mut p = person("user_operations", "p2");
    p.skills = rated_for(&fw, "user_operations", "p3", |r| r);
    p.kpi = Some(KpiRecord {
        score: 72.0,
        periods: vec!["2026-Q3".into()],
        weakest: Some(KpiShortfall {
            kpi: "new_users".into(),
            period: "2026-Q3".into(),
            attainment: Some(60.0),
            weight: 60,
        }),
    });
    let promotion = the_move(&fw, &p, "user_operations", "p3");
    assert_eq!(promotion.verdict, Verdict::NotReady);
    let a = &promotion.actions[0];
    assert_eq!(
        (a.kind, a.kpi.as_deref(), a.short_by, a.attainment),
        (
            ActionKind::ImproveKpi,
            Some("new_users"),
            Some(8.0),
            Some(60.0)
        )
    );
}

#[test]
fn blocked_only_by_time_outranks_a_blocked_lateral_and_says_when() {
    let fw = fw();
    let mut p = person("user_operations", "p2");
    p.level_since = Some(day("2025-09-24")); // 14 months; promotion needs 18
    p.skills = rated_for(&fw, "user_operations", "p3", |r| r);
    // Data operations rated too, strong, but no analytics certificate.
    for (k, e) in rated_for(&fw, "data_operations", "p2", |r| (r + 1).min(5)) {
        p.skills.entry(k).or_insert(e);
    }
    let moves = next_moves(&fw, &p);
    let top = &moves[0];
    assert_eq!(
        (top.to_role.as_str(), top.kind),
        ("user_operations", PathKind::Promotion)
    );
    assert!(top.blocked_only_by_time());
    assert_eq!(
        (top.actions[0].kind, top.actions[0].date),
        (ActionKind::WaitUntil, Some(day("2027-03-24")))
    );
    let data = moves
        .iter()
        .find(|c| c.to_role == "data_operations")
        .unwrap();
    assert_eq!(data.verdict, Verdict::NotReady);
    assert_eq!(data.actions[0].kind, ActionKind::EarnCertification);
}

#[test]
fn a_lateral_move_beats_promotion_when_it_is_ready() {
    let fw = fw();
    let mut p = person("user_operations", "p2");
    p.skills = rated_for(&fw, "user_operations", "p2", |r| r);
    for (k, e) in rated_for(&fw, "data_operations", "p2", |r| (r + 1).min(5)) {
        p.skills.insert(k, e);
    }
    p.certifications
        .insert("google_analytics_certification".into());
    let moves = next_moves(&fw, &p);
    assert_eq!(
        (moves[0].to_role.as_str(), moves[0].kind, moves[0].verdict),
        ("data_operations", PathKind::Lateral, Verdict::Ready)
    );
    let promotion = the_move(&fw, &p, "user_operations", "p3");
    assert_eq!(promotion.verdict, Verdict::NotReady);
}

#[test]
fn certifications_count_only_verified() {
    let fw = fw();
    let mut p = person("data_operations", "p2");
    p.skills = rated_for(&fw, "data_operations", "p3", |r| r);
    p.unverified_certifications.insert("cda_level_1".into());
    let promotion = the_move(&fw, &p, "data_operations", "p3");
    assert_eq!(promotion.verdict, Verdict::NotReady);
    assert_eq!(promotion.blockers[0].actual.as_deref(), Some("unverified"));
    assert_eq!(
        promotion.actions[0].kind,
        ActionKind::GetCertificationVerified
    );
    p.certifications.insert("cda_level_1".into());
    assert!(the_move(&fw, &p, "data_operations", "p3").ready());
}

#[test]
fn lateral_skills_nobody_rated_are_named_as_unknown() {
    let fw = fw();
    let mut p = person("content_operations", "p2");
    p.skills = rated_for(&fw, "content_operations", "p2", |r| r + 1);
    let community = the_move(&fw, &p, "community_operations", "p2");
    assert_eq!(community.verdict, Verdict::NeedsEvidence);
    assert_eq!(community.actions[0].kind, ActionKind::GetAssessed);
    assert!(
        community.actions[0]
            .skills
            .contains(&"community_building".to_owned())
    );
    assert!(
        community.gaps.iter().all(|g| g.known.is_some()),
        "no 0→n for skills never rated"
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

#[test]
fn the_four_classic_blocks_reach_each_other() {
    let fw = fw();
    let blocks = [
        "user_operations",
        "content_operations",
        "activity_operations",
        "community_operations",
    ];
    for level in ["p2", "p3"] {
        for from in blocks {
            let reach: HashSet<&str> = fw
                .edges_from(from, level)
                .filter(|e| e.kind == PathKind::Lateral)
                .filter_map(|e| split_ref(&e.to).map(|(r, _)| r))
                .collect();
            for to in blocks.iter().filter(|b| **b != from) {
                assert!(reach.contains(to), "{from}/{level} → {to}");
            }
        }
    }
}

#[test]
fn months_count_whole_months() {
    assert_eq!(months_between(day("2025-11-24"), day("2026-11-24")), 12);
    assert_eq!(months_between(day("2025-11-25"), day("2026-11-24")), 11);
    assert_eq!(months_between(day("2027-01-01"), day("2026-11-24")), 0);
}
