//! A manager's reach (everyone below them) is computed once and reused until
//! the organisation changes, however the change is made.

use sea_orm::ConnectionTrait;
use serde_json::json;
use skillpath::auth::Role;

use crate::helpers::{TestApp, spawn_app};

const READ: &str = "query($id: ID!) { user(id: $id) { email } }";

async fn sees(app: &TestApp, token: &str, id: i64) -> bool {
    let answer = app
        .gql(Some(token), READ, json!({"id": id.to_string()}))
        .await;
    match answer.body["errors"].is_array() {
        false => true,
        true => {
            assert_eq!(answer.code(), "FORBIDDEN");
            false
        }
    }
}

#[tokio::test]
async fn a_move_is_seen_by_the_next_request_whoever_makes_it() {
    let app = spawn_app().await;
    let hr = app.person("hr@example.com", Role::Hr, None).await;
    let boss = app.person("boss@example.com", Role::Manager, None).await;
    let lead = app
        .person("lead@example.com", Role::Manager, Some(boss.id))
        .await;
    let bo = app.person("bo@example.com", Role::Employee, None).await;
    let hr_token = app.token(&hr.email).await;
    let boss_token = app.token(&boss.email).await;

    assert!(sees(&app, &boss_token, lead.id).await);
    assert!(!sees(&app, &boss_token, bo.id).await);

    // Through the API: Bo joins the lead's team, and so the boss's reach.
    let moved = app
        .gql(
            Some(&hr_token),
            "mutation($id: ID!, $m: ID!) { updateUser(id: $id, input: {managerId: $m}) { id } }",
            json!({"id": bo.id.to_string(), "m": lead.id.to_string()}),
        )
        .await;
    moved.data();
    assert!(sees(&app, &boss_token, bo.id).await);

    // Behind the server's back (another replica, an operator's SQL): the
    // version in the database still tells every process.
    app.state
        .db
        .execute_unprepared(&format!(
            "UPDATE users SET manager_id = NULL WHERE id = {}",
            lead.id
        ))
        .await
        .unwrap();
    assert!(!sees(&app, &boss_token, lead.id).await);
    assert!(
        !sees(&app, &boss_token, bo.id).await,
        "Bo went with the lead"
    );

    // A new report is in reach at once.
    let new = app
        .person("new@example.com", Role::Employee, Some(boss.id))
        .await;
    assert!(sees(&app, &boss_token, new.id).await);
    // And a deleted one is out of it (and no longer exists).
    app.state
        .db
        .execute_unprepared(&format!("DELETE FROM users WHERE id = {}", new.id))
        .await
        .unwrap();
    let gone = app
        .gql(Some(&boss_token), READ, json!({"id": new.id.to_string()}))
        .await;
    assert_eq!(gone.code(), "FORBIDDEN");
}

#[tokio::test]
async fn me_costs_a_manager_of_a_large_team_what_it_costs_an_employee() {
    let app = spawn_app().await;
    let boss = app.person("boss@example.com", Role::Manager, None).await;
    let mut managers = vec![boss.id];
    // Three levels below the boss: 5 leads, 25 team leads, 150 people.
    for depth in 0..3 {
        let mut next = Vec::new();
        for (i, manager) in managers.iter().enumerate() {
            for j in 0..[5, 5, 6][depth] {
                let role = if depth < 2 {
                    Role::Manager
                } else {
                    Role::Employee
                };
                let person = app
                    .person(
                        &format!("d{depth}-{i}-{j}@example.com"),
                        role,
                        Some(*manager),
                    )
                    .await;
                next.push(person.id);
            }
        }
        managers = next;
    }
    let employee = app.person("ada@example.com", Role::Employee, None).await;
    let boss_token = app.token(&boss.email).await;
    let ada_token = app.token(&employee.email).await;
    let me = "{ me { email } }";
    let statements = |token: String| {
        let app = &app;
        async move {
            let before = app.state.statements.get();
            app.gql(Some(&token), me, json!({})).await.data();
            app.state.statements.get() - before
        }
    };
    // Everyone's first request walks their (here empty) tree once.
    statements(ada_token.clone()).await;
    let employee_cost = statements(ada_token.clone()).await;
    // The boss's first request walks the tree once for this process ...
    let first = statements(boss_token.clone()).await;
    assert_eq!(first, employee_cost + 1, "one statement to walk the tree");
    // ... and the next ones reuse it.
    for _ in 0..3 {
        assert_eq!(statements(boss_token.clone()).await, employee_cost);
    }
    assert_eq!(statements(ada_token).await, employee_cost);
}
