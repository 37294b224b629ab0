use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "maturity_targets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub area_key: String,
    pub level: i16,
    pub set_by: Option<i64>,
    pub set_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
