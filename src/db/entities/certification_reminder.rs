use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "certification_reminders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub record_id: i64,
    pub user_id: i64,
    pub expires_on: Date,
    pub stage_days: i32,
    pub notify_manager: bool,
    pub queued_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    /// The outbox message to the holder, whose sending sets `sent_at`.
    pub outbox_id: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
