//! Each person's certification records, their history, and the expiry
//! reminders queued for them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    from_table: &'static str,
    from_col: &'static str,
    to: &'static str,
    action: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to, "id")
        .on_delete(action)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("certification_records")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(string("certification_key"))
                    // PLANNED, IN_PROGRESS, EARNED or WITHDRAWN. "Expired" is never
                    // stored: it is read from expires_on and today's date.
                    .col(string_len("status", 16))
                    .col(integer("progress"))
                    .col(date_null("started_on"))
                    .col(date_null("target_on"))
                    .col(date_null("earned_on"))
                    .col(date_null("expires_on"))
                    .col(string_null("credential"))
                    .col(big_integer_null("verified_by"))
                    .col(timestamp_with_time_zone_null("verified_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "certification_records",
                        "user_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "certification_records",
                        "verified_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_certification_records_person")
                    .table("certification_records")
                    .col("user_id")
                    .col("certification_key")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_certification_records_expiry")
                    .table("certification_records")
                    .col("status")
                    .col("expires_on")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("certification_events")
                    .col(big_pk_auto("id"))
                    .col(big_integer("record_id"))
                    // RECORDED, UPDATED, VERIFIED or WITHDRAWN, with the record after it (JSON).
                    .col(string_len("action", 16))
                    .col(text("snapshot"))
                    .col(big_integer_null("changed_by"))
                    .col(timestamp_with_time_zone("changed_at"))
                    .foreign_key(&mut fk(
                        "certification_events",
                        "record_id",
                        "certification_records",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "certification_events",
                        "changed_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_certification_events_record")
                    .table("certification_events")
                    .col("record_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("certification_reminders")
                    .col(big_pk_auto("id"))
                    .col(big_integer("record_id"))
                    .col(big_integer("user_id"))
                    // The expiry this reminder is about: a renewed record gets new reminders.
                    .col(date("expires_on"))
                    // Days before expiry this reminder stage stands for (e.g. 60, 30, 7).
                    .col(integer("stage_days"))
                    // The last stage also tells the manager.
                    .col(boolean("notify_manager"))
                    .col(timestamp_with_time_zone("queued_at"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .foreign_key(&mut fk(
                        "certification_reminders",
                        "record_id",
                        "certification_records",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "certification_reminders",
                        "user_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_certification_reminders_stage")
                    .table("certification_reminders")
                    .col("record_id")
                    .col("expires_on")
                    .col("stage_days")
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "certification_reminders",
            "certification_events",
            "certification_records",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
