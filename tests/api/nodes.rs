//! Relay global ids: every main type refetches through `node(id:)` by the id
//! a query gave, within the caller's reach; arguments take the global id or,
//! for one release, the bare number, and refuse another type's id.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Days, Utc};
use serde_json::{Value, json};

use crate::exports::rated_cycle;
use crate::helpers::{DbId, TestApp, gid, spawn_app};

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id } }";

/// `node(id:)` with the fields of `object` selected on `type_name`.
async fn refetch(app: &TestApp, token: &str, type_name: &str, fields: &str, id: &Value) -> Value {
    let query = format!(
        "query($id: ID!) {{ node(id: $id) {{ __typename ... on {type_name} {{ {fields} }} }} }}"
    );
    let answer = app.gql(Some(token), &query, json!({"id": id})).await;
    answer.data()["node"].clone()
}

/// Refetches `object` (which holds `fields`) and expects the same answer.
async fn same_again(app: &TestApp, token: &str, type_name: &str, fields: &str, object: &Value) {
    let mut again = refetch(app, token, type_name, fields, &object["id"]).await;
    assert_eq!(again["__typename"], type_name, "{again}");
    again.as_object_mut().unwrap().remove("__typename");
    assert_eq!(&again, object, "node(id:) of a {type_name}");
}

fn first_node(data: &Value, list: &str) -> Value {
    data[list]["edges"][0]["node"].clone()
}

#[tokio::test]
async fn node_refetches_every_main_type_by_the_id_a_query_returned() {
    let app = spawn_app().await;
    let c = rated_cycle(&app).await;
    let (hr, manager, ada) = (&c.hr, &c.manager, &c.employee);
    let me = app.gql(Some(ada), "{ me { id } }", json!({})).await;
    let ada_id = me.data()["me"]["id"].clone();
    assert_eq!(ada_id.as_str().unwrap(), gid("User", ada_id.db_id()));

    let mut seen: Vec<(&str, &str, &str, Value)> = Vec::new();

    let fields = "id name email role";
    let users = app
        .gql(
            Some(hr),
            "{ users(first: 1) { edges { node { id name email role } } } }",
            json!({}),
        )
        .await;
    seen.push((hr, "User", fields, first_node(users.data(), "users")));
    let teams = app
        .gql(
            Some(hr),
            "{ teams(first: 1) { edges { node { id name } } } }",
            json!({}),
        )
        .await;
    seen.push((hr, "Team", "id name", first_node(teams.data(), "teams")));
    let cycles = app
        .gql(
            Some(hr),
            "{ assessmentCycles(first: 1) { edges { node { id name status } } } }",
            json!({}),
        )
        .await;
    seen.push((
        hr,
        "AssessmentCycle",
        "id name status",
        first_node(cycles.data(), "assessmentCycles"),
    ));
    assert_eq!(seen[2].3["id"], c.cycle.as_str(), "the cycle a test opened");

    let fields = "id kind status revision cycleId";
    let assessments = app
        .gql(
            Some(hr),
            &format!(
                "query($c: ID!, $u: ID!) {{ assessments(cycleId: $c, userId: $u) {{ {fields} }} }}"
            ),
            json!({"c": c.cycle, "u": ada_id}),
        )
        .await;
    let assessment = assessments.data()["assessments"][0].clone();
    assert_eq!(assessment["cycleId"], c.cycle.as_str());
    seen.push((hr, "Assessment", fields, assessment));

    let period = json!({"u": ada_id, "p": "2026-Q4"});
    let fields = "id period kpiKey weight target";
    let target = app
        .gql(Some(manager), &format!("mutation($u: ID!, $p: String!) {{ setPerformanceTarget(userId: $u, period: $p, target: {{kpi: \"new_users\", weight: 100, target: 12}}) {{ {fields} }} }}"), period.clone())
        .await;
    seen.push((
        manager,
        "PerformanceTarget",
        fields,
        target.data()["setPerformanceTarget"].clone(),
    ));
    let fields = "id period kpiKey value source";
    let actual = app
        .gql(Some(manager), &format!("mutation($u: ID!, $p: String!) {{ recordKpiActual(userId: $u, period: $p, kpi: \"new_users\", value: 5) {{ {fields} }} }}"), period)
        .await;
    seen.push((
        manager,
        "KpiActual",
        fields,
        actual.data()["recordKpiActual"].clone(),
    ));

    let fields = "id certificationKey status progress";
    let record = app
        .gql(Some(ada), &format!("mutation {{ recordCertification(input: {{certification: \"google_analytics_certification\"}}) {{ {fields} }} }}"), json!({}))
        .await;
    seen.push((
        ada,
        "CertificationRecord",
        fields,
        record.data()["recordCertification"].clone(),
    ));

    let due = (Utc::now().date_naive() + Days::new(60)).to_string();
    let plan = app
        .gql(
            Some(manager),
            "mutation($u: ID!, $g: [DevelopmentGoalInput!]!) { createDevelopmentPlan(userId: $u, target: {role: \"user_operations\", level: \"p3\"}, goals: $g) { id status targetLevel goals { id title kind } } }",
            json!({"u": ada_id, "g": [{"kind": "STRETCH_ASSIGNMENT", "title": "Run the Q1 retention campaign", "skill": "retention_incentives", "requiredLevel": 3, "dueOn": due}]}),
        )
        .await;
    let plan = plan.data()["createDevelopmentPlan"].clone();
    let goal = plan["goals"][0].clone();
    seen.push((
        manager,
        "DevelopmentPlan",
        "id status targetLevel goals { id title kind }",
        plan,
    ));
    seen.push((manager, "DevelopmentGoal", "id title kind", goal));

    let outbox = app
        .gql(
            Some(hr),
            "{ emailOutbox(first: 1) { edges { node { id recipientEmail status } } } }",
            json!({}),
        )
        .await;
    let message = first_node(outbox.data(), "emailOutbox");
    assert!(message.is_object(), "opening the cycle queued mail");
    seen.push((hr, "OutboxMessage", "id recipientEmail status", message));
    let log = app
        .gql(
            Some(hr),
            "{ auditLog(first: 1) { edges { node { id action entity entityId } } } }",
            json!({}),
        )
        .await;
    seen.push((
        hr,
        "AuditEntry",
        "id action entity entityId",
        first_node(log.data(), "auditLog"),
    ));

    for (token, type_name, fields, object) in &seen {
        assert!(object.is_object(), "a {type_name} to refetch: {object}");
        assert_eq!(
            object["id"].as_str().unwrap(),
            gid(type_name, object["id"].db_id()),
            "a {type_name}'s id is its global id"
        );
        same_again(&app, token, type_name, fields, object).await;
    }

    // `nodes` answers in the order asked.
    let ids: Vec<&Value> = seen
        .iter()
        .filter(|s| *s.0 == *hr)
        .map(|s| &s.3["id"])
        .collect();
    let many = app
        .gql(
            Some(hr),
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({"ids": ids}),
        )
        .await;
    let got: Vec<&Value> = many.data()["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| &n["id"])
        .collect();
    assert_eq!(got, ids);
}

#[tokio::test]
async fn an_id_outside_the_callers_reach_answers_null_like_an_unknown_one() {
    let app = spawn_app().await;
    let c = rated_cycle(&app).await;
    let outsider = app
        .gql(
            Some(&c.hr),
            "{ users(first: 1, filter: {search: \"outsider\"}) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let outsider = first_node(outsider.data(), "users")["id"].clone();
    let log = app
        .gql(
            Some(&c.hr),
            "{ auditLog(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let entry = first_node(log.data(), "auditLog")["id"].clone();
    let outbox = app
        .gql(
            Some(&c.hr),
            "{ emailOutbox(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let message = first_node(outbox.data(), "emailOutbox")["id"].clone();

    // HR reaches all of them.
    for id in [&outsider, &entry, &message] {
        let seen = app.gql(Some(&c.hr), NODE, json!({"id": id})).await;
        assert_eq!(seen.data()["node"]["id"], *id);
    }
    // An employee reaches her own cycle and none of the others, and cannot
    // tell them from ids that do not exist.
    let own = app
        .gql(Some(&c.employee), NODE, json!({"id": c.cycle}))
        .await;
    assert_eq!(own.data()["node"]["__typename"], "AssessmentCycle");
    for id in [
        outsider.clone(),
        entry.clone(),
        message.clone(),
        json!(gid("User", 999_999)),
        json!(gid("AssessmentCycle", 999_999)),
    ] {
        let answer = app.gql(Some(&c.employee), NODE, json!({"id": id})).await;
        assert_eq!(answer.data()["node"], Value::Null, "{id} is out of reach");
    }
    let many = app
        .gql(
            Some(&c.employee),
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({"ids": [c.cycle, outsider]}),
        )
        .await;
    assert_eq!(many.data()["nodes"], json!([{"id": c.cycle}, null]));
    // Without a token nothing is looked up.
    let anonymous = app.gql(None, NODE, json!({"id": c.cycle})).await;
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_malformed_id_is_refused_as_bad_user_input() {
    let app = spawn_app().await;
    let c = rated_cycle(&app).await;
    let unknown_type = URL_SAFE_NO_PAD.encode("Rating:1");
    let padded = format!("{}=", gid("User", 1));
    // A bare number says no type, so `node` cannot take it.
    for id in [
        "42",
        "not an id",
        "",
        unknown_type.as_str(),
        padded.as_str(),
    ] {
        let answer = app.gql(Some(&c.hr), NODE, json!({"id": id})).await;
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{id:?}: {:?}", answer.body);
    }
    let too_many: Vec<String> = (1..=101).map(|n| gid("User", n)).collect();
    let answer = app
        .gql(
            Some(&c.hr),
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({"ids": too_many}),
        )
        .await;
    assert_eq!(answer.code(), "BAD_USER_INPUT");
    let answer = app
        .gql(
            Some(&c.hr),
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({"ids": [c.cycle, "nope"]}),
        )
        .await;
    assert_eq!(answer.code(), "BAD_USER_INPUT");
    assert_eq!(
        answer.body["errors"][0]["extensions"]["problems"][0]["field"],
        "ids[1]"
    );
}

#[tokio::test]
async fn arguments_take_the_global_id_or_the_bare_number_and_refuse_another_types_id() {
    let app = spawn_app().await;
    let c = rated_cycle(&app).await;
    let me = app
        .gql(Some(&c.employee), "{ me { id name } }", json!({}))
        .await;
    let ada = me.data()["me"].clone();
    let user = "query($id: ID!) { user(id: $id) { id name } }";
    for id in [ada["id"].clone(), json!(ada["id"].db_id().to_string())] {
        let answer = app.gql(Some(&c.hr), user, json!({"id": id})).await;
        assert_eq!(answer.data()["user"], ada, "user(id: {id})");
    }
    // The cycle's bare number still reads the same assessments.
    let raw_cycle = json!(c.cycle).db_id().to_string();
    let assessments = "query($c: ID!, $u: ID!) { assessments(cycleId: $c, userId: $u) { id } }";
    let by_global = app
        .gql(
            Some(&c.hr),
            assessments,
            json!({"c": c.cycle, "u": ada["id"]}),
        )
        .await;
    let by_number = app
        .gql(
            Some(&c.hr),
            assessments,
            json!({"c": raw_cycle, "u": ada["id"]}),
        )
        .await;
    assert_eq!(by_global.data(), by_number.data());
    assert!(
        !by_global.data()["assessments"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // A team's id where a person's is expected names the argument.
    let team = gid("Team", c.growth);
    let refused = app.gql(Some(&c.hr), user, json!({"id": team})).await;
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    let problem = &refused.body["errors"][0]["extensions"]["problems"][0];
    assert_eq!(problem["field"], "id");
    assert_eq!(problem["message"], "is a Team id, not a User id");
    let refused = app
        .gql(Some(&c.hr), assessments, json!({"c": c.cycle, "u": team}))
        .await;
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    assert_eq!(
        refused.body["errors"][0]["extensions"]["problems"][0]["field"],
        "userId"
    );
}
