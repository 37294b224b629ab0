//! Results handed to people who read spreadsheets: every download opens,
//! speaks the caller's language and holds only what the caller may see.

use serde_json::json;
use skillpath::auth::Role;

use crate::assessment::{ADVANCE, OPEN, SUBMIT_MANAGER, SUBMIT_SELF, all_at, placed, role_skills};
use crate::helpers::{DbId, TestApp, spawn_app};

/// Two teams in one cycle: Growth (a manager and two reports) and Care
/// (its own manager and one report). Ratings submitted for everyone.
pub struct Cycle {
    pub hr: String,
    pub manager: String,
    pub employee: String,
    pub cycle: String,
    pub growth: i64,
    pub care: i64,
    pub skills: Vec<String>,
}

async fn team(app: &TestApp, hr: &str, name: &str) -> i64 {
    app.gql(
        Some(hr),
        "mutation($n: String!) { createTeam(input: {name: $n}) { id } }",
        json!({"n": name}),
    )
    .await
    .data()["createTeam"]["id"]
        .db_id()
}

pub async fn rated_cycle(app: &TestApp) -> Cycle {
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let growth = team(app, &hr, "Growth").await;
    let care = team(app, &hr, "Care").await;
    let m = placed(
        app,
        "manager@example.com",
        Role::Manager,
        None,
        Some(growth),
        "m1",
    )
    .await;
    let ada = placed(
        app,
        "ada@example.com",
        Role::Employee,
        Some(m.id),
        Some(growth),
        "p2",
    )
    .await;
    let bo = placed(
        app,
        "bo@example.com",
        Role::Employee,
        Some(m.id),
        Some(growth),
        "p1",
    )
    .await;
    let c = placed(
        app,
        "care.lead@example.com",
        Role::Manager,
        None,
        Some(care),
        "m1",
    )
    .await;
    let out = placed(
        app,
        "outsider@example.com",
        Role::Employee,
        Some(c.id),
        Some(care),
        "p3",
    )
    .await;
    let opened = app
        .gql(
            Some(&hr),
            OPEN,
            json!({"input": {"name": "2026 H2", "teamIds": [growth.to_string(), care.to_string()]}}),
        )
        .await;
    let cycle = opened.data()["openAssessmentCycle"]["cycle"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let skills = role_skills(app, &hr).await;
    for (email, level) in [
        ("ada@example.com", 2),
        ("bo@example.com", 1),
        ("outsider@example.com", 4),
    ] {
        let token = app.token(email).await;
        app.gql(
            Some(&token),
            SUBMIT_SELF,
            json!({"c": cycle, "r": all_at(&skills, level)}),
        )
        .await
        .data();
    }
    app.gql(Some(&hr), ADVANCE, json!({"id": cycle}))
        .await
        .data();
    let manager = app.token("manager@example.com").await;
    for (person, level) in [(&ada, 3), (&bo, 1)] {
        app.gql(
            Some(&manager),
            SUBMIT_MANAGER,
            json!({"c": cycle, "u": person.id.to_string(), "r": all_at(&skills, level)}),
        )
        .await
        .data();
    }
    let care_token = app.token("care.lead@example.com").await;
    app.gql(
        Some(&care_token),
        SUBMIT_MANAGER,
        json!({"c": cycle, "u": out.id.to_string(), "r": all_at(&skills, 4)}),
    )
    .await
    .data();
    Cycle {
        hr,
        manager,
        employee: app.token("ada@example.com").await,
        cycle,
        growth,
        care,
        skills,
    }
}

pub async fn get(app: &TestApp, token: Option<&str>, path: &str) -> reqwest::Response {
    let mut req = app.http.get(format!("{}{path}", app.base));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.expect("request")
}

/// A CSV download parsed back: header and rows.
pub async fn csv_of(res: reqwest::Response) -> (Vec<String>, Vec<Vec<String>>) {
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let bytes = res.bytes().await.unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a BOM for Excel");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// An .xlsx download parsed back with calamine: every row as text.
pub async fn xlsx_of(res: reqwest::Response) -> Vec<Vec<String>> {
    use calamine::Reader;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an xlsx that opens");
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

pub fn emails(rows: &[Vec<String>], column: usize) -> Vec<String> {
    let mut list: Vec<String> = rows.iter().map(|r| r[column].clone()).collect();
    list.sort();
    list.dedup();
    list
}

#[tokio::test]
async fn cycle_results_open_as_csv_and_xlsx_within_reach() {
    let app = spawn_app().await;
    let c = rated_cycle(&app).await;
    let path = format!("/exports/cycle-results/{}", c.cycle);

    // HR: everyone, one row per person and skill.
    let (header, rows) = csv_of(get(&app, Some(&c.hr), &path).await).await;
    assert_eq!(header[..3], ["employee_id", "email", "name"]);
    assert_eq!(
        emails(&rows, 1),
        [
            "ada@example.com",
            "bo@example.com",
            "care.lead@example.com",
            "manager@example.com",
            "outsider@example.com"
        ]
    );
    let ada: Vec<&Vec<String>> = rows.iter().filter(|r| r[1] == "ada@example.com").collect();
    assert!(ada.len() >= c.skills.len());
    // self 2, manager 3, agreed 3 (the manager's), required and gap consistent.
    for r in &ada {
        if r[6].is_empty() {
            continue; // a skill of the next level only
        }
        assert_eq!(
            (r[6].as_str(), r[7].as_str(), r[8].as_str()),
            ("2", "3", "3")
        );
        let required: i64 = r[10].parse().unwrap();
        let gap: i64 = r[11].parse().unwrap();
        assert_eq!(gap, (required - 3).max(0));
    }

    // The Growth manager: their two reports, nobody from Care.
    let (_, rows) = csv_of(get(&app, Some(&c.manager), &path).await).await;
    assert_eq!(
        emails(&rows, 1),
        ["ada@example.com", "bo@example.com", "manager@example.com"]
    );
    // An employee: themselves only.
    let (_, rows) = csv_of(get(&app, Some(&c.employee), &path).await).await;
    assert_eq!(emails(&rows, 1), ["ada@example.com"]);

    // The same as .xlsx in Chinese: it opens, headers are Chinese, rows match.
    let sheet = xlsx_of(
        get(
            &app,
            Some(&c.manager),
            &format!("{path}?format=xlsx&lang=zh-CN"),
        )
        .await,
    )
    .await;
    assert_eq!(sheet[0][..3], ["工号", "邮箱", "姓名"]);
    assert_eq!(
        emails(&sheet[1..], 1),
        ["ada@example.com", "bo@example.com", "manager@example.com"]
    );

    // Without a token: refused.
    assert_eq!(get(&app, None, &path).await.status(), 401);
}

#[tokio::test]
async fn a_signed_link_opens_in_a_browser_and_never_widens_reach() {
    let app = spawn_app().await;
    let c = rated_cycle(&app).await;
    const LINK: &str = "mutation($p: String!) { downloadLink(path: $p) { url expiresAt } }";
    let path = format!("/exports/cycle-results/{}?format=xlsx", c.cycle);
    let link = app.gql(Some(&c.manager), LINK, json!({"p": path})).await;
    let url = link.data()["downloadLink"]["url"]
        .as_str()
        .unwrap()
        .to_owned();

    let sheet = xlsx_of(get(&app, None, &url).await).await;
    assert_eq!(
        emails(&sheet[1..], 1),
        ["ada@example.com", "bo@example.com", "manager@example.com"],
        "the link stands for the manager, not for more"
    );

    // Tampering: another user, another format, another cycle, a bad signature.
    let hr_id = app
        .gql(Some(&c.hr), "{ me { id } }", json!({}))
        .await
        .data()["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let user = url
        .split('&')
        .find(|p| p.starts_with("link_user="))
        .unwrap()
        .to_owned();
    for tampered in [
        url.replace(&user, &format!("link_user={hr_id}")),
        url.replace("format=xlsx", "format=csv"),
        url.replace(&format!("/{}?", c.cycle), "/999?"),
        format!("{}x", &url[..url.len() - 1]),
    ] {
        assert_eq!(get(&app, None, &tampered).await.status(), 401, "{tampered}");
    }

    // A link for what the caller may not see is signed, but refused when used.
    let people = app
        .gql(Some(&c.manager), LINK, json!({"p": "/exports/people"}))
        .await;
    let people = people.data()["downloadLink"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(get(&app, None, &people).await.status(), 403);

    // Links are for downloads and charts only.
    let other = app
        .gql(Some(&c.manager), LINK, json!({"p": "/graphql"}))
        .await;
    assert_eq!(other.code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_team_matrix_and_the_people_file_download_and_the_people_file_imports_back() {
    let app = spawn_app().await;
    let c = rated_cycle(&app).await;

    let path = format!("/exports/team-matrix/{}?cycle={}", c.growth, c.cycle);
    let (header, rows) = csv_of(get(&app, Some(&c.manager), &path).await).await;
    assert_eq!(header[5], "agreed");
    assert_eq!(emails(&rows, 1), ["ada@example.com", "bo@example.com"]);
    let care = format!("/exports/team-matrix/{}?cycle={}", c.care, c.cycle);
    assert_eq!(get(&app, Some(&c.manager), &care).await.status(), 403);
    let sheet = xlsx_of(get(&app, Some(&c.hr), &format!("{care}&format=xlsx")).await).await;
    assert_eq!(
        emails(&sheet[1..], 1),
        ["care.lead@example.com", "outsider@example.com"]
    );

    // The people file, in the import's shape, imports back changing nothing.
    let (header, rows) = csv_of(get(&app, Some(&c.hr), "/exports/people").await).await;
    assert_eq!(header[..4], ["employee_id", "email", "name", "team"]);
    assert_eq!(rows.len(), 6);
    let text = String::from_utf8(
        get(&app, Some(&c.hr), "/exports/people")
            .await
            .bytes()
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    let again = crate::imports::import_text(&app, &c.hr, &text, false).await;
    let again = &again.data()["importPeople"];
    assert_eq!(again["unchanged"], 6, "{again:#}");
    assert_eq!(
        get(&app, Some(&c.manager), "/exports/people")
            .await
            .status(),
        403
    );
}
