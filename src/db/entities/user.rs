use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub role: String,
    pub manager_id: Option<i64>,
    pub team_id: Option<i64>,
    pub locale: Option<String>,
    pub active: bool,
    pub job_role: Option<String>,
    pub career_level: Option<String>,
    pub level_since: Option<Date>,
    pub employee_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
