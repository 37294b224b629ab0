//! Importing 10,000 people, and exporting a 10,000-person cycle's results:
//! time per run (criterion) and the peak memory of one run, read from the
//! kernel (`VmHWM` after resetting it through `/proc/self/clear_refs`).
//!
//! `cargo bench --bench import_export` (SQLite in a temp file; set
//! `BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL: the import bench
//! then needs an empty database per run, so it is SQLite-only).

use std::time::{Duration, Instant};

mod support;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use futures::StreamExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use skillpath::assessment::{self, OpenCycle};
use skillpath::auth::{Locale, Role};
use skillpath::db::entities::{assessment as assessment_row, rating};
use skillpath::exports::{cycle_results, tabular};
use skillpath::people::import::{ImportOptions, import_people};
use skillpath::people::import_file::{FileLimits, read_people_file};

const PEOPLE: usize = 10_000;

/// A head, 100 team leads, and everyone else in one of 100 teams.
fn org_csv(n: usize) -> String {
    let mut csv = String::from(
        "employee_id,email,name,team,manager,job_role,career_level,level_since,locale,role\n",
    );
    csv.push_str("E00000,head@ops.example.com,运营总监,运营中心,,user_operations,m2,2024-01-01,zh-CN,MANAGER\n");
    for i in 1..n {
        let group = i % 100;
        if i <= 100 {
            csv.push_str(&format!(
                "E{i:05},lead{i}@ops.example.com,组长 {i},运营中心/用户运营/组{group},E00000,user_operations,m1,2025-03-01,zh-CN,MANAGER\n"
            ));
        } else {
            let lead = if group == 0 { 100 } else { group };
            csv.push_str(&format!(
                "E{i:05},p{i}@ops.example.com,员工 {i},运营中心/用户运营/组{group},E{lead:05},user_operations,p{},2025-06-01,en,EMPLOYEE\n",
                1 + i % 3
            ));
        }
    }
    csv
}

/// Peak resident memory since the last reset, in MiB (Linux).
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn current_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let csv = org_csv(PEOPLE);
    let limits = FileLimits::default();

    let mut group = c.benchmark_group("import_export");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));

    // A first import of 10,000 people into an empty database.
    group.bench_function("import 10k people (new)", |b| {
        b.iter_custom(|iterations| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    let (state, _dir) = support::fresh_state().await;
                    let hr = support::staff(&state, "hr@example.com", Role::Hr).await;
                    let fw = state.frameworks.current(&state.db).await.unwrap();
                    let started = Instant::now();
                    let file = read_people_file(csv.as_bytes(), limits).unwrap();
                    let report = import_people(
                        &state.db,
                        &fw,
                        &skillpath::auth::policy::manage_accounts(&hr).unwrap(),
                        &file,
                        ImportOptions::default(),
                    )
                    .await
                    .unwrap();
                    total += started.elapsed();
                    assert_eq!(report.created.len(), PEOPLE);
                }
                total
            })
        })
    });

    // One database with the organisation, a cycle for everyone, every
    // participant rated by their manager on every skill of their level.
    let (state, _dir) = rt.block_on(support::fresh_state());
    let (hr, cycle_id) = rt.block_on(async {
        let hr = support::staff(&state, "hr@example.com", Role::Hr).await;
        let fw = state.frameworks.current(&state.db).await.unwrap();
        let file = read_people_file(csv.as_bytes(), limits).unwrap();
        reset_peak();
        let base = current_mib();
        let started = Instant::now();
        import_people(
            &state.db,
            &fw,
            &skillpath::auth::policy::manage_accounts(&hr).unwrap(),
            &file,
            ImportOptions::default(),
        )
        .await
        .unwrap();
        eprintln!(
            "import 10k people: {:.2} s, peak RSS {:.0} MiB (+{:.0} MiB over {:.0} MiB before)",
            started.elapsed().as_secs_f64(),
            peak_mib(),
            peak_mib() - base,
            base
        );
        let (cycle, participants) = assessment::open_cycle(
            &state.db,
            &state.frameworks,
            &skillpath::auth::policy::hr(&hr).unwrap(),
            OpenCycle {
                name: "bench".into(),
                team_ids: vec![],
                job_roles: vec![],
                self_due: None,
                manager_due: None,
                start: true,
            },
        )
        .await
        .unwrap();
        assert!(participants >= PEOPLE);
        let skills: Vec<String> = fw
            .requirements("user_operations", "p2")
            .iter()
            .map(|r| r.skill.to_owned())
            .collect();
        let rows = skillpath::db::entities::cycle_participant::Entity::find()
            .filter(skillpath::db::entities::cycle_participant::Column::CycleId.eq(cycle.id))
            .all(&state.db)
            .await
            .unwrap();
        let now = Utc::now();
        for chunk in rows.chunks(500) {
            assessment_row::Entity::insert_many(chunk.iter().map(|p| {
                assessment_row::ActiveModel {
                    cycle_id: Set(cycle.id),
                    subject_id: Set(p.user_id),
                    assessor_id: Set(hr.user_id),
                    kind: Set("MANAGER".into()),
                    revision: Set(1),
                    status: Set("SUBMITTED".into()),
                    submitted_at: Set(Some(now)),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
            }))
            .exec(&state.db)
            .await
            .unwrap();
        }
        let ids: Vec<i64> = assessment_row::Entity::find()
            .filter(assessment_row::Column::CycleId.eq(cycle.id))
            .all(&state.db)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect();
        let ratings: Vec<rating::ActiveModel> = ids
            .iter()
            .flat_map(|id| {
                skills
                    .iter()
                    .enumerate()
                    .map(move |(k, s)| rating::ActiveModel {
                        assessment_id: Set(*id),
                        skill_key: Set(s.clone()),
                        level: Set(((id + k as i64) % 6) as i16),
                        evidence: Set(None),
                    })
            })
            .collect();
        for chunk in ratings.chunks(2_000) {
            rating::Entity::insert_many(chunk.to_vec())
                .exec(&state.db)
                .await
                .unwrap();
        }
        (hr, cycle.id)
    });

    // The same file again: nothing changes.
    group.bench_function("import 10k people (unchanged)", |b| {
        b.to_async(&rt).iter(|| async {
            let fw = state.frameworks.current(&state.db).await.unwrap();
            let file = read_people_file(csv.as_bytes(), limits).unwrap();
            let report = import_people(
                &state.db,
                &fw,
                &skillpath::auth::policy::manage_accounts(&hr).unwrap(),
                &file,
                ImportOptions::default(),
            )
            .await
            .unwrap();
            assert_eq!(report.unchanged, PEOPLE);
        })
    });

    let export_csv = || async {
        let table =
            cycle_results::cycle_results(&state.db, &state.frameworks, &hr, cycle_id, Locale::ZhCn)
                .await
                .unwrap();
        // Consumed as a client would: chunk by chunk, nothing kept.
        let mut bytes = 0;
        let mut stream = std::pin::pin!(tabular::csv_stream(table));
        while let Some(chunk) = stream.next().await {
            bytes += chunk.unwrap().len();
        }
        bytes
    };
    let export_xlsx = || async {
        let table =
            cycle_results::cycle_results(&state.db, &state.frameworks, &hr, cycle_id, Locale::ZhCn)
                .await
                .unwrap();
        tabular::xlsx_bytes(table).await.unwrap().len()
    };
    rt.block_on(async {
        for (name, run) in [("csv", 0), ("xlsx", 1)] {
            reset_peak();
            let base = current_mib();
            let started = Instant::now();
            let bytes = if run == 0 { export_csv().await } else { export_xlsx().await };
            eprintln!(
                "export 10k-person cycle results as {name}: {:.2} s, {:.1} MiB file, peak RSS {:.0} MiB (+{:.0} MiB over {:.0} MiB before)",
                started.elapsed().as_secs_f64(),
                bytes as f64 / 1048576.0,
                peak_mib(),
                peak_mib() - base,
                base
            );
        }
    });
    group.bench_function("export 10k-person cycle results (csv)", |b| {
        b.to_async(&rt).iter(export_csv)
    });
    group.bench_function("export 10k-person cycle results (xlsx)", |b| {
        b.to_async(&rt).iter(export_xlsx)
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
