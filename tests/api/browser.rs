//! A real headless Chromium through GraphiQL and the invitation page
//! (`scripts/browser/check.mjs`, playwright-core from the project's own
//! package-lock). Needs Debian's `chromium` and Node.js: without them the
//! test says so and passes, unless `REQUIRE_BROWSER=1` (as `.ci/run` sets).

use std::path::Path;

use serde_json::json;
use skillpath::auth::Role;
use skillpath::config::SmtpSecurity;
use skillpath::people::{self, NewPerson};

use crate::helpers::spawn_app_with;
use crate::smtp::{SmtpServer, parse};

/// The password GraphiQL's welcome query logs in with.
const WELCOME_PASSWORD: &str = "change-me-please";
const NEW_PASSWORD: &str = "a browser chose this";

/// Why the browser check cannot run here, if it cannot.
fn missing_tools(scripts: &Path) -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!(
            "no Chromium at {chromium} (apt-get install chromium)"
        ));
    }
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        return Some("no Node.js".into());
    }
    if !scripts.join("node_modules/playwright-core").exists() {
        let installed = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(scripts)
            .status();
        if !installed.is_ok_and(|s| s.success()) {
            return Some("npm ci in scripts/browser failed".into());
        }
    }
    None
}

#[tokio::test]
async fn a_browser_runs_graphiql_and_accepts_an_invitation_from_a_mail() {
    let scripts = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/browser");
    if let Some(why) = missing_tools(&scripts) {
        assert!(
            std::env::var("REQUIRE_BROWSER").is_err(),
            "REQUIRE_BROWSER is set but {why}"
        );
        eprintln!("skipped: {why}");
        return;
    }
    let smtp = SmtpServer::start();
    let app = spawn_app_with(|s| {
        s.smtp.host = Some("127.0.0.1".into());
        s.smtp.port = Some(smtp.port);
        s.smtp.security = SmtpSecurity::None;
    })
    .await;
    // The account GraphiQL's welcome query logs in as.
    people::insert_person(
        &app.state.db,
        &app.state.auth.hasher,
        NewPerson {
            email: "admin@example.com".into(),
            name: "Admin".into(),
            role: Some(Role::Admin),
            password: Some(WELCOME_PASSWORD.into()),
            ..NewPerson::default()
        },
    )
    .await
    .unwrap();
    let admin = app
        .login_with("admin@example.com", WELCOME_PASSWORD)
        .await
        .data()["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql(
        Some(&admin),
        "mutation { inviteUser(input: {email: \"newcomer@example.com\", name: \"Newcomer\", locale: EN}) { id } }",
        json!({}),
    )
    .await
    .data();
    assert_eq!(app.deliver_pending_mail().await, 1);
    let mail = parse(&smtp.messages()[0]);
    let link = mail
        .text
        .split_whitespace()
        .find(|word| word.contains("/accept-invitation?token="))
        .expect("an invitation link in the mail")
        .to_owned();
    assert!(link.starts_with(&app.base), "{link} is on this server");

    let run = tokio::process::Command::new("node")
        .arg(scripts.join("check.mjs"))
        .args([app.base.as_str(), link.as_str(), NEW_PASSWORD])
        .output()
        .await
        .expect("run node");
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        said.contains("graphiql: the welcome query logged in"),
        "{said}"
    );
    assert!(said.contains("invitation: Your account is ready"), "{said}");

    // The password the browser set is the newcomer's.
    let login = app.login_with("newcomer@example.com", NEW_PASSWORD).await;
    assert!(login.data()["login"]["accessToken"].is_string());
}
