//! From the domain's views to chart data, in the caller's language.

use std::collections::HashMap;

use super::bars::Bars;
use super::heatmap::{HeatCell, Heatmap};
use super::radar::{Radar, Series};
use crate::advancement::scoring::{Candidate, Verdict};
use crate::assessment::profile::{HOLDS_AT, Profile, TeamMatrix};
use crate::auth::Locale;
use crate::certification::LevelCoverage;
use crate::framework::Framework;
use crate::kpi::Performance;

fn t(locale: Locale, en: &'static str, zh: &'static str) -> &'static str {
    match locale {
        Locale::En => en,
        Locale::ZhCn => zh,
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// A person's areas: mean agreed level vs mean required level now and at the
/// next level, over the skills either level asks for in each area.
pub fn profile_radar(
    fw: &Framework,
    profile: &Profile,
    name: &str,
    level: &str,
    locale: Locale,
) -> Radar {
    let areas: Vec<&crate::framework::document::Area> = fw.doc.areas.iter().collect();
    let mut agreed = Vec::new();
    let mut now = Vec::new();
    let mut next = Vec::new();
    for area in &areas {
        let lines: Vec<_> = profile
            .lines
            .iter()
            .filter(|l| l.area == area.key)
            .collect();
        agreed.push(mean(lines.iter().map(|l| l.agreed.unwrap_or(0) as f64)));
        now.push(mean(lines.iter().map(|l| l.required_current as f64)));
        next.push(mean(
            lines
                .iter()
                .map(|l| l.required_next.unwrap_or(l.required_current) as f64),
        ));
    }
    let mut series = vec![
        Series {
            label: t(locale, "Agreed", "确认等级").into(),
            color: super::AGREED,
            dashed: false,
            values: agreed,
        },
        Series {
            label: format!("{} ({level})", t(locale, "Required now", "当前要求")),
            color: super::REQUIRED,
            dashed: false,
            values: now,
        },
    ];
    if let Some(next_level) = &profile.next_level {
        series.push(Series {
            label: format!("{} ({next_level})", t(locale, "Next level", "下一职级")),
            color: super::NEXT,
            dashed: true,
            values: next,
        });
    }
    Radar {
        title: format!("{name} · {}", t(locale, "skill profile", "能力画像")),
        axes: areas
            .iter()
            .map(|a| a.name.get(locale).to_owned())
            .collect(),
        series,
    }
}

/// People × skills of a team matrix, names given by user id.
pub fn team_heatmap(
    fw: &Framework,
    matrix: &TeamMatrix,
    names: &HashMap<i64, String>,
    team: &str,
    locale: Locale,
) -> Heatmap {
    let people: Vec<(String, Vec<HeatCell>)> = matrix
        .rows
        .iter()
        .map(|(id, cells)| {
            (
                names.get(id).cloned().unwrap_or_else(|| format!("#{id}")),
                cells
                    .iter()
                    .map(|c| HeatCell {
                        agreed: c.agreed,
                        required: c.required,
                        gap: c.gap,
                    })
                    .collect(),
            )
        })
        .collect();
    let single_holder = matrix
        .skills
        .iter()
        .map(|skill| {
            let holders: Vec<usize> = matrix
                .rows
                .iter()
                .enumerate()
                .filter(|(_, (_, cells))| {
                    cells
                        .iter()
                        .any(|c| &c.skill == skill && c.agreed.is_some_and(|a| a >= HOLDS_AT))
                })
                .map(|(i, _)| i)
                .collect();
            (holders.len() == 1).then(|| holders[0])
        })
        .collect();
    Heatmap {
        title: format!("{team} · {}", t(locale, "skills and gaps", "技能与差距")),
        skills: matrix
            .skills
            .iter()
            .map(|k| {
                fw.skill(k)
                    .map_or(k.clone(), |s| s.name.get(locale).to_owned())
            })
            .collect(),
        single_holder,
        people,
        legend: [
            t(locale, "met", "已达标").into(),
            t(locale, "gap 1", "差 1 级").into(),
            t(locale, "gap ≥ 2", "差 2 级以上").into(),
            t(locale, "not required", "不要求").into(),
            t(locale, "only holder", "唯一掌握者").into(),
        ],
    }
}

/// A person's KPI attainment in a period, one bar per target.
pub fn kpi_attainment(fw: &Framework, perf: &Performance, name: &str, locale: Locale) -> Bars {
    Bars {
        title: format!(
            "{name} · {} {}{}",
            perf.period,
            t(locale, "KPI attainment", "KPI 达成率"),
            perf.score
                .map(|s| format!(" ({} {s:.0})", t(locale, "score", "得分")))
                .unwrap_or_default()
        ),
        bars: perf
            .targets
            .iter()
            .map(|r| {
                (
                    fw.kpi(&r.target.kpi)
                        .map_or(r.target.kpi.clone(), |k| k.name.get(locale).to_owned()),
                    r.attainment,
                )
            })
            .collect(),
        max: 150.0,
        reference: Some(100.0),
        unit: "%".into(),
    }
}

/// Per level that requires certificates, the share of its people holding
/// every one of them (valid today), as bars against 100 %.
pub fn certification_coverage(
    fw: &Framework,
    coverage: &[LevelCoverage],
    scope: &str,
    locale: Locale,
) -> Bars {
    Bars {
        title: format!(
            "{scope} · {}",
            t(
                locale,
                "certification coverage by level",
                "各职级证书达标率"
            )
        ),
        bars: coverage
            .iter()
            .map(|c| {
                let role = fw
                    .role(&c.job_role)
                    .map_or(c.job_role.clone(), |r| r.name.get(locale).to_owned());
                let level = fw
                    .level(&c.job_role, &c.career_level)
                    .map_or(c.career_level.clone(), |l| l.title.get(locale).to_owned());
                let label = if level.contains(&role) {
                    level
                } else {
                    format!("{role} · {level}")
                };
                let share = (c.people > 0).then(|| 100.0 * c.holding_all as f64 / c.people as f64);
                (format!("{label} ({}/{})", c.holding_all, c.people), share)
            })
            .collect(),
        max: 100.0,
        reference: Some(100.0),
        unit: "%".into(),
    }
}

/// Readiness bands, best first: how many people of a team fall in each, by
/// their best next move.
pub const READINESS_BANDS: usize = 6;

/// The band of one person's best move: 0 ready, 1–4 not ready by readiness
/// (80+, 60–79, 40–59, under 40), 5 not enough evidence for a score.
pub fn readiness_band(candidate: &Candidate) -> usize {
    match (candidate.verdict, candidate.readiness) {
        (Verdict::Ready, _) => 0,
        (_, None) | (Verdict::NeedsEvidence, _) => 5,
        (_, Some(r)) if r >= 80.0 => 1,
        (_, Some(r)) if r >= 60.0 => 2,
        (_, Some(r)) if r >= 40.0 => 3,
        _ => 4,
    }
}

/// How readiness is spread across a team: people per band.
pub fn readiness_distribution(candidates: &[&Candidate], scope: &str, locale: Locale) -> Bars {
    let mut counts = [0u32; READINESS_BANDS];
    for c in candidates {
        counts[readiness_band(c)] += 1;
    }
    let labels = [
        t(locale, "ready", "已准备好"),
        t(locale, "80% and more", "80% 及以上"),
        t(locale, "60–79%", "60–79%"),
        t(locale, "40–59%", "40–59%"),
        t(locale, "under 40%", "40% 以下"),
        t(locale, "needs evidence", "缺少评估依据"),
    ];
    Bars {
        title: format!(
            "{scope} · {} ({})",
            t(locale, "readiness for the next move", "晋升/发展准备度分布"),
            candidates.len()
        ),
        bars: labels
            .iter()
            .zip(counts)
            .map(|(label, n)| (label.to_string(), Some(f64::from(n))))
            .collect(),
        max: f64::from(counts.into_iter().max().unwrap_or(0).max(1)),
        reference: None,
        unit: t(locale, " people", " 人").into(),
    }
}

/// A talent review's nine boxes, as computed or after calibration.
pub fn nine_box(
    counts: [[usize; 3]; 3],
    period: &str,
    calibrated: bool,
    locale: Locale,
) -> super::nine_box::NineBox {
    let title = match (calibrated, locale) {
        (true, Locale::En) => format!("Talent review {period}, after calibration"),
        (false, Locale::En) => format!("Talent review {period}"),
        (true, Locale::ZhCn) => format!("人才盘点 {period}（校准后）"),
        (false, Locale::ZhCn) => format!("人才盘点 {period}"),
    };
    super::nine_box::NineBox {
        title,
        counts,
        performance_label: t(locale, "Performance (KPI score)", "绩效（KPI 得分）").into(),
        potential_label: t(locale, "Potential (readiness)", "潜力（晋升准备度）").into(),
        band_labels: [
            t(locale, "Low", "低").into(),
            t(locale, "Medium", "中").into(),
            t(locale, "High", "高").into(),
        ],
    }
}

/// Capability maturity per area (level 1–5, 0 where the area has no
/// level) against leadership's target, on the radar's 0–5 scale.
pub fn maturity_radar(
    fw: &Framework,
    levels: &[(&str, Option<u8>)],
    targets: &HashMap<String, u8>,
    locale: Locale,
) -> Radar {
    let name = |key: &str| {
        fw.doc
            .areas
            .iter()
            .find(|a| a.key == key)
            .map_or_else(|| key.to_owned(), |a| a.name.get(locale).to_owned())
    };
    let mut series = vec![Series {
        label: t(locale, "Maturity", "成熟度").into(),
        color: super::AGREED,
        dashed: false,
        values: levels
            .iter()
            .map(|(_, l)| f64::from(l.unwrap_or(0)))
            .collect(),
    }];
    if !targets.is_empty() {
        series.push(Series {
            label: t(locale, "Target", "目标").into(),
            color: super::NEXT,
            dashed: true,
            values: levels
                .iter()
                .map(|(area, _)| f64::from(targets.get(*area).copied().unwrap_or(0)))
                .collect(),
        });
    }
    Radar {
        title: t(locale, "Operations capability maturity", "运营能力成熟度").into(),
        axes: levels.iter().map(|(area, _)| name(area)).collect(),
        series,
    }
}
