//! Which mail a certification expiry reminder went out with: the outbox
//! message to the certificate's holder (a manager's copy is not linked). The
//! mail worker sets the reminder's `sent_at` when it sends that message.
//! Null for reminders queued before this migration and for those that
//! queued no mail (the holder's account was inactive). One message belongs
//! to one reminder at most.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

// The same SQL on both databases. SQLite adds a column with a foreign key
// only in this form (`ALTER TABLE … ADD COLUMN … REFERENCES`).
const UP: &[&str] = &[
    "ALTER TABLE certification_reminders ADD COLUMN outbox_id BIGINT \
     REFERENCES email_outbox (id) ON DELETE SET NULL",
    "CREATE UNIQUE INDEX idx_certification_reminders_outbox \
     ON certification_reminders (outbox_id)",
];

const DOWN: &[&str] = &[
    "DROP INDEX idx_certification_reminders_outbox",
    "ALTER TABLE certification_reminders DROP COLUMN outbox_id",
];

async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for sql in statements {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, DOWN).await
    }
}
