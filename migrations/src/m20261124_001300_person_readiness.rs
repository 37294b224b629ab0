//! The compact readiness read model (#14): one row per person with their best
//! next move as scoring gave it, so ranking the organisation reads a page of
//! a table instead of scoring everyone on every request.
//!
//! `readiness_evidence` holds a per-person version that triggers bump
//! whenever anything readiness reads for that person changes: ratings and
//! assessments, certification records, KPI targets and actuals, the person's
//! role, level and level start. Triggers keep it so that no write path (API,
//! import, job, an operator's SQL) can forget to. It has no foreign key: the
//! triggers also fire while a person's records are deleted by cascade, after
//! the person's row is gone.
//!
//! `person_readiness` is written only by the readers that refresh it, tagged
//! with the evidence version, framework version and day it was computed from;
//! a row whose tags differ from today's is stale. Writers and refreshers thus
//! never lock the same rows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose rows are a person's evidence, and how a row names its
/// person (`{row}` is NEW or OLD, or a transition table's alias).
const SOURCES: &[(&str, &str)] = &[
    (
        "ratings",
        "(SELECT a.subject_id FROM assessments a WHERE a.id = {row}.assessment_id)",
    ),
    ("assessments", "{row}.subject_id"),
    ("certification_records", "{row}.user_id"),
    ("performance_targets", "{row}.user_id"),
    ("kpi_actuals", "{row}.user_id"),
];

/// Only these of a person's own columns are read by scoring; a manager or
/// team change moves who may see the row, which the reads join live.
const POSITION_CHANGED: &str = "OLD.job_role IS NOT NEW.job_role OR OLD.career_level IS NOT NEW.career_level \
     OR OLD.level_since IS NOT NEW.level_since";

const TABLES: &[&str] = &[
    "CREATE TABLE readiness_evidence (user_id BIGINT PRIMARY KEY, version BIGINT NOT NULL)",
    // The text columns compare byte by byte on both databases (SQLite's
    // default; "C" on PostgreSQL), as Rust orders the role and level keys
    // the ranking breaks ties with.
    "CREATE TABLE person_readiness ( \
       user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE, \
       evidence_version BIGINT NOT NULL, \
       framework_version BIGINT NOT NULL, \
       computed_for DATE NOT NULL, \
       rank_class SMALLINT, \
       progress DOUBLE PRECISION, \
       kind_order SMALLINT, \
       to_role TEXT {collate}, \
       to_level TEXT {collate}, \
       readiness DOUBLE PRECISION, \
       ready BOOLEAN NOT NULL, \
       best_move TEXT)",
    // The ranking's order, so a page is read from the index.
    "CREATE INDEX ix_person_readiness_rank ON person_readiness \
       (rank_class, progress DESC, kind_order, to_role, to_level, user_id)",
];

fn sqlite_up() -> Vec<String> {
    let bump = |person: &str| {
        format!(
            "INSERT INTO readiness_evidence (user_id, version) SELECT p, 1 FROM (SELECT {person} AS p) WHERE p IS NOT NULL \
             ON CONFLICT (user_id) DO UPDATE SET version = version + 1;"
        )
    };
    let mut up: Vec<String> = TABLES.iter().map(|t| t.replace("{collate}", "")).collect();
    for (table, person) in SOURCES {
        let new = bump(&person.replace("{row}", "NEW"));
        let old = bump(&person.replace("{row}", "OLD"));
        up.push(format!(
            "CREATE TRIGGER readiness_{table}_insert AFTER INSERT ON {table} BEGIN {new} END"
        ));
        up.push(format!(
            "CREATE TRIGGER readiness_{table}_update AFTER UPDATE ON {table} BEGIN {old} {new} END"
        ));
        up.push(format!(
            "CREATE TRIGGER readiness_{table}_delete AFTER DELETE ON {table} BEGIN {old} END"
        ));
    }
    up.push(format!(
        "CREATE TRIGGER readiness_users_update AFTER UPDATE ON users WHEN {POSITION_CHANGED} BEGIN {} END",
        bump("NEW.id")
    ));
    up
}

fn sqlite_down() -> Vec<String> {
    let mut down = vec!["DROP TRIGGER readiness_users_update".to_owned()];
    for (table, _) in SOURCES {
        for event in ["insert", "update", "delete"] {
            down.push(format!("DROP TRIGGER readiness_{table}_{event}"));
        }
    }
    down.push("DROP TABLE person_readiness".into());
    down.push("DROP TABLE readiness_evidence".into());
    down
}

// On PostgreSQL the triggers run once per statement over its transition
// tables: an import or the demo seed writing a million ratings bumps each
// person once per statement, not once per row. People are locked in id
// order, so two writers bumping the same people cannot deadlock on them.
fn postgres_up() -> Vec<String> {
    let bump = |people: &str| {
        format!(
            "INSERT INTO readiness_evidence (user_id, version) \
             SELECT p, 1 FROM ({people}) changed WHERE p IS NOT NULL GROUP BY p ORDER BY p \
             ON CONFLICT (user_id) DO UPDATE SET version = readiness_evidence.version + 1;"
        )
    };
    let mut up: Vec<String> = TABLES
        .iter()
        .map(|t| t.replace("{collate}", "COLLATE \"C\""))
        .collect();
    for (table, person) in SOURCES {
        let from = |alias: &str| {
            format!(
                "SELECT {} AS p FROM {alias}",
                person.replace("{row}", alias)
            )
        };
        let bodies = [
            (
                "insert",
                "INSERT",
                "NEW TABLE AS changed_new",
                bump(&from("changed_new")),
            ),
            (
                "update",
                "UPDATE",
                "OLD TABLE AS changed_old NEW TABLE AS changed_new",
                bump(&format!(
                    "{} UNION ALL {}",
                    from("changed_old"),
                    from("changed_new")
                )),
            ),
            (
                "delete",
                "DELETE",
                "OLD TABLE AS changed_old",
                bump(&from("changed_old")),
            ),
        ];
        for (event, op, referencing, body) in bodies {
            up.push(format!(
                "CREATE FUNCTION readiness_{table}_{event}() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN {body} RETURN NULL; END $$"
            ));
            up.push(format!(
                "CREATE TRIGGER readiness_{table}_{event} AFTER {op} ON {table} \
                 REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION readiness_{table}_{event}()"
            ));
        }
    }
    let changed_position = POSITION_CHANGED
        .replace("OLD.", "o.")
        .replace("NEW.", "n.")
        .replace(" IS NOT ", " IS DISTINCT FROM ");
    up.push(format!(
        "CREATE FUNCTION readiness_users_update() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN {} RETURN NULL; END $$",
        bump(&format!(
            "SELECT n.id AS p FROM changed_new n JOIN changed_old o ON o.id = n.id WHERE {changed_position}"
        ))
    ));
    up.push(
        "CREATE TRIGGER readiness_users_update AFTER UPDATE ON users \
         REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new \
         FOR EACH STATEMENT EXECUTE FUNCTION readiness_users_update()"
            .into(),
    );
    up
}

fn postgres_down() -> Vec<String> {
    let mut down = vec![
        "DROP TRIGGER readiness_users_update ON users".to_owned(),
        "DROP FUNCTION readiness_users_update()".to_owned(),
    ];
    for (table, _) in SOURCES {
        for event in ["insert", "update", "delete"] {
            down.push(format!("DROP TRIGGER readiness_{table}_{event} ON {table}"));
            down.push(format!("DROP FUNCTION readiness_{table}_{event}()"));
        }
    }
    down.push("DROP TABLE person_readiness".into());
    down.push("DROP TABLE readiness_evidence".into());
    down
}

async fn run(manager: &SchemaManager<'_>, up: bool) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let statements = match (db.get_database_backend(), up) {
        (DbBackend::Sqlite, true) => sqlite_up(),
        (DbBackend::Sqlite, false) => sqlite_down(),
        (DbBackend::Postgres, true) => postgres_up(),
        (DbBackend::Postgres, false) => postgres_down(),
        (other, _) => return Err(DbErr::Migration(format!("unsupported database {other:?}"))),
    };
    for sql in statements {
        db.execute_unprepared(&sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, false).await
    }
}
