//! Check-ins: the person and a manager meet on the plan now and then and
//! note what happened and what comes next. The cadence decides when the
//! next one is due (see `progress::check_in_due_on`).

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Set,
};

use super::plans::{load_plan, open_for_write};
use super::{MAX_NOTES, Plan};
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::db::{self, entities::development_checkin};
use crate::error::{Error, Problems, Result};

/// At most this many check-ins per plan: weekly for ten years.
pub const MAX_CHECK_INS: u64 = 520;

/// Records a check-in held on `held_on` (not in the future).
pub async fn record_check_in(
    db: &DatabaseConnection,
    actor: &Actor,
    plan_id: i64,
    held_on: NaiveDate,
    notes: String,
    next_steps: Option<String>,
    today: NaiveDate,
) -> Result<Plan> {
    let notes = notes.trim().to_owned();
    let next_steps = next_steps
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    let mut p = Problems::new();
    if notes.is_empty() || notes.chars().count() > MAX_NOTES {
        p.add("notes", format!("1 to {MAX_NOTES} characters"));
    }
    if next_steps
        .as_deref()
        .is_some_and(|n| n.chars().count() > MAX_NOTES)
    {
        p.add(
            "nextSteps",
            format!("must be at most {MAX_NOTES} characters"),
        );
    }
    if held_on > today {
        p.add("heldOn", "cannot be in the future");
    }
    p.into_result()?;
    let txn = db::begin_write(db).await?;
    let plan_row = open_for_write(&txn, actor, plan_id).await?;
    let count = development_checkin::Entity::find()
        .filter(development_checkin::Column::PlanId.eq(plan_id))
        .count(&txn)
        .await?;
    if count >= MAX_CHECK_INS {
        return Err(Error::invalid(
            "planId",
            format!("a plan holds at most {MAX_CHECK_INS} check-ins"),
        ));
    }
    let check_in = development_checkin::ActiveModel {
        plan_id: Set(plan_id),
        held_on: Set(held_on),
        notes: Set(notes),
        next_steps: Set(next_steps),
        recorded_by: Set(Some(actor.user_id)),
        recorded_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let plan = load_plan(&txn, plan_id).await?;
    let recorded = Change::new("plan.check_in", "development_checkin", check_in.id)
        .about(plan_row.user_id)
        .diff(None, Some(&check_in));
    audit::commit(txn, [recorded]).await?;
    Ok(plan)
}
