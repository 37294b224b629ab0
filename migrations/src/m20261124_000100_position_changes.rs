//! Position history: every change of a person's job role or career level,
//! with the day it took effect, so time at level restarts on a promotion and
//! the path a person took is kept.

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
                    .table("position_changes")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(string_null("from_role"))
                    .col(string_null("from_level"))
                    .col(string_null("to_role"))
                    .col(string_null("to_level"))
                    // The day the new position took effect: the new `level_since`.
                    .col(date("effective_on"))
                    .col(big_integer_null("changed_by"))
                    .col(timestamp_with_time_zone("changed_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("position_changes", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("position_changes", "changed_by")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_position_changes_user")
                    .table("position_changes")
                    .col("user_id")
                    .col("effective_on")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("position_changes").to_owned())
            .await
    }
}
