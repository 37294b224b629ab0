//! Due-date reminders of assessment cycles: a participant whose
//! self-assessment is not submitted as its due date nears, reviewers when
//! manager review opens, and reviewers with reviews still open as that due
//! date nears. One reminder per person, cycle, kind and stage (a row in
//! `assessment_reminders`), queued through the outbox in one transaction.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use serde_json::json;

use super::{AssessmentKind, AssessmentStatus, CycleStatus};
use crate::certification::stage_for;
use crate::db::entities::{assessment, assessment_cycle, cycle_participant};
use crate::db::{self};
use crate::error::Result;
use crate::mail::{self, MessageKind};

const SELF_DUE: &str = "SELF_DUE";
const REVIEW_OPEN: &str = "REVIEW_OPEN";
const REVIEW_DUE: &str = "REVIEW_DUE";

/// Queues the reminders due on `today` for every cycle whose due date is
/// within the largest stage. Returns how many reminders were new.
pub async fn queue_due_reminders(
    db: &DatabaseConnection,
    stages: &[u32],
    today: NaiveDate,
) -> Result<u64> {
    let Some(window) = stages.iter().copied().max() else {
        return Ok(0);
    };
    let until = today + chrono::Days::new(u64::from(window));
    let cycles = assessment_cycle::Entity::find()
        .filter(assessment_cycle::Column::Status.is_in([
            CycleStatus::SelfAssessment.as_str(),
            CycleStatus::ManagerReview.as_str(),
        ]))
        .all(db)
        .await?;
    let txn = db::begin_write(db).await?;
    let mut queued = 0;
    for cycle in cycles {
        let (due, kind) = if cycle.status == CycleStatus::SelfAssessment.as_str() {
            (cycle.self_due, AssessmentKind::SelfRating)
        } else {
            (cycle.manager_due, AssessmentKind::Manager)
        };
        let Some(due) = due.filter(|d| *d >= today && *d <= until) else {
            continue;
        };
        let days_left = (due - today).num_days();
        let Some(stage) = stage_for(days_left, stages) else {
            continue;
        };
        let pending = pending_by_person(&txn, cycle.id, kind).await?;
        for (person, count) in pending {
            let (reminder, message, vars) = match kind {
                AssessmentKind::SelfRating => (
                    SELF_DUE,
                    MessageKind::SelfAssessmentDue,
                    json!({"cycle_name": cycle.name, "due_date": due.to_string(), "days_left": days_left}),
                ),
                _ => (
                    REVIEW_DUE,
                    MessageKind::ManagerReviewDue,
                    json!({"cycle_name": cycle.name, "due_date": due.to_string(), "days_left": days_left, "pending": count}),
                ),
            };
            if remind(&txn, cycle.id, person, reminder, stage, message, vars).await? {
                queued += 1;
            }
        }
    }
    txn.commit().await?;
    if queued > 0 {
        tracing::info!(queued, "assessment due-date reminders queued");
    }
    Ok(queued)
}

/// Tells each reviewer that manager review has opened and how many people
/// wait for them. Runs in the transaction that moves the cycle.
pub(super) async fn review_opened(
    txn: &impl ConnectionTrait,
    cycle: &assessment_cycle::Model,
) -> Result<()> {
    let due = cycle.manager_due.map(|d| d.to_string()).unwrap_or_default();
    for (reviewer, count) in pending_by_person(txn, cycle.id, AssessmentKind::Manager).await? {
        let vars = json!({"cycle_name": cycle.name, "due_date": due, "pending": count});
        remind(
            txn,
            cycle.id,
            reviewer,
            REVIEW_OPEN,
            0,
            MessageKind::ManagerReviewOpen,
            vars,
        )
        .await?;
    }
    Ok(())
}

/// Who still owes an assessment of `kind` in the cycle, and how many: for
/// self-assessments each participant who has not submitted (count 1); for
/// manager reviews each reviewer, with the number of their people not yet
/// reviewed.
async fn pending_by_person(
    db: &impl ConnectionTrait,
    cycle_id: i64,
    kind: AssessmentKind,
) -> Result<BTreeMap<i64, i64>> {
    let participants: Vec<(i64, Option<i64>)> = cycle_participant::Entity::find()
        .select_only()
        .column(cycle_participant::Column::UserId)
        .column(cycle_participant::Column::ReviewerId)
        .filter(cycle_participant::Column::CycleId.eq(cycle_id))
        .into_tuple()
        .all(db)
        .await?;
    let done: HashSet<i64> = assessment::Entity::find()
        .select_only()
        .column(assessment::Column::SubjectId)
        .filter(assessment::Column::CycleId.eq(cycle_id))
        .filter(assessment::Column::Kind.eq(kind.as_str()))
        .filter(assessment::Column::Status.eq(AssessmentStatus::Submitted.as_str()))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut pending = BTreeMap::new();
    for (person, reviewer) in participants {
        if done.contains(&person) {
            continue;
        }
        let owner = match kind {
            AssessmentKind::SelfRating => Some(person),
            _ => reviewer,
        };
        if let Some(owner) = owner {
            *pending.entry(owner).or_insert(0) += 1;
        }
    }
    Ok(pending)
}

/// Records the reminder and queues its mail, unless it was queued before.
async fn remind(
    txn: &impl ConnectionTrait,
    cycle_id: i64,
    person: i64,
    reminder: &str,
    stage: u32,
    message: MessageKind,
    vars: serde_json::Value,
) -> Result<bool> {
    let insert = Query::insert()
        .into_table("assessment_reminders")
        .columns(["cycle_id", "user_id", "kind", "stage_days", "queued_at"])
        .values_panic([
            cycle_id.into(),
            person.into(),
            reminder.into(),
            (stage as i32).into(),
            Expr::val(crate::clock::now()),
        ])
        .on_conflict(
            OnConflict::columns(["cycle_id", "user_id", "kind", "stage_days"])
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    let inserted = txn.execute(&insert).await?.rows_affected();
    if inserted == 0 {
        return Ok(false);
    }
    let Some(to) = mail::recipients(txn, &[person]).await?.remove(&person) else {
        return Ok(true);
    };
    mail::enqueue(txn, &to, message, &format!("/assessments/{cycle_id}"), vars).await?;
    Ok(true)
}
