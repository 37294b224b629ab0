//! Assessment cycles told as the people in them live them.

use serde_json::{Value, json};
use skillpath::auth::Role;
use skillpath::people::{self, NewPerson, Person};

use crate::helpers::{DbId, PASSWORD, TestApp, spawn_app};

pub const OPEN: &str = "mutation($input: OpenAssessmentCycleInput!) { openAssessmentCycle(input: $input) { participantCount cycle { id status frameworkVersion } } }";
pub const ADVANCE: &str =
    "mutation($id: ID!) { advanceAssessmentCycle(id: $id) { status closedAt } }";
pub const SAVE_SELF: &str = "mutation($c: ID!, $r: [RatingInput!]!) { saveSelfAssessment(cycleId: $c, ratings: $r) { status revision ratings { skillKey level } } }";
pub const SUBMIT_SELF: &str = "mutation($c: ID!, $r: [RatingInput!]!) { submitSelfAssessment(cycleId: $c, ratings: $r) { status revision ratings { skillKey level } } }";
pub const SUBMIT_MANAGER: &str = "mutation($c: ID!, $u: ID!, $r: [RatingInput!]!) { submitManagerAssessment(cycleId: $c, userId: $u, ratings: $r) { status revision } }";
const PROFILE: &str = "query($u: ID!, $c: ID) { skillProfile(userId: $u, cycleId: $c) { jobRole careerLevel nextLevel matchCurrent matchNext
    areas { areaKey matchCurrent matchNext }
    skills { skillKey selfLevel managerLevel agreed basis requiredCurrent requiredNext gapCurrent gapNext divergence } } }";

pub async fn placed(
    app: &TestApp,
    email: &str,
    role: Role,
    manager: Option<i64>,
    team: Option<i64>,
    level: &str,
) -> Person {
    people::insert_person(
        &app.state.db,
        &app.state.auth.hasher,
        NewPerson {
            email: email.into(),
            name: email.split('@').next().unwrap().into(),
            role: Some(role),
            manager_id: manager,
            team_id: team,
            password: Some(PASSWORD.into()),
            job_role: Some("user_operations".into()),
            career_level: Some(level.into()),
            ..NewPerson::default()
        },
    )
    .await
    .unwrap()
}

/// The skills of the user_operations role, from the live framework.
pub async fn role_skills(app: &TestApp, token: &str) -> Vec<String> {
    let matrix = app
        .gql(
            Some(token),
            "{ roleMatrix(role: \"user_operations\") { rows { skill { key } } } }",
            json!({}),
        )
        .await;
    matrix.data()["roleMatrix"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["skill"]["key"].as_str().unwrap().to_owned())
        .collect()
}

pub fn all_at(skills: &[String], level: i64) -> Value {
    Value::Array(
        skills
            .iter()
            .map(|s| json!({"skill": s, "level": level}))
            .collect(),
    )
}

struct Team {
    hr: String,
    ada: Person,
    team_id: i64,
}

async fn team(app: &TestApp) -> Team {
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let created = app
        .gql(
            Some(&hr),
            "mutation { createTeam(input: {name: \"Growth\"}) { id } }",
            json!({}),
        )
        .await;
    let team_id: i64 = created.data()["createTeam"]["id"].db_id();
    let manager = placed(
        app,
        "manager@example.com",
        Role::Manager,
        None,
        Some(team_id),
        "m1",
    )
    .await;
    let ada = placed(
        app,
        "ada@example.com",
        Role::Employee,
        Some(manager.id),
        Some(team_id),
        "p2",
    )
    .await;
    // A manager in another line, who must not reach Ada.
    placed(app, "out@example.com", Role::Manager, None, None, "p3").await;
    Team { hr, ada, team_id }
}

#[tokio::test]
async fn a_cycle_from_opening_to_closing() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let ada_token = app.token("ada@example.com").await;
    let manager_token = app.token("manager@example.com").await;
    let skills = role_skills(&app, &ada_token).await;

    // HR opens a cycle for the Growth team.
    let opened = app
        .gql(Some(&t.hr), OPEN, json!({"input": {"name": "2026 H2", "teamIds": [t.team_id.to_string()], "selfDue": "2026-12-15"}}))
        .await;
    let opened = opened.data()["openAssessmentCycle"].clone();
    assert_eq!(opened["participantCount"], 2);
    assert_eq!(opened["cycle"]["status"], "SELF_ASSESSMENT");
    assert_eq!(opened["cycle"]["frameworkVersion"], 1);
    let cycle = opened["cycle"]["id"].as_str().unwrap().to_owned();

    // The manager cannot rate yet: this state is for self-assessments.
    let early = app
        .gql(
            Some(&manager_token),
            SUBMIT_MANAGER,
            json!({"c": cycle, "u": t.ada.id.to_string(), "r": all_at(&skills, 2)}),
        )
        .await;
    assert_eq!(early.code(), "CONFLICT");

    // Ada drafts part of it, then submits the rest: persona high, segmentation low.
    let draft = app
        .gql(Some(&ada_token), SAVE_SELF, json!({"c": cycle, "r": [{"skill": "user_persona", "level": 4, "evidence": "Built the 2026 personas"}]}))
        .await;
    assert_eq!(draft.data()["saveSelfAssessment"]["status"], "DRAFT");
    // Her draft is her own: her manager sees nothing of it yet.
    let seen = app
        .gql(
            Some(&manager_token),
            "query($c: ID!, $u: ID!) { assessments(cycleId: $c, userId: $u) { kind status } }",
            json!({"c": cycle, "u": t.ada.id.to_string()}),
        )
        .await;
    assert_eq!(seen.data()["assessments"], json!([]));
    let incomplete = app
        .gql(Some(&ada_token), SUBMIT_SELF, json!({"c": cycle, "r": []}))
        .await;
    assert_eq!(
        incomplete.code(),
        "BAD_USER_INPUT",
        "submitting needs every skill"
    );
    let rest: Vec<Value> = skills
        .iter()
        .filter(|s| *s != "user_persona")
        .map(|s| json!({"skill": s, "level": if s == "user_segmentation" { 1 } else { 2 }}))
        .collect();
    let submitted = app
        .gql(
            Some(&ada_token),
            SUBMIT_SELF,
            json!({"c": cycle, "r": rest}),
        )
        .await;
    assert_eq!(
        submitted.data()["submitSelfAssessment"]["status"],
        "SUBMITTED"
    );
    assert_eq!(
        submitted.data()["submitSelfAssessment"]["ratings"]
            .as_array()
            .unwrap()
            .len(),
        skills.len()
    );

    // Bad ratings are refused and change nothing.
    for (bad, what) in [
        (
            json!([{"skill": "team_leadership_x", "level": 2}]),
            "unknown skill",
        ),
        (
            json!([{"skill": "user_persona", "level": 6}]),
            "level out of range",
        ),
    ] {
        let refused = app
            .gql(Some(&ada_token), SAVE_SELF, json!({"c": cycle, "r": bad}))
            .await;
        assert_eq!(refused.code(), "BAD_USER_INPUT", "{what}");
    }

    assert_eq!(
        app.gql(Some(&t.hr), ADVANCE, json!({"id": cycle}))
            .await
            .data()["advanceAssessmentCycle"]["status"],
        "MANAGER_REVIEW"
    );
    // Ada's self-assessment window is over.
    let late = app
        .gql(
            Some(&ada_token),
            SAVE_SELF,
            json!({"c": cycle, "r": [{"skill": "user_persona", "level": 5}]}),
        )
        .await;
    assert_eq!(late.code(), "CONFLICT");
    // Someone else's manager cannot rate her.
    let outsider_token = app.token("out@example.com").await;
    let stranger = app
        .gql(
            Some(&outsider_token),
            SUBMIT_MANAGER,
            json!({"c": cycle, "u": t.ada.id.to_string(), "r": all_at(&skills, 3)}),
        )
        .await;
    assert_eq!(stranger.code(), "FORBIDDEN");

    // Her manager sees persona at 2 (she said 4) and segmentation at 3 (she said 1).
    let manager_ratings: Vec<Value> = skills
        .iter()
        .map(|s| {
            let level = match s.as_str() {
                "user_persona" => 2,
                "user_segmentation" => 3,
                _ => 2,
            };
            json!({"skill": s, "level": level})
        })
        .collect();
    let done = app
        .gql(
            Some(&manager_token),
            SUBMIT_MANAGER,
            json!({"c": cycle, "u": t.ada.id.to_string(), "r": manager_ratings}),
        )
        .await;
    assert_eq!(
        done.data()["submitManagerAssessment"]["status"],
        "SUBMITTED"
    );

    // The profile: agreed levels are the manager's; gaps against p2 and the next level p3.
    let profile = app
        .gql(
            Some(&ada_token),
            PROFILE,
            json!({"u": t.ada.id.to_string(), "c": cycle}),
        )
        .await;
    let profile = profile.data()["skillProfile"].clone();
    assert_eq!(profile["careerLevel"], "p2");
    assert_eq!(profile["nextLevel"], "p3");
    let line = |key: &str| {
        profile["skills"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["skillKey"] == key)
            .unwrap()
            .clone()
    };
    let persona = line("user_persona");
    assert_eq!(persona["agreed"], 2);
    assert_eq!(persona["basis"], "MANAGER");
    assert_eq!(persona["requiredCurrent"], 2);
    assert_eq!(persona["gapCurrent"], 0);
    assert_eq!(persona["requiredNext"], 3);
    assert_eq!(persona["gapNext"], 1);
    assert_eq!(persona["divergence"], "BLIND_SPOT");
    assert_eq!(line("user_segmentation")["divergence"], "HIDDEN_STRENGTH");
    let current = profile["matchCurrent"].as_f64().unwrap();
    let next = profile["matchNext"].as_f64().unwrap();
    assert!(
        next < current && current <= 100.0,
        "current {current}, next {next}"
    );
    assert_eq!(profile["areas"].as_array().unwrap().len(), 5);

    // HR's cycle-wide divergence list names both flags.
    let divergence = app
        .gql(
            Some(&t.hr),
            "query($c: ID!) { assessmentDivergence(cycleId: $c) { nodes { user { email } skillKey kind } } }",
            json!({"c": cycle}),
        )
        .await;
    let flags = divergence.data()["assessmentDivergence"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(flags.len(), 2);
    assert!(flags.contains(&json!({"user": {"email": "ada@example.com"}, "skillKey": "user_persona", "kind": "BLIND_SPOT"})));
    // A team view: Ada, with no reports, is refused as for the team matrix.
    let own = app
        .gql(
            Some(&ada_token),
            "query($c: ID!) { assessmentDivergence(cycleId: $c) { totalCount } }",
            json!({"c": cycle}),
        )
        .await;
    assert_eq!(own.code(), "FORBIDDEN");

    // The manager's team matrix: Ada's row, and coverage per skill.
    let matrix = app
        .gql(
            Some(&manager_token),
            "query($t: ID!, $c: ID!) { teamSkillMatrix(teamId: $t, cycleId: $c) { rows { nodes { user { email } cells { skillKey agreed required gap } } } coverage { skillKey neededBy metBy singleHolder } } }",
            json!({"t": t.team_id.to_string(), "c": cycle}),
        )
        .await;
    let rows = matrix.data()["teamSkillMatrix"]["rows"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        rows.len(),
        1,
        "the manager sees their report, not themselves"
    );
    let outsider_matrix = app
        .gql(Some(&outsider_token), "query($t: ID!, $c: ID!) { teamSkillMatrix(teamId: $t, cycleId: $c) { rows { nodes { user { email } } } } }", json!({"t": t.team_id.to_string(), "c": cycle}))
        .await;
    assert_eq!(outsider_matrix.code(), "FORBIDDEN");
    let outsider_profile = app
        .gql(
            Some(&outsider_token),
            PROFILE,
            json!({"u": t.ada.id.to_string()}),
        )
        .await;
    assert_eq!(outsider_profile.code(), "FORBIDDEN");
    // Ada may see who her manager is, not her manager's profile.
    let boss = app
        .gql(Some(&ada_token), "{ me { manager { id } } }", json!({}))
        .await;
    let boss_id = boss.data()["me"]["manager"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.gql(Some(&ada_token), PROFILE, json!({"u": boss_id}))
            .await
            .code(),
        "FORBIDDEN"
    );

    // Calibration, then closing: results no longer change.
    app.gql(Some(&t.hr), ADVANCE, json!({"id": cycle}))
        .await
        .data();
    let closed = app.gql(Some(&t.hr), ADVANCE, json!({"id": cycle})).await;
    assert_eq!(closed.data()["advanceAssessmentCycle"]["status"], "CLOSED");
    let after_close = app
        .gql(
            Some(&manager_token),
            SUBMIT_MANAGER,
            json!({"c": cycle, "u": t.ada.id.to_string(), "r": all_at(&skills, 5)}),
        )
        .await;
    assert_eq!(after_close.code(), "CONFLICT");
    let beyond = app.gql(Some(&t.hr), ADVANCE, json!({"id": cycle})).await;
    assert_eq!(beyond.code(), "CONFLICT");
    let frozen = app
        .gql(
            Some(&ada_token),
            PROFILE,
            json!({"u": t.ada.id.to_string(), "c": cycle}),
        )
        .await;
    assert_eq!(
        frozen.data()["skillProfile"],
        profile,
        "closing changed nothing"
    );

    let trend = app
        .gql(
            Some(&ada_token),
            "query($u: ID!) { skillTrend(userId: $u) { skillKey level } }",
            json!({"u": t.ada.id.to_string()}),
        )
        .await;
    assert_eq!(
        trend.data()["skillTrend"].as_array().unwrap().len(),
        skills.len()
    );
}

#[tokio::test]
async fn amending_a_submitted_assessment_keeps_the_old_revision() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let ada_token = app.token("ada@example.com").await;
    let manager_token = app.token("manager@example.com").await;
    let skills = role_skills(&app, &ada_token).await;
    let opened = app
        .gql(
            Some(&t.hr),
            OPEN,
            json!({"input": {"name": "Q4", "teamIds": [t.team_id.to_string()]}}),
        )
        .await;
    let cycle = opened.data()["openAssessmentCycle"]["cycle"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql(
        Some(&ada_token),
        SUBMIT_SELF,
        json!({"c": cycle, "r": all_at(&skills, 2)}),
    )
    .await
    .data();
    app.gql(Some(&t.hr), ADVANCE, json!({"id": cycle}))
        .await
        .data();
    app.gql(
        Some(&manager_token),
        SUBMIT_MANAGER,
        json!({"c": cycle, "u": t.ada.id.to_string(), "r": all_at(&skills, 2)}),
    )
    .await
    .data();
    app.gql(Some(&t.hr), ADVANCE, json!({"id": cycle}))
        .await
        .data();
    // Calibration: the manager amends one rating.
    let amended = app
        .gql(Some(&manager_token), SUBMIT_MANAGER, json!({"c": cycle, "u": t.ada.id.to_string(), "r": [{"skill": "user_persona", "level": 3}]}))
        .await;
    assert_eq!(amended.data()["submitManagerAssessment"]["revision"], 2);
    let history = app
        .gql(
            Some(&t.hr),
            "query($c: ID!, $u: ID!) { assessments(cycleId: $c, userId: $u) { kind revision status } }",
            json!({"c": cycle, "u": t.ada.id.to_string()}),
        )
        .await;
    let list = history.data()["assessments"].as_array().unwrap().clone();
    assert!(list.contains(&json!({"kind": "MANAGER", "revision": 1, "status": "SUPERSEDED"})));
    assert!(list.contains(&json!({"kind": "MANAGER", "revision": 2, "status": "SUBMITTED"})));
    let profile = app
        .gql(Some(&t.hr), PROFILE, json!({"u": t.ada.id.to_string()}))
        .await;
    let persona = profile.data()["skillProfile"]["skills"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["skillKey"] == "user_persona")
        .unwrap()
        .clone();
    assert_eq!(persona["agreed"], 3);
}

#[tokio::test]
async fn many_employees_submitting_at_once_lose_nothing() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let manager = placed(&app, "boss@example.com", Role::Manager, None, None, "m1").await;
    let mut tokens = Vec::new();
    for i in 0..24 {
        let email = format!("e{i}@example.com");
        placed(&app, &email, Role::Employee, Some(manager.id), None, "p1").await;
        tokens.push(app.token(&email).await);
    }
    let skills = role_skills(&app, &hr).await;
    let opened = app
        .gql(Some(&hr), OPEN, json!({"input": {"name": "All hands"}}))
        .await;
    let cycle = opened.data()["openAssessmentCycle"]["cycle"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let submissions = tokens.iter().map(|token| {
        let app = &app;
        let body = json!({"c": cycle, "r": all_at(&skills, 1)});
        async move { app.gql(Some(token), SUBMIT_SELF, body).await }
    });
    for answer in futures::future::join_all(submissions).await {
        assert_eq!(answer.data()["submitSelfAssessment"]["status"], "SUBMITTED");
    }
    let progress = app
        .gql(
            Some(&hr),
            "{ assessmentCycles { nodes { progress { participants selfSubmitted } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        progress.data()["assessmentCycles"]["nodes"][0]["progress"],
        json!({"participants": 25, "selfSubmitted": 24})
    );
}
