//! The audit trail: who changed what, when, on whose behalf, from where.
//!
//! Every service that changes records describes each change as a [`Change`]
//! and ends its transaction with [`commit`], which appends the entries to the
//! trail in the same transaction: a change that rolls back leaves no entry,
//! and no committed change lacks one. Security events that change nothing
//! else (a failed login) are appended alone with [`record_alone`].
//!
//! Who and where come from the [`AuditScope`] the caller runs in: the GraphQL
//! endpoint opens one per request (caller, request id, client address), jobs
//! and commands open one naming themselves. A change outside any scope is
//! still recorded, as `via: unscoped` with a warning in the log; the test
//! that walks every mutation checks each entry names its caller.
//!
//! Entries are chained: each carries a keyed hash (HMAC-SHA-256) of its
//! content and of the previous entry's hash, so `skillpath audit verify` finds
//! an entry edited, inserted or removed by anyone without the key. Personal
//! values (names, emails, free text) are kept beside the chain, which holds
//! only their keyed digests: erasing a person removes the values and leaves a
//! chain that still verifies.
//!
//! The domain histories (target changes, certification events, position
//! changes) stay where they are, as the domain's own account of a record's
//! life that screens show; the trail covers the same writes, as it covers
//! every other.

pub mod chain;
pub mod graphql;
pub mod read;
pub mod retention;
mod scope;
mod write;

use std::collections::BTreeMap;

use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};
use serde::Serialize;
use serde_json::Value;

pub use scope::{AuditKey, AuditScope, current_scope, install_default_key, within};

/// What an entry records: a change to records, or a security event (logins,
/// token reuse, password resets, role changes), which only admins read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Change,
    Security,
}

crate::db::stored::stored_enum!(Category in "audit_entries.category" {
    Change = "change",
    Security = "security",
});

/// Fields whose values never enter the trail, not even as a digest: that
/// they changed is recorded, what they hold is not.
const SECRET_FIELDS: &[&str] = &[
    "password_hash",
    "token_hash",
    "family_hash",
    "token",
    "secret",
];

/// Bookkeeping columns that change with every write and tell nobody anything.
const IGNORED_FIELDS: &[&str] = &["created_at", "updated_at"];

/// Fields that, in a record about a person, are that person's personal data:
/// the trail keeps them beside the chain so erasure can remove them.
const PERSONAL_FIELDS: &[&str] = &[
    "name",
    "email",
    "employee_id",
    "note",
    "notes",
    "next_steps",
    "body",
    "evidence",
    "url",
    "title",
    "credential",
    "snapshot",
    "reason",
];

/// What one field was and became.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub from: Value,
    pub to: Value,
}

/// One change to append to the trail.
#[derive(Debug, Clone)]
pub struct Change {
    pub(crate) action: &'static str,
    pub(crate) entity: &'static str,
    pub(crate) entity_id: Option<i64>,
    pub(crate) subject_id: Option<i64>,
    pub(crate) actor_id: Option<i64>,
    pub(crate) via: Option<String>,
    pub(crate) category: Category,
    pub(crate) fields: BTreeMap<String, FieldChange>,
}

impl Change {
    /// `action` is `entity.verb` (`user.update`, `cycle.advance`); `id` the
    /// record's id when it has one.
    pub fn new(action: &'static str, entity: &'static str, id: impl Into<Option<i64>>) -> Self {
        Self {
            action,
            entity,
            entity_id: id.into(),
            subject_id: None,
            actor_id: None,
            via: None,
            category: Category::Change,
            fields: BTreeMap::new(),
        }
    }

    /// The person the record is about: their history shows the entry, and
    /// erasing them removes its personal values.
    pub fn about(mut self, person: impl Into<Option<i64>>) -> Self {
        self.subject_id = person.into();
        self
    }

    /// Who acted, when the scope does not know yet (a login: the caller is
    /// anonymous until the password checks out).
    pub fn by(mut self, actor: i64) -> Self {
        self.actor_id = Some(actor);
        self
    }

    /// On whose behalf, when it is not the scope's (a row of an import).
    pub fn via(mut self, via: impl Into<String>) -> Self {
        self.via = Some(via.into());
        self
    }

    pub fn security(mut self) -> Self {
        self.category = Category::Security;
        self
    }

    /// One field, recorded only if it changed.
    pub fn field(mut self, name: &str, from: impl Serialize, to: impl Serialize) -> Self {
        let from = to_value(from);
        let to = to_value(to);
        if from != to && !IGNORED_FIELDS.contains(&name) {
            let (from, to) = if SECRET_FIELDS.contains(&name) {
                (Value::Null, Value::String("(changed)".into()))
            } else {
                (from, to)
            };
            self.fields
                .insert(name.to_owned(), FieldChange { from, to });
        }
        self
    }

    /// A fact about the change that is not a field of the record (rows
    /// imported, the reason given).
    pub fn fact(self, name: &str, value: impl Serialize) -> Self {
        self.field(name, Value::Null, value)
    }

    /// Every field that differs between two versions of a record (`None`:
    /// the record did not exist, or no longer does). Secrets are named, not
    /// recorded.
    pub fn diff<T: Serialize>(mut self, before: Option<&T>, after: Option<&T>) -> Self {
        let before = before.map(to_value).unwrap_or(Value::Null);
        let after = after.map(to_value).unwrap_or(Value::Null);
        let mut names: Vec<&String> = before
            .as_object()
            .into_iter()
            .chain(after.as_object())
            .flat_map(|o| o.keys())
            .collect();
        names.sort();
        names.dedup();
        for name in names {
            if name == "id" {
                continue;
            }
            let from = before.get(name).cloned().unwrap_or(Value::Null);
            let to = after.get(name).cloned().unwrap_or(Value::Null);
            self = self.field(name, from, to);
        }
        self
    }

    /// The parts of a document that differ, as paths (`skills.3.weight`),
    /// at most `limit` of them; beyond that a count says how many more.
    pub fn document_diff(
        mut self,
        before: &impl Serialize,
        after: &impl Serialize,
        limit: usize,
    ) -> Self {
        let mut found = Vec::new();
        walk_diff(
            String::new(),
            &to_value(before),
            &to_value(after),
            &mut found,
        );
        let more = found.len().saturating_sub(limit);
        for (path, from, to) in found.into_iter().take(limit) {
            self.fields.insert(path, FieldChange { from, to });
        }
        if more > 0 {
            self = self.fact("more_changes", more);
        }
        self
    }

    /// Whether a field's value is personal data of the entry's subject.
    pub(crate) fn is_personal(&self, field: &str) -> bool {
        // A document path (`goals.0.title`) is personal by its last part.
        let name = field.rsplit('.').next().unwrap_or(field);
        self.subject_id.is_some() && PERSONAL_FIELDS.contains(&name)
    }
}

fn walk_diff(path: String, before: &Value, after: &Value, found: &mut Vec<(String, Value, Value)>) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
                walk_diff(join(key), x, y, found);
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let (x, y) = (
                    a.get(i).unwrap_or(&Value::Null),
                    b.get(i).unwrap_or(&Value::Null),
                );
                walk_diff(join(&i.to_string()), x, y, found);
            }
        }
        (a, b) if a != b => found.push((path, a.clone(), b.clone())),
        _ => {}
    }
}

fn to_value(value: impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Appends `changes` to the trail and commits: the entries and the changes
/// they describe land together or not at all. The trail's lock is taken
/// here, last, so it is held only for the moment of the commit.
pub async fn commit(
    txn: DatabaseTransaction,
    changes: impl IntoIterator<Item = Change>,
) -> Result<(), DbErr> {
    write::append(&txn, changes.into_iter().collect()).await?;
    txn.commit().await
}

/// Appends one entry in a transaction of its own: security events that
/// change nothing else (a failed login).
pub async fn record_alone(db: &DatabaseConnection, change: Change) -> Result<(), DbErr> {
    let txn = crate::db::begin_write(db).await?;
    commit(txn, [change]).await
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_diff_records_what_changed_and_names_secrets_without_their_values() {
        let before = json!({"id": 1, "name": "Li", "role": "EMPLOYEE", "password_hash": "a",
                             "updated_at": "x"});
        let after = json!({"id": 1, "name": "Li", "role": "MANAGER", "password_hash": "b",
                            "updated_at": "y"});
        let change = Change::new("user.update", "user", 1).diff(Some(&before), Some(&after));
        assert_eq!(
            change.fields.keys().collect::<Vec<_>>(),
            ["password_hash", "role"]
        );
        assert_eq!(change.fields["role"].from, json!("EMPLOYEE"));
        assert_eq!(change.fields["password_hash"].from, Value::Null);
        assert_eq!(change.fields["password_hash"].to, json!("(changed)"));
    }

    #[test]
    fn a_created_record_lists_its_fields_and_personal_means_about_someone() {
        let row = json!({"id": 7, "name": "Wang", "team_id": 3});
        let change = Change::new("user.create", "user", 7).diff(None, Some(&row));
        assert_eq!(change.fields["name"].to, json!("Wang"));
        assert!(!change.is_personal("name"));
        let change = change.about(7);
        assert!(change.is_personal("name"));
        assert!(!change.is_personal("team_id"));
    }
}
