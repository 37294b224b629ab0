//! A login storm against a live server: does it take the server with it?
//!
//! The server runs in this process with production password hashing
//! (argon2id, 19 MiB, 2 passes) on a fresh SQLite file, or on
//! `BENCH_DATABASE_URL` (an empty database). Four clients read `me` for 10 s
//! on a quiet server; then the same four read `me` for 30 s while sixteen
//! others log in as fast as the server lets them. Printed: `me` latency in
//! both phases, logins per second, and the process's resident memory before,
//! at the peak and after the storm. The bench fails when `me`'s p99 during
//! the storm exceeds twice its p99 alone, or the memory left after the storm
//! exceeds 200 MB.
//!
//! `cargo bench --bench login_storm`

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{EntityTrait, Set};
use serde_json::{Value, json};
use skillpath::config::{Secret, Settings};
use skillpath::db::entities::user;

const ACCOUNTS: usize = 1_000;
const PASSWORD: &str = "storm-password-123";
const READERS: usize = 4;
const LOGGERS: usize = 16;
const QUIET: Duration = Duration::from_secs(10);
const STORM: Duration = Duration::from_secs(30);
const RSS_LIMIT_MB: f64 = 200.0;

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let mut request = http
        .post(url)
        .json(&json!({"query": query, "variables": variables}));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

async fn login(http: &reqwest::Client, url: &str, email: &str) -> Option<String> {
    let answer = post(
        http,
        url,
        None,
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
        json!({"e": email, "p": PASSWORD}),
    )
    .await;
    answer["data"]["login"]["accessToken"]
        .as_str()
        .map(str::to_owned)
}

/// `me` in a loop by `READERS` clients until `stop`; every latency.
async fn read_me(url: Arc<String>, token: Arc<String>, stop: Arc<AtomicBool>) -> Vec<Duration> {
    let mut readers = Vec::new();
    for _ in 0..READERS {
        let (url, token, stop) = (url.clone(), token.clone(), stop.clone());
        readers.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let answer =
                    post(&http, &url, Some(&token), "{ me { id email } }", json!({})).await;
                assert!(answer["errors"].is_null(), "{answer}");
                latencies.push(started.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for reader in readers {
        all.extend(reader.await.unwrap());
    }
    all.sort();
    all
}

fn report(phase: &str, latencies: &[Duration]) -> Duration {
    let p99 = percentile(latencies, 0.99);
    println!(
        "{phase:<28} me: {:>6} requests, p50 {:>7.2?}, p99 {:>7.2?}",
        latencies.len(),
        percentile(latencies, 0.5),
        p99
    );
    p99
}

fn main() {
    skillpath::memory::tune_allocator();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(storm());
}

async fn storm() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        database_url: std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
            format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("storm.db").display()
            )
        }),
        listen: "127.0.0.1:0".into(),
        token_secret: Some(Secret::new("bench-secret-bench-secret-bench-secret")),
        background_jobs: false,
        ..Settings::default()
    };
    let app = skillpath::Application::build(settings).await.unwrap();
    let url = Arc::new(format!("http://{}/graphql", app.addr()));
    let state = app.state().clone();
    tokio::spawn(app.run_until(std::future::pending()));

    // Accounts straight into the table with one hash: the set-up is not measured.
    let password = skillpath::auth::password::Password::parse(PASSWORD).unwrap();
    let hash = state.auth.hasher.hash(&password).await.unwrap();
    let now = chrono::Utc::now();
    let rows: Vec<user::ActiveModel> = (0..ACCOUNTS)
        .map(|i| user::ActiveModel {
            email: Set(format!("s{i}@storm.example")),
            name: Set(format!("Storm {i}")),
            password_hash: Set(Some(hash.clone())),
            role: Set("EMPLOYEE".into()),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(400) {
        user::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&state.db)
            .await
            .unwrap();
    }
    let http = reqwest::Client::new();
    let token = Arc::new(login(&http, &url, "s0@storm.example").await.unwrap());

    // Warm up, then the quiet phase.
    let stop = Arc::new(AtomicBool::new(false));
    let warm = tokio::spawn(read_me(url.clone(), token.clone(), stop.clone()));
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    warm.await.unwrap();
    let before = rss_mb();
    let stop = Arc::new(AtomicBool::new(false));
    let quiet = tokio::spawn(read_me(url.clone(), token.clone(), stop.clone()));
    tokio::time::sleep(QUIET).await;
    stop.store(true, Ordering::Relaxed);
    let alone = report("alone", &quiet.await.unwrap());

    // The storm: each account logs in at most four times, under the limit of
    // five tries per account and address.
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicU64::new(1));
    let logins = Arc::new(AtomicU64::new(0));
    let mut loggers = Vec::new();
    for _ in 0..LOGGERS {
        let (url, stop, next, logins) = (url.clone(), stop.clone(), next.clone(), logins.clone());
        loggers.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            while !stop.load(Ordering::Relaxed) {
                let n = next.fetch_add(1, Ordering::Relaxed) as usize % ACCOUNTS;
                if login(&http, &url, &format!("s{n}@storm.example"))
                    .await
                    .is_some()
                {
                    logins.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let readers = tokio::spawn(read_me(url.clone(), token.clone(), stop.clone()));
    let started = Instant::now();
    let mut peak = rss_mb();
    while started.elapsed() < STORM {
        tokio::time::sleep(Duration::from_millis(200)).await;
        peak = peak.max(rss_mb());
    }
    stop.store(true, Ordering::Relaxed);
    let during = report("during a login storm", &readers.await.unwrap());
    for logger in loggers {
        logger.await.unwrap();
    }
    let done = logins.load(Ordering::Relaxed);
    assert!(
        next.load(Ordering::Relaxed) as usize <= 4 * ACCOUNTS,
        "the storm outran the accounts: raise ACCOUNTS"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_mb();
    println!(
        "logins: {done} in {:.0?} ({:.1}/s, {LOGGERS} clients)",
        STORM,
        done as f64 / STORM.as_secs_f64()
    );
    println!(
        "resident memory: {before:.0} MB before, {peak:.0} MB at the peak, {after:.0} MB after"
    );
    let ratio = during.as_secs_f64() / alone.as_secs_f64();
    println!("me p99 during the storm / alone: {ratio:.2}");
    assert!(done > 0, "no login succeeded");
    assert!(
        after <= RSS_LIMIT_MB,
        "{after:.0} MB left after the storm (limit {RSS_LIMIT_MB})"
    );
    assert!(
        ratio <= 2.0,
        "me's p99 grew {ratio:.2}x during the storm (limit 2x)"
    );
}
