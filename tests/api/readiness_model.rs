//! The readiness read model (#14) gives exactly what scoring everyone afresh
//! gives: after random writes to everything readiness reads, on another day,
//! for HR, a manager and filtered lists; and a refresh racing writes never
//! leaves a row marked fresh that is not.

use chrono::{Days, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::sea_query::{Cond, Expr, ExprTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult, Statement};
use serde_json::json;
use skillpath::advancement::{self, ReadinessFilter, ReadinessRow, refresh};
use skillpath::auth::{Actor, Role};

use crate::helpers::{TestApp, spawn_app};

fn postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

/// A demo organisation of `people`, and HR.
async fn organisation(people: usize) -> (TestApp, Actor) {
    let app = spawn_app().await;
    let fw = app.state.frameworks.current(&app.state.db).await.unwrap();
    skillpath::demo::seed(&app.state.db, &fw, people, 3)
        .await
        .unwrap();
    let hr = app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.state.auth.actor(&app.state.db, hr.id).await.unwrap();
    (app, hr)
}

fn key(rows: Vec<ReadinessRow>) -> Vec<(i64, advancement::scoring::Candidate)> {
    rows.into_iter().map(|r| (r.user_id, r.best)).collect()
}

/// The read model's list and a full computation's, for the same reader.
async fn both(
    app: &TestApp,
    actor: &Actor,
    filter: &ReadinessFilter,
    today: NaiveDate,
) -> (
    Vec<(i64, advancement::scoring::Candidate)>,
    Vec<(i64, advancement::scoring::Candidate)>,
) {
    let (db, store) = (&app.state.db, &app.state.frameworks);
    let (_, stored) = advancement::promotion_readiness(db, store, actor, filter, today)
        .await
        .unwrap();
    let (_, computed) = advancement::promotion_readiness_computed(db, store, actor, filter, today)
        .await
        .unwrap();
    (key(stored), key(computed))
}

#[derive(FromQueryResult)]
struct Id {
    id: i64,
}

async fn ids(db: &DatabaseConnection, sql: &str) -> Vec<i64> {
    Id::find_by_statement(Statement::from_string(db.get_database_backend(), sql))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect()
}

async fn run(db: &DatabaseConnection, sql: String) {
    db.execute_unprepared(&sql).await.unwrap();
}

/// One random write to something readiness reads, as plain SQL (the
/// triggers must notice whatever path a write takes).
async fn random_write(db: &DatabaseConnection, rng: &mut StdRng, today: NaiveDate) {
    let pick = |rng: &mut StdRng, ids: &[i64]| ids[rng.random_range(0..ids.len())];
    match rng.random_range(0..9) {
        0 | 1 => {
            let rated = ids(db, "SELECT DISTINCT assessment_id AS id FROM ratings").await;
            let (level, assessment) = (rng.random_range(0..=5), pick(rng, &rated));
            run(
                db,
                format!(
                    "UPDATE ratings SET level = {level} WHERE assessment_id = {assessment} AND skill_key = \
                     (SELECT MIN(skill_key) FROM ratings WHERE assessment_id = {assessment})"
                ),
            )
            .await;
        }
        2 => {
            let assessments = ids(db, "SELECT id FROM assessments").await;
            run(
                db,
                format!(
                    "DELETE FROM assessments WHERE id = {}",
                    pick(rng, &assessments)
                ),
            )
            .await;
        }
        3 => {
            let records = ids(db, "SELECT id FROM certification_records").await;
            let change = match rng.random_range(0..3) {
                0 => format!("expires_on = '{}'", today - Days::new(1)),
                1 => "verified_at = NULL".to_owned(),
                _ => format!("expires_on = '{}'", today + Days::new(3)),
            };
            run(
                db,
                format!(
                    "UPDATE certification_records SET {change} WHERE id = {}",
                    pick(rng, &records)
                ),
            )
            .await;
        }
        4 => {
            let actuals = ids(db, "SELECT id FROM kpi_actuals").await;
            let value = rng.random_range(0..200);
            run(
                db,
                format!(
                    "UPDATE kpi_actuals SET value = {value} WHERE id = {}",
                    pick(rng, &actuals)
                ),
            )
            .await;
        }
        5 => {
            let targets = ids(db, "SELECT id FROM performance_targets").await;
            run(
                db,
                format!(
                    "DELETE FROM performance_targets WHERE id = {}",
                    pick(rng, &targets)
                ),
            )
            .await;
        }
        6 => {
            let people = ids(
                db,
                "SELECT id FROM users WHERE career_level IN ('p1', 'p2')",
            )
            .await;
            let level = ["p1", "p2", "p3"][rng.random_range(0..3)];
            run(
                db,
                format!(
                    "UPDATE users SET career_level = '{level}' WHERE id = {}",
                    pick(rng, &people)
                ),
            )
            .await;
        }
        7 => {
            let people = ids(db, "SELECT id FROM users WHERE job_role IS NOT NULL").await;
            let since = today - Days::new(rng.random_range(0..900));
            run(
                db,
                format!(
                    "UPDATE users SET level_since = '{since}' WHERE id = {}",
                    pick(rng, &people)
                ),
            )
            .await;
        }
        _ => {
            // A manager rating submitted long ago: no longer confirms.
            let assessments = ids(db, "SELECT id FROM assessments WHERE kind = 'MANAGER'").await;
            let at = Utc::now() - chrono::Duration::days(rng.random_range(300..1200));
            run(
                db,
                format!(
                    "UPDATE assessments SET submitted_at = '{}' WHERE id = {}",
                    at.format("%Y-%m-%d %H:%M:%S%:z"),
                    pick(rng, &assessments)
                ),
            )
            .await;
        }
    }
}

#[tokio::test]
async fn the_read_model_equals_a_fresh_computation_after_random_writes() {
    let (app, hr) = organisation(48).await;
    let db = &app.state.db;
    let manager = ids(
        db,
        "SELECT manager_id AS id FROM users WHERE manager_id IS NOT NULL \
         GROUP BY manager_id ORDER BY COUNT(*) DESC, manager_id LIMIT 1",
    )
    .await[0];
    let manager = app.state.auth.actor(db, manager).await.unwrap();
    let team = ids(
        db,
        "SELECT MIN(team_id) AS id FROM users WHERE team_id IS NOT NULL",
    )
    .await[0];
    let filters = [
        ReadinessFilter::default(),
        ReadinessFilter {
            min_readiness: Some(40.0),
            ..Default::default()
        },
        ReadinessFilter {
            only_ready: true,
            ..Default::default()
        },
        ReadinessFilter {
            team_id: Some(team),
            job_role: None,
            ..Default::default()
        },
    ];
    let mut rng = StdRng::seed_from_u64(14);
    let today = Utc::now().date_naive();
    let rounds = if postgres() { 12 } else { 20 };
    for round in 0..rounds {
        for _ in 0..rng.random_range(1..6) {
            random_write(db, &mut rng, today).await;
        }
        // Readiness depends on the day too: now and then a later one.
        let day = if round % 4 == 3 {
            today + Days::new(rng.random_range(1..400))
        } else {
            today
        };
        for (reader, filter) in [(&hr, &filters[round % 4]), (&manager, &filters[0])] {
            let (stored, computed) = both(&app, reader, filter, day).await;
            assert_eq!(stored.len(), computed.len(), "round {round}: {filter:?}");
            for (s, c) in stored.iter().zip(&computed) {
                assert_eq!(s, c, "round {round}, {day}: {filter:?}");
            }
        }
    }

    // And over HTTP: a page of the connection is the same slice of the
    // fully computed ranking.
    let token = app.token("hr@example.com").await;
    let (_, computed) = both(&app, &hr, &ReadinessFilter::default(), today).await;
    let page = app
        .gql(
            Some(&token),
            "query { promotionReadiness(first: 7) { totalCount edges { cursor } } }",
            json!({}),
        )
        .await;
    let after = page.data()["promotionReadiness"]["edges"][4]["cursor"].clone();
    let page = app
        .gql(
            Some(&token),
            "query($a: String) { promotionReadiness(first: 9, after: $a) { totalCount edges { node { readiness verdict user { email } } } } }",
            json!({"a": after}),
        )
        .await;
    let readiness = &page.data()["promotionReadiness"];
    assert_eq!(readiness["totalCount"], computed.len());
    let shown: Vec<Option<f64>> = readiness["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["readiness"].as_f64())
        .collect();
    let expected: Vec<Option<f64>> = computed[5..14].iter().map(|(_, c)| c.readiness).collect();
    assert_eq!(shown, expected);
}

/// The stale rows among `people`, without refreshing them.
async fn stale(app: &TestApp, people: &[i64], today: NaiveDate) -> Vec<i64> {
    let fw = app.state.frameworks.current(&app.state.db).await.unwrap();
    let these = Cond::all().add(Expr::col(("u", "id")).is_in(people.iter().copied()));
    refresh::stale(&app.state.db, &fw, these, today, None)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect()
}

/// A rating change of one person's manager ratings.
async fn rate_again(db: &DatabaseConnection, person: i64, round: usize) {
    run(
        db,
        format!(
            "UPDATE ratings SET level = {} WHERE assessment_id IN \
             (SELECT id FROM assessments WHERE subject_id = {person} AND kind = 'MANAGER')",
            round % 6
        ),
    )
    .await;
}

#[tokio::test]
async fn a_refresh_computed_before_a_write_never_replaces_the_row_stored_after_it() {
    let (app, hr) = organisation(12).await;
    let (db, store) = (&app.state.db, &app.state.frameworks);
    let today = Utc::now().date_naive();
    let filter = ReadinessFilter::default();
    let (_, ranked) = advancement::promotion_readiness(db, store, &hr, &filter, today)
        .await
        .unwrap();
    let person = ranked[0].user_id;
    let fw = store.current(db).await.unwrap();

    // A slow refresher reads the person's version and evidence…
    let before = stale(&app, &[person], today).await;
    assert!(before.is_empty(), "fresh after a read");
    let version = refresh::Stale {
        id: person,
        version: ids(
            db,
            &format!("SELECT version AS id FROM readiness_evidence WHERE user_id = {person}"),
        )
        .await
        .first()
        .copied()
        .unwrap_or(0),
    };
    let late = refresh::compute(db, &fw, &[version], today).await.unwrap();
    // …a write lands and a reader refreshes after it…
    rate_again(db, person, 1).await;
    assert_eq!(stale(&app, &[person], today).await, [person]);
    let (stored, computed) = both(&app, &hr, &filter, today).await;
    assert_eq!(stored, computed);
    // …then the slow refresher stores what it computed before the write.
    assert_eq!(refresh::store(db, &late).await.unwrap(), 0, "refused");
    assert!(stale(&app, &[person], today).await.is_empty());
    let (stored, computed) = both(&app, &hr, &filter, today).await;
    assert_eq!(stored, computed);
}

/// Writes race refreshes on PostgreSQL: in every round each person's owner
/// writes and then reads, other readers refresh everyone, and late
/// refreshers store what they computed before the writes at random moments.
/// At the end of each round every row must be fresh, with no refresh
/// needed, and equal a fresh computation. Without the version check in the
/// store, a late refresher lands after the owner's read now and then and
/// leaves the row behind the evidence.
#[tokio::test]
async fn refreshes_racing_writes_leave_every_row_fresh_and_right() {
    let (app, hr) = organisation(24).await;
    let (db, store) = (&app.state.db, &app.state.frameworks);
    let today = Utc::now().date_naive();
    let filter = ReadinessFilter::default();
    let (_, ranked) = advancement::promotion_readiness(db, store, &hr, &filter, today)
        .await
        .unwrap();
    let people: Vec<i64> = ranked.iter().take(6).map(|r| r.user_id).collect();
    let fw = store.current(db).await.unwrap();
    let rounds = if postgres() { 25 } else { 4 };
    let mut rng = StdRng::seed_from_u64(19);
    let mut span = 50;
    for round in 0..rounds {
        // A late refresher reads versions and evidence before the writes.
        let versions = {
            let mut v = Vec::new();
            for &p in &people {
                let version = ids(
                    db,
                    &format!(
                        "SELECT COALESCE((SELECT version FROM readiness_evidence WHERE user_id = {p}), 0) AS id"
                    ),
                )
                .await[0];
                v.push(refresh::Stale { id: p, version });
            }
            v
        };
        let late = refresh::compute(db, &fw, &versions, today).await.unwrap();
        // Each late store waits a random part of twice the time the owners
        // took last round: some land before the writes, some between a
        // write and its owner's read, some after the read.
        let waits: Vec<u64> = people
            .iter()
            .map(|_| rng.random_range(0..=span * 2))
            .collect();
        let started = std::time::Instant::now();
        let owners = people.iter().map(|&person| {
            let (hr, filter) = (&hr, &filter);
            async move {
                rate_again(db, person, round).await;
                advancement::promotion_readiness(db, store, hr, filter, today)
                    .await
                    .unwrap();
            }
        });
        let readers = (0..2).map(|_| async {
            advancement::promotion_readiness(db, store, &hr, &filter, today)
                .await
                .unwrap();
        });
        let late_stores = late.chunks(1).zip(&waits).map(|(one, &wait)| async move {
            tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
            refresh::store(db, one).await.unwrap();
        });
        let (owned, ..) = tokio::join!(
            async {
                futures::future::join_all(owners).await;
                started.elapsed()
            },
            futures::future::join_all(readers),
            futures::future::join_all(late_stores),
        );
        span = Ord::max(u64::try_from(owned.as_millis()).unwrap_or(u64::MAX), 1);
        assert!(
            stale(&app, &people, today).await.is_empty(),
            "round {round}: a row was left behind its evidence"
        );
        let (stored, computed) = both(&app, &hr, &filter, today).await;
        assert_eq!(stored, computed, "round {round}");
    }
}
