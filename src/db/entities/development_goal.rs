use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "development_goals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub plan_id: i64,
    pub position: i32,
    pub kind: String,
    pub title: String,
    pub source_action: Option<String>,
    pub skill_key: Option<String>,
    pub required_level: Option<i16>,
    pub baseline_level: Option<i16>,
    pub kpi_key: Option<String>,
    pub certification_key: Option<String>,
    pub resource_key: Option<String>,
    pub mentor_id: Option<i64>,
    pub due_on: Date,
    pub status: String,
    pub done_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "plan_id", to = "id")]
    pub plan: BelongsTo<super::development_plan::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
