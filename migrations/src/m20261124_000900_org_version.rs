//! The organisation's version: one counter that changes whenever a reporting
//! line can have changed (a person inserted or deleted, a manager set). Each
//! server process caches a manager's reach (everyone below them) with the
//! version it was computed at, and reads the version with the caller's row on
//! every request. Triggers keep it, so no write path (API, import, job, plain
//! SQL by an operator) can forget to.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "CREATE TABLE org_version (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)",
    "INSERT INTO org_version (id, version) VALUES (1, 0)",
    "CREATE TRIGGER org_version_insert AFTER INSERT ON users WHEN NEW.manager_id IS NOT NULL \
     BEGIN UPDATE org_version SET version = version + 1 WHERE id = 1; END",
    "CREATE TRIGGER org_version_delete AFTER DELETE ON users \
     BEGIN UPDATE org_version SET version = version + 1 WHERE id = 1; END",
    "CREATE TRIGGER org_version_move AFTER UPDATE OF manager_id ON users \
     WHEN OLD.manager_id IS NOT NEW.manager_id \
     BEGIN UPDATE org_version SET version = version + 1 WHERE id = 1; END",
];

// On PostgreSQL the bump is deferred to commit and made once per
// transaction: taking the counter's row lock early would hold it while the
// transaction goes on to lock people's rows, and two such transactions (an
// import and an edit) could deadlock. At commit nothing else is waited for.
const POSTGRES_UP: &[&str] = &[
    "CREATE TABLE org_version (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)",
    "INSERT INTO org_version (id, version) VALUES (1, 0)",
    "CREATE FUNCTION org_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN \
       IF current_setting('skillpath.org_version_bumped', true) IS DISTINCT FROM 'yes' THEN \
         PERFORM set_config('skillpath.org_version_bumped', 'yes', true); \
         UPDATE org_version SET version = version + 1 WHERE id = 1; \
       END IF; \
       RETURN NULL; \
     END $$",
    "CREATE CONSTRAINT TRIGGER org_version_insert AFTER INSERT ON users \
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.manager_id IS NOT NULL) \
     EXECUTE FUNCTION org_version_bump()",
    "CREATE CONSTRAINT TRIGGER org_version_delete AFTER DELETE ON users \
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION org_version_bump()",
    "CREATE CONSTRAINT TRIGGER org_version_move AFTER UPDATE OF manager_id ON users \
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW \
     WHEN (OLD.manager_id IS DISTINCT FROM NEW.manager_id) \
     EXECUTE FUNCTION org_version_bump()",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER org_version_insert",
    "DROP TRIGGER org_version_delete",
    "DROP TRIGGER org_version_move",
    "DROP TABLE org_version",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER org_version_insert ON users",
    "DROP TRIGGER org_version_delete ON users",
    "DROP TRIGGER org_version_move ON users",
    "DROP FUNCTION org_version_bump()",
    "DROP TABLE org_version",
];

async fn run(manager: &SchemaManager<'_>, sqlite: &[&str], postgres: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let statements = match db.get_database_backend() {
        DbBackend::Sqlite => sqlite,
        DbBackend::Postgres => postgres,
        other => return Err(DbErr::Migration(format!("unsupported database {other:?}"))),
    };
    for sql in statements {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, SQLITE_UP, POSTGRES_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, SQLITE_DOWN, POSTGRES_DOWN).await
    }
}
