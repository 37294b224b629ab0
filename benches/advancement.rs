//! The organisation views over the demo organisation (two cycles of self and
//! manager ratings on every skill of each role, KPI results, certificates):
//!
//! - `promotionReadiness(first: 50)` as HR, read from the readiness read
//!   model: SQLite at 10,000 people, and PostgreSQL at 10,000 and 100,000
//!   people when `BENCH_DATABASE_URL` or `TEST_DATABASE_URL` names a
//!   PostgreSQL server (a database per size, `skillpath_bench_readiness_N`,
//!   is seeded once and reused by later runs; drop it to seed afresh);
//! - `talentReview` as HR at 10,000 people;
//! - the first read of a day, which refreshes every row.
//!
//! Statement counts per request are asserted; times are printed (p50 of a
//! run of requests) and measured by criterion.
//!
//! `cargo bench --bench advancement` (`-- --test` for one pass of each)

use std::time::{Duration, Instant};

use chrono::Datelike;
use chrono::{NaiveDate, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, Statement};
use skillpath::advancement::{self, ReadinessFilter};
use skillpath::app::AppState;
use skillpath::auth::{Actor, Role};
use skillpath::config::{PasswordHashing, Secret, Settings};
use skillpath::db::entities::user;
use skillpath::people::{self, NewPerson};

const SQLITE_PEOPLE: usize = 10_000;
const POSTGRES_PEOPLE: [usize; 2] = [10_000, 100_000];
/// Framework's current version, the stale scan, the count and the page.
const PAGE_STATEMENTS: u64 = 4;
/// The same three to scope the people, their readiness scores, the KPI
/// targets and actuals of the period, the people's teams and the review's
/// calibration moves.
const TALENT_STATEMENTS: u64 = 7;

struct Fixture {
    label: String,
    people: usize,
    state: AppState,
    hr: Actor,
    _dir: tempfile::TempDir,
}

fn settings(database_url: String) -> Settings {
    Settings {
        database_url,
        token_secret: Some(Secret::new("bench-secret-bench-secret-bench-secret")),
        password_hashing: PasswordHashing::FAST_FOR_TESTS,
        ..Settings::default()
    }
}

/// HR's account, made on first use of a database.
async fn hr(state: &AppState) -> Actor {
    let email = "hr@bench.example";
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(&state.db)
        .await
        .unwrap();
    let id = match existing {
        Some(person) => person.id,
        None => {
            people::insert_person(
                &state.db,
                &state.auth.hasher,
                NewPerson {
                    email: email.into(),
                    name: email.into(),
                    role: Some(Role::Hr),
                    ..NewPerson::default()
                },
            )
            .await
            .unwrap()
            .id
        }
    };
    state.auth.actor(&state.db, id).await.unwrap()
}

async fn seed(state: &AppState, people: usize) {
    let fw = state.frameworks.current(&state.db).await.unwrap();
    skillpath::demo::seed(&state.db, &fw, people, 1)
        .await
        .unwrap();
}

async fn sqlite(people: usize) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let state = skillpath::app::build_state(settings(url)).await.unwrap();
    seed(&state, people).await;
    let hr = hr(&state).await;
    Fixture {
        label: "sqlite".into(),
        people,
        state,
        hr,
        _dir: dir,
    }
}

fn postgres_server() -> Option<String> {
    ["BENCH_DATABASE_URL", "TEST_DATABASE_URL"]
        .into_iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|u| u.starts_with("postgres"))
}

/// The server's URL with another database name.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    format!("{prefix}/{name}{query}")
}

/// A database per size, seeded once: a finished seed is marked in the
/// database's comment, so an interrupted one is started again.
async fn postgres(server: &str, people: usize) -> Fixture {
    let name = format!("skillpath_bench_readiness_{people}");
    let admin = sea_orm::Database::connect(server).await.unwrap();
    let marked = admin
        .query_one_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT shobj_description(oid, 'pg_database') AS note FROM pg_database WHERE datname = $1",
            [name.clone().into()],
        ))
        .await
        .unwrap()
        .and_then(|row| row.try_get::<Option<String>>("", "note").ok().flatten())
        .is_some_and(|note| note == "seeded");
    if !marked {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
            .await
            .unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
    }
    let state = skillpath::app::build_state(settings(with_database(server, &name)))
        .await
        .unwrap();
    if !marked {
        let started = Instant::now();
        seed(&state, people).await;
        println!(
            "seeded {people} people on PostgreSQL in {:?}",
            started.elapsed()
        );
        admin
            .execute_unprepared(&format!("COMMENT ON DATABASE {name} IS 'seeded'"))
            .await
            .unwrap();
    }
    // Autovacuum is off on these machines: plans need fresh statistics.
    state.db.execute_unprepared("VACUUM ANALYZE").await.unwrap();
    let hr = hr(&state).await;
    Fixture {
        label: "postgres".into(),
        people,
        state,
        hr,
        _dir: tempfile::tempdir().unwrap(),
    }
}

/// One `promotionReadiness(first: 50)` as the resolver runs it; the
/// statements it took.
async fn first_page(f: &Fixture, today: NaiveDate) -> u64 {
    let before = f.state.statements.get();
    let scope = advancement::readiness_scope(
        &f.state.db,
        &f.state.frameworks,
        &f.hr,
        &ReadinessFilter::default(),
        today,
    )
    .await
    .unwrap();
    let total = scope.count(&f.state.db).await.unwrap();
    let rows = scope.rows(&f.state.db, Some(0..50)).await.unwrap();
    assert!(total > f.people / 2, "{total} people ranked");
    assert_eq!(rows.len(), 50);
    f.state.statements.get() - before
}

async fn talent(f: &Fixture, today: NaiveDate) -> u64 {
    let before = f.state.statements.get();
    // The last finished quarter: the demo organisation has results for it.
    let quarter = (today.month0() / 3) as i32;
    let (year, quarter) = if quarter == 0 {
        (today.year() - 1, 4)
    } else {
        (today.year(), quarter)
    };
    let period = format!("{year}-Q{quarter}");
    let review = skillpath::talent::talent_review(
        &f.state.db,
        &f.state.frameworks,
        &f.state.settings,
        &f.hr,
        &period,
        None,
        today,
    )
    .await
    .unwrap();
    assert!(review.placements.len() > f.people / 2);
    f.state.statements.get() - before
}

/// The middle of `n` timings of `run`.
fn p50<F: std::future::Future<Output = u64>>(
    rt: &tokio::runtime::Runtime,
    n: usize,
    mut run: impl FnMut() -> F,
) -> Duration {
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let started = Instant::now();
            rt.block_on(run());
            started.elapsed()
        })
        .collect();
    times.sort();
    times[n / 2]
}

fn measure(rt: &tokio::runtime::Runtime, c: &mut Criterion, f: &Fixture, talent_too: bool) {
    let today = Utc::now().date_naive();
    let (label, people) = (&f.label, f.people);
    // Every row is stale for a day it was not computed for: the first read
    // of a day (or the housekeeping job, ahead of it) refreshes them all.
    let tomorrow = today.succ_opt().unwrap();
    for day in [tomorrow, today] {
        let started = Instant::now();
        let statements = rt.block_on(first_page(f, day));
        println!(
            "{label} {people}: first read for {day} (refreshes every row) {:?}, {statements} statements",
            started.elapsed()
        );
    }
    let statements = rt.block_on(first_page(f, today));
    assert_eq!(
        statements, PAGE_STATEMENTS,
        "statements per promotionReadiness page"
    );
    let median = p50(rt, 21, || first_page(f, today));
    println!(
        "{label} {people}: promotionReadiness(first: 50) p50 {median:?}, {statements} statements"
    );
    let mut group = c.benchmark_group("advancement");
    group.sample_size(10);
    group.bench_function(
        format!("promotion_readiness_first_50_{label}_{people}"),
        |b| b.to_async(rt).iter(|| first_page(f, today)),
    );
    if talent_too {
        let statements = rt.block_on(talent(f, today));
        assert_eq!(statements, TALENT_STATEMENTS, "statements per talentReview");
        let median = p50(rt, 5, || talent(f, today));
        println!("{label} {people}: talentReview p50 {median:?}, {statements} statements");
        group.bench_function(format!("talent_review_{label}_{people}"), |b| {
            b.to_async(rt).iter(|| talent(f, today))
        });
    }
    group.finish();
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let f = rt.block_on(sqlite(SQLITE_PEOPLE));
    measure(&rt, c, &f, true);
    drop(f);
    if let Some(server) = postgres_server() {
        for people in POSTGRES_PEOPLE {
            let f = rt.block_on(postgres(&server, people));
            measure(&rt, c, &f, people == 10_000);
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
