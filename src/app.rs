//! Builds the running application: database, state, schema and routes; and
//! serves them until a shutdown signal, finishing requests in flight.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use poem::Server;
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};

use crate::audit::{self, AuditKey, AuditScope};
use crate::auth::password::PasswordHasher;
use crate::auth::session::Auth;
use crate::auth::tokens::{self, TokenKeys};
use crate::clock::Clock;
use crate::config::{Environment, Secret, Settings};
use crate::framework::{self, FrameworkStore};
use crate::graphql::{self, AppSchema};
// Kept where it was so that code naming `app::AppState` (charts, branches
// in flight) still builds; new code imports it from `state`.
pub use crate::state::AppState;
use crate::{db, people};

pub struct Application {
    acceptor: TcpAcceptor,
    addr: SocketAddr,
    state: AppState,
    schema: AppSchema,
}

impl Application {
    /// Connects, migrates, creates the bootstrap admin if configured, and binds
    /// the listener (port 0 picks a free port: tests rely on it).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    /// As `build`, with the time its requests and jobs see (tests move it).
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        settings.validate()?;
        for warning in settings.production_warnings() {
            tracing::warn!("{warning}");
        }
        let acceptor = TcpListener::bind(settings.listen.as_str())
            .into_acceptor()
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let addr = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .context("listener has no address")?;
        let state = build_state_with_clock(settings.with_public_url_for(addr), clock).await?;
        let schema = graphql::schema_for(&state.settings)
            .data(state.clone())
            .finish();
        Ok(Self {
            acceptor,
            addr,
            state,
            schema,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send) -> std::io::Result<()> {
        let background = if self.state.settings.background_jobs {
            Some(Background::start(&self.state).map_err(std::io::Error::other)?)
        } else {
            None
        };
        let app = crate::http::routes(self.schema, self.state);
        tracing::info!(addr = %self.addr, "serving GraphQL at /graphql, GraphiQL at /graphiql");
        let served = Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(app, shutdown, Some(Duration::from_secs(15)))
            .await;
        if let Some(background) = background {
            background.stop().await;
        }
        served
    }
}

/// The work a server process does besides answering requests.
struct Background {
    jobs: Vec<tokio::task::JoinHandle<()>>,
    mail: tokio::task::JoinHandle<()>,
    stop_mail: tokio::sync::watch::Sender<bool>,
}

impl Background {
    fn start(state: &AppState) -> anyhow::Result<Self> {
        let settings = &state.settings;
        let every = Duration::from_secs(settings.jobs_interval_minutes * 60);
        let key = &state.audit_key;
        let reminders = crate::certification::spawn_reminder_job(
            state.db.clone(),
            state.frameworks.clone(),
            settings.certification_reminder_days.clone(),
            every,
            AuditScope::system(key.clone(), "job:certification-reminders"),
            state.clock.clone(),
        );
        let housekeeping_state = state.clone();
        let housekeeping = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                housekeeping(&housekeeping_state).await;
            }
        });
        let (stop_mail, mail_stop) = tokio::sync::watch::channel(false);
        let mail = crate::mail::MailWorker::from_settings(state.db.clone(), settings)?.spawn(
            Duration::from_secs(settings.mail_poll_seconds.max(1)),
            mail_stop,
        );
        let plans = crate::development::spawn_development_reminder_job(
            state.db.clone(),
            settings.development_check_in_days,
            every,
            AuditScope::system(key.clone(), "job:development-reminders"),
            state.clock.clone(),
        );
        Ok(Self {
            jobs: vec![reminders, plans, housekeeping],
            mail,
            stop_mail,
        })
    }

    /// The mail worker stops between sends and gives back its claims, so
    /// another replica sends them now rather than after the lease.
    async fn stop(self) {
        for job in &self.jobs {
            job.abort();
        }
        let _ = self.stop_mail.send(true);
        let mut mail = self.mail;
        if tokio::time::timeout(Duration::from_secs(10), &mut mail)
            .await
            .is_err()
        {
            mail.abort();
        }
    }
}

/// One run of the housekeeping job: assessment due-date reminders, the
/// pruning of login attempts and of the audit trail past its retention. In
/// the job's audit scope and at the application's time; tests call it when
/// they want it to run. Failures are logged (the job tries again at its next
/// run) and count as nothing done.
pub async fn housekeeping(state: &AppState) -> Housekeeping {
    let db = &state.db;
    let settings = &state.settings;
    let scope = AuditScope::system(state.audit_key.clone(), "job:housekeeping");
    let run = async {
        let mut done = Housekeeping::default();
        let today = crate::clock::today();
        match crate::assessment::queue_due_reminders(db, &settings.assessment_reminder_days, today)
            .await
        {
            Ok(queued) => done.due_reminders_queued = queued,
            Err(err) => tracing::error!(error = %err, "assessment due-date reminders"),
        }
        // Every readiness row goes stale at midnight: score the
        // organisation here rather than in the day's first read.
        if let Err(err) = crate::advancement::refresh_everyone(db, &state.frameworks, today).await {
            tracing::warn!(error = %err, "could not refresh the readiness read model");
        }
        if let Err(err) = crate::auth::throttle::prune(db).await {
            tracing::warn!(error = %err, "could not prune login attempts");
        }
        if let Some(days) = settings.audit_retention_days {
            let cutoff = crate::clock::now() - chrono::Duration::days(i64::from(days));
            match audit::retention::prune(db, cutoff).await {
                Ok(0) => {}
                Ok(removed) => {
                    done.audit_entries_pruned = removed;
                    tracing::info!(removed, "pruned the audit trail");
                }
                // A server running as a role without DELETE on the trail
                // (see the README) cannot prune; the owner runs
                // `skillpath audit prune` instead.
                Err(err) => tracing::warn!(
                    error = %err,
                    "audit retention could not prune: run `skillpath audit prune` as the database owner"
                ),
            }
        }
        done
    };
    state.clock.clone().scope(audit::within(scope, run)).await
}

/// What one run of `housekeeping` did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Housekeeping {
    pub due_reminders_queued: u64,
    pub audit_entries_pruned: u64,
}

/// Everything but the listener: used by `serve` and by the CLI commands that
/// work on the database directly.
pub async fn build_state(settings: Settings) -> anyhow::Result<AppState> {
    build_state_with_clock(settings, Clock::system()).await
}

async fn build_state_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<AppState> {
    let statements = db::StatementCounter::default();
    let database = db::connect_counted(&settings, statements.clone())
        .await
        .context("cannot open the database")?;
    let startup = db::StartupLock::acquire(&settings, &database)
        .await
        .context("cannot take the start-up lock")?;
    let setup = startup.connection();
    db::migrate(setup)
        .await
        .context("cannot apply migrations")?;
    let secret = token_secret(&settings)?;
    let audit_key = Arc::new(AuditKey::from_secret(
        settings.audit_key.as_ref().unwrap_or(&secret),
    ));
    audit::install_default_key(audit_key.clone());
    let metrics = Arc::new(crate::metrics::Metrics::new());
    let auth = Auth {
        login_failures: metrics.login_failures.clone(),
        hasher: PasswordHasher::new(settings.password_hashing)?,
        keys: TokenKeys::new(
            &secret,
            chrono::Duration::minutes(settings.access_token_minutes),
        ),
        refresh_ttl: chrono::Duration::days(settings.refresh_token_days),
        reach: Default::default(),
    };
    let startup_scope = AuditScope::system(audit_key.clone(), "startup");
    audit::within(startup_scope, async {
        if let (Some(email), Some(password)) = (&settings.admin_email, &settings.admin_password) {
            let created = people::ensure_bootstrap_admin(
                setup,
                &auth.hasher,
                email,
                password.expose(),
                &settings.admin_name,
            )
            .await
            .map_err(|e| anyhow::anyhow!("bootstrap admin: {e}"))?;
            if created {
                tracing::info!(email = %email, "created the bootstrap admin");
            }
        }
        if settings.load_default_framework
            && framework::seed_default_if_empty(setup)
                .await
                .map_err(|e| anyhow::anyhow!("default framework: {e}"))?
        {
            tracing::info!("loaded the default operations framework as version 1");
        }
        anyhow::Ok(())
    })
    .await?;
    startup
        .release()
        .await
        .context("cannot release the start-up lock")?;
    Ok(AppState {
        db: database,
        auth,
        frameworks: Arc::new(FrameworkStore::default()),
        preparation: graphql::prepare::Preparation::new(settings.introspection_enabled()),
        settings: Arc::new(settings),
        statements,
        metrics,
        audit_key,
        clock,
    })
}

/// The configured secret, or in development one generated once and kept in
/// the data folder so tokens survive a restart.
fn token_secret(settings: &Settings) -> anyhow::Result<Secret> {
    if let Some(secret) = &settings.token_secret {
        return Ok(secret.clone());
    }
    anyhow::ensure!(
        settings.env != Environment::Production,
        "SKILLPATH_TOKEN_SECRET is required in production"
    );
    let path = settings.data_dir().join("skillpath-token.secret");
    if let Ok(existing) = std::fs::read_to_string(&path)
        && existing.trim().len() >= 32
    {
        return Ok(Secret::new(existing.trim()));
    }
    let secret = tokens::generate_secret();
    write_private(&path, secret.expose())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tracing::warn!(
        path = %path.display(),
        "no SKILLPATH_TOKEN_SECRET set: generated one for development; set it in production"
    );
    Ok(secret)
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
