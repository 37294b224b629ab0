//! Development plans over HTTP: from advice to plan, progress with evidence,
//! agreement, check-ins and reminders, the next cycle, reach.

use std::collections::HashMap;

use chrono::{Days, Months, NaiveDate, Utc};
use serde_json::{Value, json};
use skillpath::assessment::{self, AssessmentKind, AssessmentWrite, OpenCycle, RatingInput};
use skillpath::auth::{Actor, Role};
use skillpath::development;
use skillpath::kpi::{self, ActualInput, TargetInput};
use skillpath::people::{self, NewPerson, Person};

use crate::helpers::{PASSWORD, TestApp, spawn_app};

const PLAN_FIELDS: &str =
    "id status revision targetRole targetLevel mentorView agreedOn personAgreedAt
    managerAgreedBy { email } nextCheckInOn
    progress { goals done dropped open overdue percent }
    goals { id kind title sourceAction skillKey requiredLevel baselineLevel certificationKey kpiKey
      resourceKey resource { key retired } mentor { email } dueOn status doneOn overdue
      gap { skillKey required baseline current closed }
      evidence { kind note url certificationRecordId recordedBy { email } } }
    checkIns { heldOn notes nextSteps recordedBy { email } }";

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

async fn placed(
    app: &TestApp,
    email: &str,
    role: Role,
    manager: Option<i64>,
    job: (&str, &str),
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
            level_since: Some(today() - Months::new(24)),
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

/// Ratings at what `role/level` requires, for every skill of the role, with
/// some skills set apart.
async fn ratings_at(
    app: &TestApp,
    role: &str,
    level: &str,
    overrides: &HashMap<String, u8>,
) -> Vec<RatingInput> {
    let fw = app.state.frameworks.current(&app.state.db).await.unwrap();
    let wanted: HashMap<&str, u8> = fw
        .requirements(role, level)
        .into_iter()
        .map(|c| (c.skill, c.required))
        .collect();
    fw.role(role)
        .unwrap()
        .requirements
        .keys()
        .map(|skill| RatingInput {
            skill: skill.clone(),
            level: i32::from(
                overrides
                    .get(skill)
                    .copied()
                    .unwrap_or_else(|| wanted.get(skill.as_str()).copied().unwrap_or(1)),
            ),
            evidence: None,
        })
        .collect()
}

fn previous_quarter() -> String {
    use chrono::Datelike;
    let t = today();
    let q = (t.month() - 1) / 3 + 1;
    if q == 1 {
        format!("{}-Q4", t.year() - 1)
    } else {
        format!("{}-Q{}", t.year(), q - 1)
    }
}

async fn met_kpis(app: &TestApp, manager: &Actor, person: &Person) {
    let period = previous_quarter();
    kpi::set_targets(
        &app.state.db,
        &app.state.frameworks,
        &skillpath::auth::policy::manage_person(manager, person.id).unwrap(),
        kpi::Period::parse(&period).unwrap(),
        vec![TargetInput {
            kpi: "new_users".into(),
            weight: 100,
            target: 100.0,
            threshold: None,
            stretch: None,
            note: None,
        }],
    )
    .await
    .unwrap();
    kpi::record_actual(
        &app.state.db,
        &app.state.frameworks,
        &skillpath::auth::policy::manage_person(manager, person.id).unwrap(),
        ActualInput {
            period: kpi::Period::parse(&period).unwrap(),
            kpi: "new_users".into(),
            value: 100.0,
            note: None,
        },
    )
    .await
    .unwrap();
}

/// One assessment cycle, run to the end: the manager rates each person.
async fn run_cycle(
    app: &TestApp,
    hr: &Actor,
    boss: &Actor,
    name: &str,
    rated: &[(&Person, &str, &str, HashMap<String, u8>)],
) -> i64 {
    let (db, store) = (&app.state.db, &app.state.frameworks);
    let hr = &skillpath::auth::policy::hr(hr).unwrap();
    let (cycle, _) = assessment::open_cycle(
        db,
        store,
        hr,
        OpenCycle {
            name: name.into(),
            start: true,
            ..OpenCycle::default()
        },
    )
    .await
    .unwrap();
    assessment::advance_cycle(db, hr, cycle.id).await.unwrap();
    for (person, role, level, overrides) in rated {
        let ratings = ratings_at(app, role, level, overrides).await;
        assessment::save_assessment(
            db,
            store,
            boss,
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
    }
    assessment::advance_cycle(db, hr, cycle.id).await.unwrap();
    assessment::advance_cycle(db, hr, cycle.id).await.unwrap();
    cycle.id
}

struct World {
    hr: Person,
    boss: Person,
    ada: Person,
    cy: Person,
    mia: Person,
    outsider: Person,
}

/// Boss manages Ada (user operations p2, rated exactly at p2: against p3
/// every skill is a level short), Cy (data operations p2 at p3 but for the
/// certification p3 requires) and Mia; an outsider in another line.
async fn world(app: &TestApp) -> World {
    let hr = app.person("hr@example.com", Role::Hr, None).await;
    let boss = placed(
        app,
        "boss@example.com",
        Role::Manager,
        None,
        ("user_operations", "m2"),
    )
    .await;
    let ada = placed(
        app,
        "ada@example.com",
        Role::Employee,
        Some(boss.id),
        ("user_operations", "p2"),
    )
    .await;
    let cy = placed(
        app,
        "cy@example.com",
        Role::Employee,
        Some(boss.id),
        ("data_operations", "p2"),
    )
    .await;
    let mia = placed(
        app,
        "mia@example.com",
        Role::Employee,
        Some(boss.id),
        ("user_operations", "p4"),
    )
    .await;
    let outsider = placed(
        app,
        "out@example.com",
        Role::Employee,
        None,
        ("user_operations", "p2"),
    )
    .await;
    let (hr_a, boss_a) = (actor(app, &hr).await, actor(app, &boss).await);
    run_cycle(
        app,
        &hr_a,
        &boss_a,
        "2026 H1",
        &[
            (&ada, "user_operations", "p2", HashMap::new()),
            (&cy, "data_operations", "p3", HashMap::new()),
            (&mia, "user_operations", "p4", HashMap::new()),
        ],
    )
    .await;
    met_kpis(app, &boss_a, &ada).await;
    met_kpis(app, &boss_a, &cy).await;
    World {
        hr,
        boss,
        ada,
        cy,
        mia,
        outsider,
    }
}

async fn tokens(app: &TestApp, people: &[&Person]) -> Vec<String> {
    let mut out = Vec::new();
    for p in people {
        out.push(app.token(&p.email).await);
    }
    out
}

async fn from_advice(app: &TestApp, token: &str, person: &Person) -> Value {
    let q = format!(
        "mutation($u: ID!) {{ createDevelopmentPlanFromAdvice(userId: $u) {{ {PLAN_FIELDS} }} }}"
    );
    app.gql(Some(token), &q, json!({"u": person.id.to_string()}))
        .await
        .data()["createDevelopmentPlanFromAdvice"]
        .clone()
}

async fn plan_of(app: &TestApp, token: &str, person: &Person) -> crate::helpers::Gql {
    let q = format!("query($u: ID!) {{ developmentPlan(userId: $u) {{ {PLAN_FIELDS} }} }}");
    app.gql(Some(token), &q, json!({"u": person.id.to_string()}))
        .await
}

async fn advice(app: &TestApp, token: &str, person: &Person) -> Value {
    app.gql(
        Some(token),
        "query($u: ID!) { advancementPaths(userId: $u) { candidates { roleKey levelKey
            gaps { skillKey required current }
            actions { kind skillKeys certification { key } kpiKey } } } }",
        json!({"u": person.id.to_string()}),
    )
    .await
    .data()["advancementPaths"]["candidates"][0]
        .clone()
}

fn goals(plan: &Value) -> Vec<Value> {
    plan["goals"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_plan_drafted_from_advice_holds_the_advices_actions() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let [ada, boss] = &tokens(&app, &[&w.ada, &w.boss]).await[..] else {
        unreachable!()
    };
    let best = advice(&app, ada, &w.ada).await;
    let plan = from_advice(&app, ada, &w.ada).await;

    assert_eq!(
        (
            &plan["targetRole"],
            &plan["targetLevel"],
            &plan["status"],
            &plan["revision"]
        ),
        (
            &best["roleKey"],
            &best["levelKey"],
            &json!("DRAFT"),
            &json!(1)
        )
    );
    // Every action of the advice, in its order, is the source of goals.
    let mut sources: Vec<Value> = goals(&plan)
        .iter()
        .map(|g| g["sourceAction"].clone())
        .collect();
    sources.dedup();
    let kinds: Vec<Value> = best["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].clone())
        .collect();
    assert_eq!(sources, kinds);
    assert_eq!(kinds[0], "CLOSE_SKILL_GAP");
    // Each skill the advice names has a goal carrying its gap: required and the level known.
    for key in best["actions"][0]["skillKeys"].as_array().unwrap() {
        let gap = best["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| &g["skillKey"] == key)
            .unwrap();
        let goal = goals(&plan)
            .into_iter()
            .find(|g| &g["skillKey"] == key && g["kind"] != "MENTORING")
            .unwrap();
        assert_eq!(
            goal["kind"], "LEARNING_RESOURCE",
            "a course module builds {key}"
        );
        assert!(goal["resourceKey"].is_string());
        assert_eq!(
            (
                &goal["requiredLevel"],
                &goal["baselineLevel"],
                &goal["status"]
            ),
            (&gap["required"], &gap["current"], &json!("PLANNED"))
        );
        assert_eq!(
            goal["gap"],
            json!({"skillKey": key, "required": gap["required"], "baseline": gap["current"], "current": gap["current"], "closed": false})
        );
        assert_eq!(goal["dueOn"], json!((today() + Days::new(90)).to_string()));
    }
    // Ada may not see her colleagues' ratings, so her own draft names no mentor.
    assert!(!goals(&plan).iter().any(|g| g["kind"] == "MENTORING"));

    // One open plan per person.
    let again = app
        .gql(
            Some(boss),
            "mutation($u: ID!) { createDevelopmentPlanFromAdvice(userId: $u) { id } }",
            json!({"u": w.ada.id.to_string()}),
        )
        .await;
    assert_eq!(again.code(), "CONFLICT");

    // Agreed by both, each on the revision they read.
    let agree = "mutation($p: ID!, $r: Int!) { agreeDevelopmentPlan(planId: $p, revision: $r) { status revision agreedOn personAgreedAt managerAgreedBy { email } } }";
    let id = plan["id"].clone();
    let first = app.gql(Some(ada), agree, json!({"p": id, "r": 1})).await;
    let first = &first.data()["agreeDevelopmentPlan"];
    assert_eq!(
        (
            &first["status"],
            first["personAgreedAt"].is_string(),
            &first["managerAgreedBy"]
        ),
        (&json!("DRAFT"), true, &Value::Null)
    );
    let both = app.gql(Some(boss), agree, json!({"p": id, "r": 1})).await;
    let both = &both.data()["agreeDevelopmentPlan"];
    assert_eq!(
        (
            &both["status"],
            &both["agreedOn"],
            &both["managerAgreedBy"]["email"]
        ),
        (
            &json!("AGREED"),
            &json!(today().to_string()),
            &json!("boss@example.com")
        )
    );
    // A change of content makes it a draft again; agreeing what one read before is refused.
    let added = app
        .gql(
            Some(boss),
            "mutation($p: ID!, $g: [DevelopmentGoalInput!]!) { addDevelopmentGoals(planId: $p, goals: $g) { status revision personAgreedAt goals { title kind } } }",
            json!({"p": id, "g": [{"kind": "STRETCH_ASSIGNMENT", "title": "Run the Q1 retention campaign", "skill": "retention_incentives", "requiredLevel": 3, "dueOn": (today() + Days::new(60)).to_string()}]}),
        )
        .await;
    let added = &added.data()["addDevelopmentGoals"];
    assert_eq!(
        (
            &added["status"],
            &added["revision"],
            &added["personAgreedAt"]
        ),
        (&json!("DRAFT"), &json!(2), &Value::Null)
    );
    let stale = app.gql(Some(ada), agree, json!({"p": id, "r": 1})).await;
    assert_eq!(stale.code(), "CONFLICT");
}

#[tokio::test]
async fn an_earned_certificate_closes_its_goal() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let [cy] = &tokens(&app, &[&w.cy]).await[..] else {
        unreachable!()
    };
    let plan = from_advice(&app, cy, &w.cy).await;
    let goal = goals(&plan)
        .into_iter()
        .find(|g| g["kind"] == "CERTIFICATION")
        .expect("a goal to earn the certification");
    assert_eq!(
        (
            &goal["certificationKey"],
            &goal["sourceAction"],
            &goal["status"]
        ),
        (
            &json!("cda_level_1"),
            &json!("EARN_CERTIFICATION"),
            &json!("PLANNED")
        )
    );

    let record = app
        .gql(
            Some(cy),
            "mutation { recordCertification(input: {certification: \"cda_level_1\", status: EARNED, credential: \"CDA-1-0042\"}) { id } }",
            json!({}),
        )
        .await;
    let record_id = record.data()["recordCertification"]["id"].clone();

    let after = plan_of(&app, cy, &w.cy).await;
    let closed = goals(&after.data()["developmentPlan"])
        .into_iter()
        .find(|g| g["id"] == goal["id"])
        .unwrap();
    assert_eq!(
        (&closed["status"], &closed["doneOn"], &closed["evidence"]),
        (
            &json!("DONE"),
            &json!(today().to_string()),
            &json!([{"kind": "CERTIFICATION_EARNED", "note": null, "url": null, "certificationRecordId": record_id, "recordedBy": null}])
        )
    );
    assert_eq!(after.data()["developmentPlan"]["progress"]["done"], 1);
}

#[tokio::test]
async fn an_overdue_goal_triggers_one_reminder() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let [ada] = &tokens(&app, &[&w.ada]).await[..] else {
        unreachable!()
    };
    let due = today() + Days::new(10);
    let created = app
        .gql(
            Some(ada),
            "mutation($u: ID!, $g: [DevelopmentGoalInput!]!) { createDevelopmentPlan(userId: $u, target: {role: \"user_operations\", level: \"p3\"}, goals: $g) { goals { id dueOn overdue } } }",
            json!({"u": w.ada.id.to_string(), "g": [{"kind": "LEARNING_RESOURCE", "title": "User lifecycle management", "skill": "lifecycle_management", "requiredLevel": 3, "resource": "course_user_lifecycle", "dueOn": due.to_string()}]}),
        )
        .await;
    let goal_id = created.data()["createDevelopmentPlan"]["goals"][0]["id"].clone();
    let db = &app.state.db;

    // Due through its day; overdue the day after, reminded once.
    assert_eq!(
        development::queue_development_reminders(db, 30, due)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        development::queue_development_reminders(db, 30, due + Days::new(1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        development::queue_development_reminders(db, 30, due + Days::new(2))
            .await
            .unwrap(),
        0
    );
    let mails = outbox(&app, "DEVELOPMENT_GOAL_OVERDUE").await;
    assert_eq!(mails, vec!["ada@example.com".to_owned()]);

    // A new due day is a new item: reminded once more when it passes.
    let later = today() + Days::new(20);
    app.gql(
        Some(ada),
        "mutation($g: ID!, $d: Date!) { editDevelopmentGoal(goalId: $g, dueOn: $d) { revision } }",
        json!({"g": goal_id, "d": later.to_string()}),
    )
    .await
    .data();
    assert_eq!(
        development::queue_development_reminders(db, 30, later + Days::new(1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(outbox(&app, "DEVELOPMENT_GOAL_OVERDUE").await.len(), 2);
}

/// Recipients of queued or sent messages of one kind, in order.
async fn outbox(app: &TestApp, kind: &str) -> Vec<String> {
    let hr = app.token("hr@example.com").await;
    let answer = app
        .gql(
            Some(&hr),
            "{ emailOutbox(first: 500) { nodes { kind recipientEmail } } }",
            json!({}),
        )
        .await;
    let mut list: Vec<String> = answer.data()["emailOutbox"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == kind)
        .map(|m| m["recipientEmail"].as_str().unwrap().to_owned())
        .collect();
    list.sort();
    list
}

#[tokio::test]
async fn a_check_in_reminder_arrives_at_the_cadence() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let [ada, boss] = &tokens(&app, &[&w.ada, &w.boss]).await[..] else {
        unreachable!()
    };
    let plan = from_advice(&app, ada, &w.ada).await;
    let agree = "mutation($p: ID!, $r: Int!) { agreeDevelopmentPlan(planId: $p, revision: $r) { status nextCheckInOn } }";
    app.gql(Some(ada), agree, json!({"p": plan["id"], "r": 1}))
        .await
        .data();
    let agreed = app
        .gql(Some(boss), agree, json!({"p": plan["id"], "r": 1}))
        .await;
    let due = today() + Days::new(30);
    assert_eq!(
        agreed.data()["agreeDevelopmentPlan"],
        json!({"status": "AGREED", "nextCheckInOn": due.to_string()})
    );

    let db = &app.state.db;
    assert_eq!(
        development::queue_development_reminders(db, 30, due - Days::new(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        development::queue_development_reminders(db, 30, due)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        development::queue_development_reminders(db, 30, due + Days::new(3))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        outbox(&app, "DEVELOPMENT_CHECK_IN_DUE").await,
        vec!["ada@example.com".to_owned(), "boss@example.com".to_owned()]
    );

    // A check-in moves the next one a cadence on.
    let checked = app
        .gql(
            Some(boss),
            "mutation($p: ID!, $d: Date!) { recordCheckIn(planId: $p, heldOn: $d, notes: \"Course half done; retention campaign drafted\", nextSteps: \"Present the campaign to the team\") { nextCheckInOn checkIns { heldOn notes nextSteps recordedBy { email } } } }",
            json!({"p": plan["id"], "d": today().to_string()}),
        )
        .await;
    assert_eq!(
        checked.data()["recordCheckIn"],
        json!({"nextCheckInOn": due.to_string(), "checkIns": [{"heldOn": today().to_string(), "notes": "Course half done; retention campaign drafted", "nextSteps": "Present the campaign to the team", "recordedBy": {"email": "boss@example.com"}}]})
    );
    let future = app
        .gql(Some(ada), "mutation($p: ID!, $d: Date!) { recordCheckIn(planId: $p, heldOn: $d, notes: \"x\") { id } }", json!({"p": plan["id"], "d": (today() + Days::new(1)).to_string()}))
        .await;
    assert_eq!(
        (
            future.code(),
            &future.body["errors"][0]["extensions"]["problems"][0]["field"]
        ),
        ("BAD_USER_INPUT", &json!("heldOn"))
    );
}

#[tokio::test]
async fn a_gap_closed_in_the_next_cycle_shows_on_the_plan_the_profile_and_the_effectiveness_view() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let [ada, boss, hr] = &tokens(&app, &[&w.ada, &w.boss, &w.hr]).await[..] else {
        unreachable!()
    };
    // Drafted by her manager, who sees Mia rated 4+ in the skills Ada lacks: Mia mentors.
    let plan = from_advice(&app, boss, &w.ada).await;
    assert!(
        goals(&plan)
            .iter()
            .any(|g| g["kind"] == "MENTORING" && g["mentor"]["email"] == "mia@example.com")
    );
    let learning: Vec<Value> = goals(&plan)
        .into_iter()
        .filter(|g| g["kind"] == "LEARNING_RESOURCE")
        .collect();
    assert!(
        learning.len() >= 2,
        "two skill gaps with a course each: {learning:#?}"
    );
    let (took, other) = (&learning[0], &learning[1]);
    // The README's walk: the critical lifecycle skill first, with its course module.
    assert_eq!(
        (
            &took["skillKey"],
            &took["resourceKey"],
            &took["requiredLevel"]
        ),
        (
            &json!("lifecycle_management"),
            &json!("course_user_lifecycle"),
            &json!(3)
        )
    );

    // Ada completes the first course.
    let done = app
        .gql(Some(ada), "mutation($g: ID!) { addGoalEvidence(goalId: $g, kind: COURSE_COMPLETED, note: \"Finished all modules\") { goals { id status } } }", json!({"g": took["id"]}))
        .await;
    assert!(
        done.data()["addGoalEvidence"]["goals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["id"] == took["id"] && g["status"] == "DONE")
    );

    // The next cycle: her manager rates the first skill at the level required, the other one still short.
    let skill = took["skillKey"].as_str().unwrap().to_owned();
    let required = took["requiredLevel"].as_u64().unwrap() as u8;
    let (hr_a, boss_a) = (actor(&app, &w.hr).await, actor(&app, &w.boss).await);
    run_cycle(
        &app,
        &hr_a,
        &boss_a,
        "2026 H2",
        &[(
            &w.ada,
            "user_operations",
            "p2",
            HashMap::from([(skill.clone(), required)]),
        )],
    )
    .await;

    let after = plan_of(&app, ada, &w.ada).await;
    let after = goals(&after.data()["developmentPlan"]);
    let gap = |id: &Value| after.iter().find(|g| &g["id"] == id).unwrap()["gap"].clone();
    assert_eq!(
        gap(&took["id"]),
        json!({"skillKey": skill, "required": required, "baseline": took["baselineLevel"], "current": required, "closed": true})
    );
    assert_eq!(gap(&other["id"])["closed"], false);

    let profile = app
        .gql(Some(boss), "query($u: ID!) { skillProfile(userId: $u) { cycle { name } plannedGaps { goalId skillKey required baseline rated outcome } } }", json!({"u": w.ada.id.to_string()}))
        .await;
    let profile = &profile.data()["skillProfile"];
    assert_eq!(profile["cycle"]["name"], "2026 H2");
    let planned = profile["plannedGaps"].as_array().unwrap();
    let closed = planned.iter().find(|g| g["goalId"] == took["id"]).unwrap();
    assert_eq!(
        closed,
        &json!({"goalId": took["id"], "skillKey": skill, "required": required, "baseline": took["baselineLevel"], "rated": required, "outcome": "CLOSED"})
    );
    assert_eq!(
        planned.iter().find(|g| g["goalId"] == other["id"]).unwrap()["outcome"],
        "NOT_CLOSED"
    );

    // The cycle before the plan had no planned gaps.
    let cycles = app
        .gql(
            Some(hr),
            "{ assessmentCycles { nodes { id name } } }",
            json!({}),
        )
        .await;
    let first = cycles.data()["assessmentCycles"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "2026 H1")
        .unwrap()["id"]
        .clone();
    let old = app
        .gql(Some(hr), "query($u: ID!, $c: ID) { skillProfile(userId: $u, cycleId: $c) { plannedGaps { goalId } } }", json!({"u": w.ada.id.to_string(), "c": first}))
        .await;
    assert_eq!(old.data()["skillProfile"]["plannedGaps"], json!([]));

    // HR's effectiveness view: the course taken closed its gap; the other, not taken yet, awaits.
    let org = app
        .gql(Some(hr), "{ organisationDevelopment { people withOpenPlan withAgreedPlan agreedShare goalsDone resources { resourceKey planned taken closedGap gapStillOpen awaitingAssessment closedShare } } }", json!({}))
        .await;
    let org = &org.data()["organisationDevelopment"];
    assert_eq!(
        (
            &org["people"],
            &org["withOpenPlan"],
            &org["withAgreedPlan"],
            &org["agreedShare"],
            &org["goalsDone"]
        ),
        (&json!(5), &json!(1), &json!(0), &json!(0.0), &json!(1))
    );
    let resource = |key: &Value| {
        org["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| &r["resourceKey"] == key)
            .unwrap()
            .clone()
    };
    assert_eq!(
        resource(&took["resourceKey"]),
        json!({"resourceKey": took["resourceKey"], "planned": 1, "taken": 1, "closedGap": 1, "gapStillOpen": 0, "awaitingAssessment": 0, "closedShare": 100.0})
    );
    assert_eq!(resource(&other["resourceKey"])["taken"], 0);
}

#[tokio::test]
async fn reach_holds_for_people_managers_hr_and_mentors() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let [ada, boss, hr, mia, outsider] =
        &tokens(&app, &[&w.ada, &w.boss, &w.hr, &w.mia, &w.outsider]).await[..]
    else {
        unreachable!()
    };
    let created = app
        .gql(
            Some(boss),
            "mutation($u: ID!, $g: [DevelopmentGoalInput!]!) { createDevelopmentPlan(userId: $u, target: {role: \"user_operations\", level: \"p3\"}, goals: $g) { id goals { id kind } } }",
            json!({"u": w.ada.id.to_string(), "g": [
                {"kind": "MENTORING", "title": "Monthly sessions on retention", "skill": "retention_incentives", "requiredLevel": 3, "mentorId": w.mia.id.to_string(), "dueOn": (today() + Days::new(90)).to_string()},
                {"kind": "KPI", "title": "Lift 30-day retention", "kpi": "retention_rate_30d", "dueOn": (today() + Days::new(90)).to_string()}
            ]}),
        )
        .await;
    let plan = created.data()["createDevelopmentPlan"].clone();
    let mentoring_goal = plan["goals"][0]["id"].clone();

    // The person, their manager and HR read it whole.
    for token in [ada, boss, hr] {
        let p = plan_of(&app, token, &w.ada).await;
        assert_eq!(
            (
                &p.data()["developmentPlan"]["mentorView"],
                goals(&p.data()["developmentPlan"]).len()
            ),
            (&json!(false), 2)
        );
    }
    // A draft is between Ada and her managers; once agreed, the mentor reads
    // only the goal naming them, and no check-ins.
    assert_eq!(plan_of(&app, mia, &w.ada).await.code(), "FORBIDDEN");
    let agree = "mutation($p: ID!) { agreeDevelopmentPlan(planId: $p, revision: 1) { status } }";
    app.gql(Some(ada), agree, json!({"p": plan["id"]}))
        .await
        .data();
    app.gql(Some(boss), agree, json!({"p": plan["id"]}))
        .await
        .data();
    let as_mentor = plan_of(&app, mia, &w.ada).await;
    let as_mentor = &as_mentor.data()["developmentPlan"];
    assert_eq!(
        (
            &as_mentor["mentorView"],
            goals(as_mentor).len(),
            &as_mentor["goals"][0]["id"],
            &as_mentor["checkIns"]
        ),
        (&json!(true), 1, &mentoring_goal, &json!([]))
    );
    let mine = app
        .gql(
            Some(mia),
            "{ mentoringGoals { user { name email } goal { title } } }",
            json!({}),
        )
        .await;
    // The mentee is outside the mentor's reach: named, not shown.
    let listed = &mine.data()["mentoringGoals"];
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed:#}");
    assert_eq!(listed[0]["user"]["email"], Value::Null);
    assert!(listed[0]["user"]["name"].is_string());
    assert_eq!(listed[0]["goal"]["title"], "Monthly sessions on retention");
    // …but does not write it.
    let write = app
        .gql(
            Some(mia),
            "mutation($g: ID!) { addGoalEvidence(goalId: $g, kind: NOTE, note: \"met\") { id } }",
            json!({"g": mentoring_goal}),
        )
        .await;
    assert_eq!(write.code(), "FORBIDDEN");
    // Others see nothing, write nothing.
    assert_eq!(plan_of(&app, outsider, &w.ada).await.code(), "FORBIDDEN");
    assert_eq!(plan_of(&app, ada, &w.cy).await.code(), "FORBIDDEN");
    let foreign = app
        .gql(
            Some(outsider),
            "mutation($u: ID!) { createDevelopmentPlanFromAdvice(userId: $u) { id } }",
            json!({"u": w.ada.id.to_string()}),
        )
        .await;
    assert_eq!(foreign.code(), "FORBIDDEN");
    let agree = app
        .gql(
            Some(mia),
            "mutation($p: ID!) { agreeDevelopmentPlan(planId: $p, revision: 1) { id } }",
            json!({"p": plan["id"]}),
        )
        .await;
    assert_eq!(agree.code(), "FORBIDDEN");
    // Team and organisation views.
    assert_eq!(
        app.gql(Some(ada), "{ teamDevelopmentPlans { status } }", json!({}))
            .await
            .code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(
            Some(boss),
            "{ organisationDevelopment { people } }",
            json!({})
        )
        .await
        .code(),
        "FORBIDDEN"
    );
    let team = app.gql(Some(boss), "{ teamDevelopmentPlans { user { email } status targetLevel goalsDueSoon goalsOverdue goalsDoneThisQuarter progress { goals percent } } }", json!({})).await;
    assert_eq!(
        team.data()["teamDevelopmentPlans"],
        json!([
            {"user": {"email": "ada@example.com"}, "status": "AGREED", "targetLevel": "p3", "goalsDueSoon": 0, "goalsOverdue": 0, "goalsDoneThisQuarter": 0, "progress": {"goals": 2, "percent": 0.0}},
            {"user": {"email": "cy@example.com"}, "status": null, "targetLevel": null, "goalsDueSoon": 0, "goalsOverdue": 0, "goalsDoneThisQuarter": 0, "progress": {"goals": 0, "percent": null}},
            {"user": {"email": "mia@example.com"}, "status": null, "targetLevel": null, "goalsDueSoon": 0, "goalsOverdue": 0, "goalsDoneThisQuarter": 0, "progress": {"goals": 0, "percent": null}}
        ])
    );
    // Free text is bounded, links are http(s).
    let long = app.gql(Some(ada), "mutation($g: ID!, $n: String!) { addGoalEvidence(goalId: $g, kind: NOTE, note: $n) { id } }", json!({"g": mentoring_goal, "n": "n".repeat(4001)})).await;
    assert_eq!(
        (
            long.code(),
            &long.body["errors"][0]["extensions"]["problems"][0]["field"]
        ),
        ("BAD_USER_INPUT", &json!("note"))
    );
    let link = app.gql(Some(ada), "mutation($g: ID!) { addGoalEvidence(goalId: $g, kind: LINK, url: \"javascript:alert(1)\") { id } }", json!({"g": mentoring_goal})).await;
    assert_eq!(
        (
            link.code(),
            &link.body["errors"][0]["extensions"]["problems"][0]["field"]
        ),
        ("BAD_USER_INPUT", &json!("url"))
    );
    let noted = app.gql(Some(ada), "mutation($g: ID!) { addGoalEvidence(goalId: $g, kind: LINK, url: \"https://wiki.example/retention-notes\") { goals { status evidence { kind url recordedBy { email } } } } }", json!({"g": mentoring_goal})).await;
    assert_eq!(
        noted.data()["addGoalEvidence"]["goals"][0],
        json!({"status": "IN_PROGRESS", "evidence": [{"kind": "LINK", "url": "https://wiki.example/retention-notes", "recordedBy": {"email": "ada@example.com"}}]})
    );
}

#[tokio::test]
async fn hr_edits_the_learning_catalogue_one_resource_at_a_time_and_retired_ones_stay_readable() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let [ada, hr] = &tokens(&app, &[&w.ada, &w.hr]).await[..] else {
        unreachable!()
    };
    let admin = app.person("admin@example.com", Role::Admin, None).await;
    let admin = app.token(&admin.email).await;
    let created = app
        .gql(
            Some(ada),
            "mutation($u: ID!, $g: [DevelopmentGoalInput!]!) { createDevelopmentPlan(userId: $u, target: {role: \"user_operations\", level: \"p3\"}, goals: $g) { id } }",
            json!({"u": w.ada.id.to_string(), "g": [{"kind": "LEARNING_RESOURCE", "title": "User lifecycle management", "skill": "lifecycle_management", "requiredLevel": 3, "resource": "course_user_lifecycle", "dueOn": (today() + Days::new(30)).to_string()}]}),
        )
        .await;
    let plan_id = created.data()["createDevelopmentPlan"]["id"].clone();

    let upsert = "mutation($i: LearningResourceInput!) { upsertLearningResource(input: $i) { learningResources { key levels retired skills { key } } } }";
    let input = json!({"key": "lifecycle_workshop", "title": {"en": "Lifecycle workshop", "zhCn": "生命周期工作坊"}, "description": {"en": "Two half-days on lifecycle stages.", "zhCn": "两个半天的生命周期阶段实践。"}, "kind": "PRACTICE", "hours": 8, "skills": ["lifecycle_management"], "levels": ["p2", "p3"]});
    assert_eq!(
        app.gql(Some(ada), upsert, json!({"i": input})).await.code(),
        "FORBIDDEN"
    );
    app.gql(
        Some(hr),
        "mutation { createFrameworkDraft { version } }",
        json!({}),
    )
    .await
    .data();
    let added = app.gql(Some(hr), upsert, json!({"i": input})).await;
    let list = added.data()["upsertLearningResource"]["learningResources"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        list.last().unwrap(),
        &json!({"key": "lifecycle_workshop", "levels": ["p2", "p3"], "retired": false, "skills": [{"key": "lifecycle_management"}]})
    );
    let mut bad = input.clone();
    bad["levels"] = json!(["p9"]);
    let refused = app.gql(Some(hr), upsert, json!({"i": bad})).await;
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    let retired = app
        .gql(Some(hr), "mutation { retireLearningResource(key: \"course_user_lifecycle\") { learningResources { key retired } } }", json!({}))
        .await;
    assert!(
        retired.data()["retireLearningResource"]["learningResources"]
            .as_array()
            .unwrap()
            .contains(&json!({"key": "course_user_lifecycle", "retired": true}))
    );
    app.gql(
        Some(&admin),
        "mutation { publishFrameworkDraft { version } }",
        json!({}),
    )
    .await
    .data();

    // The plan that took it still reads it; new goals cannot take it.
    let plan = plan_of(&app, ada, &w.ada).await;
    assert_eq!(
        plan.data()["developmentPlan"]["goals"][0]["resource"],
        json!({"key": "course_user_lifecycle", "retired": true})
    );
    let again = app
        .gql(
            Some(ada),
            "mutation($p: ID!, $g: [DevelopmentGoalInput!]!) { addDevelopmentGoals(planId: $p, goals: $g) { id } }",
            json!({"p": plan_id, "g": [{"kind": "LEARNING_RESOURCE", "title": "Again", "skill": "lifecycle_management", "resource": "course_user_lifecycle", "dueOn": (today() + Days::new(30)).to_string()}]}),
        )
        .await;
    assert_eq!(
        (
            again.code(),
            &again.body["errors"][0]["extensions"]["problems"][0]["field"]
        ),
        ("BAD_USER_INPUT", &json!("goals[0].resource"))
    );
}

/// Two tabs: the person and the manager agree the same revision at the same
/// moment. Each plan row is locked by every write, so both agreements count
/// and the plan is agreed, every time (PostgreSQL shows races SQLite hides).
#[tokio::test]
async fn simultaneous_agreements_both_count() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (ada_a, boss_a) = (actor(&app, &w.ada).await, actor(&app, &w.boss).await);
    let db = &app.state.db;
    for _ in 0..10 {
        let plan = development::create_plan(
            db,
            &app.state.frameworks,
            &skillpath::auth::policy::write_plan(&ada_a, w.ada.id).unwrap(),
            ("user_operations", "p3"),
            vec![],
            today(),
        )
        .await
        .unwrap();
        let (a, b) = tokio::join!(
            development::agree_plan(db, &ada_a, plan.id, plan.revision, today()),
            development::agree_plan(db, &boss_a, plan.id, plan.revision, today()),
        );
        a.unwrap();
        b.unwrap();
        let after = development::load_plan(db, plan.id).await.unwrap();
        assert_eq!(after.status, development::PlanStatus::Agreed);
        development::close_plan(db, &ada_a, plan.id).await.unwrap();
    }
}

/// Two tabs start a plan for the same person at once: one plan, the other
/// tab is told so (CONFLICT), every time.
#[tokio::test]
async fn simultaneous_plans_for_one_person_make_one() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (ada_a, boss_a) = (actor(&app, &w.ada).await, actor(&app, &w.boss).await);
    let (db, store) = (&app.state.db, &app.state.frameworks);
    for _ in 0..10 {
        let create = |who| {
            let writer = skillpath::auth::policy::write_plan(who, w.ada.id).unwrap();
            async move {
                development::create_plan(
                    db,
                    store,
                    &writer,
                    ("user_operations", "p3"),
                    vec![],
                    today(),
                )
                .await
            }
        };
        let (a, b) = tokio::join!(create(&ada_a), create(&boss_a));
        let (made, refused) = match (a, b) {
            (Ok(p), Err(e)) | (Err(e), Ok(p)) => (p, e),
            (a, b) => panic!("expected one plan and one refusal, got {a:?} and {b:?}"),
        };
        assert!(
            matches!(refused, skillpath::error::Error::Conflict(_)),
            "{refused:?}"
        );
        development::close_plan(db, &ada_a, made.id).await.unwrap();
    }
}
