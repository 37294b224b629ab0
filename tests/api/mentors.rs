//! Mentors for a gap: the strongest three colleagues by their latest manager
//! rating in the skill, 4 or more; an older high rating does not count once a
//! newer one is lower.

use serde_json::json;
use skillpath::auth::Role;

use crate::assessment::{ADVANCE, OPEN, SUBMIT_MANAGER, all_at, placed, role_skills};
use crate::helpers::TestApp;

const PATHS: &str = "query($u: ID!) { advancementPaths(userId: $u) { candidates { nextActions { mentors { user { email } skillKey level } } } } }";

/// Opens a cycle, lets the boss rate `ratings` (person id, level on every
/// skill), and closes it.
async fn cycle(app: &TestApp, hr: &str, boss: &str, skills: &[String], ratings: &[(i64, i64)]) {
    let opened = app
        .gql(
            Some(hr),
            OPEN,
            json!({"input": {"name": "Cycle", "start": true}}),
        )
        .await;
    let id = opened.data()["openAssessmentCycle"]["cycle"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql(Some(hr), ADVANCE, json!({"id": id})).await.data();
    for (person, level) in ratings {
        app.gql(
            Some(boss),
            SUBMIT_MANAGER,
            json!({"c": id, "u": person.to_string(), "r": all_at(skills, *level)}),
        )
        .await
        .data();
    }
    for _ in 0..2 {
        app.gql(Some(hr), ADVANCE, json!({"id": id})).await.data();
    }
}

#[tokio::test]
async fn mentors_are_the_three_strongest_by_their_latest_manager_rating() {
    let app = crate::helpers::spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let boss = placed(&app, "boss@example.com", Role::Manager, None, None, "m1").await;
    let boss_token = app.token("boss@example.com").await;
    let ada = placed(
        &app,
        "ada@example.com",
        Role::Employee,
        Some(boss.id),
        None,
        "p2",
    )
    .await;
    let mut colleagues = Vec::new();
    for i in 1..=5 {
        let email = format!("c{i}@example.com");
        colleagues.push(
            placed(&app, &email, Role::Employee, Some(boss.id), None, "p2")
                .await
                .id,
        );
    }
    let skills = role_skills(&app, &hr).await;
    let mut first = vec![(ada.id, 1)];
    first.extend(colleagues.iter().copied().zip([5, 5, 4, 4, 4]));
    cycle(&app, &hr, &boss_token, &skills, &first).await;
    // c1 was a 5; her newer rating is a 2, and it is the one that stands.
    cycle(&app, &hr, &boss_token, &skills, &[(colleagues[0], 2)]).await;

    let answer = app
        .gql(Some(&boss_token), PATHS, json!({"u": ada.id.to_string()}))
        .await;
    let skill = &skills[0];
    let mut mentors: Vec<(String, i64)> = answer.data()["advancementPaths"]["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["nextActions"]["mentors"].as_array().unwrap().clone())
        .filter(|m| m["skillKey"] == skill.as_str())
        .map(|m| {
            (
                m["user"]["email"].as_str().unwrap().to_owned(),
                m["level"].as_i64().unwrap(),
            )
        })
        .collect();
    mentors.sort();
    mentors.dedup();
    assert_eq!(
        mentors,
        vec![
            ("c2@example.com".to_owned(), 5),
            ("c3@example.com".to_owned(), 4),
            ("c4@example.com".to_owned(), 4),
        ],
        "c1's latest rating is 2; c5 is fourth"
    );
}
