//! The outbox, for HR and admins.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::{MessageKind, OutboxStatus};
use crate::graphql::context::{actor, state};
use crate::graphql::error::ApiResult;

#[derive(SimpleObject)]
pub struct OutboxMessage {
    id: ID,
    kind: Option<MessageKind>,
    recipient_email: String,
    locale: String,
    /// Known once the message has been rendered for sending.
    subject: Option<String>,
    status: OutboxStatus,
    attempts: i32,
    next_attempt_at: DateTime<Utc>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
}

#[derive(InputObject, Default)]
pub struct OutboxFilter {
    pub status: Option<OutboxStatus>,
    pub recipient_email: Option<String>,
}

#[derive(Default)]
pub struct MailQuery;

#[Object]
impl MailQuery {
    /// Queued, sent and failed mail, newest first (HR and admins).
    #[graphql(complexity = "crate::graphql::limits::cost::per_item(first, child_complexity)")]
    async fn email_outbox(
        &self,
        ctx: &Context<'_>,
        filter: Option<OutboxFilter>,
        #[graphql(default = 100, validator(minimum = 1, maximum = 500))] first: i32,
    ) -> ApiResult<Vec<OutboxMessage>> {
        let actor = actor(ctx)?;
        let filter = filter.unwrap_or_default();
        let rows = super::outbox(
            &state(ctx)?.db,
            actor,
            filter.status,
            filter.recipient_email.as_deref(),
            first as u64,
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| OutboxMessage {
                id: ID(r.id.to_string()),
                kind: r.kind,
                recipient_email: r.recipient_email,
                locale: r.locale,
                subject: r.subject,
                status: r.status,
                attempts: r.attempts,
                next_attempt_at: r.next_attempt_at,
                last_error: r.last_error,
                created_at: r.created_at,
                sent_at: r.sent_at,
            })
            .collect())
    }
}
