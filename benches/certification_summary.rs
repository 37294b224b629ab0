//! HR's certification summary over an organisation of 10,000 people and 20
//! certifications: time per request and SQL statements per request.
//!
//! `cargo bench --bench certification_summary`

use std::time::Duration;

use chrono::{Days, Utc};
mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use sea_orm::{EntityTrait, Set};
use skillpath::auth::Role;
use skillpath::certification::{self, CertificationFilter};
use skillpath::db::entities::{certification_record, user};
use skillpath::framework::document::{Certification, FrameworkDocument};
use skillpath::framework::{self};
use skillpath::people;

const PEOPLE: usize = 10_000;
const CERTIFICATIONS: usize = 20;

/// The default framework with its catalogue widened to 20 certifications.
fn twenty_certifications() -> FrameworkDocument {
    let mut doc = FrameworkDocument::default_operations().expect("shipped framework");
    let family = &mut doc.certification_families[0];
    let template: Certification = family.certifications[0].clone();
    let mut n = 0;
    while doc
        .certification_families
        .iter()
        .map(|f| f.certifications.len())
        .sum::<usize>()
        < CERTIFICATIONS
    {
        n += 1;
        let mut extra = template.clone();
        extra.key = format!("bench_cert_{n}");
        extra.validity_months = Some(12 + n);
        doc.certification_families[0].certifications.push(extra);
    }
    doc
}

struct Fixture {
    state: skillpath::state::AppState,
    hr: skillpath::auth::Actor,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let (state, dir) = support::fresh_state().await;
    let db = &state.db;
    let admin = support::staff(&state, "admin@bench.example", Role::Admin).await;
    let hr = support::staff(&state, "hr@bench.example", Role::Hr).await;
    framework::import_draft(
        db,
        &skillpath::auth::policy::edit_framework(&admin).unwrap(),
        twenty_certifications(),
    )
    .await
    .unwrap();
    let fw = framework::publish_draft(
        db,
        &state.frameworks,
        &skillpath::auth::policy::edit_framework(&admin).unwrap(),
    )
    .await
    .unwrap();
    let mut teams = Vec::new();
    for t in 0..40 {
        teams.push(
            people::create_team(
                db,
                &skillpath::auth::policy::manage_accounts(&hr).unwrap(),
                &format!("Team {t}"),
                None,
            )
            .await
            .unwrap()
            .id,
        );
    }
    let roles: Vec<(String, Vec<String>)> = fw
        .doc
        .roles
        .iter()
        .map(|r| {
            (
                r.key.clone(),
                r.levels.iter().map(|l| l.key.clone()).collect(),
            )
        })
        .collect();
    let certs: Vec<String> = fw
        .doc
        .certification_families
        .iter()
        .flat_map(|f| f.certifications.iter().map(|c| c.key.clone()))
        .collect();
    let now = Utc::now();
    // Bulk arrangement straight into the tables: the behaviour measured is the summary.
    for chunk in (0..PEOPLE).collect::<Vec<_>>().chunks(500) {
        user::Entity::insert_many(chunk.iter().map(|i| {
            let (role, levels) = &roles[i % roles.len()];
            user::ActiveModel {
                email: Set(format!("p{i}@bench.example")),
                name: Set(format!("Person {i}")),
                password_hash: Set(None),
                role: Set("EMPLOYEE".into()),
                manager_id: Set(None),
                team_id: Set(Some(teams[i % teams.len()])),
                locale: Set(None),
                active: Set(true),
                job_role: Set(Some(role.clone())),
                career_level: Set(Some(levels[i % levels.len()].clone())),
                level_since: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
        }))
        .exec(db)
        .await
        .unwrap();
    }
    let ids: Vec<i64> = user::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    let today = Utc::now().date_naive();
    let statuses = ["PLANNED", "IN_PROGRESS", "EARNED", "EARNED", "WITHDRAWN"];
    let mut records = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        for k in 0..3 {
            let status = statuses[(n + k) % statuses.len()];
            let earned =
                (status == "EARNED").then(|| today - Days::new(((n * 37 + k * 11) % 900) as u64));
            records.push(certification_record::ActiveModel {
                user_id: Set(*id),
                certification_key: Set(certs[(n + k * 7) % certs.len()].clone()),
                status: Set(status.into()),
                progress: Set(if status == "EARNED" { 100 } else { 40 }),
                started_on: Set(None),
                target_on: Set(None),
                earned_on: Set(earned),
                expires_on: Set(earned.map(|e| e + Days::new(365))),
                credential: Set(None),
                verified_by: Set(None),
                verified_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
    }
    for chunk in records.chunks(500) {
        certification_record::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .unwrap();
    }
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
    let filter = CertificationFilter::default();
    let today = Utc::now().date_naive();
    let run = || {
        certification::certification_summary(
            &f.state.db,
            &f.state.frameworks,
            &f.hr,
            &filter,
            today,
        )
    };

    rt.block_on(run()).unwrap();
    let before = f.state.statements.get();
    let summary = rt.block_on(run()).unwrap();
    let statements = f.state.statements.get() - before;
    assert_eq!(summary.by_certification.len(), CERTIFICATIONS);
    // Counts by status, people per level, holders per level, and the
    // framework's current version: the same four at any size.
    assert_eq!(statements, 4, "statements per certification summary");
    println!(
        "certification summary over {PEOPLE} people, {CERTIFICATIONS} certifications: {statements} SQL statements per request"
    );

    let mut group = c.benchmark_group("certification_summary");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("10000_people_x_20_certifications", |b| {
        b.to_async(&rt).iter(|| async { run().await.unwrap() })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
