//! The downloads HR hands around beyond cycle results: certification
//! progress, the readiness ranking and a team's performance, each parsed back
//! and checked to hold only what the caller may see.

use serde_json::{Value, json};

use crate::exports::{csv_of, emails, get, rated_cycle, xlsx_of};
use crate::helpers::spawn_app;

const RECORD: &str =
    "mutation($i: RecordCertificationInput!) { recordCertification(input: $i) { id } }";

fn id_of(app_answer: &Value, field: &str) -> String {
    app_answer[field]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn certification_progress_downloads_hold_only_records_in_reach() {
    let app = spawn_app().await;
    let c = rated_cycle(&app).await;
    let me = |token: String| {
        let app = &app;
        async move {
            let answer = app.gql(Some(&token), "{ me { id } }", json!({})).await;
            id_of(answer.data(), "me")
        }
    };
    let ada = me(c.employee.clone()).await;
    let bo_token = app.token("bo@example.com").await;
    let bo = me(bo_token).await;
    let outsider = me(app.token("outsider@example.com").await).await;
    let recent = (chrono::Utc::now().date_naive() - chrono::Days::new(30)).to_string();
    for (user, certification, status, earned) in [
        (&ada, "cda_level_1", "EARNED", Some(recent.clone())),
        (&bo, "pmp", "IN_PROGRESS", None),
        (&outsider, "npdp", "PLANNED", None),
    ] {
        app.gql(
            Some(&c.hr),
            RECORD,
            json!({"i": {"userId": user, "certification": certification, "status": status, "earnedOn": earned}}),
        )
        .await
        .data();
    }

    // The manager: his two reports, in English.
    let (header, rows) = csv_of(
        get(
            &app,
            Some(&c.manager),
            "/exports/certification-progress?format=csv",
        )
        .await,
    )
    .await;
    assert_eq!(header[..3], ["employee_id", "email", "name"]);
    assert_eq!(emails(&rows, 1), ["ada@example.com", "bo@example.com"]);
    let status = header.iter().position(|h| h == "status").unwrap();
    let ada_row = rows.iter().find(|r| r[1] == "ada@example.com").unwrap();
    assert_eq!(ada_row[status], "EARNED");
    assert_eq!(ada_row[5], "cda_level_1");

    // HR: everyone, as a workbook with Chinese headings.
    let sheet = xlsx_of(
        get(
            &app,
            Some(&c.hr),
            "/exports/certification-progress?format=xlsx&lang=zh-CN",
        )
        .await,
    )
    .await;
    assert_eq!(sheet[0][..3], ["工号", "邮箱", "姓名"]);
    assert_eq!(
        emails(&sheet[1..], 1),
        ["ada@example.com", "bo@example.com", "outsider@example.com"]
    );
    // Filters work as in certificationProgress.
    let (_, earned) = csv_of(
        get(
            &app,
            Some(&c.hr),
            "/exports/certification-progress?status=EARNED",
        )
        .await,
    )
    .await;
    assert_eq!(emails(&earned, 1), ["ada@example.com"]);
    let bad = get(
        &app,
        Some(&c.hr),
        "/exports/certification-progress?status=LOST",
    )
    .await;
    assert_eq!(bad.status(), 400);

    // An employee gets their own records only.
    let (_, own) =
        csv_of(get(&app, Some(&c.employee), "/exports/certification-progress").await).await;
    assert_eq!(emails(&own, 1), ["ada@example.com"]);
    assert_eq!(
        get(&app, None, "/exports/certification-progress")
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn the_readiness_ranking_downloads_in_the_order_the_api_ranks() {
    let app = spawn_app().await;
    let c = rated_cycle(&app).await;
    let ranked = |token: String| {
        let app = &app;
        async move {
            let answer = app
                .gql(
                    Some(&token),
                    "{ promotionReadiness(first: 500) { nodes { user { email } verdict } } }",
                    json!({}),
                )
                .await;
            answer.data()["promotionReadiness"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["user"]["email"].as_str().unwrap().to_owned(),
                        r["verdict"].as_str().unwrap().to_owned(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };

    let (header, rows) = csv_of(get(&app, Some(&c.manager), "/exports/readiness").await).await;
    assert_eq!(header[0], "rank");
    let verdict = header.iter().position(|h| h == "verdict").unwrap();
    let in_file: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r[2].clone(), r[verdict].clone()))
        .collect();
    assert_eq!(in_file, ranked(c.manager.clone()).await);
    assert_eq!(emails(&rows, 2), ["ada@example.com", "bo@example.com"]);
    let ranks: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ranks, ["1", "2"]);

    let sheet = xlsx_of(
        get(
            &app,
            Some(&c.hr),
            "/exports/readiness?format=xlsx&lang=zh-CN",
        )
        .await,
    )
    .await;
    assert_eq!(sheet[0][0], "排名");
    let in_sheet: Vec<(String, String)> = sheet[1..]
        .iter()
        .map(|r| (r[2].clone(), r[verdict].clone()))
        .collect();
    assert_eq!(in_sheet, ranked(c.hr.clone()).await);
    assert!(
        in_sheet
            .iter()
            .any(|(email, _)| email == "outsider@example.com")
    );

    // Team views are for managers and HR.
    assert_eq!(
        get(&app, Some(&c.employee), "/exports/readiness")
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn a_team_performance_download_matches_the_scores_and_stays_in_the_team() {
    let app = spawn_app().await;
    let c = rated_cycle(&app).await;
    let period = "2026-Q3";
    let set = "mutation($u: ID!, $p: String!, $t: [TargetInput!]!) { setPerformanceTargets(userId: $u, period: $p, targets: $t) { kpiKey } }";
    let record = "mutation($u: ID!, $p: String!, $k: String!, $v: Float!) { recordKpiActual(userId: $u, period: $p, kpi: $k, value: $v) { value } }";
    let ada = id_of(
        app.gql(Some(&c.employee), "{ me { id } }", json!({}))
            .await
            .data(),
        "me",
    );
    let bo_token = app.token("bo@example.com").await;
    let bo = id_of(
        app.gql(Some(&bo_token), "{ me { id } }", json!({}))
            .await
            .data(),
        "me",
    );
    let targets = json!([
        {"kpi": "new_users", "weight": 60, "threshold": 800, "target": 1000, "stretch": 1200},
        {"kpi": "monthly_churn_rate", "weight": 40, "threshold": 8, "target": 5, "stretch": 3}
    ]);
    for (person, new_users, churn) in [(&ada, 1100.0, 5.0), (&bo, 700.0, 9.0)] {
        app.gql(
            Some(&c.manager),
            set,
            json!({"u": person, "p": period, "t": targets}),
        )
        .await
        .data();
        app.gql(
            Some(&c.manager),
            record,
            json!({"u": person, "p": period, "k": "new_users", "v": new_users}),
        )
        .await
        .data();
        app.gql(
            Some(&c.manager),
            record,
            json!({"u": person, "p": period, "k": "monthly_churn_rate", "v": churn}),
        )
        .await
        .data();
    }

    let path = format!("/exports/team-performance/{}?period={period}", c.growth);
    let (header, rows) = csv_of(get(&app, Some(&c.manager), &path).await).await;
    assert_eq!(header.last().map(String::as_str), Some("score"));
    assert_eq!(rows.len(), 4, "two targets each for Ada and Bo");
    assert_eq!(emails(&rows, 1), ["ada@example.com", "bo@example.com"]);
    // Each row says what the API says.
    let attainment = header
        .iter()
        .position(|h| h == "attainment_percent")
        .unwrap();
    for (person, email) in [(&ada, "ada@example.com"), (&bo, "bo@example.com")] {
        let perf = app
            .gql(
                Some(&c.manager),
                "query($u: ID!, $p: String!) { performance(userId: $u, period: $p) { score targets { target { kpiKey } attainment } } }",
                json!({"u": person, "p": period}),
            )
            .await;
        let perf = perf.data()["performance"].clone();
        let mine: Vec<&Vec<String>> = rows.iter().filter(|r| r[1] == email).collect();
        for row in &mine {
            let score: f64 = row.last().unwrap().parse().unwrap();
            assert!(
                (score - perf["score"].as_f64().unwrap()).abs() < 1e-9,
                "{email} score"
            );
        }
        for target in perf["targets"].as_array().unwrap() {
            let key = target["target"]["kpiKey"].as_str().unwrap();
            let expected = target["attainment"].as_f64().unwrap();
            assert!(
                mine.iter()
                    .any(|r| r[attainment].parse::<f64>().ok() == Some(expected)),
                "{email} {key}: {expected} in {mine:?}"
            );
        }
    }

    // Another team's results are refused, and so is a missing period.
    let care = format!("/exports/team-performance/{}?period={period}", c.care);
    assert_eq!(get(&app, Some(&c.manager), &care).await.status(), 403);
    let no_period = format!("/exports/team-performance/{}", c.growth);
    assert_eq!(get(&app, Some(&c.manager), &no_period).await.status(), 400);
    // A signed link opens it without a bearer token.
    let link = app
        .gql(
            Some(&c.manager),
            "mutation($p: String!) { downloadLink(path: $p) { url } }",
            json!({"p": format!("{path}&format=xlsx")}),
        )
        .await;
    let url = link.data()["downloadLink"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let sheet = xlsx_of(get(&app, None, &url).await).await;
    assert_eq!(sheet.len(), 5, "a header and four rows");
}
