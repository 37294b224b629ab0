//! The competency framework: the shipped default, versions, files, rights.

use serde_json::{Value, json};
use skillpath::auth::Role;

use crate::helpers::{TestApp, spawn_app};

const AREAS: [&str; 5] = [
    "insight",
    "analytics",
    "activity_planning",
    "community",
    "project_management",
];

const OVERVIEW: &str = "query($l: Locale) { framework(locale: $l) { version status name locale
    areas { key name skills { key name descriptors { level text } } }
    roles { key name levels { key rank track title } }
    paths { kind from { roleKey key } to { roleKey key } direction { key } gates { minMonths minKpiAttainment certifications { key } } }
    kpiFamilies { key kpis { key unit direction aggregation } }
    certificationFamilies { key certifications { key validityMonths } }
    learningResources { key skills { key } } } }";

async fn admin(app: &TestApp) -> String {
    app.person("admin@example.com", Role::Admin, None).await;
    app.token("admin@example.com").await
}

#[tokio::test]
async fn a_fresh_start_serves_the_default_framework_in_both_languages() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let en = app.gql(Some(&token), OVERVIEW, json!({"l": "EN"})).await;
    let fw = &en.data()["framework"];
    assert_eq!(fw["version"], 1);
    assert_eq!(fw["status"], "PUBLISHED");
    let areas: Vec<&str> = fw["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert_eq!(areas, AREAS);
    for area in fw["areas"].as_array().unwrap() {
        let skills = area["skills"].as_array().unwrap();
        assert!(
            (4..=8).contains(&skills.len()),
            "{} has {} skills",
            area["key"],
            skills.len()
        );
        for skill in skills {
            assert_eq!(skill["descriptors"].as_array().unwrap().len(), 5);
        }
    }
    let roles: Vec<&str> = fw["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    for role in [
        "user_operations",
        "content_operations",
        "activity_operations",
        "community_operations",
        "data_operations",
    ] {
        assert!(roles.contains(&role), "missing {role}");
    }
    for role in fw["roles"].as_array().unwrap() {
        let tracks: Vec<&str> = role["levels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["track"].as_str().unwrap())
            .collect();
        assert!((5..=6).contains(&tracks.len()));
        assert!(tracks.contains(&"INDIVIDUAL_CONTRIBUTOR") && tracks.contains(&"MANAGEMENT"));
    }
    let families: Vec<&str> = fw["kpiFamilies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        families,
        [
            "user_metrics",
            "channel_metrics",
            "product_metrics",
            "business_metrics"
        ]
    );
    let directions: std::collections::HashSet<&str> = fw["paths"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["direction"]["key"].as_str())
        .collect();
    assert_eq!(
        directions.len(),
        3,
        "all three advancement directions are used: {directions:?}"
    );
    assert!(fw["name"].as_str().unwrap().contains("framework"));

    // The same framework in Chinese: by argument, by Accept-Language, by the caller's own setting.
    let zh = app.gql(Some(&token), OVERVIEW, json!({"l": "ZH_CN"})).await;
    assert_eq!(zh.data()["framework"]["areas"][0]["name"], "用户洞察");
    let header = app
        .http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&token)
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.5")
        .json(&json!({"query": "{ framework { locale areas { name } } }"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(header["data"]["framework"]["locale"], "ZH_CN");
    assert_eq!(header["data"]["framework"]["areas"][0]["name"], "用户洞察");
}

#[tokio::test]
async fn every_default_role_has_a_full_matrix() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let roles = app
        .gql(Some(&token), "{ framework { roles { key } } }", json!({}))
        .await;
    let matrix = "query($r: String!) { roleMatrix(role: $r) { levels { key } rows { skill { key areaKey } cells { levelKey required weight } } } }";
    for role in roles.data()["framework"]["roles"].as_array().unwrap() {
        let key = role["key"].as_str().unwrap();
        let answer = app.gql(Some(&token), matrix, json!({"r": key})).await;
        let grid = &answer.data()["roleMatrix"];
        let levels: Vec<&str> = grid["levels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["key"].as_str().unwrap())
            .collect();
        let rows = grid["rows"].as_array().unwrap();
        assert!(rows.len() >= 12, "{key} has {} skills", rows.len());
        let areas: std::collections::HashSet<&str> = rows
            .iter()
            .map(|r| r["skill"]["areaKey"].as_str().unwrap())
            .collect();
        assert_eq!(areas.len(), 5, "{key} spans all five areas");
        for row in rows {
            let cells: Vec<&str> = row["cells"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["levelKey"].as_str().unwrap())
                .collect();
            assert_eq!(cells, levels, "{key}: every level has a cell");
            for cell in row["cells"].as_array().unwrap() {
                assert!((0..=5).contains(&cell["required"].as_i64().unwrap()));
                assert!((1..=5).contains(&cell["weight"].as_i64().unwrap()));
            }
        }
    }
    let unknown = app
        .gql(Some(&token), matrix, json!({"r": "astronaut"}))
        .await;
    assert_eq!(unknown.code(), "NOT_FOUND");
}

const EXPORT: &str = "query($v: Int, $d: Boolean, $f: DocumentFormat) { exportFramework(version: $v, draft: $d, format: $f) }";
const IMPORT: &str = "mutation($doc: String!, $f: DocumentFormat!) { importFramework(document: $doc, format: $f) { status version } }";
const PUBLISH: &str = "mutation { publishFrameworkDraft { version status } }";

#[tokio::test]
async fn export_then_import_gives_an_identical_framework() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    for format in ["YAML", "JSON"] {
        let exported = app
            .gql(Some(&token), EXPORT, json!({"v": 1, "f": format}))
            .await;
        let file = exported.data()["exportFramework"]
            .as_str()
            .unwrap()
            .to_owned();
        let imported = app
            .gql(Some(&token), IMPORT, json!({"doc": file, "f": format}))
            .await;
        assert_eq!(imported.data()["importFramework"]["status"], "DRAFT");
        let again = app
            .gql(Some(&token), EXPORT, json!({"d": true, "f": format}))
            .await;
        assert_eq!(
            again.data()["exportFramework"].as_str().unwrap(),
            file,
            "{format} round trip"
        );
    }
    let published = app.gql(Some(&token), PUBLISH, json!({})).await;
    assert_eq!(published.data()["publishFrameworkDraft"]["version"], 2);
    let v1 = app
        .gql(Some(&token), EXPORT, json!({"v": 1, "f": "JSON"}))
        .await;
    let v2 = app
        .gql(Some(&token), EXPORT, json!({"v": 2, "f": "JSON"}))
        .await;
    assert_eq!(
        v1.data(),
        &json!({"exportFramework": v2.data()["exportFramework"]})
    );

    // The matrix CSV round-trips too.
    let csv = app
        .gql(
            Some(&token),
            "{ exportRoleMatrix(role: \"data_operations\") }",
            json!({}),
        )
        .await
        .data()["exportRoleMatrix"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql(
        Some(&token),
        "mutation { createFrameworkDraft { status } }",
        json!({}),
    )
    .await
    .data();
    let imported = app
        .gql(
            Some(&token),
            "mutation($csv: String!) { importRoleMatrix(role: \"data_operations\", csv: $csv) { rows { skill { key } } } }",
            json!({"csv": csv}),
        )
        .await;
    imported.data();
    let draft = app
        .gql(Some(&token), EXPORT, json!({"d": true, "f": "JSON"}))
        .await;
    assert_eq!(
        draft.data()["exportFramework"],
        v2.data()["exportFramework"]
    );
}

#[tokio::test]
async fn publishing_a_new_version_leaves_the_old_one_unchanged() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let descriptor = "query($v: Int) { framework(version: $v) { version skill(key: \"user_persona\") { descriptor(level: 3) } } roleMatrix(role: \"user_operations\", version: $v) { rows { skill { key } cells { levelKey required } } } }";
    let before = app
        .gql(Some(&token), descriptor, json!({"v": 1}))
        .await
        .data()
        .clone();

    app.gql(
        Some(&token),
        "mutation { createFrameworkDraft { status } }",
        json!({}),
    )
    .await
    .data();
    let edit = app
        .gql(
            Some(&token),
            "mutation { setSkillDescriptor(skill: \"user_persona\", level: 3, text: {en: \"Rewritten.\", zhCn: \"重写。\"}) { status } }",
            json!({}),
        )
        .await;
    edit.data();
    let cell = app
        .gql(
            Some(&token),
            "mutation { setSkillRequirement(role: \"user_operations\", level: \"p1\", skill: \"user_persona\", required: 2, weight: 4) { rows { skill { key } } } }",
            json!({}),
        )
        .await;
    cell.data();
    // Nothing changes for readers until the draft is published.
    assert_eq!(
        app.gql(Some(&token), descriptor, json!({})).await.data()["framework"]["version"],
        1
    );
    app.gql(Some(&token), PUBLISH, json!({})).await.data();

    let current = app.gql(Some(&token), descriptor, json!({})).await;
    assert_eq!(current.data()["framework"]["version"], 2);
    assert_eq!(
        current.data()["framework"]["skill"]["descriptor"],
        "Rewritten."
    );
    let after = app.gql(Some(&token), descriptor, json!({"v": 1})).await;
    assert_eq!(after.data(), &before, "version 1 is exactly as it was");
}

#[tokio::test]
async fn an_invalid_framework_is_refused_with_every_problem_and_changes_nothing() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let exported = app
        .gql(Some(&token), EXPORT, json!({"v": 1, "f": "JSON"}))
        .await;
    let mut doc: Value =
        serde_json::from_str(exported.data()["exportFramework"].as_str().unwrap()).unwrap();
    doc["areas"][0]["skills"][0]["name"]["zh-CN"] = json!("");
    doc["roles"][0]["requirements"]["user_persona"]["levels"]["p2"] = json!(7);
    doc["roles"][0]["requirements"]["not_a_skill"] =
        json!({"weight": 1, "levels": {"p1": 1, "p2": 1, "p3": 1, "p4": 1, "m1": 1, "m2": 1}});
    doc["paths"].as_array_mut().unwrap().push(
        json!({"from": "user_operations/p2", "to": "user_operations/p1", "kind": "promotion"}),
    );
    let refused = app
        .gql(
            Some(&token),
            IMPORT,
            json!({"doc": doc.to_string(), "f": "JSON"}),
        )
        .await;
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    let fields: Vec<String> = refused.body["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap().to_owned())
        .collect();
    for expected in [
        "areas[insight].skills[user_persona].name.zh-CN",
        "roles[user_operations].requirements[user_persona].levels[p2]",
        "roles[user_operations].requirements[not_a_skill]",
    ] {
        assert!(
            fields.iter().any(|f| f == expected),
            "{expected} not in {fields:#?}"
        );
    }
    assert!(
        fields.iter().any(|f| f.starts_with("paths[")),
        "the backwards promotion is reported: {fields:#?}"
    );
    assert!(
        fields.iter().any(|f| f == "paths"),
        "the cycle is reported: {fields:#?}"
    );

    let unknown_field = app
        .gql(Some(&token), IMPORT, json!({"doc": "{\"format\": \"skillpath.framework/v1\", \"surprise\": 1}", "f": "JSON"}))
        .await;
    assert_eq!(unknown_field.code(), "BAD_USER_INPUT");
    let draft = app
        .gql(Some(&token), "{ frameworkDraft { status } }", json!({}))
        .await;
    assert!(
        draft.data()["frameworkDraft"].is_null(),
        "no draft was created"
    );
}

#[tokio::test]
async fn only_admins_change_the_structure_and_hr_the_catalogues() {
    let app = spawn_app().await;
    let admin_token = admin(&app).await;
    app.person("hr@example.com", Role::Hr, None).await;
    app.person("ada@example.com", Role::Employee, None).await;
    let hr = app.token("hr@example.com").await;
    let employee = app.token("ada@example.com").await;

    // Everyone signed in reads the framework.
    app.gql(Some(&employee), "{ framework { version } }", json!({}))
        .await
        .data();
    assert_eq!(
        app.gql(None, "{ framework { version } }", json!({}))
            .await
            .code(),
        "UNAUTHENTICATED"
    );

    assert_eq!(
        app.gql(
            Some(&employee),
            "mutation { createFrameworkDraft { status } }",
            json!({})
        )
        .await
        .code(),
        "FORBIDDEN"
    );
    app.gql(
        Some(&hr),
        "mutation { createFrameworkDraft { status } }",
        json!({}),
    )
    .await
    .data();
    let kpi = "mutation { upsertKpi(family: \"business_metrics\", input: {key: \"gross_margin\", name: {en: \"Gross margin\", zhCn: \"毛利率\"}, description: {en: \"Gross profit over revenue.\", zhCn: \"毛利除以收入。\"}, unit: PERCENT, direction: HIGHER_IS_BETTER, aggregation: LAST}) { kpis { key } } }";
    let added = app.gql(Some(&hr), kpi, json!({})).await;
    assert!(
        added.data()["upsertKpi"]["kpis"]
            .as_array()
            .unwrap()
            .contains(&json!({"key": "gross_margin"}))
    );
    let structural = "mutation { setSkillRequirement(role: \"user_operations\", level: \"p1\", skill: \"user_persona\", required: 2, weight: 4) { rows { skill { key } } } }";
    assert_eq!(
        app.gql(Some(&hr), structural, json!({})).await.code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(Some(&hr), PUBLISH, json!({})).await.code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(Some(&admin_token), PUBLISH, json!({})).await.data()["publishFrameworkDraft"]["version"],
        2
    );
    let second = app
        .gql(
            Some(&hr),
            "mutation { createFrameworkDraft { status } }",
            json!({}),
        )
        .await;
    second.data();
    let conflict = app
        .gql(
            Some(&hr),
            "mutation { createFrameworkDraft { status } }",
            json!({}),
        )
        .await;
    assert_eq!(conflict.code(), "CONFLICT");
}

#[tokio::test]
async fn reading_the_whole_framework_takes_a_bounded_number_of_statements() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    // Warm the version cache, then measure a full read.
    app.gql(Some(&token), OVERVIEW, json!({})).await.data();
    let before = app.state.statements.get();
    app.gql(Some(&token), OVERVIEW, json!({})).await.data();
    let used = app.state.statements.get() - before;
    // Authenticating the caller (1–2) plus finding the current version (1):
    // the same for a framework of any size.
    assert!(used <= 3, "a full framework read ran {used} statements");
}

#[tokio::test]
async fn people_are_placed_on_real_roles_and_levels() {
    let app = spawn_app().await;
    let token = admin(&app).await;
    let create = "mutation($r: String, $l: String) { createUser(input: {email: \"x@example.com\", name: \"X\", jobRole: $r, careerLevel: $l}) { jobRole careerLevel } }";
    let wrong = app
        .gql(
            Some(&token),
            create,
            json!({"r": "user_operations", "l": "p9"}),
        )
        .await;
    assert_eq!(wrong.code(), "BAD_USER_INPUT");
    let unknown = app
        .gql(Some(&token), create, json!({"r": "astronaut", "l": "p1"}))
        .await;
    assert_eq!(unknown.code(), "BAD_USER_INPUT");
    let fine = app
        .gql(
            Some(&token),
            create,
            json!({"r": "user_operations", "l": "p2"}),
        )
        .await;
    assert_eq!(fine.data()["createUser"]["careerLevel"], "p2");
}
