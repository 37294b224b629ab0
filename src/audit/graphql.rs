//! The trail as the API shows it: `auditLog` for HR and admins, and the
//! `history` of a person or a cycle within the caller's reach.

use async_graphql::{Context, Enum, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::Category;
use super::read::{self, AuditQuery, Trail};
use crate::auth::policy;
use crate::graphql::context::{actor, state};
use crate::graphql::error::{ApiResult, parse_any_id, parse_id};
use crate::graphql::global_id::{self, GlobalId, NodeType};
use crate::graphql::loaders::Loaders;
use crate::graphql::pagination::{Page, PageArgs, connection, window};
use crate::people::graphql::User;

/// What an audit entry records.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum AuditCategory {
    /// A change to people, records or the framework.
    Change,
    /// A login, a failed login, token reuse, a password reset, a role change.
    Security,
}

impl From<Category> for AuditCategory {
    fn from(c: Category) -> Self {
        match c {
            Category::Change => AuditCategory::Change,
            Category::Security => AuditCategory::Security,
        }
    }
}

/// One field of a change: what it was and what it became. Secrets are named
/// but never shown.
#[derive(SimpleObject)]
pub struct AuditFieldChange {
    /// The field's name, as the database calls it (`career_level`).
    field: String,
    /// The value before; null when the record did not exist, the field was
    /// empty, or the value was erased.
    from: Option<Json<serde_json::Value>>,
    /// The value after; null when the record was removed, the field emptied,
    /// or the value was erased.
    to: Option<Json<serde_json::Value>>,
    /// True when the values were personal data of a person since erased.
    erased: bool,
}

pub struct AuditEntry {
    entry: read::AuditEntry,
    /// Admins see the client address; HR and managers do not.
    show_address: bool,
}

impl GlobalId for AuditEntry {
    fn global_id(&self) -> ID {
        global_id::encode(NodeType::AuditEntry, self.entry.id)
    }
}
/// One entry of the audit trail: who did what to which record, when, on
/// whose behalf and from where.
#[Object]
impl AuditEntry {
    /// The entry's global id (`node(id:)` fetches it again); entries are
    /// numbered in the order they were written.
    async fn id(&self) -> ID {
        self.global_id()
    }
    /// When the change was made.
    async fn at(&self) -> DateTime<Utc> {
        self.entry.at
    }
    /// Who acted; null for jobs, commands and anonymous requests (a failed
    /// login), or when the person no longer exists.
    async fn actor(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        person(ctx, self.entry.actor_id).await
    }
    /// What acted, or on whose behalf, when it was not a person's request:
    /// `import`, `job:certification-reminders`, `cli:import-people`,
    /// `startup`, `retention`.
    async fn via(&self) -> Option<&str> {
        self.entry.via.as_deref()
    }
    /// What was done, as `entity.verb`: `user.update`, `cycle.advance`,
    /// `auth.login_failed`.
    async fn action(&self) -> &str {
        &self.entry.action
    }
    /// A change, or a security event.
    async fn category(&self) -> AuditCategory {
        self.entry.category.into()
    }
    /// The kind of record changed: `user`, `team`, `cycle`, `target`, …
    async fn entity(&self) -> &str {
        &self.entry.entity
    }
    /// The changed record's id, when it has one: its global id when that
    /// kind of record is a `Node` (a user, team, cycle, assessment, target,
    /// actual, certification record, plan or goal), else the bare number.
    async fn entity_id(&self) -> Option<ID> {
        let id = self.entry.entity_id?;
        Some(match NodeType::of_audit_entity(&self.entry.entity) {
            Some(kind) => global_id::encode(kind, id),
            None => ID(id.to_string()),
        })
    }
    /// The person the record is about, if any.
    async fn subject(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        person(ctx, self.entry.subject_id).await
    }
    /// The fields that changed, or the facts of the event.
    async fn changes(&self) -> Vec<AuditFieldChange> {
        self.entry
            .changes
            .iter()
            .map(|c| AuditFieldChange {
                field: c.field.clone(),
                from: c.from.clone().map(Json),
                to: c.to.clone().map(Json),
                erased: c.erased,
            })
            .collect()
    }
    /// The request's id, as in the server's log and the `x-request-id`
    /// header.
    async fn request_id(&self) -> Option<&str> {
        self.entry.request_id.as_deref()
    }
    /// The client's address; shown to admins only.
    async fn client_address(&self) -> Option<&str> {
        self.entry
            .client_addr
            .as_deref()
            .filter(|_| self.show_address)
    }
    /// The entry's link in the chain (`skillpath audit verify` checks them).
    async fn hash(&self) -> &str {
        &self.entry.hash
    }
}

/// One entry for `node(id:)`, if the caller reads it on some trail.
pub(crate) async fn entry_by_id(ctx: &Context<'_>, id: i64) -> ApiResult<AuditEntry> {
    let actor = actor(ctx)?;
    let entry = read::entry_in_reach(&state(ctx)?.db, actor, id).await?;
    Ok(AuditEntry {
        entry,
        show_address: policy::can_see_addresses(actor),
    })
}

async fn person(ctx: &Context<'_>, id: Option<i64>) -> ApiResult<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    let loaders = ctx.data::<Loaders>()?;
    Ok(loaders.person.load_one(id).await?.map(User))
}

/// Narrows the audit trail; every part is optional.
#[derive(InputObject, Default)]
pub struct AuditFilter {
    /// Entries about this person.
    person: Option<ID>,
    /// Entries made by this person.
    actor: Option<ID>,
    /// Entries about this kind of record (`user`, `team`, `cycle`, …).
    entity: Option<String>,
    /// Entries about the record with this id (with `entity`).
    entity_id: Option<ID>,
    /// Entries of this action (`user.update`).
    action: Option<String>,
    /// Entries written at or after this moment.
    from: Option<DateTime<Utc>>,
    /// Entries written before this moment.
    to: Option<DateTime<Utc>>,
}

impl AuditFilter {
    fn parse(self) -> ApiResult<AuditQuery> {
        let user =
            |v: Option<ID>, field: &str| v.map(|v| parse_id(&v, field, NodeType::User)).transpose();
        // Any record's id: with a global id the type is in it, but the
        // filter still goes by `entity`, as it did for bare numbers.
        let entity_id = self
            .entity_id
            .map(|v| parse_any_id(&v, "filter.entityId").map(|(_, id)| id))
            .transpose()?;
        Ok(AuditQuery {
            person: user(self.person, "filter.person")?,
            actor: user(self.actor, "filter.actor")?,
            entity: self.entity,
            entity_id,
            action: self.action,
            from: self.from,
            to: self.to,
        })
    }
}

/// A page of `trail`, newest first, as far as the caller may read it.
pub async fn history_page(
    ctx: &Context<'_>,
    trail: Trail,
    args: PageArgs,
) -> ApiResult<Page<AuditEntry>> {
    let db = &state(ctx)?.db;
    let actor = actor(ctx)?;
    let (reach, query) = read::reach_for(actor, trail)?;
    let show_address = policy::can_see_addresses(actor);
    let total = read::count(db, &reach, &query).await?;
    let range = window(&args, total, 50)?;
    let entries = read::page(db, &reach, &query, range.clone()).await?;
    Ok(connection(
        range,
        total,
        entries.into_iter().map(|entry| AuditEntry {
            entry,
            show_address,
        }),
    ))
}

#[derive(Default)]
pub struct AuditLogQuery;

#[Object]
impl AuditLogQuery {
    /// The audit trail, newest first: admins read all of it, HR the changes
    /// to people and records (no security events). A Relay connection
    /// (`first`/`after` or `last`/`before`, 50 by default, at most 500).
    #[graphql(complexity = "PageArgs::cost(first, last, 50, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the trail.")] filter: Option<AuditFilter>,
        #[graphql(desc = "Items from the start or after `after`, 1 to 500.")] first: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items after it.")] after: Option<String>,
        #[graphql(desc = "Items from the end or before `before`, 1 to 500.")] last: Option<i32>,
        #[graphql(desc = "Cursor from this list: the items before it.")] before: Option<String>,
    ) -> ApiResult<Page<AuditEntry>> {
        let trail = Trail::Organisation(filter.unwrap_or_default().parse()?);
        history_page(ctx, trail, PageArgs::new(first, after, last, before)).await
    }
}
