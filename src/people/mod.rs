//! People: accounts, teams and reporting lines. Plain service functions over
//! a database connection; callers pass an already-authenticated `Actor`.

pub mod email;
pub mod graphql;
pub mod import;
pub mod import_file;
pub mod import_graphql;
pub mod positions;
mod reach;
mod rows;
mod teams;

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, ExprTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

pub use self::email::Email;
pub use self::reach::{ReachCache, load_actor};
use self::rows::PersonRow;
pub use self::teams::*;
use crate::audit::{self, Change};
use crate::auth::password::{Password, PasswordHasher};
use crate::auth::policy::{self, AccountAdmin, PeopleScope, PersonView};
use crate::auth::{Actor, Locale, Role};
use crate::db::{self, entities::user};
use crate::error::{Error, Problems, Result};
use crate::framework::{Framework, check_position};

pub use positions::{PositionChange, position_history};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub manager_id: Option<i64>,
    pub team_id: Option<i64>,
    /// The person's chosen language; unset means "follow the browser".
    pub locale: Option<Locale>,
    pub active: bool,
    pub has_password: bool,
    pub job_role: Option<String>,
    pub career_level: Option<String>,
    pub level_since: Option<NaiveDate>,
    /// The id the HR system knows the person by (set by imports).
    pub employee_id: Option<String>,
}

impl TryFrom<user::Model> for Person {
    type Error = Error;
    fn try_from(row: user::Model) -> Result<Self> {
        Person::try_from(PersonRow::from(row))
    }
}

/// A new account. Without a password the person cannot log in until they
/// accept an invitation or reset it.
#[derive(Debug, Clone, Default)]
pub struct NewPerson {
    pub email: String,
    pub name: String,
    pub role: Option<Role>,
    pub manager_id: Option<i64>,
    pub team_id: Option<i64>,
    pub locale: Option<Locale>,
    pub password: Option<String>,
    pub job_role: Option<String>,
    pub career_level: Option<String>,
    pub level_since: Option<NaiveDate>,
    pub employee_id: Option<String>,
}

/// Changes to an account; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct PersonChanges {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub manager_id: Option<Option<i64>>,
    pub team_id: Option<Option<i64>>,
    pub locale: Option<Locale>,
    pub active: Option<bool>,
    pub job_role: Option<Option<String>>,
    pub career_level: Option<Option<String>>,
    pub level_since: Option<Option<NaiveDate>>,
}

#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    pub team_id: Option<i64>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// Matches name or email, case-insensitively.
    pub search: Option<String>,
}

fn parse_name(raw: &str, problems: &mut Problems) -> String {
    let name = raw.trim().to_string();
    if name.is_empty() {
        problems.add("name", "is required");
    } else if name.chars().count() > 200 {
        problems.add("name", "must be at most 200 characters");
    }
    name
}

/// Creates an account on behalf of `actor` (HR or admin).
/// `framework` is the current one: a job role and level must exist in it.
pub async fn create_person(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    admin: &AccountAdmin,
    framework: &Framework,
    new: NewPerson,
) -> Result<Person> {
    admin.may_touch(None, new.role.unwrap_or(Role::Employee))?;
    check_position(
        framework,
        new.job_role.as_deref(),
        new.career_level.as_deref(),
    )?;
    insert_person(db, hasher, new).await
}

/// Creates an account with no caller: the CLI and the bootstrap admin.
pub async fn insert_person(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    new: NewPerson,
) -> Result<Person> {
    // Checked and hashed before the transaction: argon2 must not run while
    // holding SQLite's write lock.
    let row = prepare(db, Some(hasher), new).await?;
    let txn = db::begin_write(db).await?;
    let row = insert_prepared(&txn, row).await?;
    audit::commit(txn, [created(&row)]).await?;
    Person::try_from(row)
}

/// Creates an account without a password (invitations) inside the caller's
/// transaction; the caller records `created(&row)` with its other changes.
pub async fn insert_person_unhashed(
    txn: &DatabaseTransaction,
    new: NewPerson,
) -> Result<user::Model> {
    let row = prepare(
        txn,
        None,
        NewPerson {
            password: None,
            ..new
        },
    )
    .await?;
    insert_prepared(txn, row).await
}

/// The audit entry of a new account.
pub fn created(row: &user::Model) -> Change {
    Change::new("user.create", "user", row.id)
        .about(row.id)
        .diff(None, Some(row))
}

/// Checks everything first, then hashes the password (argon2 is spent only
/// on valid input).
async fn prepare(
    db: &impl ConnectionTrait,
    hasher: Option<&PasswordHasher>,
    new: NewPerson,
) -> Result<user::ActiveModel> {
    let mut problems = Problems::new();
    let email = Email::parse(&new.email)
        .map_err(|e| problems_from(e, &mut problems))
        .ok();
    let name = parse_name(&new.name, &mut problems);
    let password = match new.password.as_deref().map(Password::parse).transpose() {
        Ok(p) => p,
        Err(e) => {
            problems_from(e, &mut problems);
            None
        }
    };
    if let Some(manager) = new.manager_id
        && !exists(db, manager).await?
    {
        problems.add("managerId", "no such person");
    }
    if let Some(team) = new.team_id
        && !team_exists(db, team).await?
    {
        problems.add("teamId", "no such team");
    }
    problems.into_result()?;
    let email = email.expect("checked above");
    let password_hash = match (password, hasher) {
        (Some(p), Some(hasher)) => Some(hasher.hash(&p).await?),
        _ => None,
    };
    let now = crate::clock::now();
    Ok(user::ActiveModel {
        email: Set(email.as_str().to_owned()),
        name: Set(name),
        password_hash: Set(password_hash),
        role: Set(new.role.unwrap_or(Role::Employee).as_str().to_owned()),
        manager_id: Set(new.manager_id),
        team_id: Set(new.team_id),
        locale: Set(new.locale.map(|l| l.tag().to_owned())),
        active: Set(true),
        job_role: Set(new.job_role),
        career_level: Set(new.career_level),
        level_since: Set(new.level_since),
        employee_id: Set(new.employee_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
}

async fn insert_prepared(txn: &DatabaseTransaction, row: user::ActiveModel) -> Result<user::Model> {
    let email = row.email.clone().unwrap();
    row.insert(txn).await.map_err(|e| {
        if db::is_unique_violation(&e) {
            Error::Conflict(format!("an account with email {email} already exists"))
        } else {
            e.into()
        }
    })
}

fn problems_from(err: Error, problems: &mut Problems) {
    match err {
        Error::Invalid(list) => list
            .into_iter()
            .for_each(|p| problems.add(p.field, p.message)),
        other => problems.add("input", other.to_string()),
    }
}

pub async fn update_person(
    db: &DatabaseConnection,
    admin: &AccountAdmin,
    framework: &Framework,
    id: i64,
    changes: PersonChanges,
) -> Result<Person> {
    let actor = admin.by();
    let txn = db::begin_write(db).await?;
    // The position read below decides whether a change is recorded: two
    // concurrent promotions must not both record a move from the old level.
    db::lock_person(&txn, id).await?;
    let current = user::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("person"))?;
    let current_role = Some(Role::from_stored(&current.role)?);
    if let Some(role) = changes.role {
        admin.may_touch(current_role, role)?;
    } else if current_role == Some(Role::Admin) {
        admin.may_touch(current_role, Role::Admin)?;
    }
    if actor.is(id) && changes.active == Some(false) {
        return Err(Error::invalid(
            "active",
            "you cannot deactivate your own account",
        ));
    }

    let job_role = changes.job_role.clone().unwrap_or(current.job_role.clone());
    let career_level = changes
        .career_level
        .clone()
        .unwrap_or(current.career_level.clone());
    if changes.job_role.is_some() || changes.career_level.is_some() {
        check_position(framework, job_role.as_deref(), career_level.as_deref())?;
    }
    let from: positions::Position = (current.job_role.clone(), current.career_level.clone());
    let moved = from != (job_role.clone(), career_level.clone());
    let mut problems = Problems::new();
    let before = current.clone();
    let mut row: user::ActiveModel = current.into();
    if let Some(name) = &changes.name {
        row.name = Set(parse_name(name, &mut problems));
    }
    if let Some(manager) = changes.manager_id {
        if let Some(manager) = manager {
            if manager == id {
                problems.add("managerId", "a person cannot be their own manager");
            } else if !exists(&txn, manager).await? {
                problems.add("managerId", "no such person");
            } else if reports_of(&txn, id).await?.0.contains(&manager) {
                problems.add("managerId", "this would make a reporting cycle");
            }
        }
        row.manager_id = Set(manager);
    }
    if let Some(team) = changes.team_id {
        if let Some(team) = team
            && !team_exists(&txn, team).await?
        {
            problems.add("teamId", "no such team");
        }
        row.team_id = Set(team);
    }
    problems.into_result()?;
    if let Some(role) = changes.role {
        row.role = Set(role.as_str().to_owned());
    }
    if let Some(locale) = changes.locale {
        row.locale = Set(Some(locale.tag().to_owned()));
    }
    if let Some(active) = changes.active {
        row.active = Set(active);
    }
    if let Some(job_role) = changes.job_role {
        row.job_role = Set(job_role);
    }
    if let Some(level) = changes.career_level {
        row.career_level = Set(level);
    }
    if let Some(since) = changes.level_since {
        row.level_since = Set(since);
    }
    if moved {
        // A new position: time at level starts again, from the day given or today.
        let effective_on = changes
            .level_since
            .flatten()
            .unwrap_or_else(crate::clock::today);
        // Without a level there is no time at level to count.
        row.level_since = Set(career_level.is_some().then_some(effective_on));
        positions::record(
            &txn,
            actor,
            id,
            from,
            (job_role, career_level),
            effective_on,
        )
        .await?;
    }
    row.updated_at = Set(crate::clock::now());
    let row = row.update(&txn).await?;
    if changes.active == Some(false) {
        crate::auth::sign_out::revoke_all_for_user(&txn, id).await?;
    }
    let mut trail = vec![
        Change::new("user.update", "user", id)
            .about(id)
            .diff(Some(&before), Some(&row)),
    ];
    if before.role != row.role {
        trail.push(
            Change::new("auth.role_change", "user", id)
                .about(id)
                .security()
                .field("role", &before.role, &row.role),
        );
    }
    audit::commit(txn, trail).await?;
    Person::try_from(row)
}

/// One person, if the caller may see them.
pub async fn find_person(db: &DatabaseConnection, view: &PersonView) -> Result<Person> {
    let id = view.person();
    let row = rows::select_people()
        .filter(user::Column::Id.eq(id))
        .into_model::<PersonRow>()
        .one(db)
        .await?
        .ok_or(Error::NotFound("person"))?;
    Person::try_from(row)
}

/// A page of the people the caller may see, ordered by id, after `after`.
/// Returns one row more than `limit` was asked for when there is a next page.
pub async fn list_people(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &PeopleFilter,
    after: Option<i64>,
    limit: u64,
) -> Result<(Vec<Person>, bool)> {
    let mut query = rows::select_people().order_by_asc(user::Column::Id);
    if let PeopleScope::Only(ids) = policy::people_scope(actor) {
        query = query.filter(user::Column::Id.is_in(ids));
    }
    if let Some(after) = after {
        query = query.filter(user::Column::Id.gt(after));
    }
    if let Some(team) = filter.team_id {
        query = query.filter(user::Column::TeamId.eq(team));
    }
    if let Some(role) = filter.role {
        query = query.filter(user::Column::Role.eq(role.as_str()));
    }
    if let Some(active) = filter.active {
        query = query.filter(user::Column::Active.eq(active));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let pattern = format!("%{}%", search.to_lowercase().replace(['%', '_'], ""));
        query = query.filter(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(user::Column::Name))).like(pattern.clone()))
                .add(user::Column::Email.like(pattern)),
        );
    }
    let mut rows = query
        .limit(limit + 1)
        .into_model::<PersonRow>()
        .all(db)
        .await?;
    let has_next = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let people = rows
        .into_iter()
        .map(Person::try_from)
        .collect::<Result<_>>()?;
    Ok((people, has_next))
}

/// People by id, with no authorization: for DataLoaders whose callers
/// have already decided what may be shown.
pub async fn people_by_ids(db: &impl ConnectionTrait, ids: &[i64]) -> Result<HashMap<i64, Person>> {
    let rows = rows::select_people()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .into_model::<PersonRow>()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|row| Person::try_from(row).map(|p| (p.id, p)))
        .collect()
}

/// The people reporting to `ids` directly, for `directReports` fields.
pub async fn direct_reports_of(
    db: &impl ConnectionTrait,
    manager_ids: &[i64],
) -> Result<HashMap<i64, Vec<Person>>> {
    let rows = rows::select_people()
        .filter(user::Column::ManagerId.is_in(manager_ids.iter().copied()))
        .order_by_asc(user::Column::Id)
        .into_model::<PersonRow>()
        .all(db)
        .await?;
    let mut by_manager: HashMap<i64, Vec<Person>> = HashMap::new();
    for row in rows {
        let person = Person::try_from(row)?;
        if let Some(manager) = person.manager_id {
            by_manager.entry(manager).or_default().push(person);
        }
    }
    Ok(by_manager)
}

/// The ids of the active people within `scope` matching `selection`, by id:
/// one statement.
pub async fn people_ids(
    db: &impl ConnectionTrait,
    scope: &PeopleScope,
    selection: &PeopleSelection,
) -> Result<Vec<i64>> {
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(people_condition(db, scope, selection).await?)
        .order_by_asc(user::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// One active person by id, with no authorization (the caller decided).
pub async fn active_person(db: &impl ConnectionTrait, id: i64) -> Result<Option<Person>> {
    Ok(people_by_ids(db, &[id])
        .await?
        .remove(&id)
        .filter(|p| p.active))
}

/// The active account with this email, for signing in and resets (auth).
pub async fn active_account_by_email(
    db: &impl ConnectionTrait,
    email: &Email,
) -> Result<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .filter(user::Column::Active.eq(true))
        .one(db)
        .await?)
}

/// Sets an active account's password hash (auth hashed it); none when the
/// account is gone or inactive. The caller records the change.
pub async fn set_password_hash(
    txn: &impl ConnectionTrait,
    user_id: i64,
    hash: String,
) -> Result<Option<user::Model>> {
    let Some(row) = user::Entity::find_by_id(user_id)
        .one(txn)
        .await?
        .filter(|u| u.active)
    else {
        return Ok(None);
    };
    let mut active: user::ActiveModel = row.into();
    active.password_hash = Set(Some(hash));
    active.updated_at = Set(crate::clock::now());
    Ok(Some(active.update(txn).await?))
}

async fn exists(db: &impl ConnectionTrait, id: i64) -> Result<bool> {
    Ok(user::Entity::find_by_id(id).count(db).await? > 0)
}

#[derive(Debug, FromQueryResult)]
struct ReportRow {
    id: i64,
    depth: i64,
}

/// Everyone below `manager_id` in the reporting lines: (all, direct). One
/// recursive query, the same on SQLite and PostgreSQL. `UNION` (not `ALL`)
/// stops at a cycle should bad data ever contain one.
///
/// Raw SQL on purpose: sea-orm's builders cannot say a recursive CTE that
/// both databases accept as one statement; the placeholders are rewritten
/// per database by `db::statement`.
pub async fn reports_of(
    db: &impl ConnectionTrait,
    manager_id: i64,
) -> Result<(Vec<i64>, Vec<i64>)> {
    let sql = "WITH RECURSIVE chain(id, depth) AS ( \
                 SELECT id, CAST(1 AS BIGINT) FROM users WHERE manager_id = $1 \
                 UNION \
                 SELECT u.id, chain.depth + 1 FROM users u JOIN chain ON u.manager_id = chain.id \
                 WHERE chain.depth < 64 \
               ) SELECT id, MIN(depth) AS depth FROM chain GROUP BY id";
    let stmt = db::statement(db.get_database_backend(), sql, [manager_id.into()]);
    let rows = ReportRow::find_by_statement(stmt).all(db).await?;
    let direct = rows.iter().filter(|r| r.depth == 1).map(|r| r.id).collect();
    Ok((rows.into_iter().map(|r| r.id).collect(), direct))
}

/// Narrowing of a set-based query over people (`users u`).
#[derive(Debug, Clone, Default)]
pub struct PeopleSelection {
    pub user_id: Option<i64>,
    /// The team and its sub-teams.
    pub team_id: Option<i64>,
    pub job_role: Option<String>,
    pub career_level: Option<String>,
    /// Leave this person out (a manager ranking their reports, a mentor search).
    pub except: Option<i64>,
}

/// The condition on `users` selecting the active people within `scope`
/// (from the policy) that match `selection`, for queries that join people.
pub async fn people_condition(
    db: &impl ConnectionTrait,
    scope: &PeopleScope,
    selection: &PeopleSelection,
) -> Result<Condition> {
    let mut c = Condition::all().add(user::Column::Active.eq(true));
    if let PeopleScope::Only(ids) = scope {
        // An empty list matches nothing.
        c = c.add(user::Column::Id.is_in(ids.iter().copied()));
    }
    if let Some(user) = selection.user_id {
        c = c.add(user::Column::Id.eq(user));
    }
    if let Some(except) = selection.except {
        c = c.add(user::Column::Id.ne(except));
    }
    if let Some(team) = selection.team_id {
        let teams = team_subtree(db, team).await?;
        if teams.is_empty() {
            return Err(Error::NotFound("team"));
        }
        c = c.add(user::Column::TeamId.is_in(teams));
    }
    if let Some(role) = &selection.job_role {
        c = c.add(user::Column::JobRole.eq(role.as_str()));
    }
    if let Some(level) = &selection.career_level {
        c = c.add(user::Column::CareerLevel.eq(level.as_str()));
    }
    Ok(c)
}

/// As `people_condition`, as raw SQL conditions on `users u`: only for
/// `advancement::data`, whose statements are being rewritten (issue #13) and
/// still take `db::Conditions`. New code uses `people_condition`.
pub async fn select_people(
    db: &impl ConnectionTrait,
    scope: &PeopleScope,
    selection: &PeopleSelection,
    c: &mut db::Conditions,
) -> Result<()> {
    use sea_orm::Value;
    c.push("u.active = ?", [Value::from(true)]);
    if let PeopleScope::Only(ids) = scope {
        c.push_in("u.id", ids);
    }
    if let Some(user) = selection.user_id {
        c.push("u.id = ?", [Value::from(user)]);
    }
    if let Some(except) = selection.except {
        c.push("u.id <> ?", [Value::from(except)]);
    }
    if let Some(team) = selection.team_id {
        let teams = team_subtree(db, team).await?;
        if teams.is_empty() {
            return Err(Error::NotFound("team"));
        }
        c.push_in("u.team_id", &teams);
    }
    if let Some(role) = &selection.job_role {
        c.push("u.job_role = ?", [Value::from(role.clone())]);
    }
    if let Some(level) = &selection.career_level {
        c.push("u.career_level = ?", [Value::from(level.clone())]);
    }
    Ok(())
}

/// Creates the first admin from configuration when no active admin exists,
/// so a newcomer can log in at once. Returns whether one was created.
pub async fn ensure_bootstrap_admin(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    email: &str,
    password: &str,
    name: &str,
) -> Result<bool> {
    let admins = user::Entity::find()
        .filter(user::Column::Role.eq(Role::Admin.as_str()))
        .filter(user::Column::Active.eq(true))
        .count(db)
        .await?;
    if admins > 0 {
        return Ok(false);
    }
    let parsed = Email::parse(email)?;
    if let Some(existing) = user::Entity::find()
        .filter(user::Column::Email.eq(parsed.as_str()))
        .one(db)
        .await?
    {
        // The address belongs to an account already: make it the admin rather
        // than fail start-up, but keep its own password.
        let txn = db::begin_write(db).await?;
        let before = existing.clone();
        let mut row: user::ActiveModel = existing.into();
        row.role = Set(Role::Admin.as_str().to_owned());
        row.active = Set(true);
        row.updated_at = Set(crate::clock::now());
        let row = row.update(&txn).await?;
        let change = Change::new("auth.role_change", "user", row.id)
            .about(row.id)
            .security()
            .diff(Some(&before), Some(&row));
        audit::commit(txn, [change]).await?;
        return Ok(true);
    }
    insert_person(
        db,
        hasher,
        NewPerson {
            email: email.to_owned(),
            name: name.to_owned(),
            role: Some(Role::Admin),
            password: Some(password.to_owned()),
            ..NewPerson::default()
        },
    )
    .await?;
    Ok(true)
}
