//! Framework versions: each one a whole framework document. Published
//! versions are never changed; a draft is edited until it is published.

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
                    .table("framework_versions")
                    .col(big_pk_auto("id"))
                    // Assigned at publication: 1, 2, 3…
                    .col(integer_null("number").unique_key())
                    .col(string_len("status", 16))
                    // 1 for the draft, null once published: the unique index allows
                    // any number of nulls, so at most one draft can exist at a time.
                    .col(integer_null("draft_slot").unique_key())
                    // The document as JSON (see src/framework/document.rs).
                    .col(text("document"))
                    .col(big_integer_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(big_integer_null("published_by"))
                    .col(timestamp_with_time_zone_null("published_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("framework_versions", "created_by")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("framework_versions", "published_by")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_framework_versions_status")
                    .table("framework_versions")
                    .col("status")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("framework_versions").to_owned())
            .await
    }
}
