//! The team skill matrix for a team of 200 people rated on 40 skills: time
//! per query and SQL statements per query (which must not grow with the team).
//!
//! `cargo bench --bench team_matrix` (SQLite in a temp file; set
//! `BENCH_DATABASE_URL=postgres://…/db` to run it against PostgreSQL).

use std::time::Duration;

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use skillpath::assessment::{self, AssessmentKind, AssessmentWrite, OpenCycle, RatingInput};
use skillpath::auth::Role;
use skillpath::framework::document::{FrameworkDocument, Requirement};
use skillpath::framework::{self};
use skillpath::people::{self, NewPerson};

const PEOPLE: usize = 200;
const SKILLS_PER_AREA: usize = 8;

/// The default framework widened to 8 skills per area (40 in all), with one
/// role that requires every one of them.
fn forty_skill_framework() -> FrameworkDocument {
    let mut doc = FrameworkDocument::default_operations().expect("shipped framework");
    for area in &mut doc.areas {
        let template = area.skills[0].clone();
        let mut n = 0;
        while area.skills.len() < SKILLS_PER_AREA {
            n += 1;
            let mut extra = template.clone();
            extra.key = format!("{}_extra_{n}", area.key);
            area.skills.push(extra);
        }
        area.skills.truncate(SKILLS_PER_AREA);
    }
    let keys: Vec<String> = doc
        .areas
        .iter()
        .flat_map(|a| a.skills.iter().map(|s| s.key.clone()))
        .collect();
    for resource in &mut doc.learning_resources {
        resource.skills.retain(|s| keys.contains(s));
        if resource.skills.is_empty() {
            resource.skills.push(keys[0].clone());
        }
    }
    for family in &mut doc.certification_families {
        for cert in &mut family.certifications {
            cert.skills.retain(|s| keys.contains(s));
        }
    }
    for role in &mut doc.roles {
        let levels: Vec<String> = role.levels.iter().map(|l| l.key.clone()).collect();
        role.requirements = keys
            .iter()
            .map(|k| {
                (
                    k.clone(),
                    Requirement {
                        weight: 3,
                        weights: Default::default(),
                        levels: levels
                            .iter()
                            .enumerate()
                            .map(|(i, l)| (l.clone(), (i as u8 % 4) + 1))
                            .collect(),
                        critical: Vec::new(),
                    },
                )
            })
            .collect();
    }
    doc
}

struct Fixture {
    state: skillpath::state::AppState,
    hr: skillpath::auth::Actor,
    team_id: i64,
    cycle_id: i64,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let (state, dir) = support::fresh_state().await;
    let db = &state.db;
    let new = |email: &str, role: Role, manager: Option<i64>, team: Option<i64>| NewPerson {
        email: email.into(),
        name: email.into(),
        role: Some(role),
        manager_id: manager,
        team_id: team,
        job_role: Some("user_operations".into()),
        career_level: Some("p2".into()),
        ..NewPerson::default()
    };
    let admin = support::staff(&state, "admin@bench.example", Role::Admin).await;
    let hr = support::staff(&state, "hr@bench.example", Role::Hr).await;
    framework::import_draft(
        db,
        &skillpath::auth::policy::edit_framework(&admin).unwrap(),
        forty_skill_framework(),
    )
    .await
    .unwrap();
    framework::publish_draft(
        db,
        &state.frameworks,
        &skillpath::auth::policy::edit_framework(&admin).unwrap(),
    )
    .await
    .unwrap();
    let team = people::create_team(
        db,
        &skillpath::auth::policy::manage_accounts(&hr).unwrap(),
        "Bench team",
        None,
    )
    .await
    .unwrap();
    let manager = people::insert_person(
        db,
        &state.auth.hasher,
        new("manager@bench.example", Role::Manager, None, None),
    )
    .await
    .unwrap();
    for i in 0..PEOPLE {
        people::insert_person(
            db,
            &state.auth.hasher,
            new(
                &format!("p{i}@bench.example"),
                Role::Employee,
                Some(manager.id),
                Some(team.id),
            ),
        )
        .await
        .unwrap();
    }
    let (cycle, count) = assessment::open_cycle(
        db,
        &state.frameworks,
        &skillpath::auth::policy::hr(&hr).unwrap(),
        OpenCycle {
            name: "Bench".into(),
            team_ids: vec![team.id],
            start: true,
            ..OpenCycle::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(count, PEOPLE);
    assessment::advance_cycle(db, &skillpath::auth::policy::hr(&hr).unwrap(), cycle.id)
        .await
        .unwrap();
    let manager_actor = state.auth.actor(db, manager.id).await.unwrap();
    let fw = state.frameworks.current(db).await.unwrap();
    let skills: Vec<String> = fw
        .role("user_operations")
        .unwrap()
        .requirements
        .keys()
        .cloned()
        .collect();
    assert_eq!(skills.len(), SKILLS_PER_AREA * 5);
    for subject in manager_actor.reports.iter().copied() {
        let ratings = skills
            .iter()
            .enumerate()
            .map(|(i, s)| RatingInput {
                skill: s.clone(),
                level: ((subject as usize + i) % 6) as i32,
                evidence: None,
            })
            .collect();
        assessment::save_assessment(
            db,
            &state.frameworks,
            &manager_actor,
            AssessmentWrite {
                cycle_id: cycle.id,
                subject_id: subject,
                kind: AssessmentKind::Manager,
                ratings,
                submit: true,
            },
        )
        .await
        .unwrap();
    }
    Fixture {
        hr,
        team_id: team.id,
        cycle_id: cycle.id,
        state,
        _dir: dir,
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let f = rt.block_on(fixture());
    let run = || {
        assessment::team_skill_matrix(
            &f.state.db,
            &f.state.frameworks,
            &f.hr,
            f.team_id,
            f.cycle_id,
        )
    };

    // Statement count of one (warm) query, printed for the record.
    rt.block_on(run()).unwrap();
    let before = f.state.statements.get();
    let result = rt.block_on(run()).unwrap();
    let statements = f.state.statements.get() - before;
    assert_eq!(result.matrix.rows.len(), PEOPLE);
    assert_eq!(result.matrix.skills.len(), SKILLS_PER_AREA * 5);
    println!(
        "team matrix {PEOPLE} people x {} skills: {statements} SQL statements per query",
        result.matrix.skills.len()
    );

    let mut group = c.benchmark_group("team_matrix");
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("200_people_x_40_skills", |b| {
        b.to_async(&rt).iter(|| async { run().await.unwrap() })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
