//! The outbox, for HR and admins.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::{MessageKind, OutboxStatus};
use crate::auth::Locale;
use crate::auth::policy;
use crate::graphql::context::{actor, state};
use crate::graphql::error::ApiResult;
use crate::graphql::global_id::{self, GlobalId, NodeType};
use crate::graphql::pagination::{Page, PageArgs, connection, window};

impl GlobalId for OutboxMessage {
    fn global_id(&self) -> ID {
        self.id.clone()
    }
}
/// An email in the outbox: queued, sent or failed, with its attempts.
#[derive(SimpleObject)]
pub struct OutboxMessage {
    /// The message's global id (`node(id:)` fetches it again).
    pub(crate) id: ID,
    /// Which email it is.
    kind: Option<MessageKind>,
    /// Where it goes.
    recipient_email: String,
    /// The language the message is written in.
    locale: Locale,
    /// Known once the message has been rendered for sending.
    subject: Option<String>,
    /// Pending, sent or failed.
    status: OutboxStatus,
    /// How many times sending was tried.
    attempts: i32,
    /// When the next attempt is due.
    next_attempt_at: DateTime<Utc>,
    /// Why the last attempt failed, if it did.
    last_error: Option<String>,
    /// When the message was queued.
    created_at: DateTime<Utc>,
    /// When the mail server accepted it.
    sent_at: Option<DateTime<Utc>>,
}

impl From<super::OutboxEntry> for OutboxMessage {
    fn from(r: super::OutboxEntry) -> Self {
        Self {
            id: global_id::encode(NodeType::OutboxMessage, r.id),
            kind: r.kind,
            recipient_email: r.recipient_email,
            locale: Locale::from_tag(&r.locale).unwrap_or_default(),
            subject: r.subject,
            status: r.status,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            last_error: r.last_error,
            created_at: r.created_at,
            sent_at: r.sent_at,
        }
    }
}

/// One message for `node(id:)` (HR and admins, as `emailOutbox`).
pub(crate) async fn message_by_id(ctx: &Context<'_>, id: i64) -> ApiResult<OutboxMessage> {
    let hr = policy::hr(actor(ctx)?)?;
    let entry = super::outbox_message(&state(ctx)?.db, &hr, id).await?;
    Ok(entry.into())
}

/// Narrows the outbox: by status, by recipient.
#[derive(InputObject, Default)]
pub struct OutboxFilter {
    /// Only messages in this status.
    pub status: Option<OutboxStatus>,
    /// Only mail to this address.
    pub recipient_email: Option<String>,
}

#[derive(Default)]
pub struct MailQuery;

#[Object]
impl MailQuery {
    /// Queued, sent and failed mail, newest first (HR and admins). A Relay
    /// connection: `first`/`after` (100 by default, at most 500 a page) or
    /// `last`/`before`; `totalCount` counts every matching message.
    #[graphql(complexity = "PageArgs::cost(first, last, 100, child_complexity)")]
    async fn email_outbox(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<OutboxFilter>,
        #[graphql(desc = "Items from the start or after `after`, 1 to 500.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items after it.")] after: Option<String>,
        #[graphql(desc = "Items from the end or before `before`, 1 to 500.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items before it.")] before: Option<String>,
    ) -> ApiResult<Page<OutboxMessage>> {
        let actor = actor(ctx)?;
        let db = &state(ctx)?.db;
        let filter = filter.unwrap_or_default();
        let query = super::OutboxQuery {
            status: filter.status,
            recipient: filter.recipient_email,
        };
        let hr = policy::hr(actor)?;
        let total = super::outbox_count(db, &hr, &query).await? as usize;
        let range = window(&PageArgs::new(first, after, last, before), total, 100)?;
        let rows = super::outbox(db, &hr, &query, range.start as u64, range.len() as u64).await?;
        let nodes: Vec<OutboxMessage> = rows.into_iter().map(OutboxMessage::from).collect();
        Ok(connection(range, total, nodes))
    }
}
