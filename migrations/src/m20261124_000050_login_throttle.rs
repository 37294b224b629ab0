//! Login attempts counted in the database, so that every server process of a
//! deployment shares one count (an in-memory count gave N replicas N times
//! the guesses).

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
                    .table("login_throttle")
                    // `pair:<email>|<address>`, `addr:<address>` or `account:<email>`.
                    .col(string_len("key", 400).primary_key())
                    // Attempts in the current window that did not succeed
                    // (counted when they start, so parallel guesses count too).
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone("window_started_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_login_throttle_window")
                    .table("login_throttle")
                    .col("window_started_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("login_throttle").to_owned())
            .await
    }
}
