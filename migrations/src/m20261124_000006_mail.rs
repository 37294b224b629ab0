//! The transactional email outbox and single-use account tokens (invitations
//! and password resets).

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
                    .table("email_outbox")
                    .col(big_pk_auto("id"))
                    .col(string_len("kind", 40))
                    .col(string("recipient_email"))
                    .col(big_integer_null("recipient_user_id"))
                    .col(string_len("locale", 16))
                    // The template's variables (JSON), written in the transaction of the
                    // change that causes the mail; rendered when sent, then scrubbed
                    // (they may hold a single-use token).
                    .col(text("vars"))
                    // Set when rendered, kept for the outbox listing.
                    .col(string_null("subject"))
                    // PENDING → SENT, or FAILED after the last attempt.
                    .col(string_len("status", 16))
                    .col(integer("attempts"))
                    .col(timestamp_with_time_zone("next_attempt_at"))
                    .col(text_null("last_error"))
                    // A worker's lease: while it lasts, no other worker touches the row.
                    .col(string_null("claimed_by"))
                    .col(timestamp_with_time_zone_null("claimed_until"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("email_outbox", "recipient_user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_email_outbox_due")
                    .table("email_outbox")
                    .col("status")
                    .col("next_attempt_at")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("account_tokens")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    // INVITATION or PASSWORD_RESET
                    .col(string_len("purpose", 16))
                    // SHA-256 of the token; the token itself only travels in the mail.
                    .col(string_len_uniq("token_hash", 64))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("account_tokens", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["account_tokens", "email_outbox"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
