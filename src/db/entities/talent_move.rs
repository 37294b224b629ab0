use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "talent_moves")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub period: String,
    pub user_id: i64,
    pub performance: String,
    pub potential: String,
    pub reason: String,
    pub moved_by: Option<i64>,
    pub moved_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
