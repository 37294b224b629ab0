//! The expiry reminder job: finds earned certificates that expire within the
//! configured window and queues one reminder per stage reached (for example
//! 60, 30 and 7 days before). The last stage also tells the person's
//! manager. Queued reminders are sent by the mail worker; queueing twice is
//! harmless (one row per record, expiry date and stage).

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};

use super::{RecordStatus, today};
use crate::auth::{Actor, policy};
use crate::db::entities::{certification_record as record, certification_reminder as reminder};
use crate::error::Result;

/// The stage a certificate `days_left` from expiry has reached: the tightest
/// stage not yet passed. A job that first sees a record 5 days out queues
/// the 7-day stage only, not 60, 30 and 7 at once.
pub fn stage_for(days_left: i64, stages: &[u32]) -> Option<u32> {
    stages
        .iter()
        .copied()
        .filter(|s| days_left <= i64::from(*s))
        .min()
}

/// Queues the reminders due on `today`. Returns how many were new.
pub async fn queue_expiry_reminders(
    db: &DatabaseConnection,
    stages: &[u32],
    today: NaiveDate,
) -> Result<u64> {
    let Some(window) = stages.iter().copied().max() else {
        return Ok(0);
    };
    let last_stage = stages.iter().copied().min();
    let until = today + chrono::Days::new(u64::from(window));
    let due = record::Entity::find()
        .filter(record::Column::Status.eq(RecordStatus::Earned.as_str()))
        .filter(record::Column::ExpiresOn.gte(today))
        .filter(record::Column::ExpiresOn.lte(until))
        .all(db)
        .await?;
    let now = Utc::now();
    let rows: Vec<reminder::ActiveModel> = due
        .into_iter()
        .filter_map(|r| {
            let expires = r.expires_on?;
            let stage = stage_for((expires - today).num_days(), stages)?;
            Some(reminder::ActiveModel {
                record_id: Set(r.id),
                user_id: Set(r.user_id),
                expires_on: Set(expires),
                stage_days: Set(stage as i32),
                notify_manager: Set(Some(stage) == last_stage),
                queued_at: Set(now),
                sent_at: Set(None),
                ..Default::default()
            })
        })
        .collect();
    if rows.is_empty() {
        return Ok(0);
    }
    let mut queued = 0;
    for chunk in rows.chunks(500) {
        let result = reminder::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    reminder::Column::RecordId,
                    reminder::Column::ExpiresOn,
                    reminder::Column::StageDays,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        queued += result;
    }
    if queued > 0 {
        tracing::info!(queued, "certification expiry reminders queued");
    }
    Ok(queued)
}

/// Runs the reminder job now and then, until the returned handle is dropped
/// with the runtime. A failed run is logged and retried at the next tick.
pub fn spawn_reminder_job(
    db: DatabaseConnection,
    stages: Vec<u32>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            if let Err(err) = queue_expiry_reminders(&db, &stages, today()).await {
                tracing::error!(error = %err, "certification reminder job failed");
            }
        }
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub id: i64,
    pub record_id: i64,
    pub user_id: i64,
    pub expires_on: NaiveDate,
    pub stage_days: i32,
    pub notify_manager: bool,
    pub queued_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// Queued and sent reminders, newest first (HR).
pub async fn list_reminders(db: &DatabaseConnection, actor: &Actor) -> Result<Vec<Reminder>> {
    policy::hr(actor)?;
    Ok(reminder::Entity::find()
        .order_by_desc(reminder::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| Reminder {
            id: r.id,
            record_id: r.record_id,
            user_id: r.user_id,
            expires_on: r.expires_on,
            stage_days: r.stage_days,
            notify_manager: r.notify_manager,
            queued_at: r.queued_at,
            sent_at: r.sent_at,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tightest_stage_reached_is_queued() {
        let stages = [60, 30, 7];
        assert_eq!(stage_for(90, &stages), None);
        assert_eq!(stage_for(60, &stages), Some(60));
        assert_eq!(stage_for(45, &stages), Some(60));
        assert_eq!(stage_for(12, &stages), Some(30));
        assert_eq!(stage_for(5, &stages), Some(7));
        assert_eq!(stage_for(0, &stages), Some(7));
    }
}
