//! The maturity level leadership aims for in each skill area, one row per
//! area. The computed maturity is never stored: it follows from the
//! evidence whenever it is asked for; only the aim is a decision to keep.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("maturity_targets")
                    .col(big_pk_auto("id"))
                    .col(string_len_uniq("area_key", 64))
                    // 1 (initial) to 5 (optimising).
                    .col(small_integer("level").check(Expr::col("level").between(1, 5)))
                    .col(big_integer_null("set_by"))
                    .col(timestamp_with_time_zone("set_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("maturity_targets", "set_by")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("maturity_targets").to_owned())
            .await
    }
}
