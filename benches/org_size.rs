//! Cost against the size of the organisation (issue 14): HR's
//! `certificationSummary` and one person's `advancementPaths` (an HR caller,
//! so mentors are sought in the whole organisation) on demo organisations of
//! 1,000 and 100,000 people on PostgreSQL, measured interleaved in one
//! process; prints the median per size and the ratio, and asserts the SQL
//! statements per request (the same at both sizes).
//!
//! `cargo bench --bench org_size` (PostgreSQL at `BENCH_POSTGRES`, default
//! `postgres://postgres@127.0.0.1:5432`; without one it says so and stops)
//!
//! The organisations are seeded once by the demo generator (`skillpath seed
//! demo`, built in release by `cargo bench`) into `skillpath_bench_org_1000`
//! and `skillpath_bench_org_100000`, and reused while they hold their people
//! (`BENCH_RESEED=1` seeds them again). The first 100,000 seed takes minutes.

use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::{ConnectionTrait, Database, FromQueryResult, Statement};
use skillpath::advancement;
use skillpath::app::AppState;
use skillpath::auth::{Actor, Role};
use skillpath::certification::{self, CertificationFilter};
use skillpath::config::{PasswordHashing, Secret, Settings};
use skillpath::people::{self, NewPerson};

const SIZES: [usize; 2] = [1_000, 100_000];
const ROUNDS: usize = 5;
const PER_ROUND: usize = 10;
/// The most the larger organisation may cost, as a multiple of the smaller.
const TARGET_RATIO: f64 = 2.0;

struct Org {
    people: usize,
    state: AppState,
    hr: Actor,
    person: i64,
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

async fn count(db: &impl ConnectionTrait, sql: &str) -> i64 {
    Count::find_by_statement(Statement::from_string(db.get_database_backend(), sql))
        .one(db)
        .await
        .ok()
        .flatten()
        .map_or(0, |c| c.n)
}

/// The demo organisation of `people` in a database of its own: reused when
/// it is already there, else created and seeded.
async fn org(server: &str, people: usize) -> Org {
    let name = format!("skillpath_bench_org_{people}");
    let admin = Database::connect(format!("{server}/postgres"))
        .await
        .expect("connect to BENCH_POSTGRES");
    let reseed = std::env::var("BENCH_RESEED").is_ok_and(|v| v == "1");
    let exists = count(
        &admin,
        &format!("SELECT COUNT(*) AS n FROM pg_database WHERE datname = '{name}'"),
    )
    .await
        > 0;
    let settings = Settings {
        database_url: format!("{server}/{name}?sslmode=disable"),
        token_secret: Some(Secret::new("bench-secret-bench-secret-bench-secret")),
        password_hashing: PasswordHashing::FAST_FOR_TESTS,
        background_jobs: false,
        ..Settings::default()
    };
    let seeded = exists && !reseed && {
        let state = skillpath::app::build_state(settings.clone()).await.unwrap();
        // The generator writes everything in one transaction: people there
        // means the whole organisation is.
        count(
            &state.db,
            "SELECT COUNT(*) AS n FROM users WHERE email LIKE 'demo%'",
        )
        .await
            == people as i64
    };
    if !seeded {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
            .await
            .unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let state = skillpath::app::build_state(settings.clone()).await.unwrap();
        let fw = state.frameworks.current(&state.db).await.unwrap();
        let started = Instant::now();
        skillpath::demo::seed(&state.db, &fw, people, 1)
            .await
            .unwrap();
        println!(
            "seeded {people} people into {name} in {:.0?}",
            started.elapsed()
        );
    }
    let state = skillpath::app::build_state(settings).await.unwrap();
    // Autovacuum is off on these machines: plans differ 5× without
    // statistics. Once after seeding (here or by `skillpath seed demo`).
    let analyzed = count(
        &state.db,
        "SELECT COUNT(*) AS n FROM pg_stat_user_tables \
         WHERE relname = 'ratings' AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL",
    )
    .await
        > 0;
    if !analyzed {
        state.db.execute_unprepared("VACUUM ANALYZE").await.unwrap();
    }
    let hr = hr(&state).await;
    // A p2 somewhere in the middle: moves up, gaps, and mentors to find.
    let person = count(
        &state.db,
        &format!(
            "SELECT id AS n FROM users WHERE career_level = 'p2' AND manager_id IS NOT NULL \
             ORDER BY id OFFSET {} LIMIT 1",
            people / 20
        ),
    )
    .await;
    assert!(person > 0, "a p2 in the demo organisation");
    Org {
        people,
        state,
        hr,
        person,
    }
}

async fn hr(state: &AppState) -> Actor {
    const EMAIL: &str = "hr@bench.example";
    let id = count(
        &state.db,
        &format!("SELECT id AS n FROM users WHERE email = '{EMAIL}'"),
    )
    .await;
    let id = if id > 0 {
        id
    } else {
        let person = NewPerson {
            email: EMAIL.into(),
            name: "Bench HR".into(),
            role: Some(Role::Hr),
            ..NewPerson::default()
        };
        people::insert_person(&state.db, &state.auth.hasher, person)
            .await
            .unwrap()
            .id
    };
    state.auth.actor(&state.db, id).await.unwrap()
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Read {
    CertificationSummary,
    AdvancementPaths,
}

const READS: [Read; 2] = [Read::CertificationSummary, Read::AdvancementPaths];

impl Read {
    fn name(self) -> &'static str {
        match self {
            Read::CertificationSummary => "certificationSummary",
            Read::AdvancementPaths => "advancementPaths (one person)",
        }
    }

    /// Statements per request, the same at any size: counts by status,
    /// people per level, holders per level, the framework's version; for
    /// paths the framework's version, the person, ratings, certificates,
    /// targets, actuals, and mentors.
    fn statements(self) -> u64 {
        match self {
            Read::CertificationSummary => 4,
            Read::AdvancementPaths => 7,
        }
    }

    async fn run(self, org: &Org) {
        let today = Utc::now().date_naive();
        let state = &org.state;
        match self {
            Read::CertificationSummary => {
                let summary = certification::certification_summary(
                    &state.db,
                    &state.frameworks,
                    &org.hr,
                    &CertificationFilter::default(),
                    today,
                )
                .await
                .unwrap();
                assert!(!summary.by_certification.is_empty());
            }
            Read::AdvancementPaths => {
                let reader = skillpath::auth::policy::view_work(&org.hr, org.person).unwrap();
                let paths = advancement::advancement_paths(
                    &state.db,
                    &state.frameworks,
                    &reader,
                    None,
                    today,
                )
                .await
                .unwrap();
                assert!(!paths.moves.is_empty());
            }
        }
    }

    /// Runs once and returns the statements it took.
    async fn statements_of(self, org: &Org) -> u64 {
        let before = org.state.statements.get();
        self.run(org).await;
        org.state.statements.get() - before
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing
    // and only needs this to build.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let server = std::env::var("BENCH_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        if Database::connect(format!("{server}/postgres"))
            .await
            .is_err()
        {
            println!("org_size: no PostgreSQL at {server} (set BENCH_POSTGRES); nothing measured");
            return;
        }
        let mut orgs = Vec::new();
        for people in SIZES {
            orgs.push(org(&server, people).await);
        }
        for read in READS {
            for org in &orgs {
                read.run(org).await;
                let used = read.statements_of(org).await;
                assert_eq!(
                    used,
                    read.statements(),
                    "{} over {} people ran {used} statements",
                    read.name(),
                    org.people
                );
            }
        }
        // Interleaved: each round measures every read at every size, so a
        // neighbour's load on this shared machine falls on both sizes alike.
        let mut times = vec![vec![Vec::new(); orgs.len()]; READS.len()];
        for _ in 0..ROUNDS {
            for (r, read) in READS.iter().enumerate() {
                for (o, org) in orgs.iter().enumerate() {
                    for _ in 0..PER_ROUND {
                        let started = Instant::now();
                        read.run(org).await;
                        times[r][o].push(started.elapsed());
                    }
                }
            }
        }
        println!();
        println!(
            "| read | {} people | {} people | ratio | statements |",
            SIZES[0], SIZES[1]
        );
        println!("|---|---|---|---|---|");
        let mut over = Vec::new();
        for (r, read) in READS.iter().enumerate() {
            let small = median(times[r][0].clone());
            let large = median(times[r][1].clone());
            let ratio = large.as_secs_f64() / small.as_secs_f64();
            println!(
                "| {} | {:.1} ms | {:.1} ms | {ratio:.2}× | {} |",
                read.name(),
                small.as_secs_f64() * 1e3,
                large.as_secs_f64() * 1e3,
                read.statements()
            );
            if ratio > TARGET_RATIO {
                over.push(format!("{} ({ratio:.2}×)", read.name()));
            }
        }
        println!(
            "\nmedians of {} runs each, interleaved; target: at most {TARGET_RATIO}× at {} people",
            ROUNDS * PER_ROUND,
            SIZES[1]
        );
        if !over.is_empty() {
            println!("over the target: {}", over.join(", "));
        }
    });
}
