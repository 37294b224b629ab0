//! What every request and background job can reach, in a module of its own:
//! the GraphQL layer and the HTTP handlers read it without depending on
//! `app`, which builds the schema and the routes from them.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::audit::AuditKey;
use crate::auth::session::Auth;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db;
use crate::framework::FrameworkStore;
use crate::metrics::Metrics;

/// What every request can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub auth: Auth,
    pub frameworks: Arc<FrameworkStore>,
    pub settings: Arc<Settings>,
    /// SQL statements run so far (see `db::StatementCounter`).
    pub statements: db::StatementCounter,
    pub metrics: Arc<Metrics>,
    /// The audit trail's key (see `audit`).
    pub audit_key: Arc<AuditKey>,
    /// The time requests and jobs live in (see `clock`).
    pub clock: Clock,
    /// Persisted queries and the checks before a request executes.
    pub preparation: crate::graphql::prepare::Preparation,
}
