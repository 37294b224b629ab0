use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "development_plans")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub target_role: String,
    pub target_level: String,
    pub status: String,
    pub open_slot: Option<i32>,
    pub revision: i32,
    pub created_by: Option<i64>,
    pub person_agreed_revision: Option<i64>,
    pub person_agreed_at: Option<DateTimeUtc>,
    pub manager_agreed_by: Option<i64>,
    pub manager_agreed_revision: Option<i64>,
    pub manager_agreed_at: Option<DateTimeUtc>,
    pub agreed_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
