//! `skillpath import people FILE`: the real binary, a real file, a database
//! of its own (SQLite, or a new PostgreSQL database with `TEST_DATABASE_URL`).

use std::path::Path;
use std::process::Output;

use sea_orm::{ConnectionTrait, Database, FromQueryResult, Statement};

const FILE: &str = "\u{feff}工号;邮箱;姓名;部门;直属上级;岗位;职级;定级日期;语言;角色
E001;lead@example.com;王芳;运营中心/用户运营;;user_operations;m1;2024-03-01;zh-CN;MANAGER
E002;ada@example.com;李雷;运营中心/用户运营/社群组;E001;user_operations;p2;2025-01-01;zh-CN;EMPLOYEE
E003;bo@example.com;Bo Chen;运营中心/数据运营;lead@example.com;data_operations;p1;;en;EMPLOYEE
";

async fn run(dir: &Path, database_url: &str, args: &[&str]) -> Output {
    let config = dir.join("empty.toml");
    std::fs::write(&config, "").unwrap();
    tokio::process::Command::new(env!("CARGO_BIN_EXE_skillpath"))
        .args(args)
        .current_dir(dir)
        .env("SKILLPATH_CONFIG", &config)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("run skillpath")
}

#[derive(FromQueryResult, Debug, PartialEq)]
struct Row {
    email: String,
    employee_id: Option<String>,
    manager: Option<String>,
    team: Option<String>,
    career_level: Option<String>,
}

async fn people(database_url: &str) -> Vec<Row> {
    let db = Database::connect(database_url).await.unwrap();
    let rows = Row::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        "SELECT u.email, u.employee_id, m.email AS manager, t.name AS team, u.career_level \
         FROM users u LEFT JOIN users m ON m.id = u.manager_id LEFT JOIN teams t ON t.id = u.team_id \
         ORDER BY u.email",
    ))
    .all(&db)
    .await
    .unwrap();
    db.close().await.unwrap();
    rows
}

#[tokio::test]
async fn the_cli_imports_an_hr_file_once_and_a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (database_url, admin) = match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            let name = format!("skillpath_cli_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(admin_url.as_str()).await.unwrap();
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .unwrap();
            let (prefix, _) = admin_url.rsplit_once('/').unwrap();
            (format!("{prefix}/{name}"), Some((admin, name)))
        }
        _ => (
            format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display()),
            None,
        ),
    };
    let file = dir.path().join("people.csv");
    std::fs::write(&file, FILE).unwrap();
    let file = file.to_str().unwrap();

    // A dry run says what would change and writes nothing.
    let dry = run(
        dir.path(),
        &database_url,
        &["import", "people", file, "--dry-run"],
    )
    .await;
    let said = String::from_utf8_lossy(&dry.stdout);
    assert!(
        dry.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(said.contains("dry run: 3 rows: 3 created"), "{said}");
    assert_eq!(people(&database_url).await, vec![]);

    let first = run(dir.path(), &database_url, &["import", "people", file]).await;
    let said = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(said.contains("3 rows: 3 created"), "{said}");
    let imported = people(&database_url).await;
    let row = |email: &str, id: &str, manager: Option<&str>, team: &str, level: &str| Row {
        email: email.into(),
        employee_id: Some(id.into()),
        manager: manager.map(Into::into),
        team: Some(team.into()),
        career_level: Some(level.into()),
    };
    assert_eq!(
        imported,
        vec![
            row(
                "ada@example.com",
                "E002",
                Some("lead@example.com"),
                "社群组",
                "p2"
            ),
            row(
                "bo@example.com",
                "E003",
                Some("lead@example.com"),
                "数据运营",
                "p1"
            ),
            row("lead@example.com", "E001", None, "用户运营", "m1"),
        ]
    );

    let second = run(dir.path(), &database_url, &["import", "people", file]).await;
    let said = String::from_utf8_lossy(&second.stdout);
    assert!(second.status.success(), "{said}");
    assert!(
        said.contains("0 created, 0 moved, 0 updated, 3 unchanged"),
        "{said}"
    );
    assert_eq!(people(&database_url).await, imported);

    // A bad row: the run fails, names the row, and changes nothing.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        FILE.replace("user_operations;p2", "user_operations;p9"),
    )
    .unwrap();
    let refused = run(
        dir.path(),
        &database_url,
        &["import", "people", bad.to_str().unwrap()],
    )
    .await;
    let said = String::from_utf8_lossy(&refused.stdout);
    assert!(!refused.status.success());
    assert!(said.contains("row 3"), "{said}");
    assert_eq!(people(&database_url).await, imported);

    if let Some((admin, name)) = admin {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await
            .ok();
    }
}
