//! The organisation's view of its people over the demo organisation of
//! 10,000 people (two closed cycles of self and manager ratings on every
//! skill of their role, two quarters of KPI results): capability maturity
//! of the whole organisation and the rating calibration of the newest
//! cycle, each with its SQL statement count asserted and its time printed
//! (the target is 1 s each; a shared machine makes a timed assert flaky).
//!
//! `cargo bench --bench talent` (`-- --test` runs each once)

use std::time::{Duration, Instant};

use chrono::Utc;
mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use skillpath::auth::Role;
use skillpath::talent::{self, maturity};

const PEOPLE: usize = 10_000;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (state, _dir) = rt.block_on(support::fresh_state());
    let hr = rt.block_on(async {
        let fw = state.frameworks.current(&state.db).await.unwrap();
        skillpath::demo::seed(&state.db, &fw, PEOPLE, 1)
            .await
            .unwrap();
        support::staff(&state, "hr@bench.example", Role::Hr).await
    });
    let view = skillpath::auth::policy::team_views(&hr).unwrap();
    let today = Utc::now().date_naive();
    let (newest, _) = rt
        .block_on(skillpath::assessment::census::cycle_and_previous(
            &state.db, None,
        ))
        .unwrap();
    let cycle = newest.expect("the demo organisation has closed cycles").id;
    let maturity = || {
        maturity::capability_maturity(
            &state.db,
            &state.frameworks,
            &view,
            maturity::MaturityScope::default(),
            None,
            None,
            today,
        )
    };
    let calibration = || talent::rating_calibration(&state.db, &view, cycle);

    // Warm the framework cache, then count one request of each.
    rt.block_on(maturity()).unwrap();
    let before = state.statements.get();
    let started = Instant::now();
    let report = rt.block_on(maturity()).unwrap();
    let elapsed = started.elapsed();
    let statements = state.statements.get() - before;
    assert!(
        report.people > PEOPLE / 2,
        "{} people counted",
        report.people
    );
    assert!(report.areas.iter().all(|a| a.level.is_some()));
    // Cycles; participants and manager ratings counted for this cycle and
    // the previous one; the active people; their KPI targets and actuals;
    // the aims; the sole holders' names. The same at any size.
    assert_eq!(statements, 10, "statements per maturity view");
    println!(
        "capability maturity over {} people: {elapsed:?}, {statements} SQL statements",
        report.people
    );

    let before = state.statements.get();
    let started = Instant::now();
    let managers = rt.block_on(calibration()).unwrap();
    let elapsed = started.elapsed();
    let statements = state.statements.get() - before;
    assert!(!managers.is_empty());
    println!(
        "rating calibration of {} managers: {elapsed:?}, {statements} SQL statements",
        managers.len()
    );
    assert_eq!(statements, 2, "statements per calibration");

    let mut group = c.benchmark_group("talent");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("capability_maturity_10000_people", |b| {
        b.to_async(&rt).iter(|| async { maturity().await.unwrap() })
    });
    group.bench_function("rating_calibration_10000_people", |b| {
        b.to_async(&rt)
            .iter(|| async { calibration().await.unwrap() })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
