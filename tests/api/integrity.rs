//! Rules that must hold when requests race (two tabs, a retry, two
//! replicas), when the database is out of reach, and against strangers.
//! SQLite's single writer hides most races: these tests matter on PostgreSQL
//! (`TEST_DATABASE_URL`), where they race each rule many times.

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use serde_json::{Value, json};
use skillpath::auth::Role;
use skillpath::auth::throttle::{ACCOUNT_LIMIT, PAIR_LIMIT};

use crate::assessment::{
    ADVANCE, OPEN, SAVE_SELF, SUBMIT_MANAGER, SUBMIT_SELF, all_at, placed, role_skills,
};
use crate::helpers::{DbId, PASSWORD, TestApp, spawn_app, spawn_app_with, test_settings};

const REFRESH: &str = "mutation($t: String!) { refreshToken(token: $t) { refreshToken } }";
const LOGOUT: &str = "mutation($t: String!) { logout(refreshToken: $t) }";

fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

/// Races per test: many on PostgreSQL, where the races are real; a few on
/// SQLite, where the write lock serialises them anyway.
fn rounds() -> usize {
    if on_postgres() { 30 } else { 4 }
}

#[derive(Debug, FromQueryResult)]
struct Number {
    n: i64,
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let backend = app.state.db.get_database_backend();
    Number::find_by_statement(Statement::from_string(backend, sql))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .n
}

fn id_of(v: &Value) -> String {
    v.as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_draft_save_racing_a_submit_never_overwrites_the_submitted_ratings() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let ada = placed(&app, "ada@example.com", Role::Employee, None, None, "p2").await;
    let token = app.token("ada@example.com").await;
    let skills = role_skills(&app, &hr).await;
    let opened = app
        .gql(
            Some(&hr),
            OPEN,
            json!({"input": {"name": "Race", "start": true}}),
        )
        .await;
    let cycle = id_of(&opened.data()["openAssessmentCycle"]["cycle"]["id"]);

    for round in 0..rounds() {
        // One tab saves a draft with one rating; the other submits them all.
        let partial = json!([{"skill": skills[0], "level": 1}]);
        let (saved, submitted) = tokio::join!(
            app.gql(Some(&token), SAVE_SELF, json!({"c": cycle, "r": partial})),
            app.gql(
                Some(&token),
                SUBMIT_SELF,
                json!({"c": cycle, "r": all_at(&skills, 4)})
            ),
        );
        for answer in [&saved, &submitted] {
            if answer.body.get("errors").is_some() {
                assert_eq!(
                    answer.code(),
                    "CONFLICT",
                    "round {round}: {:#}",
                    answer.body
                );
            }
        }
        assert_eq!(
            submitted.data()["submitSelfAssessment"]["status"],
            "SUBMITTED",
            "round {round}"
        );
        // The one submitted revision holds every skill at the submitted level.
        let sql = format!(
            "SELECT COUNT(*) AS n FROM ratings r JOIN assessments a ON a.id = r.assessment_id \
             WHERE a.subject_id = {} AND a.status = 'SUBMITTED' AND r.level = 4",
            ada.id
        );
        assert_eq!(
            count(&app, &sql).await,
            skills.len() as i64,
            "round {round}"
        );
        let submitted_rows = format!(
            "SELECT COUNT(*) AS n FROM assessments WHERE subject_id = {} AND status = 'SUBMITTED'",
            ada.id
        );
        assert_eq!(count(&app, &submitted_rows).await, 1, "round {round}");
    }
}

#[tokio::test]
async fn a_closed_cycle_is_frozen_even_while_reviews_are_being_submitted() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let boss = placed(&app, "boss@example.com", Role::Manager, None, None, "m1").await;
    let boss_token = app.token("boss@example.com").await;
    let mut reports = Vec::new();
    for i in 0..4 {
        let email = format!("r{i}@example.com");
        reports.push(placed(&app, &email, Role::Employee, Some(boss.id), None, "p1").await);
    }
    let skills = role_skills(&app, &hr).await;

    for round in 0..rounds() {
        let opened = app
            .gql(
                Some(&hr),
                OPEN,
                json!({"input": {"name": format!("Round {round}"), "start": true}}),
            )
            .await;
        let cycle = id_of(&opened.data()["openAssessmentCycle"]["cycle"]["id"]);
        for _ in 0..2 {
            app.gql(Some(&hr), ADVANCE, json!({"id": cycle}))
                .await
                .data();
        }
        // In calibration: the manager keeps amending while HR closes.
        let reviews = reports.iter().map(|r| {
            let body = json!({"c": cycle, "u": r.id.to_string(), "r": all_at(&skills, 2)});
            app.gql(Some(&boss_token), SUBMIT_MANAGER, body)
        });
        let assessments_in_cycle = format!(
            "SELECT COUNT(*) AS n FROM assessments WHERE cycle_id = {}",
            json!(cycle).db_id()
        );
        let close = async {
            tokio::time::sleep(Duration::from_millis(round as u64 % 5)).await;
            let closed = app.gql(Some(&hr), ADVANCE, json!({"id": cycle})).await;
            assert_eq!(closed.data()["advanceAssessmentCycle"]["status"], "CLOSED");
            // What a reader sees right after the close: it must never change.
            count(&app, &assessments_in_cycle).await
        };
        let (answers, seen_at_close) = tokio::join!(futures::future::join_all(reviews), close);
        for answer in &answers {
            if answer.body.get("errors").is_some() {
                assert_eq!(
                    answer.code(),
                    "CONFLICT",
                    "round {round}: {:#}",
                    answer.body
                );
            }
        }
        assert_eq!(
            count(&app, &assessments_in_cycle).await,
            seen_at_close,
            "round {round}: revisions arrived after the cycle closed"
        );
    }
}

#[tokio::test]
async fn a_refresh_racing_logout_never_leaves_a_working_session() {
    let app = spawn_app().await;
    app.person("ada@example.com", Role::Employee, None).await;
    for round in 0..rounds() {
        let session = app.login("ada@example.com").await;
        let refresh = session["refreshToken"].clone();
        let (rotated, logged_out) = tokio::join!(
            app.gql(None, REFRESH, json!({"t": refresh})),
            app.gql(None, LOGOUT, json!({"t": refresh})),
        );
        assert_eq!(logged_out.data()["logout"], true);
        if rotated.body.get("errors").is_none() {
            let newer = &rotated.data()["refreshToken"]["refreshToken"];
            let after = app.gql(None, REFRESH, json!({"t": newer})).await;
            assert_eq!(
                after.code(),
                "UNAUTHENTICATED",
                "round {round}: the rotated token outlived the logout"
            );
        } else {
            assert_eq!(rotated.code(), "UNAUTHENTICATED");
        }
    }
}

/// The reset link's token, read from the queued mail's variables (the worker
/// is kept idle so the mail stays queued).
async fn reset_token(app: &TestApp, email: &str) -> String {
    let asked = app
        .gql(
            None,
            "mutation($e: String!) { requestPasswordReset(email: $e) }",
            json!({"e": email}),
        )
        .await;
    assert_eq!(asked.data()["requestPasswordReset"], true);
    #[derive(FromQueryResult)]
    struct Vars {
        vars: String,
    }
    let backend = app.state.db.get_database_backend();
    let row = Vars::find_by_statement(Statement::from_string(
        backend,
        format!(
            "SELECT vars FROM email_outbox WHERE recipient_email = '{email}' \
             AND kind = 'password_reset' ORDER BY id DESC"
        ),
    ))
    .one(&app.state.db)
    .await
    .unwrap()
    .expect("a queued reset mail");
    let vars: Value = serde_json::from_str(&row.vars).unwrap();
    let path = vars["path"].as_str().unwrap();
    let after = path.split("token=").nth(1).unwrap();
    after.split('&').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_refresh_racing_a_password_reset_never_leaves_a_working_session() {
    let app = spawn_app_with(|s| s.mail_poll_seconds = 3600).await;
    let reset = "mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) }";
    for round in 0..rounds() {
        let email = format!("p{round}@example.com");
        app.person(&email, Role::Employee, None).await;
        let session = app.login(&email).await;
        let token = reset_token(&app, &email).await;
        // The reset hashes first; a refresh started a little later lands
        // inside its transaction in some rounds and just before it in others.
        let refresh_later = async {
            tokio::time::sleep(Duration::from_millis(round as u64 % 6)).await;
            app.gql(None, REFRESH, json!({"t": session["refreshToken"]}))
                .await
        };
        let (rotated, was_reset) = tokio::join!(
            refresh_later,
            app.gql(
                None,
                reset,
                json!({"t": token, "p": "a fresh new password 7"})
            ),
        );
        assert_eq!(was_reset.data()["resetPassword"], true);
        if rotated.body.get("errors").is_none() {
            let newer = &rotated.data()["refreshToken"]["refreshToken"];
            let after = app.gql(None, REFRESH, json!({"t": newer})).await;
            assert_eq!(
                after.code(),
                "UNAUTHENTICATED",
                "round {round}: the rotated token outlived the reset"
            );
        }
    }
}

#[tokio::test]
async fn a_link_is_checked_before_any_password_is_hashed() {
    let app = spawn_app().await;
    let before = app.state.auth.hasher.runs();
    for i in 0..3 {
        let reset = app
            .gql(
                None,
                "mutation($t: String!) { resetPassword(token: $t, password: \"a long enough password\") }",
                json!({"t": format!("forged-{i}")}),
            )
            .await;
        assert_eq!(reset.code(), "BAD_USER_INPUT");
    }
    let accept = app
        .gql(
            None,
            "mutation { acceptInvitation(token: \"forged\", password: \"a long enough password\") { accessToken } }",
            json!({}),
        )
        .await;
    assert_eq!(accept.code(), "BAD_USER_INPUT");
    assert_eq!(
        app.state.auth.hasher.runs(),
        before,
        "no hash for a forged link"
    );
}

#[tokio::test]
async fn password_hashing_never_runs_on_more_threads_than_cores() {
    let app = spawn_app().await;
    for i in 0..12 {
        app.person(&format!("p{i}@example.com"), Role::Employee, None)
            .await;
    }
    let before = app.state.auth.hasher.runs();
    let logins = (0..12).map(|i| {
        let app = &app;
        async move { app.login(&format!("p{i}@example.com")).await }
    });
    futures::future::join_all(logins).await;
    assert_eq!(app.state.auth.hasher.runs() - before, 12);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let peak = app.state.auth.hasher.peak_concurrency();
    assert!(peak >= 1 && peak <= cores, "peak {peak} on {cores} cores");
}

/// An HTTP client whose requests come from another loopback address, so
/// tests can play a stranger elsewhere on the network.
fn client_from(addr: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(addr.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap()
}

async fn login_from(app: &TestApp, client: &reqwest::Client, email: &str, password: &str) -> Value {
    client
        .post(format!("{}/graphql", app.base))
        .json(&json!({
            "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
            "variables": {"e": email, "p": password}
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn code_of(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

#[tokio::test]
async fn parallel_guesses_are_counted_before_they_are_checked() {
    let app = spawn_app().await;
    app.person("ada@example.com", Role::Employee, None).await;
    let stranger = client_from("127.0.0.2");
    let before = app.state.auth.hasher.runs();
    let guesses = (0..12).map(|i| {
        let stranger = &stranger;
        let app = &app;
        async move {
            login_from(
                app,
                stranger,
                "ada@example.com",
                &format!("guess number {i}"),
            )
            .await
        }
    });
    let answers = futures::future::join_all(guesses).await;
    let limited = answers
        .iter()
        .filter(|a| code_of(a) == Some("RATE_LIMITED"))
        .count();
    assert_eq!(limited, 12 - PAIR_LIMIT as usize, "{answers:#?}");
    assert!(
        answers
            .iter()
            .all(|a| a["errors"][0]["extensions"]["code"].is_string())
    );
    let limited_answer = answers
        .iter()
        .find(|a| code_of(a) == Some("RATE_LIMITED"))
        .unwrap();
    assert!(
        limited_answer["errors"][0]["extensions"]["retryAfter"]
            .as_i64()
            .unwrap()
            > 0
    );
    assert_eq!(
        app.state.auth.hasher.runs() - before,
        PAIR_LIMIT as u64,
        "refused guesses never reach the hash"
    );
    // Even the right password is refused from the stranger's address now…
    let right = login_from(&app, &stranger, "ada@example.com", PASSWORD).await;
    assert_eq!(code_of(&right), Some("RATE_LIMITED"));
    // …but the owner, from an address that has not failed, signs in.
    app.login("ada@example.com").await;
}

#[tokio::test]
async fn replicas_share_one_count_of_attempts() {
    let app = spawn_app().await;
    let replica = app.sibling().await;
    app.person("ada@example.com", Role::Employee, None).await;
    let stranger = client_from("127.0.0.3");
    for i in 0..PAIR_LIMIT {
        let server = if i % 2 == 0 { &app } else { &replica };
        let answer = login_from(server, &stranger, "ada@example.com", "wrong password!").await;
        assert_eq!(code_of(&answer), Some("UNAUTHENTICATED"));
    }
    for server in [&app, &replica] {
        let answer = login_from(server, &stranger, "ada@example.com", "wrong password!").await;
        assert_eq!(code_of(&answer), Some("RATE_LIMITED"));
    }
}

#[tokio::test]
async fn a_distributed_guesser_cannot_lock_the_owner_out() {
    let app = spawn_app().await;
    app.person("ada@example.com", Role::Employee, None).await;
    // Failures from many addresses fill the account's limit.
    let mut failed = 0;
    let mut host = 10;
    while failed < ACCOUNT_LIMIT {
        let client = client_from(&format!("127.0.1.{host}"));
        for _ in 0..PAIR_LIMIT.min(ACCOUNT_LIMIT - failed) {
            let answer = login_from(&app, &client, "ada@example.com", "wrong password!").await;
            assert_eq!(code_of(&answer), Some("UNAUTHENTICATED"));
            failed += 1;
        }
        host += 1;
    }
    // An address that already failed against the account is now refused,
    // even below its own limit…
    let known = client_from("127.0.2.1");
    let first = login_from(&app, &known, "ada@example.com", "wrong password!").await;
    assert_eq!(code_of(&first), Some("UNAUTHENTICATED"));
    let second = login_from(&app, &known, "ada@example.com", PASSWORD).await;
    assert_eq!(code_of(&second), Some("RATE_LIMITED"));
    // …while the owner's address, which never failed, still signs in.
    let owner = client_from("127.0.2.2");
    let owner_login = login_from(&app, &owner, "ada@example.com", PASSWORD).await;
    assert!(
        owner_login["data"]["login"]["accessToken"].is_string(),
        "{owner_login:#}"
    );
}

#[tokio::test]
async fn replicas_starting_at_once_on_a_fresh_database_all_come_up() {
    let app = spawn_app().await;
    // Three more processes start together on a database of their own.
    let dir = tempfile::tempdir().unwrap();
    let mut settings = test_settings(dir.path());
    let mut fresh_db = None;
    if let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") {
        let name = format!("skillpath_replicas_{}", uuid::Uuid::new_v4().simple());
        app.state
            .db
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap();
        let (prefix, _) = admin_url.rsplit_once('/').unwrap();
        settings.database_url = format!("{prefix}/{name}");
        fresh_db = Some(name);
    }
    settings.admin_email = Some("root@example.com".into());
    settings.admin_password = Some(skillpath::config::Secret::new(PASSWORD));
    let starts = (0..3).map(|_| skillpath::Application::build(settings.clone()));
    let started = futures::future::join_all(starts).await;
    for result in &started {
        assert!(result.is_ok(), "{:?}", result.as_ref().err());
    }
    let db = started[0].as_ref().unwrap().state().db.clone();
    let admins = Number::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        "SELECT COUNT(*) AS n FROM users WHERE role = 'ADMIN'",
    ))
    .one(&db)
    .await
    .unwrap()
    .unwrap();
    assert_eq!(admins.n, 1, "one bootstrap admin");
    drop(started);
    db.close().await.ok();
    if let Some(name) = fresh_db {
        app.state
            .db
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn an_unreachable_database_fails_start_up_quickly_naming_the_host() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = test_settings(dir.path());
    // Nothing listens on port 1.
    settings.database_url = "postgres://someone:secret-pw@127.0.0.1:1/skillpath".into();
    let started = Instant::now();
    let err = match skillpath::Application::build(settings).await {
        Ok(_) => panic!("started without a database"),
        Err(err) => format!("{err:#}"),
    };
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(err.contains("127.0.0.1:1"), "{err}");
    assert!(!err.contains("secret-pw"), "the password stays out: {err}");
}

/// During a database outage a signed-in caller is told to retry, not signed
/// out: SERVICE_UNAVAILABLE with HTTP 503, never UNAUTHENTICATED.
#[tokio::test]
async fn an_outage_answers_retry_later_not_signed_out() {
    if !on_postgres() {
        return; // the outage is staged by closing a PostgreSQL database to connections
    }
    let app = spawn_app().await;
    app.person("ada@example.com", Role::Employee, None).await;
    let token = app.token("ada@example.com").await;
    let admin = sea_orm::Database::connect(std::env::var("TEST_DATABASE_URL").unwrap())
        .await
        .unwrap();
    let name: String = {
        #[derive(FromQueryResult)]
        struct Name {
            name: String,
        }
        Name::find_by_statement(Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT current_database() AS name",
        ))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .name
    };
    // Refuses every new connection, a superuser's too.
    admin
        .execute_unprepared(&format!(
            "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"
        ))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ))
        .await
        .unwrap();
    let during = app.gql(Some(&token), "{ me { id } }", json!({})).await;
    admin
        .execute_unprepared(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"))
        .await
        .unwrap();
    assert_eq!(during.code(), "SERVICE_UNAVAILABLE", "{:#}", during.body);
    assert_eq!(during.status, 503);
    let after = app.gql(Some(&token), "{ me { id } }", json!({})).await;
    after.data();
}

#[tokio::test]
async fn people_outside_reach_are_named_but_not_shown() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let boss = placed(&app, "boss@example.com", Role::Manager, None, None, "m1").await;
    let boss_token = app.token("boss@example.com").await;
    let ada = placed(
        &app,
        "ada@example.com",
        Role::Employee,
        Some(boss.id),
        None,
        "p2",
    )
    .await;
    let ada_token = app.token("ada@example.com").await;
    let peer = placed(&app, "peer@example.com", Role::Employee, None, None, "p2").await;
    let peer_token = app.token("peer@example.com").await;
    let skills = role_skills(&app, &hr).await;
    let opened = app
        .gql(
            Some(&hr),
            OPEN,
            json!({"input": {"name": "Peers", "start": true}}),
        )
        .await;
    let cycle = id_of(&opened.data()["openAssessmentCycle"]["cycle"]["id"]);
    app.gql(Some(&hr), ADVANCE, json!({"id": cycle}))
        .await
        .data();
    app.gql(
        Some(&boss_token),
        "mutation($c: ID!, $u: ID!, $p: ID!) { requestPeerInput(cycleId: $c, userId: $u, peerId: $p) }",
        json!({"c": cycle, "u": ada.id.to_string(), "p": peer.id.to_string()}),
    )
    .await
    .data();
    let submitted = app
        .gql(
            Some(&peer_token),
            "mutation($c: ID!, $u: ID!, $r: [RatingInput!]!) { submitPeerAssessment(cycleId: $c, userId: $u, ratings: $r) { subject { name email careerLevel } } }",
            json!({"c": cycle, "u": ada.id.to_string(), "r": all_at(&skills, 3)}),
        )
        .await;
    // The peer sees whom they rated by name only.
    assert_eq!(
        submitted.data()["submitPeerAssessment"]["subject"],
        json!({"name": "ada", "email": null, "careerLevel": null})
    );
    let read = "query($c: ID!, $u: ID!) { assessments(cycleId: $c, userId: $u) { kind assessor { name email } } }";
    let vars = json!({"c": cycle, "u": ada.id.to_string()});
    // Ada sees the peer input about her, but not who gave it.
    let mine = app.gql(Some(&ada_token), read, vars.clone()).await;
    let peer_rows: Vec<&Value> = mine.data()["assessments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "PEER")
        .collect();
    assert_eq!(peer_rows.len(), 1);
    assert_eq!(peer_rows[0]["assessor"], Value::Null);
    // Her manager sees who gave it, by name (the peer is outside his line).
    let managers = app.gql(Some(&boss_token), read, vars).await;
    let rows = managers.data()["assessments"].as_array().unwrap().clone();
    let peer_row = rows.iter().find(|a| a["kind"] == "PEER").unwrap();
    assert_eq!(peer_row["assessor"], json!({"name": "peer", "email": null}));
}
