use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "framework_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: Option<i32>,
    pub status: String,
    pub draft_slot: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub document: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub published_by: Option<i64>,
    pub published_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
