//! Goals before they are stored: checking one written by hand, and drafting
//! them from the advice's actions. Pure: no database.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};

use super::{DEFAULT_DUE_DAYS, GoalKind, MAX_GOALS, MAX_TITLE};
use crate::advancement::explain;
use crate::advancement::scoring::{ActionKind, Candidate};
use crate::auth::Locale;
use crate::error::{Problems, Result};
use crate::framework::Framework;

/// A goal as written by a person or drafted from advice, before checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalInput {
    pub kind: GoalKind,
    pub title: String,
    pub skill: Option<String>,
    pub required_level: Option<i32>,
    pub kpi: Option<String>,
    pub certification: Option<String>,
    pub resource: Option<String>,
    pub mentor_id: Option<i64>,
    pub due_on: NaiveDate,
}

/// A checked goal, with what drafting from advice adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGoal {
    pub input: GoalInput,
    pub required_level: Option<u8>,
    pub baseline_level: Option<u8>,
    pub source_action: Option<ActionKind>,
}

/// Checks a goal against the framework: bounded title, a tie to a skill gap,
/// a KPI or a gate, references that exist, a due day not in the past.
/// `field` prefixes problem fields (`goals[2].title`).
pub fn check_goal(
    fw: &Framework,
    person: i64,
    input: GoalInput,
    today: NaiveDate,
    field: &str,
) -> Result<NewGoal> {
    let mut p = Problems::new();
    let f = |name: &str| {
        if field.is_empty() {
            name.to_owned()
        } else {
            format!("{field}.{name}")
        }
    };
    let title = input.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        p.add(f("title"), format!("1 to {MAX_TITLE} characters"));
    }
    if let Some(skill) = &input.skill
        && fw.skill(skill).is_none()
    {
        p.add(f("skill"), format!("unknown skill {skill:?}"));
    }
    if let Some(kpi) = &input.kpi
        && fw.kpi(kpi).is_none()
    {
        p.add(f("kpi"), format!("unknown KPI {kpi:?}"));
    }
    if let Some(cert) = &input.certification
        && fw.certification(cert).is_none()
    {
        p.add(
            f("certification"),
            format!("unknown certification {cert:?}"),
        );
    }
    if let Some(key) = &input.resource {
        match fw.learning_resource(key) {
            None => p.add(f("resource"), format!("unknown learning resource {key:?}")),
            Some(r) if r.retired => p.add(f("resource"), "this learning resource is retired"),
            Some(_) => {}
        }
    }
    let required = match input.required_level {
        None => None,
        Some(l @ 1..=5) => Some(l as u8),
        Some(_) => {
            p.add(f("requiredLevel"), "must be between 1 and 5");
            None
        }
    };
    if input.required_level.is_some() && input.skill.is_none() {
        p.add(f("requiredLevel"), "a required level needs a skill");
    }
    match input.kind {
        GoalKind::LearningResource if input.resource.is_none() => {
            p.add(f("resource"), "name the learning resource to take")
        }
        GoalKind::Certification if input.certification.is_none() => {
            p.add(f("certification"), "name the certification to earn")
        }
        GoalKind::Kpi if input.kpi.is_none() => p.add(f("kpi"), "name the KPI to raise"),
        GoalKind::Mentoring if input.mentor_id.is_none() => {
            p.add(f("mentorId"), "name the colleague who mentors")
        }
        _ => {}
    }
    let tied = input.skill.is_some() || input.kpi.is_some() || input.certification.is_some();
    if !tied && input.kind != GoalKind::Action {
        p.add(
            f("skill"),
            "a goal is tied to a skill gap, a KPI or a certification",
        );
    }
    if input.mentor_id == Some(person) {
        p.add(f("mentorId"), "nobody mentors themselves");
    }
    if input.due_on < today {
        p.add(f("dueOn"), "cannot be in the past");
    }
    p.into_result()?;
    Ok(NewGoal {
        input: GoalInput { title, ..input },
        required_level: required,
        baseline_level: None,
        source_action: None,
    })
}

/// The goals a plan drafted from advice starts with: one or more per action
/// of the chosen move, in the advice's order. Skill gaps get a course module
/// (or other resource) of the catalogue that builds the skill and serves the
/// target level, else a stretch assignment, and a mentor when the advice
/// names one. Pure.
pub fn goals_from_advice(
    fw: &Framework,
    move_: &Candidate,
    mentors: &HashMap<String, Vec<(i64, u8)>>,
    today: NaiveDate,
    locale: Locale,
) -> Vec<NewGoal> {
    let due = today
        .checked_add_days(Days::new(DEFAULT_DUE_DAYS))
        .unwrap_or(today);
    let mut goals = Vec::new();
    let goal = |kind, title: String, action: ActionKind| NewGoal {
        input: GoalInput {
            kind,
            title: title.chars().take(MAX_TITLE).collect(),
            skill: None,
            required_level: None,
            kpi: None,
            certification: None,
            resource: None,
            mentor_id: None,
            due_on: due,
        },
        required_level: None,
        baseline_level: None,
        source_action: Some(action),
    };
    for action in &move_.actions {
        let text = explain::action_text(fw, action, locale);
        match action.kind {
            ActionKind::CloseSkillGap => {
                for skill in &action.skills {
                    let gap = move_.gaps.iter().find(|g| &g.skill == skill);
                    let name = fw
                        .skill(skill)
                        .map_or(skill.clone(), |s| s.name.get(locale).to_owned());
                    let resource = fw
                        .resources_for(skill)
                        .find(|r| r.levels.is_empty() || r.levels.contains(&move_.to_level));
                    let mut g = match resource {
                        Some(r) => {
                            let mut g = goal(
                                GoalKind::LearningResource,
                                r.title.get(locale).to_owned(),
                                action.kind,
                            );
                            g.input.resource = Some(r.key.clone());
                            g
                        }
                        None => goal(GoalKind::StretchAssignment, name.clone(), action.kind),
                    };
                    g.input.skill = Some(skill.clone());
                    g.required_level = gap.map(|g| g.required);
                    g.input.required_level = g.required_level.map(i32::from);
                    g.baseline_level = gap.and_then(|g| g.known);
                    let tie = (g.required_level, g.baseline_level);
                    goals.push(g);
                    if let Some((mentor, _)) = mentors.get(skill).and_then(|m| m.first()) {
                        let mut m = goal(GoalKind::Mentoring, name, action.kind);
                        m.input.skill = Some(skill.clone());
                        m.input.mentor_id = Some(*mentor);
                        (m.required_level, m.baseline_level) = tie;
                        m.input.required_level = m.required_level.map(i32::from);
                        goals.push(m);
                    }
                }
            }
            ActionKind::EarnCertification => {
                let mut g = goal(GoalKind::Certification, text, action.kind);
                g.input.certification = action.certification.clone();
                goals.push(g);
            }
            ActionKind::ImproveKpi => {
                let mut g = goal(GoalKind::Kpi, text, action.kind);
                g.input.kpi = action.kpi.clone();
                if g.input.kpi.is_none() {
                    g.input.kind = GoalKind::Action;
                }
                goals.push(g);
            }
            _ => {
                let mut g = goal(GoalKind::Action, text, action.kind);
                g.input.certification = action.certification.clone();
                if let Some(date) = action.date.filter(|d| *d >= today) {
                    g.input.due_on = date;
                }
                goals.push(g);
            }
        }
    }
    goals.truncate(MAX_GOALS);
    goals
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::error::Error;
    use crate::framework::document::FrameworkDocument;
    use crate::framework::{VersionInfo, VersionStatus};

    fn fw() -> Framework {
        Framework::new(
            VersionInfo {
                id: 1,
                number: Some(1),
                status: VersionStatus::Published,
                created_at: crate::clock::now(),
                published_at: None,
            },
            FrameworkDocument::default_operations().unwrap(),
        )
    }

    fn input(kind: GoalKind) -> GoalInput {
        GoalInput {
            kind,
            title: "Take the course".into(),
            skill: None,
            required_level: None,
            kpi: None,
            certification: None,
            resource: None,
            mentor_id: None,
            due_on: "2027-01-01".parse().unwrap(),
        }
    }

    #[test]
    fn a_goal_is_tied_to_something_and_names_what_it_needs() {
        let today = "2026-11-24".parse().unwrap();
        let Err(Error::Invalid(p)) = check_goal(
            &fw(),
            1,
            GoalInput {
                title: "x".repeat(201),
                mentor_id: Some(1),
                due_on: "2026-11-01".parse().unwrap(),
                ..input(GoalKind::LearningResource)
            },
            today,
            "goals[0]",
        ) else {
            panic!("refused")
        };
        let fields: Vec<&str> = p.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "goals[0].title",
                "goals[0].resource",
                "goals[0].skill",
                "goals[0].mentorId",
                "goals[0].dueOn"
            ]
        );
        let ok = check_goal(
            &fw(),
            1,
            GoalInput {
                skill: Some("retention_incentives".into()),
                required_level: Some(3),
                resource: Some("course_growth_retention".into()),
                ..input(GoalKind::LearningResource)
            },
            today,
            "",
        )
        .unwrap();
        assert_eq!(ok.required_level, Some(3));
        assert!(check_goal(&fw(), 1, input(GoalKind::Action), today, "").is_ok());
    }
}
