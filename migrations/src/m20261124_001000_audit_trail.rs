//! The audit trail: one append-only entry per change or security event,
//! chained by a keyed hash so an edited, inserted or deleted entry shows.
//!
//! Personal values (names, emails, free text) do not live in the chained
//! entry: the entry carries a keyed digest of each, and the value itself sits
//! in `audit_values`, which erasing a person may delete without breaking the
//! chain. The database refuses updates of entries and deletes of entries no
//! pruning covers (a prune entry names the last id it removes).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The entry's columns after its id, the same on both databases.
macro_rules! entry_columns {
    () => {
        "at_micros BIGINT NOT NULL, \
         actor_id BIGINT, \
         via TEXT, \
         action TEXT NOT NULL, \
         category TEXT NOT NULL, \
         entity TEXT NOT NULL, \
         entity_id BIGINT, \
         subject_id BIGINT, \
         changes TEXT NOT NULL, \
         request_id TEXT, \
         client_addr TEXT, \
         prev_hash TEXT NOT NULL, \
         hash TEXT NOT NULL)"
    };
}

/// Personal values beside the chain, the same on both databases.
const VALUES_TABLE: &str = "CREATE TABLE audit_values ( \
       entry_id BIGINT NOT NULL REFERENCES audit_entries (id) ON DELETE CASCADE, \
       subject_id BIGINT NOT NULL, \
       path TEXT NOT NULL, \
       value TEXT NOT NULL, \
       PRIMARY KEY (entry_id, path))";

// AUTOINCREMENT: an id is never reused, even after the newest entries go.
const SQLITE_UP: &[&str] = &[
    concat!(
        "CREATE TABLE audit_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, ",
        entry_columns!()
    ),
    VALUES_TABLE,
    "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE ON audit_entries \
     BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
    "CREATE TRIGGER audit_entries_pruned_only BEFORE DELETE ON audit_entries \
     WHEN NOT EXISTS (SELECT 1 FROM audit_entries p \
                      WHERE p.action = 'audit.prune' AND p.entity_id >= OLD.id) \
     BEGIN SELECT RAISE(ABORT, 'audit entries are removed only by pruning'); END",
];

const POSTGRES_UP: &[&str] = &[
    concat!(
        "CREATE TABLE audit_entries (id BIGSERIAL PRIMARY KEY, ",
        entry_columns!()
    ),
    VALUES_TABLE,
    "CREATE FUNCTION audit_entries_guard() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN \
       IF TG_OP = 'UPDATE' THEN \
         RAISE EXCEPTION 'audit entries are append-only'; \
       END IF; \
       IF NOT EXISTS (SELECT 1 FROM audit_entries p \
                      WHERE p.action = 'audit.prune' AND p.entity_id >= OLD.id) THEN \
         RAISE EXCEPTION 'audit entries are removed only by pruning'; \
       END IF; \
       RETURN OLD; \
     END $$",
    "CREATE TRIGGER audit_entries_guard BEFORE UPDATE OR DELETE ON audit_entries \
     FOR EACH ROW EXECUTE FUNCTION audit_entries_guard()",
];

/// Shared by both databases: the readers' indexes.
const INDEXES: &[&str] = &[
    "CREATE INDEX ix_audit_entries_subject ON audit_entries (subject_id, id)",
    "CREATE INDEX ix_audit_entries_actor ON audit_entries (actor_id, id)",
    "CREATE INDEX ix_audit_entries_entity ON audit_entries (entity, entity_id, id)",
    "CREATE INDEX ix_audit_entries_at ON audit_entries (at_micros)",
    "CREATE INDEX ix_audit_values_subject ON audit_values (subject_id)",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TABLE audit_values",
    "DROP TRIGGER audit_entries_append_only",
    "DROP TRIGGER audit_entries_pruned_only",
    "DROP TABLE audit_entries",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TABLE audit_values",
    "DROP TABLE audit_entries",
    "DROP FUNCTION audit_entries_guard()",
];

async fn run(manager: &SchemaManager<'_>, statements: &[&[&str]]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for sql in statements.iter().flat_map(|s| s.iter()) {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

fn backend(manager: &SchemaManager<'_>) -> Result<bool, DbErr> {
    match manager.get_connection().get_database_backend() {
        DbBackend::Sqlite => Ok(false),
        DbBackend::Postgres => Ok(true),
        other => Err(DbErr::Migration(format!("unsupported database {other:?}"))),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = if backend(manager)? {
            POSTGRES_UP
        } else {
            SQLITE_UP
        };
        run(manager, &[tables, INDEXES]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drops = if backend(manager)? {
            POSTGRES_DOWN
        } else {
            SQLITE_DOWN
        };
        run(manager, &[drops]).await
    }
}
