//! The expiry reminder job: finds earned certificates that expire within the
//! configured window and queues one reminder per stage reached (for example
//! 60, 30 and 7 days before). The last stage also tells the person's
//! manager. Queued reminders are sent by the mail worker; queueing twice is
//! harmless (one row per record, expiry date and stage). A reminder keeps
//! the outbox id of its mail to the holder, and the worker sets the
//! reminder's `sent_at` when it sends that mail (`reminder_mail_sent`).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};

use serde_json::json;

use super::{RecordStatus, today};
use crate::audit::{self, Change};
use crate::auth::policy::HrOffice;
use crate::db::entities::{
    certification_record as record, certification_reminder as reminder, user,
};
use crate::db::{self};
use crate::error::Result;
use crate::framework::{Framework, FrameworkStore};
use crate::mail::{self, MessageKind, Recipient};

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

/// HR runs the reminder job now, besides its own schedule. Returns how many
/// reminders were newly queued.
pub async fn run_expiry_reminders(
    db: &DatabaseConnection,
    store: &FrameworkStore,
    _hr: &HrOffice,
    stages: &[u32],
    today: NaiveDate,
) -> Result<u64> {
    let queued = queue_expiry_reminders(db, store, stages, today).await?;
    let run = Change::new("reminders.run", "job", None)
        .fact("job", "certification-reminders")
        .fact("queued", queued);
    audit::record_alone(db, run).await?;
    Ok(queued)
}

/// Queues the reminders due on `today`, and with each its mail to the person
/// (and, at the last stage, to their manager), in one transaction. Returns
/// how many reminders were new.
pub async fn queue_expiry_reminders(
    db: &DatabaseConnection,
    store: &FrameworkStore,
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
    if due.is_empty() {
        return Ok(0);
    }
    let fw = store.current(db).await?;
    let now = crate::clock::now();
    let txn = db::begin_write(db).await?;
    let mut queued = 0;
    for r in due {
        let Some(expires) = r.expires_on else {
            continue;
        };
        let days_left = (expires - today).num_days();
        let Some(stage) = stage_for(days_left, stages) else {
            continue;
        };
        let notify_manager = Some(stage) == last_stage;
        let inserted = reminder::Entity::insert(reminder::ActiveModel {
            record_id: Set(r.id),
            user_id: Set(r.user_id),
            expires_on: Set(expires),
            stage_days: Set(stage as i32),
            notify_manager: Set(notify_manager),
            queued_at: Set(now),
            sent_at: Set(None),
            outbox_id: Set(None),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                reminder::Column::RecordId,
                reminder::Column::ExpiresOn,
                reminder::Column::StageDays,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        if inserted == 0 {
            continue;
        }
        queued += 1;
        let holders_mail = notify(&txn, &fw, &r, expires, days_left, notify_manager).await?;
        if let Some(outbox_id) = holders_mail {
            reminder::Entity::update_many()
                .col_expr(reminder::Column::OutboxId, Expr::value(outbox_id))
                .filter(reminder::Column::RecordId.eq(r.id))
                .filter(reminder::Column::ExpiresOn.eq(expires))
                .filter(reminder::Column::StageDays.eq(stage as i32))
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    if queued > 0 {
        tracing::info!(queued, "certification expiry reminders queued");
    }
    Ok(queued)
}

/// Queues the reminder's mail to the holder and, when asked, a copy to their
/// manager. Returns the outbox id of the holder's mail; none is queued (and
/// `None` returned) when the holder's account is inactive.
async fn notify(
    txn: &impl ConnectionTrait,
    fw: &Framework,
    r: &record::Model,
    expires: NaiveDate,
    days_left: i64,
    notify_manager: bool,
) -> Result<Option<i64>> {
    let holder = user::Entity::find_by_id(r.user_id).one(txn).await?;
    let Some(holder) = holder.filter(|u| u.active) else {
        return Ok(None);
    };
    let mut audience = vec![(Recipient::from_user(&holder), false)];
    if notify_manager
        && let Some(manager) = holder.manager_id
        && let Some(m) = mail::recipients(txn, &[manager]).await?.remove(&manager)
    {
        audience.push((m, true));
    }
    let mut holders_mail = None;
    for (to, is_manager_copy) in audience {
        let name = fw
            .certification(&r.certification_key)
            .map_or(r.certification_key.clone(), |c| {
                c.name.get(to.locale).to_owned()
            });
        let outbox_id = mail::enqueue(
            txn,
            &to,
            MessageKind::CertificationExpiring,
            &format!("/certifications/{}", r.id),
            json!({
                "certification_name": name,
                "expires_on": expires.to_string(),
                "days_left": days_left,
                "is_manager_copy": is_manager_copy,
                "person_name": holder.name,
            }),
        )
        .await?;
        if !is_manager_copy {
            holders_mail = Some(outbox_id);
        }
    }
    Ok(holders_mail)
}

/// Records that the outbox message `outbox_id` went out at `at`: if it is a
/// reminder's mail to the holder, the reminder counts as sent then. The mail
/// worker calls this in the transaction that marks the message sent.
pub async fn reminder_mail_sent(
    txn: &impl ConnectionTrait,
    outbox_id: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    reminder::Entity::update_many()
        .col_expr(reminder::Column::SentAt, Expr::value(at))
        .filter(reminder::Column::OutboxId.eq(outbox_id))
        .filter(reminder::Column::SentAt.is_null())
        .exec(txn)
        .await?;
    Ok(())
}

/// Runs the reminder job now and then, until the returned handle is dropped
/// with the runtime. A failed run is logged and retried at the next tick.
pub fn spawn_reminder_job(
    db: DatabaseConnection,
    store: Arc<FrameworkStore>,
    stages: Vec<u32>,
    every: Duration,
    scope: crate::audit::AuditScope,
    clock: crate::clock::Clock,
) -> tokio::task::JoinHandle<()> {
    let job = async move {
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            if let Err(err) = queue_expiry_reminders(&db, &store, &stages, today()).await {
                tracing::error!(error = %err, "certification reminder job failed");
            }
        }
    };
    tokio::spawn(crate::audit::within(scope, clock.scope(job)))
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
pub async fn list_reminders(db: &DatabaseConnection, _hr: &HrOffice) -> Result<Vec<Reminder>> {
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
