//! The audit trail over HTTP: every mutation in the schema leaves an entry
//! naming its caller and what changed; a refused one leaves none; HR and
//! admins read what their role allows; a person's history stays within
//! reach; and `skillpath audit verify` finds an edited or removed entry.

use std::collections::BTreeSet;

use chrono::{Days, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use serde_json::{Value, json};
use skillpath::auth::Role;

use crate::assessment::{ADVANCE, OPEN, SAVE_SELF, SUBMIT_MANAGER, SUBMIT_SELF, all_at, placed};
use crate::helpers::{DbId, PASSWORD, TestApp, gid, spawn_app, spawn_app_with};

const LOG: &str = "query($f: AuditFilter, $n: Int) { auditLog(filter: $f, first: $n) { totalCount edges { node { id action category via entity entityId actor { id } subject { id } changes { field from to erased } requestId clientAddress } } } }";

/// The mutations the schema has, from the exported SDL.
fn schema_mutations() -> BTreeSet<String> {
    let sdl = skillpath::graphql::sdl();
    let body = &sdl[sdl.find("type Mutation {").expect("a Mutation type")..];
    let body = &body[..body.find("\n}\n").expect("the end of Mutation")];
    let mut names = BTreeSet::new();
    let mut in_description = false;
    for line in body.lines().skip(1) {
        let trimmed = line.trim();
        if trimmed.starts_with("\"\"\"") {
            // A one-line description opens and closes on the same line.
            if !(trimmed.len() > 3 && trimmed.ends_with("\"\"\"")) {
                in_description = !in_description;
            }
            continue;
        }
        if in_description || !line.starts_with('\t') || line.starts_with("\t\t") {
            continue;
        }
        let name: String = trimmed
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !name.is_empty() {
            names.insert(name);
        }
    }
    names
}

/// Walks mutations one at a time, checking each left entries that name the
/// expected caller.
struct Walk<'a> {
    app: &'a TestApp,
    admin: String,
    newest: i64,
    covered: BTreeSet<String>,
}

impl<'a> Walk<'a> {
    async fn new(app: &'a TestApp, admin: String) -> Self {
        let mut walk = Walk {
            app,
            admin,
            newest: 0,
            covered: BTreeSet::new(),
        };
        walk.newest = walk.entries_since(0).await.first().map_or(0, id_of);
        walk
    }

    /// Entries written after `after`, newest first.
    async fn entries_since(&self, after: i64) -> Vec<Value> {
        let log = self
            .app
            .gql(Some(&self.admin), LOG, json!({"n": 500}))
            .await;
        log.data()["auditLog"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .filter(|n| id_of(n) > after)
            .collect()
    }

    /// Runs `mutation` (named `name` in the schema) as `token` and checks it
    /// left at least one entry, every one by `actor`, and (unless
    /// `fields_expected` is false) naming what changed.
    async fn step(
        &mut self,
        name: &str,
        token: Option<&str>,
        actor: Option<i64>,
        fields_expected: bool,
        mutation: &str,
        variables: Value,
    ) -> Value {
        let answer = self.app.gql(token, mutation, variables).await;
        let data = answer.data()[name].clone();
        let entries = self.entries_since(self.newest).await;
        assert!(!entries.is_empty(), "{name} left no audit entry");
        for entry in &entries {
            let by = Some(&entry["actor"]["id"])
                .filter(|v| v.is_string())
                .map(DbId::db_id);
            assert_eq!(by, actor, "{name}: wrong actor in {entry}");
            assert!(entry["requestId"].is_string(), "{name}: no request id");
        }
        if fields_expected {
            assert!(
                entries
                    .iter()
                    .any(|e| !e["changes"].as_array().unwrap().is_empty()),
                "{name} recorded no changed field: {entries:?}"
            );
        }
        self.newest = id_of(&entries[0]);
        self.covered.insert(name.to_owned());
        data
    }
}

fn id_of(entry: &Value) -> i64 {
    entry["id"].db_id()
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// The token in the newest mail to `email` that carries one.
async fn mailed_token(app: &TestApp, email: &str) -> String {
    #[derive(FromQueryResult)]
    struct Vars {
        vars: String,
    }
    let backend = app.state.db.get_database_backend();
    let rows = Vars::find_by_statement(Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DatabaseBackend::Postgres => {
                "SELECT vars FROM email_outbox WHERE recipient_email = $1 ORDER BY id DESC"
            }
            _ => "SELECT vars FROM email_outbox WHERE recipient_email = ? ORDER BY id DESC",
        },
        [email.into()],
    ))
    .all(&app.state.db)
    .await
    .unwrap();
    rows.iter()
        .filter_map(|r| {
            let vars: Value = serde_json::from_str(&r.vars).ok()?;
            let path = vars["path"].as_str()?.to_owned();
            let after = path.split("token=").nth(1)?;
            Some(after.split('&').next()?.to_owned())
        })
        .next()
        .expect("a mail with a token")
}

#[tokio::test]
async fn every_mutation_leaves_an_entry_naming_its_caller_and_what_changed() {
    let app = spawn_app().await;
    let admin = app.person("admin@example.com", Role::Admin, None).await;
    let hr = app.person("hr@example.com", Role::Hr, None).await;
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
    let peer = placed(&app, "peer@example.com", Role::Employee, None, None, "p2").await;
    let admin_token = app.token("admin@example.com").await;
    let hr_token = app.token("hr@example.com").await;
    let boss_token = app.token("boss@example.com").await;
    let ada_token = app.token("ada@example.com").await;
    let (a, h, b, d) = (
        Some(admin_token.as_str()),
        Some(hr_token.as_str()),
        Some(boss_token.as_str()),
        Some(ada_token.as_str()),
    );
    let mut walk = Walk::new(&app, admin_token.clone()).await;

    // Accounts and sessions.
    let login = walk
        .step("login", None, Some(peer.id), false,
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { refreshToken } }",
            json!({"e": "peer@example.com", "p": PASSWORD}))
        .await;
    let rotated = walk
        .step(
            "refreshToken",
            None,
            Some(peer.id),
            false,
            "mutation($t: String!) { refreshToken(token: $t) { refreshToken } }",
            json!({"t": login["refreshToken"]}),
        )
        .await;
    walk.step(
        "logout",
        None,
        Some(peer.id),
        false,
        "mutation($t: String!) { logout(refreshToken: $t) }",
        json!({"t": rotated["refreshToken"]}),
    )
    .await;
    walk.step(
        "requestPasswordReset",
        None,
        None,
        true,
        "mutation($e: String!) { requestPasswordReset(email: $e) }",
        json!({"e": "peer@example.com"}),
    )
    .await;
    let reset = mailed_token(&app, "peer@example.com").await;
    walk.step(
        "resetPassword",
        None,
        Some(peer.id),
        true,
        "mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) }",
        json!({"t": reset, "p": PASSWORD}),
    )
    .await;
    let invited = walk
        .step("inviteUser", h, Some(hr.id), true,
            "mutation { inviteUser(input: {email: \"new@example.com\", name: \"New Colleague\"}) { id } }",
            json!({}))
        .await;
    let invited_id: i64 = invited["id"].db_id();
    let invitation = mailed_token(&app, "new@example.com").await;
    walk.step("acceptInvitation", None, Some(invited_id), true,
        "mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { accessToken } }",
        json!({"t": invitation, "p": PASSWORD}))
        .await;
    let created = walk
        .step("createUser", h, Some(hr.id), true,
            "mutation { createUser(input: {email: \"made@example.com\", name: \"Made Here\"}) { id } }",
            json!({}))
        .await;
    walk.step(
        "updateUser",
        h,
        Some(hr.id),
        true,
        "mutation($id: ID!) { updateUser(id: $id, input: {name: \"Made Again\"}) { id } }",
        json!({"id": id(&created)}),
    )
    .await;
    let team = walk
        .step(
            "createTeam",
            h,
            Some(hr.id),
            true,
            "mutation { createTeam(input: {name: \"Growth\"}) { id } }",
            json!({}),
        )
        .await;
    walk.step(
        "updateTeam",
        h,
        Some(hr.id),
        true,
        "mutation($id: ID!) { updateTeam(id: $id, input: {name: \"Growth squad\"}) { id } }",
        json!({"id": id(&team)}),
    )
    .await;

    // The framework.
    let matrix = app
        .gql(
            a,
            "{ exportRoleMatrix(role: \"user_operations\") }",
            json!({}),
        )
        .await
        .data()["exportRoleMatrix"]
        .clone();
    walk.step(
        "createFrameworkDraft",
        a,
        Some(admin.id),
        false,
        "mutation { createFrameworkDraft { status } }",
        json!({}),
    )
    .await;
    walk.step("setSkillDescriptor", a, Some(admin.id), true,
        "mutation { setSkillDescriptor(skill: \"user_persona\", level: 3, text: {en: \"Builds personas from data\", zhCn: \"基于数据构建用户画像\"}) { status } }",
        json!({}))
        .await;
    walk.step("setSkillRequirement", a, Some(admin.id), true,
        "mutation { setSkillRequirement(role: \"user_operations\", level: \"p1\", skill: \"user_persona\", required: 4, weight: 3) { role { key } } }",
        json!({}))
        .await;
    // Importing the matrix exported before puts the requirement back.
    walk.step("importRoleMatrix", a, Some(admin.id), true,
        "mutation($csv: String!) { importRoleMatrix(role: \"user_operations\", csv: $csv) { role { key } } }",
        json!({"csv": matrix}))
        .await;
    walk.step("upsertKpi", h, Some(hr.id), true,
        "mutation { upsertKpi(family: \"business_metrics\", input: {key: \"gross_margin\", name: {en: \"Gross margin\", zhCn: \"毛利率\"}, description: {en: \"Gross profit over revenue.\", zhCn: \"毛利除以收入。\"}, unit: PERCENT, direction: HIGHER_IS_BETTER, aggregation: LAST}) { status } }",
        json!({}))
        .await;
    walk.step("upsertCertification", h, Some(hr.id), true,
        "mutation { upsertCertification(family: \"vendor\", input: {key: \"acme_analyst\", name: {en: \"ACME analyst\", zhCn: \"ACME 分析师\"}, issuer: {en: \"ACME\", zhCn: \"ACME\"}, description: {en: \"An analytics exam.\", zhCn: \"数据分析考试。\"}, validityMonths: 24, skills: [\"user_persona\"]}) { status } }",
        json!({}))
        .await;
    walk.step("upsertLearningResource", h, Some(hr.id), true,
        "mutation { upsertLearningResource(input: {key: \"course_acme\", title: {en: \"ACME basics\", zhCn: \"ACME 入门\"}, description: {en: \"A short course.\", zhCn: \"短课程。\"}, kind: COURSE_MODULE, hours: 4, skills: [\"user_persona\"]}) { status } }",
        json!({}))
        .await;
    walk.step(
        "retireLearningResource",
        h,
        Some(hr.id),
        true,
        "mutation { retireLearningResource(key: \"course_acme\") { status } }",
        json!({}),
    )
    .await;
    walk.step(
        "publishFrameworkDraft",
        a,
        Some(admin.id),
        true,
        "mutation { publishFrameworkDraft { status } }",
        json!({}),
    )
    .await;
    let document = app
        .gql(a, "{ exportFramework(format: JSON) }", json!({}))
        .await
        .data()["exportFramework"]
        .clone();
    let mut document: Value = serde_json::from_str(document.as_str().unwrap()).unwrap();
    document["name"]["en"] = json!("Operations framework (edited)");
    walk.step(
        "importFramework",
        a,
        Some(admin.id),
        true,
        "mutation($d: String!) { importFramework(document: $d, format: JSON) { status } }",
        json!({"d": document.to_string()}),
    )
    .await;
    walk.step(
        "discardFrameworkDraft",
        a,
        Some(admin.id),
        true,
        "mutation { discardFrameworkDraft }",
        json!({}),
    )
    .await;

    // An assessment cycle.
    let skills = crate::assessment::role_skills(&app, &hr_token).await;
    let opened = walk
        .step(
            "openAssessmentCycle",
            h,
            Some(hr.id),
            true,
            OPEN,
            json!({"input": {"name": "Audit cycle", "start": true}}),
        )
        .await;
    let cycle = id(&opened["cycle"]);
    walk.step(
        "saveSelfAssessment",
        d,
        Some(ada.id),
        true,
        SAVE_SELF,
        json!({"c": cycle, "r": all_at(&skills[..1], 2)}),
    )
    .await;
    walk.step(
        "submitSelfAssessment",
        d,
        Some(ada.id),
        true,
        SUBMIT_SELF,
        json!({"c": cycle, "r": all_at(&skills, 2)}),
    )
    .await;
    walk.step(
        "advanceAssessmentCycle",
        h,
        Some(hr.id),
        true,
        ADVANCE,
        json!({"id": cycle}),
    )
    .await;
    let about_ada = |r: Value| json!({"c": cycle, "u": ada.id.to_string(), "r": r});
    walk.step("requestPeerInput", b, Some(boss.id), true,
        "mutation($c: ID!, $u: ID!, $p: ID!) { requestPeerInput(cycleId: $c, userId: $u, peerId: $p) }",
        json!({"c": cycle, "u": ada.id.to_string(), "p": peer.id.to_string()}))
        .await;
    // The peer's password was reset above; they sign in again.
    let peer_token = app.token("peer@example.com").await;
    let p = Some(peer_token.as_str());
    walk.step("savePeerAssessment", p, Some(peer.id), true,
        "mutation($c: ID!, $u: ID!, $r: [RatingInput!]!) { savePeerAssessment(cycleId: $c, userId: $u, ratings: $r) { status } }",
        about_ada(all_at(&skills[..1], 3)))
        .await;
    walk.step("submitPeerAssessment", p, Some(peer.id), true,
        "mutation($c: ID!, $u: ID!, $r: [RatingInput!]!) { submitPeerAssessment(cycleId: $c, userId: $u, ratings: $r) { status } }",
        about_ada(all_at(&skills, 3)))
        .await;
    walk.step("saveManagerAssessment", b, Some(boss.id), true,
        "mutation($c: ID!, $u: ID!, $r: [RatingInput!]!) { saveManagerAssessment(cycleId: $c, userId: $u, ratings: $r) { status } }",
        about_ada(all_at(&skills[..1], 2)))
        .await;
    walk.step(
        "submitManagerAssessment",
        b,
        Some(boss.id),
        true,
        SUBMIT_MANAGER,
        about_ada(all_at(&skills, 2)),
    )
    .await;

    // KPI targets and actuals.
    let period = "2026-Q4";
    let set = walk
        .step("setPerformanceTargets", b, Some(boss.id), true,
            "mutation($u: ID!, $p: String!) { setPerformanceTargets(userId: $u, period: $p, targets: [{kpi: \"new_users\", weight: 100, target: 10}]) { id } }",
            json!({"u": ada.id.to_string(), "p": period}))
        .await;
    walk.step("setPerformanceTarget", b, Some(boss.id), true,
        "mutation($u: ID!, $p: String!) { setPerformanceTarget(userId: $u, period: $p, target: {kpi: \"new_users\", weight: 100, target: 12}) { id } }",
        json!({"u": ada.id.to_string(), "p": period}))
        .await;
    walk.step("commentOnPerformanceTarget", d, Some(ada.id), true,
        "mutation($t: ID!) { commentOnPerformanceTarget(targetId: $t, body: \"Twelve is a stretch\") { id } }",
        json!({"t": id(&set[0])}))
        .await;
    walk.step("recordKpiActual", b, Some(boss.id), true,
        "mutation($u: ID!, $p: String!) { recordKpiActual(userId: $u, period: $p, kpi: \"new_users\", value: 5) { value } }",
        json!({"u": ada.id.to_string(), "p": period}))
        .await;
    walk.step(
        "importKpiActuals",
        b,
        Some(boss.id),
        true,
        "mutation($csv: String!) { importKpiActuals(csv: $csv) }",
        json!({"csv": format!("email,period,kpi,value\nada@example.com,{period},new_users,4\n")}),
    )
    .await;
    walk.step("removePerformanceTarget", b, Some(boss.id), true,
        "mutation($u: ID!, $p: String!) { removePerformanceTarget(userId: $u, period: $p, kpi: \"new_users\") }",
        json!({"u": ada.id.to_string(), "p": period}))
        .await;

    // Certifications.
    let today = Utc::now().date_naive();
    let record = walk
        .step("recordCertification", d, Some(ada.id), true,
            "mutation($i: RecordCertificationInput!) { recordCertification(input: $i) { id } }",
            json!({"i": {"certification": "google_analytics_certification", "targetOn": (today + Days::new(90)).to_string()}}))
        .await;
    walk.step("updateCertificationProgress", d, Some(ada.id), true,
        "mutation($r: ID!, $on: Date!) { updateCertificationProgress(recordId: $r, input: {status: EARNED, earnedOn: $on}) { id } }",
        json!({"r": id(&record), "on": today.to_string()}))
        .await;
    walk.step(
        "verifyCertification",
        h,
        Some(hr.id),
        true,
        "mutation($r: ID!) { verifyCertification(recordId: $r) { id } }",
        json!({"r": id(&record)}),
    )
    .await;
    walk.step(
        "withdrawCertification",
        d,
        Some(ada.id),
        true,
        "mutation($r: ID!) { withdrawCertification(recordId: $r) { id } }",
        json!({"r": id(&record)}),
    )
    .await;
    walk.step(
        "runCertificationReminders",
        h,
        Some(hr.id),
        true,
        "mutation { runCertificationReminders }",
        json!({}),
    )
    .await;

    // A development plan.
    let due = (today + Days::new(60)).to_string();
    let plan = walk
        .step("createDevelopmentPlan", b, Some(boss.id), true,
            "mutation($u: ID!) { createDevelopmentPlan(userId: $u, target: {role: \"user_operations\", level: \"p3\"}) { id revision } }",
            json!({"u": ada.id.to_string()}))
        .await;
    let with_goal = walk
        .step("addDevelopmentGoals", b, Some(boss.id), true,
            "mutation($p: ID!, $g: [DevelopmentGoalInput!]!) { addDevelopmentGoals(planId: $p, goals: $g) { revision goals { id } } }",
            json!({"p": id(&plan), "g": [{"kind": "STRETCH_ASSIGNMENT", "title": "Run the Q1 retention campaign", "skill": "retention_incentives", "requiredLevel": 3, "dueOn": due}]}))
        .await;
    let goal = id(&with_goal["goals"][0]);
    let edited = walk
        .step("editDevelopmentGoal", b, Some(boss.id), true,
            "mutation($g: ID!) { editDevelopmentGoal(goalId: $g, title: \"Run the spring retention campaign\") { revision } }",
            json!({"g": goal}))
        .await;
    walk.step(
        "setDevelopmentGoalStatus",
        d,
        Some(ada.id),
        true,
        "mutation($g: ID!) { setDevelopmentGoalStatus(goalId: $g, status: IN_PROGRESS) { id } }",
        json!({"g": goal}),
    )
    .await;
    walk.step("addGoalEvidence", d, Some(ada.id), true,
        "mutation($g: ID!) { addGoalEvidence(goalId: $g, kind: NOTE, note: \"Drafted the plan\") { id } }",
        json!({"g": goal}))
        .await;
    walk.step(
        "agreeDevelopmentPlan",
        d,
        Some(ada.id),
        true,
        "mutation($p: ID!, $r: Int!) { agreeDevelopmentPlan(planId: $p, revision: $r) { id } }",
        json!({"p": id(&plan), "r": edited["revision"]}),
    )
    .await;
    walk.step("recordCheckIn", b, Some(boss.id), true,
        "mutation($p: ID!, $on: Date!) { recordCheckIn(planId: $p, heldOn: $on, notes: \"On track\") { id } }",
        json!({"p": id(&plan), "on": today.to_string()}))
        .await;
    walk.step(
        "closeDevelopmentPlan",
        b,
        Some(boss.id),
        true,
        "mutation($p: ID!) { closeDevelopmentPlan(planId: $p) { id } }",
        json!({"p": id(&plan)}),
    )
    .await;
    walk.step(
        "createDevelopmentPlanFromAdvice",
        b,
        Some(boss.id),
        true,
        "mutation($u: ID!) { createDevelopmentPlanFromAdvice(userId: $u) { id } }",
        json!({"u": ada.id.to_string()}),
    )
    .await;
    walk.step(
        "runDevelopmentReminders",
        h,
        Some(hr.id),
        true,
        "mutation { runDevelopmentReminders }",
        json!({}),
    )
    .await;

    // Imports and downloads.
    walk.step(
        "importPeople",
        h,
        Some(hr.id),
        true,
        "mutation($d: String!) { importPeople(document: $d) { applied } }",
        json!({"d": "email,name\nimported@example.com,Imported Person\n"}),
    )
    .await;
    walk.step(
        "downloadLink",
        h,
        Some(hr.id),
        true,
        "mutation { downloadLink(path: \"/exports/people?format=csv\") { url } }",
        json!({}),
    )
    .await;

    walk.step("moveInTalentReview", h, Some(hr.id), true,
        "mutation($u: ID!) { moveInTalentReview(period: \"2026-Q4\", userId: $u, performance: HIGH, potential: MEDIUM, reason: \"Carried the launch alone\") { reason } }",
        json!({"u": ada.id.to_string()}))
        .await;

    walk.step(
        "setMaturityTarget",
        h,
        Some(hr.id),
        true,
        "mutation { setMaturityTarget(area: \"community\", level: 4) { areaKey level } }",
        json!({}),
    )
    .await;

    // A departed person is erased (their account deactivated first).
    app.gql(
        h,
        "mutation($id: ID!) { updateUser(id: $id, input: {active: false}) { id } }",
        json!({"id": id(&created)}),
    )
    .await
    .data();
    walk.step("erasePerson", h, Some(hr.id), true,
        "mutation($u: ID!) { erasePerson(userId: $u, reason: \"Left in May; asked to be forgotten\") { rowsChanged } }",
        json!({"u": id(&created)}))
        .await;

    let missing: Vec<String> = schema_mutations()
        .difference(&walk.covered)
        .cloned()
        .collect();
    assert!(
        missing.is_empty(),
        "mutations this walk does not run (audit them and add a step): {missing:?}"
    );
}

#[tokio::test]
async fn a_refused_mutation_leaves_no_entry_and_readers_see_what_their_role_allows() {
    let app = spawn_app().await;
    app.person("admin@example.com", Role::Admin, None).await;
    let hr = app.person("hr@example.com", Role::Hr, None).await;
    let boss = app.person("boss@example.com", Role::Manager, None).await;
    let ada = app
        .person("ada@example.com", Role::Employee, Some(boss.id))
        .await;
    let admin = app.token("admin@example.com").await;
    let hr_token = app.token("hr@example.com").await;
    let boss_token = app.token("boss@example.com").await;
    let ada_token = app.token("ada@example.com").await;
    let total = |token: String| {
        let app = &app;
        async move {
            app.gql(Some(&token), LOG, json!({"n": 1})).await.data()["auditLog"]["totalCount"]
                .as_i64()
                .unwrap()
        }
    };
    let before = total(admin.clone()).await;
    // Bad input: an update naming its own reporting cycle.
    let refused = app
        .gql(
            Some(&hr_token),
            "mutation($id: ID!, $m: ID!) { updateUser(id: $id, input: {managerId: $m, name: \"X\"}) { id } }",
            json!({"id": boss.id.to_string(), "m": ada.id.to_string()}),
        )
        .await;
    assert_eq!(refused.code(), "BAD_USER_INPUT", "{}", refused.message());
    // Not allowed: an employee creating a team.
    let forbidden = app
        .gql(
            Some(&ada_token),
            "mutation { createTeam(input: {name: \"Mine\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(forbidden.code(), "FORBIDDEN");
    assert_eq!(
        total(admin.clone()).await,
        before,
        "a refused change left an entry"
    );

    // A failed login is a security event: admins see it, HR does not.
    app.login_with("ada@example.com", "not her password").await;
    let failures = json!({"f": {"action": "auth.login_failed"}, "n": 10});
    let seen_by_admin = app.gql(Some(&admin), LOG, failures.clone()).await;
    let node = &seen_by_admin.data()["auditLog"]["edges"][0]["node"];
    assert_eq!(node["category"], "SECURITY");
    assert_eq!(node["subject"]["id"], gid("User", ada.id));
    assert_eq!(node["actor"], Value::Null);
    assert!(node["clientAddress"].is_string(), "admins see the address");
    let seen_by_hr = app.gql(Some(&hr_token), LOG, failures).await;
    assert_eq!(seen_by_hr.data()["auditLog"]["totalCount"], 0);
    // Managers and employees do not read the organisation's trail.
    for token in [&boss_token, &ada_token] {
        let refused = app.gql(Some(token), LOG, json!({"n": 1})).await;
        assert_eq!(refused.code(), "FORBIDDEN");
    }

    // A change HR makes shows in the person's history, for them, their
    // manager and HR, with the fields it changed.
    app.gql(
        Some(&hr_token),
        "mutation($id: ID!) { updateUser(id: $id, input: {name: \"Ada Lovelace\"}) { id } }",
        json!({"id": ada.id.to_string()}),
    )
    .await
    .data();
    let history = "query($u: ID!) { user(id: $u) { history(first: 20) { edges { node { action category actor { id } changes { field from to } } } } } }";
    for token in [&ada_token, &boss_token, &hr_token] {
        let seen = app
            .gql(Some(token), history, json!({"u": ada.id.to_string()}))
            .await;
        let edges = seen.data()["user"]["history"]["edges"]
            .as_array()
            .unwrap()
            .clone();
        let update = edges
            .iter()
            .map(|e| &e["node"])
            .find(|n| n["action"] == "user.update")
            .expect("the update in the history");
        assert_eq!(update["actor"]["id"], gid("User", hr.id));
        assert_eq!(
            update["changes"],
            json!([{"field": "name", "from": "ada", "to": "Ada Lovelace"}])
        );
        // Only Ada sees her own security events (the failed login).
        let security = edges.iter().any(|e| e["node"]["category"] == "SECURITY");
        assert_eq!(security, *token == ada_token);
    }
    let outsider = app.person("out@example.com", Role::Employee, None).await;
    let out_token = app.token("out@example.com").await;
    let refused = app
        .gql(Some(&out_token), history, json!({"u": ada.id.to_string()}))
        .await;
    assert_eq!(refused.code(), "FORBIDDEN", "{}", outsider.id);
}

/// Runs `skillpath audit …` on the app's database, as an operator would;
/// whether it succeeded, and what it printed.
async fn audit_command(app: &TestApp, args: &[&str]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let secret = app
        .settings
        .token_secret
        .as_ref()
        .expect("tests set a secret");
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_skillpath"))
        .arg("audit")
        .args(args)
        .current_dir(dir.path())
        .env("DATABASE_URL", &app.settings.database_url)
        .env("SKILLPATH_TOKEN_SECRET", secret.expose())
        .env("SKILLPATH_LOAD_DEFAULT_FRAMEWORK", "false")
        .env_remove("SKILLPATH_ADMIN_EMAIL")
        .env_remove("SKILLPATH_ADMIN_PASSWORD")
        .output()
        .await
        .expect("run skillpath audit");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

/// `skillpath audit verify`: whether the trail verifies, and what it said.
pub async fn verify(app: &TestApp) -> (bool, String) {
    audit_command(app, &["verify"]).await
}

async fn execute(app: &TestApp, sql: &str) {
    app.state
        .db
        .execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[tokio::test]
async fn verify_finds_an_edited_and_a_removed_entry() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    for name in ["One", "Two", "Three", "Four"] {
        app.gql(
            Some(&hr),
            "mutation($n: String!) { createTeam(input: {name: $n}) { id } }",
            json!({"n": name}),
        )
        .await
        .data();
    }
    let (intact, said) = verify(&app).await;
    assert!(intact, "{said}");
    assert!(said.contains("intact"), "{said}");

    // The database itself refuses edits and removals.
    let postgres = app.state.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    let team_entries = "SELECT id FROM audit_entries WHERE action = 'team.create' ORDER BY id";
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let ids: Vec<i64> = Id::find_by_statement(Statement::from_string(
        app.state.db.get_database_backend(),
        team_entries,
    ))
    .all(&app.state.db)
    .await
    .unwrap()
    .into_iter()
    .map(|r| r.id)
    .collect();
    let edit = format!(
        "UPDATE audit_entries SET changes = REPLACE(changes, 'Two', 'Deux') WHERE id = {}",
        ids[1]
    );
    assert!(app.state.db.execute_unprepared(&edit).await.is_err());
    let remove = format!("DELETE FROM audit_entries WHERE id = {}", ids[2]);
    assert!(app.state.db.execute_unprepared(&remove).await.is_err());

    // Someone with the database's own rights goes round the guards.
    if postgres {
        execute(
            &app,
            "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_guard",
        )
        .await;
    } else {
        execute(&app, "DROP TRIGGER audit_entries_append_only").await;
        execute(&app, "DROP TRIGGER audit_entries_pruned_only").await;
    }
    execute(&app, &edit).await;
    let (intact, said) = verify(&app).await;
    assert!(!intact);
    assert!(
        said.contains(&format!("entry {} was changed", ids[1])),
        "{said}"
    );
    execute(&app, &remove).await;
    let (intact, said) = verify(&app).await;
    assert!(!intact);
    assert!(
        said.contains(&format!("entry {} does not follow", ids[3])),
        "{said}"
    );
}

#[tokio::test]
async fn the_trail_downloads_as_a_file_within_the_readers_reach() {
    use crate::exports::{csv_of, get};
    let app = spawn_app().await;
    app.person("admin@example.com", Role::Admin, None).await;
    app.person("hr@example.com", Role::Hr, None).await;
    app.person("ada@example.com", Role::Employee, None).await;
    let admin = app.token("admin@example.com").await;
    let hr = app.token("hr@example.com").await;
    let ada = app.token("ada@example.com").await;
    for name in ["North", "South"] {
        app.gql(
            Some(&hr),
            "mutation($n: String!) { createTeam(input: {name: $n}) { id } }",
            json!({"n": name}),
        )
        .await
        .data();
    }
    let (header, rows) =
        csv_of(get(&app, Some(&admin), "/exports/audit-log?format=csv").await).await;
    assert_eq!(header[4], "action");
    let actions: Vec<&str> = rows.iter().map(|r| r[4].as_str()).collect();
    assert!(
        actions.contains(&"auth.login"),
        "admins get security events: {actions:?}"
    );
    assert!(
        rows.iter().any(|r| !r[11].is_empty()),
        "admins get addresses"
    );
    let (_, teams) = csv_of(
        get(
            &app,
            Some(&hr),
            "/exports/audit-log?format=csv&action=team.create",
        )
        .await,
    )
    .await;
    assert_eq!(teams.len(), 2);
    assert!(
        teams[0][9].contains("South"),
        "newest first: {:?}",
        teams[0]
    );
    let (_, seen_by_hr) = csv_of(get(&app, Some(&hr), "/exports/audit-log?format=csv").await).await;
    assert!(
        seen_by_hr
            .iter()
            .all(|r| r[5] == "change" && r[11].is_empty())
    );
    assert_eq!(
        get(&app, Some(&ada), "/exports/audit-log").await.status(),
        403
    );
    let bad = get(&app, Some(&hr), "/exports/audit-log?from=yesterday").await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn pruning_removes_old_entries_records_itself_and_the_rest_still_verifies() {
    let app = spawn_app().await;
    app.person("admin@example.com", Role::Admin, None).await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let team = "mutation($n: String!) { createTeam(input: {name: $n}) { id } }";
    app.gql(Some(&hr), team, json!({"n": "Old"})).await.data();
    let (pruned, said) = audit_command(&app, &["prune", "--older-than-days", "0"]).await;
    assert!(pruned, "{said}");
    app.gql(Some(&hr), team, json!({"n": "New"})).await.data();

    let admin = app.token("admin@example.com").await;
    let log = app.gql(Some(&admin), LOG, json!({"n": 50})).await;
    let actions: Vec<String> = log.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(!actions.contains(&"user.create".to_owned()), "{actions:?}");
    let prune = log.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["action"] == "audit.prune")
        .expect("the pruning is itself an entry")
        .clone();
    assert_eq!(prune["via"], "cli:audit-prune");
    let removed = prune["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "removed")
        .unwrap()["to"]
        .as_i64()
        .unwrap();
    assert!(said.contains(&format!("{removed} entries")), "{said}");
    assert!(removed >= 3, "{removed}");
    let (intact, said) = verify(&app).await;
    assert!(intact, "{said}");
}

#[tokio::test]
async fn the_housekeeping_job_prunes_entries_once_the_retention_period_has_passed() {
    let app = spawn_app_with(|s| s.audit_retention_days = Some(30)).await;
    app.person("admin@example.com", Role::Admin, None).await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let team = "mutation($n: String!) { createTeam(input: {name: $n}) { id } }";
    app.gql(Some(&hr), team, json!({"n": "Old"})).await.data();
    let admin = app.token("admin@example.com").await;
    let written =
        app.gql(Some(&admin), LOG, json!({"n": 1})).await.data()["auditLog"]["totalCount"]
            .as_u64()
            .unwrap();
    assert_eq!(
        app.run_housekeeping().await.audit_entries_pruned,
        0,
        "nothing is thirty days old yet"
    );
    // A month on by the server's clock, the job finds them old enough.
    app.clock.advance(chrono::Duration::days(31));
    assert_eq!(app.run_housekeeping().await.audit_entries_pruned, written);
    app.gql(Some(&hr), team, json!({"n": "New"})).await.data();

    let log = app.gql(Some(&admin), LOG, json!({"n": 50})).await;
    let nodes: Vec<Value> = log.data()["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    let actions: Vec<&str> = nodes
        .iter()
        .map(|n| n["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["team.create", "audit.prune"], "newest first");
    assert_eq!(nodes[1]["via"], "job:housekeeping");
    let (intact, said) = verify(&app).await;
    assert!(intact, "{said}");
}

#[tokio::test]
async fn role_changes_and_refresh_token_reuse_are_security_events() {
    let app = spawn_app().await;
    app.person("admin@example.com", Role::Admin, None).await;
    app.person("hr@example.com", Role::Hr, None).await;
    let ada = app.person("ada@example.com", Role::Employee, None).await;
    let admin_token = app.token("admin@example.com").await;
    let hr = app.token("hr@example.com").await;
    app.gql(
        Some(&hr),
        "mutation($id: ID!) { updateUser(id: $id, input: {role: MANAGER}) { id } }",
        json!({"id": ada.id.to_string()}),
    )
    .await
    .data();
    let session = app.login("ada@example.com").await;
    let refresh = "mutation($t: String!) { refreshToken(token: $t) { refreshToken } }";
    let first = json!({"t": session["refreshToken"]});
    app.gql(None, refresh, first.clone()).await.data();
    let reused = app.gql(None, refresh, first).await;
    assert_eq!(reused.code(), "UNAUTHENTICATED");

    let security = |action: &str| {
        let app = &app;
        let admin_token = admin_token.clone();
        let filter = json!({"f": {"action": action}, "n": 10});
        async move {
            let log = app.gql(Some(&admin_token), LOG, filter).await;
            log.data()["auditLog"]["edges"].as_array().unwrap().clone()
        }
    };
    let role = security("auth.role_change").await;
    let role = role
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["subject"]["id"].db_id() == ada.id)
        .expect("the role change");
    assert_eq!(role["category"], "SECURITY");
    assert_eq!(
        role["changes"],
        json!([{"field": "role", "from": "EMPLOYEE", "to": "MANAGER", "erased": false}])
    );
    let reuse = security("auth.token_reuse").await;
    assert_eq!(reuse.len(), 1);
    assert_eq!(reuse[0]["node"]["subject"]["id"].db_id(), ada.id);
    assert_eq!(reuse[0]["node"]["category"], "SECURITY");
}

/// Many writers committing at once (two tabs, two replicas) must still
/// chain each entry to exactly one predecessor: on PostgreSQL the trail's
/// lock orders them; without it two entries would share a predecessor and
/// verify would name the fork.
#[tokio::test]
async fn concurrent_writers_leave_one_unbroken_chain() {
    let app = spawn_app().await;
    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let postgres = std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty());
    let (rounds, writers) = if postgres { (10, 12) } else { (2, 6) };
    let create = "mutation($n: String!) { createTeam(input: {name: $n}) { id } }";
    for round in 0..rounds {
        let writes = (0..writers).map(|i| {
            let app = &app;
            let hr = &hr;
            async move {
                app.gql(Some(hr), create, json!({"n": format!("Team {round}-{i}")}))
                    .await
                    .data()
                    .clone()
            }
        });
        futures::future::join_all(writes).await;
    }
    let teams = app
        .gql(
            Some(&hr),
            LOG,
            json!({"f": {"action": "team.create"}, "n": 1}),
        )
        .await;
    assert_eq!(
        teams.data()["auditLog"]["totalCount"],
        rounds * writers,
        "one entry per write"
    );
    let (intact, said) = verify(&app).await;
    assert!(intact, "{said}");
}
