//! The schema's history runs both ways, and the database keeps the
//! invariants the application keeps.

use sea_orm::{ConnectionTrait, Statement};
use skillpath::db::{Migrator, MigratorTrait};

use crate::helpers::spawn_app;

async fn table_exists(db: &sea_orm::DatabaseConnection, table: &str) -> bool {
    let sql = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => format!(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '{table}'"
        ),
        _ => format!("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{table}'"),
    };
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .is_some()
}

#[tokio::test]
async fn every_migration_goes_down_and_up_again() {
    let app = spawn_app().await;
    // One connection of its own, as an operator's `migrate` would have: a
    // pooled SQLite connection of the running app can hold a read snapshot
    // from before the schema changed, and then sees tables that are gone.
    let mut options = sea_orm::ConnectOptions::new(app.state.settings.database_url.clone());
    options.max_connections(1).min_connections(1);
    let db = &sea_orm::Database::connect(options).await.unwrap();
    assert!(table_exists(db, "ratings").await);
    Migrator::down(db, None).await.expect("all the way down");
    for table in ["users", "ratings", "login_throttle", "email_outbox"] {
        assert!(!table_exists(db, table).await, "{table} dropped");
    }
    Migrator::up(db, None).await.expect("all the way up again");
    assert!(table_exists(db, "ratings").await);
    assert!(
        Migrator::get_pending_migrations(db)
            .await
            .unwrap()
            .is_empty()
    );
    // And the application works on the rebuilt schema.
    app.person("ada@example.com", skillpath::auth::Role::Employee, None)
        .await;
    app.login("ada@example.com").await;
}

#[tokio::test]
async fn the_database_refuses_what_the_application_never_writes() {
    let app = spawn_app().await;
    let db = &app.state.db;
    let ada = app
        .person("ada@example.com", skillpath::auth::Role::Employee, None)
        .await;
    let backend = db.get_database_backend();
    let run =
        |sql: String| async move { db.execute_raw(Statement::from_string(backend, sql)).await };
    let refused = [
        format!("UPDATE users SET role = 'OWNER' WHERE id = {}", ada.id),
        format!(
            "INSERT INTO performance_targets (user_id, period, kpi_key, weight, target_value, created_at, updated_at) \
             VALUES ({}, '2026', 'k', 0, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            ada.id
        ),
        format!(
            "INSERT INTO certification_records (user_id, certification_key, status, progress, created_at, updated_at) \
             VALUES ({}, 'c', 'PLANNED', 101, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            ada.id
        ),
    ];
    for sql in refused {
        let err = run(sql.clone()).await.expect_err(&sql);
        assert!(
            err.to_string().to_lowercase().contains("check"),
            "{sql}: {err}"
        );
    }
    // A valid change still goes through.
    run(format!(
        "UPDATE users SET role = 'MANAGER' WHERE id = {}",
        ada.id
    ))
    .await
    .unwrap();
}
