use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "assessments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub cycle_id: i64,
    pub subject_id: i64,
    pub assessor_id: i64,
    pub kind: String,
    pub revision: i32,
    pub status: String,
    pub submitted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "cycle_id", to = "id")]
    pub cycle: BelongsTo<super::assessment_cycle::Entity>,
    #[sea_orm(has_many)]
    pub ratings: HasMany<super::rating::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
