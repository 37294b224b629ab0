//! Scoring one move: skills against the target level, gates along the
//! route, the verdict, and the actions that lead towards it.

use super::*;

/// What the target's skills say, before gates.
struct SkillReading {
    /// Manager-confirmed weighted match, unconfirmed skills at 0.
    matched: f64,
    confirmed_share: f64,
    self_match: Option<f64>,
    level: EvidenceLevel,
    /// A required skill (unconfirmed counting 0) more than MAX_SHORTFALL short.
    too_far: bool,
    critical_unconfirmed: Vec<String>,
    critical_gaps: Vec<SkillGap>,
    gaps: Vec<SkillGap>,
    strengths: Vec<SkillGap>,
    unknown: Vec<String>,
    unconfirmed: Vec<String>,
}

fn read_skills(fw: &Framework, person: &PersonSnapshot, role: &str, level: &str) -> SkillReading {
    let (mut reached, mut total, mut confirmed_w) = (0.0, 0.0, 0.0);
    let (mut self_reached, mut self_total) = (0.0, 0.0);
    let mut r = SkillReading {
        matched: 100.0,
        confirmed_share: 100.0,
        self_match: None,
        level: EvidenceLevel::ManagerConfirmed,
        too_far: false,
        critical_unconfirmed: Vec::new(),
        critical_gaps: Vec::new(),
        gaps: Vec::new(),
        strengths: Vec::new(),
        unknown: Vec::new(),
        unconfirmed: Vec::new(),
    };
    let mut any_signal = false;
    let mut cells = fw.requirements(role, level);
    // Critical skills first, then heaviest: the order unknown skills are named in.
    cells.sort_by(|a, b| b.critical.cmp(&a.critical).then(b.weight.cmp(&a.weight)));
    for cell in cells {
        let ev = person.skills.get(cell.skill).copied().unwrap_or_default();
        let confirmed = ev.confirmed_level();
        let w = f64::from(cell.weight);
        let share = |l: u8| (f64::from(l) / f64::from(cell.required)).min(1.0);
        reached += w * share(confirmed.unwrap_or(0));
        total += w;
        if confirmed.is_some() {
            confirmed_w += w;
        }
        if let Some(own) = ev.own {
            self_reached += w * share(own);
            self_total += w;
        }
        if cell.required.saturating_sub(confirmed.unwrap_or(0)) > MAX_SHORTFALL {
            r.too_far = true;
        }
        let known = confirmed.or(ev.signal());
        any_signal |= known.is_some();
        let line = SkillGap {
            skill: cell.skill.to_owned(),
            required: cell.required,
            confirmed,
            known,
            basis: ev.basis(),
            weight: cell.weight,
            critical: cell.critical,
            newer_self: ev.own.filter(|_| ev.own_newer && confirmed.is_some()),
        };
        match (confirmed, known) {
            (None, None) => r.unknown.push(line.skill.clone()),
            (None, Some(_)) => r.unconfirmed.push(line.skill.clone()),
            _ => {}
        }
        if cell.critical {
            match confirmed {
                None => r.critical_unconfirmed.push(line.skill.clone()),
                Some(l) if l < cell.required => r.critical_gaps.push(line.clone()),
                Some(_) => {}
            }
        }
        match known {
            Some(k) if k >= cell.required => r.strengths.push(line),
            Some(_) => r.gaps.push(line),
            None => {}
        }
    }
    let shortfall = |g: &SkillGap| {
        u32::from(g.weight) * u32::from(g.required.saturating_sub(g.known.unwrap_or(0)))
    };
    let by_shortfall = |a: &SkillGap, b: &SkillGap| {
        b.critical
            .cmp(&a.critical)
            .then(shortfall(b).cmp(&shortfall(a)))
            .then(a.skill.cmp(&b.skill))
    };
    r.gaps.sort_by(by_shortfall);
    r.critical_gaps.sort_by(by_shortfall);
    r.strengths.sort_by(|a, b| {
        b.weight
            .cmp(&a.weight)
            .then(b.known.cmp(&a.known))
            .then(a.skill.cmp(&b.skill))
    });
    if total > 0.0 {
        r.matched = reached / total * 100.0;
        r.confirmed_share = confirmed_w / total * 100.0;
        r.level = if confirmed_w >= total {
            EvidenceLevel::ManagerConfirmed
        } else if confirmed_w > 0.0 {
            EvidenceLevel::Partial
        } else if any_signal {
            EvidenceLevel::SelfOnly
        } else {
            EvidenceLevel::None
        };
    }
    if self_total > 0.0 {
        r.self_match = Some(round1(self_reached / self_total * 100.0));
    }
    r
}

/// Scores a move from the person's current level along `route` (one edge for
/// a next move, several for a distant target): skills against the final
/// level, certification gates of every edge on the way and of the target
/// level, time and KPI gates of the first step (the one taken now).
pub fn score(fw: &Framework, person: &PersonSnapshot, route: &[&PathEdge]) -> Option<Candidate> {
    let last = route.last()?;
    let first = route[0];
    let (to_role, to_level) = split_ref(&last.to)?;
    let target = fw.level(to_role, to_level)?;
    let skills = read_skills(fw, person, to_role, to_level);

    let mut required_certs: Vec<&String> = Vec::new();
    for c in route
        .iter()
        .flat_map(|e| &e.gates.certifications)
        .chain(&target.certifications.required)
    {
        if !required_certs.contains(&c) {
            required_certs.push(c);
        }
    }
    let mut gates = Vec::new();
    for cert in &required_certs {
        let held = person.certifications.contains(*cert);
        let actual = if held {
            "held"
        } else if person.unverified_certifications.contains(*cert) {
            "unverified"
        } else {
            "not held"
        };
        gates.push(Gate {
            kind: GateKind::Certification,
            requirement: (*cert).clone(),
            met: held,
            actual: Some(actual.into()),
            opens_on: None,
        });
    }
    let months = person.months_at_level();
    if let Some(min) = first.gates.min_months {
        gates.push(Gate {
            kind: GateKind::MinMonths,
            requirement: min.to_string(),
            met: months.is_some_and(|m| m >= min),
            actual: months.map(|m| m.to_string()),
            opens_on: person.level_since.map(|s| gate_opens_on(s, min)),
        });
    }
    let kpi_score = person.kpi.as_ref().map(|k| k.score);
    if let Some(min) = first.gates.min_kpi_attainment {
        gates.push(Gate {
            kind: GateKind::KpiAttainment,
            requirement: min.to_string(),
            met: kpi_score.is_some_and(|k| k >= f64::from(min)),
            actual: kpi_score.map(|k| format!("{k:.1}")),
            opens_on: None,
        });
    }
    let blockers: Vec<Gate> = gates.iter().filter(|g| !g.met).cloned().collect();

    let time = match (first.gates.min_months, months) {
        (None, _) => Some(100.0),
        (Some(_), None) => None,
        (Some(min), Some(m)) => Some((f64::from(m) / f64::from(min.max(1)) * 100.0).min(100.0)),
    };
    let certifications = if required_certs.is_empty() {
        100.0
    } else {
        let held = required_certs
            .iter()
            .filter(|c| person.certifications.contains(**c))
            .count();
        held as f64 / required_certs.len() as f64 * 100.0
    };
    let needs_evidence =
        !skills.critical_unconfirmed.is_empty() || skills.confirmed_share < MIN_CONFIRMED_SHARE;
    let components = Components {
        skills: (!needs_evidence).then_some(skills.matched),
        kpi: kpi_score.map(|k| k.min(100.0)),
        certifications,
        time,
    };
    let progress = combine(&Components {
        skills: Some(skills.matched),
        ..components.clone()
    });
    let skills_ready =
        skills.critical_gaps.is_empty() && skills.matched >= SKILLS_READY_AT && !skills.too_far;
    let verdict = if needs_evidence {
        Verdict::NeedsEvidence
    } else if skills_ready && blockers.is_empty() {
        Verdict::Ready
    } else {
        Verdict::NotReady
    };
    let actions = actions(person, &skills, skills_ready, verdict, &blockers);

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
        verdict,
        readiness: shown_readiness(verdict, progress),
        progress,
        components: Components {
            skills: components.skills.map(round1),
            kpi: components.kpi.map(round1),
            certifications: round1(components.certifications),
            time: components.time.map(round1),
        },
        evidence: EvidenceSummary {
            level: skills.level,
            confirmed_share: round1(skills.confirmed_share),
            self_match: skills.self_match,
            unknown: skills.unknown,
            unconfirmed: skills.unconfirmed,
        },
        gates,
        blockers,
        critical_gaps: skills.critical_gaps,
        gaps: skills.gaps,
        strengths: skills.strengths,
        actions,
    })
}

/// What to do, first thing first: get the evidence, close critical and top
/// gaps, certifications, KPIs, and last the passage of time.
fn actions(
    person: &PersonSnapshot,
    skills: &SkillReading,
    skills_ready: bool,
    verdict: Verdict,
    blockers: &[Gate],
) -> Vec<Action> {
    if verdict == Verdict::Ready {
        return vec![Action::new(ActionKind::DiscussMove)];
    }
    let mut out = Vec::new();
    if !skills.unknown.is_empty() {
        let skills = skills.unknown.iter().take(5).cloned().collect();
        out.push(Action::skills(ActionKind::GetAssessed, skills));
    }
    // Unconfirmed skills, and confirmed gaps the person now rates themselves at
    // or above the requirement: the manager's word is what is missing.
    let mut confirm: Vec<String> = skills.unconfirmed.iter().take(5).cloned().collect();
    for g in skills.gaps.iter().chain(&skills.critical_gaps) {
        if g.newer_self.is_some_and(|s| s >= g.required) && !confirm.contains(&g.skill) {
            confirm.push(g.skill.clone());
        }
    }
    if !confirm.is_empty() {
        out.push(Action::skills(ActionKind::ConfirmWithManager, confirm));
    }
    if !skills_ready {
        let mut top: Vec<String> = skills
            .critical_gaps
            .iter()
            .map(|g| g.skill.clone())
            .collect();
        for g in skills.gaps.iter().filter(|g| g.confirmed.is_some()) {
            if top.len() >= 3 {
                break;
            }
            if !top.contains(&g.skill) {
                top.push(g.skill.clone());
            }
        }
        if !top.is_empty() {
            out.push(Action::skills(ActionKind::CloseSkillGap, top));
        }
    }
    for b in blockers
        .iter()
        .filter(|b| b.kind == GateKind::Certification)
    {
        let kind = if b.actual.as_deref() == Some("unverified") {
            ActionKind::GetCertificationVerified
        } else {
            ActionKind::EarnCertification
        };
        out.push(Action {
            certification: Some(b.requirement.clone()),
            ..Action::new(kind)
        });
    }
    for b in blockers
        .iter()
        .filter(|b| b.kind == GateKind::KpiAttainment)
    {
        let needed: f64 = b.requirement.parse().unwrap_or(0.0);
        out.push(match (&person.kpi, person.kpi_running_until) {
            (Some(record), _) => Action {
                kpi: record.weakest.as_ref().map(|w| w.kpi.clone()),
                attainment: record.weakest.as_ref().and_then(|w| w.attainment),
                short_by: Some(round1(needed - record.score)),
                ..Action::new(ActionKind::ImproveKpi)
            },
            (None, Some(until)) => Action {
                date: Some(until),
                ..Action::new(ActionKind::AwaitKpiResults)
            },
            (None, None) => Action::new(ActionKind::SetKpiTargets),
        });
    }
    for b in blockers.iter().filter(|b| b.kind == GateKind::MinMonths) {
        out.push(match b.opens_on {
            Some(date) => Action {
                date: Some(date),
                ..Action::new(ActionKind::WaitUntil)
            },
            None => Action::new(ActionKind::RecordLevelStart),
        });
    }
    if out.is_empty() {
        // Not ready with nothing named: the evidence is what is thin.
        out.push(Action::skills(
            ActionKind::ConfirmWithManager,
            skills
                .gaps
                .iter()
                .take(3)
                .map(|g| g.skill.clone())
                .collect(),
        ));
    }
    out
}
