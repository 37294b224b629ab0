//! Certifications: a person's progress, expiry, and HR's view.

use chrono::{Days, Months, NaiveDate, Utc};
use serde_json::{Value, json};
use skillpath::auth::Role;
use skillpath::people::{self, NewPerson, Person};

use crate::helpers::{DbId, PASSWORD, TestApp, spawn_app};

const RECORD: &str = "mutation($i: RecordCertificationInput!) { recordCertification(input: $i) { id status progress earnedOn expiresOn } }";
const UPDATE: &str = "mutation($r: ID!, $i: UpdateCertificationInput!) { updateCertificationProgress(recordId: $r, input: $i) { id status progress earnedOn expiresOn verified } }";
const PROGRESS: &str = "query($f: CertificationFilter) { certificationProgress(filter: $f, first: 100) { edges { node { user { email } certificationKey status } } } }";

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

async fn member(
    app: &TestApp,
    email: &str,
    role: Role,
    manager: Option<i64>,
    team: Option<i64>,
    job: (&str, &str),
) -> Person {
    app.arrange(people::insert_person(
        &app.state.db,
        &app.state.auth.hasher,
        NewPerson {
            email: email.into(),
            name: email.into(),
            role: Some(role),
            manager_id: manager,
            team_id: team,
            password: Some(PASSWORD.into()),
            job_role: Some(job.0.into()),
            career_level: Some(job.1.into()),
            ..NewPerson::default()
        },
    ))
    .await
    .unwrap()
}

fn emails(answer: &Value) -> Vec<String> {
    let mut list: Vec<String> = answer["certificationProgress"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["node"]["user"]["email"].as_str().unwrap(),
                e["node"]["certificationKey"].as_str().unwrap()
            )
        })
        .collect();
    list.sort();
    list
}

#[tokio::test]
async fn an_employee_plans_progresses_and_earns_a_certification() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    member(
        &app,
        "ada@example.com",
        Role::Employee,
        None,
        None,
        ("user_operations", "p2"),
    )
    .await;
    let ada = app.token("ada@example.com").await;
    let hr = app.token("hr@example.com").await;

    let planned = app
        .gql(Some(&ada), RECORD, json!({"i": {"certification": "google_analytics_certification", "targetOn": "2027-03-31"}}))
        .await;
    let record = planned.data()["recordCertification"].clone();
    assert_eq!(record["status"], "PLANNED");
    let id = record["id"].as_str().unwrap().to_owned();

    let started = app.gql(Some(&ada), UPDATE, json!({"r": id, "i": {"status": "IN_PROGRESS", "progress": 40, "startedOn": today().to_string()}})).await;
    assert_eq!(
        started.data()["updateCertificationProgress"]["progress"],
        40
    );

    // Earned today: valid 12 months (the catalogue's validity), through the same day next year.
    let earned = app
        .gql(
            Some(&ada),
            UPDATE,
            json!({"r": id, "i": {"status": "EARNED", "credential": "GA-123"}}),
        )
        .await;
    let earned = earned.data()["updateCertificationProgress"].clone();
    assert_eq!(earned["status"], "EARNED");
    assert_eq!(earned["progress"], 100);
    assert_eq!(earned["earnedOn"], today().to_string());
    assert_eq!(earned["expiresOn"], (today() + Months::new(12)).to_string());

    // Only HR verifies.
    let denied = app
        .gql(
            Some(&ada),
            "mutation($r: ID!) { verifyCertification(recordId: $r) { verified } }",
            json!({"r": id}),
        )
        .await;
    assert_eq!(denied.code(), "FORBIDDEN");
    let verified = app.gql(Some(&hr), "mutation($r: ID!) { verifyCertification(recordId: $r) { verified verifiedBy { email } } }", json!({"r": id})).await;
    assert_eq!(
        verified.data()["verifyCertification"]["verifiedBy"]["email"],
        "hr@example.com"
    );

    // Nobody verifies their own certificate, HR included.
    let own = app
        .gql(
            Some(&hr),
            RECORD,
            json!({"i": {"certification": "pmp", "status": "EARNED"}}),
        )
        .await;
    let own = own.data()["recordCertification"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let self_verified = app
        .gql(
            Some(&hr),
            "mutation($r: ID!) { verifyCertification(recordId: $r) { verified } }",
            json!({"r": own}),
        )
        .await;
    assert_eq!(self_verified.code(), "FORBIDDEN");

    // Bad input changes nothing.
    for bad in [
        json!({"progress": 120}),
        json!({"status": "EXPIRED"}),
        json!({"earnedOn": (today() + Days::new(3)).to_string()}),
    ] {
        let refused = app
            .gql(Some(&ada), UPDATE, json!({"r": id, "i": bad}))
            .await;
        assert_eq!(refused.code(), "BAD_USER_INPUT", "{bad}");
    }
    let twice = app
        .gql(
            Some(&ada),
            RECORD,
            json!({"i": {"certification": "google_analytics_certification"}}),
        )
        .await;
    assert_eq!(twice.code(), "CONFLICT");
    let unknown = app
        .gql(
            Some(&ada),
            RECORD,
            json!({"i": {"certification": "astronaut_licence"}}),
        )
        .await;
    assert_eq!(unknown.code(), "BAD_USER_INPUT");

    let history = app
        .gql(
            Some(&ada),
            "query($r: ID!) { certificationHistory(recordId: $r) { nodes { action } } }",
            json!({"r": id}),
        )
        .await;
    let actions: Vec<&str> = history.data()["certificationHistory"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["RECORDED", "UPDATED", "UPDATED", "VERIFIED"]);
}

#[tokio::test]
async fn an_earned_certificate_expires_the_day_after_its_expiry_date() {
    let app = spawn_app().await;
    member(
        &app,
        "ada@example.com",
        Role::Employee,
        None,
        None,
        ("user_operations", "p2"),
    )
    .await;
    let ada = app.token("ada@example.com").await;
    // Earned exactly 12 months ago: expires today, still valid.
    let on_the_day = today() - Months::new(12);
    let valid = app
        .gql(Some(&ada), RECORD, json!({"i": {"certification": "google_analytics_certification", "status": "EARNED", "earnedOn": on_the_day.to_string()}}))
        .await;
    assert_eq!(
        valid.data()["recordCertification"]["expiresOn"],
        today().to_string()
    );
    assert_eq!(valid.data()["recordCertification"]["status"], "EARNED");
    // Earned a day earlier: it expired yesterday.
    let day_before = on_the_day - Days::new(1);
    let expired = app
        .gql(Some(&ada), RECORD, json!({"i": {"certification": "google_ads_search_certification", "status": "EARNED", "earnedOn": day_before.to_string()}}))
        .await;
    assert_eq!(expired.data()["recordCertification"]["status"], "EXPIRED");
}

#[tokio::test]
async fn hr_filters_by_team_status_and_expiry_and_managers_see_their_reports_only() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let team = |name: &str| {
        let app = &app;
        let hr = hr.clone();
        let name = name.to_owned();
        async move {
            let created = app
                .gql(
                    Some(&hr),
                    "mutation($n: String!) { createTeam(input: {name: $n}) { id } }",
                    json!({"n": name}),
                )
                .await;
            created.data()["createTeam"]["id"].db_id()
        }
    };
    let growth = team("Growth").await;
    let data = team("Data").await;
    let boss = member(
        &app,
        "boss@example.com",
        Role::Manager,
        None,
        Some(growth),
        ("user_operations", "m1"),
    )
    .await;
    let ada = member(
        &app,
        "ada@example.com",
        Role::Employee,
        Some(boss.id),
        Some(growth),
        ("user_operations", "p2"),
    )
    .await;
    let bob = member(
        &app,
        "bob@example.com",
        Role::Employee,
        Some(boss.id),
        Some(growth),
        ("user_operations", "p2"),
    )
    .await;
    let cy = member(
        &app,
        "cy@example.com",
        Role::Employee,
        None,
        Some(data),
        ("data_operations", "p3"),
    )
    .await;
    let dee = member(
        &app,
        "dee@example.com",
        Role::Employee,
        None,
        Some(data),
        ("data_operations", "p3"),
    )
    .await;

    let earned = |user: &Person, cert: &str, earned_on: NaiveDate| json!({"i": {"userId": user.id.to_string(), "certification": cert, "status": "EARNED", "earnedOn": earned_on.to_string()}});
    // Ada's GA certificate lapses in 10 days; Bob's PMP in about three years;
    // Cy's GA in 20 days (another team); Dee's GA lapsed last week; Cy holds CDA I.
    for vars in [
        earned(
            &ada,
            "google_analytics_certification",
            today() - Months::new(12) + Days::new(10),
        ),
        earned(&bob, "pmp", today() - Days::new(30)),
        earned(
            &cy,
            "google_analytics_certification",
            today() - Months::new(12) + Days::new(20),
        ),
        earned(
            &dee,
            "google_analytics_certification",
            today() - Months::new(12) - Days::new(7),
        ),
        earned(&cy, "cda_level_1", today() - Days::new(100)),
    ] {
        app.gql(Some(&hr), RECORD, vars).await.data();
    }
    app.gql(Some(&hr), RECORD, json!({"i": {"userId": bob.id.to_string(), "certification": "cda_level_1", "status": "IN_PROGRESS", "progress": 30}}))
        .await
        .data();

    let expiring_in_growth = app
        .gql(
            Some(&hr),
            PROGRESS,
            json!({"f": {"teamId": growth.to_string(), "expiringWithinDays": 30}}),
        )
        .await;
    assert_eq!(
        emails(expiring_in_growth.data()),
        ["ada@example.com:google_analytics_certification"]
    );
    let expiring_anywhere = app
        .gql(
            Some(&hr),
            PROGRESS,
            json!({"f": {"expiringWithinDays": 30}}),
        )
        .await;
    assert_eq!(
        emails(expiring_anywhere.data()),
        [
            "ada@example.com:google_analytics_certification",
            "cy@example.com:google_analytics_certification"
        ]
    );
    let expired = app
        .gql(Some(&hr), PROGRESS, json!({"f": {"status": "EXPIRED"}}))
        .await;
    assert_eq!(
        emails(expired.data()),
        ["dee@example.com:google_analytics_certification"]
    );
    let in_progress = app
        .gql(
            Some(&hr),
            PROGRESS,
            json!({"f": {"status": "IN_PROGRESS", "teamId": growth.to_string()}}),
        )
        .await;
    assert_eq!(emails(in_progress.data()), ["bob@example.com:cda_level_1"]);

    // The manager sees their two reports' records, nobody else's; an employee sees their own.
    let boss_token = app.token("boss@example.com").await;
    let mine = app.gql(Some(&boss_token), PROGRESS, json!({})).await;
    assert_eq!(
        emails(mine.data()),
        [
            "ada@example.com:google_analytics_certification",
            "bob@example.com:cda_level_1",
            "bob@example.com:pmp"
        ]
    );
    let cy_token = app.token("cy@example.com").await;
    assert_eq!(
        emails(app.gql(Some(&cy_token), PROGRESS, json!({})).await.data()).len(),
        2
    );

    // Six records with their certification and holder: a fixed number of
    // statements (caller, records, current framework, people), not one per record.
    let before = app.state.statements.get();
    let listed = app
        .gql(Some(&hr), "{ certificationProgress(first: 100) { edges { node { certification { name } user { email } } } } }", json!({}))
        .await;
    assert_eq!(
        listed.data()["certificationProgress"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        6
    );
    let used = app.state.statements.get() - before;
    assert!(used <= 5, "listing ran {used} statements");

    // Read against levels: Cy (data p3) holds CDA I, which p3 requires; p4 requires CDA II.
    let standing = app
        .gql(
            Some(&hr),
            "query($u: ID!) { certificationStanding(userId: $u) { current { careerLevel missingRequired checks { certificationKey required held } } next { careerLevel missingRequired checks { certificationKey required held } } } }",
            json!({"u": cy.id.to_string()}),
        )
        .await;
    let standing = standing.data()["certificationStanding"].clone();
    assert_eq!(standing["current"]["careerLevel"], "p3");
    assert_eq!(standing["current"]["missingRequired"], 0);
    assert!(
        standing["current"]["checks"]
            .as_array()
            .unwrap()
            .contains(&json!({"certificationKey": "cda_level_1", "required": true, "held": true}))
    );
    assert_eq!(standing["next"]["careerLevel"], "p4");
    assert!(
        standing["next"]["checks"]
            .as_array()
            .unwrap()
            .contains(&json!({"certificationKey": "cda_level_2", "required": true, "held": false}))
    );
    assert_eq!(standing["next"]["missingRequired"], 1);
    let ada_token = app.token("ada@example.com").await;
    let nosy = app
        .gql(
            Some(&ada_token),
            "query($u: ID!) { certificationStanding(userId: $u) { current { careerLevel } } }",
            json!({"u": cy.id.to_string()}),
        )
        .await;
    assert_eq!(nosy.code(), "FORBIDDEN");

    // Counts by status per certification and per team, and level coverage.
    let summary = app
        .gql(
            Some(&hr),
            "{ certificationSummary { byCertification { certificationKey counts { earned expired inProgress } } byTeam { team { name } counts { earned expired inProgress } } levelCoverage { jobRole careerLevel required people holdingAllRequired share } } }",
            json!({}),
        )
        .await;
    let summary = summary.data()["certificationSummary"].clone();
    let ga = summary["byCertification"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["certificationKey"] == "google_analytics_certification")
        .unwrap()
        .clone();
    assert_eq!(
        ga["counts"],
        json!({"earned": 2, "expired": 1, "inProgress": 0})
    );
    let data_team = summary["byTeam"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["team"]["name"] == "Data")
        .unwrap()
        .clone();
    assert_eq!(
        data_team["counts"],
        json!({"earned": 2, "expired": 1, "inProgress": 0})
    );
    let p3 = summary["levelCoverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["jobRole"] == "data_operations" && l["careerLevel"] == "p3")
        .unwrap()
        .clone();
    assert_eq!(
        p3,
        json!({"jobRole": "data_operations", "careerLevel": "p3", "required": ["cda_level_1"], "people": 2, "holdingAllRequired": 1, "share": 0.5})
    );

    // The reminder job queues one reminder per stage reached; running it again adds none.
    let first = app
        .gql(
            Some(&hr),
            "mutation { runCertificationReminders }",
            json!({}),
        )
        .await;
    assert_eq!(first.data()["runCertificationReminders"], 2);
    let again = app
        .gql(
            Some(&hr),
            "mutation { runCertificationReminders }",
            json!({}),
        )
        .await;
    assert_eq!(again.data()["runCertificationReminders"], 0);
    let reminders = app
        .gql(
            Some(&hr),
            "{ certificationReminders { nodes { user { email } stageDays notifyManager sentAt } } }",
            json!({}),
        )
        .await;
    let mut list = reminders.data()["certificationReminders"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    list.sort_by_key(|r| r["user"]["email"].as_str().unwrap().to_owned());
    assert_eq!(
        list[0],
        json!({"user": {"email": "ada@example.com"}, "stageDays": 30, "notifyManager": false, "sentAt": null})
    );
    // Queued is not sent: every reminder waits for its mail.
    assert!(list.iter().all(|r| r["sentAt"].is_null()), "{list:?}");
    // Once the worker sends the holder's mail, the reminder is sent, at the
    // moment the outbox records for that mail.
    assert!(app.deliver_pending_mail().await >= 2);
    let reminders = app
        .gql(
            Some(&hr),
            "{ certificationReminders { nodes { user { email } sentAt } } }",
            json!({}),
        )
        .await;
    let sent = reminders.data()["certificationReminders"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(sent.len(), 2);
    let outbox = app
        .gql(
            Some(&hr),
            "{ emailOutbox(filter: {status: SENT}) { nodes { kind recipientEmail sentAt } } }",
            json!({}),
        )
        .await;
    let outbox = outbox.data()["emailOutbox"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    for reminder in &sent {
        let email = reminder["user"]["email"].as_str().unwrap();
        let mail = outbox
            .iter()
            .find(|m| m["kind"] == "CERTIFICATION_EXPIRING" && m["recipientEmail"] == email)
            .unwrap_or_else(|| panic!("the reminder mail to {email}: {outbox:?}"));
        assert!(reminder["sentAt"].is_string(), "{reminder:?}");
        assert_eq!(reminder["sentAt"], mail["sentAt"], "{email}");
    }
    assert_eq!(
        app.gql(
            Some(&boss_token),
            "mutation { runCertificationReminders }",
            json!({})
        )
        .await
        .code(),
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn a_certificate_is_reminded_of_at_each_stage_as_its_expiry_nears() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let boss = app.person("boss@example.com", Role::Manager, None).await;
    app.person("ada@example.com", Role::Employee, Some(boss.id))
        .await;
    let ada = app.token("ada@example.com").await;
    let earned_on = app.clock.today();
    let recorded = app
        .gql(
            Some(&ada),
            RECORD,
            json!({"i": {"certification": "google_analytics_certification", "status": "EARNED", "earnedOn": earned_on.to_string()}}),
        )
        .await;
    let expires_on: NaiveDate = recorded.data()["recordCertification"]["expiresOn"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(expires_on, earned_on + Months::new(12));
    // The job, on a given day by the server's clock: how many it queued.
    let run_on = |days_before_expiry: u64| {
        app.clock
            .set_today(expires_on - Days::new(days_before_expiry));
        async {
            app.gql(
                Some(&hr),
                "mutation { runCertificationReminders }",
                json!({}),
            )
            .await
            .data()["runCertificationReminders"]
                .as_u64()
                .unwrap()
        }
    };
    assert_eq!(run_on(61).await, 0, "not yet in the first stage");
    assert_eq!(run_on(60).await, 1);
    assert_eq!(run_on(45).await, 0, "the 60-day stage is done");
    assert_eq!(run_on(30).await, 1);
    assert_eq!(run_on(5).await, 1);
    let reminders = app
        .gql(
            Some(&hr),
            "{ certificationReminders { nodes { stageDays notifyManager expiresOn } } }",
            json!({}),
        )
        .await;
    let mut stages: Vec<(i64, bool)> = reminders.data()["certificationReminders"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["expiresOn"], expires_on.to_string());
            (
                r["stageDays"].as_i64().unwrap(),
                r["notifyManager"].as_bool().unwrap(),
            )
        })
        .collect();
    stages.sort();
    // Only the last stage tells the manager too.
    assert_eq!(stages, [(7, true), (30, false), (60, false)]);
}
