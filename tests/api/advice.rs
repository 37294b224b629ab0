//! Advice an operations manager would sign: a designed set of people, each
//! a clear case with a right answer, checked over HTTP in English and Chinese.
//!
//! | who | position | why this is a clear case | right answer |
//! |---|---|---|---|
//! | ada | user ops p2, 24 months | manager rates her at every p3 requirement; KPIs met | promotion, READY; first: discuss it |
//! | ben | user ops p2, 24 months | at p2 in user ops, a level above data ops p2 in its skills, GA certificate verified | lateral to data ops READY, ahead of a promotion whose critical skills are short |
//! | cy | data ops p2, 24 months | skills at p3, no CDA Level I | promotion NOT_READY, blocked by the certificate; first: earn it |
//! | dan | user ops p2, 14 months | skills at p3, KPIs met, 4 months short of 18 | promotion first (blocked only by time); first: the date the gate opens |
//! | fay | user ops p2 → p3 today | HR promotes her | history kept, time at level restarts: p4 waits 24 months from today |
//! | gus | user ops p2, 24 months | skills at p3; last quarter's KPI score 60 | NOT_READY, KPI gate; first: new_users, 20 points short |
//! | hal | user ops p2, 24 months | skills at p3; only this quarter's targets, no actuals yet | NOT_READY but no failure: results count once the quarter ends |
//! | ivy | user ops p2 | rated herself at p3; no manager rating | NEEDS_EVIDENCE, no score; first: ask the manager to confirm |
//! | jon | user ops p2 | never assessed | NEEDS_EVIDENCE, no score, no "0→3" gaps; first: get assessed |
//! | kim | user ops p3, 30 months | rated at team-lead requirements, people skills included | management move READY |
//! | leo | user ops p4, 30 months | a strong expert with team leadership 2 of 3 | management NOT_READY, critical people skills named |
//! | eve | user ops m2 | top of the management track | no moves |
//! | max | content ops p2, 24 months | weak in content creation, strong in community skills | lateral to community ops READY (a new edge) |
//! | ned | user ops p2, 24 months | manager rated at p3, then a self-assessment in a new cycle | still READY: the manager's rating stands |
//! | ora | data ops p2, 24 months | skills at p3; records her own CDA as earned, valid to 9999 | NOT_READY until HR verifies it, then READY |

use chrono::{Datelike, Months, NaiveDate, Utc};
use serde_json::{Value, json};
use skillpath::assessment::{self, AssessmentKind, AssessmentWrite, OpenCycle, RatingInput};
use skillpath::auth::{Actor, Role};
use skillpath::kpi::{self, ActualInput, TargetInput};
use skillpath::people::{self, NewPerson, Person};

use crate::helpers::{PASSWORD, TestApp, spawn_app};

const PATHS: &str = "query($u: ID!) { advancementPaths(userId: $u) { monthsAtLevel
    candidates { roleKey levelKey kind verdict readiness ready explanation
      components { skills kpi certifications timeAtLevel }
      evidence { level confirmedShare selfAssessedMatch unknownSkills unconfirmedSkills }
      blockers { kind requirement met actual opensOn }
      criticalGaps { skillKey required current }
      gaps { skillKey required current known basis }
      strengths { skillKey newerSelfRating }
      actions { kind text skillKeys certification { key } kpiKey date shortBy attainment
        learningResources { key } mentors { user { email } } }
      nextActions { certificationsToStart { key } } } } }";

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn quarter_of(d: NaiveDate) -> (i32, u32) {
    (d.year(), (d.month() - 1) / 3 + 1)
}

fn current_quarter() -> String {
    let (y, q) = quarter_of(today());
    format!("{y}-Q{q}")
}

fn previous_quarter() -> String {
    let (y, q) = quarter_of(today());
    if q == 1 {
        format!("{}-Q4", y - 1)
    } else {
        format!("{y}-Q{}", q - 1)
    }
}

fn current_quarter_end() -> NaiveDate {
    let (y, q) = quarter_of(today());
    let first_of_next = if q == 4 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, q * 3 + 1, 1)
    };
    first_of_next.unwrap().pred_opt().unwrap()
}

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
            level_since: Some(today() - Months::new(months)),
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

/// Ratings of every skill of `own_role` at what `role/level` requires (+ bonus, at most 5).
async fn at(app: &TestApp, own_role: &str, role: &str, level: &str, bonus: u8) -> Vec<RatingInput> {
    let fw = app.state.frameworks.current(&app.state.db).await.unwrap();
    let job = fw.role(role).unwrap();
    fw.role(own_role)
        .unwrap()
        .requirements
        .keys()
        .map(|skill| {
            let required = job
                .requirements
                .get(skill)
                .and_then(|r| r.levels.get(level).copied())
                .unwrap_or(1);
            RatingInput {
                skill: skill.clone(),
                level: i32::from((required + bonus).min(5)),
                evidence: None,
            }
        })
        .collect()
}

/// Later entries replace earlier ones of the same skill.
fn merged(lists: Vec<Vec<RatingInput>>) -> Vec<RatingInput> {
    let mut out: Vec<RatingInput> = Vec::new();
    for r in lists.into_iter().flatten() {
        out.retain(|x| x.skill != r.skill);
        out.push(r);
    }
    out
}

fn set(ratings: &mut [RatingInput], skill: &str, level: i32) {
    ratings.iter_mut().find(|r| r.skill == skill).unwrap().level = level;
}

async fn kpis(app: &TestApp, manager: &Actor, person: &Person, period: &str, actual: Option<f64>) {
    let target = TargetInput {
        kpi: "new_users".into(),
        weight: 100,
        target: 100.0,
        threshold: None,
        stretch: None,
        note: None,
    };
    let (db, store) = (&app.state.db, &app.state.frameworks);
    let manager = skillpath::auth::policy::manage_person(manager, person.id).unwrap();
    let parsed = kpi::Period::parse(period).unwrap();
    kpi::set_targets(db, store, &manager, parsed, vec![target])
        .await
        .unwrap();
    if let Some(value) = actual {
        let input = ActualInput {
            period: kpi::Period::parse(period).unwrap(),
            kpi: "new_users".into(),
            value,
            note: None,
        };
        kpi::record_actual(db, store, &manager, input)
            .await
            .unwrap();
    }
}

async fn rate(
    app: &TestApp,
    by: &Actor,
    cycle: i64,
    who: &Person,
    kind: AssessmentKind,
    ratings: Vec<RatingInput>,
) {
    let write = AssessmentWrite {
        cycle_id: cycle,
        subject_id: who.id,
        kind,
        ratings,
        submit: true,
    };
    assessment::save_assessment(&app.state.db, &app.state.frameworks, by, write)
        .await
        .unwrap();
}

struct People {
    boss: Person,
    by_name: Vec<(&'static str, Person)>,
}

impl People {
    fn get(&self, name: &str) -> &Person {
        &self.by_name.iter().find(|(n, _)| *n == name).unwrap().1
    }
}

async fn seed(app: &TestApp) -> People {
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
    let b = Some(boss.id);
    let uo = "user_operations";
    let mut by_name = Vec::new();
    for (name, job, months) in [
        ("ada", (uo, "p2"), 24),
        ("ben", (uo, "p2"), 24),
        ("cy", ("data_operations", "p2"), 24),
        ("dan", (uo, "p2"), 14),
        ("fay", (uo, "p2"), 30),
        ("gus", (uo, "p2"), 24),
        ("hal", (uo, "p2"), 24),
        ("ivy", (uo, "p2"), 24),
        ("jon", (uo, "p2"), 24),
        ("kim", (uo, "p3"), 30),
        ("leo", (uo, "p4"), 30),
        ("eve", (uo, "m2"), 30),
        ("max", ("content_operations", "p2"), 24),
        ("ned", (uo, "p2"), 24),
        ("ora", ("data_operations", "p2"), 24),
    ] {
        let email = format!("{name}@example.com");
        let p = placed(app, &email, Role::Employee, b, job, months).await;
        by_name.push((name, p));
    }
    let people = People { boss, by_name };
    let p = |n: &str| people.get(n).clone();
    let (hr, boss) = (actor(app, &hr).await, actor(app, &people.boss).await);
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
    let ivy = p("ivy");
    let ivy_own = at(app, uo, uo, "p3", 0).await;
    rate(
        app,
        &actor(app, &ivy).await,
        cycle.id,
        &ivy,
        AssessmentKind::SelfRating,
        ivy_own,
    )
    .await;
    assessment::advance_cycle(db, &skillpath::auth::policy::hr(&hr).unwrap(), cycle.id)
        .await
        .unwrap();

    let uo_p3 = at(app, uo, uo, "p3", 0).await;
    let data_p3 = at(app, "data_operations", "data_operations", "p3", 0).await;
    for name in ["ada", "dan", "fay", "gus", "hal", "ned"] {
        rate(
            app,
            &boss,
            cycle.id,
            &p(name),
            AssessmentKind::Manager,
            uo_p3.clone(),
        )
        .await;
    }
    for name in ["cy", "ora"] {
        rate(
            app,
            &boss,
            cycle.id,
            &p(name),
            AssessmentKind::Manager,
            data_p3.clone(),
        )
        .await;
    }
    // Ben: his own role at p2, data operations skills a level above data p2.
    let ben = merged(vec![
        at(app, uo, uo, "p2", 0).await,
        at(app, "data_operations", "data_operations", "p2", 1).await,
    ]);
    rate(
        app,
        &boss,
        cycle.id,
        &p("ben"),
        AssessmentKind::Manager,
        ben,
    )
    .await;
    // Kim: everything a team lead needs (and her p3).
    let mut kim = at(app, uo, uo, "p3", 0).await;
    for (r, lead) in kim.iter_mut().zip(at(app, uo, uo, "m1", 0).await) {
        r.level = r.level.max(lead.level);
    }
    rate(
        app,
        &boss,
        cycle.id,
        &p("kim"),
        AssessmentKind::Manager,
        kim,
    )
    .await;
    rate(
        app,
        &boss,
        cycle.id,
        &p("leo"),
        AssessmentKind::Manager,
        at(app, uo, uo, "p4", 0).await,
    )
    .await;
    rate(
        app,
        &boss,
        cycle.id,
        &p("eve"),
        AssessmentKind::Manager,
        at(app, uo, uo, "m2", 0).await,
    )
    .await;
    // Max: content p3 but content creation 2 of 4; community skills above community p2.
    let mut max = merged(vec![
        at(app, "content_operations", "content_operations", "p3", 0).await,
        at(app, "community_operations", "community_operations", "p2", 1).await,
    ]);
    set(&mut max, "content_creation", 2);
    rate(
        app,
        &boss,
        cycle.id,
        &p("max"),
        AssessmentKind::Manager,
        max,
    )
    .await;

    let finished = previous_quarter();
    for name in [
        "ada", "ben", "cy", "dan", "fay", "kim", "leo", "max", "ned", "ora",
    ] {
        kpis(app, &boss, &p(name), &finished, Some(100.0)).await;
    }
    kpis(app, &boss, &p("gus"), &finished, Some(60.0)).await;
    kpis(app, &boss, &p("hal"), &current_quarter(), None).await;

    // Ben's analytics certificate, verified by HR.
    record_certification(app, &p("ben"), "google_analytics_certification", true).await;

    // Ned: the cycle closes; in the next one he rates himself lower.
    for _ in 0..2 {
        assessment::advance_cycle(db, &skillpath::auth::policy::hr(&hr).unwrap(), cycle.id)
            .await
            .unwrap();
    }
    let (next, _) = assessment::open_cycle(
        db,
        store,
        &skillpath::auth::policy::hr(&hr).unwrap(),
        OpenCycle {
            name: "H1".into(),
            start: true,
            ..OpenCycle::default()
        },
    )
    .await
    .unwrap();
    let ned = p("ned");
    let lower = at(app, uo, uo, "p2", 0).await;
    rate(
        app,
        &actor(app, &ned).await,
        next.id,
        &ned,
        AssessmentKind::SelfRating,
        lower,
    )
    .await;
    people
}

/// Recorded by the person over HTTP as earned and valid for ever; verified by HR if asked.
async fn record_certification(app: &TestApp, who: &Person, cert: &str, verify: bool) -> String {
    let token = app.token(&who.email).await;
    let recorded = app
        .gql(
            Some(&token),
            "mutation($i: RecordCertificationInput!) { recordCertification(input: $i) { id status } }",
            json!({"i": {"certification": cert, "status": "EARNED", "expiresOn": "9999-12-31"}}),
        )
        .await;
    let id = recorded.data()["recordCertification"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    if verify {
        verify_certification(app, &id).await;
    }
    id
}

async fn verify_certification(app: &TestApp, id: &str) {
    let hr = app.token("hr@example.com").await;
    let verified = app
        .gql(
            Some(&hr),
            "mutation($r: ID!) { verifyCertification(recordId: $r) { verified } }",
            json!({"r": id}),
        )
        .await;
    assert_eq!(verified.data()["verifyCertification"]["verified"], true);
}

async fn paths_in(app: &TestApp, token: &str, who: &Person, lang: &str) -> Value {
    let res = app
        .http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(token)
        .header("accept-language", lang)
        .json(&json!({"query": PATHS, "variables": {"u": who.id.to_string()}}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body:#}");
    body["data"]["advancementPaths"].clone()
}

fn find<'a>(paths: &'a Value, role: &str, level: &str) -> &'a Value {
    paths["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["roleKey"] == role && c["levelKey"] == level)
        .unwrap_or_else(|| panic!("no move to {role}/{level}: {paths:#}"))
}

fn keys(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x[field].as_str().unwrap().to_owned())
        .collect()
}

/// The top move, its verdict, and its first action; every move has one.
fn top(paths: &Value) -> (String, String, String, String, String) {
    let candidates = paths["candidates"].as_array().unwrap();
    for c in candidates {
        assert!(
            !c["actions"].as_array().unwrap().is_empty(),
            "every move names an action: {c:#}"
        );
    }
    let c = &candidates[0];
    (
        c["roleKey"].as_str().unwrap().into(),
        c["levelKey"].as_str().unwrap().into(),
        c["kind"].as_str().unwrap().into(),
        c["verdict"].as_str().unwrap().into(),
        c["actions"][0]["kind"].as_str().unwrap().into(),
    )
}

fn first_action(c: &Value) -> &Value {
    &c["actions"][0]
}

/// The explanation says the verdict and the first action, in the language asked.
fn check_explanation(c: &Value, lang: &str) {
    let text = c["explanation"].as_str().unwrap();
    let first = first_action(c)["text"].as_str().unwrap();
    let (verdict, lead) = match (c["verdict"].as_str().unwrap(), lang) {
        ("READY", "en") => ("ready: every critical skill", "First: "),
        ("NOT_READY", "en") => ("not ready yet: ", "First: "),
        ("NEEDS_EVIDENCE", "en") => ("not enough evidence to judge: ", "First: "),
        ("READY", _) => ("已具备条件", "第一步："),
        ("NOT_READY", _) => ("尚未具备条件：", "第一步："),
        (_, _) => ("证据不足，无法判断：", "第一步："),
    };
    assert!(text.contains(verdict), "{lang}: {text}");
    assert!(text.contains(&format!("{lead}{first}")), "{lang}: {text}");
    let chinese = text
        .chars()
        .any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch));
    assert_eq!(chinese, lang != "en", "{lang}: {text}");
}

/// Role, level, kind, verdict and first action of a person's top move.
type Top = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

fn s(v: &str) -> String {
    v.to_owned()
}

#[tokio::test]
async fn each_designed_person_gets_the_advice_a_manager_would_sign() {
    let app = spawn_app().await;
    let people = seed(&app).await;
    let boss = app.token("boss@example.com").await;
    let uo = "user_operations";
    let expected: Vec<(&str, Option<Top>)> = vec![
        (
            "ada",
            Some((uo, "p3", "PROMOTION", "READY", "DISCUSS_MOVE")),
        ),
        (
            "ben",
            Some(("data_operations", "p2", "LATERAL", "READY", "DISCUSS_MOVE")),
        ),
        (
            "cy",
            Some((
                "data_operations",
                "p3",
                "PROMOTION",
                "NOT_READY",
                "EARN_CERTIFICATION",
            )),
        ),
        (
            "dan",
            Some((uo, "p3", "PROMOTION", "NOT_READY", "WAIT_UNTIL")),
        ),
        (
            "gus",
            Some((uo, "p3", "PROMOTION", "NOT_READY", "IMPROVE_KPI")),
        ),
        (
            "hal",
            Some((uo, "p3", "PROMOTION", "NOT_READY", "AWAIT_KPI_RESULTS")),
        ),
        (
            "ivy",
            Some((
                uo,
                "p3",
                "PROMOTION",
                "NEEDS_EVIDENCE",
                "CONFIRM_WITH_MANAGER",
            )),
        ),
        (
            "jon",
            Some((uo, "p3", "PROMOTION", "NEEDS_EVIDENCE", "GET_ASSESSED")),
        ),
        (
            "kim",
            Some((uo, "m1", "MANAGEMENT", "READY", "DISCUSS_MOVE")),
        ),
        (
            "leo",
            Some((uo, "m1", "MANAGEMENT", "NOT_READY", "CLOSE_SKILL_GAP")),
        ),
        ("eve", None),
        (
            "max",
            Some((
                "community_operations",
                "p2",
                "LATERAL",
                "READY",
                "DISCUSS_MOVE",
            )),
        ),
        (
            "ned",
            Some((uo, "p3", "PROMOTION", "READY", "DISCUSS_MOVE")),
        ),
        (
            "ora",
            Some((
                "data_operations",
                "p3",
                "PROMOTION",
                "NOT_READY",
                "EARN_CERTIFICATION",
            )),
        ),
    ];
    for lang in ["en", "zh-CN"] {
        for (name, want) in &expected {
            let paths = paths_in(&app, &boss, people.get(name), lang).await;
            match want {
                None => assert_eq!(paths["candidates"], json!([]), "{name}"),
                Some((role, level, kind, verdict, action)) => {
                    assert_eq!(
                        top(&paths),
                        (s(role), s(level), s(kind), s(verdict), s(action)),
                        "{name} ({lang}): {:#}",
                        paths["candidates"][0]
                    );
                    for c in paths["candidates"].as_array().unwrap() {
                        check_explanation(c, lang);
                    }
                }
            }
        }
    }

    let en = |name: &'static str| {
        let (app, boss, people) = (&app, &boss, &people);
        async move { paths_in(app, boss, people.get(name), "en").await }
    };

    // Ada: every gate met; the laterals she has not been rated for say what is unknown.
    let ada = en("ada").await;
    let promotion = find(&ada, uo, "p3");
    assert_eq!(promotion["evidence"]["level"], "MANAGER_CONFIRMED");
    assert_eq!(promotion["components"]["skills"], 100.0);
    assert!(promotion["readiness"].as_f64().unwrap() >= 80.0);
    let content = find(&ada, "content_operations", "p2");
    assert_eq!(content["verdict"], "NEEDS_EVIDENCE");
    assert_eq!(content["readiness"], Value::Null);
    assert_eq!(first_action(content)["kind"], "GET_ASSESSED");
    assert!(
        keys(&content["gaps"], "skillKey")
            .iter()
            .all(|k| k != "content_creation"),
        "a skill nobody rated is unknown, not a 0→n gap"
    );
    assert!(
        content["evidence"]["unknownSkills"]
            .as_array()
            .unwrap()
            .contains(&json!("content_creation"))
    );

    // Ben: the promotion's critical skills are short, whatever his data skills.
    let ben = en("ben").await;
    let promotion = find(&ben, uo, "p3");
    assert_eq!(promotion["verdict"], "NOT_READY");
    assert_eq!(
        keys(&promotion["criticalGaps"], "skillKey"),
        ["lifecycle_management", "retention_incentives"]
    );

    // Cy: the certificate is the only blocker.
    let cy = en("cy").await;
    let promotion = find(&cy, "data_operations", "p3");
    assert_eq!(
        promotion["blockers"],
        json!([{"kind": "CERTIFICATION", "requirement": "cda_level_1", "met": false, "actual": "not held", "opensOn": null}])
    );
    assert_eq!(
        first_action(promotion)["certification"]["key"],
        "cda_level_1"
    );
    assert_eq!(promotion["readiness"], 79.0);

    // Dan: blocked only by time; the gate opens 18 months after he took his level.
    let dan = en("dan").await;
    let promotion = find(&dan, uo, "p3");
    let opens = (today() - Months::new(14) + Months::new(18)).to_string();
    assert_eq!(
        promotion["blockers"],
        json!([{"kind": "MIN_MONTHS", "requirement": "18", "met": false, "actual": "14", "opensOn": opens}])
    );
    assert_eq!(promotion["actions"].as_array().unwrap().len(), 1);
    assert_eq!(first_action(promotion)["date"], opens.as_str());

    // Gus: which KPI, and how far from the gate.
    let gus = en("gus").await;
    let a = first_action(find(&gus, uo, "p3")).clone();
    assert_eq!(
        (
            a["kpiKey"].clone(),
            a["shortBy"].clone(),
            a["attainment"].clone()
        ),
        (json!("new_users"), json!(20.0), json!(60.0))
    );

    // Hal: a running quarter is not a failure: no KPI component, a date to wait for.
    let hal = en("hal").await;
    let promotion = find(&hal, uo, "p3");
    assert_eq!(promotion["components"]["kpi"], Value::Null);
    assert_eq!(promotion["components"]["skills"], 100.0);
    assert_eq!(
        first_action(promotion)["date"],
        current_quarter_end().to_string().as_str()
    );

    // Ivy: her own word only; no score, and it says so.
    let ivy = en("ivy").await;
    let promotion = find(&ivy, uo, "p3");
    assert_eq!(promotion["readiness"], Value::Null);
    assert_eq!(promotion["components"]["skills"], Value::Null);
    assert_eq!(promotion["evidence"]["level"], "SELF_ONLY");
    assert_eq!(promotion["evidence"]["selfAssessedMatch"], 100.0);
    assert!(
        promotion["explanation"]
            .as_str()
            .unwrap()
            .contains("no manager has rated")
    );

    // Jon: never assessed; no score, no invented gaps.
    let jon = en("jon").await;
    for c in jon["candidates"].as_array().unwrap() {
        assert_eq!(c["readiness"], Value::Null);
        assert_eq!(c["evidence"]["level"], "NONE");
        assert_eq!(c["gaps"], json!([]));
    }

    // Leo: strong everywhere but in people skills, which a team lead cannot do without.
    let leo = en("leo").await;
    let lead = find(&leo, uo, "m1");
    assert_eq!(
        keys(&lead["criticalGaps"], "skillKey"),
        ["performance_management", "team_leadership"]
    );
    assert_eq!(lead["readiness"], 79.0);
    assert!(
        !first_action(lead)["learningResources"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Eve, a manager rated 4 in both, is offered as a mentor with the action.
    assert!(
        first_action(lead)["mentors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["user"]["email"] == "eve@example.com"),
        "{:#}",
        first_action(lead)
    );

    // Kim: the same move with people skills confirmed.
    let kim = en("kim").await;
    assert_eq!(find(&kim, uo, "m1")["criticalGaps"], json!([]));

    // Max: content creation short for his own promotion; community is open to him.
    let max = en("max").await;
    let promotion = find(&max, "content_operations", "p3");
    assert_eq!(promotion["verdict"], "NOT_READY");
    assert_eq!(
        keys(&promotion["criticalGaps"], "skillKey"),
        ["content_creation"]
    );

    // Ned: a newer, lower self rating is shown, not counted.
    let ned = en("ned").await;
    let promotion = find(&ned, uo, "p3");
    assert_eq!(promotion["components"]["skills"], 100.0);
    assert!(
        promotion["strengths"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["newerSelfRating"].is_number())
    );

    // Ora: her own record of a certificate valid to 9999 opens no gate until HR verifies it.
    let ora_token = app.token("ora@example.com").await;
    let id = record_certification(&app, people.get("ora"), "cda_level_1", false).await;
    let ora = paths_in(&app, &ora_token, people.get("ora"), "en").await;
    let promotion = find(&ora, "data_operations", "p3");
    assert_eq!(promotion["verdict"], "NOT_READY");
    assert_eq!(promotion["blockers"][0]["actual"], "unverified");
    assert_eq!(
        first_action(promotion)["kind"],
        "GET_CERTIFICATION_VERIFIED"
    );
    assert_eq!(promotion["components"]["certifications"], 0.0);
    assert_eq!(promotion["nextActions"]["certificationsToStart"], json!([]));
    let zh = paths_in(&app, &ora_token, people.get("ora"), "zh-CN").await;
    check_explanation(find(&zh, "data_operations", "p3"), "zh-CN");
    verify_certification(&app, &id).await;
    let ora = paths_in(&app, &ora_token, people.get("ora"), "en").await;
    assert_eq!(find(&ora, "data_operations", "p3")["verdict"], "READY");

    // Who is ready? Only people whose best move is confirmed, critical skills met, gates met.
    let query = "query($f: ReadinessFilter) { promotionReadiness(filter: $f) { nodes { user { email } readiness ready verdict bestMove { roleKey levelKey } } } }";
    let ready = app
        .gql(Some(&boss), query, json!({"f": {"onlyReady": true}}))
        .await;
    let mut emails: Vec<String> = ready.data()["promotionReadiness"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["verdict"], "READY");
            r["user"]["email"].as_str().unwrap().to_owned()
        })
        .collect();
    emails.sort();
    assert_eq!(
        emails,
        ["ada", "ben", "fay", "kim", "max", "ned", "ora"].map(|n| format!("{n}@example.com"))
    );
    // The whole list: ready first, then blocked only by time (Dan), the
    // other not-ready ones, and those without evidence (Ivy, Jon) last.
    let all = app.gql(Some(&boss), query, json!({})).await;
    let all: Vec<(String, String)> = all.data()["promotionReadiness"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["user"]["email"].as_str().unwrap().to_owned(),
                r["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(all[7], (s("dan@example.com"), s("NOT_READY")), "{all:#?}");
    let tail: Vec<&str> = all[all.len() - 2..]
        .iter()
        .map(|(e, _)| e.as_str())
        .collect();
    assert_eq!(tail, ["ivy@example.com", "jon@example.com"]);
}

#[tokio::test]
async fn a_promotion_records_the_change_and_restarts_time_at_level() {
    let app = spawn_app().await;
    let people = seed(&app).await;
    let hr = app.token("hr@example.com").await;
    let fay = people.get("fay");
    let before = paths_in(&app, &hr, fay, "en").await;
    assert_eq!(before["monthsAtLevel"], 30);
    assert_eq!(find(&before, "user_operations", "p3")["verdict"], "READY");

    let promoted = app
        .gql(
            Some(&hr),
            "mutation($id: ID!) { updateUser(id: $id, input: {careerLevel: \"p3\"}) { careerLevel levelSince } }",
            json!({"id": fay.id.to_string()}),
        )
        .await;
    assert_eq!(
        promoted.data()["updateUser"],
        json!({"careerLevel": "p3", "levelSince": today().to_string()})
    );
    let history = app
        .gql(
            Some(&hr),
            "query($u: ID!) { positionHistory(userId: $u) { nodes { fromRole fromLevel toRole toLevel effectiveOn changedBy { email } } } }",
            json!({"u": fay.id.to_string()}),
        )
        .await;
    assert_eq!(
        history.data()["positionHistory"]["nodes"],
        json!([{"fromRole": "user_operations", "fromLevel": "p2", "toRole": "user_operations",
                "toLevel": "p3", "effectiveOn": today().to_string(), "changedBy": {"email": "hr@example.com"}}])
    );

    // Day one at p3: the next promotion's time gate is far away, and says when.
    let after = paths_in(&app, &hr, fay, "en").await;
    assert_eq!(after["monthsAtLevel"], 0);
    let next = find(&after, "user_operations", "p4");
    assert_eq!(next["verdict"], "NOT_READY");
    let opens = (today() + Months::new(24)).to_string();
    let time = next["blockers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["kind"] == "MIN_MONTHS")
        .unwrap();
    assert_eq!(
        (time["actual"].clone(), time["opensOn"].clone()),
        (json!("0"), json!(opens))
    );
    assert!(
        next["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "WAIT_UNTIL" && a["date"] == opens.as_str())
    );

    // Changing only her name records nothing; the person herself reads her history.
    let renamed = app
        .gql(
            Some(&hr),
            "mutation($id: ID!) { updateUser(id: $id, input: {name: \"Fay\"}) { levelSince } }",
            json!({"id": fay.id.to_string()}),
        )
        .await;
    assert_eq!(
        renamed.data()["updateUser"]["levelSince"],
        today().to_string()
    );
    let own = app.token("fay@example.com").await;
    let history = app
        .gql(
            Some(&own),
            "query($u: ID!) { positionHistory(userId: $u) { nodes { toLevel } } }",
            json!({"u": fay.id.to_string()}),
        )
        .await;
    assert_eq!(
        history.data()["positionHistory"]["nodes"],
        json!([{"toLevel": "p3"}])
    );
    let other = app.token("ada@example.com").await;
    let denied = app
        .gql(
            Some(&other),
            "query($u: ID!) { positionHistory(userId: $u) { nodes { toLevel } } }",
            json!({"u": fay.id.to_string()}),
        )
        .await;
    assert_eq!(denied.code(), "FORBIDDEN");
}

/// Two HR tabs promote the same person at once: one change is recorded, from
/// the old level. On PostgreSQL the person's row is locked for the change.
#[tokio::test]
async fn concurrent_promotions_record_one_change() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    for round in 0..8 {
        let who = placed(
            &app,
            &format!("p{round}@example.com"),
            Role::Employee,
            None,
            ("user_operations", "p2"),
            24,
        )
        .await;
        let promote = || {
            app.gql(
                Some(&hr),
                "mutation($id: ID!) { updateUser(id: $id, input: {careerLevel: \"p3\"}) { careerLevel } }",
                json!({"id": who.id.to_string()}),
            )
        };
        let (a, b) = tokio::join!(promote(), promote());
        assert_eq!(a.data()["updateUser"]["careerLevel"], "p3");
        assert_eq!(b.data()["updateUser"]["careerLevel"], "p3");
        let history = app
            .gql(
                Some(&hr),
                "query($u: ID!) { positionHistory(userId: $u) { nodes { fromLevel toLevel } } }",
                json!({"u": who.id.to_string()}),
            )
            .await;
        assert_eq!(
            history.data()["positionHistory"]["nodes"],
            json!([{"fromLevel": "p2", "toLevel": "p3"}]),
            "round {round}"
        );
    }
}

/// Unknown is not zero, and it can be found out: a manager may rate the
/// skills a person's next moves require, beyond their role; not others.
#[tokio::test]
async fn a_manager_rates_the_skills_of_a_move_beyond_the_role() {
    let app = spawn_app().await;
    let hr = app.person("hr@example.com", Role::Hr, None).await;
    let boss = placed(
        &app,
        "boss@example.com",
        Role::Manager,
        None,
        ("content_operations", "m2"),
        40,
    )
    .await;
    let max = placed(
        &app,
        "max@example.com",
        Role::Employee,
        Some(boss.id),
        ("content_operations", "p2"),
        24,
    )
    .await;
    let new = placed(
        &app,
        "new@example.com",
        Role::Employee,
        Some(boss.id),
        ("activity_operations", "p1"),
        3,
    )
    .await;
    let hr = actor(&app, &hr).await;
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
    assessment::advance_cycle(db, &skillpath::auth::policy::hr(&hr).unwrap(), cycle.id)
        .await
        .unwrap();
    let token = app.token("boss@example.com").await;
    let save = "mutation($c: ID!, $u: ID!, $r: [RatingInput!]!) { saveManagerAssessment(cycleId: $c, userId: $u, ratings: $r) { status } }";
    let community = json!([{"skill": "community_building", "level": 3}]);
    // Community operations is one of Max's next moves.
    let ok = app
        .gql(
            Some(&token),
            save,
            json!({"c": cycle.id.to_string(), "u": max.id.to_string(), "r": community}),
        )
        .await;
    assert_eq!(ok.data()["saveManagerAssessment"]["status"], "DRAFT");
    // An activity assistant's only move is promotion: community building is no skill of it.
    let refused = app
        .gql(
            Some(&token),
            save,
            json!({"c": cycle.id.to_string(), "u": new.id.to_string(), "r": community}),
        )
        .await;
    assert_eq!(refused.code(), "BAD_USER_INPUT");
    assert_eq!(
        refused.body["errors"][0]["extensions"]["problems"][0]["field"],
        "ratings[community_building]"
    );
}
