use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "ratings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub assessment_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub skill_key: String,
    pub level: i16,
    pub evidence: Option<String>,
    #[sea_orm(belongs_to, from = "assessment_id", to = "id")]
    pub assessment: BelongsTo<super::assessment::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
