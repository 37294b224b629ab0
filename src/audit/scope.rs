//! Who is acting, for the entries a task appends: set once where work
//! enters (a request, a job, a command), read wherever a change is recorded.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::Secret;

/// The key the trail's chain is computed with. Derived from the configured
/// audit key, or from the token secret when none is set.
#[derive(Clone)]
pub struct AuditKey([u8; 32]);

impl AuditKey {
    pub fn from_secret(secret: &Secret) -> Self {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
            .expect("HMAC takes a key of any length");
        mac.update(b"skillpath audit trail v1");
        Self(mac.finalize().into_bytes().into())
    }

    pub(crate) fn mac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length")
    }
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuditKey(***)")
    }
}

/// The circumstances of the changes a task makes.
#[derive(Debug, Clone)]
pub struct AuditScope {
    pub key: Arc<AuditKey>,
    /// The signed-in person acting, if any.
    pub actor_id: Option<i64>,
    /// What acted when it is not a person's request, or on whose behalf
    /// (`job:certification-reminders`, `cli:import-people`, `startup`).
    pub via: Option<String>,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
}

impl AuditScope {
    /// A request to the API, by `actor_id` when signed in.
    pub fn request(key: Arc<AuditKey>, actor_id: Option<i64>, client_addr: Option<String>) -> Self {
        Self {
            key,
            actor_id,
            via: None,
            request_id: crate::telemetry::current_request_id(),
            client_addr,
        }
    }

    /// Work nobody requested just now: a job, a command, start-up.
    pub fn system(key: Arc<AuditKey>, via: impl Into<String>) -> Self {
        Self {
            key,
            actor_id: None,
            via: Some(via.into()),
            request_id: None,
            client_addr: None,
        }
    }
}

tokio::task_local! {
    static SCOPE: AuditScope;
}

/// Runs `work` with `scope` as the circumstances of its changes.
pub async fn within<F: Future>(scope: AuditScope, work: F) -> F::Output {
    SCOPE.scope(scope, work).await
}

/// The scope the current task runs in, if any.
pub fn current_scope() -> Option<AuditScope> {
    SCOPE.try_with(Clone::clone).ok()
}

/// The key of the process's application, for work that runs outside any
/// scope (a forgotten one, or arrangement code calling services directly):
/// such changes are still recorded, as `via: unscoped`, rather than refused.
static DEFAULT_KEY: std::sync::RwLock<Option<Arc<AuditKey>>> = std::sync::RwLock::new(None);

/// Makes `key` the key of unscoped changes (`app::build_state` does).
pub fn install_default_key(key: Arc<AuditKey>) {
    if let Ok(mut slot) = DEFAULT_KEY.write() {
        *slot = Some(key);
    }
}

/// The current scope, or the unscoped one.
pub(crate) fn scope_or_default() -> Option<AuditScope> {
    current_scope().or_else(|| {
        let key = DEFAULT_KEY.read().ok()?.clone()?;
        tracing::warn!("a change was recorded outside an audit scope");
        Some(AuditScope::system(key, "unscoped"))
    })
}
