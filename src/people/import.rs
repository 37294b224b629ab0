//! Loading the organisation from an HR system's file: every row is checked
//! against the database and the framework first, a plan of changes is made,
//! and the plan is applied in one transaction, or nothing is. The plan is a
//! pure function of the file and a snapshot, so a dry run answers exactly
//! what the real run does, and the same file twice plans nothing.
//!
//! People are recognised by employee id when the file gives one, else by
//! email. Teams are given as paths (`运营中心/用户运营/社群组`) and created as
//! needed; managers by email or employee id, in the file or already known.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::import_file::{Column, PeopleFile, RawRow};
use super::{Email, parse_team_name};
use crate::audit::{self, Change};
use crate::auth::policy::AccountAdmin;
use crate::auth::{Actor, Locale, Role};
use crate::db::{
    self,
    entities::{team, user},
};
use crate::error::{Error, Problem, Problems, Result};
use crate::framework::{Framework, check_position};

/// What the caller asks for besides the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    pub dry_run: bool,
    /// Deactivate active people the file does not list (admins and the
    /// caller excepted).
    pub deactivate_missing: bool,
    /// Queue an invitation for each person created.
    pub invite: bool,
}

/// One problem with one row of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub row: usize,
    pub column: &'static str,
    pub message: String,
}

impl RowProblem {
    fn problem(&self) -> Problem {
        Problem::new(format!("row {} {}", self.row, self.column), &self.message)
    }
}

/// What an import changes (or, on a dry run, would change), by email.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub applied: bool,
    pub rows: usize,
    pub created: Vec<String>,
    /// Details changed (name, role, position, language, reactivation).
    pub updated: Vec<String>,
    /// Team or manager changed (possibly with other details).
    pub moved: Vec<String>,
    pub deactivated: Vec<String>,
    pub unchanged: usize,
    pub teams_created: Vec<String>,
    pub invited: usize,
    pub problems: Vec<RowProblem>,
}

/// A row that passed its own checks.
#[derive(Debug, Clone)]
struct Row {
    /// Its place among the rows that parsed (`Who::New` points here).
    index: usize,
    line: usize,
    employee_id: Option<String>,
    email: String,
    name: String,
    team: Option<String>,
    manager: Option<String>,
    job_role: Option<String>,
    career_level: Option<String>,
    level_since: Option<NaiveDate>,
    locale: Option<Locale>,
    role: Role,
}

/// Who a row or a manager reference means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Who {
    Known(i64),
    /// The row at this index of the file will create them.
    New(usize),
}

/// The state the plan is made against.
struct Snapshot {
    users: Vec<user::Model>,
    by_email: HashMap<String, usize>,
    by_employee_id: HashMap<String, usize>,
    by_id: HashMap<i64, usize>,
    /// Full path (`a/b/c`) → team id.
    teams: HashMap<String, i64>,
}

async fn snapshot(db: &impl ConnectionTrait) -> Result<Snapshot> {
    let users = user::Entity::find()
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?;
    let by_email = users
        .iter()
        .enumerate()
        .map(|(i, u)| (u.email.clone(), i))
        .collect();
    let by_employee_id = users
        .iter()
        .enumerate()
        .filter_map(|(i, u)| u.employee_id.clone().map(|e| (e, i)))
        .collect();
    let user_index = users.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let rows = team::Entity::find()
        .order_by_asc(team::Column::Id)
        .all(db)
        .await?;
    let by_id: HashMap<i64, &team::Model> = rows.iter().map(|t| (t.id, t)).collect();
    let mut teams = HashMap::new();
    for t in &rows {
        let mut names = vec![t.name.as_str()];
        let mut parent = t.parent_id;
        // Bounded walk: a cycle in bad data cannot hang the import.
        while let Some(p) = parent.and_then(|p| by_id.get(&p))
            && names.len() < 64
        {
            names.push(&p.name);
            parent = p.parent_id;
        }
        names.reverse();
        // Two sibling teams with one name: the older one is meant.
        teams.entry(names.join("/")).or_insert(t.id);
    }
    Ok(Snapshot {
        users,
        by_email,
        by_employee_id,
        by_id: user_index,
        teams,
    })
}

/// A team path with its parts trimmed, or a message saying what is wrong.
fn parse_team_path(raw: &str) -> std::result::Result<String, String> {
    let parts: Vec<String> = raw
        .split('/')
        .map(|p| parse_team_name(p).map_err(|e| format!("team {raw:?}: {e}")))
        .collect::<std::result::Result<_, _>>()?;
    Ok(parts.join("/"))
}

fn parse_role(raw: Option<&str>) -> std::result::Result<Role, String> {
    let Some(raw) = raw else {
        return Ok(Role::Employee);
    };
    let role = match raw {
        "员工" => Role::Employee,
        "经理" => Role::Manager,
        "人力资源" => Role::Hr,
        _ => Role::from_str(raw)?,
    };
    if role == Role::Admin {
        return Err("admins are not imported: give them their role by hand".into());
    }
    Ok(role)
}

fn parse_date(raw: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(raw, f).ok())
}

/// The checks one row can fail on its own.
fn parse_row(raw: &RawRow, fw: &Framework, problems: &mut Vec<RowProblem>) -> Option<Row> {
    let before = problems.len();
    let mut bad = |column: Column, message: String| {
        problems.push(RowProblem {
            row: raw.line,
            column: column.header(),
            message,
        })
    };
    let email = match raw.get(Column::Email).map(Email::parse) {
        None => {
            bad(Column::Email, "is required".into());
            None
        }
        Some(Err(e)) => {
            bad(Column::Email, strip_field(e));
            None
        }
        Some(Ok(e)) => Some(e.as_str().to_owned()),
    };
    let name = raw.get(Column::Name).unwrap_or_default().to_owned();
    if name.is_empty() {
        bad(Column::Name, "is required".into());
    } else if name.chars().count() > 200 {
        bad(Column::Name, "must be at most 200 characters".into());
    }
    let employee_id = raw.get(Column::EmployeeId).map(str::to_owned);
    if employee_id.as_ref().is_some_and(|e| e.chars().count() > 64) {
        bad(Column::EmployeeId, "must be at most 64 characters".into());
    }
    let team = match raw.get(Column::Team).map(parse_team_path).transpose() {
        Ok(t) => t,
        Err(e) => {
            bad(Column::Team, e);
            None
        }
    };
    let role = parse_role(raw.get(Column::Role))
        .map_err(|e| bad(Column::Role, e))
        .ok();
    let locale = match raw.get(Column::Locale) {
        None => None,
        Some(tag) => match Locale::from_tag(tag) {
            Some(l) => Some(l),
            None => {
                bad(
                    Column::Locale,
                    format!("unknown language {tag:?}: expected en or zh-CN"),
                );
                None
            }
        },
    };
    let level_since = match raw.get(Column::LevelSince) {
        None => None,
        Some(d) => match parse_date(d) {
            Some(d) => Some(d),
            None => {
                bad(
                    Column::LevelSince,
                    format!("{d:?} is not a date (YYYY-MM-DD)"),
                );
                None
            }
        },
    };
    let job_role = raw.get(Column::JobRole).map(str::to_owned);
    let career_level = raw.get(Column::CareerLevel).map(str::to_owned);
    if let Err(Error::Invalid(list)) =
        check_position(fw, job_role.as_deref(), career_level.as_deref())
    {
        for p in list {
            let column = if p.field == "jobRole" {
                Column::JobRole
            } else {
                Column::CareerLevel
            };
            bad(column, p.message);
        }
    }
    if problems.len() > before {
        return None;
    }
    Some(Row {
        index: 0,
        line: raw.line,
        employee_id,
        email: email?,
        name,
        team,
        manager: raw.get(Column::Manager).map(str::to_owned),
        job_role,
        career_level,
        level_since,
        locale,
        role: role?,
    })
}

fn strip_field(err: Error) -> String {
    match err {
        Error::Invalid(list) => list
            .into_iter()
            .map(|p| p.message)
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// A change to an existing account; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
struct Update {
    user_id: i64,
    name: Option<String>,
    role: Option<Role>,
    team: Option<Option<TeamRef>>,
    manager: Option<Option<Who>>,
    job_role: Option<Option<String>>,
    career_level: Option<Option<String>>,
    level_since: Option<Option<NaiveDate>>,
    locale: Option<Locale>,
    employee_id: Option<String>,
    email: Option<String>,
    reactivate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TeamRef {
    Known(i64),
    /// Created by this import, by path.
    New(String),
}

/// Everything an import will do, decided before anything is written.
#[derive(Debug, Default)]
struct Plan {
    report: ImportReport,
    new_teams: Vec<String>,
    creates: Vec<(Row, Option<TeamRef>, Option<Who>)>,
    updates: Vec<Update>,
    deactivate: Vec<i64>,
}

fn plan(
    file: &PeopleFile,
    snap: &Snapshot,
    fw: &Framework,
    actor: &Actor,
    options: ImportOptions,
) -> Plan {
    let mut problems = Vec::new();
    let mut rows: Vec<Row> = file
        .rows
        .iter()
        .filter_map(|r| parse_row(r, fw, &mut problems))
        .collect();
    for (i, row) in rows.iter_mut().enumerate() {
        row.index = i;
    }

    // Who each row is, and no one twice.
    let mut who: Vec<Option<Who>> = Vec::with_capacity(rows.len());
    let mut seen_email: HashMap<&str, usize> = HashMap::new();
    let mut seen_eid: HashMap<&str, usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let mut bad = |column: Column, message: String| {
            problems.push(RowProblem {
                row: row.line,
                column: column.header(),
                message,
            })
        };
        if let Some(first) = seen_email.insert(&row.email, row.line) {
            bad(Column::Email, format!("already given on row {first}"));
        }
        if let Some(eid) = &row.employee_id
            && let Some(first) = seen_eid.insert(eid, row.line)
        {
            bad(Column::EmployeeId, format!("already given on row {first}"));
        }
        let by_eid = row
            .employee_id
            .as_ref()
            .and_then(|e| snap.by_employee_id.get(e));
        let by_email = snap.by_email.get(&row.email);
        let matched = match (by_eid, by_email) {
            (Some(a), Some(b)) if a != b => {
                bad(
                    Column::Email,
                    format!(
                        "belongs to another person than employee id {}",
                        row.employee_id.as_deref().unwrap_or_default()
                    ),
                );
                None
            }
            (Some(a), _) => Some(Who::Known(snap.users[*a].id)),
            (None, Some(b)) => {
                let existing = &snap.users[*b];
                match (&existing.employee_id, &row.employee_id) {
                    (Some(theirs), Some(given)) if theirs != given => {
                        bad(
                            Column::EmployeeId,
                            format!("{} already has employee id {theirs}", row.email),
                        );
                        None
                    }
                    _ => Some(Who::Known(existing.id)),
                }
            }
            (None, None) => Some(Who::New(i)),
        };
        if let Some(Who::Known(id)) = matched
            && let Some(existing) = snap.by_id.get(&id).map(|i| &snap.users[*i])
            && existing.role == Role::Admin.as_str()
        {
            bad(
                Column::Role,
                "this is an admin account: admins are not managed by import".into(),
            );
        }
        who.push(matched);
    }

    // Managers, resolved in the file first, then among known people.
    let file_by_email: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.email.as_str(), i))
        .collect();
    let file_by_eid: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.employee_id.as_deref().map(|e| (e, i)))
        .collect();
    let mut managers: Vec<Option<Who>> = vec![None; rows.len()];
    for (i, row) in rows.iter().enumerate() {
        let Some(reference) = &row.manager else {
            continue;
        };
        let key = reference.to_lowercase();
        let in_file = if reference.contains('@') {
            file_by_email.get(key.as_str())
        } else {
            file_by_eid.get(reference.as_str())
        };
        let found = match in_file {
            Some(j) => who[*j],
            None => {
                let known = if reference.contains('@') {
                    snap.by_email.get(&key)
                } else {
                    snap.by_employee_id.get(reference)
                };
                known.map(|k| Who::Known(snap.users[*k].id))
            }
        };
        match found {
            None => problems.push(RowProblem {
                row: row.line,
                column: Column::Manager.header(),
                message: format!("no person {reference:?} in the file or in Skillpath"),
            }),
            Some(m) if Some(m) == who[i] => problems.push(RowProblem {
                row: row.line,
                column: Column::Manager.header(),
                message: "a person cannot be their own manager".into(),
            }),
            Some(m) => managers[i] = Some(m),
        }
    }

    // Reporting lines after the import, to refuse cycles.
    let mut line_of: HashMap<Who, Option<Who>> = snap
        .users
        .iter()
        .map(|u| (Who::Known(u.id), u.manager_id.map(Who::Known)))
        .collect();
    let row_of: HashMap<Who, usize> = who
        .iter()
        .enumerate()
        .filter_map(|(i, w)| w.map(|w| (w, i)))
        .collect();
    for (i, w) in who.iter().enumerate() {
        if let Some(w) = w
            && (file.has(Column::Manager) || matches!(w, Who::New(_)))
        {
            line_of.insert(*w, managers[i]);
        }
    }
    let mut in_cycle: HashSet<Who> = HashSet::new();
    for (i, w) in who.iter().enumerate() {
        let Some(start) = w else { continue };
        let mut at = *start;
        let mut steps = 0;
        while let Some(Some(next)) = line_of.get(&at) {
            steps += 1;
            if *next == *start || steps > line_of.len() {
                if in_cycle.insert(*start) {
                    problems.push(RowProblem {
                        row: rows[i].line,
                        column: Column::Manager.header(),
                        message: "this would make a reporting cycle".into(),
                    });
                }
                break;
            }
            at = *next;
            if !row_of.contains_key(&at) && steps > 64 {
                break;
            }
        }
    }

    let mut report = ImportReport {
        rows: file.rows.len(),
        ..ImportReport::default()
    };
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.row);
        report.problems = problems;
        return Plan {
            report,
            ..Plan::default()
        };
    }

    // Teams to create, parents first.
    let mut new_teams: Vec<String> = Vec::new();
    let mut team_ref = |path: &Option<String>| -> Option<TeamRef> {
        let path = path.as_ref()?;
        if let Some(id) = snap.teams.get(path) {
            return Some(TeamRef::Known(*id));
        }
        let mut prefix = String::new();
        for part in path.split('/') {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            if !snap.teams.contains_key(&prefix) && !new_teams.contains(&prefix) {
                new_teams.push(prefix.clone());
            }
        }
        Some(TeamRef::New(path.clone()))
    };

    let mut plan = Plan::default();
    let mut listed: HashSet<i64> = HashSet::new();
    for (i, row) in rows.iter().enumerate() {
        let team = team_ref(&row.team);
        match who[i].expect("no problems: every row is someone") {
            Who::New(_) => {
                report.created.push(row.email.clone());
                plan.creates.push((row.clone(), team, managers[i]));
            }
            Who::Known(id) => {
                listed.insert(id);
                let current = &snap.users[snap.by_id[&id]];
                let update = diff(current, row, team, managers[i], file);
                let moved = update.team.is_some() || update.manager.is_some();
                let details = update.name.is_some()
                    || update.role.is_some()
                    || update.job_role.is_some()
                    || update.career_level.is_some()
                    || update.level_since.is_some()
                    || update.locale.is_some()
                    || update.employee_id.is_some()
                    || update.email.is_some()
                    || update.reactivate;
                if moved {
                    report.moved.push(row.email.clone());
                } else if details {
                    report.updated.push(row.email.clone());
                } else {
                    report.unchanged += 1;
                    continue;
                }
                plan.updates.push(update);
            }
        }
    }
    if options.deactivate_missing {
        for u in &snap.users {
            if u.active
                && !listed.contains(&u.id)
                && u.role != Role::Admin.as_str()
                && u.id != actor.user_id
            {
                report.deactivated.push(u.email.clone());
                plan.deactivate.push(u.id);
            }
        }
    }
    if options.invite {
        report.invited = plan.creates.len();
    }
    report.teams_created = new_teams.clone();
    plan.new_teams = new_teams;
    plan.report = report;
    plan
}

/// What differs between an account and its row; columns the file does not
/// have are left alone.
fn diff(
    current: &user::Model,
    row: &Row,
    team: Option<TeamRef>,
    manager: Option<Who>,
    file: &PeopleFile,
) -> Update {
    fn changed<T: PartialEq + Clone>(present: bool, now: &T, wanted: &T) -> Option<T> {
        (present && now != wanted).then(|| wanted.clone())
    }
    let has = |c: Column| file.has(c);
    Update {
        user_id: current.id,
        name: changed(true, &current.name, &row.name),
        role: (has(Column::Role) && current.role != row.role.as_str()).then_some(row.role),
        team: (has(Column::Team) && current.team_id.map(TeamRef::Known) != team).then_some(team),
        manager: (has(Column::Manager) && current.manager_id.map(Who::Known) != manager)
            .then_some(manager),
        job_role: changed(has(Column::JobRole), &current.job_role, &row.job_role),
        career_level: changed(
            has(Column::CareerLevel),
            &current.career_level,
            &row.career_level,
        ),
        level_since: changed(
            has(Column::LevelSince),
            &current.level_since,
            &row.level_since,
        ),
        locale: row
            .locale
            .filter(|l| current.locale.as_deref() != Some(l.tag())),
        employee_id: row
            .employee_id
            .clone()
            .filter(|e| current.employee_id.as_ref() != Some(e)),
        email: (current.email != row.email).then(|| row.email.clone()),
        reactivate: !current.active,
    }
}

/// Any fixed number: the key of the import's PostgreSQL advisory lock.
const IMPORT_LOCK: i64 = 0x5_4b11_1a7b_0002;

/// Imports a people file on behalf of `actor` (HR or admin). A dry run, or a
/// file with problems, writes nothing; otherwise everything is applied in
/// one transaction. Two imports never interleave: on PostgreSQL the second
/// waits for a transaction-scoped advisory lock, on SQLite for the write
/// lock `begin_write` takes, and then plans against what the first wrote.
pub async fn import_people(
    db: &DatabaseConnection,
    fw: &Framework,
    admin: &AccountAdmin,
    file: &PeopleFile,
    options: ImportOptions,
) -> Result<ImportReport> {
    let actor = admin.by();
    if options.dry_run {
        let snap = snapshot(db).await?;
        return Ok(plan(file, &snap, fw, actor, options).report);
    }
    let txn = db::begin_write(db).await?;
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_raw(db::statement(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [IMPORT_LOCK.into()],
        ))
        .await?;
    }
    let snap = snapshot(&txn).await?;
    let plan = plan(file, &snap, fw, actor, options);
    if !plan.report.problems.is_empty() {
        return Err(Error::Invalid(
            plan.report
                .problems
                .iter()
                .map(RowProblem::problem)
                .collect(),
        ));
    }
    let touched: Vec<i64> = plan
        .updates
        .iter()
        .map(|u| u.user_id)
        .chain(plan.deactivate.iter().copied())
        .collect();
    let before = users_by_id(&txn, &touched).await?;
    let created = apply(&txn, &snap, &plan, actor, options).await?;
    let trail = import_trail(&txn, &plan, before, created).await?;
    audit::commit(txn, trail).await?;
    let mut report = plan.report;
    report.applied = true;
    tracing::info!(
        created = report.created.len(),
        moved = report.moved.len(),
        updated = report.updated.len(),
        deactivated = report.deactivated.len(),
        "people imported"
    );
    Ok(report)
}

async fn users_by_id(
    txn: &sea_orm::DatabaseTransaction,
    ids: &[i64],
) -> Result<HashMap<i64, user::Model>> {
    let mut rows = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        for row in user::Entity::find()
            .filter(user::Column::Id.is_in(chunk.iter().copied()))
            .all(txn)
            .await?
        {
            rows.insert(row.id, row);
        }
    }
    Ok(rows)
}

/// One entry per person and team the import created or changed (each on
/// the import's behalf), and one for the import itself.
async fn import_trail(
    txn: &sea_orm::DatabaseTransaction,
    plan: &Plan,
    before: HashMap<i64, user::Model>,
    created: Created,
) -> Result<Vec<Change>> {
    let mut ids: Vec<i64> = before.keys().copied().collect();
    ids.extend(created.people.iter().copied());
    let after = users_by_id(txn, &ids).await?;
    let mut trail: Vec<Change> = created
        .teams
        .iter()
        .map(|t| {
            Change::new("team.create", "team", t.id)
                .via("import")
                .diff(None, Some(t))
        })
        .collect();
    let mut people: Vec<(&i64, &user::Model)> = after.iter().collect();
    people.sort_by_key(|(id, _)| **id);
    for (id, row) in people {
        let action = if before.contains_key(id) {
            "user.update"
        } else {
            "user.create"
        };
        trail.push(
            Change::new(action, "user", *id)
                .about(*id)
                .via("import")
                .diff(before.get(id), Some(row)),
        );
    }
    trail.push(
        Change::new("people.import", "import", None)
            .fact("created", plan.creates.len())
            .fact("updated", plan.updates.len())
            .fact("deactivated", plan.deactivate.len())
            .fact("teams_created", plan.new_teams.len()),
    );
    Ok(trail)
}

/// What an import created: audited once everything is in place.
struct Created {
    people: Vec<i64>,
    teams: Vec<team::Model>,
}

async fn apply(
    txn: &sea_orm::DatabaseTransaction,
    snap: &Snapshot,
    plan: &Plan,
    actor: &Actor,
    options: ImportOptions,
) -> Result<Created> {
    let mut created_teams = Vec::new();
    let now = crate::clock::now();
    let mut team_ids = snap.teams.clone();
    for path in &plan.new_teams {
        let (parent, name) = match path.rsplit_once('/') {
            Some((parent, name)) => (Some(team_ids[parent]), name),
            None => (None, path.as_str()),
        };
        let row = team::ActiveModel {
            name: Set(name.to_owned()),
            parent_id: Set(parent),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        team_ids.insert(path.clone(), row.id);
        created_teams.push(row);
    }
    let team_id = |t: &Option<TeamRef>| match t {
        None => None,
        Some(TeamRef::Known(id)) => Some(*id),
        Some(TeamRef::New(path)) => Some(team_ids[path]),
    };

    // New people first, without managers (a manager may be created later in
    // the file), in batches; then their ids by email.
    for chunk in plan.creates.chunks(500) {
        let models = chunk.iter().map(|(row, team, _)| user::ActiveModel {
            email: Set(row.email.clone()),
            name: Set(row.name.clone()),
            password_hash: Set(None),
            role: Set(row.role.as_str().to_owned()),
            manager_id: Set(None),
            team_id: Set(team_id(team)),
            locale: Set(row.locale.map(|l| l.tag().to_owned())),
            active: Set(true),
            job_role: Set(row.job_role.clone()),
            career_level: Set(row.career_level.clone()),
            level_since: Set(row.level_since),
            employee_id: Set(row.employee_id.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        user::Entity::insert_many(models).exec(txn).await?;
    }
    // Parsed row index → the id it was given.
    let mut new_ids: HashMap<usize, i64> = HashMap::new();
    for chunk in plan.creates.chunks(500) {
        let by_email: HashMap<String, i64> = user::Entity::find()
            .filter(user::Column::Email.is_in(chunk.iter().map(|(r, _, _)| r.email.clone())))
            .all(txn)
            .await?
            .into_iter()
            .map(|u| (u.email, u.id))
            .collect();
        for (row, _, _) in chunk {
            let id = *by_email.get(&row.email).ok_or_else(|| {
                Error::Internal(anyhow::anyhow!("imported {} not found again", row.email))
            })?;
            new_ids.insert(row.index, id);
        }
    }
    let id_of = |who: &Who| -> i64 {
        match who {
            Who::Known(id) => *id,
            Who::New(index) => new_ids[index],
        }
    };
    for (row, _, manager) in &plan.creates {
        if let Some(manager) = manager {
            user::Entity::update_many()
                .col_expr(
                    user::Column::ManagerId,
                    sea_orm::sea_query::Expr::value(id_of(manager)),
                )
                .filter(user::Column::Id.eq(new_ids[&row.index]))
                .exec(txn)
                .await?;
        }
    }
    for update in &plan.updates {
        let mut row = user::ActiveModel {
            id: sea_orm::ActiveValue::Unchanged(update.user_id),
            updated_at: Set(now),
            ..Default::default()
        };
        if let Some(name) = &update.name {
            row.name = Set(name.clone());
        }
        if let Some(role) = update.role {
            row.role = Set(role.as_str().to_owned());
        }
        if let Some(team) = &update.team {
            row.team_id = Set(team_id(team));
        }
        if let Some(manager) = &update.manager {
            row.manager_id = Set(manager.as_ref().map(id_of));
        }
        if let Some(v) = &update.job_role {
            row.job_role = Set(v.clone());
        }
        if let Some(v) = &update.career_level {
            row.career_level = Set(v.clone());
        }
        if let Some(v) = update.level_since {
            row.level_since = Set(v);
        }
        if let Some(locale) = update.locale {
            row.locale = Set(Some(locale.tag().to_owned()));
        }
        if let Some(eid) = &update.employee_id {
            row.employee_id = Set(Some(eid.clone()));
        }
        if let Some(email) = &update.email {
            row.email = Set(email.clone());
        }
        if update.reactivate {
            row.active = Set(true);
        }
        row.update(txn).await?;
    }
    if !plan.deactivate.is_empty() {
        for chunk in plan.deactivate.chunks(500) {
            user::Entity::update_many()
                .col_expr(user::Column::Active, sea_orm::sea_query::Expr::value(false))
                .col_expr(
                    user::Column::UpdatedAt,
                    sea_orm::sea_query::Expr::value(now),
                )
                .filter(user::Column::Id.is_in(chunk.iter().copied()))
                .exec(txn)
                .await?;
        }
        for id in &plan.deactivate {
            crate::auth::sign_out::revoke_all_for_user(txn, *id).await?;
        }
    }
    if options.invite && !plan.creates.is_empty() {
        let inviter = snap
            .users
            .iter()
            .find(|u| u.id == actor.user_id)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        for (row, _, _) in &plan.creates {
            crate::auth::recovery::queue_invitation(
                txn,
                new_ids[&row.index],
                &row.email,
                &row.name,
                row.locale.unwrap_or_default(),
                &inviter,
            )
            .await?;
        }
    }
    Ok(Created {
        people: new_ids.into_values().collect(),
        teams: created_teams,
    })
}

impl From<&ImportReport> for Problems {
    fn from(report: &ImportReport) -> Self {
        let mut problems = Problems::new();
        for p in &report.problems {
            let p = p.problem();
            problems.add(p.field, p.message);
        }
        problems
    }
}
