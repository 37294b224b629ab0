//! Prometheus metrics, scraped at `GET /metrics`: GraphQL requests by
//! operation and outcome with their latency, HTTP responses by route and
//! status, the database pool, the mail outbox, and login failures.
//!
//! Operation names come from clients, so they are bounded before they become
//! labels: only plain names are kept, and past `MAX_OPERATIONS` distinct
//! names every new one is counted as `other` (a client cannot grow the
//! server's memory by inventing names).

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use sea_orm::{DatabaseBackend, DatabaseConnection, FromQueryResult, Statement};

const MAX_OPERATIONS: usize = 200;

pub struct Metrics {
    registry: Registry,
    graphql_requests: IntCounterVec,
    graphql_seconds: HistogramVec,
    http_responses: IntCounterVec,
    pub login_failures: IntCounter,
    pool: IntGaugeVec,
    outbox: IntGaugeVec,
    operations_seen: Mutex<HashSet<String>>,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new_custom(Some("skillpath".into()), None)
            .expect("a constant prefix is valid");
        let graphql_requests = IntCounterVec::new(
            Opts::new(
                "graphql_requests_total",
                "GraphQL requests by operation name and outcome (ok, or the first error code)",
            ),
            &["operation", "outcome"],
        )
        .expect("valid metric");
        let graphql_seconds = HistogramVec::new(
            HistogramOpts::new(
                "graphql_request_duration_seconds",
                "Time to answer a GraphQL request, by operation name",
            )
            .buckets(vec![
                0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["operation"],
        )
        .expect("valid metric");
        let http_responses = IntCounterVec::new(
            Opts::new("http_responses_total", "HTTP responses by route and status"),
            &["route", "status"],
        )
        .expect("valid metric");
        let login_failures = IntCounter::new(
            "login_failures_total",
            "Logins refused for a wrong email or password (not counting rate-limited ones)",
        )
        .expect("valid metric");
        let pool = IntGaugeVec::new(
            Opts::new(
                "db_pool_connections",
                "Database connections in the pool, by state (idle, in_use) and the maximum",
            ),
            &["state"],
        )
        .expect("valid metric");
        let outbox = IntGaugeVec::new(
            Opts::new(
                "outbox",
                "Mail outbox: pending messages (depth) and the age of the oldest, in seconds",
            ),
            &["measure"],
        )
        .expect("valid metric");
        for metric in [
            Box::new(graphql_requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(graphql_seconds.clone()),
            Box::new(http_responses.clone()),
            Box::new(login_failures.clone()),
            Box::new(pool.clone()),
            Box::new(outbox.clone()),
        ] {
            registry
                .register(metric)
                .expect("each metric registered once");
        }
        Self {
            registry,
            graphql_requests,
            graphql_seconds,
            http_responses,
            login_failures,
            pool,
            outbox,
            operations_seen: Mutex::new(HashSet::new()),
        }
    }

    /// Records one GraphQL request.
    pub fn graphql_request(&self, operation: Option<&str>, outcome: &str, took: Duration) {
        let operation = self.operation_label(operation);
        self.graphql_requests
            .with_label_values(&[operation.as_str(), outcome])
            .inc();
        self.graphql_seconds
            .with_label_values(&[operation.as_str()])
            .observe(took.as_secs_f64());
    }

    pub fn http_response(&self, path: &str, status: u16) {
        self.http_responses
            .with_label_values(&[route_of(path), &status.to_string()])
            .inc();
    }

    fn operation_label(&self, operation: Option<&str>) -> String {
        let Some(name) = operation.filter(|n| is_plain_name(n)) else {
            return "anonymous".into();
        };
        let mut seen = self
            .operations_seen
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if seen.contains(name) {
            return name.to_owned();
        }
        if seen.len() >= MAX_OPERATIONS {
            return "other".into();
        }
        seen.insert(name.to_owned());
        name.to_owned()
    }

    /// The text exposition, with the pool and outbox read now.
    pub async fn render(&self, db: &DatabaseConnection) -> String {
        self.read_pool(db);
        if let Err(err) = self.read_outbox(db).await {
            tracing::warn!(error = %err, "metrics: could not read the outbox");
        }
        let mut out = Vec::new();
        if let Err(err) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %err, "metrics: encoding failed");
        }
        String::from_utf8(out).unwrap_or_default()
    }

    fn read_pool(&self, db: &DatabaseConnection) {
        let (size, idle, max) = match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                (
                    pool.size(),
                    pool.num_idle() as u32,
                    pool.options().get_max_connections(),
                )
            }
            _ => {
                let pool = db.get_sqlite_connection_pool();
                (
                    pool.size(),
                    pool.num_idle() as u32,
                    pool.options().get_max_connections(),
                )
            }
        };
        self.pool.with_label_values(&["idle"]).set(idle.into());
        self.pool
            .with_label_values(&["in_use"])
            .set(size.saturating_sub(idle).into());
        self.pool.with_label_values(&["max"]).set(max.into());
    }

    async fn read_outbox(&self, db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
        #[derive(FromQueryResult)]
        struct Depth {
            pending: i64,
            oldest: Option<chrono::DateTime<chrono::Utc>>,
        }
        let depth = Depth::find_by_statement(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS pending, MIN(created_at) AS oldest FROM email_outbox WHERE status = 'PENDING'",
        ))
        .one(db)
        .await?;
        let (pending, age) = depth.map_or((0, 0), |d| {
            let age = d
                .oldest
                .map_or(0, |t| (chrono::Utc::now() - t).num_seconds().max(0));
            (d.pending, age)
        });
        self.outbox.with_label_values(&["depth"]).set(pending);
        self.outbox
            .with_label_values(&["oldest_age_seconds"])
            .set(age);
        Ok(())
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Routes as labels: a fixed set, whatever path a client asks for.
fn route_of(path: &str) -> &'static str {
    match path {
        "/graphql" => "/graphql",
        "/metrics" => "/metrics",
        "/livez" => "/livez",
        "/readyz" | "/health" => "/readyz",
        "/accept-invitation" | "/reset-password" => "/pages",
        p if p.starts_with("/graphiql") => "/graphiql",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_chosen_names_cannot_grow_the_labels() {
        let metrics = Metrics::new();
        assert_eq!(metrics.operation_label(Some("TeamMatrix")), "TeamMatrix");
        assert_eq!(metrics.operation_label(Some("bad name!")), "anonymous");
        assert_eq!(metrics.operation_label(None), "anonymous");
        for i in 0..MAX_OPERATIONS {
            metrics.operation_label(Some(&format!("Op{i}")));
        }
        assert_eq!(metrics.operation_label(Some("OneTooMany")), "other");
        assert_eq!(metrics.operation_label(Some("TeamMatrix")), "TeamMatrix");
    }
}
