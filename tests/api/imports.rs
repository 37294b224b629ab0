//! HR loads the organisation from the file its HR system exports.

use serde_json::{Value, json};
use skillpath::auth::Role;

use crate::helpers::{Gql, TestApp, spawn_app, spawn_app_with};

pub const IMPORT: &str = "mutation($file: Upload, $text: String, $dry: Boolean!, $deactivate: Boolean!) {
  importPeople(file: $file, document: $text, dryRun: $dry, deactivateMissing: $deactivate) {
    applied rows created updated moved deactivated unchanged teamsCreated problems { row column message } } }";

/// An organisation of `n` people: a head of operations, ten group managers
/// under them, everyone else in one of ten groups.
pub fn org_csv(n: usize) -> String {
    let mut csv = String::from(
        "employee_id,email,name,team,manager,job_role,career_level,level_since,locale,role\n",
    );
    csv.push_str("E0000,head@ops.example.com,运营总监,运营中心,,user_operations,m2,2024-01-01,zh-CN,MANAGER\n");
    for i in 1..n {
        let group = i % 10;
        if i <= 10 {
            csv.push_str(&format!(
                "E{i:04},lead{i}@ops.example.com,组长 {i},运营中心/用户运营/组{group},head@ops.example.com,user_operations,m1,2025-03-01,zh-CN,MANAGER\n"
            ));
        } else {
            let lead = if group == 0 { 10 } else { group };
            csv.push_str(&format!(
                "E{i:04},p{i}@ops.example.com,员工 {i},运营中心/用户运营/组{group},E{lead:04},user_operations,p{},2025-06-01,en,EMPLOYEE\n",
                1 + i % 3
            ));
        }
    }
    csv
}

pub async fn import_text(app: &TestApp, token: &str, text: &str, dry: bool) -> Gql {
    app.gql(
        Some(token),
        IMPORT,
        json!({"text": text, "dry": dry, "deactivate": false}),
    )
    .await
}

/// A GraphQL multipart request (the "GraphQL multipart request spec") with one file.
pub async fn upload(
    app: &TestApp,
    token: &str,
    query: &str,
    variables: Value,
    filename: &str,
    bytes: Vec<u8>,
) -> Gql {
    let form = reqwest::multipart::Form::new()
        .text(
            "operations",
            json!({"query": query, "variables": variables}).to_string(),
        )
        .text("map", json!({"0": ["variables.file"]}).to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(bytes).file_name(filename.to_owned()),
        );
    let res = app
        .http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = res.status().as_u16();
    let body = res.json().await.unwrap_or(Value::Null);
    Gql { status, body }
}

async fn count_users(app: &TestApp) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    skillpath::db::entities::user::Entity::find()
        .count(&app.state.db)
        .await
        .unwrap()
}

fn summary(report: &Value) -> Value {
    let mut r = report.clone();
    r.as_object_mut().unwrap().remove("applied");
    r
}

#[tokio::test]
async fn five_hundred_people_import_at_once_and_a_second_run_changes_nothing() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let csv = org_csv(500);

    let dry = import_text(&app, &hr, &csv, true).await;
    let dry = dry.data()["importPeople"].clone();
    assert_eq!(dry["applied"], false);
    assert_eq!(dry["created"].as_array().unwrap().len(), 500);
    assert_eq!(count_users(&app).await, 1, "a dry run writes nothing");

    let real = import_text(&app, &hr, &csv, false).await;
    let real = real.data()["importPeople"].clone();
    assert_eq!(real["applied"], true);
    assert_eq!(
        summary(&real),
        summary(&dry),
        "the dry run said what happened"
    );
    assert_eq!(
        real["teamsCreated"].as_array().unwrap().len(),
        12,
        "运营中心, 用户运营 and ten groups"
    );
    assert_eq!(count_users(&app).await, 501);

    // The reporting lines and places are as the file says.
    let head = app
        .gql(
            Some(&hr),
            "{ users(first: 100, filter: {search: \"p11@ops\"}) { edges { node { employeeId team { name parent { name } } manager { email } jobRole careerLevel locale } } } }",
            json!({}),
        )
        .await;
    let node = &head.data()["users"]["edges"][0]["node"];
    assert_eq!(node["employeeId"], "E0011");
    assert_eq!(node["team"]["name"], "组1");
    assert_eq!(node["team"]["parent"]["name"], "用户运营");
    assert_eq!(node["manager"]["email"], "lead1@ops.example.com");

    let again = import_text(&app, &hr, &csv, false).await;
    let again = again.data()["importPeople"].clone();
    assert_eq!(again["created"], json!([]));
    assert_eq!(again["moved"], json!([]));
    assert_eq!(again["updated"], json!([]));
    assert_eq!(again["teamsCreated"], json!([]));
    assert_eq!(again["unchanged"], 500);

    // A move and a change of level are told apart.
    let changed = csv
        .replace(
            "p11@ops.example.com,员工 11,运营中心/用户运营/组1,E0001",
            "p11@ops.example.com,员工 11,运营中心/用户运营/组2,E0002",
        )
        .replace(
            "p12@ops.example.com,员工 12,运营中心/用户运营/组2,E0002,user_operations,p1",
            "p12@ops.example.com,员工 12,运营中心/用户运营/组2,E0002,user_operations,p3",
        );
    let moved = import_text(&app, &hr, &changed, false).await;
    let moved = moved.data()["importPeople"].clone();
    assert_eq!(moved["moved"], json!(["p11@ops.example.com"]));
    assert_eq!(moved["updated"], json!(["p12@ops.example.com"]));
    assert_eq!(moved["unchanged"], 498);
}

#[tokio::test]
async fn a_file_with_bad_rows_changes_nothing_and_names_each_row() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let csv = "employee_id,email,name,team,manager,job_role,career_level,level_since,locale,role\n\
        1,ok@example.com,Ok,Ops,,user_operations,p1,2025-01-01,en,EMPLOYEE\n\
        2,not-an-email,Bad Email,Ops,,,,,,\n\
        3,role@example.com,Bad Role,Ops,,astronaut,p1,,,\n\
        4,level@example.com,Bad Level,Ops,,user_operations,p9,,,\n\
        5,a@example.com,Loop A,Ops,6,,,,,\n\
        6,b@example.com,Loop B,Ops,5,,,,,\n\
        7,nobody@example.com,No Manager,Ops,ghost@example.com,,,,,\n\
        8,admin@example.com,Not Admin,Ops,,,,,,ADMIN\n\
        9,ok@example.com,Twice,Ops,,,,,,\n";

    let dry = import_text(&app, &hr, csv, true).await;
    let problems = dry.data()["importPeople"]["problems"].clone();
    let rows: Vec<i64> = problems
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["row"].as_i64().unwrap())
        .collect();
    assert_eq!(rows, [3, 4, 5, 6, 7, 8, 9, 10], "{problems:#}");
    let text = problems.to_string();
    for expected in [
        "unknown job role",
        "has no level",
        "reporting cycle",
        "ghost@example.com",
        "admins are not imported",
        "already given on row 2",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }

    let real = import_text(&app, &hr, csv, false).await;
    assert_eq!(real.code(), "BAD_USER_INPUT");
    let fields: Vec<String> = real.body["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap().to_owned())
        .collect();
    assert!(fields.contains(&"row 3 email".to_owned()), "{fields:?}");
    assert!(fields.contains(&"row 6 manager".to_owned()), "{fields:?}");
    assert_eq!(count_users(&app).await, 1, "nothing was written");

    // Only HR and admins import.
    app.person("emp@example.com", Role::Employee, None).await;
    let emp = app.token("emp@example.com").await;
    assert_eq!(
        import_text(&app, &emp, "email,name\nx@example.com,X\n", false)
            .await
            .code(),
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn an_xlsx_and_a_gb18030_csv_import_as_uploads() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;

    // An .xlsx with Chinese headers, a numeric employee id and a real date cell.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in [
        "工号",
        "邮箱",
        "姓名",
        "部门",
        "上级",
        "岗位",
        "职级",
        "定级日期",
        "角色",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_number(1, 0, 1001.0).unwrap();
    sheet.write_string(1, 1, "wang@example.com").unwrap();
    sheet.write_string(1, 2, "王芳").unwrap();
    sheet
        .write_string(1, 3, "运营中心/用户运营/社群组")
        .unwrap();
    sheet.write_string(1, 5, "user_operations").unwrap();
    sheet.write_string(1, 6, "m1").unwrap();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 7, 1).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    sheet
        .write_datetime_with_format(1, 7, &date, &format)
        .unwrap();
    sheet.write_string(1, 8, "MANAGER").unwrap();
    sheet.write_number(2, 0, 1002.0).unwrap();
    sheet.write_string(2, 1, "zhao@example.com").unwrap();
    sheet.write_string(2, 2, "赵强").unwrap();
    sheet
        .write_string(2, 3, "运营中心/用户运营/社群组")
        .unwrap();
    sheet.write_number(2, 4, 1001.0).unwrap();
    let xlsx = book.save_to_buffer().unwrap();
    let answer = upload(
        &app,
        &hr,
        IMPORT,
        json!({"file": null, "dry": false, "deactivate": false}),
        "people.xlsx",
        xlsx,
    )
    .await;
    let report = &answer.data()["importPeople"];
    assert_eq!(
        report["created"],
        json!(["wang@example.com", "zhao@example.com"])
    );

    let zhao = app
        .gql(
            Some(&hr),
            "{ users(first: 5, filter: {search: \"zhao\"}) { edges { node { employeeId name manager { name } } } } }",
            json!({}),
        )
        .await;
    let node = &zhao.data()["users"]["edges"][0]["node"];
    assert_eq!(node["employeeId"], "1002");
    assert_eq!(node["manager"]["name"], "王芳");
    let wang = app
        .gql(
            Some(&hr),
            "{ users(first: 5, filter: {search: \"wang\"}) { edges { node { levelSince role } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        wang.data()["users"]["edges"][0]["node"]["levelSince"],
        "2025-07-01"
    );
    assert_eq!(wang.data()["users"]["edges"][0]["node"]["role"], "MANAGER");

    // A CSV as Excel on Chinese Windows saves it: GB18030, semicolons.
    let text = "工号;邮箱;姓名;部门;上级\n1003;li@example.com;李雷;运营中心/用户运营/社群组;wang@example.com\n";
    let (gb, _, _) = encoding_rs::GB18030.encode(text);
    let answer = upload(
        &app,
        &hr,
        IMPORT,
        json!({"file": null, "dry": false, "deactivate": false}),
        "people.csv",
        gb.into_owned(),
    )
    .await;
    assert_eq!(
        answer.data()["importPeople"]["created"],
        json!(["li@example.com"])
    );
    let li = app
        .gql(
            Some(&hr),
            "{ users(first: 5, filter: {search: \"li@\"}) { edges { node { name team { name } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(li.data()["users"]["edges"][0]["node"]["name"], "李雷");
    assert_eq!(
        li.data()["users"]["edges"][0]["node"]["team"]["name"],
        "社群组"
    );
}

#[tokio::test]
async fn uploads_past_the_size_limit_are_refused_with_a_clear_error() {
    let app = spawn_app_with(|s| s.import_max_bytes = 1_000).await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let answer = upload(
        &app,
        &hr,
        IMPORT,
        json!({"file": null, "dry": true, "deactivate": false}),
        "people.csv",
        org_csv(50).into_bytes(),
    )
    .await;
    assert_eq!(answer.code(), "BAD_USER_INPUT");
    assert!(
        answer.message().contains("1000 bytes"),
        "{}",
        answer.message()
    );
}

#[tokio::test]
async fn people_missing_from_the_file_are_deactivated_when_asked() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    app.person("admin@example.com", Role::Admin, None).await;
    app.person("leaver@example.com", Role::Employee, None).await;
    let hr = app.token("hr@example.com").await;
    let csv = "email,name\nstayer@example.com,Stayer\n";
    let answer = app
        .gql(
            Some(&hr),
            IMPORT,
            json!({"text": csv, "dry": false, "deactivate": true}),
        )
        .await;
    // The caller and admins are never deactivated by an import.
    assert_eq!(
        answer.data()["importPeople"]["deactivated"],
        json!(["leaver@example.com"])
    );
    let leaver = app
        .login_with("leaver@example.com", crate::helpers::PASSWORD)
        .await;
    assert_eq!(leaver.code(), "UNAUTHENTICATED");
}

/// Two HR tabs import the same file at once: the imports take turns, the
/// second finds everyone there, and nobody is created twice.
#[tokio::test]
async fn two_imports_racing_create_everyone_once() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    for round in 0..3 {
        let csv = org_csv(60).replace("@ops.", &format!("@r{round}."));
        let csv = csv
            .replace(",E0", &format!(",R{round}E0"))
            .replace("\nE0", &format!("\nR{round}E0"));
        let (a, b) = tokio::join!(
            import_text(&app, &hr, &csv, false),
            import_text(&app, &hr, &csv, false)
        );
        let created = a.data()["importPeople"]["created"]
            .as_array()
            .unwrap()
            .len()
            + b.data()["importPeople"]["created"]
                .as_array()
                .unwrap()
                .len();
        assert_eq!(created, 60, "round {round}");
    }
    assert_eq!(count_users(&app).await, 1 + 3 * 60);
}
