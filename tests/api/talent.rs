//! The organisation's view over HTTP, with designed teams whose right
//! answers are written down: rating calibration finds the lenient manager,
//! not the consistent ones, and gives no figure where too few ratings stand.

use serde_json::json;
use skillpath::auth::Role;

use crate::assessment::{ADVANCE, OPEN, SUBMIT_MANAGER, SUBMIT_SELF, all_at, placed, role_skills};
use crate::helpers::spawn_app;

const CALIBRATION: &str = "query($c: ID!) { ratingCalibration(cycleId: $c) { manager { email } ratings people meanRating spread tendency agreementWithSelf versusSelf { value pairs people } versusManagers { value pairs people } } }";

#[tokio::test]
async fn calibration_finds_the_lenient_manager_and_says_nothing_on_too_few_ratings() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    // Four managers with three reports each, and one with a single report.
    // Everyone rates themselves 3; the first manager rates 4, the rest 3.
    let teams = [
        ("lenient", 4, 3),
        ("even1", 3, 3),
        ("even2", 3, 3),
        ("even3", 3, 3),
        ("solo", 3, 1),
    ];
    let mut reports = Vec::new();
    for (manager, _, size) in teams {
        let boss = placed(
            &app,
            &format!("{manager}@example.com"),
            Role::Manager,
            None,
            None,
            "m1",
        )
        .await;
        for i in 0..size {
            let email = format!("{manager}.{i}@example.com");
            let person = placed(&app, &email, Role::Employee, Some(boss.id), None, "p2").await;
            reports.push((manager, email, person.id));
        }
    }
    let skills = role_skills(&app, &hr).await;
    let opened = app
        .gql(
            Some(&hr),
            OPEN,
            json!({"input": {"name": "Calibration", "jobRoles": ["user_operations"]}}),
        )
        .await;
    let cycle = opened.data()["openAssessmentCycle"]["cycle"]["id"].clone();
    for (_, email, _) in &reports {
        let token = app.token(email).await;
        app.gql(
            Some(&token),
            SUBMIT_SELF,
            json!({"c": cycle, "r": all_at(&skills, 3)}),
        )
        .await
        .data();
    }
    app.gql(Some(&hr), ADVANCE, json!({"id": cycle}))
        .await
        .data();
    for (manager, given, _) in teams {
        let token = app.token(&format!("{manager}@example.com")).await;
        for (_, _, id) in reports.iter().filter(|(m, _, _)| *m == manager) {
            app.gql(
                Some(&token),
                SUBMIT_MANAGER,
                json!({"c": cycle, "u": id.to_string(), "r": all_at(&skills, given)}),
            )
            .await
            .data();
        }
    }

    let seen = app.gql(Some(&hr), CALIBRATION, json!({"c": cycle})).await;
    let rows = seen.data()["ratingCalibration"].as_array().unwrap().clone();
    let row = |email: &str| {
        rows.iter()
            .find(|r| r["manager"]["email"] == email)
            .unwrap_or_else(|| panic!("no row for {email}"))
            .clone()
    };
    let n = skills.len() as f64;
    let lenient = row("lenient@example.com");
    assert_eq!(lenient["tendency"], "LENIENT");
    assert_eq!(lenient["versusSelf"]["value"], 1.0);
    assert_eq!(lenient["versusSelf"]["pairs"], skills.len() * 3);
    assert_eq!(lenient["people"], 3);
    assert_eq!(lenient["meanRating"], 4.0);
    assert_eq!(lenient["spread"], 0.0);
    // The others rated 3 everywhere, the single report included.
    assert_eq!(lenient["versusManagers"]["value"], 1.0);
    for even in [
        "even1@example.com",
        "even2@example.com",
        "even3@example.com",
    ] {
        let row = row(even);
        assert_eq!(row["tendency"], "CONSISTENT", "{row}");
        // Others: 3 n ratings of 4 and 7 n of 3, per skill 3 of 4 and 7 of 3.
        let expected = 3.0 - (3.0 * 4.0 + 7.0 * 3.0) / 10.0;
        let value = row["versusManagers"]["value"].as_f64().unwrap();
        assert!(
            (value - expected).abs() < 1e-9,
            "{value} vs {expected} ({n} skills)"
        );
        assert_eq!(row["agreementWithSelf"], 1.0);
    }
    let solo = row("solo@example.com");
    assert_eq!(solo["tendency"], "UNKNOWN");
    assert_eq!(solo["versusManagers"]["value"], serde_json::Value::Null);
    assert_eq!(solo["versusManagers"]["people"], 1);
    assert_eq!(solo["versusSelf"]["value"], serde_json::Value::Null);

    // A manager sees their own row only; an employee none at all.
    let lenient_token = app.token("lenient@example.com").await;
    let own = app
        .gql(Some(&lenient_token), CALIBRATION, json!({"c": cycle}))
        .await;
    let own = own.data()["ratingCalibration"].as_array().unwrap().clone();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["manager"]["email"], "lenient@example.com");
    let employee = app.token("solo.0@example.com").await;
    let refused = app
        .gql(Some(&employee), CALIBRATION, json!({"c": cycle}))
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let missing = app
        .gql(Some(&hr), CALIBRATION, json!({"c": "999999"}))
        .await;
    assert_eq!(missing.code(), "NOT_FOUND");
}

/// One target for 2026-Q3 (10 new users, threshold 0, stretch 20) and one
/// actual: 5 scores below 80, 9 between 80 and 100, 12 above.
pub async fn score(app: &crate::helpers::TestApp, boss: &str, person: i64, actual: f64) {
    app.gql(
        Some(boss),
        "mutation($u: ID!) { setPerformanceTargets(userId: $u, period: \"2026-Q3\", targets: [{kpi: \"new_users\", weight: 100, target: 10, threshold: 0, stretch: 20}]) { id } }",
        json!({"u": person.to_string()}),
    )
    .await
    .data();
    app.gql(
        Some(boss),
        "mutation($u: ID!, $v: Float!) { recordKpiActual(userId: $u, period: \"2026-Q3\", kpi: \"new_users\", value: $v) { id } }",
        json!({"u": person.to_string(), "v": actual}),
    )
    .await
    .data();
}

const REVIEW: &str = "query($p: String!) { talentReview(period: $p) { period performanceCuts potentialCuts unplaced boxes { performance potential count } placements { user { email } performanceScore readiness performance potential } teams { team { name } boxes { count } } } }";

#[tokio::test]
async fn the_talent_review_places_each_person_by_score_and_readiness() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let boss = placed(&app, "boss@example.com", Role::Manager, None, None, "m1").await;
    let boss_token = app.token("boss@example.com").await;
    // Three reports with one target each; actuals of 5, 9 and 12 against a
    // target of 10 give scores below, between and above the cut points
    // (80 and 100).
    let mut people = Vec::new();
    for (name, actual) in [("low", 5.0), ("mid", 9.0), ("top", 12.0)] {
        let email = format!("{name}@example.com");
        let person = placed(&app, &email, Role::Employee, Some(boss.id), None, "p2").await;
        score(&app, &boss_token, person.id, actual).await;
        people.push(email);
    }
    // One more without targets: no score, so in no box.
    placed(
        &app,
        "new@example.com",
        Role::Employee,
        Some(boss.id),
        None,
        "p2",
    )
    .await;

    let review = app.gql(Some(&hr), REVIEW, json!({"p": "2026-Q3"})).await;
    let review = review.data()["talentReview"].clone();
    assert_eq!(review["performanceCuts"], json!([80.0, 100.0]));
    let placements = review["placements"].as_array().unwrap().clone();
    let of = |email: &str| {
        placements
            .iter()
            .find(|p| p["user"]["email"] == email)
            .unwrap_or_else(|| panic!("{email} not reviewed"))
            .clone()
    };
    // The score is the same one `performance` reports; the band follows it.
    for (email, band) in [
        ("low@example.com", "LOW"),
        ("mid@example.com", "MEDIUM"),
        ("top@example.com", "HIGH"),
    ] {
        let placement = of(email);
        assert_eq!(placement["performance"], band, "{placement}");
    }
    let newcomer = of("new@example.com");
    assert_eq!(newcomer["performance"], serde_json::Value::Null);
    // The potential band follows the readiness `promotionReadiness` reports.
    let ranked = app
        .gql(
            Some(&hr),
            "{ promotionReadiness(first: 50) { nodes { user { email } readiness } } }",
            json!({}),
        )
        .await;
    for node in ranked.data()["promotionReadiness"]["nodes"]
        .as_array()
        .unwrap()
    {
        let placement = of(node["user"]["email"].as_str().unwrap());
        assert_eq!(placement["readiness"], node["readiness"]);
        let expected = match node["readiness"].as_f64() {
            None => serde_json::Value::Null,
            Some(r) if r >= 80.0 => json!("HIGH"),
            Some(r) if r >= 50.0 => json!("MEDIUM"),
            Some(_) => json!("LOW"),
        };
        assert_eq!(placement["potential"], expected, "{placement}");
    }
    // Every placed person is in exactly one box; the rest are counted apart.
    let boxed: i64 = review["boxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_i64().unwrap())
        .sum();
    let placed_both = placements
        .iter()
        .filter(|p| !p["performance"].is_null() && !p["potential"].is_null())
        .count() as i64;
    assert_eq!(boxed, placed_both);
    assert_eq!(
        review["unplaced"].as_i64().unwrap(),
        placements.len() as i64 - placed_both
    );
    assert_eq!(review["boxes"].as_array().unwrap().len(), 9);

    // The manager sees their reports (not themselves); an employee is refused.
    let own = app
        .gql(Some(&boss_token), REVIEW, json!({"p": "2026-Q3"}))
        .await;
    let mut seen: Vec<String> = own.data()["talentReview"]["placements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["user"]["email"].as_str().unwrap().to_owned())
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            "low@example.com",
            "mid@example.com",
            "new@example.com",
            "top@example.com"
        ]
    );
    let employee = app.token("low@example.com").await;
    assert_eq!(
        app.gql(Some(&employee), REVIEW, json!({"p": "2026-Q3"}))
            .await
            .code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(Some(&hr), REVIEW, json!({"p": "someday"}))
            .await
            .code(),
        "BAD_USER_INPUT"
    );
}

const SUCCESSION: &str = "query($r: String!, $l: String!, $n: Int!) { successionPlan(role: $r, level: $l, needed: $n) { roleKey levelKey needed holders readyNow gap candidates { user { email } readiness ready bestMove { roleKey levelKey explanation actions { kind } } } } }";

#[tokio::test]
async fn a_succession_plan_lists_who_is_one_move_away_and_what_they_miss() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let boss = placed(&app, "boss@example.com", Role::Manager, None, None, "m1").await;
    for email in ["ann@example.com", "bo@example.com"] {
        placed(&app, email, Role::Employee, Some(boss.id), None, "p2").await;
    }
    placed(
        &app,
        "junior@example.com",
        Role::Employee,
        Some(boss.id),
        None,
        "p1",
    )
    .await;
    placed(
        &app,
        "senior@example.com",
        Role::Employee,
        Some(boss.id),
        None,
        "p3",
    )
    .await;

    let plan = app
        .gql(
            Some(&hr),
            SUCCESSION,
            json!({"r": "user_operations", "l": "p3", "n": 2}),
        )
        .await;
    let plan = plan.data()["successionPlan"].clone();
    assert_eq!(plan["holders"], 1, "the senior already holds it");
    let mut emails: Vec<&str> = plan["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["user"]["email"].as_str().unwrap())
        .collect();
    emails.sort();
    // One move away: the p2s, not the p1 (two moves) nor the p3.
    assert_eq!(emails, ["ann@example.com", "bo@example.com"]);
    let ready = plan["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ready"] == true)
        .count() as i64;
    assert_eq!(plan["readyNow"], ready);
    assert_eq!(plan["gap"], (2 - ready).max(0));
    for candidate in plan["candidates"].as_array().unwrap() {
        assert_eq!(candidate["bestMove"]["levelKey"], "p3");
        assert!(
            !candidate["bestMove"]["actions"]
                .as_array()
                .unwrap()
                .is_empty(),
            "what to do next"
        );
        assert!(
            !candidate["bestMove"]["explanation"]
                .as_str()
                .unwrap()
                .is_empty()
        );
    }

    let employee = app.token("ann@example.com").await;
    let refused = app
        .gql(
            Some(&employee),
            SUCCESSION,
            json!({"r": "user_operations", "l": "p3", "n": 1}),
        )
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    for (role, level, needed) in [("astronaut", "p3", 1), ("user_operations", "p3", 0)] {
        let bad = app
            .gql(
                Some(&hr),
                SUCCESSION,
                json!({"r": role, "l": level, "n": needed}),
            )
            .await;
        assert_eq!(bad.code(), "BAD_USER_INPUT", "{role} {needed}");
    }
}

#[tokio::test]
async fn hr_moves_people_between_boxes_with_a_reason_beside_the_computed_place() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let boss = placed(&app, "boss@example.com", Role::Manager, None, None, "m1").await;
    let boss_token = app.token("boss@example.com").await;
    let ann = placed(
        &app,
        "ann@example.com",
        Role::Employee,
        Some(boss.id),
        None,
        "p2",
    )
    .await;
    score(&app, &boss_token, ann.id, 5.0).await;
    let review = "query { talentReview(period: \"2026-Q3\") { boxes { performance potential count } calibratedBoxes { performance potential count } placements { user { email } performance potential calibration { performance potential reason movedBy { email } } } } }";
    let count = |boxes: &serde_json::Value, performance: &str, potential: &str| {
        boxes
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["performance"] == performance && b["potential"] == potential)
            .unwrap()["count"]
            .as_i64()
            .unwrap()
    };
    let before = app.gql(Some(&hr), review, json!({})).await.data()["talentReview"].clone();
    let ann_before = before["placements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["user"]["email"] == "ann@example.com")
        .unwrap()
        .clone();
    assert_eq!(ann_before["performance"], "LOW");
    assert_eq!(ann_before["calibration"], serde_json::Value::Null);
    let potential = ann_before["potential"].as_str().map(str::to_owned);

    let moving = "mutation($u: ID!, $r: String!) { moveInTalentReview(period: \"2026-Q3\", userId: $u, performance: HIGH, potential: HIGH, reason: $r) { performance potential reason } }";
    let no_reason = app
        .gql(
            Some(&hr),
            moving,
            json!({"u": ann.id.to_string(), "r": "  "}),
        )
        .await;
    assert_eq!(no_reason.code(), "BAD_USER_INPUT");
    let by_manager = app
        .gql(
            Some(&boss_token),
            moving,
            json!({"u": ann.id.to_string(), "r": "Mine"}),
        )
        .await;
    assert_eq!(by_manager.code(), "FORBIDDEN");
    app.gql(
        Some(&hr),
        moving,
        json!({"u": ann.id.to_string(), "r": "Carried the launch alone"}),
    )
    .await
    .data();

    let after = app.gql(Some(&hr), review, json!({})).await.data()["talentReview"].clone();
    let ann_after = after["placements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["user"]["email"] == "ann@example.com")
        .unwrap()
        .clone();
    // The computed place stands; the move sits beside it.
    assert_eq!(ann_after["performance"], "LOW");
    assert_eq!(
        ann_after["potential"].as_str().map(str::to_owned),
        potential
    );
    assert_eq!(
        ann_after["calibration"],
        json!({"performance": "HIGH", "potential": "HIGH", "reason": "Carried the launch alone", "movedBy": {"email": "hr@example.com"}})
    );
    assert_eq!(before["boxes"], after["boxes"], "computed boxes unchanged");
    assert_eq!(
        count(&after["calibratedBoxes"], "HIGH", "HIGH"),
        count(&before["calibratedBoxes"], "HIGH", "HIGH") + 1
    );
    // The move is in the trail, about Ann, by HR.
    let log = app
        .gql(Some(&hr), "{ auditLog(filter: {action: \"talent.move\"}) { totalCount edges { node { subject { email } actor { email } } } } }", json!({}))
        .await;
    assert_eq!(log.data()["auditLog"]["totalCount"], 1);
    let node = &log.data()["auditLog"]["edges"][0]["node"];
    assert_eq!(node["subject"]["email"], "ann@example.com");
    assert_eq!(node["actor"]["email"], "hr@example.com");
}

#[tokio::test]
async fn the_nine_boxes_draw_as_a_picture_in_both_languages() {
    use skillpath::charts::nine_box::{box_origin, tint};
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let boss = placed(&app, "boss@example.com", Role::Manager, None, None, "m1").await;
    let ann = placed(
        &app,
        "ann@example.com",
        Role::Employee,
        Some(boss.id),
        None,
        "p2",
    )
    .await;
    app.gql(
        Some(&hr),
        "mutation($u: ID!) { moveInTalentReview(period: \"2026-Q3\", userId: $u, performance: HIGH, potential: HIGH, reason: \"Runs the team in all but name\") { reason } }",
        json!({"u": ann.id.to_string()}),
    )
    .await
    .data();
    let pictures = app
        .gql(
            Some(&hr),
            "query { talentReview(period: \"2026-Q3\") { calibratedBoxes { performance potential count } en: svg(locale: EN) zh: svg(locale: ZH_CN) computed: svg(calibrated: false, locale: EN) } }",
            json!({}),
        )
        .await;
    let review = pictures.data()["talentReview"].clone();
    let en = review["en"].as_str().unwrap();
    let zh = review["zh"].as_str().unwrap();
    assert!(en.contains("after calibration") && en.contains("Potential"));
    assert!(zh.contains("人才盘点") && zh.contains("潜力"));
    // Each box carries its count; Ann sits top right once calibrated.
    assert!(
        en.contains("data-performance=\"2\" data-potential=\"2\" data-count=\"1\""),
        "{en}"
    );
    assert!(
        review["computed"]
            .as_str()
            .unwrap()
            .contains("data-performance=\"2\" data-potential=\"2\" data-count=\"0\"")
    );
    let total: i64 = review["calibratedBoxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_i64().unwrap())
        .sum();
    let drawn: i64 = en
        .split("data-count=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(drawn, total);
    // The strongest box is green at the top right, the weakest red at the
    // bottom left.
    let pixels = crate::charts::rasterise(en);
    for (performance, potential) in [(2, 2), (0, 0), (2, 0)] {
        let (x, y) = box_origin(performance, potential);
        let seen = crate::charts::rgb(&pixels, x + 8, y + 8);
        assert_eq!(
            seen,
            crate::charts::hex(tint(performance, potential)),
            "box {performance},{potential}"
        );
    }
}
