use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "position_changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub from_role: Option<String>,
    pub from_level: Option<String>,
    pub to_role: Option<String>,
    pub to_level: Option<String>,
    pub effective_on: Date,
    pub changed_by: Option<i64>,
    pub changed_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
