//! The maturity levels and the steps to the next one, in words a leadership
//! meeting can read, in English and Chinese.

use std::collections::HashMap;

use super::model::Shortfall;
use crate::auth::Locale;
use crate::framework::Framework;

/// A level's name and written definition.
pub struct LevelText {
    pub name: &'static str,
    pub definition: &'static str,
}

const LEVELS_EN: [LevelText; 5] = [
    LevelText {
        name: "Initial",
        definition: "Results depend on individuals: fewer than half of the proficiencies the roles require are confirmed by managers.",
    },
    LevelText {
        name: "Managed",
        definition: "At least half of the required proficiencies are confirmed, but some critical skills may have no proficient holder.",
    },
    LevelText {
        name: "Defined",
        definition: "At least 70 % of the required proficiencies are confirmed and every critical skill has a proficient holder (level 3 or above).",
    },
    LevelText {
        name: "Quantitatively managed",
        definition: "At least 85 % confirmed, every critical skill has two or more holders (no single point of knowledge), and the area's KPIs attain 90 % or more on average.",
    },
    LevelText {
        name: "Optimising",
        definition: "At least 95 % confirmed, two or more holders per critical skill, the area's KPIs at 100 % or more, and coverage not falling since the previous cycle.",
    },
];

const LEVELS_ZH: [LevelText; 5] = [
    LevelText {
        name: "初始级",
        definition: "成果依赖个人：经主管确认达到岗位要求的熟练度不足一半。",
    },
    LevelText {
        name: "受管理级",
        definition: "至少一半的岗位要求熟练度已获确认，但部分关键技能可能尚无熟练掌握者。",
    },
    LevelText {
        name: "已定义级",
        definition: "至少 70% 的岗位要求熟练度已获确认，且每项关键技能至少有一名熟练掌握者（3 级及以上）。",
    },
    LevelText {
        name: "量化管理级",
        definition: "至少 85% 已获确认，每项关键技能有两名及以上掌握者（无单点依赖），且该领域 KPI 平均达成率不低于 90%。",
    },
    LevelText {
        name: "持续优化级",
        definition: "至少 95% 已获确认，每项关键技能有两名及以上掌握者，该领域 KPI 达成率不低于 100%，且覆盖率较上一周期未下降。",
    },
];

/// The name and definition of level 1–5 (clamped).
pub fn level(level: u8, locale: Locale) -> &'static LevelText {
    let i = usize::from(level.clamp(1, 5)) - 1;
    match locale {
        Locale::En => &LEVELS_EN[i],
        Locale::ZhCn => &LEVELS_ZH[i],
    }
}

/// One step towards the next level, as a sentence. `names` gives the
/// people the step names (a sole holder).
pub fn step(
    shortfall: &Shortfall,
    fw: &Framework,
    names: &HashMap<i64, String>,
    locale: Locale,
) -> String {
    let skill_name = |key: &str| {
        fw.skill(key)
            .map(|s| s.name.get(locale).to_owned())
            .unwrap_or_else(|| key.to_owned())
    };
    let zh = locale == Locale::ZhCn;
    match shortfall {
        Shortfall::Coverage {
            percent,
            needed,
            more,
        } => {
            if zh {
                format!(
                    "覆盖率 {percent:.0}%，需达到 {needed}%：再有 {more} 项岗位要求的熟练度获主管确认。"
                )
            } else {
                format!(
                    "Coverage is {percent:.0} %; {needed} % is needed: {more} more required proficiencies confirmed by managers."
                )
            }
        }
        Shortfall::Holders {
            skill,
            holders,
            needed,
            sole_holder,
        } => {
            let name = skill_name(skill);
            let who = sole_holder.and_then(|id| names.get(&id));
            match (zh, holders, who) {
                (true, 0, _) => format!("“{name}”尚无熟练掌握者：培养或引进一名 3 级以上的人员。"),
                (true, _, Some(who)) => format!(
                    "“{name}”只有 {who} 一名掌握者：再培养 {} 名，避免单点依赖。",
                    needed - holders
                ),
                (true, _, None) => format!(
                    "“{name}”有 {holders} 名掌握者，需要 {needed} 名：再培养 {} 名。",
                    needed - holders
                ),
                (false, 0, _) => format!(
                    "Nobody holds {name} at proficient: develop or hire someone at level 3 or above."
                ),
                (false, _, Some(who)) => format!(
                    "{who} is the only holder of {name}: develop {} more so the team does not depend on one person.",
                    needed - holders
                ),
                (false, _, None) => format!(
                    "{name} has {holders} holders of the {needed} needed: develop {} more.",
                    needed - holders
                ),
            }
        }
        Shortfall::NoKpiEvidence { targets } => {
            if zh {
                format!(
                    "该领域的 KPI 只有 {targets} 个有结果的目标（至少需要 {}）：为相关 KPI 设定目标并记录实际值。",
                    super::model::MIN_KPI_TARGETS
                )
            } else {
                format!(
                    "Only {targets} targets of the area's KPIs have results ({} are needed): set targets on them and record actuals.",
                    super::model::MIN_KPI_TARGETS
                )
            }
        }
        Shortfall::KpiAttainment { percent, needed } => {
            if zh {
                format!("该领域 KPI 平均达成率 {percent:.0}%，需达到 {needed:.0}%。")
            } else {
                format!(
                    "The area's KPIs attain {percent:.0} % on average; {needed:.0} % is needed."
                )
            }
        }
        Shortfall::Falling { percent, before } => {
            if zh {
                format!("覆盖率由上一周期的 {before:.0}% 降至 {percent:.0}%：先扭转下降趋势。")
            } else {
                format!(
                    "Coverage fell from {before:.0} % in the previous cycle to {percent:.0} %: turn it round first."
                )
            }
        }
        Shortfall::NoTrend => {
            if zh {
                "尚无上一周期的评估可比较：完成下一个评估周期后才能显示趋势未下降。".to_owned()
            } else {
                "There is no previous cycle to compare with: the next closed cycle will show whether coverage holds."
                    .to_owned()
            }
        }
    }
}
