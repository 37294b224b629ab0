//! Accounts, teams and who sees whom.

use serde_json::json;
use skillpath::auth::Role;

use crate::helpers::{org, spawn_app};

const USERS: &str = "{ users(first: 100) { edges { node { email } } pageInfo { hasNextPage } } }";
const USER: &str =
    "query($id: ID!) { user(id: $id) { email manager { email } directReports { email } } }";

fn emails(answer: &crate::helpers::Gql) -> Vec<String> {
    let mut list: Vec<String> = answer.data()["users"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["email"].as_str().unwrap().to_owned())
        .collect();
    list.sort();
    list
}

#[tokio::test]
async fn each_role_sees_the_people_it_should() {
    let app = spawn_app().await;
    let org = org(&app).await;

    let employee = app.token("report@example.com").await;
    assert_eq!(
        emails(&app.gql(Some(&employee), USERS, json!({})).await),
        ["manager@example.com", "report@example.com"]
    );

    let manager = app.token("manager@example.com").await;
    assert_eq!(
        emails(&app.gql(Some(&manager), USERS, json!({})).await),
        [
            "indirect@example.com",
            "lead@example.com",
            "manager@example.com",
            "report@example.com"
        ]
    );

    for everyone in ["hr@example.com", "admin@example.com"] {
        let token = app.token(everyone).await;
        assert_eq!(
            emails(&app.gql(Some(&token), USERS, json!({})).await).len(),
            7
        );
    }

    // A single lookup outside one's reach is refused, not silently empty.
    let denied = app
        .gql(
            Some(&employee),
            USER,
            json!({"id": org.outsider.id.to_string()}),
        )
        .await;
    assert_eq!(denied.code(), "FORBIDDEN");
    let indirect = app
        .gql(
            Some(&manager),
            USER,
            json!({"id": org.indirect.id.to_string()}),
        )
        .await;
    assert_eq!(
        indirect.data()["user"]["manager"]["email"],
        "lead@example.com"
    );

    // The employee sees their manager, but not the manager's other reports.
    let boss = app
        .gql(
            Some(&employee),
            USER,
            json!({"id": org.manager.id.to_string()}),
        )
        .await;
    let reports = boss.data()["user"]["directReports"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(reports, vec![json!({"email": "report@example.com"})]);

    let anonymous = app.gql(None, USERS, json!({})).await;
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn users_are_paged_with_cursors() {
    let app = spawn_app().await;
    org(&app).await;
    let hr = app.token("hr@example.com").await;
    let page = "query($after: String) { users(first: 3, after: $after) { edges { cursor node { email } } pageInfo { hasNextPage endCursor } } }";
    let mut seen = Vec::new();
    let mut after = serde_json::Value::Null;
    loop {
        let answer = app.gql(Some(&hr), page, json!({"after": after})).await;
        let users = answer.data()["users"].clone();
        for edge in users["edges"].as_array().unwrap() {
            seen.push(edge["node"]["email"].as_str().unwrap().to_owned());
        }
        if !users["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = users["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen.len(), 7);
    let bad = app
        .gql(Some(&hr), page, json!({"after": "not-a-cursor"}))
        .await;
    assert_eq!(bad.code(), "BAD_USER_INPUT");
}

const CREATE: &str = "mutation($input: CreateUserInput!) { createUser(input: $input) { id email role manager { email } } }";

#[tokio::test]
async fn hr_creates_accounts_and_invalid_input_changes_nothing() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let hr = app.token("hr@example.com").await;

    let created = app
        .gql(
            Some(&hr),
            CREATE,
            json!({"input": {"email": "New.Person@Example.com", "name": "New Person", "managerId": org.manager.id.to_string()}}),
        )
        .await;
    assert_eq!(
        created.data()["createUser"]["email"],
        "new.person@example.com"
    );
    assert_eq!(
        created.data()["createUser"]["manager"]["email"],
        "manager@example.com"
    );

    // Every problem is listed, and nothing is written.
    let invalid = app
        .gql(
            Some(&hr),
            CREATE,
            json!({"input": {"email": "not-an-email", "name": " ", "managerId": "999999", "password": "short"}}),
        )
        .await;
    assert_eq!(invalid.code(), "BAD_USER_INPUT");
    let fields: Vec<&str> = invalid.body["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "name", "password", "managerId"]);

    let duplicate = app
        .gql(
            Some(&hr),
            CREATE,
            json!({"input": {"email": "NEW.person@example.com", "name": "Again"}}),
        )
        .await;
    assert_eq!(duplicate.code(), "CONFLICT");

    let admin_by_hr = app
        .gql(
            Some(&hr),
            CREATE,
            json!({"input": {"email": "boss@example.com", "name": "Boss", "role": "ADMIN"}}),
        )
        .await;
    assert_eq!(admin_by_hr.code(), "FORBIDDEN");

    let manager = app.token("manager@example.com").await;
    let by_manager = app
        .gql(
            Some(&manager),
            CREATE,
            json!({"input": {"email": "x@example.com", "name": "X"}}),
        )
        .await;
    assert_eq!(by_manager.code(), "FORBIDDEN");

    let all = app.gql(Some(&hr), USERS, json!({})).await;
    assert_eq!(
        emails(&all).len(),
        8,
        "only the one valid account was added"
    );
}

#[tokio::test]
async fn reporting_cycles_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let admin = app.token("admin@example.com").await;
    let update = "mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { manager { email } name } }";
    // The manager would report to someone who reports to them.
    let cycle = app
        .gql(
            Some(&admin),
            update,
            json!({"id": org.manager.id.to_string(), "input": {"managerId": org.indirect.id.to_string(), "name": "Renamed"}}),
        )
        .await;
    assert_eq!(cycle.code(), "BAD_USER_INPUT");
    let unchanged = app
        .gql(
            Some(&admin),
            USER,
            json!({"id": org.manager.id.to_string()}),
        )
        .await;
    assert!(unchanged.data()["user"]["manager"].is_null());

    let fine = app
        .gql(
            Some(&admin),
            update,
            json!({"id": org.outsider.id.to_string(), "input": {"managerId": org.lead.id.to_string()}}),
        )
        .await;
    assert_eq!(
        fine.data()["updateUser"]["manager"]["email"],
        "lead@example.com"
    );
    let missing = app
        .gql(
            Some(&admin),
            update,
            json!({"id": "424242", "input": {"name": "Ghost"}}),
        )
        .await;
    assert_eq!(missing.code(), "NOT_FOUND");
    let _ = Role::Admin;
}

#[tokio::test]
async fn teams_nest_without_cycles() {
    let app = spawn_app().await;
    org(&app).await;
    let hr = app.token("hr@example.com").await;
    let create = "mutation($name: String!, $parent: ID) { createTeam(input: {name: $name, parentId: $parent}) { id name parent { name } } }";
    let ops = app
        .gql(Some(&hr), create, json!({"name": "Operations"}))
        .await;
    let ops_id = ops.data()["createTeam"]["id"].as_str().unwrap().to_owned();
    let growth = app
        .gql(
            Some(&hr),
            create,
            json!({"name": "Growth", "parent": ops_id}),
        )
        .await;
    assert_eq!(growth.data()["createTeam"]["parent"]["name"], "Operations");
    let growth_id = growth.data()["createTeam"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let cycle = app
        .gql(
            Some(&hr),
            "mutation($id: ID!, $p: ID) { updateTeam(id: $id, input: {parentId: $p}) { id } }",
            json!({"id": ops_id, "p": growth_id}),
        )
        .await;
    assert_eq!(cycle.code(), "BAD_USER_INPUT");
    let employee = app.token("report@example.com").await;
    let denied = app
        .gql(Some(&employee), create, json!({"name": "Rogue"}))
        .await;
    assert_eq!(denied.code(), "FORBIDDEN");
    let teams = app
        .gql(Some(&employee), "{ teams { nodes { name } } }", json!({}))
        .await;
    assert_eq!(teams.data()["teams"]["nodes"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn concurrent_writers_all_succeed() {
    // A normal team's burst: 40 account edits at once. On SQLite every write
    // transaction queues for the lock instead of failing with "database is locked".
    let app = spawn_app().await;
    let org = org(&app).await;
    let admin = app.token("admin@example.com").await;
    let update =
        "mutation($id: ID!, $name: String!) { updateUser(id: $id, input: {name: $name}) { name } }";
    let targets = [org.report.id, org.indirect.id, org.outsider.id, org.lead.id];
    let writes = (0..40).map(|i| {
        let id = targets[i % targets.len()].to_string();
        let app = &app;
        let admin = admin.clone();
        async move {
            app.gql(
                Some(&admin),
                update,
                json!({"id": id, "name": format!("Name {i}")}),
            )
            .await
        }
    });
    let answers = futures::future::join_all(writes).await;
    for answer in &answers {
        answer.data();
    }
}
