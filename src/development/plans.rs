//! Creating a plan (by hand, or drafted from the advice), changing its
//! content, agreeing it and closing it.
//!
//! **Concurrency.** Every write to a plan first locks the plan's row (on
//! PostgreSQL `SELECT … FOR UPDATE`; SQLite's `begin_write` already holds the
//! single write lock), so two tabs serialise. An agreement names the revision
//! the caller read: if the content changed since, the agreement is refused
//! with CONFLICT rather than applied to a plan the caller has not seen; and
//! the person's and the manager's agreements given at the same moment both
//! count (neither overwrites the other).

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};

pub use super::drafting::{GoalInput, NewGoal, check_goal, goals_from_advice};
use super::{Goal, GoalStatus, MAX_GOALS, MAX_TITLE, Plan, PlanStatus, action_name};
use crate::advancement::{self, scoring};
use crate::audit::{self, Change};
use crate::auth::policy::{self, PlanWriter};
use crate::auth::{Actor, AgreeAs, Locale};
use crate::db::entities::{
    development_checkin, development_evidence, development_goal, development_plan,
};
use crate::db::{self};
use crate::error::{Error, Problems, Result};
use crate::framework::{Framework, FrameworkStore};
use crate::people;

/// Locks a plan's row for the transaction on PostgreSQL (SQLite writers
/// already hold the database's write lock from `BEGIN`).
pub(crate) async fn lock_plan(txn: &DatabaseTransaction, plan_id: i64) -> Result<()> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_raw(db::statement(
            DatabaseBackend::Postgres,
            "SELECT id FROM development_plans WHERE id = $1 FOR UPDATE",
            [plan_id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// A plan's row, read after locking it.
pub(crate) async fn plan_row(
    db: &impl ConnectionTrait,
    plan_id: i64,
) -> Result<development_plan::Model> {
    development_plan::Entity::find_by_id(plan_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("development plan"))
}

/// A plan with its goals, their evidence and its check-ins.
pub async fn load_plan(db: &impl ConnectionTrait, plan_id: i64) -> Result<Plan> {
    let mut plan = Plan::try_from(plan_row(db, plan_id).await?)?;
    let goals = development_goal::Entity::find()
        .filter(development_goal::Column::PlanId.eq(plan_id))
        .order_by_asc(development_goal::Column::Position)
        .order_by_asc(development_goal::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = goals.iter().map(|g| g.id).collect();
    let mut evidence: HashMap<i64, Vec<super::Evidence>> = HashMap::new();
    if !ids.is_empty() {
        for e in development_evidence::Entity::find()
            .filter(development_evidence::Column::GoalId.is_in(ids))
            .order_by_asc(development_evidence::Column::Id)
            .all(db)
            .await?
        {
            let e = super::Evidence::try_from(e)?;
            evidence.entry(e.goal_id).or_default().push(e);
        }
    }
    plan.goals = goals
        .into_iter()
        .map(|g| {
            let mut goal = Goal::try_from(g)?;
            goal.evidence = evidence.remove(&goal.id).unwrap_or_default();
            Ok(goal)
        })
        .collect::<Result<_>>()?;
    plan.check_ins = development_checkin::Entity::find()
        .filter(development_checkin::Column::PlanId.eq(plan_id))
        .order_by_desc(development_checkin::Column::HeldOn)
        .order_by_desc(development_checkin::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(plan)
}

/// The person's open plan (draft or agreed), if any.
pub async fn open_plan_id(db: &impl ConnectionTrait, user_id: i64) -> Result<Option<i64>> {
    Ok(development_plan::Entity::find()
        .filter(development_plan::Column::UserId.eq(user_id))
        .filter(development_plan::Column::OpenSlot.is_not_null())
        .one(db)
        .await?
        .map(|p| p.id))
}

/// Checks that `target` is a level the person can head for: a level of the
/// framework the path graph reaches from their position.
fn check_target(fw: &Framework, person: &people::Person, role: &str, level: &str) -> Result<()> {
    if fw.level(role, level).is_none() {
        return Err(Error::invalid(
            "target",
            format!("{role}/{level} is not a level of the framework"),
        ));
    }
    if let (Some(r), Some(l)) = (&person.job_role, &person.career_level)
        && scoring::route_to(fw, (r, l), (role, level)).is_none()
    {
        return Err(Error::invalid(
            "target",
            "no path in the framework leads there from this person's level",
        ));
    }
    Ok(())
}

async fn check_mentors(db: &impl ConnectionTrait, goals: &[NewGoal]) -> Result<()> {
    let ids: Vec<i64> = goals.iter().filter_map(|g| g.input.mentor_id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let found = people::people_by_ids(db, &ids).await?;
    for (i, g) in goals.iter().enumerate() {
        if let Some(id) = g.input.mentor_id
            && !found.get(&id).is_some_and(|p| p.active)
        {
            return Err(Error::invalid(
                format!("goals[{i}].mentorId"),
                "no active colleague with this id",
            ));
        }
    }
    Ok(())
}

async fn insert_goals(
    txn: &DatabaseTransaction,
    plan_id: i64,
    first_position: i32,
    goals: Vec<NewGoal>,
) -> Result<Vec<i64>> {
    let now = crate::clock::now();
    let mut ids = Vec::with_capacity(goals.len());
    for (i, g) in goals.into_iter().enumerate() {
        let saved = development_goal::ActiveModel {
            plan_id: Set(plan_id),
            position: Set(first_position + i as i32),
            kind: Set(g.input.kind.as_str().into()),
            title: Set(g.input.title),
            source_action: Set(g.source_action.map(|a| action_name(a).to_owned())),
            skill_key: Set(g.input.skill),
            required_level: Set(g.required_level.map(i16::from)),
            baseline_level: Set(g.baseline_level.map(i16::from)),
            kpi_key: Set(g.input.kpi),
            certification_key: Set(g.input.certification),
            resource_key: Set(g.input.resource),
            mentor_id: Set(g.input.mentor_id),
            due_on: Set(g.input.due_on),
            status: Set(GoalStatus::Planned.as_str().into()),
            done_on: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        ids.push(saved.id);
    }
    Ok(ids)
}

async fn insert_plan(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: i64,
    target: (&str, &str),
    goals: Vec<NewGoal>,
) -> Result<Plan> {
    if goals.len() > MAX_GOALS {
        return Err(Error::invalid(
            "goals",
            format!("at most {MAX_GOALS} goals"),
        ));
    }
    let txn = db::begin_write(db).await?;
    check_mentors(&txn, &goals).await?;
    // One open plan per person: the person's row serialises creators on
    // PostgreSQL, and the unique (user, open slot) index backs it on both.
    db::lock_person(&txn, user_id).await?;
    if open_plan_id(&txn, user_id).await?.is_some() {
        return Err(Error::Conflict(
            "this person already has an open plan: change it, or close it first".into(),
        ));
    }
    let now = crate::clock::now();
    let plan = development_plan::ActiveModel {
        user_id: Set(user_id),
        target_role: Set(target.0.into()),
        target_level: Set(target.1.into()),
        status: Set(PlanStatus::Draft.as_str().into()),
        open_slot: Set(Some(1)),
        revision: Set(1),
        created_by: Set(Some(actor.user_id)),
        person_agreed_revision: Set(None),
        person_agreed_at: Set(None),
        manager_agreed_by: Set(None),
        manager_agreed_revision: Set(None),
        manager_agreed_at: Set(None),
        agreed_on: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        closed_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if db::is_unique_violation(&e) {
            Error::Conflict("this person already has an open plan".into())
        } else {
            e.into()
        }
    })?;
    let goal_count = goals.len();
    insert_goals(&txn, plan.id, 1, goals).await?;
    let saved = load_plan(&txn, plan.id).await?;
    let created = Change::new("plan.create", "development_plan", plan.id)
        .about(user_id)
        .diff(None, Some(&plan))
        .fact("goals", goal_count);
    audit::commit(txn, [created]).await?;
    Ok(saved)
}

/// Creates a draft plan toward `target` with the goals given.
pub async fn create_plan(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    writer: &PlanWriter,
    target: (&str, &str),
    goals: Vec<GoalInput>,
    today: NaiveDate,
) -> Result<Plan> {
    let (actor, user_id) = (writer.by(), writer.subject());
    let fw = store.current(db).await?;
    let person = people::people_by_ids(db, &[user_id])
        .await?
        .remove(&user_id)
        .ok_or(Error::NotFound("person"))?;
    check_target(&fw, &person, target.0, target.1)?;
    let mut checked = Vec::with_capacity(goals.len());
    let mut problems = Vec::new();
    if goals.len() > MAX_GOALS {
        return Err(Error::invalid(
            "goals",
            format!("at most {MAX_GOALS} goals"),
        ));
    }
    for (i, g) in goals.into_iter().enumerate() {
        match check_goal(&fw, user_id, g, today, &format!("goals[{i}]")) {
            Ok(g) => checked.push(g),
            Err(Error::Invalid(p)) => problems.extend(p),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    insert_plan(db, actor, user_id, target, checked).await
}

/// Drafts a plan from the advice: the chosen target's route (or the best
/// next move) and a goal for each of its actions.
pub async fn create_plan_from_advice(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    writer: &PlanWriter,
    target: Option<(&str, &str)>,
    today: NaiveDate,
    locale: Locale,
) -> Result<Plan> {
    let (actor, user_id) = (writer.by(), writer.subject());
    let paths = advancement::advancement_paths(db, store, &writer.reader(), target, today).await?;
    let chosen = paths
        .target
        .as_ref()
        .or(paths.moves.first())
        .ok_or_else(|| Error::invalid("target", "the framework offers no move from this level"))?;
    let goals = goals_from_advice(&paths.framework, chosen, &paths.mentors, today, locale);
    let target = (chosen.to_role.clone(), chosen.to_level.clone());
    insert_plan(db, actor, user_id, (&target.0, &target.1), goals).await
}

/// Opens a plan for writing: locks it, checks the caller may write it and
/// that it is open.
pub(crate) async fn open_for_write(
    txn: &DatabaseTransaction,
    actor: &Actor,
    plan_id: i64,
) -> Result<development_plan::Model> {
    lock_plan(txn, plan_id).await?;
    let row = plan_row(txn, plan_id).await?;
    policy::write_plan(actor, row.user_id)?;
    if row.open_slot.is_none() {
        return Err(Error::Conflict("this plan is closed".into()));
    }
    Ok(row)
}

/// A change of content: the plan is a draft again at a new revision, and
/// both must agree anew.
pub(crate) async fn bump_revision(
    txn: &DatabaseTransaction,
    row: development_plan::Model,
) -> Result<()> {
    let revision = row.revision + 1;
    let mut active: development_plan::ActiveModel = row.into();
    active.revision = Set(revision);
    active.status = Set(PlanStatus::Draft.as_str().into());
    active.updated_at = Set(crate::clock::now());
    active.update(txn).await?;
    Ok(())
}

/// Adds goals to an open plan.
pub async fn add_goals(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    actor: &Actor,
    plan_id: i64,
    goals: Vec<GoalInput>,
    today: NaiveDate,
) -> Result<Plan> {
    let fw = store.current(db).await?;
    let txn = db::begin_write(db).await?;
    let row = open_for_write(&txn, actor, plan_id).await?;
    let existing = development_goal::Entity::find()
        .filter(development_goal::Column::PlanId.eq(plan_id))
        .all(&txn)
        .await?;
    if existing.len() + goals.len() > MAX_GOALS {
        return Err(Error::invalid(
            "goals",
            format!("a plan holds at most {MAX_GOALS} goals"),
        ));
    }
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    for (i, g) in goals.into_iter().enumerate() {
        match check_goal(&fw, row.user_id, g, today, &format!("goals[{i}]")) {
            Ok(g) => checked.push(g),
            Err(Error::Invalid(p)) => problems.extend(p),
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    check_mentors(&txn, &checked).await?;
    let next = existing.iter().map(|g| g.position).max().unwrap_or(0) + 1;
    let titles: Vec<String> = checked.iter().map(|g| g.input.title.clone()).collect();
    let subject = row.user_id;
    insert_goals(&txn, plan_id, next, checked).await?;
    bump_revision(&txn, row).await?;
    let plan = load_plan(&txn, plan_id).await?;
    let added = Change::new("plan.goals_add", "development_plan", plan_id)
        .about(subject)
        .fact("title", titles);
    audit::commit(txn, [added]).await?;
    Ok(plan)
}

/// Changes a goal's title or due day (content: the plan needs agreeing again).
pub async fn edit_goal(
    db: &DatabaseConnection,
    actor: &Actor,
    goal_id: i64,
    title: Option<String>,
    due_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Plan> {
    let txn = db::begin_write(db).await?;
    let goal = super::goals::goal_row(&txn, goal_id).await?;
    let row = open_for_write(&txn, actor, goal.plan_id).await?;
    let mut p = Problems::new();
    let title = title.map(|t| t.trim().to_owned());
    if let Some(t) = &title
        && (t.is_empty() || t.chars().count() > MAX_TITLE)
    {
        p.add("title", format!("1 to {MAX_TITLE} characters"));
    }
    if due_on.is_some_and(|d| d < today) {
        p.add("dueOn", "cannot be in the past");
    }
    p.into_result()?;
    let plan_id = goal.plan_id;
    let before = goal.clone();
    let mut active: development_goal::ActiveModel = goal.into();
    if let Some(t) = title {
        active.title = Set(t);
    }
    if let Some(d) = due_on {
        active.due_on = Set(d);
    }
    active.updated_at = Set(crate::clock::now());
    let after = active.update(&txn).await?;
    let edited = Change::new("goal.edit", "development_goal", after.id)
        .about(row.user_id)
        .diff(Some(&before), Some(&after));
    bump_revision(&txn, row).await?;
    let plan = load_plan(&txn, plan_id).await?;
    audit::commit(txn, [edited]).await?;
    Ok(plan)
}

/// The person or a manager agrees the plan at `revision`, the one they read.
/// Both agreements on the current revision make it AGREED.
pub async fn agree_plan(
    db: &DatabaseConnection,
    actor: &Actor,
    plan_id: i64,
    revision: i32,
    today: NaiveDate,
) -> Result<Plan> {
    let txn = db::begin_write(db).await?;
    lock_plan(&txn, plan_id).await?;
    let row = plan_row(&txn, plan_id).await?;
    let side = policy::agree_plan(actor, row.user_id)?.side();
    if row.open_slot.is_none() {
        return Err(Error::Conflict("this plan is closed".into()));
    }
    if row.revision != revision {
        return Err(Error::Conflict(format!(
            "the plan changed since you read it (revision {} now, {revision} read): read it again before agreeing",
            row.revision
        )));
    }
    let now = crate::clock::now();
    let current = Some(i64::from(revision));
    let mut person = row.person_agreed_revision == current;
    let mut manager = row.manager_agreed_revision == current;
    let mut active: development_plan::ActiveModel = row.clone().into();
    match side {
        AgreeAs::Person => {
            person = true;
            active.person_agreed_revision = Set(current);
            active.person_agreed_at = Set(Some(now));
        }
        AgreeAs::Manager => {
            manager = true;
            active.manager_agreed_by = Set(Some(actor.user_id));
            active.manager_agreed_revision = Set(current);
            active.manager_agreed_at = Set(Some(now));
        }
    }
    if person && manager && row.status != PlanStatus::Agreed.as_str() {
        active.status = Set(PlanStatus::Agreed.as_str().into());
        active.agreed_on = Set(Some(today));
    }
    active.updated_at = Set(now);
    let after = active.update(&txn).await?;
    let plan = load_plan(&txn, plan_id).await?;
    let agreed = Change::new("plan.agree", "development_plan", plan_id)
        .about(row.user_id)
        .diff(Some(&row), Some(&after));
    audit::commit(txn, [agreed]).await?;
    Ok(plan)
}

/// Closes an open plan (finished or abandoned); a new one can then start.
pub async fn close_plan(db: &DatabaseConnection, actor: &Actor, plan_id: i64) -> Result<Plan> {
    let txn = db::begin_write(db).await?;
    let row = open_for_write(&txn, actor, plan_id).await?;
    let before = row.clone();
    let mut active: development_plan::ActiveModel = row.into();
    active.status = Set(PlanStatus::Closed.as_str().into());
    active.open_slot = Set(None);
    active.closed_at = Set(Some(crate::clock::now()));
    active.updated_at = Set(crate::clock::now());
    let after = active.update(&txn).await?;
    let plan = load_plan(&txn, plan_id).await?;
    let closed = Change::new("plan.close", "development_plan", plan_id)
        .about(before.user_id)
        .diff(Some(&before), Some(&after));
    audit::commit(txn, [closed]).await?;
    Ok(plan)
}
