//! The chain: each entry's hash covers its content and the previous entry's
//! hash, keyed, so the trail cannot be edited, shortened in the middle or
//! added to by anyone without the key without `verify` saying where.

use std::collections::HashSet;

use hmac::Mac;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::Value;

use super::AuditKey;
use crate::db::entities::{audit_entry, audit_value};

/// The `prev_hash` of the first entry ever written.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry's hash covers: every column but its id and its hashes.
pub fn content(e: &audit_entry::Model) -> String {
    serde_json::to_string(&(
        e.at_micros,
        e.actor_id,
        &e.via,
        &e.action,
        &e.category,
        &e.entity,
        e.entity_id,
        e.subject_id,
        &e.changes,
        &e.request_id,
        &e.client_addr,
    ))
    .unwrap_or_default()
}

/// The hash of an entry whose predecessor's hash is `prev`.
pub fn link(key: &AuditKey, prev: &str, content: &str) -> String {
    let mut mac = key.mac();
    mac.update(prev.as_bytes());
    mac.update(b"\n");
    mac.update(content.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The keyed digest of a personal value kept beside the chain.
pub fn digest(key: &AuditKey, value: &str) -> String {
    let mut mac = key.mac();
    mac.update(b"value\n");
    mac.update(value.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Verification {
    pub entries: u64,
    pub last_id: Option<i64>,
    /// The newest entry's hash: kept somewhere else, it also shows a trail
    /// cut short at its end.
    pub tip: Option<String>,
    pub problems: Vec<String>,
}

impl Verification {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

const BATCH: u64 = 1000;

/// Walks the whole trail in order, checking every link and every personal
/// value still held. A value erased with its person is not a problem; a
/// value that no longer matches its digest is.
pub async fn verify(db: &impl ConnectionTrait, key: &AuditKey) -> Result<Verification, DbErr> {
    let anchors = prune_anchors(db).await?;
    let mut report = Verification::default();
    let mut prev: Option<String> = None;
    let mut after = i64::MIN;
    loop {
        let batch = audit_entry::Entity::find()
            .filter(audit_entry::Column::Id.gt(after))
            .order_by_asc(audit_entry::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        let values = audit_value::Entity::find()
            .filter(audit_value::Column::EntryId.between(batch[0].id, last.id))
            .all(db)
            .await?;
        for entry in &batch {
            match &prev {
                None if entry.prev_hash != GENESIS && !anchors.contains(&entry.prev_hash) => {
                    report.problems.push(format!(
                        "entry {} is the first, but neither the first ever written nor the \
                         first after a pruning: entries before it are missing",
                        entry.id
                    ))
                }
                Some(p) if *p != entry.prev_hash => report.problems.push(format!(
                    "entry {} does not follow the entry before it: an entry was removed or \
                     inserted before {}",
                    entry.id, entry.id
                )),
                _ => {}
            }
            if link(key, &entry.prev_hash, &content(entry)) != entry.hash {
                report.problems.push(format!(
                    "entry {} was changed after it was written",
                    entry.id
                ));
            }
            let changes: Value = serde_json::from_str(&entry.changes).unwrap_or(Value::Null);
            for value in values.iter().filter(|v| v.entry_id == entry.id) {
                let (field, side) = value.path.rsplit_once('.').unwrap_or((&value.path, ""));
                let expected = changes
                    .get(field)
                    .and_then(|c| c.get(side))
                    .and_then(|d| d.get("digest"))
                    .and_then(Value::as_str);
                if expected != Some(digest(key, &value.value).as_str()) {
                    report.problems.push(format!(
                        "a personal value of entry {} ({}) was changed after it was written",
                        entry.id, value.path
                    ));
                }
            }
            prev = Some(entry.hash.clone());
            report.entries += 1;
        }
    }
    report.last_id = (after != i64::MIN).then_some(after);
    report.tip = prev;
    Ok(report)
}

/// The hashes pruning removed the trail down to: a trail may start there.
async fn prune_anchors(db: &impl ConnectionTrait) -> Result<HashSet<String>, DbErr> {
    let prunes: Vec<String> = audit_entry::Entity::find()
        .select_only()
        .column(audit_entry::Column::Changes)
        .filter(audit_entry::Column::Action.eq(super::retention::PRUNE_ACTION))
        .into_tuple()
        .all(db)
        .await?;
    Ok(prunes
        .iter()
        .filter_map(|c| serde_json::from_str::<Value>(c).ok())
        .filter_map(|c| c.get("anchor")?.get("to")?.as_str().map(str::to_owned))
        .collect())
}
