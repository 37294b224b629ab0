//! Advancement paths on a seeded team: one person per designed case.

use chrono::{Datelike, Days, Months, Utc};
use serde_json::{Value, json};
use skillpath::assessment::{self, AssessmentKind, AssessmentWrite, OpenCycle, RatingInput};
use skillpath::auth::{Actor, Role};
use skillpath::kpi::{self, ActualInput, TargetInput};
use skillpath::people::{self, NewPerson, Person};

use crate::helpers::{PASSWORD, TestApp, spawn_app};

const PATHS: &str = "query($u: ID!, $t: TargetLevelInput) { advancementPaths(userId: $u, target: $t) {
    monthsAtLevel
    candidates { roleKey levelKey kind verdict readiness ready explanation
      components { skills kpi certifications timeAtLevel }
      blockers { kind requirement met }
      gaps { skillKey required current known selfRatedOnly }
      actions { kind }
      strengths { skillKey selfRatedOnly }
      nextActions { learningResources { key } certificationsToStart { key } mentors { user { email } skillKey level } } }
    target { roleKey levelKey route { roleKey key } readiness } } }";

async fn placed(
    app: &TestApp,
    email: &str,
    role: Role,
    manager: Option<i64>,
    job: (&str, &str),
    months: u32,
) -> Person {
    people::insert_person(
        &app.state.db,
        &app.state.auth.hasher,
        NewPerson {
            email: email.into(),
            name: email.split('@').next().unwrap().into(),
            role: Some(role),
            manager_id: manager,
            password: Some(PASSWORD.into()),
            job_role: Some(job.0.into()),
            career_level: Some(job.1.into()),
            level_since: Some(Utc::now().date_naive() - Months::new(months)),
            ..NewPerson::default()
        },
    )
    .await
    .unwrap()
}

async fn actor(app: &TestApp, person: &Person) -> Actor {
    app.state
        .auth
        .actor(&app.state.db, person.id)
        .await
        .unwrap()
}

/// Ratings at what `role/level` requires for every skill of the person's own role.
async fn ratings_at(
    app: &TestApp,
    own_role: &str,
    role: &str,
    level: &str,
    bonus: u8,
) -> Vec<RatingInput> {
    let fw = app.state.frameworks.current(&app.state.db).await.unwrap();
    let wanted: std::collections::HashMap<&str, u8> = fw
        .requirements(role, level)
        .into_iter()
        .map(|c| (c.skill, c.required))
        .collect();
    fw.role(own_role)
        .unwrap()
        .requirements
        .keys()
        .map(|skill| RatingInput {
            skill: skill.clone(),
            level: i32::from((wanted.get(skill.as_str()).copied().unwrap_or(1) + bonus).min(5)),
            evidence: None,
        })
        .collect()
}

/// The last finished quarter: a running period is no KPI evidence yet.
fn previous_quarter() -> String {
    let today = Utc::now().date_naive();
    let quarter = (today.month() - 1) / 3 + 1;
    if quarter == 1 {
        format!("{}-Q4", today.year() - 1)
    } else {
        format!("{}-Q{}", today.year(), quarter - 1)
    }
}

async fn met_kpis(app: &TestApp, manager: &Actor, person: &Person) {
    let period = previous_quarter();
    let target = TargetInput {
        kpi: "new_users".into(),
        weight: 100,
        target: 100.0,
        threshold: None,
        stretch: None,
        note: None,
    };
    kpi::set_targets(
        &app.state.db,
        &app.state.frameworks,
        &skillpath::auth::policy::manage_person(manager, person.id).unwrap(),
        kpi::Period::parse(&period).unwrap(),
        vec![target],
    )
    .await
    .unwrap();
    let actual = ActualInput {
        period: kpi::Period::parse(&period).unwrap(),
        kpi: "new_users".into(),
        value: 100.0,
        note: None,
    };
    let manager = skillpath::auth::policy::manage_person(manager, person.id).unwrap();
    kpi::record_actual(&app.state.db, &app.state.frameworks, &manager, actual)
        .await
        .unwrap();
}

struct Seeded {
    boss: Person,
    ada: Person,
    ben: Person,
    cy: Person,
    dee: Person,
    eve: Person,
}

/// Ada: a clear promotion. Ben: strong but new in his level: promotion
/// waits for time; the lateral move rests on skills nobody rated. Cy: ready
/// for promotion but for a certification. Dee: only her own ratings. Eve: at
/// the top of her track. (More cases, and the model's reasons, in advice.rs.)
async fn seed(app: &TestApp) -> Seeded {
    let hr = app.person("hr@example.com", Role::Hr, None).await;
    let boss = placed(
        app,
        "boss@example.com",
        Role::Manager,
        None,
        ("user_operations", "m2"),
        40,
    )
    .await;
    let ada = placed(
        app,
        "ada@example.com",
        Role::Employee,
        Some(boss.id),
        ("user_operations", "p2"),
        24,
    )
    .await;
    let ben = placed(
        app,
        "ben@example.com",
        Role::Employee,
        Some(boss.id),
        ("user_operations", "p2"),
        14,
    )
    .await;
    let cy = placed(
        app,
        "cy@example.com",
        Role::Employee,
        Some(boss.id),
        ("data_operations", "p2"),
        24,
    )
    .await;
    let dee = placed(
        app,
        "dee@example.com",
        Role::Employee,
        Some(boss.id),
        ("user_operations", "p2"),
        24,
    )
    .await;
    let eve = placed(
        app,
        "eve@example.com",
        Role::Manager,
        Some(boss.id),
        ("user_operations", "m2"),
        30,
    )
    .await;
    let (hr, boss_actor) = (actor(app, &hr).await, actor(app, &boss).await);
    let (db, store) = (&app.state.db, &app.state.frameworks);

    let (cycle, _) = assessment::open_cycle(
        db,
        store,
        &skillpath::auth::policy::hr(&hr).unwrap(),
        OpenCycle {
            name: "H2".into(),
            start: true,
            ..OpenCycle::default()
        },
    )
    .await
    .unwrap();
    let dee_ratings = ratings_at(app, "user_operations", "user_operations", "p2", 0).await;
    assessment::save_assessment(
        db,
        store,
        &actor(app, &dee).await,
        AssessmentWrite {
            cycle_id: cycle.id,
            subject_id: dee.id,
            kind: AssessmentKind::SelfRating,
            ratings: dee_ratings,
            submit: true,
        },
    )
    .await
    .unwrap();
    assessment::advance_cycle(db, &skillpath::auth::policy::hr(&hr).unwrap(), cycle.id)
        .await
        .unwrap();
    for (person, role, target_role, target_level, bonus) in [
        (&ada, "user_operations", "user_operations", "p3", 0),
        (&ben, "user_operations", "product_operations", "p2", 1),
        (&cy, "data_operations", "data_operations", "p3", 0),
        (&eve, "user_operations", "user_operations", "m2", 0),
    ] {
        let ratings = ratings_at(app, role, target_role, target_level, bonus).await;
        assessment::save_assessment(
            db,
            store,
            &boss_actor,
            AssessmentWrite {
                cycle_id: cycle.id,
                subject_id: person.id,
                kind: AssessmentKind::Manager,
                ratings,
                submit: true,
            },
        )
        .await
        .unwrap();
        met_kpis(app, &boss_actor, person).await;
    }
    Seeded {
        boss,
        ada,
        ben,
        cy,
        dee,
        eve,
    }
}

async fn paths(app: &TestApp, token: &str, person: &Person) -> Value {
    let answer = app
        .gql(Some(token), PATHS, json!({"u": person.id.to_string()}))
        .await;
    answer.data()["advancementPaths"].clone()
}

#[tokio::test]
async fn each_designed_case_gets_its_expected_top_path() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let boss = app.token("boss@example.com").await;

    // Ada: promotion to p3, ready, nothing blocking.
    let ada = paths(&app, &boss, &s.ada).await;
    let top = &ada["candidates"][0];
    assert_eq!(
        (
            top["roleKey"].as_str(),
            top["levelKey"].as_str(),
            top["kind"].as_str()
        ),
        (Some("user_operations"), Some("p3"), Some("PROMOTION"))
    );
    assert_eq!(top["ready"], true, "{top:#}");
    assert_eq!(top["blockers"], json!([]));
    assert!(
        top["explanation"]
            .as_str()
            .unwrap()
            .contains("ready: every critical skill is confirmed")
    );

    // Ben: 14 months in p2 is short of promotion's 18, and retention is a level
    // short: the promotion still comes first, since product operations rests
    // on skills nobody has rated yet.
    let ben = paths(&app, &boss, &s.ben).await;
    let top = &ben["candidates"][0];
    assert_eq!(
        (
            top["roleKey"].as_str(),
            top["kind"].as_str(),
            top["verdict"].as_str()
        ),
        (
            Some("user_operations"),
            Some("PROMOTION"),
            Some("NOT_READY")
        )
    );
    assert_eq!(
        top["blockers"],
        json!([{"kind": "MIN_MONTHS", "requirement": "18", "met": false}])
    );
    assert_eq!(
        top["actions"],
        json!([{"kind": "CLOSE_SKILL_GAP"}, {"kind": "WAIT_UNTIL"}])
    );
    let lateral = ben["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["roleKey"] == "product_operations")
        .unwrap()
        .clone();
    assert_eq!(lateral["verdict"], "NEEDS_EVIDENCE");
    assert_eq!(lateral["readiness"], Value::Null);
    assert_eq!(lateral["actions"][0]["kind"], "GET_ASSESSED");

    // Cy: promotion blocked by the CDA Level I certificate; starting it is the next action.
    let cy = paths(&app, &boss, &s.cy).await;
    let promotion = cy["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["levelKey"] == "p3" && c["roleKey"] == "data_operations")
        .unwrap()
        .clone();
    assert_eq!(
        promotion["blockers"],
        json!([{"kind": "CERTIFICATION", "requirement": "cda_level_1", "met": false}])
    );
    assert_eq!(promotion["readiness"], 79.0);
    assert_eq!(
        promotion["nextActions"]["certificationsToStart"],
        json!([{"key": "cda_level_1"}])
    );
    assert_eq!(promotion["components"]["skills"], 100.0);

    // Dee: only her own ratings (at her current level): no score; her gaps to
    // p3 are shown as her own word, and point to learning resources and to
    // colleagues rated 4+ in them.
    let dee = paths(&app, &boss, &s.dee).await;
    let promotion = dee["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "PROMOTION")
        .unwrap()
        .clone();
    assert_eq!(promotion["components"]["skills"], Value::Null);
    assert_eq!(promotion["verdict"], "NEEDS_EVIDENCE");
    assert_eq!(promotion["ready"], false);
    let gaps = promotion["gaps"].as_array().unwrap();
    assert!(!gaps.is_empty() && gaps.iter().all(|g| g["selfRatedOnly"] == true));
    assert!(
        !promotion["nextActions"]["learningResources"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let mentors = promotion["nextActions"]["mentors"].as_array().unwrap();
    assert!(
        mentors
            .iter()
            .any(|m| m["user"]["email"] == "eve@example.com"),
        "Eve is rated 4+ in Dee's gaps: {mentors:#?}"
    );
    for mentor in mentors {
        assert!(mentor["level"].as_i64().unwrap() >= 4);
        assert_ne!(mentor["user"]["email"], "dee@example.com");
    }
    assert!(
        promotion["explanation"]
            .as_str()
            .unwrap()
            .contains("not enough evidence to judge: only self-ratings")
    );

    // Eve: at the top of her track, no moves.
    let eve = paths(&app, &boss, &s.eve).await;
    assert_eq!(eve["candidates"], json!([]));

    // A distant target: the whole route from Ada's level.
    let far = app
        .gql(
            Some(&boss),
            PATHS,
            json!({"u": s.ada.id.to_string(), "t": {"role": "user_operations", "level": "m2"}}),
        )
        .await;
    let route: Vec<String> = far.data()["advancementPaths"]["target"]["route"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{}/{}",
                l["roleKey"].as_str().unwrap(),
                l["key"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        route,
        [
            "user_operations/p3",
            "user_operations/m1",
            "user_operations/m2"
        ]
    );
    let nowhere = app
        .gql(
            Some(&boss),
            PATHS,
            json!({"u": s.ada.id.to_string(), "t": {"role": "user_operations", "level": "p1"}}),
        )
        .await;
    assert_eq!(nowhere.code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn the_organisation_view_ranks_people_within_reach() {
    let app = spawn_app().await;
    let s = seed(&app).await;
    let boss = app.token("boss@example.com").await;
    let query = "query($f: ReadinessFilter) { promotionReadiness(filter: $f) { nodes { user { email } readiness ready bestMove { roleKey levelKey } } } }";
    let ranked = app.gql(Some(&boss), query, json!({})).await;
    let ranked = ranked.data()["promotionReadiness"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    let emails: Vec<&str> = ranked
        .iter()
        .map(|r| r["user"]["email"].as_str().unwrap())
        .collect();
    assert!(
        !emails.contains(&"boss@example.com") && !emails.contains(&"eve@example.com"),
        "{emails:?}"
    );
    assert_eq!(emails[0], "ada@example.com");
    // Scored people best first; Dee, with only her own ratings, has no score and comes last.
    assert_eq!(emails.last(), Some(&"dee@example.com"));
    assert_eq!(ranked.last().unwrap()["readiness"], Value::Null);
    let readiness: Vec<f64> = ranked
        .iter()
        .filter_map(|r| r["readiness"].as_f64())
        .collect();
    assert!(
        readiness.windows(2).all(|w| w[0] >= w[1]),
        "ranked best first: {readiness:?}"
    );
    let ready = app
        .gql(Some(&boss), query, json!({"f": {"onlyReady": true}}))
        .await;
    let ready: Vec<&str> = ready.data()["promotionReadiness"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user"]["email"].as_str().unwrap())
        .collect::<Vec<_>>();
    assert!(
        ready.contains(&"ada@example.com") && !ready.contains(&"dee@example.com"),
        "{ready:?}"
    );

    // Another manager reaches none of them; an employee cannot rank anyone.
    let stranger = placed(
        &app,
        "other@example.com",
        Role::Manager,
        None,
        ("user_operations", "m1"),
        12,
    )
    .await;
    let stranger_token = app.token("other@example.com").await;
    let denied = app
        .gql(
            Some(&stranger_token),
            PATHS,
            json!({"u": s.ada.id.to_string()}),
        )
        .await;
    assert_eq!(denied.code(), "FORBIDDEN");
    let ada_token = app.token("ada@example.com").await;
    assert_eq!(
        app.gql(Some(&ada_token), query, json!({})).await.code(),
        "FORBIDDEN"
    );
    // Ada may read her own paths.
    paths(&app, &ada_token, &s.ada).await;
    let _ = (stranger, s.boss);
}

#[tokio::test]
async fn time_at_level_counts_from_the_promotion_by_the_servers_clock() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let ada = placed(
        &app,
        "ada@example.com",
        Role::Employee,
        None,
        ("data_operations", "p1"),
        30,
    )
    .await;
    let promoted = app
        .gql(
            Some(&hr),
            "mutation($u: ID!) { updateUser(id: $u, input: {careerLevel: \"p2\"}) { levelSince } }",
            json!({"u": ada.id.to_string()}),
        )
        .await;
    let promoted_on = app.clock.today();
    assert_eq!(
        promoted.data()["updateUser"]["levelSince"],
        promoted_on.to_string()
    );
    let months_at_level = || async {
        app.gql(Some(&hr), PATHS, json!({"u": ada.id.to_string()}))
            .await
            .data()["advancementPaths"]["monthsAtLevel"]
            .clone()
    };
    assert_eq!(months_at_level().await, 0);
    // A year and a half (and a few days, whatever the month's length) on,
    // by the server's clock: nothing written in between.
    app.clock
        .set_today(promoted_on + Months::new(18) + Days::new(3));
    assert_eq!(months_at_level().await, 18);
}
