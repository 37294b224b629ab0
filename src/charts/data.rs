//! From the domain's views to chart data, in the caller's language.

use std::collections::HashMap;

use super::bars::Bars;
use super::heatmap::{HeatCell, Heatmap};
use super::radar::{Radar, Series};
use crate::assessment::profile::{HOLDS_AT, Profile, TeamMatrix};
use crate::auth::Locale;
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
