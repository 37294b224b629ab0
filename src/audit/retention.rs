//! Retention: entries older than the configured period are removed by a job,
//! oldest first, and the removal is itself an entry. It names the last entry
//! removed and that entry's hash (the anchor), so the trail that remains
//! still verifies from its new first entry, and the database lets entries go
//! only when such a prune entry covers them.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::{Change, write};
use crate::db::entities::audit_entry;

pub const PRUNE_ACTION: &str = "audit.prune";

/// Removes the entries written before `cutoff`; returns how many. Runs in
/// the caller's audit scope (the retention job's).
pub async fn prune(db: &DatabaseConnection, cutoff: DateTime<Utc>) -> Result<u64, DbErr> {
    use audit_entry::Column as C;
    let txn = crate::db::begin_write(db).await?;
    let last: Option<(i64, String)> = audit_entry::Entity::find()
        .select_only()
        .column(C::Id)
        .column(C::Hash)
        .filter(C::AtMicros.lt(cutoff.timestamp_micros()))
        .order_by_desc(C::Id)
        .into_tuple()
        .one(&txn)
        .await?;
    let Some((through, anchor)) = last else {
        return Ok(0);
    };
    let removed = audit_entry::Entity::find()
        .filter(C::Id.lte(through))
        .count(&txn)
        .await?;
    // The prune entry first: the database refuses to delete entries no
    // prune entry covers.
    write::append(
        &txn,
        vec![
            Change::new(PRUNE_ACTION, "audit", through)
                .fact("anchor", &anchor)
                .fact("removed", removed)
                .fact("before", cutoff.to_rfc3339()),
        ],
    )
    .await?;
    audit_entry::Entity::delete_many()
        .filter(C::Id.lte(through))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(removed)
}
