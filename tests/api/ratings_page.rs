//! People with their ratings of a cycle in one request: `User.ratings(cycleId)`
//! over a page of people costs the same statements for 10 people as for 100,
//! says what the skill profile says, and follows who may read whose records.

use serde_json::{Value, json};
use skillpath::auth::Role;
use skillpath::demo;

use crate::helpers::{TestApp, org, spawn_app};

const PAGE: &str = "query($first: Int!, $cycle: ID!) { users(first: $first) { nodes { id name
    team { name } manager { name } directReports { name }
    ratings(cycleId: $cycle) { skillKey selfLevel managerLevel peerAverage agreed basis } } } }";

async fn page(app: &TestApp, token: &str, first: usize, cycle: &str) -> (u64, Value) {
    let before = app.state.statements.get();
    let answer = app
        .gql(Some(token), PAGE, json!({"first": first, "cycle": cycle}))
        .await;
    let used = app.state.statements.get() - before;
    (used, answer.data()["users"]["nodes"].clone())
}

#[tokio::test]
async fn a_page_of_people_comes_with_their_ratings_in_a_fixed_number_of_statements() {
    let app = spawn_app().await;
    let fw = app.state.frameworks.current(&app.state.db).await.unwrap();
    app.arrange(demo::seed(&app.state.db, &fw, 150, 3))
        .await
        .unwrap();
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let cycles = app
        .gql(
            Some(&hr),
            "{ assessmentCycles { nodes { id } } }",
            json!({}),
        )
        .await;
    let cycle = cycles.data()["assessmentCycles"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    page(&app, &hr, 10, &cycle).await;
    let (ten, _) = page(&app, &hr, 10, &cycle).await;
    let (hundred, people) = page(&app, &hr, 100, &cycle).await;
    assert_eq!(
        ten, hundred,
        "10 people cost {ten} statements, 100 cost {hundred}"
    );
    // The caller, the page, teams, managers, reports, ratings.
    assert!(hundred <= 6, "a page with ratings ran {hundred} statements");
    let people = people.as_array().unwrap();
    assert_eq!(people.len(), 100);
    let rated: Vec<&Value> = people
        .iter()
        .filter(|p| !p["ratings"].as_array().unwrap().is_empty())
        .collect();
    assert!(rated.len() > 50, "{} of 100 rated", rated.len());

    // The same levels as the person's skill profile of that cycle.
    let person = rated[0];
    let profile = app
        .gql(
            Some(&hr),
            "query($u: ID!, $c: ID!) { skillProfile(userId: $u, cycleId: $c) {
               skills { skillKey selfLevel managerLevel agreed } } }",
            json!({"u": person["id"], "c": cycle}),
        )
        .await;
    let profile = profile.data()["skillProfile"]["skills"].as_array().unwrap();
    for rating in person["ratings"].as_array().unwrap() {
        let skill = profile
            .iter()
            .find(|s| s["skillKey"] == rating["skillKey"])
            .unwrap_or_else(|| panic!("{rating} is in the profile"));
        for field in ["selfLevel", "managerLevel", "agreed"] {
            assert_eq!(skill[field], rating[field], "{field} of {rating}");
        }
    }
}

#[tokio::test]
async fn ratings_follow_who_may_read_whose_records() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let cycle = "999999";
    let ratings_of = |token: String| {
        let app = &app;
        async move {
            let (_, people) = page(app, &token, 100, cycle).await;
            people
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p["name"].as_str().unwrap().to_owned(), p["ratings"].clone()))
                .collect::<Vec<_>>()
        }
    };
    // An employee sees their manager's name, not the manager's records.
    let report = ratings_of(app.token(&org.report.email).await).await;
    let shown = |people: &[(String, Value)], name: &str| {
        people
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r.is_array())
    };
    assert_eq!(shown(&report, "report"), Some(true), "{report:?}");
    assert_eq!(shown(&report, "manager"), Some(false), "{report:?}");
    // A manager reads their line, direct and indirect.
    let manager = ratings_of(app.token(&org.manager.email).await).await;
    for name in ["manager", "lead", "report", "indirect"] {
        assert_eq!(shown(&manager, name), Some(true), "{name}: {manager:?}");
    }
    assert_eq!(shown(&manager, "outsider"), None, "not even listed");

    let bad = app
        .gql(
            Some(&app.token(&org.hr.email).await),
            PAGE,
            json!({"first": 5, "cycle": "not an id"}),
        )
        .await;
    assert_eq!(bad.code(), "BAD_USER_INPUT", "{:#}", bad.body);
}
