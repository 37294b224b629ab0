//! Certification coverage per level, counted by the database: a level that
//! requires two certificates is covered only by people holding both, valid
//! today and earned (not planned or in progress).

use serde_json::json;
use skillpath::auth::Role;
use skillpath::people::{self, NewPerson};

use crate::assessment::placed;
use crate::helpers::spawn_app;

const SUMMARY: &str = "{ certificationSummary { levelCoverage { jobRole careerLevel required people holdingAllRequired } } }";
const RECORD: &str =
    "mutation($i: RecordCertificationInput!) { recordCertification(input: $i) { status } }";

#[tokio::test]
async fn a_level_is_covered_by_those_holding_every_required_certificate_valid_today() {
    let app = spawn_app().await;
    app.person("admin@example.com", Role::Admin, None).await;
    app.person("hr@example.com", Role::Hr, None).await;
    let admin = app.token("admin@example.com").await;
    let hr = app.token("hr@example.com").await;

    // Data operations p3 now requires the CDA Level I certificate and the PMP.
    let exported = app
        .gql(Some(&admin), "{ exportFramework(format: JSON) }", json!({}))
        .await;
    let mut document: serde_json::Value =
        serde_json::from_str(exported.data()["exportFramework"].as_str().unwrap()).unwrap();
    let level = document["roles"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["key"] == "data_operations")
        .unwrap()["levels"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|l| l["key"] == "p3")
        .unwrap();
    assert_eq!(level["certifications"]["required"], json!(["cda_level_1"]));
    level["certifications"]["required"] = json!(["cda_level_1", "pmp"]);
    let edited = document.to_string();
    app.gql(
        Some(&admin),
        "mutation($d: String!) { importFramework(document: $d, format: JSON) { status } }",
        json!({"d": edited}),
    )
    .await
    .data();
    app.gql(
        Some(&admin),
        "mutation { publishFrameworkDraft { version } }",
        json!({}),
    )
    .await
    .data();

    let boss = placed(&app, "boss@example.com", Role::Manager, None, None, "m1").await;
    let mut people = Vec::new();
    for (i, manager) in [Some(boss.id), Some(boss.id), None, None]
        .into_iter()
        .enumerate()
    {
        let email = format!("p{i}@example.com");
        let person = people::insert_person(
            &app.state.db,
            &app.state.auth.hasher,
            NewPerson {
                email: email.clone(),
                name: email,
                role: Some(Role::Employee),
                manager_id: manager,
                job_role: Some("data_operations".into()),
                career_level: Some("p3".into()),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap();
        people.push(person.id);
    }
    let today = chrono::Utc::now().date_naive();
    let record = |user: i64, certification: &str, status: &str, earned: Option<String>| json!({"i": {"userId": user.to_string(), "certification": certification, "status": status, "earnedOn": earned}});
    let recent = Some((today - chrono::Days::new(30)).to_string());
    let long_ago = Some("2015-01-10".to_owned());
    for (user, certification, status, earned) in [
        // p0: both, valid: covered.
        (people[0], "cda_level_1", "EARNED", recent.clone()),
        (people[0], "pmp", "EARNED", recent.clone()),
        // p1: only one of the two.
        (people[1], "cda_level_1", "EARNED", recent.clone()),
        // p2: both, but the PMP has lapsed.
        (people[2], "cda_level_1", "EARNED", recent.clone()),
        (people[2], "pmp", "EARNED", long_ago),
        // p3: both, but the CDA is still in progress.
        (people[3], "cda_level_1", "IN_PROGRESS", None),
        (people[3], "pmp", "EARNED", recent.clone()),
    ] {
        app.gql(
            Some(&hr),
            RECORD,
            record(user, certification, status, earned),
        )
        .await
        .data();
    }

    let coverage = |token: String| {
        let app = &app;
        async move {
            let answer = app.gql(Some(&token), SUMMARY, json!({})).await;
            answer.data()["certificationSummary"]["levelCoverage"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["jobRole"] == "data_operations" && c["careerLevel"] == "p3")
                .cloned()
        }
    };
    assert_eq!(
        coverage(hr.clone()).await,
        Some(json!({"jobRole": "data_operations", "careerLevel": "p3",
                    "required": ["cda_level_1", "pmp"], "people": 4, "holdingAllRequired": 1}))
    );
    // The boss counts only his own reports.
    let boss_token = app.token("boss@example.com").await;
    assert_eq!(
        coverage(boss_token).await,
        Some(json!({"jobRole": "data_operations", "careerLevel": "p3",
                    "required": ["cda_level_1", "pmp"], "people": 2, "holdingAllRequired": 1}))
    );
}
