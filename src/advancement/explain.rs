//! The sentences advice is read in: why this move, what blocks it, what to
//! do first, in the caller's language. Pure, like the scoring it words.

use super::scoring::{
    Action, ActionKind, Candidate, EvidenceLevel, GateKind, SKILLS_READY_AT, SkillGap, Verdict,
};
use crate::auth::Locale;
use crate::framework::Framework;
use crate::framework::document::PathKind;

struct Words<'a> {
    fw: &'a Framework,
    zh: bool,
    locale: Locale,
}

impl Words<'_> {
    fn skill(&self, key: &str) -> String {
        self.fw
            .skill(key)
            .map_or_else(|| key.to_owned(), |s| s.name.get(self.locale).to_owned())
    }
    fn skills(&self, keys: &[String]) -> String {
        let names: Vec<String> = keys.iter().map(|k| self.skill(k)).collect();
        names.join(if self.zh { "、" } else { ", " })
    }
    fn cert(&self, key: &str) -> String {
        self.fw
            .certification(key)
            .map_or_else(|| key.to_owned(), |c| c.name.get(self.locale).to_owned())
    }
    fn kpi(&self, key: &str) -> String {
        self.fw
            .kpi(key)
            .map_or_else(|| key.to_owned(), |k| k.name.get(self.locale).to_owned())
    }
    fn title(&self, role: &str, level: &str) -> String {
        self.fw
            .level(role, level)
            .map_or_else(String::new, |l| l.title.get(self.locale).to_owned())
    }
    fn role(&self, role: &str) -> String {
        self.fw
            .role(role)
            .map_or_else(String::new, |r| r.name.get(self.locale).to_owned())
    }
    fn gap(&self, g: &SkillGap) -> String {
        format!(
            "{} {}→{}",
            self.skill(&g.skill),
            g.known.unwrap_or(0),
            g.required
        )
    }
}

/// One action in a sentence.
pub fn action_text(fw: &Framework, a: &Action, locale: Locale) -> String {
    let w = Words {
        fw,
        zh: locale == Locale::ZhCn,
        locale,
    };
    let date = a.date.map(|d| d.to_string()).unwrap_or_default();
    let cert = a
        .certification
        .as_deref()
        .map(|c| w.cert(c))
        .unwrap_or_default();
    let skills = w.skills(&a.skills);
    if w.zh {
        match a.kind {
            ActionKind::DiscussMove => "与经理讨论这一步调动".into(),
            ActionKind::GetAssessed => format!("请经理在下一轮评估中为{skills}评分"),
            ActionKind::ConfirmWithManager => format!("请经理确认{skills}的水平"),
            ActionKind::CloseSkillGap => format!("提升{skills}（见学习资源与导师）"),
            ActionKind::EarnCertification => format!("考取{cert}"),
            ActionKind::GetCertificationVerified => format!("请 HR 核验你的{cert}"),
            ActionKind::ImproveKpi => match (&a.kpi, a.attainment) {
                (Some(k), Some(att)) => format!(
                    "KPI 得分还差 {:.1} 分；差距最大的是{}（达成率 {:.0}%）",
                    a.short_by.unwrap_or(0.0),
                    w.kpi(k),
                    att
                ),
                (Some(k), None) => format!(
                    "KPI 得分还差 {:.1} 分；{}尚无实际值",
                    a.short_by.unwrap_or(0.0),
                    w.kpi(k)
                ),
                _ => format!("KPI 得分还差 {:.1} 分", a.short_by.unwrap_or(0.0)),
            },
            ActionKind::AwaitKpiResults => {
                format!("当前考核周期于 {date} 结束，之后其 KPI 结果才计入")
            }
            ActionKind::SetKpiTargets => "请经理设定 KPI 目标".into(),
            ActionKind::WaitUntil => format!("任职时间条件将于 {date} 满足"),
            ActionKind::RecordLevelStart => "请 HR 记录你开始担任当前级别的日期".into(),
        }
    } else {
        match a.kind {
            ActionKind::DiscussMove => "discuss the move with your manager".into(),
            ActionKind::GetAssessed => {
                format!("ask your manager to rate {skills} in the next assessment cycle")
            }
            ActionKind::ConfirmWithManager => format!("ask your manager to confirm {skills}"),
            ActionKind::CloseSkillGap => {
                format!("work on {skills} (see the learning resources and mentors)")
            }
            ActionKind::EarnCertification => format!("earn the {cert}"),
            ActionKind::GetCertificationVerified => format!("ask HR to verify your {cert}"),
            ActionKind::ImproveKpi => match (&a.kpi, a.attainment) {
                (Some(k), Some(att)) => format!(
                    "raise your KPI score by {:.1} points; the biggest shortfall is {} at {:.0}% attainment",
                    a.short_by.unwrap_or(0.0),
                    w.kpi(k),
                    att
                ),
                (Some(k), None) => format!(
                    "raise your KPI score by {:.1} points; {} has no actual recorded",
                    a.short_by.unwrap_or(0.0),
                    w.kpi(k)
                ),
                _ => format!(
                    "raise your KPI score by {:.1} points",
                    a.short_by.unwrap_or(0.0)
                ),
            },
            ActionKind::AwaitKpiResults => {
                format!("the running period ends on {date}; its KPI results count after that")
            }
            ActionKind::SetKpiTargets => "ask your manager to set KPI targets".into(),
            ActionKind::WaitUntil => format!("the time-at-level gate opens on {date}"),
            ActionKind::RecordLevelStart => {
                "ask HR to record when you started your current level".into()
            }
        }
    }
}

/// One or two sentences: the move and why, the verdict and what blocks it,
/// and the first thing to do.
pub fn explanation(fw: &Framework, c: &Candidate, locale: Locale) -> String {
    let w = Words {
        fw,
        zh: locale == Locale::ZhCn,
        locale,
    };
    let title = w.title(&c.to_role, &c.to_level);
    let carried: Vec<String> = c
        .strengths
        .iter()
        .take(2)
        .map(|s| s.skill.clone())
        .collect();
    let why = match (c.kind, w.zh) {
        (PathKind::Promotion, false) => "the next step on your track".to_owned(),
        (PathKind::Promotion, true) => "本序列的下一级".to_owned(),
        (PathKind::Management, false) => "the step into leading a team".to_owned(),
        (PathKind::Management, true) => "转向团队管理".to_owned(),
        (PathKind::Lateral, false) if !carried.is_empty() => format!(
            "a move to {} where your {} count",
            w.role(&c.to_role),
            w.skills(&carried)
        ),
        (PathKind::Lateral, false) => format!("a move to {}", w.role(&c.to_role)),
        (PathKind::Lateral, true) if !carried.is_empty() => format!(
            "转岗至{}，可发挥你的{}",
            w.role(&c.to_role),
            w.skills(&carried)
        ),
        (PathKind::Lateral, true) => format!("转岗至{}", w.role(&c.to_role)),
    };
    let mut reasons: Vec<String> = Vec::new();
    match c.verdict {
        Verdict::Ready => {}
        Verdict::NeedsEvidence => reasons.push(match (c.evidence.level, w.zh) {
            (EvidenceLevel::None, false) => "nobody has rated the skills it needs yet".into(),
            (EvidenceLevel::None, true) => "所需技能尚无任何评分".into(),
            (EvidenceLevel::SelfOnly, false) => format!(
                "only self-ratings, no manager has rated yet (self-rated match {:.0}%)",
                c.evidence.self_match.unwrap_or(0.0)
            ),
            (EvidenceLevel::SelfOnly, true) => format!(
                "只有自评，经理尚未评分（自评匹配度 {:.0}%）",
                c.evidence.self_match.unwrap_or(0.0)
            ),
            (_, false) => {
                let mut missing = c.evidence.unknown.clone();
                missing.extend(c.evidence.unconfirmed.iter().cloned());
                missing.truncate(3);
                format!("no manager rating yet for {}", w.skills(&missing))
            }
            (_, true) => {
                let mut missing = c.evidence.unknown.clone();
                missing.extend(c.evidence.unconfirmed.iter().cloned());
                missing.truncate(3);
                format!("{}尚无经理评分", w.skills(&missing))
            }
        }),
        Verdict::NotReady => {
            for g in c.critical_gaps.iter().take(2) {
                reasons.push(if w.zh {
                    format!("关键技能{}", w.gap(g))
                } else {
                    format!("critical skill {}", w.gap(g))
                });
            }
            if let Some(skills) = c.components.skills
                && skills < SKILLS_READY_AT
            {
                reasons.push(if w.zh {
                    format!("技能匹配 {skills:.0}%（需 {SKILLS_READY_AT:.0}%）")
                } else {
                    format!("skills match {skills:.0}% of the {SKILLS_READY_AT:.0}% needed")
                });
            }
            for b in &c.blockers {
                let actual = b.actual.clone().unwrap_or_default();
                reasons.push(match (b.kind, w.zh) {
                    (GateKind::MinMonths, false) => format!(
                        "{} of {} months at level",
                        if actual.is_empty() { "?" } else { &actual },
                        b.requirement
                    ),
                    (GateKind::MinMonths, true) => format!(
                        "任职 {} 个月（需 {} 个月）",
                        if actual.is_empty() { "?" } else { &actual },
                        b.requirement
                    ),
                    (GateKind::KpiAttainment, false) if actual.is_empty() => {
                        format!("no finished KPI period yet ({} needed)", b.requirement)
                    }
                    (GateKind::KpiAttainment, true) if actual.is_empty() => {
                        format!("尚无已结束周期的 KPI 结果（需 {}）", b.requirement)
                    }
                    (GateKind::KpiAttainment, false) => {
                        format!("KPI score {actual} of {} needed", b.requirement)
                    }
                    (GateKind::KpiAttainment, true) => {
                        format!("KPI 得分 {actual}（需 {}）", b.requirement)
                    }
                    (GateKind::Certification, false) if actual == "unverified" => {
                        format!("{} not verified yet", w.cert(&b.requirement))
                    }
                    (GateKind::Certification, true) if actual == "unverified" => {
                        format!("{}尚未核验", w.cert(&b.requirement))
                    }
                    (GateKind::Certification, false) => {
                        format!("{} not held", w.cert(&b.requirement))
                    }
                    (GateKind::Certification, true) => {
                        format!("未持有{}", w.cert(&b.requirement))
                    }
                });
            }
            if reasons.is_empty() {
                for g in c.gaps.iter().take(2) {
                    reasons.push(w.gap(g));
                }
            }
        }
    }
    let first = c
        .actions
        .first()
        .map(|a| action_text(fw, a, locale))
        .unwrap_or_default();
    if w.zh {
        let verdict = match c.verdict {
            Verdict::Ready => "已具备条件：关键技能均经经理确认，各项门槛均已满足".to_owned(),
            Verdict::NotReady => format!("尚未具备条件：{}", reasons.join("；")),
            Verdict::NeedsEvidence => format!("证据不足，无法判断：{}", reasons.join("；")),
        };
        format!("{title}（{why}）：{verdict}。第一步：{first}。")
    } else {
        let verdict = match c.verdict {
            Verdict::Ready => {
                "ready: every critical skill is confirmed by your manager and every gate is met"
                    .to_owned()
            }
            Verdict::NotReady => format!("not ready yet: {}", reasons.join("; ")),
            Verdict::NeedsEvidence => {
                format!("not enough evidence to judge: {}", reasons.join("; "))
            }
        };
        format!("{title} ({why}): {verdict}. First: {first}.")
    }
}
