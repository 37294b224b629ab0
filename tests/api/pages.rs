//! Lists that grow with the organisation are Relay connections: every item
//! is reachable, forward and backward, and bad paging arguments are refused.

use sea_orm::{EntityTrait, Set};
use serde_json::{Value, json};
use skillpath::auth::Role;
use skillpath::db::entities::user;

use crate::helpers::{TestApp, spawn_app};

const OUTBOX: &str = "query($f: Int, $a: String, $l: Int, $b: String) { emailOutbox(first: $f, after: $a, last: $l, before: $b) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { recipientEmail } } }";

fn recipients(page: &Value) -> Vec<String> {
    page["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["recipientEmail"].as_str().unwrap().to_owned())
        .collect()
}

async fn outbox(app: &TestApp, token: &str, vars: Value) -> Value {
    let answer = app.gql(Some(token), OUTBOX, vars).await;
    answer.data()["emailOutbox"].clone()
}

#[tokio::test]
async fn the_outbox_pages_forward_and_backward_over_every_message() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    for i in 0..7 {
        let to = skillpath::mail::Recipient {
            email: format!("p{i}@example.com"),
            user_id: None,
            name: format!("P{i}"),
            locale: Default::default(),
        };
        skillpath::mail::enqueue(
            &app.state.db,
            &to,
            skillpath::mail::MessageKind::PasswordReset,
            "/reset-password?token=x",
            json!({"expires_in_minutes": 60}),
        )
        .await
        .unwrap();
    }
    // Newest first, three at a time.
    let first = outbox(&app, &hr, json!({"f": 3})).await;
    assert_eq!(first["totalCount"], 7);
    assert_eq!(
        recipients(&first),
        ["p6@example.com", "p5@example.com", "p4@example.com"]
    );
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["pageInfo"]["hasPreviousPage"], false);
    let second = outbox(
        &app,
        &hr,
        json!({"f": 3, "a": first["pageInfo"]["endCursor"]}),
    )
    .await;
    assert_eq!(
        recipients(&second),
        ["p3@example.com", "p2@example.com", "p1@example.com"]
    );
    let third = outbox(
        &app,
        &hr,
        json!({"f": 3, "a": second["pageInfo"]["endCursor"]}),
    )
    .await;
    assert_eq!(recipients(&third), ["p0@example.com"]);
    assert_eq!(third["pageInfo"]["hasNextPage"], false);
    // Backward from the last page's start.
    let back = outbox(
        &app,
        &hr,
        json!({"l": 2, "b": third["pageInfo"]["startCursor"]}),
    )
    .await;
    assert_eq!(recipients(&back), ["p2@example.com", "p1@example.com"]);
    assert_eq!(back["pageInfo"]["hasPreviousPage"], true);
    let last = outbox(&app, &hr, json!({"l": 2})).await;
    assert_eq!(recipients(&last), ["p1@example.com", "p0@example.com"]);

    for (vars, argument) in [
        (json!({"f": 0}), "first"),
        (json!({"f": 501}), "first"),
        (json!({"f": 2, "l": 2}), "first"),
        (json!({"f": 2, "a": "not-a-cursor"}), "after"),
        (json!({"l": 2, "b": "bm9wZQ"}), "before"),
    ] {
        let refused = app.gql(Some(&hr), OUTBOX, vars.clone()).await;
        assert_eq!(refused.code(), "BAD_USER_INPUT", "{vars}");
        assert!(
            refused.message().contains(argument),
            "{vars}: {}",
            refused.message()
        );
    }
}

#[tokio::test]
async fn the_readiness_ranking_reaches_past_five_hundred_people() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let now = chrono::Utc::now();
    let people: Vec<user::ActiveModel> = (0..520)
        .map(|i| user::ActiveModel {
            email: Set(format!("r{i}@example.com")),
            name: Set(format!("R{i}")),
            role: Set("EMPLOYEE".into()),
            active: Set(true),
            job_role: Set(Some("user_operations".into())),
            career_level: Set(Some("p2".into())),
            level_since: Set(Some(now.date_naive())),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    for chunk in people.chunks(200) {
        user::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&app.state.db)
            .await
            .unwrap();
    }
    let query = "query($a: String) { promotionReadiness(first: 500, after: $a) { totalCount pageInfo { hasNextPage endCursor } nodes { user { email } } } }";
    let first = app.gql(Some(&hr), query, json!({})).await;
    let first = first.data()["promotionReadiness"].clone();
    assert_eq!(first["totalCount"], 520);
    assert_eq!(first["nodes"].as_array().unwrap().len(), 500);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let rest = app
        .gql(
            Some(&hr),
            query,
            json!({"a": first["pageInfo"]["endCursor"]}),
        )
        .await;
    let rest = rest.data()["promotionReadiness"].clone();
    assert_eq!(rest["nodes"].as_array().unwrap().len(), 20);
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
    let mut everyone: Vec<String> = first["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["nodes"].as_array().unwrap())
        .map(|n| n["user"]["email"].as_str().unwrap().to_owned())
        .collect();
    everyone.sort();
    everyone.dedup();
    assert_eq!(everyone.len(), 520, "every person once");
}
