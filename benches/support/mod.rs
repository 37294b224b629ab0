//! Set-up shared by the benches: a fresh database with the default framework,
//! and staff accounts to act as.

use skillpath::auth::{Actor, Role};
use skillpath::config::{PasswordHashing, Secret, Settings};
use skillpath::people::{self, NewPerson};
use skillpath::state::AppState;

/// A fresh SQLite file in a temp folder, or `BENCH_DATABASE_URL` when set
/// (an empty database). Keep the folder alive as long as the state.
pub async fn fresh_state() -> (AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        database_url: std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
            format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("bench.db").display()
            )
        }),
        token_secret: Some(Secret::new("bench-secret-bench-secret-bench-secret")),
        password_hashing: PasswordHashing::FAST_FOR_TESTS,
        ..Settings::default()
    };
    (skillpath::app::build_state(settings).await.unwrap(), dir)
}

/// An account with `role` (no password, no place in the framework), as an actor.
pub async fn staff(state: &AppState, email: &str, role: Role) -> Actor {
    let person = people::insert_person(
        &state.db,
        &state.auth.hasher,
        NewPerson {
            email: email.into(),
            name: email.into(),
            role: Some(role),
            ..NewPerson::default()
        },
    )
    .await
    .unwrap();
    state.auth.actor(&state.db, person.id).await.unwrap()
}
