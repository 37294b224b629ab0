//! Email: a transactional outbox. The row for a message is written in the
//! same transaction as the change that causes it (so a mail is queued if and
//! only if the change happened); a background worker sends it with retries.
//! A failing SMTP server delays mail but never fails a user's action.

pub mod graphql;
pub mod templates;
mod worker;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::{Value, json};

pub use self::templates::{MessageKind, Templates};
pub use self::worker::*;
use crate::auth::Locale;
use crate::auth::policy::HrOffice;
use crate::db::entities::{email_outbox, user};
use crate::error::Result;

/// Who a message goes to, with the language it is written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub email: String,
    pub user_id: Option<i64>,
    pub name: String,
    pub locale: Locale,
}

impl Recipient {
    pub fn from_user(u: &user::Model) -> Self {
        Self {
            email: u.email.clone(),
            user_id: Some(u.id),
            name: u.name.clone(),
            locale: u
                .locale
                .as_deref()
                .and_then(Locale::from_tag)
                .unwrap_or_default(),
        }
    }
}

/// The people behind `ids` who can receive mail (active accounts), by id.
pub async fn recipients(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Recipient>> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?
        .iter()
        .map(|u| (u.id, Recipient::from_user(u)))
        .collect())
}

/// Queues a message on `db` (pass the transaction of the change causing it).
/// `path` is where the message's link points, below the public URL. Returns
/// the message's outbox id.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    to: &Recipient,
    kind: MessageKind,
    path: &str,
    vars: Value,
) -> Result<i64> {
    let mut all = json!({"recipient_name": to.name, "path": path});
    if let (Some(target), Value::Object(extra)) = (all.as_object_mut(), vars) {
        target.extend(extra);
    }
    // Wall time, not the domain's clock (`clock`): the worker that sends
    // the message measures due times and leases in real time.
    let now = Utc::now();
    let message = email_outbox::ActiveModel {
        kind: Set(kind.name().into()),
        recipient_email: Set(to.email.clone()),
        recipient_user_id: Set(to.user_id),
        locale: Set(to.locale.tag().into()),
        vars: Set(all.to_string()),
        subject: Set(None),
        status: Set(OutboxStatus::Pending.as_str().into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        claimed_by: Set(None),
        claimed_until: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(message.id)
}

/// Where a message in the outbox stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum OutboxStatus {
    /// Waiting to be sent, or to be tried again.
    Pending,
    /// Accepted by the mail server.
    Sent,
    /// Gave up after the last attempt.
    Failed,
}

crate::db::stored::stored_enum!(OutboxStatus in "email_outbox.status" {
    Pending = "PENDING",
    Sent = "SENT",
    Failed = "FAILED",
});

/// An outbox row as HR sees it: never its variables (they may hold a token).
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub id: i64,
    pub kind: Option<MessageKind>,
    pub recipient_email: String,
    pub locale: String,
    pub subject: Option<String>,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// The outbox, newest first (HR and admins).
/// Which messages of the outbox to list.
#[derive(Debug, Clone, Default)]
pub struct OutboxQuery {
    pub status: Option<OutboxStatus>,
    pub recipient: Option<String>,
}

impl OutboxQuery {
    fn select(&self) -> sea_orm::Select<email_outbox::Entity> {
        let mut query = email_outbox::Entity::find();
        if let Some(status) = self.status {
            query = query.filter(email_outbox::Column::Status.eq(status.as_str()));
        }
        if let Some(recipient) = &self.recipient {
            query = query
                .filter(email_outbox::Column::RecipientEmail.eq(recipient.trim().to_lowercase()));
        }
        query
    }
}

/// How many messages match (HR and admins).
pub async fn outbox_count(
    db: &DatabaseConnection,
    _hr: &HrOffice,
    filter: &OutboxQuery,
) -> Result<u64> {
    Ok(filter.select().count(db).await?)
}

/// Messages, newest first, from `offset` (HR and admins).
pub async fn outbox(
    db: &DatabaseConnection,
    _hr: &HrOffice,
    filter: &OutboxQuery,
    offset: u64,
    limit: u64,
) -> Result<Vec<OutboxEntry>> {
    let query = filter
        .select()
        .order_by_desc(email_outbox::Column::Id)
        .offset(offset)
        .limit(limit);
    query.all(db).await?.into_iter().map(outbox_entry).collect()
}

/// One message of the outbox (HR and admins).
pub async fn outbox_message(
    db: &DatabaseConnection,
    _hr: &HrOffice,
    message_id: i64,
) -> Result<OutboxEntry> {
    email_outbox::Entity::find_by_id(message_id)
        .one(db)
        .await?
        .map(outbox_entry)
        .ok_or(crate::error::Error::NotFound("outbox message"))?
}

fn outbox_entry(r: email_outbox::Model) -> Result<OutboxEntry> {
    Ok(OutboxEntry {
        id: r.id,
        kind: MessageKind::from_name(&r.kind),
        recipient_email: r.recipient_email,
        locale: r.locale,
        subject: r.subject,
        status: OutboxStatus::from_stored(&r.status)?,
        attempts: r.attempts,
        next_attempt_at: r.next_attempt_at,
        last_error: r.last_error,
        created_at: r.created_at,
        sent_at: r.sent_at,
    })
}
