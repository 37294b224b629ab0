//! Emails arrive, once: invitations, resets, and a mail server that is down.

use std::time::Duration;

use serde_json::json;
use skillpath::auth::Role;
use skillpath::config::{Settings, SmtpSecurity};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::smtp::{SmtpServer, free_port, parse, token_in};

const PUBLIC_URL: &str = "http://skillpath.test";

/// Mail goes out only when the test calls `deliver_pending_mail`.
async fn app_with_smtp(port: u16) -> TestApp {
    app_with_smtp_and(port, |_| {}).await
}

/// The mail worker runs on its own, as in production: for tests of the worker.
async fn app_with_smtp_worker(port: u16) -> TestApp {
    app_with_smtp_and(port, |s| s.background_jobs = true).await
}

async fn app_with_smtp_and(port: u16, more: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_with(|s| {
        s.smtp.host = Some("127.0.0.1".into());
        s.smtp.port = Some(port);
        s.smtp.security = SmtpSecurity::None;
        s.public_url = PUBLIC_URL.into();
        s.mail_poll_seconds = 1;
        s.mail_retry_seconds = 1;
        more(s);
    })
    .await
}

const INVITE: &str = "mutation($e: String!, $l: Locale) { inviteUser(input: {email: $e, name: \"Li Lei\", locale: $l}) { id hasPassword } }";
const ACCEPT: &str = "mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { accessToken user { email } } }";

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[tokio::test]
async fn an_invitation_arrives_and_its_link_sets_the_password() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(smtp.port).await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;

    let invited = app
        .gql(
            Some(&hr),
            INVITE,
            json!({"e": "li.lei@example.com", "l": "ZH_CN"}),
        )
        .await;
    assert_eq!(invited.data()["inviteUser"]["hasPassword"], false);
    assert_eq!(app.deliver_pending_mail().await, 1, "one invitation");
    let received = smtp.messages();
    assert_eq!(received.len(), 1, "one invitation");
    let mail = parse(&received[0]);
    assert_eq!(mail.to, "li.lei@example.com");
    assert!(
        has_chinese(&mail.subject) && has_chinese(&mail.text),
        "written in the invitee's language: {}",
        mail.subject
    );
    assert!(
        mail.text
            .contains(&format!("{PUBLIC_URL}/accept-invitation?token=")),
        "{}",
        mail.text
    );

    let token = token_in(&mail.text);
    let accepted = app
        .gql(
            None,
            ACCEPT,
            json!({"t": token, "p": "a brand new password"}),
        )
        .await;
    assert_eq!(
        accepted.data()["acceptInvitation"]["user"]["email"],
        "li.lei@example.com"
    );
    let login = app
        .login_with("li.lei@example.com", "a brand new password")
        .await;
    login.data();
    let again = app
        .gql(None, ACCEPT, json!({"t": token, "p": "another password!!"}))
        .await;
    assert_eq!(again.code(), "BAD_USER_INPUT", "the link works once");

    let outbox = app
        .gql(
            Some(&hr),
            "{ emailOutbox { nodes { kind status recipientEmail subject } } }",
            json!({}),
        )
        .await;
    let entry = outbox.data()["emailOutbox"]["nodes"][0].clone();
    assert_eq!(
        (entry["kind"].as_str(), entry["status"].as_str()),
        (Some("INVITATION"), Some("SENT"))
    );
    let employee = accepted.data()["acceptInvitation"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.gql(
            Some(&employee),
            "{ emailOutbox { nodes { id } } }",
            json!({})
        )
        .await
        .code(),
        "FORBIDDEN"
    );
}

const RESET: &str = "mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) }";

#[tokio::test]
async fn a_reset_token_works_once_and_unknown_addresses_learn_nothing() {
    let smtp = SmtpServer::start();
    let app = app_with_smtp(smtp.port).await;
    app.person("ada@example.com", Role::Employee, None).await;
    let old_session = app.login("ada@example.com").await;
    let request = "mutation($e: String!) { requestPasswordReset(email: $e) }";
    for email in ["ada@example.com", "nobody@example.com"] {
        let answer = app.gql(None, request, json!({"e": email})).await;
        assert_eq!(answer.data()["requestPasswordReset"], true);
    }
    assert_eq!(
        app.deliver_pending_mail().await,
        1,
        "only the registered address gets mail"
    );
    let received = smtp.messages();
    assert_eq!(received.len(), 1, "only the registered address gets mail");
    let mail = parse(&received[0]);
    assert_eq!(mail.to, "ada@example.com");
    assert!(!has_chinese(&mail.text), "English by default");
    let token = token_in(&mail.text);

    let reset = app
        .gql(None, RESET, json!({"t": token, "p": "the new password 42"}))
        .await;
    assert_eq!(reset.data()["resetPassword"], true);
    let twice = app
        .gql(None, RESET, json!({"t": token, "p": "yet another one 43"}))
        .await;
    assert_eq!(twice.code(), "BAD_USER_INPUT");
    app.login_with("ada@example.com", "the new password 42")
        .await
        .data();
    // Signed out everywhere: the old refresh token no longer works.
    let refresh = app
        .gql(
            None,
            "mutation($t: String!) { refreshToken(token: $t) { accessToken } }",
            json!({"t": old_session["refreshToken"]}),
        )
        .await;
    assert_eq!(refresh.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_mail_server_that_is_down_delays_mail_but_not_the_action() {
    let port = free_port();
    let app = app_with_smtp_worker(port).await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let invited = app
        .gql(Some(&hr), INVITE, json!({"e": "late@example.com"}))
        .await;
    invited.data();

    // The worker tries, fails, and keeps the message for later.
    let outbox = "{ emailOutbox { nodes { status attempts lastError } } }";
    let mut failed_once = false;
    for _ in 0..100 {
        let entry =
            app.gql(Some(&hr), outbox, json!({})).await.data()["emailOutbox"]["nodes"][0].clone();
        if entry["attempts"].as_i64().unwrap_or(0) >= 1 {
            assert_eq!(entry["status"], "PENDING");
            assert!(entry["lastError"].is_string());
            failed_once = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(failed_once, "the worker should have tried and failed");

    let smtp = SmtpServer::start_on(port);
    let received = smtp.wait_for(1, Duration::from_secs(30)).await;
    assert_eq!(received.len(), 1, "sent once the server is back");
    assert_eq!(parse(&received[0]).to, "late@example.com");
    let entry =
        app.gql(Some(&hr), outbox, json!({})).await.data()["emailOutbox"]["nodes"][0].clone();
    assert_eq!(entry["status"], "SENT");
}

#[tokio::test]
async fn two_server_processes_deliver_each_message_exactly_once() {
    let smtp = SmtpServer::start();
    let first = app_with_smtp_worker(smtp.port).await;
    // A second server on the same database, draining the same outbox.
    let second = first.sibling().await;
    first.person("hr@example.com", Role::Hr, None).await;
    let hr = first.token("hr@example.com").await;
    const N: usize = 40;
    for i in 0..N {
        let invited = second
            .gql(Some(&hr), INVITE, json!({"e": format!("p{i}@example.com")}))
            .await;
        invited.data();
    }
    smtp.wait_for(N, Duration::from_secs(60)).await;
    // A send is in flight only while its row is claimed: once every row is
    // sent and none is claimed, any duplicate would already be in the maildir.
    let settled =
        "SELECT COUNT(*) AS n FROM email_outbox WHERE status <> 'SENT' OR claimed_by IS NOT NULL";
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while count(&first, settled).await > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the outbox never settled"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let received = smtp.messages();
    let mut ids: Vec<String> = received.iter().map(|m| parse(m).message_id).collect();
    assert_eq!(ids.len(), N, "every message arrives, none twice");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), N);
    let mut recipients: Vec<String> = received.iter().map(|m| parse(m).to).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), N);
}

#[tokio::test]
async fn the_moments_of_the_review_cycle_mail_the_right_people() {
    use chrono::{Days, Months};
    use skillpath::people::{self, NewPerson};

    let smtp = SmtpServer::start();
    let app = app_with_smtp(smtp.port).await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let placed = |email: &str, role: Role, manager: Option<i64>, level: &str| NewPerson {
        email: email.into(),
        name: email.split('@').next().unwrap().into(),
        role: Some(role),
        manager_id: manager,
        password: Some(crate::helpers::PASSWORD.into()),
        job_role: Some("user_operations".into()),
        career_level: Some(level.into()),
        ..NewPerson::default()
    };
    let boss = people::insert_person(
        &app.state.db,
        &app.state.auth.hasher,
        placed("boss@example.com", Role::Manager, None, "m1"),
    )
    .await
    .unwrap();
    let ada = people::insert_person(
        &app.state.db,
        &app.state.auth.hasher,
        placed("ada@example.com", Role::Employee, Some(boss.id), "p2"),
    )
    .await
    .unwrap();
    let ada_token = app.token("ada@example.com").await;
    let boss_token = app.token("boss@example.com").await;

    // Opening the cycle asks both participants for their self-assessment.
    let opened = app
        .gql(
            Some(&hr),
            "mutation { openAssessmentCycle(input: {name: \"Q4\"}) { cycle { id } } }",
            json!({}),
        )
        .await;
    let cycle = opened.data()["openAssessmentCycle"]["cycle"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let skills: Vec<serde_json::Value> = app
        .gql(
            Some(&ada_token),
            "{ roleMatrix(role: \"user_operations\") { rows { skill { key } } } }",
            json!({}),
        )
        .await
        .data()["roleMatrix"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!({"skill": r["skill"]["key"], "level": 2}))
        .collect();
    // Ada submits: her manager hears of it. The manager submits: Ada hears of it.
    app.gql(Some(&ada_token), "mutation($c: ID!, $r: [RatingInput!]!) { submitSelfAssessment(cycleId: $c, ratings: $r) { status } }", json!({"c": cycle, "r": skills}))
        .await
        .data();
    app.gql(
        Some(&hr),
        "mutation($c: ID!) { advanceAssessmentCycle(id: $c) { status } }",
        json!({"c": cycle}),
    )
    .await
    .data();
    app.gql(
        Some(&boss_token),
        "mutation($c: ID!, $u: ID!, $r: [RatingInput!]!) { submitManagerAssessment(cycleId: $c, userId: $u, ratings: $r) { status } }",
        json!({"c": cycle, "u": ada.id.to_string(), "r": skills}),
    )
    .await
    .data();
    // Targets set: Ada hears of them.
    app.gql(
        Some(&boss_token),
        "mutation($u: ID!) { setPerformanceTargets(userId: $u, period: \"2026-Q4\", targets: [{kpi: \"new_users\", weight: 100, target: 1000}]) { kpiKey } }",
        json!({"u": ada.id.to_string()}),
    )
    .await
    .data();
    // A certificate earned today (valid twelve months), and the year gone
    // by to five days before it expires: the last reminder stage tells Ada
    // and her manager. (Tokens keep to the wall clock, so theirs still work.)
    let earned = app.clock.today();
    app.gql(
        Some(&ada_token),
        "mutation($d: Date!) { recordCertification(input: {certification: \"google_analytics_certification\", status: EARNED, earnedOn: $d}) { id } }",
        json!({"d": earned.to_string()}),
    )
    .await
    .data();
    app.clock.set_today(earned + Months::new(12) - Days::new(5));
    app.gql(
        Some(&hr),
        "mutation { runCertificationReminders }",
        json!({}),
    )
    .await
    .data();

    let expected = [
        ("ada@example.com", "SELF_ASSESSMENT_REQUESTED"),
        ("boss@example.com", "SELF_ASSESSMENT_REQUESTED"),
        ("boss@example.com", "SELF_ASSESSMENT_SUBMITTED"),
        ("boss@example.com", "MANAGER_REVIEW_OPEN"),
        ("ada@example.com", "MANAGER_REVIEW_COMPLETED"),
        ("ada@example.com", "TARGETS_SET"),
        ("ada@example.com", "CERTIFICATION_EXPIRING"),
        ("boss@example.com", "CERTIFICATION_EXPIRING"),
    ];
    assert_eq!(app.deliver_pending_mail().await, expected.len());
    let received = smtp.messages();
    let outbox = app
        .gql(
            Some(&hr),
            "{ emailOutbox { nodes { kind recipientEmail status lastError } } }",
            json!({}),
        )
        .await;
    assert_eq!(received.len(), expected.len(), "{:#}", outbox.body);
    let mut sent: Vec<(String, String)> = outbox.data()["emailOutbox"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert_eq!(m["status"], "SENT", "{m}");
            assert!(m["lastError"].is_null());
            (
                m["recipientEmail"].as_str().unwrap().to_owned(),
                m["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    sent.sort();
    let mut expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    expected.sort();
    assert_eq!(sent, expected);
    let targets_mail = received
        .iter()
        .map(|m| parse(m))
        .find(|m| m.text.contains("2026-Q4"))
        .expect("the targets mail");
    assert!(targets_mail.text.contains("1000"), "{}", targets_mail.text);
}

#[tokio::test]
async fn a_stopping_worker_gives_its_claimed_mail_back_at_once() {
    // A mail server that accepts connections and never answers: a send
    // hangs, as it would when a replica is stopped mid-batch.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    let app = spawn_app_with(|s| {
        s.smtp.host = Some("127.0.0.1".into());
        s.smtp.port = Some(port);
        s.smtp.security = SmtpSecurity::None;
    })
    .await;
    for i in 0..3 {
        let to = skillpath::mail::Recipient {
            email: format!("p{i}@example.com"),
            user_id: None,
            name: format!("P{i}"),
            locale: Default::default(),
        };
        skillpath::mail::enqueue(
            &app.state.db,
            &to,
            skillpath::mail::MessageKind::PasswordReset,
            "/reset-password?token=x",
            json!({"expires_in_minutes": 60}),
        )
        .await
        .unwrap();
    }
    let claimed = "SELECT COUNT(*) AS n FROM email_outbox WHERE claimed_by IS NOT NULL";
    let worker =
        skillpath::mail::MailWorker::from_settings(app.state.db.clone(), &app.settings).unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = worker.spawn(Duration::from_secs(3600), stopped);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while count(&app, claimed).await < 3 {
        assert!(std::time::Instant::now() < deadline, "never claimed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(3), running)
        .await
        .expect("the worker stops without waiting for the hung send")
        .unwrap();
    assert_eq!(count(&app, claimed).await, 0, "every claim released");
    let pending = "SELECT COUNT(*) AS n FROM email_outbox WHERE status = 'PENDING'";
    assert_eq!(count(&app, pending).await, 3, "still to be sent, by anyone");
    held.abort();
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    use sea_orm::{FromQueryResult, Statement};
    #[derive(FromQueryResult)]
    struct Number {
        n: i64,
    }
    let backend = app.state.db.get_database_backend();
    Number::find_by_statement(Statement::from_string(backend, sql))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .n
}

#[tokio::test]
async fn people_who_still_owe_an_assessment_are_reminded_once_per_stage() {
    use crate::assessment::{
        ADVANCE, OPEN, SUBMIT_MANAGER, SUBMIT_SELF, all_at, placed, role_skills,
    };
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
    placed(
        &app,
        "bo@example.com",
        Role::Employee,
        Some(boss.id),
        None,
        "p2",
    )
    .await;
    let skills = role_skills(&app, &hr).await;
    let today = chrono::Utc::now().date_naive();
    let self_due = today + chrono::Days::new(3);
    let manager_due = today + chrono::Days::new(10);
    let opened = app
        .gql(
            Some(&hr),
            OPEN,
            json!({"input": {"name": "Autumn", "selfDue": self_due.to_string(), "managerDue": manager_due.to_string()}}),
        )
        .await;
    let cycle = opened.data()["openAssessmentCycle"]["cycle"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ada_token = app.token("ada@example.com").await;
    app.gql(
        Some(&ada_token),
        SUBMIT_SELF,
        json!({"c": cycle, "r": all_at(&skills, 3)}),
    )
    .await
    .data();
    let due = |sql: &str| format!("SELECT COUNT(*) AS n FROM email_outbox WHERE {sql}");
    // The housekeeping job, run on a given day (the default stages: 3 and 1
    // days before a due date).
    let queue_on = |day| {
        app.clock.set_today(day);
        async { app.run_housekeeping().await.due_reminders_queued }
    };
    // Three days out: Bo and his manager (a participant too) have not
    // submitted; Ada has. Each is reminded once.
    assert_eq!(queue_on(today).await, 2);
    assert_eq!(
        queue_on(today).await,
        0,
        "the same stage is not queued twice"
    );
    assert_eq!(
        count(
            &app,
            &due("kind = 'self_assessment_due' AND recipient_email = 'bo@example.com'")
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            &due("recipient_email = 'ada@example.com' AND kind = 'self_assessment_due'")
        )
        .await,
        0
    );
    // The day before: the next stage.
    assert_eq!(queue_on(self_due - chrono::Days::new(1)).await, 2);

    // Manager review opens: the reviewer hears how many wait for him.
    app.gql(Some(&hr), ADVANCE, json!({"id": cycle}))
        .await
        .data();
    assert_eq!(
        count(&app, &due("kind = 'manager_review_open' AND recipient_email = 'boss@example.com' AND vars LIKE '%\"pending\":2%'")).await,
        1
    );
    let boss_token = app.token("boss@example.com").await;
    app.gql(
        Some(&boss_token),
        SUBMIT_MANAGER,
        json!({"c": cycle, "u": ada.id.to_string(), "r": all_at(&skills, 3)}),
    )
    .await
    .data();
    // The day before the review due date: one review still open.
    assert_eq!(queue_on(manager_due - chrono::Days::new(1)).await, 1);
    assert_eq!(
        count(&app, &due("kind = 'manager_review_due' AND recipient_email = 'boss@example.com' AND vars LIKE '%\"pending\":1%'")).await,
        1
    );
}
