//! Moves made in a talent review's calibration session: HR places a person
//! in another box than the computed one, with a reason. Kept beside the
//! computed placement, never over it; the newest move of a person in a
//! period is the calibrated one, and the earlier ones stay as history.

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
                    .table("talent_moves")
                    .col(big_pk_auto("id"))
                    .col(string_len("period", 16))
                    .col(big_integer("user_id"))
                    // LOW, MEDIUM or HIGH.
                    .col(string_len("performance", 8))
                    .col(string_len("potential", 8))
                    .col(text("reason"))
                    .col(big_integer_null("moved_by"))
                    .col(timestamp_with_time_zone("moved_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("talent_moves", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("talent_moves", "moved_by")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_talent_moves_period_user")
                    .table("talent_moves")
                    .col("period")
                    .col("user_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("talent_moves").to_owned())
            .await
    }
}
