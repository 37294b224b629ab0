//! Teams, users (with their reporting line and place in the framework) and
//! refresh tokens.

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
                    .table("teams")
                    .col(big_pk_auto("id"))
                    .col(string("name"))
                    .col(big_integer_null("parent_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("teams", "parent_id")
                            .to("teams", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("users")
                    .col(big_pk_auto("id"))
                    // Stored lower-cased: the unique index makes emails unique case-insensitively.
                    .col(string_uniq("email"))
                    .col(string("name"))
                    // Null until the person sets one (invited accounts).
                    .col(string_null("password_hash"))
                    .col(string_len("role", 16))
                    .col(big_integer_null("manager_id"))
                    .col(big_integer_null("team_id"))
                    .col(string_len_null("locale", 16))
                    .col(boolean("active"))
                    // Place in the competency framework: job role and career level keys.
                    .col(string_null("job_role"))
                    .col(string_null("career_level"))
                    .col(date_null("level_since"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("users", "manager_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("users", "team_id")
                            .to("teams", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_users_manager", "manager_id"),
            ("idx_users_team", "team_id"),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table("users")
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("refresh_tokens")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    // All tokens rotated from one login share a family; reuse of a
                    // spent token revokes the whole family.
                    .col(string_len("family_id", 36))
                    // SHA-256 of the opaque token: the token itself is never stored.
                    .col(string_len_uniq("token_hash", 64))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("refresh_tokens", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_refresh_tokens_family")
                    .table("refresh_tokens")
                    .col("family_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["refresh_tokens", "users", "teams"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
