use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at_micros: i64,
    pub actor_id: Option<i64>,
    pub via: Option<String>,
    pub action: String,
    pub category: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub subject_id: Option<i64>,
    pub changes: String,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl ActiveModelBehavior for ActiveModel {}
