//! Capability maturity over HTTP, with a designed team whose right answers
//! are written down: three user-operations p3 people, rated by their manager
//! in two closed cycles, with KPI results for the period.
//!
//! In user insight, p3 requires five skills at 3 (lifecycle management is
//! critical): 15 required proficiencies for three people.
//! - Cycle 1: Bo and Cy are rated 2 in lifecycle management and Bo 2 in user
//!   personas: 12 of 15 met (80 %).
//! - Cycle 2: only the lifecycle twos remain: 13 of 15 (86.7 %), rising.
//!   Ann alone holds lifecycle management: a single point of knowledge, so
//!   the area is "defined" (3), not "quantitatively managed" (4), although
//!   coverage and KPIs (three targets at 100 %) would allow 4.
//! - Ann leaves the team: 8 of 10 met (80 %), and nobody holds lifecycle
//!   management any more: the area drops to "managed" (2).

use serde_json::{Value, json};
use skillpath::auth::Role;

use crate::assessment::{ADVANCE, OPEN, SUBMIT_MANAGER, all_at, placed, role_skills};
use crate::charts::{hex, near, rasterise, rgb};
use crate::helpers::{DbId, TestApp, spawn_app};

const MATURITY: &str = "query($t: ID) { capabilityMaturity(teamId: $t) { people period cycle { name } previousCycle { name }
    areas { areaKey level levelDefinition { name } target gapToTarget coverage requirements requirementsMet previousCoverage trend
      criticalSkills { skillKey holders soleHolder { email } } singlePointsOfKnowledge { skillKey soleHolder { email } }
      kpiTargets kpiAttainment toRaise { kind skillKey text } } } }";

struct Designed {
    hr: String,
    boss: String,
    team: String,
    ann: i64,
}

/// The manager's ratings: 3 everywhere but where `low` says 2.
fn rated(skills: &[String], low: &[&str]) -> Value {
    let mut ratings = all_at(skills, 3);
    for r in ratings.as_array_mut().unwrap() {
        if low.contains(&r["skill"].as_str().unwrap()) {
            r["level"] = json!(2);
        }
    }
    ratings
}

async fn closed_cycle(app: &TestApp, d: &Designed, name: &str, people: &[(i64, Value)]) {
    let opened = app
        .gql(
            Some(&d.hr),
            OPEN,
            json!({"input": {"name": name, "jobRoles": ["user_operations"]}}),
        )
        .await;
    let cycle = opened.data()["openAssessmentCycle"]["cycle"]["id"].clone();
    app.gql(Some(&d.hr), ADVANCE, json!({"id": cycle}))
        .await
        .data();
    for (id, ratings) in people {
        app.gql(
            Some(&d.boss),
            SUBMIT_MANAGER,
            json!({"c": cycle, "u": id.to_string(), "r": ratings}),
        )
        .await
        .data();
    }
    for _ in 0..2 {
        app.gql(Some(&d.hr), ADVANCE, json!({"id": cycle}))
            .await
            .data();
    }
}

fn area(report: &Value, key: &str) -> Value {
    report["capabilityMaturity"]["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["areaKey"] == key)
        .unwrap_or_else(|| panic!("no {key} in {report}"))
        .clone()
}

#[tokio::test]
async fn a_team_whose_single_holder_leaves_drops_a_level() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let created = app
        .gql(
            Some(&hr),
            "mutation { createTeam(input: {name: \"Growth\"}) { id } }",
            json!({}),
        )
        .await;
    let team = created.data()["createTeam"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let team_id = created.data()["createTeam"]["id"].db_id();
    // The manager has no job role, so takes part in no cycle.
    let boss = app.person("boss@example.com", Role::Manager, None).await.id;
    let mut ids = Vec::new();
    for name in ["ann", "bo", "cy"] {
        let email = format!("{name}@example.com");
        let person = placed(
            &app,
            &email,
            Role::Employee,
            Some(boss),
            Some(team_id),
            "p3",
        )
        .await;
        ids.push(person.id);
    }
    let d = Designed {
        hr: hr.clone(),
        boss: app.token("boss@example.com").await,
        team: team.clone(),
        ann: ids[0],
    };
    let skills = role_skills(&app, &hr).await;
    closed_cycle(
        &app,
        &d,
        "2026 H1",
        &[
            (ids[0], rated(&skills, &[])),
            (
                ids[1],
                rated(&skills, &["lifecycle_management", "user_persona"]),
            ),
            (ids[2], rated(&skills, &["lifecycle_management"])),
        ],
    )
    .await;
    closed_cycle(
        &app,
        &d,
        "2026 H2",
        &[
            (ids[0], rated(&skills, &[])),
            (ids[1], rated(&skills, &["lifecycle_management"])),
            (ids[2], rated(&skills, &["lifecycle_management"])),
        ],
    )
    .await;
    // New users, in the user-metrics family (user insight and community):
    // each reaches the target exactly, 100 %.
    for id in &ids {
        crate::talent::score(&app, &d.boss, *id, 10.0).await;
    }
    app.gql(
        Some(&hr),
        "mutation { setMaturityTarget(area: \"insight\", level: 4) { areaKey level } }",
        json!({}),
    )
    .await
    .data();

    let ask = |token: String, team: Option<String>| {
        let app = &app;
        async move {
            app.gql(
                Some(&token),
                &MATURITY.replace(
                    "capabilityMaturity(teamId: $t)",
                    "capabilityMaturity(teamId: $t, period: \"2026-Q3\")",
                ),
                json!({"t": team}),
            )
            .await
        }
    };
    let report = ask(hr.clone(), Some(d.team.clone())).await;
    let report = report.data().clone();
    assert_eq!(report["capabilityMaturity"]["people"], 3);
    assert_eq!(report["capabilityMaturity"]["cycle"]["name"], "2026 H2");
    assert_eq!(
        report["capabilityMaturity"]["previousCycle"]["name"],
        "2026 H1"
    );
    let insight = area(&report, "insight");
    assert_eq!(insight["requirements"], 15, "{insight}");
    assert_eq!(insight["requirementsMet"], 13);
    assert_eq!(insight["previousCoverage"], 80.0);
    assert_eq!(insight["trend"], "RISING");
    assert_eq!(insight["kpiTargets"], 3);
    assert_eq!(insight["kpiAttainment"], 100.0);
    assert_eq!(insight["level"], 3);
    assert_eq!(insight["levelDefinition"]["name"], "Defined");
    assert_eq!(
        (insight["target"].clone(), insight["gapToTarget"].clone()),
        (json!(4), json!(1))
    );
    let lifecycle: Vec<&Value> = insight["criticalSkills"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["skillKey"] == "lifecycle_management")
        .collect();
    assert_eq!(lifecycle.len(), 1);
    assert_eq!(lifecycle[0]["holders"], 1);
    assert_eq!(lifecycle[0]["soleHolder"]["email"], "ann@example.com");
    assert_eq!(
        insight["singlePointsOfKnowledge"],
        json!([{"skillKey": "lifecycle_management", "soleHolder": {"email": "ann@example.com"}}])
    );
    // The only step to level 4: a second holder of lifecycle management.
    let steps = insight["toRaise"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "{steps:?}");
    assert_eq!(steps[0]["kind"], "HOLDERS");
    assert_eq!(steps[0]["skillKey"], "lifecycle_management");
    assert!(
        steps[0]["text"]
            .as_str()
            .unwrap()
            .contains("ann is the only holder"),
        "{steps:?}"
    );
    // The team's manager sees the same; an employee is refused.
    let boss_view = ask(d.boss.clone(), Some(d.team.clone())).await;
    assert_eq!(area(boss_view.data(), "insight")["level"], 3);
    let ann_token = app.token("ann@example.com").await;
    assert_eq!(
        ask(ann_token, Some(d.team.clone())).await.code(),
        "FORBIDDEN"
    );

    // Ann leaves: deactivated, she no longer counts.
    app.gql(
        Some(&hr),
        "mutation($id: ID!) { updateUser(id: $id, input: {active: false}) { active } }",
        json!({"id": d.ann.to_string()}),
    )
    .await
    .data();
    let after = ask(hr.clone(), Some(d.team.clone())).await;
    let insight = area(after.data(), "insight");
    assert_eq!(insight["requirements"], 10, "{insight}");
    assert_eq!(insight["requirementsMet"], 8);
    assert_eq!(insight["level"], 2, "{insight}");
    assert_eq!(insight["gapToTarget"], 2);
    let steps = insight["toRaise"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "{steps:?}");
    assert_eq!(steps[0]["skillKey"], "lifecycle_management");
    assert!(
        steps[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Nobody holds")
    );
    // Two KPI targets are too few to judge.
    assert_eq!(insight["kpiTargets"], 2);
    assert_eq!(insight["kpiAttainment"], Value::Null);
}

#[tokio::test]
async fn leadership_sets_targets_and_the_radar_draws_levels_against_them() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    app.person("admin@example.com", Role::Admin, None).await;
    let hr = app.token("hr@example.com").await;
    let boss = app.person("boss@example.com", Role::Manager, None).await.id;
    let ann = placed(
        &app,
        "ann@example.com",
        Role::Employee,
        Some(boss),
        None,
        "p3",
    )
    .await;
    let boss_token = app.token("boss@example.com").await;
    let skills = role_skills(&app, &hr).await;
    let d = Designed {
        hr: hr.clone(),
        boss: boss_token.clone(),
        team: String::new(),
        ann: ann.id,
    };
    closed_cycle(&app, &d, "2026 H2", &[(ann.id, rated(&skills, &[]))]).await;

    const SET: &str = "mutation($a: String!, $l: Int) { setMaturityTarget(area: $a, level: $l) { areaKey level } }";
    // Bad input changes nothing; only HR and admins set aims.
    for (token, vars, code) in [
        (&hr, json!({"a": "insight", "l": 6}), "BAD_USER_INPUT"),
        (&hr, json!({"a": "insight", "l": 0}), "BAD_USER_INPUT"),
        (&hr, json!({"a": "marketing", "l": 3}), "BAD_USER_INPUT"),
        (&boss_token, json!({"a": "insight", "l": 3}), "FORBIDDEN"),
    ] {
        assert_eq!(app.gql(Some(token), SET, vars).await.code(), code);
    }
    let admin = app.token("admin@example.com").await;
    let set = app
        .gql(Some(&admin), SET, json!({"a": "community", "l": 5}))
        .await;
    assert_eq!(
        set.data()["setMaturityTarget"],
        json!([{"areaKey": "community", "level": 5}])
    );
    let set = app
        .gql(Some(&hr), SET, json!({"a": "insight", "l": 4}))
        .await;
    assert_eq!(set.data()["setMaturityTarget"].as_array().unwrap().len(), 2);
    let cleared = app
        .gql(Some(&hr), SET, json!({"a": "community", "l": null}))
        .await;
    assert_eq!(
        cleared.data()["setMaturityTarget"],
        json!([{"areaKey": "insight", "level": 4}])
    );

    // Everyone in the manager's reach, without a team: Ann alone, every
    // requirement met, but one holder per critical skill: level 3.
    let seen = app
        .gql(
            Some(&boss_token),
            "{ capabilityMaturity { areas { areaKey level } en: svg(locale: EN) zh: svg(locale: ZH_CN) levels { level name } } }",
            json!({}),
        )
        .await;
    let report = seen.data()["capabilityMaturity"].clone();
    assert_eq!(report["levels"].as_array().unwrap().len(), 5);
    let insight_level = report["areas"][0]["level"].as_i64().unwrap();
    assert_eq!(
        (report["areas"][0]["areaKey"].as_str(), insight_level),
        (Some("insight"), 3)
    );
    let en = report["en"].as_str().unwrap();
    let zh = report["zh"].as_str().unwrap();
    assert!(
        en.contains("capability maturity") && en.contains("Target"),
        "{en}"
    );
    assert!(zh.contains("运营能力成熟度") && zh.contains("目标"));
    // The maturity outline crosses the first axis (user insight) at 3, the
    // dashed target at 4.
    let pixmap = rasterise(en);
    let axes = report["areas"].as_array().unwrap().len();
    for (level, colour) in [
        (3.0, skillpath::charts::AGREED),
        (4.0, skillpath::charts::NEXT),
    ] {
        let (x, y) = skillpath::charts::radar::point(0, axes, level);
        let found = (-3..=3).any(|dy| {
            (-3..=3).any(|dx| {
                near(
                    rgb(&pixmap, (x as i32 + dx) as u32, (y as i32 + dy) as u32),
                    hex(colour),
                    90,
                )
            })
        });
        assert!(found, "no outline at level {level} on the first axis");
    }

    // Below a manager: HR sees the boss's sub-tree (Ann); a manager outside
    // it is refused, and an unknown manager is not found.
    const BELOW: &str =
        "query($m: ID) { capabilityMaturity(managerId: $m) { people areas { areaKey level } } }";
    let below = app
        .gql(Some(&hr), BELOW, json!({"m": boss.to_string()}))
        .await;
    assert_eq!(below.data()["capabilityMaturity"]["people"], 1);
    assert_eq!(below.data()["capabilityMaturity"]["areas"][0]["level"], 3);
    let other = app
        .person("other@example.com", Role::Manager, None)
        .await
        .id;
    placed(
        &app,
        "oz@example.com",
        Role::Employee,
        Some(other),
        None,
        "p3",
    )
    .await;
    let other_token = app.token("other@example.com").await;
    let refused = app
        .gql(Some(&other_token), BELOW, json!({"m": boss.to_string()}))
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let own = app
        .gql(Some(&other_token), BELOW, json!({"m": other.to_string()}))
        .await;
    // Oz took part in no cycle: nobody counted, no level anywhere.
    assert_eq!(own.data()["capabilityMaturity"]["people"], 0);
    assert_eq!(
        own.data()["capabilityMaturity"]["areas"][0]["level"],
        Value::Null
    );
    let missing = app.gql(Some(&hr), BELOW, json!({"m": "999999"})).await;
    assert_eq!(missing.code(), "NOT_FOUND");
}
