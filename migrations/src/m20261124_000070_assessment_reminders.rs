//! Due-date reminders of assessment cycles, one row per person, cycle, kind
//! and stage, so a reminder is queued once however often the job runs.

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
                    .table("assessment_reminders")
                    .col(big_integer("cycle_id"))
                    .col(big_integer("user_id"))
                    // SELF_DUE (to a participant), REVIEW_OPEN or REVIEW_DUE (to a reviewer).
                    .col(string_len("kind", 16))
                    // Days before the due date (0 for REVIEW_OPEN).
                    .col(integer("stage_days"))
                    .col(timestamp_with_time_zone("queued_at"))
                    .primary_key(
                        Index::create()
                            .col("cycle_id")
                            .col("user_id")
                            .col("kind")
                            .col("stage_days"),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("assessment_reminders", "cycle_id")
                            .to("assessment_cycles", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("assessment_reminders", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("assessment_reminders").to_owned())
            .await
    }
}
