//! Targets, actuals, attainment and scores.

use serde_json::{Value, json};
use skillpath::auth::Role;

use crate::helpers::{TestApp, spawn_app};

const SET_ALL: &str = "mutation($u: ID!, $p: String!, $t: [TargetInput!]!) { setPerformanceTargets(userId: $u, period: $p, targets: $t) { kpiKey weight } }";
const SET_ONE: &str = "mutation($u: ID!, $p: String!, $t: TargetInput!) { setPerformanceTarget(userId: $u, period: $p, target: $t) { kpiKey weight } }";
const RECORD: &str = "mutation($u: ID!, $p: String!, $k: String!, $v: Float!) { recordKpiActual(userId: $u, period: $p, kpi: $k, value: $v) { value } }";
const IMPORT: &str = "mutation($csv: String!) { importKpiActuals(csv: $csv) }";
const PERFORMANCE: &str = "query($u: ID!, $p: String!) { performance(userId: $u, period: $p) { period weightTotal score complete
    targets { target { id kpiKey weight } direction aggregation actual readings attainment comments { body author { email } } } } }";

struct People {
    manager: String,
    ada: i64,
    hr: String,
}

async fn people(app: &TestApp) -> People {
    app.person("hr@example.com", Role::Hr, None).await;
    let manager = app.person("manager@example.com", Role::Manager, None).await;
    let ada = app
        .person("ada@example.com", Role::Employee, Some(manager.id))
        .await;
    People {
        manager: app.token("manager@example.com").await,
        ada: ada.id,
        hr: app.token("hr@example.com").await,
    }
}

/// The README's worked example: new users (higher is better, summed) and
/// monthly churn (lower is better, last reading counts).
fn example_targets() -> Value {
    json!([
        {"kpi": "new_users", "weight": 60, "threshold": 800, "target": 1000, "stretch": 1200},
        {"kpi": "monthly_churn_rate", "weight": 40, "threshold": 8, "target": 5, "stretch": 3}
    ])
}

fn attainment(perf: &Value, kpi: &str) -> Value {
    perf["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"]["kpiKey"] == kpi)
        .unwrap()["attainment"]
        .clone()
}

#[tokio::test]
async fn the_worked_example_scores_95() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let ada = p.ada.to_string();

    // Weights that do not total 100 are refused, with the total shown, and nothing is saved.
    let mut short = example_targets();
    short[1]["weight"] = json!(30);
    let refused = app
        .gql(
            Some(&p.manager),
            SET_ALL,
            json!({"u": ada, "p": "2026-Q4", "t": short}),
        )
        .await;
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    assert!(
        refused.message().contains("total 90"),
        "{}",
        refused.message()
    );
    let nothing = app
        .gql(
            Some(&p.manager),
            PERFORMANCE,
            json!({"u": ada, "p": "2026-Q4"}),
        )
        .await;
    assert_eq!(nothing.data()["performance"]["targets"], json!([]));

    let set = app
        .gql(
            Some(&p.manager),
            SET_ALL,
            json!({"u": ada, "p": "2026-Q4", "t": example_targets()}),
        )
        .await;
    assert_eq!(
        set.data()["setPerformanceTargets"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // A further target would push the total past 100.
    let extra = app
        .gql(
            Some(&p.manager),
            SET_ONE,
            json!({"u": ada, "p": "2026-Q4", "t": {"kpi": "revenue", "weight": 10, "target": 5}}),
        )
        .await;
    assert_eq!(extra.code(), "BAD_USER_INPUT");
    assert!(extra.message().contains("110"), "{}", extra.message());

    // Actuals: one reading by hand, more by CSV. New users sum to 1100;
    // churn takes the last reading, 6.5.
    app.gql(
        Some(&p.manager),
        RECORD,
        json!({"u": ada, "p": "2026-Q4", "k": "new_users", "v": 400.0}),
    )
    .await
    .data();
    app.gql(
        Some(&p.manager),
        RECORD,
        json!({"u": ada, "p": "2026-Q4", "k": "monthly_churn_rate", "v": 7.5}),
    )
    .await
    .data();
    let csv = "email,period,kpi,value,note\n\
               ada@example.com,2026-Q4,new_users,700,November\n\
               ada@example.com,2026-Q4,monthly_churn_rate,6.5,end of quarter\n";
    let imported = app.gql(Some(&p.manager), IMPORT, json!({"csv": csv})).await;
    assert_eq!(imported.data()["importKpiActuals"], 2);

    let perf = app
        .gql(
            Some(&p.manager),
            PERFORMANCE,
            json!({"u": ada, "p": "2026-Q4"}),
        )
        .await;
    let perf = perf.data()["performance"].clone();
    assert_eq!(perf["weightTotal"], 100);
    assert_eq!(perf["complete"], true);
    let new_users = perf["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"]["kpiKey"] == "new_users")
        .unwrap()
        .clone();
    assert_eq!(new_users["actual"], 1100.0);
    assert_eq!(new_users["readings"], 2);
    assert_eq!(new_users["attainment"], 125.0);
    assert_eq!(attainment(&perf, "monthly_churn_rate"), 50.0);
    assert_eq!(perf["score"], 95.0, "60 × 125 % + 40 × 50 % = 95");
}

#[tokio::test]
async fn attainment_at_threshold_target_stretch_and_beyond_in_both_directions() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let ada = p.ada.to_string();
    // One month per point on the curve: (new users, churn) → expected attainments.
    let cases = [
        ("2026-01", 800.0, 8.0, 0.0),
        ("2026-02", 1000.0, 5.0, 100.0),
        ("2026-03", 1200.0, 3.0, 150.0),
        ("2026-04", 5000.0, 0.5, 150.0),
        ("2026-05", 100.0, 20.0, 0.0),
    ];
    for (period, users, churn, expected) in cases {
        app.gql(
            Some(&p.manager),
            SET_ALL,
            json!({"u": ada, "p": period, "t": example_targets()}),
        )
        .await
        .data();
        app.gql(
            Some(&p.manager),
            RECORD,
            json!({"u": ada, "p": period, "k": "new_users", "v": users}),
        )
        .await
        .data();
        app.gql(
            Some(&p.manager),
            RECORD,
            json!({"u": ada, "p": period, "k": "monthly_churn_rate", "v": churn}),
        )
        .await
        .data();
        let perf = app
            .gql(Some(&p.hr), PERFORMANCE, json!({"u": ada, "p": period}))
            .await;
        let perf = perf.data()["performance"].clone();
        assert_eq!(
            attainment(&perf, "new_users"),
            expected,
            "{period}: new users {users}"
        );
        assert_eq!(
            attainment(&perf, "monthly_churn_rate"),
            expected,
            "{period}: churn {churn}"
        );
        assert_eq!(perf["score"], expected);
    }
}

#[tokio::test]
async fn employees_see_and_comment_but_cannot_edit() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let ada = p.ada.to_string();
    app.gql(
        Some(&p.manager),
        SET_ALL,
        json!({"u": ada, "p": "2026", "t": example_targets()}),
    )
    .await
    .data();
    let ada_token = app.token("ada@example.com").await;
    for (query, vars) in [
        (
            SET_ALL,
            json!({"u": ada, "p": "2026", "t": example_targets()}),
        ),
        (
            RECORD,
            json!({"u": ada, "p": "2026", "k": "new_users", "v": 99999.0}),
        ),
        (
            "mutation($u: ID!) { removePerformanceTarget(userId: $u, period: \"2026\", kpi: \"new_users\") }",
            json!({"u": ada}),
        ),
    ] {
        assert_eq!(
            app.gql(Some(&ada_token), query, vars).await.code(),
            "FORBIDDEN"
        );
    }
    let mine = app
        .gql(
            Some(&ada_token),
            PERFORMANCE,
            json!({"u": ada, "p": "2026"}),
        )
        .await;
    let target_id = mine.data()["performance"]["targets"][0]["target"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let comment = app
        .gql(
            Some(&ada_token),
            "mutation($t: ID!) { commentOnPerformanceTarget(targetId: $t, body: \"Can we lower the stretch?\") { body } }",
            json!({"t": target_id}),
        )
        .await;
    comment.data();
    let after = app
        .gql(
            Some(&p.manager),
            PERFORMANCE,
            json!({"u": ada, "p": "2026"}),
        )
        .await;
    let first = &after.data()["performance"]["targets"][0];
    assert_eq!(first["target"]["weight"], 60, "commenting changed nothing");
    assert_eq!(first["comments"][0]["author"]["email"], "ada@example.com");

    // Who changed what, and when, is kept.
    let history = app
        .gql(Some(&ada_token), "query($u: ID!) { performanceTargetHistory(userId: $u, period: \"2026\") { kpiKey action changedBy { email } } }", json!({"u": ada}))
        .await;
    let history = history.data()["performanceTargetHistory"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["changedBy"]["email"], "manager@example.com");

    // Ada sees her own targets, not her manager's.
    let boss = app
        .gql(Some(&ada_token), "{ me { manager { id } } }", json!({}))
        .await;
    let boss_id = boss.data()["me"]["manager"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.gql(
            Some(&ada_token),
            PERFORMANCE,
            json!({"u": boss_id, "p": "2026"})
        )
        .await
        .code(),
        "FORBIDDEN"
    );

    // Someone outside the manager's reach.
    let stranger = app
        .person("stranger@example.com", Role::Employee, None)
        .await;
    let outside = app
        .gql(
            Some(&p.manager),
            SET_ALL,
            json!({"u": stranger.id.to_string(), "p": "2026", "t": example_targets()}),
        )
        .await;
    assert_eq!(outside.code(), "FORBIDDEN");
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let ada = p.ada.to_string();
    let mut bad = example_targets();
    bad[0]["kpi"] = json!("made_up_kpi");
    bad[1]["weight"] = json!(-5);
    for (period, targets, what) in [
        ("2026-Q4", bad, "unknown KPI and negative weight"),
        ("Q4 2026", example_targets(), "period in the wrong shape"),
    ] {
        let refused = app
            .gql(
                Some(&p.manager),
                SET_ALL,
                json!({"u": ada, "p": period, "t": targets}),
            )
            .await;
        assert_eq!(refused.code(), "BAD_USER_INPUT", "{what}");
    }
    // JSON cannot carry NaN or infinity; a stretch on the wrong side of the target is refused.
    let mut inverted = example_targets();
    inverted[1]["stretch"] = json!(9);
    let refused = app
        .gql(
            Some(&p.manager),
            SET_ALL,
            json!({"u": ada, "p": "2026-Q4", "t": inverted}),
        )
        .await;
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    let not_a_number = app
        .gql(
            Some(&p.manager),
            RECORD,
            json!({"u": ada, "p": "2026-Q4", "k": "new_users", "v": "NaN"}),
        )
        .await;
    assert_eq!(not_a_number.code(), "BAD_USER_INPUT");

    // One bad row rejects the whole file; every bad row is named.
    let csv = "email,period,kpi,value\n\
               ada@example.com,2026-Q4,new_users,10\n\
               ada@example.com,2026-Q9,new_users,10\n\
               ada@example.com,2026-Q4,new_users,lots\n\
               nobody@example.com,2026-Q4,new_users,10\n\
               hr@example.com,2026-Q4,new_users,10\n";
    let refused = app.gql(Some(&p.manager), IMPORT, json!({"csv": csv})).await;
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    let fields: Vec<String> = refused.body["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        fields,
        [
            "row 3, period",
            "row 4, value",
            "row 5, email",
            "row 6, email"
        ]
    );
    app.gql(
        Some(&p.manager),
        SET_ALL,
        json!({"u": ada, "p": "2026-Q4", "t": example_targets()}),
    )
    .await
    .data();
    let perf = app
        .gql(
            Some(&p.manager),
            PERFORMANCE,
            json!({"u": ada, "p": "2026-Q4"}),
        )
        .await;
    assert_eq!(
        perf.data()["performance"]["targets"][0]["readings"],
        0,
        "the good row was not imported either"
    );
}

#[tokio::test]
async fn team_performance_rolls_up_for_the_manager() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let team = app
        .gql(
            Some(&p.hr),
            "mutation { createTeam(input: {name: \"Ops\"}) { id } }",
            json!({}),
        )
        .await;
    let team = team.data()["createTeam"]["id"].as_str().unwrap().to_owned();
    app.gql(
        Some(&p.hr),
        "mutation($id: ID!, $t: ID!) { updateUser(id: $id, input: {teamId: $t}) { id } }",
        json!({"id": p.ada.to_string(), "t": team}),
    )
    .await
    .data();
    app.gql(
        Some(&p.manager),
        SET_ALL,
        json!({"u": p.ada.to_string(), "p": "2026-Q4", "t": example_targets()}),
    )
    .await
    .data();
    app.gql(
        Some(&p.manager),
        RECORD,
        json!({"u": p.ada.to_string(), "p": "2026-Q4", "k": "new_users", "v": 1000.0}),
    )
    .await
    .data();
    let rollup = app
        .gql(Some(&p.manager), "query($t: ID!) { teamPerformance(teamId: $t, period: \"2026-Q4\") { averageScore members { nodes { user { email } score complete } } } }", json!({"t": team}))
        .await;
    let rollup = rollup.data()["teamPerformance"].clone();
    assert_eq!(rollup["members"]["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(
        rollup["members"]["nodes"][0]["score"], 60.0,
        "new users met (60), churn not yet recorded (0)"
    );
    assert_eq!(rollup["members"]["nodes"][0]["complete"], false);
    assert_eq!(rollup["averageScore"], 60.0);
}
