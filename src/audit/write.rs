//! Appending entries: under the trail's lock, so two transactions never
//! chain to the same predecessor.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ConnectionTrait, DatabaseBackend, DatabaseTransaction,
    DbErr, EntityTrait, QueryOrder, QuerySelect, Set,
};
use serde_json::{Map, Value, json};

use super::scope::scope_or_default;
use super::{AuditScope, Change, chain};
use crate::db::entities::{audit_entry, audit_value};

/// Any fixed number: the key of the trail's transaction-scoped advisory lock.
const TRAIL_LOCK_KEY: i64 = 0x0a0d_17ed;

pub(super) async fn append(txn: &DatabaseTransaction, changes: Vec<Change>) -> Result<(), DbErr> {
    if changes.is_empty() {
        return Ok(());
    }
    let scope = scope_or_default().ok_or_else(|| {
        DbErr::Custom("audit: a change was recorded outside an audit scope".into())
    })?;
    // SQLite writers already hold the database's one write lock (see
    // `db::begin_write`); PostgreSQL writers queue here until commit.
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_raw(crate::db::statement(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [TRAIL_LOCK_KEY.into()],
        ))
        .await?;
    }
    let mut prev: String = audit_entry::Entity::find()
        .select_only()
        .column(audit_entry::Column::Hash)
        .order_by_desc(audit_entry::Column::Id)
        .into_tuple()
        .one(txn)
        .await?
        .unwrap_or_else(|| chain::GENESIS.to_owned());
    // Wall time, not the domain's clock (`clock`): the trail records when a
    // change really happened, and a test moving the application's time must
    // not give later entries earlier times than those before them (from a
    // CLI process or another replica on the system time). Retention compares
    // these with the clock's now, so moving the clock on still ages them.
    let at_micros = Utc::now().timestamp_micros();
    for change in changes {
        let (changes, personal) = render(&scope, &change);
        let mut row = audit_entry::Model {
            id: 0,
            at_micros,
            actor_id: change.actor_id.or(scope.actor_id),
            via: change.via.clone().or_else(|| scope.via.clone()),
            action: change.action.to_owned(),
            category: change.category.as_str().to_owned(),
            entity: change.entity.to_owned(),
            entity_id: change.entity_id,
            subject_id: change.subject_id,
            changes,
            request_id: scope.request_id.clone(),
            client_addr: scope.client_addr.clone(),
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        row.hash = chain::link(&scope.key, &prev, &chain::content(&row));
        prev = row.hash.clone();
        let mut active: audit_entry::ActiveModel = row.into();
        active.id = NotSet;
        let inserted = active.insert(txn).await?;
        if let Some(subject_id) = change.subject_id
            && !personal.is_empty()
        {
            audit_value::Entity::insert_many(personal.into_iter().map(|(path, value)| {
                audit_value::ActiveModel {
                    entry_id: Set(inserted.id),
                    path: Set(path),
                    subject_id: Set(subject_id),
                    value: Set(value),
                }
            }))
            .exec(txn)
            .await?;
        }
    }
    Ok(())
}

/// The chained `changes` document, with each personal value replaced by its
/// digest, and the personal values to keep beside it (`field.from`,
/// `field.to`).
fn render(scope: &AuditScope, change: &Change) -> (String, Vec<(String, String)>) {
    let mut personal = Vec::new();
    let mut document = Map::new();
    for (name, field) in &change.fields {
        let mut side = |which: &str, value: &Value| {
            if value.is_null() || !change.is_personal(name) {
                return value.clone();
            }
            let text = value.to_string();
            let digest = chain::digest(&scope.key, &text);
            personal.push((format!("{name}.{which}"), text));
            json!({ "digest": digest })
        };
        let from = side("from", &field.from);
        let to = side("to", &field.to);
        document.insert(name.clone(), json!({ "from": from, "to": to }));
    }
    (Value::Object(document).to_string(), personal)
}
