//! The plan: what the file changes against a snapshot of the database,
//! decided before anything is written (a pure function of the two).

use super::*;

/// The state the plan is made against.
pub(super) struct Snapshot {
    pub(super) users: Vec<user::Model>,
    pub(super) by_email: HashMap<String, usize>,
    pub(super) by_employee_id: HashMap<String, usize>,
    pub(super) by_id: HashMap<i64, usize>,
    /// Full path (`a/b/c`) → team id.
    pub(super) teams: HashMap<String, i64>,
}

pub(super) async fn snapshot(db: &impl ConnectionTrait) -> Result<Snapshot> {
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

/// A change to an existing account; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub(super) struct Update {
    pub(super) user_id: i64,
    pub(super) name: Option<String>,
    pub(super) role: Option<Role>,
    pub(super) team: Option<Option<TeamRef>>,
    pub(super) manager: Option<Option<Who>>,
    pub(super) job_role: Option<Option<String>>,
    pub(super) career_level: Option<Option<String>>,
    pub(super) level_since: Option<Option<NaiveDate>>,
    pub(super) locale: Option<Locale>,
    pub(super) employee_id: Option<String>,
    pub(super) email: Option<String>,
    pub(super) reactivate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TeamRef {
    Known(i64),
    /// Created by this import, by path.
    New(String),
}

/// Everything an import will do, decided before anything is written.
#[derive(Debug, Default)]
pub(super) struct Plan {
    pub(super) report: ImportReport,
    pub(super) new_teams: Vec<String>,
    pub(super) creates: Vec<(Row, Option<TeamRef>, Option<Who>)>,
    pub(super) updates: Vec<Update>,
    pub(super) deactivate: Vec<i64>,
}

pub(super) fn plan(
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
pub(super) fn diff(
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
