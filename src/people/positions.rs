//! Position history: a change of job role or career level is recorded with
//! the day it took effect, and time at level starts again from that day.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QueryOrder, Set,
};

use crate::auth::Actor;
use crate::auth::policy::WorkReader;
use crate::db::entities::position_change;
use crate::error::Result;

/// A position: job role and career level, either possibly unset.
pub type Position = (Option<String>, Option<String>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionChange {
    pub id: i64,
    pub user_id: i64,
    pub from: Position,
    pub to: Position,
    pub effective_on: NaiveDate,
    pub changed_by: Option<i64>,
    pub changed_at: DateTime<Utc>,
}

impl From<position_change::Model> for PositionChange {
    fn from(m: position_change::Model) -> Self {
        Self {
            id: m.id,
            user_id: m.user_id,
            from: (m.from_role, m.from_level),
            to: (m.to_role, m.to_level),
            effective_on: m.effective_on,
            changed_by: m.changed_by,
            changed_at: m.changed_at,
        }
    }
}

/// Records a change inside the caller's transaction (the one that changes
/// the person's row, with that row locked).
pub(super) async fn record(
    txn: &DatabaseTransaction,
    actor: &Actor,
    user_id: i64,
    from: Position,
    to: Position,
    effective_on: NaiveDate,
) -> Result<()> {
    position_change::ActiveModel {
        user_id: Set(user_id),
        from_role: Set(from.0),
        from_level: Set(from.1),
        to_role: Set(to.0),
        to_level: Set(to.1),
        effective_on: Set(effective_on),
        changed_by: Set(Some(actor.user_id)),
        changed_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// A person's position changes, oldest first: their own, their managers' and HR's to read.
pub async fn position_history(
    db: &DatabaseConnection,
    reader: &WorkReader,
) -> Result<Vec<PositionChange>> {
    let user_id = reader.subject();
    Ok(position_change::Entity::find()
        .filter(position_change::Column::UserId.eq(user_id))
        .order_by_asc(position_change::Column::EffectiveOn)
        .order_by_asc(position_change::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}
