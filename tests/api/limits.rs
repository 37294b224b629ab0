//! Nothing one request can break: nesting, body size, cost, counts, text
//! checks at the boundary, and what production hides from strangers.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use skillpath::config::{Environment, PasswordHashing};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Gql, PASSWORD, TOKEN_SECRET, TestApp, org, spawn_app, spawn_app_with};

async fn post_raw(app: &TestApp, body: Vec<u8>) -> (u16, Value) {
    let res = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let body = res.json().await.unwrap_or(Value::Null);
    (status, body)
}

fn code_of(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error with a code, got {body:#}"))
}

async fn still_serving(app: &TestApp) {
    let answer = app.gql(None, "{ __typename }", json!({})).await;
    assert_eq!(answer.data()["__typename"], "Query");
}

/// The real binary on the test's database, so a crash takes down only it:
/// its multi-threaded runtime has the 2 MiB worker stacks production has.
struct Binary {
    child: tokio::process::Child,
    base: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Binary {
    async fn beside(app: &TestApp) -> Self {
        Self::beside_with(app, &[]).await
    }

    async fn beside_with(app: &TestApp, envs: &[(&str, &str)]) -> Self {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let dir = tempfile::tempdir().unwrap();
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_skillpath"))
            .arg("serve")
            .current_dir(dir.path())
            .env("DATABASE_URL", &app.settings.database_url)
            .env("SKILLPATH_LISTEN", format!("127.0.0.1:{port}"))
            .env("SKILLPATH_TOKEN_SECRET", TOKEN_SECRET)
            .env("SKILLPATH_PASSWORD_HASHING__MEMORY_KIB", "64")
            .env("SKILLPATH_PASSWORD_HASHING__ITERATIONS", "1")
            .env("SKILLPATH_MAIL_DIR", dir.path().join("mail"))
            .env("RUST_LOG", "info")
            .env_remove("TEST_DATABASE_URL")
            .env_remove("SKILLPATH_CONFIG")
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start skillpath");
        let binary = Binary {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
            _dir: dir,
        };
        for _ in 0..200 {
            if binary
                .http
                .get(format!("{}/health", binary.base))
                .send()
                .await
                .is_ok()
            {
                return binary;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("server did not start");
    }

    async fn post(&self, token: Option<&str>, body: Value) -> reqwest::Result<(u16, Value)> {
        let mut req = self.http.post(format!("{}/graphql", self.base)).json(&body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let res = req.send().await?;
        let status = res.status().as_u16();
        Ok((status, res.json().await.unwrap_or(Value::Null)))
    }

    async fn still_serving(&self) {
        let (status, body) = self
            .post(None, json!({"query": "{ __typename }"}))
            .await
            .expect("the server is gone");
        assert_eq!(
            (status, &body["data"]["__typename"]),
            (200, &json!("Query"))
        );
    }

    /// Stops the server and returns everything it logged.
    async fn stop(mut self) -> String {
        self.child.start_kill().unwrap();
        let _ = self.child.wait().await;
        let mut log = String::new();
        let _ = self
            .child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut log)
            .await;
        let _ = self
            .child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut log)
            .await;
        log
    }
}

/// ~500 levels of `[` in an argument overflowed a worker's stack: SIGABRT,
/// every user disconnected. (Deeper input stops at the parser's own guard.)
#[tokio::test]
async fn a_deeply_nested_literal_is_refused_and_the_server_keeps_serving() {
    let app = spawn_app().await;
    let server = Binary::beside(&app).await;
    for depth in [500, 700, 3000] {
        let lists = format!(
            "{{ users(first: {}1{}) {{ nodes {{ id }} }} }}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let objects = format!(
            "{{ users(filter: {}1{}) {{ nodes {{ id }} }} }}",
            "{a: ".repeat(depth),
            "}".repeat(depth)
        );
        for query in [lists, objects] {
            let (status, body) = server
                .post(None, json!({"query": query}))
                .await
                .unwrap_or_else(|e| panic!("no answer at depth {depth} (crashed?): {e}"));
            assert_eq!(status, 400, "{body:#}");
            assert_eq!(code_of(&body), "BAD_USER_INPUT");
            let message = body["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains("limit: nesting"), "{message}");
            server.still_serving().await;
        }
    }
    // The same over GET.
    let deep = format!(
        "{{ users(first: {}1{}) {{ nodes {{ id }} }} }}",
        "[".repeat(600),
        "]".repeat(600)
    );
    let res = server
        .http
        .get(format!("{}/graphql", server.base))
        .query(&[("query", deep)])
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status().as_u16(), 400);
    server.still_serving().await;
    // Brackets inside strings are text, not nesting.
    let text = app
        .gql(
            None,
            &format!("{{ __type(name: \"{}\") {{ name }} }}", "[".repeat(100)),
            json!({}),
        )
        .await;
    assert_eq!(text.data()["__type"], Value::Null);
    assert!(!server.stop().await.contains("overflowed"));
}

#[tokio::test]
async fn deeply_nested_variables_are_refused() {
    let app = spawn_app().await;
    let query = "query($f: UserFilter) { users(filter: $f) { nodes { id } } }";
    // Deeper than the limit but within what the JSON decoder accepts.
    let mut nested = json!(1);
    for _ in 0..100 {
        nested = json!({ "a": nested });
    }
    let (status, body) = post_raw(
        &app,
        json!({"query": query, "variables": {"f": nested}})
            .to_string()
            .into_bytes(),
    )
    .await;
    assert_eq!(status, 400, "{body:#}");
    assert_eq!(code_of(&body), "BAD_USER_INPUT");
    // Deeper than the JSON decoder accepts: still a coded 400.
    let deep = format!(
        r#"{{"query": "{{ __typename }}", "variables": {{"f": {}1{}}}}}"#,
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let (status, body) = post_raw(&app, deep.into_bytes()).await;
    assert_eq!(status, 400, "{body:#}");
    assert_eq!(code_of(&body), "BAD_USER_INPUT");
    still_serving(&app).await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413_and_a_json_error() {
    let app = spawn_app_with(|s| s.max_body_bytes = 64 * 1024).await;
    let padding = "x".repeat(100 * 1024);
    let body = json!({"query": "{ __typename }", "variables": {"pad": padding}}).to_string();
    let res = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 413);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let answer: Value = res.json().await.unwrap();
    assert_eq!(code_of(&answer), "BAD_USER_INPUT");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("65536"),
        "{answer:#}"
    );
    // Just under the limit is read as usual.
    let fits = json!({"query": "{ __typename }", "variables": {"pad": "x".repeat(60 * 1024)}});
    let (status, body) = post_raw(&app, fits.to_string().into_bytes()).await;
    assert_eq!(status, 200, "{body:#}");
    still_serving(&app).await;
}

/// A chunked body has no Content-Length: the server must stop reading once
/// it has seen more than the limit, not after the client's 300 MB.
#[tokio::test]
async fn a_chunked_body_is_cut_off_at_the_limit() {
    let app = spawn_app_with(|s| s.max_body_bytes = 64 * 1024).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = sent.clone();
    let writer = tokio::spawn(async move {
        let head = format!(
            "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        write.write_all(head.as_bytes()).await?;
        let chunk = vec![b' '; 16 * 1024];
        // Up to 300 MB, unless the server stops listening first.
        for _ in 0..(300 * 64) {
            write
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            write.write_all(&chunk).await?;
            write.write_all(b"\r\n").await?;
            counter.fetch_add(chunk.len(), std::sync::atomic::Ordering::Relaxed);
        }
        write.write_all(b"0\r\n\r\n").await
    });
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    let read_all = async {
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    response.extend_from_slice(&buf[..n]);
                    if String::from_utf8_lossy(&response).contains("\"errors\"") {
                        break;
                    }
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read_all)
        .await
        .expect("an answer before the whole body was sent");
    writer.abort();
    let text = String::from_utf8_lossy(&response).to_string();
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(
        text.to_lowercase()
            .contains("content-type: application/json"),
        "{text}"
    );
    assert!(text.contains("BAD_USER_INPUT"), "{text}");
    let sent = sent.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        sent < 100 * 1024 * 1024,
        "the client sent {sent} bytes before the answer"
    );
    still_serving(&app).await;
}

#[tokio::test]
async fn costs_counts_and_repeats_are_limited_each_naming_its_limit() {
    let app = spawn_app().await;
    let o = org(&app).await;
    let admin = app.token(&o.admin.email).await;
    let refused = |answer: &Gql, limit: &str| {
        assert_eq!(answer.code(), "BAD_USER_INPUT", "{:#}", answer.body);
        assert!(
            answer.message().contains(limit),
            "{limit}: {}",
            answer.message()
        );
        assert!(answer.body["data"].is_null(), "{:#}", answer.body);
    };

    // 1000 × exportFramework (114 MB) passed; 3 are too many.
    let exports: String = (0..1000)
        .map(|i| format!("e{i}: exportFramework "))
        .collect();
    let answer = app
        .gql(Some(&admin), &format!("{{ {exports} }}"), json!({}))
        .await;
    refused(&answer, "limit: fields per request");
    let exports: String = (0..3).map(|i| format!("e{i}: exportFramework ")).collect();
    let answer = app
        .gql(Some(&admin), &format!("{{ {exports} }}"), json!({}))
        .await;
    refused(&answer, "limit: expensive field repeats");
    assert!(answer.message().contains("exportFramework"));
    let two = app
        .gql(
            Some(&admin),
            "{ a: exportFramework b: exportFramework(format: JSON) }",
            json!({}),
        )
        .await;
    assert!(two.data()["a"].as_str().unwrap().len() > 1000);

    // 500 × promotionReadiness(first: 500): refused; and two pages of 500
    // with a rich selection cost more than the budget (each item counts).
    let readiness: String = (0..500)
        .map(|i| format!("r{i}: promotionReadiness(first: 500) {{ nodes {{ readiness }} }} "))
        .collect();
    let answer = app
        .gql(Some(&admin), &format!("{{ {readiness} }}"), json!({}))
        .await;
    assert_eq!(answer.code(), "BAD_USER_INPUT");
    let page = "promotionReadiness(first: 500) { nodes { readiness ready user { id name email role jobRole careerLevel levelSince locale active manager { id name email role } team { id name } } } }";
    let answer = app
        .gql(
            Some(&admin),
            &format!("{{ a: {page} b: {page} }}"),
            json!({}),
        )
        .await;
    refused(&answer, "limit: complexity");
    let small = app
        .gql(
            Some(&admin),
            "{ promotionReadiness(first: 20) { nodes { readiness } } }",
            json!({}),
        )
        .await;
    small.data();

    // Mutations per request.
    let mutations: String = (0..11)
        .map(|i| format!("m{i}: discardFrameworkDraft "))
        .collect();
    let answer = app
        .gql(
            Some(&admin),
            &format!("mutation {{ {mutations} }}"),
            json!({}),
        )
        .await;
    refused(&answer, "limit: mutations per request");

    // Password hashing: one per request, whatever the aliases.
    let logins = "mutation($e: String!, $p: String!) { a: login(email: $e, password: $p) { accessToken } b: login(email: $e, password: $p) { accessToken } }";
    let answer = app
        .gql(None, logins, json!({"e": o.admin.email, "p": PASSWORD}))
        .await;
    refused(&answer, "limit: password hashing per request");
    let mixed = "mutation { a: resetPassword(token: \"x\", password: \"long enough password\") b: acceptInvitation(token: \"y\", password: \"long enough password\") { accessToken } }";
    refused(
        &app.gql(None, mixed, json!({})).await,
        "limit: password hashing",
    );

    // Selections deeper than the depth limit.
    let deep = format!("{{ me {}id{} }}", "{ manager ".repeat(20), " }".repeat(20));
    let answer = app.gql(Some(&admin), &deep, json!({})).await;
    refused(&answer, "limit: depth");
    still_serving(&app).await;
}

/// Control characters in any text argument, literal or variable, nested in
/// input objects or lists, on both databases: BAD_USER_INPUT, and nothing
/// changes. (PostgreSQL used to answer INTERNAL and log an ERROR for NUL.)
#[tokio::test]
async fn control_characters_are_refused_at_the_boundary() {
    let app = spawn_app().await;
    let o = org(&app).await;
    let hr = app.token(&o.hr.email).await;
    let manager = app.token(&o.manager.email).await;
    let before = people_count(&app, &hr).await;

    let cases: Vec<(Option<&str>, &str, Value, &str)> = vec![
        (
            None,
            "mutation($e: String!) { login(email: $e, password: \"whatever it is\") { accessToken } }",
            json!({"e": "admin\u{0}@example.com"}),
            "email",
        ),
        (
            None,
            "mutation { requestPasswordReset(email: \"a\\u0000@example.com\") }",
            json!({}),
            "email",
        ),
        (
            None,
            "mutation($t: String!) { resetPassword(token: $t, password: \"long enough password\") }",
            json!({"t": "abc\u{0}def"}),
            "token",
        ),
        (
            Some(&hr),
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            json!({"i": {"email": "nul\u{0}@example.com", "name": "Nul"}}),
            "input.email",
        ),
        (
            Some(&hr),
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            json!({"i": {"email": "bell@example.com", "name": "Bell\u{7}"}}),
            "input.name",
        ),
        (
            Some(&hr),
            // A name is one line: a newline is refused too.
            "mutation { createTeam(input: {name: \"Two\\nLines\"}) { id } }",
            json!({}),
            "input.name",
        ),
        (
            Some(&hr),
            "query($s: String) { users(filter: {search: $s}) { nodes { id } } }",
            json!({"s": "\u{0}"}),
            "filter.search",
        ),
        (
            Some(&manager),
            "mutation($u: ID!) { recordKpiActual(userId: $u, period: \"2026-Q4\", kpi: \"new_users\", value: 1, note: \"ok\\u0000\") { id } }",
            json!({"u": o.report.id.to_string()}),
            "note",
        ),
        (
            Some(&hr),
            "mutation($r: [String!]!) { openAssessmentCycle(input: {name: \"Q4\", jobRoles: $r}) { cycle { id } } }",
            json!({"r": ["user_operations", "data\u{1b}[31m"]}),
            "input.jobRoles",
        ),
    ];
    for (token, query, variables, field) in cases {
        let answer = app.gql(token, query, variables).await;
        assert_eq!(
            answer.code(),
            "BAD_USER_INPUT",
            "{query}: {:#}",
            answer.body
        );
        let problem = &answer.body["errors"][0]["extensions"]["problems"][0];
        assert_eq!(problem["field"], field, "{query}: {:#}", answer.body);
        assert!(
            problem["message"]
                .as_str()
                .unwrap()
                .contains("control characters"),
            "{problem}"
        );
        assert!(answer.body["data"].is_null(), "{:#}", answer.body);
    }
    assert_eq!(people_count(&app, &hr).await, before);
    let cycles = app
        .gql(
            Some(&hr),
            "{ assessmentCycles { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(cycles.data()["assessmentCycles"]["nodes"], json!([]));
    let actuals = app
        .gql(
            Some(&manager),
            "query($u: ID!) { performance(userId: $u, period: \"2026-Q4\") { targets { readings } } }",
            json!({"u": o.report.id.to_string()}),
        )
        .await;
    assert_eq!(actuals.data()["performance"]["targets"], json!([]));

    // Free text keeps its line breaks and tabs.
    let noted = app
        .gql(
            Some(&manager),
            "mutation($u: ID!, $n: String) { recordKpiActual(userId: $u, period: \"2026-Q4\", kpi: \"new_users\", value: 1, note: $n) { note } }",
            json!({"u": o.report.id.to_string(), "n": "first line\nsecond\tline"}),
        )
        .await;
    assert_eq!(
        noted.data()["recordKpiActual"]["note"],
        "first line\nsecond\tline"
    );
}

async fn people_count(app: &TestApp, token: &str) -> usize {
    app.gql(
        Some(token),
        "{ users(first: 100) { nodes { id } } }",
        json!({}),
    )
    .await
    .data()["users"]["nodes"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn texts_are_bounded_per_field() {
    let app = spawn_app().await;
    let o = org(&app).await;
    let hr = app.token(&o.hr.email).await;
    let manager = app.token(&o.manager.email).await;
    let long_name = app
        .gql(
            Some(&hr),
            "mutation($n: String!) { createTeam(input: {name: $n}) { id } }",
            json!({"n": "n".repeat(201)}),
        )
        .await;
    assert_eq!(long_name.code(), "BAD_USER_INPUT");
    assert_eq!(
        long_name.body["errors"][0]["extensions"]["problems"][0]["field"],
        "input.name"
    );
    assert!(
        long_name.message().contains("at most 200 characters"),
        "{}",
        long_name.message()
    );
    let fits = app
        .gql(
            Some(&hr),
            "mutation($n: String!) { createTeam(input: {name: $n}) { name } }",
            json!({"n": "n".repeat(120)}),
        )
        .await;
    // The team's own rule (120) is tighter than the boundary's.
    assert_eq!(
        fits.data()["createTeam"]["name"].as_str().unwrap().len(),
        120
    );
    // A 2 MB note was stored; notes stop at 4,000 characters.
    let note = app
        .gql(
            Some(&manager),
            "mutation($u: ID!, $n: String) { recordKpiActual(userId: $u, period: \"2026-Q4\", kpi: \"new_users\", value: 1, note: $n) { id } }",
            json!({"u": o.report.id.to_string(), "n": "x".repeat(4_001)}),
        )
        .await;
    assert_eq!(note.code(), "BAD_USER_INPUT");
    assert!(
        note.message()
            .contains("note: must be at most 4000 characters"),
        "{}",
        note.message()
    );
}

#[tokio::test]
async fn production_hides_introspection_suggestions_and_graphiql() {
    let production = spawn_app_with(|s| {
        s.env = Environment::Production;
        // Production refuses a lowered hashing cost; nothing here hashes.
        s.password_hashing = PasswordHashing::OWASP;
    })
    .await;
    let schema = production
        .gql(None, "{ __schema { types { name } } }", json!({}))
        .await;
    assert_eq!(schema.code(), "BAD_USER_INPUT", "{:#}", schema.body);
    assert!(
        schema.message().contains("introspection"),
        "{}",
        schema.message()
    );
    assert!(schema.body["data"].is_null(), "{:#}", schema.body);
    let one_type = production
        .gql(
            None,
            "{ __type(name: \"User\") { fields { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(one_type.code(), "BAD_USER_INPUT");
    let typo = production
        .gql(None, "{ frameworkk { version } }", json!({}))
        .await;
    assert_eq!(typo.code(), "BAD_USER_INPUT");
    assert!(
        !typo.message().contains("Did you mean"),
        "{}",
        typo.message()
    );
    for path in ["/graphiql", "/graphiql/assets/graphiql.min.js", "/"] {
        let res = production
            .http
            .get(format!("{}{path}", production.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 404, "{path}");
    }
    // Asked for explicitly, introspection comes back.
    let opted_in = spawn_app_with(|s| {
        s.env = Environment::Production;
        s.password_hashing = PasswordHashing::OWASP;
        s.introspection = Some(true);
    })
    .await;
    let schema = opted_in
        .gql(None, "{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(schema.data()["__schema"]["queryType"]["name"], "Query");

    let development = spawn_app().await;
    let schema = development
        .gql(None, "{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(schema.data()["__schema"]["queryType"]["name"], "Query");
    let typo = development
        .gql(None, "{ frameworkk { version } }", json!({}))
        .await;
    assert!(
        typo.message().contains("Did you mean"),
        "{}",
        typo.message()
    );
    let page = development
        .http
        .get(format!("{}/graphiql", development.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
}

/// The real binary on the test's database (SQLite or PostgreSQL), its log
/// read afterwards: hostile texts must not log a single ERROR.
#[tokio::test]
async fn hostile_texts_log_no_error() {
    let app = spawn_app().await;
    let o = org(&app).await;
    let server = Binary::beside(&app).await;
    let base = server.base.clone();
    let login = |email: &str| {
        app.http.post(format!("{base}/graphql")).json(&json!({
            "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
            "variables": {"e": email, "p": PASSWORD}
        }))
    };
    let hr: Value = login(&o.hr.email)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let hr = hr["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let nul = "x\u{0}y";
    let requests = [
        (
            None,
            "mutation($e: String!) { login(email: $e, password: \"whatever it is\") { accessToken } }",
            json!({"e": nul}),
        ),
        (
            None,
            "mutation($e: String!) { requestPasswordReset(email: $e) }",
            json!({"e": nul}),
        ),
        (
            None,
            "mutation($t: String!) { acceptInvitation(token: $t, password: \"long enough password\") { accessToken } }",
            json!({"t": nul}),
        ),
        (
            Some(hr.clone()),
            "mutation($n: String!) { createTeam(input: {name: $n}) { id } }",
            json!({"n": nul}),
        ),
        (
            Some(hr.clone()),
            "query($s: String) { users(filter: {search: $s}) { nodes { id } } }",
            json!({"s": nul}),
        ),
        (
            Some(hr.clone()),
            "query($r: String) { certificationProgress(filter: {jobRole: $r}) { nodes { id } } }",
            json!({"r": nul}),
        ),
    ];
    for (token, query, variables) in requests {
        let mut req = app
            .http
            .post(format!("{base}/graphql"))
            .json(&json!({"query": query, "variables": variables}));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let body: Value = req.send().await.unwrap().json().await.unwrap();
        assert_eq!(code_of(&body), "BAD_USER_INPUT", "{query}: {body:#}");
    }
    let log = server.stop().await;
    assert!(log.contains("request"), "no request log at all: {log}");
    assert!(!log.contains("ERROR"), "an ERROR was logged:\n{log}");
}

async fn start_binary(envs: &[(&str, &str)]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_skillpath"));
    command
        .arg("serve")
        .current_dir(dir.path())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.path().join("sp.db").display()),
        )
        .env("SKILLPATH_LISTEN", "127.0.0.1:0")
        .env_remove("SKILLPATH_CONFIG")
        .kill_on_drop(true);
    for (key, value) in envs {
        command.env(
            key,
            value.replace("{dir}", &dir.path().display().to_string()),
        );
    }
    tokio::time::timeout(Duration::from_secs(30), command.output())
        .await
        .expect("skillpath should stop at once")
        .unwrap()
}

#[tokio::test]
async fn unknown_settings_and_a_missing_config_file_stop_the_start() {
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[("SKILLPATH_MAX_BODY_BYTE", "100")], "`max_body_byte`"),
        (
            &[("SKILLPATH_SMTP__HOSTNAME", "smtp.example.com")],
            "`hostname`",
        ),
        (
            &[("SKILLPATH_CONFIG", "{dir}/missing.toml")],
            "missing.toml",
        ),
        (
            &[("SKILLPATH_CONFIG", "/dev/null/nothing.toml")],
            "nothing.toml",
        ),
    ];
    for (envs, named) in cases {
        let output = start_binary(envs).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{envs:?}: {stderr}");
        assert!(
            stderr.contains(named),
            "{envs:?} should name {named}: {stderr}"
        );
    }
    // An unknown key in the file is named with the file.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("skillpath.toml");
    std::fs::write(
        &file,
        "public_url = \"https://x.example\"\n[smtp]\nhots = \"smtp.example.com\"\n",
    )
    .unwrap();
    let output = start_binary(&[("SKILLPATH_CONFIG", file.to_str().unwrap())]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`hots`") && stderr.contains("skillpath.toml"),
        "{stderr}"
    );
}

/// Summing 1.7e308 twice gave infinity, shown as `actual: null` beside an
/// attainment. Readings and targets are bounded, so sums stay finite.
#[tokio::test]
async fn kpi_values_that_would_overflow_are_refused() {
    let app = spawn_app().await;
    let o = org(&app).await;
    let manager = app.token(&o.manager.email).await;
    let report = o.report.id.to_string();
    let record = "mutation($u: ID!, $v: Float!) { recordKpiActual(userId: $u, period: \"2026-Q4\", kpi: \"new_users\", value: $v) { value } }";
    let huge = app
        .gql(Some(&manager), record, json!({"u": report, "v": 1.7e308}))
        .await;
    assert_eq!(huge.code(), "BAD_USER_INPUT");
    assert_eq!(
        huge.body["errors"][0]["extensions"]["problems"][0]["field"],
        "value"
    );
    let csv = "email,period,kpi,value\nreport@example.com,2026-Q4,new_users,1e308\nreport@example.com,2026-Q4,new_users,1e308\n";
    let import = app
        .gql(
            Some(&manager),
            "mutation($c: String!) { importKpiActuals(csv: $c) }",
            json!({"c": csv}),
        )
        .await;
    assert_eq!(import.code(), "BAD_USER_INPUT");
    assert!(
        import.message().contains("row 2, value"),
        "{}",
        import.message()
    );
    let target = app
        .gql(
            Some(&manager),
            "mutation($u: ID!, $t: TargetInput!) { setPerformanceTarget(userId: $u, period: \"2026-Q4\", target: $t) { id } }",
            json!({"u": report, "t": {"kpi": "new_users", "weight": 50, "target": 1.7e308, "threshold": -1.7e308}}),
        )
        .await;
    assert_eq!(target.code(), "BAD_USER_INPUT");
    // The largest accepted readings still sum to a finite actual.
    for _ in 0..2 {
        app.gql(Some(&manager), record, json!({"u": report, "v": 1e15}))
            .await
            .data();
    }
    app.gql(
        Some(&manager),
        "mutation($u: ID!, $t: TargetInput!) { setPerformanceTarget(userId: $u, period: \"2026-Q4\", target: $t) { id } }",
        json!({"u": report, "t": {"kpi": "new_users", "weight": 50, "target": 1000}}),
    )
    .await
    .data();
    let performance = app
        .gql(
            Some(&manager),
            "query($u: ID!) { performance(userId: $u, period: \"2026-Q4\") { targets { actual attainment } } }",
            json!({"u": report}),
        )
        .await;
    let row = &performance.data()["performance"]["targets"][0];
    assert_eq!(row["actual"], json!(2e15));
    assert_eq!(row["attainment"], json!(100.0));
}

#[tokio::test]
async fn production_warns_at_start_about_the_default_public_url_and_no_smtp() {
    let app = spawn_app().await;
    let production = Binary::beside_with(
        &app,
        &[
            ("SKILLPATH_ENV", "production"),
            // Production refuses a lowered hashing cost.
            ("SKILLPATH_PASSWORD_HASHING__MEMORY_KIB", "19456"),
            ("SKILLPATH_PASSWORD_HASHING__ITERATIONS", "2"),
        ],
    )
    .await;
    let page = production
        .http
        .get(format!("{}/graphiql", production.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 404);
    let log = production.stop().await;
    assert!(log.contains("SKILLPATH_PUBLIC_URL is the default"), "{log}");
    assert!(log.contains("no SMTP host"), "{log}");

    let development = Binary::beside(&app).await;
    let log = development.stop().await;
    assert!(
        !log.contains("SKILLPATH_PUBLIC_URL is the default"),
        "{log}"
    );
}
