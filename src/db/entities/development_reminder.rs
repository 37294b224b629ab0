use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "development_reminders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub plan_id: i64,
    pub item_id: i64,
    pub due_on: Date,
    pub queued_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
