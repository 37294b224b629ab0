//! The reminder job: a mail to the person when a goal of their open plan is
//! overdue, and to the person and their manager when a check-in on an agreed
//! plan is due. Each due item is reminded once (one row per kind, item and
//! due day: a goal whose due day moves is a new item); queued in the same
//! transaction as that row, through the outbox.

use std::collections::HashMap;
use std::time::Duration;

use chrono::NaiveDate;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter,
    Set,
};
use serde_json::json;

use super::progress::check_in_due_on;
use super::{GoalStatus, PlanStatus};
use crate::audit::{self, Change};
use crate::db::entities::{development_goal, development_plan, development_reminder as reminder};
use crate::db::{self};
use crate::error::Result;
use crate::mail::{self, MessageKind};

const GOAL_OVERDUE: &str = "GOAL_OVERDUE";
const CHECK_IN_DUE: &str = "CHECK_IN_DUE";

#[derive(FromQueryResult)]
struct LastCheckIn {
    plan_id: i64,
    held_on: Option<NaiveDate>,
}

/// HR runs the reminder job now, besides its own schedule. Returns how many
/// reminders were new.
pub async fn run_development_reminders(
    db: &DatabaseConnection,
    _hr: &crate::auth::policy::HrOffice,
    check_in_days: u32,
    today: NaiveDate,
) -> Result<u64> {
    let queued = queue_development_reminders(db, check_in_days, today).await?;
    let run = Change::new("reminders.run", "job", None)
        .fact("job", "development-reminders")
        .fact("queued", queued);
    audit::record_alone(db, run).await?;
    Ok(queued)
}

/// Queues the reminders due on `today`. Returns how many were new.
pub async fn queue_development_reminders(
    db: &DatabaseConnection,
    check_in_days: u32,
    today: NaiveDate,
) -> Result<u64> {
    let plans: HashMap<i64, development_plan::Model> = development_plan::Entity::find()
        .filter(development_plan::Column::OpenSlot.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    if plans.is_empty() {
        return Ok(0);
    }
    let overdue = development_goal::Entity::find()
        .filter(development_goal::Column::Status.is_in([
            GoalStatus::Planned.as_str(),
            GoalStatus::InProgress.as_str(),
        ]))
        .filter(development_goal::Column::DueOn.lt(today))
        .all(db)
        .await?;
    let last = LastCheckIn::find_by_statement(db::statement(
        db.get_database_backend(),
        "SELECT plan_id, MAX(held_on) AS held_on FROM development_checkins GROUP BY plan_id",
        [],
    ))
    .all(db)
    .await?;
    let last: HashMap<i64, NaiveDate> = last
        .into_iter()
        .filter_map(|l| Some((l.plan_id, l.held_on?)))
        .collect();

    let txn = db::begin_write(db).await?;
    let mut queued = 0;
    for goal in overdue {
        let Some(plan) = plans.get(&goal.plan_id) else {
            continue;
        };
        if !remember(&txn, GOAL_OVERDUE, plan.id, goal.id, goal.due_on).await? {
            continue;
        }
        queued += 1;
        let to = mail::recipients(&txn, &[plan.user_id]).await?;
        if let Some(person) = to.get(&plan.user_id) {
            mail::enqueue(
                &txn,
                person,
                MessageKind::DevelopmentGoalOverdue,
                &format!("/development/{}", plan.user_id),
                json!({
                    "goal_title": goal.title,
                    "due_on": goal.due_on.to_string(),
                    "days_overdue": (today - goal.due_on).num_days(),
                }),
            )
            .await?;
        }
    }
    for plan in plans.values() {
        if plan.status != PlanStatus::Agreed.as_str() {
            continue;
        }
        let last_held = last.get(&plan.id).copied();
        let Some(due) = check_in_due_on(plan.agreed_on, last_held, check_in_days) else {
            continue;
        };
        if due > today || !remember(&txn, CHECK_IN_DUE, plan.id, plan.id, due).await? {
            continue;
        }
        queued += 1;
        let person = crate::people::people_by_ids(&txn, &[plan.user_id])
            .await?
            .remove(&plan.user_id);
        let Some(person) = person else { continue };
        let mut ids = vec![plan.user_id];
        ids.extend(person.manager_id);
        let to = mail::recipients(&txn, &ids).await?;
        for id in ids {
            let Some(r) = to.get(&id) else { continue };
            mail::enqueue(
                &txn,
                r,
                MessageKind::DevelopmentCheckInDue,
                &format!("/development/{}", plan.user_id),
                json!({
                    "due_on": due.to_string(),
                    "last_check_in": last_held.map(|d| d.to_string()).unwrap_or_default(),
                    "person_name": person.name,
                    "is_manager_copy": id != plan.user_id,
                }),
            )
            .await?;
        }
    }
    txn.commit().await?;
    if queued > 0 {
        tracing::info!(queued, "development plan reminders queued");
    }
    Ok(queued)
}

/// Records that `item` was reminded for `due_on`; false when it already was.
async fn remember(
    txn: &impl ConnectionTrait,
    kind: &str,
    plan_id: i64,
    item_id: i64,
    due_on: NaiveDate,
) -> Result<bool> {
    let inserted = reminder::Entity::insert(reminder::ActiveModel {
        kind: Set(kind.into()),
        plan_id: Set(plan_id),
        item_id: Set(item_id),
        due_on: Set(due_on),
        queued_at: Set(crate::clock::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            reminder::Column::Kind,
            reminder::Column::ItemId,
            reminder::Column::DueOn,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(inserted > 0)
}

/// Runs the job now and then, beside the certification reminders.
pub fn spawn_development_reminder_job(
    db: DatabaseConnection,
    check_in_days: u32,
    every: Duration,
    scope: crate::audit::AuditScope,
    clock: crate::clock::Clock,
) -> tokio::task::JoinHandle<()> {
    let job = async move {
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            let today = crate::clock::today();
            if let Err(err) = queue_development_reminders(&db, check_in_days, today).await {
                tracing::error!(error = %err, "development reminder job failed");
            }
        }
    };
    tokio::spawn(crate::audit::within(scope, clock.scope(job)))
}
