//! A person's rights over their data, over HTTP: the export holds their
//! records and nobody else's; erasing a departed person leaves their name
//! and email nowhere in the database, colleagues' records standing, and an
//! audit trail that still verifies.

use chrono::{Days, Utc};
use sea_orm::{DatabaseBackend, FromQueryResult, Statement};
use serde_json::{Value, json};
use skillpath::auth::Role;

use crate::assessment::{ADVANCE, OPEN, SUBMIT_MANAGER, placed, role_skills};
use crate::helpers::{DbId, TestApp, gid, spawn_app};

const EXPORT_MINE: &str = "{ exportMyData }";
const EXPORT_THEIRS: &str = "query($u: ID!) { exportPersonData(userId: $u) }";
const ERASE: &str = "mutation($u: ID!) { erasePerson(userId: $u, reason: \"Request 2026-117\") { personId rowsChanged } }";

/// How many rows of the whole database mention `needle`, table by table.
async fn mentions(app: &TestApp, needle: &str) -> Vec<(String, i64)> {
    #[derive(FromQueryResult)]
    struct Name {
        name: String,
    }
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let pattern = format!("%{}%", needle.to_lowercase());
    let tables_sql = match backend {
        DatabaseBackend::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    };
    let tables = Name::find_by_statement(Statement::from_string(backend, tables_sql))
        .all(db)
        .await
        .unwrap();
    let mut found = Vec::new();
    for table in tables.iter().map(|t| t.name.as_str()) {
        let where_clause = if backend == DatabaseBackend::Postgres {
            "LOWER(t::text) LIKE $1".to_owned()
        } else {
            let columns = Name::find_by_statement(Statement::from_string(
                backend,
                format!("SELECT name FROM pragma_table_info('{table}')"),
            ))
            .all(db)
            .await
            .unwrap();
            columns
                .iter()
                .map(|c| format!("LOWER(CAST(\"{}\" AS TEXT)) LIKE ?1", c.name))
                .collect::<Vec<_>>()
                .join(" OR ")
        };
        let sql = format!("SELECT COUNT(*) AS n FROM {table} t WHERE {where_clause}");
        let count = Count::find_by_statement(Statement::from_sql_and_values(
            backend,
            sql,
            [pattern.clone().into()],
        ))
        .one(db)
        .await
        .unwrap()
        .map_or(0, |c| c.n);
        if count > 0 {
            found.push((table.to_owned(), count));
        }
    }
    found
}

#[tokio::test]
async fn an_export_holds_the_persons_records_and_erasure_leaves_them_nowhere() {
    let app = spawn_app().await;
    app.person("admin@example.com", Role::Admin, None).await;
    let boss = placed(&app, "boss@example.com", Role::Manager, None, None, "m1").await;
    assert_eq!(boss.id, 2, "the people below report to id 2");
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let boss_token = app.token("boss@example.com").await;
    placed(
        &app,
        "zhu.erasable@example.com",
        Role::Employee,
        Some(boss.id),
        None,
        "p2",
    )
    .await;
    placed(
        &app,
        "ben.keeper@example.com",
        Role::Employee,
        Some(boss.id),
        None,
        "p2",
    )
    .await;
    let skills = role_skills(&app, &hr).await;
    let cycle = app
        .gql(
            Some(&hr),
            OPEN,
            json!({"input": {"name": "Spring", "start": true}}),
        )
        .await
        .data()["openAssessmentCycle"]["cycle"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql(Some(&hr), ADVANCE, json!({"id": cycle}))
        .await
        .data();
    // Records of every kind, written through the API; the manager's notes
    // name the person.
    let zhu = records_of(
        &app,
        "zhu.erasable@example.com",
        &boss_token,
        &cycle,
        &skills,
    )
    .await;
    let ben = records_of(&app, "ben.keeper@example.com", &boss_token, &cycle, &skills).await;
    app.deliver_pending_mail().await;

    // Zhu's export: their records, nobody else's.
    let zhu_token = app.token("zhu.erasable@example.com").await;
    let mine = app.gql(Some(&zhu_token), EXPORT_MINE, json!({})).await;
    let mine = mine.data()["exportMyData"].clone();
    let text = mine.to_string();
    assert_eq!(mine["person"]["email"], "zhu.erasable@example.com");
    for expected in [
        "Private goal note",
        "GA-123-SECRET",
        "Lead the spring campaign",
        "Talked with zhu.erasable",
        "Seen by zhu.erasable's manager",
    ] {
        assert!(text.contains(expected), "the export lacks {expected:?}");
    }
    assert!(!mine["performance_targets"].as_array().unwrap().is_empty());
    assert!(!mine["history"].as_array().unwrap().is_empty());
    assert!(
        !text.contains("ben.keeper"),
        "another person's data in the export"
    );
    assert!(
        mine["kpi_actuals"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["user_id"] == zhu),
        "another person's actuals in the export"
    );
    // HR runs it on request; a manager may not.
    let by_hr = app
        .gql(Some(&hr), EXPORT_THEIRS, json!({"u": zhu.to_string()}))
        .await;
    assert_eq!(by_hr.data()["exportPersonData"]["person"]["id"], zhu);
    let by_boss = app
        .gql(
            Some(&boss_token),
            EXPORT_THEIRS,
            json!({"u": zhu.to_string()}),
        )
        .await;
    assert_eq!(by_boss.code(), "FORBIDDEN");

    // Erasure is for people who have left.
    let still_here = app
        .gql(Some(&hr), ERASE, json!({"u": zhu.to_string()}))
        .await;
    assert_eq!(still_here.code(), "CONFLICT", "{}", still_here.message());
    assert!(!mentions(&app, "zhu.erasable").await.is_empty());
    app.gql(
        Some(&hr),
        "mutation($id: ID!) { updateUser(id: $id, input: {active: false}) { id } }",
        json!({"id": zhu.to_string()}),
    )
    .await
    .data();
    let by_boss = app
        .gql(Some(&boss_token), ERASE, json!({"u": zhu.to_string()}))
        .await;
    assert_eq!(by_boss.code(), "FORBIDDEN");
    let erased = app
        .gql(Some(&hr), ERASE, json!({"u": zhu.to_string()}))
        .await;
    assert!(
        erased.data()["erasePerson"]["rowsChanged"]
            .as_i64()
            .unwrap()
            > 5
    );

    // Nowhere: not in any table, not even the audit trail's values.
    assert_eq!(mentions(&app, "zhu.erasable").await, vec![]);
    assert_eq!(mentions(&app, "zhu.erasable@example.com").await, vec![]);
    assert_eq!(mentions(&app, "GA-123-SECRET").await, vec![]);
    assert!(
        !mentions(&app, "ben.keeper").await.is_empty(),
        "a colleague was erased too"
    );

    // Colleagues' records and the organisation's views still add up.
    let zhu_now = app
        .gql(
            Some(&hr),
            "query($u: ID!) { user(id: $u) { name email active } }",
            json!({"u": zhu.to_string()}),
        )
        .await;
    assert_eq!(
        zhu_now.data()["user"],
        json!({"name": format!("Erased person {zhu}"), "email": format!("erased-{zhu}@erased.invalid"), "active": false})
    );
    let ben_targets = app
        .gql(Some(&boss_token), "query($u: ID!) { performance(userId: $u, period: \"2026-Q4\") { targets { target { note } } } }", json!({"u": ben.to_string()}))
        .await;
    assert_eq!(
        ben_targets.data()["performance"]["targets"][0]["target"]["note"],
        "Private goal note"
    );
    let cycles = app
        .gql(
            Some(&hr),
            "{ assessmentCycles(first: 5) { nodes { progress { managerSubmitted } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        cycles.data()["assessmentCycles"]["nodes"][0]["progress"]["managerSubmitted"],
        2
    );
    // The trail keeps the fact and still verifies.
    let admin = app.token("admin@example.com").await;
    let log = app
        .gql(Some(&admin), "{ auditLog(filter: {action: \"person.erase\"}) { edges { node { subject { id } changes { field to } } } } }", json!({}))
        .await;
    let node = &log.data()["auditLog"]["edges"][0]["node"];
    assert_eq!(node["subject"]["id"], gid("User", zhu));
    let (intact, said) = crate::audit::verify(&app).await;
    assert!(intact, "{said}");
    // Erasing twice is refused.
    let again = app
        .gql(Some(&hr), ERASE, json!({"u": zhu.to_string()}))
        .await;
    assert_eq!(again.code(), "CONFLICT");
}

/// Gives the boss's report `email` a record of every kind; returns their id.
async fn records_of(app: &TestApp, email: &str, boss: &str, cycle: &str, skills: &[String]) -> i64 {
    let person = app
        .gql(
            Some(boss),
            "{ me { directReports { id email } } }",
            json!({}),
        )
        .await;
    let id: i64 = person.data()["me"]["directReports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["email"] == email)
        .unwrap()["id"]
        .db_id();
    let name = email.split('@').next().unwrap();
    let token = app.token(email).await;
    let u = id.to_string();
    let today = Utc::now().date_naive();
    let due = (today + Days::new(60)).to_string();
    let calls: Vec<(&str, &str, Value)> = vec![
        (
            boss,
            "mutation($u: ID!) { setPerformanceTargets(userId: $u, period: \"2026-Q4\", targets: [{kpi: \"new_users\", weight: 100, target: 10, note: \"Private goal note\"}]) { id } }",
            json!({"u": u}),
        ),
        (
            boss,
            "mutation($u: ID!, $n: String!) { recordKpiActual(userId: $u, period: \"2026-Q4\", kpi: \"new_users\", value: 4, note: $n) { id } }",
            json!({"u": u, "n": format!("Counted by hand for {name}")}),
        ),
        (
            &token,
            "mutation($c: String!) { recordCertification(input: {certification: \"google_analytics_certification\", status: EARNED, credential: $c}) { id } }",
            json!({"c": if name == "zhu.erasable" { "GA-123-SECRET" } else { "GA-456" }}),
        ),
        (
            boss,
            "mutation($u: ID!, $d: Date!) { createDevelopmentPlan(userId: $u, target: {role: \"user_operations\", level: \"p3\"}, goals: [{kind: STRETCH_ASSIGNMENT, title: \"Lead the spring campaign\", skill: \"retention_incentives\", requiredLevel: 3, dueOn: $d}]) { id } }",
            json!({"u": u, "d": due}),
        ),
    ];
    let mut plan = Value::Null;
    for (token, query, variables) in calls {
        let answer = app.gql(Some(token), query, variables).await;
        if let Some(created) = answer.data().get("createDevelopmentPlan") {
            plan = created["id"].clone();
        }
    }
    app.gql(
        Some(boss),
        "mutation($p: ID!, $on: Date!, $n: String!) { recordCheckIn(planId: $p, heldOn: $on, notes: $n) { id } }",
        json!({"p": plan, "on": today.to_string(), "n": format!("Talked with {name} ({email}) about the campaign")}),
    )
    .await
    .data();
    let ratings: Vec<Value> = skills
        .iter()
        .map(|s| json!({"skill": s, "level": 2, "evidence": format!("Seen by {name}'s manager")}))
        .collect();
    app.gql(
        Some(boss),
        SUBMIT_MANAGER,
        json!({"c": cycle, "u": u, "r": ratings}),
    )
    .await
    .data();
    id
}
