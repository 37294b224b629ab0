//! Flows that had no test of their own: peer input from request to draft to
//! submission, withdrawing a certification, editing the certification
//! catalogue in a draft, discarding a draft, and the list of framework versions.

use serde_json::{Value, json};
use skillpath::auth::Role;

use crate::assessment::{ADVANCE, OPEN, all_at, placed, role_skills};
use crate::helpers::{TestApp, spawn_app};

const REQUEST_PEER: &str =
    "mutation($c: ID!, $u: ID!, $p: ID!) { requestPeerInput(cycleId: $c, userId: $u, peerId: $p) }";
const SAVE_PEER: &str = "mutation($c: ID!, $u: ID!, $r: [RatingInput!]!) { savePeerAssessment(cycleId: $c, userId: $u, ratings: $r) { kind status ratings { skillKey level } } }";
const SUBMIT_PEER: &str = "mutation($c: ID!, $u: ID!, $r: [RatingInput!]!) { submitPeerAssessment(cycleId: $c, userId: $u, ratings: $r) { kind status ratings { skillKey level } } }";
const VERSIONS: &str = "{ frameworkVersions { number status publishedAt } }";

async fn open_cycle(app: &TestApp, hr: &str) -> String {
    let opened = app
        .gql(
            Some(hr),
            OPEN,
            json!({"input": {"name": "Spring", "start": true}}),
        )
        .await;
    opened.data()["openAssessmentCycle"]["cycle"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn levels(assessment: &Value) -> Vec<i64> {
    let mut levels: Vec<i64> = assessment["ratings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["level"].as_i64().unwrap())
        .collect();
    levels.sort();
    levels.dedup();
    levels
}

#[tokio::test]
async fn a_peer_asked_for_input_saves_a_draft_then_submits_it_once() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let boss = placed(&app, "boss@example.com", Role::Manager, None, None, "m1").await;
    let ada = placed(
        &app,
        "ada@example.com",
        Role::Employee,
        Some(boss.id),
        None,
        "p2",
    )
    .await;
    let peer = placed(&app, "peer@example.com", Role::Employee, None, None, "p2").await;
    placed(&app, "other@example.com", Role::Employee, None, None, "p2").await;
    let skills = role_skills(&app, &hr).await;
    let cycle = open_cycle(&app, &hr).await;
    let boss_token = app.token("boss@example.com").await;
    let peer_token = app.token("peer@example.com").await;
    let other_token = app.token("other@example.com").await;
    let about_ada = |r: Value| json!({"c": cycle, "u": ada.id.to_string(), "r": r});

    // Peer input belongs to manager review.
    app.gql(Some(&hr), ADVANCE, json!({"id": cycle}))
        .await
        .data();
    // Before anyone asks, a colleague cannot give input.
    let uninvited = app
        .gql(Some(&peer_token), SAVE_PEER, about_ada(all_at(&skills, 2)))
        .await;
    assert_eq!(uninvited.code(), "FORBIDDEN", "{}", uninvited.message());
    // Only the manager may ask (Ada cannot pick her own reviewers).
    let ada_token = app.token("ada@example.com").await;
    let self_picked = app
        .gql(
            Some(&ada_token),
            REQUEST_PEER,
            json!({"c": cycle, "u": ada.id.to_string(), "p": peer.id.to_string()}),
        )
        .await;
    assert_eq!(self_picked.code(), "FORBIDDEN");
    let asked = app
        .gql(
            Some(&boss_token),
            REQUEST_PEER,
            json!({"c": cycle, "u": ada.id.to_string(), "p": peer.id.to_string()}),
        )
        .await;
    assert_eq!(asked.data()["requestPeerInput"], true);

    // A draft can be saved and saved again; the last save is what is kept.
    let draft = app
        .gql(Some(&peer_token), SAVE_PEER, about_ada(all_at(&skills, 2)))
        .await;
    assert_eq!(draft.data()["savePeerAssessment"]["kind"], "PEER");
    assert_eq!(draft.data()["savePeerAssessment"]["status"], "DRAFT");
    let redraft = app
        .gql(Some(&peer_token), SAVE_PEER, about_ada(all_at(&skills, 4)))
        .await;
    assert_eq!(levels(&redraft.data()["savePeerAssessment"]), vec![4]);
    assert_eq!(
        redraft.data()["savePeerAssessment"]["ratings"]
            .as_array()
            .unwrap()
            .len(),
        skills.len()
    );
    // Someone who was not asked still cannot.
    let other = app
        .gql(Some(&other_token), SAVE_PEER, about_ada(all_at(&skills, 1)))
        .await;
    assert_eq!(other.code(), "FORBIDDEN");

    // Submitting with no ratings keeps the draft's.
    let submitted = app
        .gql(Some(&peer_token), SUBMIT_PEER, about_ada(json!([])))
        .await;
    assert_eq!(
        submitted.data()["submitPeerAssessment"]["status"],
        "SUBMITTED"
    );
    assert_eq!(levels(&submitted.data()["submitPeerAssessment"]), vec![4]);
    // Once the cycle moves on to calibration, peer input is closed.
    let moved_on = app.gql(Some(&hr), ADVANCE, json!({"id": cycle})).await;
    assert_eq!(
        moved_on.data()["advanceAssessmentCycle"]["status"],
        "CALIBRATION"
    );
    let late_save = app
        .gql(Some(&peer_token), SAVE_PEER, about_ada(all_at(&skills, 1)))
        .await;
    assert_eq!(late_save.code(), "CONFLICT");
    let read = "query($c: ID!, $u: ID!) { assessments(cycleId: $c, userId: $u) { kind status ratings { level } } }";
    let seen = app
        .gql(
            Some(&boss_token),
            read,
            json!({"c": cycle, "u": ada.id.to_string()}),
        )
        .await;
    let peer_rows: Vec<&Value> = seen.data()["assessments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "PEER")
        .collect();
    assert_eq!(peer_rows.len(), 1);
    assert_eq!(peer_rows[0]["status"], "SUBMITTED");
    assert_eq!(levels(peer_rows[0]), vec![4]);
}

#[tokio::test]
async fn a_withdrawn_certification_is_no_longer_held_and_its_history_says_so() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let boss = placed(&app, "boss@example.com", Role::Manager, None, None, "m1").await;
    placed(
        &app,
        "ada@example.com",
        Role::Employee,
        Some(boss.id),
        None,
        "p2",
    )
    .await;
    placed(&app, "bo@example.com", Role::Employee, None, None, "p2").await;
    let ada = app.token("ada@example.com").await;
    let bo = app.token("bo@example.com").await;
    let recorded = app
        .gql(
            Some(&ada),
            "mutation { recordCertification(input: {certification: \"google_analytics_certification\", status: EARNED, earnedOn: \"2026-01-10\"}) { id status } }",
            json!({}),
        )
        .await;
    let record = recorded.data()["recordCertification"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql(
        Some(&hr),
        "mutation($r: ID!) { verifyCertification(recordId: $r) { verified } }",
        json!({"r": record}),
    )
    .await
    .data();
    const WITHDRAW: &str =
        "mutation($r: ID!) { withdrawCertification(recordId: $r) { status verified } }";

    // Someone else's record is out of reach: nothing changes.
    let stranger = app.gql(Some(&bo), WITHDRAW, json!({"r": record})).await;
    assert_eq!(stranger.code(), "FORBIDDEN");
    let missing = app.gql(Some(&ada), WITHDRAW, json!({"r": "999999"})).await;
    assert_eq!(missing.code(), "NOT_FOUND");

    let withdrawn = app.gql(Some(&ada), WITHDRAW, json!({"r": record})).await;
    assert_eq!(
        withdrawn.data()["withdrawCertification"],
        json!({"status": "WITHDRAWN", "verified": false}),
        "a withdrawn record loses its verification"
    );
    let held = app
        .gql(
            Some(&hr),
            "{ certificationProgress(filter: {status: EARNED}, first: 10) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(held.data()["certificationProgress"]["edges"], json!([]));
    let history = app
        .gql(
            Some(&ada),
            "query($r: ID!) { certificationHistory(recordId: $r) { nodes { action } } }",
            json!({"r": record}),
        )
        .await;
    let actions: Vec<&str> = history.data()["certificationHistory"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.last(), Some(&"WITHDRAWN"), "{actions:?}");
}

const UPSERT_CERT: &str = "mutation($f: String!, $i: CertificationInput!) { upsertCertification(family: $f, input: $i) { status certificationFamilies { key certifications { key validityMonths skills { key } } } } }";

fn catalogue_entry(answer: &Value, family: &str, key: &str) -> Option<Value> {
    answer["certificationFamilies"]
        .as_array()?
        .iter()
        .find(|f| f["key"] == family)?["certifications"]
        .as_array()?
        .iter()
        .find(|c| c["key"] == key)
        .cloned()
}

#[tokio::test]
async fn hr_edits_the_certification_catalogue_in_a_draft_and_a_discarded_draft_leaves_no_trace() {
    let app = spawn_app().await;
    app.person("admin@example.com", Role::Admin, None).await;
    app.person("hr@example.com", Role::Hr, None).await;
    app.person("ada@example.com", Role::Employee, None).await;
    let admin = app.token("admin@example.com").await;
    let hr = app.token("hr@example.com").await;
    let ada = app.token("ada@example.com").await;
    let family = app
        .gql(
            Some(&hr),
            "{ framework { certificationFamilies { key } } }",
            json!({}),
        )
        .await
        .data()["framework"]["certificationFamilies"][0]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let text = |s: &str| json!({"en": s, "zhCn": s});
    let input = |months: Option<i64>| {
        json!({"key": "community_manager_cert", "name": text("Community manager"),
               "issuer": text("Guild"), "description": text("Runs communities."),
               "validityMonths": months, "skills": ["user_persona"]})
    };

    // No draft yet: the edit says how to start one.
    let no_draft = app
        .gql(
            Some(&hr),
            UPSERT_CERT,
            json!({"f": family, "i": input(Some(24))}),
        )
        .await;
    assert_eq!(no_draft.code(), "NOT_FOUND");
    app.gql(
        Some(&admin),
        "mutation { createFrameworkDraft { status } }",
        json!({}),
    )
    .await
    .data();
    // Employees do not keep catalogues.
    let employee = app
        .gql(
            Some(&ada),
            UPSERT_CERT,
            json!({"f": family, "i": input(Some(24))}),
        )
        .await;
    assert_eq!(employee.code(), "FORBIDDEN");
    // Bad input changes nothing.
    let unknown_skill = app
        .gql(
            Some(&hr),
            UPSERT_CERT,
            json!({"f": family, "i": {"key": "x", "name": text("X"), "issuer": text("X"), "description": text("X"), "skills": ["no_such_skill"]}}),
        )
        .await;
    assert_eq!(unknown_skill.code(), "BAD_USER_INPUT");
    let negative = app
        .gql(
            Some(&hr),
            UPSERT_CERT,
            json!({"f": family, "i": input(Some(-1))}),
        )
        .await;
    assert_eq!(negative.code(), "BAD_USER_INPUT");

    let added = app
        .gql(
            Some(&hr),
            UPSERT_CERT,
            json!({"f": family, "i": input(Some(24))}),
        )
        .await;
    let entry = catalogue_entry(
        &added.data()["upsertCertification"],
        &family,
        "community_manager_cert",
    );
    assert_eq!(
        entry,
        Some(
            json!({"key": "community_manager_cert", "validityMonths": 24, "skills": [{"key": "user_persona"}]})
        )
    );
    // The same key replaces: now without expiry.
    let replaced = app
        .gql(
            Some(&hr),
            UPSERT_CERT,
            json!({"f": family, "i": input(None)}),
        )
        .await;
    let entry = catalogue_entry(
        &replaced.data()["upsertCertification"],
        &family,
        "community_manager_cert",
    );
    assert_eq!(entry.unwrap()["validityMonths"], Value::Null);
    let families = replaced.data()["upsertCertification"]["certificationFamilies"].clone();
    let count = |families: &Value| {
        families
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| f["certifications"].as_array().unwrap())
            .filter(|c| c["key"] == "community_manager_cert")
            .count()
    };
    assert_eq!(count(&families), 1, "replaced, not added twice");

    // Readers still see the published framework, without the new entry.
    let published = app
        .gql(
            Some(&ada),
            "{ framework { status certificationFamilies { key certifications { key validityMonths skills { key } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(published.data()["framework"]["status"], "PUBLISHED");
    assert_eq!(
        catalogue_entry(
            &published.data()["framework"],
            &family,
            "community_manager_cert"
        ),
        None
    );

    // Only admins discard a draft; HR keeps catalogues but not the structure.
    let by_hr = app
        .gql(Some(&hr), "mutation { discardFrameworkDraft }", json!({}))
        .await;
    assert_eq!(by_hr.code(), "FORBIDDEN");
    let before = app
        .gql(Some(&admin), VERSIONS, json!({}))
        .await
        .data()
        .clone();
    assert_eq!(
        before["frameworkVersions"].as_array().unwrap()[0]["status"],
        "DRAFT"
    );
    let discarded = app
        .gql(
            Some(&admin),
            "mutation { discardFrameworkDraft }",
            json!({}),
        )
        .await;
    assert_eq!(discarded.data()["discardFrameworkDraft"], true);
    let after = app.gql(Some(&admin), VERSIONS, json!({})).await;
    assert_eq!(
        after.data()["frameworkVersions"],
        json!([{"number": 1, "status": "PUBLISHED", "publishedAt": after.data()["frameworkVersions"][0]["publishedAt"]}]),
        "only the published version is left"
    );
    assert!(after.data()["frameworkVersions"][0]["publishedAt"].is_string());
    // The edit went with the draft: a new draft starts from version 1 again.
    let fresh = app
        .gql(
            Some(&admin),
            "mutation { createFrameworkDraft { certificationFamilies { key certifications { key validityMonths skills { key } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        catalogue_entry(
            &fresh.data()["createFrameworkDraft"],
            &family,
            "community_manager_cert"
        ),
        None
    );
    // Discarding says whether there was a draft to discard.
    let discard = "mutation { discardFrameworkDraft }";
    let once = app.gql(Some(&admin), discard, json!({})).await;
    assert_eq!(once.data()["discardFrameworkDraft"], true);
    let twice = app.gql(Some(&admin), discard, json!({})).await;
    assert_eq!(twice.data()["discardFrameworkDraft"], false);
}

#[tokio::test]
async fn framework_versions_list_every_version_newest_first() {
    let app = spawn_app().await;
    app.person("admin@example.com", Role::Admin, None).await;
    app.person("ada@example.com", Role::Employee, None).await;
    let admin = app.token("admin@example.com").await;
    let ada = app.token("ada@example.com").await;
    for _ in 0..2 {
        app.gql(
            Some(&admin),
            "mutation { createFrameworkDraft { status } }",
            json!({}),
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
    }
    app.gql(
        Some(&admin),
        "mutation { createFrameworkDraft { status } }",
        json!({}),
    )
    .await
    .data();
    let listed = app.gql(Some(&admin), VERSIONS, json!({})).await;
    let rows: Vec<(Value, Value, bool)> = listed.data()["frameworkVersions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["number"].clone(),
                v["status"].clone(),
                v["publishedAt"].is_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (Value::Null, json!("DRAFT"), false),
            (json!(3), json!("PUBLISHED"), true),
            (json!(2), json!("PUBLISHED"), true),
            (json!(1), json!("PUBLISHED"), true),
        ]
    );
    // The framework is not personal: everyone signed in may read its history.
    let employee = app.gql(Some(&ada), VERSIONS, json!({})).await;
    assert_eq!(employee.data(), listed.data());
    let anonymous = app.gql(None, VERSIONS, json!({})).await;
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
}
