//! The organisation view of advancement: 10,000 people, each with manager
//! ratings on every skill of their role, a KPI result, certifications;
//! everyone's next moves scored and ranked. Must stay under 2 s.
//!
//! `cargo bench --bench advancement`

use std::time::{Duration, Instant};

use chrono::{Datelike, Months, Utc};
mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use sea_orm::{EntityTrait, Set};
use skillpath::advancement::{self, ReadinessFilter};
use skillpath::auth::Role;
use skillpath::db::entities::{
    assessment, assessment_cycle, certification_record, cycle_participant, kpi_actual,
    performance_target, rating, user,
};

const PEOPLE: usize = 10_000;

struct Fixture {
    state: skillpath::app::AppState,
    hr: skillpath::auth::Actor,
    _dir: tempfile::TempDir,
}

async fn insert_chunked<A, E>(db: &sea_orm::DatabaseConnection, rows: Vec<A>)
where
    A: sea_orm::ActiveModelTrait<Entity = E> + Clone + Send,
    E: EntityTrait,
{
    for chunk in rows.chunks(400) {
        E::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await
            .unwrap();
    }
}

async fn fixture() -> Fixture {
    let (state, dir) = support::fresh_state().await;
    let db = &state.db;
    let hr = support::staff(&state, "hr@bench.example", Role::Hr).await;
    let fw = state.frameworks.current(db).await.unwrap();
    let now = Utc::now();
    let today = now.date_naive();
    let positions: Vec<(String, String)> = fw
        .doc
        .roles
        .iter()
        .flat_map(|r| {
            r.levels
                .iter()
                .filter(|l| l.key != "m2")
                .map(move |l| (r.key.clone(), l.key.clone()))
        })
        .collect();

    // Bulk arrangement straight into the tables: the behaviour measured is the ranking.
    let users: Vec<user::ActiveModel> = (0..PEOPLE)
        .map(|i| {
            let (role, level) = &positions[i % positions.len()];
            user::ActiveModel {
                email: Set(format!("p{i}@bench.example")),
                name: Set(format!("Person {i}")),
                password_hash: Set(None),
                role: Set("EMPLOYEE".into()),
                manager_id: Set(None),
                team_id: Set(None),
                locale: Set(None),
                active: Set(true),
                job_role: Set(Some(role.clone())),
                career_level: Set(Some(level.clone())),
                level_since: Set(Some(today - Months::new((i % 36) as u32))),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
        })
        .collect();
    insert_chunked(db, users).await;
    let people: Vec<user::Model> = user::Entity::find().all(db).await.unwrap();
    let cycle = assessment_cycle::Entity::insert(assessment_cycle::ActiveModel {
        name: Set("Bench".into()),
        framework_version_id: Set(fw.version.id),
        status: Set("CLOSED".into()),
        self_due: Set(None),
        manager_due: Set(None),
        created_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        closed_at: Set(Some(now)),
        ..Default::default()
    })
    .exec(db)
    .await
    .unwrap()
    .last_insert_id;
    let placed: Vec<&user::Model> = people.iter().filter(|p| p.job_role.is_some()).collect();
    insert_chunked(
        db,
        placed
            .iter()
            .map(|p| cycle_participant::ActiveModel {
                cycle_id: Set(cycle),
                user_id: Set(p.id),
                job_role: Set(p.job_role.clone().unwrap()),
                career_level: Set(p.career_level.clone().unwrap()),
                reviewer_id: Set(None),
            })
            .collect(),
    )
    .await;
    insert_chunked(
        db,
        placed
            .iter()
            .map(|p| assessment::ActiveModel {
                id: Set(p.id),
                cycle_id: Set(cycle),
                subject_id: Set(p.id),
                assessor_id: Set(hr.user_id),
                kind: Set("MANAGER".into()),
                revision: Set(1),
                status: Set("SUBMITTED".into()),
                submitted_at: Set(Some(now)),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .collect(),
    )
    .await;
    let mut ratings = Vec::new();
    let mut targets = Vec::new();
    let mut actuals = Vec::new();
    let mut records = Vec::new();
    let period = format!("{}-Q{}", today.year(), (today.month() - 1) / 3 + 1);
    for (n, p) in placed.iter().enumerate() {
        let role = fw.role(p.job_role.as_deref().unwrap()).unwrap();
        for (k, skill) in role.requirements.keys().enumerate() {
            ratings.push(rating::ActiveModel {
                assessment_id: Set(p.id),
                skill_key: Set(skill.clone()),
                level: Set(((n + k) % 6) as i16),
                evidence: Set(None),
            });
        }
        targets.push(performance_target::ActiveModel {
            user_id: Set(p.id),
            period: Set(period.clone()),
            kpi_key: Set("new_users".into()),
            weight: Set(100),
            target_value: Set(100.0),
            threshold_value: Set(None),
            stretch_value: Set(Some(150.0)),
            note: Set(None),
            updated_by: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        actuals.push(kpi_actual::ActiveModel {
            user_id: Set(p.id),
            period: Set(period.clone()),
            kpi_key: Set("new_users".into()),
            value: Set((n % 160) as f64),
            note: Set(None),
            source: Set("CSV".into()),
            recorded_by: Set(None),
            recorded_at: Set(now),
            ..Default::default()
        });
        if n % 3 == 0 {
            records.push(certification_record::ActiveModel {
                user_id: Set(p.id),
                certification_key: Set("cda_level_1".into()),
                status: Set("EARNED".into()),
                progress: Set(100),
                started_on: Set(None),
                target_on: Set(None),
                earned_on: Set(Some(today)),
                expires_on: Set(None),
                credential: Set(None),
                verified_by: Set(None),
                verified_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
    }
    insert_chunked(db, ratings).await;
    insert_chunked(db, targets).await;
    insert_chunked(db, actuals).await;
    insert_chunked(db, records).await;
    Fixture {
        state,
        hr,
        _dir: dir,
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let f = rt.block_on(fixture());
    let filter = ReadinessFilter::default();
    let today = Utc::now().date_naive();
    let run = || {
        advancement::promotion_readiness(&f.state.db, &f.state.frameworks, &f.hr, &filter, today)
    };

    let before = f.state.statements.get();
    let started = Instant::now();
    let (_, rows) = rt.block_on(run()).unwrap();
    let elapsed = started.elapsed();
    let statements = f.state.statements.get() - before;
    assert!(rows.len() > PEOPLE / 2, "{} people ranked", rows.len());
    println!(
        "organisation view over {PEOPLE} people: {} ranked in {elapsed:?} with {statements} SQL statements",
        rows.len()
    );
    assert!(
        elapsed < Duration::from_secs(2),
        "the organisation view must stay under 2 s"
    );

    let mut group = c.benchmark_group("advancement");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("organisation_view_10000_people", |b| {
        b.to_async(&rt).iter(|| async { run().await.unwrap() })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
