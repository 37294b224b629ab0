//! No password or token ever reaches the log: the real binary is started
//! with debug logging, used, stopped, and its output searched.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

use crate::helpers::PASSWORD;

#[tokio::test]
async fn passwords_and_tokens_never_appear_in_logs() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let admin_password = "bootstrap-password-not-for-logs";
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_skillpath"))
        .arg("serve")
        .current_dir(dir.path())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.path().join("sp.db").display()),
        )
        .env("SKILLPATH_LISTEN", format!("127.0.0.1:{port}"))
        .env("SKILLPATH_ADMIN_EMAIL", "root@example.com")
        .env("SKILLPATH_ADMIN_PASSWORD", admin_password)
        .env("SKILLPATH_PASSWORD_HASHING__MEMORY_KIB", "64")
        .env("SKILLPATH_PASSWORD_HASHING__ITERATIONS", "1")
        .env("RUST_LOG", "trace")
        .env_remove("TEST_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start skillpath");

    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/graphql");
    let mut ready = false;
    for _ in 0..200 {
        if http
            .get(format!("http://127.0.0.1:{port}/health"))
            .send()
            .await
            .is_ok()
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "server did not start");

    let post = |query: &str, variables: Value, token: Option<String>| {
        let mut req = http
            .post(&url)
            .json(&json!({"query": query, "variables": variables}));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    let login = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }";
    let session: Value = post(
        login,
        json!({"e": "root@example.com", "p": admin_password}),
        None,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let access = session["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh = session["data"]["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let create = "mutation($p: String) { createUser(input: {email: \"ada@example.com\", name: \"Ada\", password: $p}) { id } }";
    post(create, json!({"p": PASSWORD}), Some(access.clone()))
        .await
        .unwrap();
    post(
        login,
        json!({"e": "ada@example.com", "p": "a wrong password guess"}),
        None,
    )
    .await
    .unwrap();
    let rotated: Value = post(
        "mutation($t: String!) { refreshToken(token: $t) { refreshToken } }",
        json!({"t": refresh}),
        None,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let rotated = rotated["data"]["refreshToken"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    post(
        "query WhoAmI { me { id } }",
        json!({}),
        Some(access.clone()),
    )
    .await
    .unwrap();

    // SIGTERM: the server shuts down gracefully and exits on its own.
    let pid = child.id().unwrap() as i32;
    std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .unwrap();
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("graceful shutdown")
        .unwrap();
    assert!(status.success(), "exit status {status}");

    let mut logs = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .await
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .await
        .unwrap();
    assert!(
        logs.contains("request"),
        "expected request logs, got:\n{logs}"
    );
    assert!(logs.contains("login"), "expected the login to be logged");
    // A request's lines name the operation and the caller, in plain text
    // (the output is a pipe, not a terminal: no colour codes).
    let who_am_i = logs
        .lines()
        .find(|l| l.contains(r#"operation="WhoAmI""#))
        .unwrap_or_else(|| panic!("no line names the operation:\n{logs}"));
    assert!(who_am_i.contains("caller=1"), "{who_am_i}");
    assert!(who_am_i.contains("request_id="), "{who_am_i}");
    assert!(!logs.contains('\u{1b}'), "ANSI escape codes in a piped log");
    for secret in [
        admin_password,
        PASSWORD,
        "a wrong password guess",
        access.as_str(),
        refresh.as_str(),
        rotated.as_str(),
    ] {
        assert!(!logs.contains(secret), "a secret reached the log");
    }
    // Nor the parts a careless log line would print.
    let signature = access.rsplit('.').next().unwrap();
    assert!(!logs.contains(signature));
}
