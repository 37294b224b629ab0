//! The invariants the application keeps, kept by the database too, so that
//! no other writer (a script, a hand-run fix, a future bug) can break them;
//! and indexes on the foreign keys the application looks rows up by.
//!
//! PostgreSQL gets CHECK constraints. SQLite cannot add a constraint to an
//! existing table without rebuilding it, so there each rule is a pair of
//! triggers (insert and update) that abort the statement the same way.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, constraint name, column, the rule with `{c}` for the column).
const RULES: &[(&str, &str, &str, &str)] = &[
    (
        "users",
        "users_role_known",
        "role",
        "{c} IN ('EMPLOYEE', 'MANAGER', 'HR', 'ADMIN')",
    ),
    (
        "assessment_cycles",
        "assessment_cycles_status_known",
        "status",
        "{c} IN ('DRAFT', 'SELF_ASSESSMENT', 'MANAGER_REVIEW', 'CALIBRATION', 'CLOSED')",
    ),
    (
        "assessments",
        "assessments_kind_known",
        "kind",
        "{c} IN ('SELF', 'MANAGER', 'PEER')",
    ),
    (
        "assessments",
        "assessments_status_known",
        "status",
        "{c} IN ('DRAFT', 'SUBMITTED', 'SUPERSEDED')",
    ),
    (
        "assessments",
        "assessments_revision_positive",
        "revision",
        "{c} >= 1",
    ),
    (
        "ratings",
        "ratings_level_0_to_5",
        "level",
        "{c} BETWEEN 0 AND 5",
    ),
    (
        "performance_targets",
        "performance_targets_weight_1_to_100",
        "weight",
        "{c} BETWEEN 1 AND 100",
    ),
    (
        "certification_records",
        "certification_records_status_known",
        "status",
        "{c} IN ('PLANNED', 'IN_PROGRESS', 'EARNED', 'WITHDRAWN')",
    ),
    (
        "certification_records",
        "certification_records_progress_0_to_100",
        "progress",
        "{c} BETWEEN 0 AND 100",
    ),
    (
        "email_outbox",
        "email_outbox_status_known",
        "status",
        "{c} IN ('PENDING', 'SENT', 'FAILED')",
    ),
    (
        "email_outbox",
        "email_outbox_attempts_not_negative",
        "attempts",
        "{c} >= 0",
    ),
];

/// (index name, table, column): foreign keys that queries filter by.
const INDEXES: &[(&str, &str, &str)] = &[
    ("idx_refresh_tokens_user", "refresh_tokens", "user_id"),
    ("idx_account_tokens_user", "account_tokens", "user_id"),
    ("idx_target_comments_target", "target_comments", "target_id"),
    (
        "idx_cycle_participants_reviewer",
        "cycle_participants",
        "reviewer_id",
    ),
    (
        "idx_certification_reminders_user",
        "certification_reminders",
        "user_id",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, name, column, rule) in RULES {
            if manager.get_database_backend() == DatabaseBackend::Postgres {
                let check = rule.replace("{c}", column);
                db.execute_unprepared(&format!(
                    "ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({check})"
                ))
                .await?;
            } else {
                let check = rule.replace("{c}", &format!("NEW.{column}"));
                for event in ["insert", "update"] {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {name}_{event} BEFORE {event} ON {table} \
                         WHEN NOT ({check}) \
                         BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
                    ))
                    .await?;
                }
            }
        }
        for (name, table, column) in INDEXES {
            manager
                .create_index(
                    Index::create()
                        .name(*name)
                        .table(*table)
                        .col(*column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, table, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(*name).table(*table).to_owned())
                .await?;
        }
        for (table, name, _, _) in RULES {
            if manager.get_database_backend() == DatabaseBackend::Postgres {
                db.execute_unprepared(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))
                    .await?;
            } else {
                for event in ["insert", "update"] {
                    db.execute_unprepared(&format!("DROP TRIGGER {name}_{event}"))
                        .await?;
                }
            }
        }
        Ok(())
    }
}
