//! Reading the trail: filtered, newest first, a window at a time, with the
//! personal values still held put back in place of their digests.

use std::ops::Range;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use serde_json::Value;

use super::Category;
use crate::auth::Actor;
use crate::auth::policy::{self, TrailReader};
use crate::db::entities::{audit_entry, audit_value};
use crate::error::{Error, Result};

/// Which entries a reader may see (decided by `auth::policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditReach {
    /// Changes and security events: admins, and people reading their own.
    Everything,
    /// Changes to people and records: HR, managers.
    ChangesOnly,
}

/// What to look for; every part optional.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Entries about this person.
    pub person: Option<i64>,
    /// Entries by this person.
    pub actor: Option<i64>,
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// One entry, as readers see it.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub via: Option<String>,
    pub action: String,
    pub category: Category,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub subject_id: Option<i64>,
    pub changes: Vec<ChangedField>,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
    pub hash: String,
}

/// One field of an entry. A personal value whose person was erased is
/// `None` with `erased` set.
#[derive(Debug, Clone)]
pub struct ChangedField {
    pub field: String,
    pub from: Option<Value>,
    pub to: Option<Value>,
    pub erased: bool,
}

/// Which part of the trail a reader asks for.
#[derive(Debug, Clone)]
pub enum Trail {
    /// The organisation's, narrowed by the query: HR and admins.
    Organisation(AuditQuery),
    /// One person's history.
    Person(i64),
    /// One assessment cycle's history: HR and admins.
    Cycle(i64),
}

/// What `actor` may read of `trail`, as a reach and a query; refused when
/// the trail is out of their reach.
pub fn reach_for(actor: &Actor, trail: Trail) -> Result<(TrailReader, AuditQuery)> {
    Ok(match trail {
        Trail::Organisation(query) => (policy::audit_log(actor)?, query),
        Trail::Person(person) => (
            policy::person_history(actor, person)?,
            AuditQuery {
                person: Some(person),
                ..AuditQuery::default()
            },
        ),
        Trail::Cycle(cycle) => (
            policy::audit_log(actor)?,
            AuditQuery {
                entity: Some("cycle".into()),
                entity_id: Some(cycle),
                ..AuditQuery::default()
            },
        ),
    })
}

fn select(reach: AuditReach, query: &AuditQuery) -> Select<audit_entry::Entity> {
    use audit_entry::Column as C;
    let mut condition = Condition::all();
    if reach == AuditReach::ChangesOnly {
        condition = condition.add(C::Category.eq(Category::Change.as_str()));
    }
    if let Some(person) = query.person {
        condition = condition.add(C::SubjectId.eq(person));
    }
    if let Some(actor) = query.actor {
        condition = condition.add(C::ActorId.eq(actor));
    }
    if let Some(entity) = &query.entity {
        condition = condition.add(C::Entity.eq(entity.as_str()));
    }
    if let Some(id) = query.entity_id {
        condition = condition.add(C::EntityId.eq(id));
    }
    if let Some(action) = &query.action {
        condition = condition.add(C::Action.eq(action.as_str()));
    }
    if let Some(from) = query.from {
        condition = condition.add(C::AtMicros.gte(from.timestamp_micros()));
    }
    if let Some(to) = query.to {
        condition = condition.add(C::AtMicros.lt(to.timestamp_micros()));
    }
    audit_entry::Entity::find().filter(condition)
}

pub async fn count(
    db: &impl ConnectionTrait,
    reader: &TrailReader,
    query: &AuditQuery,
) -> Result<usize> {
    let total = select(reader.reach(), query).count(db).await?;
    Ok(usize::try_from(total).unwrap_or(usize::MAX))
}

/// The entries at positions `window` of the newest-first list.
pub async fn page(
    db: &impl ConnectionTrait,
    reader: &TrailReader,
    query: &AuditQuery,
    window: Range<usize>,
) -> Result<Vec<AuditEntry>> {
    if window.is_empty() {
        return Ok(Vec::new());
    }
    let rows = select(reader.reach(), query)
        .order_by_desc(audit_entry::Column::Id)
        .offset(window.start as u64)
        .limit(window.len() as u64)
        .all(db)
        .await?;
    with_values(db, rows).await
}

/// One entry, if the caller may read it on some trail: the organisation's
/// (HR, admins) or its subject's history (the person, their managers). The
/// wider of the two reaches decides whether a security event shows.
pub async fn entry_in_reach(
    db: &impl ConnectionTrait,
    actor: &Actor,
    entry_id: i64,
) -> Result<AuditEntry> {
    let row = audit_entry::Entity::find_by_id(entry_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("audit entry"))?;
    let reaches = [
        policy::audit_log(actor).ok().map(|r| r.reach()),
        row.subject_id
            .and_then(|person| policy::person_history(actor, person).ok())
            .map(|r| r.reach()),
    ];
    let reach = if reaches.contains(&Some(AuditReach::Everything)) {
        AuditReach::Everything
    } else if reaches.contains(&Some(AuditReach::ChangesOnly)) {
        AuditReach::ChangesOnly
    } else {
        return Err(Error::Forbidden("you cannot see this audit entry"));
    };
    let rows = select(reach, &AuditQuery::default())
        .filter(audit_entry::Column::Id.eq(entry_id))
        .all(db)
        .await?;
    with_values(db, rows)
        .await?
        .pop()
        .ok_or(Error::NotFound("audit entry"))
}

/// Entries with the personal values still held put back in place.
async fn with_values(
    db: &impl ConnectionTrait,
    rows: Vec<audit_entry::Model>,
) -> Result<Vec<AuditEntry>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let values = if ids.is_empty() {
        Vec::new()
    } else {
        audit_value::Entity::find()
            .filter(audit_value::Column::EntryId.is_in(ids))
            .all(db)
            .await?
    };
    rows.into_iter()
        .map(|row| {
            let held: Vec<&audit_value::Model> =
                values.iter().filter(|v| v.entry_id == row.id).collect();
            entry(row, &held)
        })
        .collect()
}

fn entry(row: audit_entry::Model, held: &[&audit_value::Model]) -> Result<AuditEntry> {
    let document: Value = serde_json::from_str(&row.changes).unwrap_or(Value::Null);
    let mut changes = Vec::new();
    if let Some(fields) = document.as_object() {
        for (field, change) in fields {
            let mut erased = false;
            let mut side = |which: &str| -> Option<Value> {
                let value = change.get(which).cloned().unwrap_or(Value::Null);
                if value.get("digest").is_none() {
                    return (!value.is_null()).then_some(value);
                }
                let path = format!("{field}.{which}");
                match held.iter().find(|v| v.path == path) {
                    Some(v) => serde_json::from_str(&v.value).ok(),
                    None => {
                        erased = true;
                        None
                    }
                }
            };
            let from = side("from");
            let to = side("to");
            changes.push(ChangedField {
                field: field.clone(),
                from,
                to,
                erased,
            });
        }
    }
    Ok(AuditEntry {
        id: row.id,
        at: DateTime::from_timestamp_micros(row.at_micros).unwrap_or_default(),
        actor_id: row.actor_id,
        via: row.via,
        action: row.action,
        category: Category::from_stored(&row.category)?,
        entity: row.entity,
        entity_id: row.entity_id,
        subject_id: row.subject_id,
        changes,
        request_id: row.request_id,
        client_addr: row.client_addr,
        hash: row.hash,
    })
}
