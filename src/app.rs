//! Builds the running application: database, state, schema and routes; and
//! serves them until a shutdown signal, finishing requests in flight.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use async_graphql_poem::{GraphQLRequest, GraphQLResponse};
use poem::http::{HeaderValue, StatusCode};
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use poem::web::{Data, Json, Redirect, RemoteAddr};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, Server, get, handler};
use sea_orm::DatabaseConnection;

use crate::auth::Locale;
use crate::auth::password::PasswordHasher;
use crate::auth::session::Auth;
use crate::auth::tokens::{self, TokenKeys};
use crate::config::{Environment, Secret, Settings};
use crate::framework::{self, FrameworkStore};
use crate::graphql::context::{Caller, RequestContext};
use crate::graphql::error::Code;
use crate::graphql::loaders::Loaders;
use crate::graphql::{self, AppSchema};
use crate::telemetry::REQUEST_ID;
use crate::{db, error::Error, people};

/// What every request can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub auth: Auth,
    pub frameworks: Arc<FrameworkStore>,
    pub settings: Arc<Settings>,
    /// SQL statements run so far (see `db::StatementCounter`).
    pub statements: db::StatementCounter,
}

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
        settings.validate()?;
        let state = build_state(settings).await?;
        let acceptor = TcpListener::bind(state.settings.listen.as_str())
            .into_acceptor()
            .await
            .with_context(|| format!("cannot listen on {}", state.settings.listen))?;
        let addr = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .context("listener has no address")?;
        let schema = graphql::schema_builder().data(state.clone()).finish();
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
        let app = routes(self.schema, self.state);
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
        let reminders = crate::certification::spawn_reminder_job(
            state.db.clone(),
            state.frameworks.clone(),
            settings.certification_reminder_days.clone(),
            every,
        );
        let db = state.db.clone();
        let pruning = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                if let Err(err) = crate::auth::throttle::prune(&db).await {
                    tracing::warn!(error = %err, "could not prune login attempts");
                }
            }
        });
        let (stop_mail, mail_stop) = tokio::sync::watch::channel(false);
        let mail = crate::mail::MailWorker::from_settings(state.db.clone(), settings)?.spawn(
            Duration::from_secs(settings.mail_poll_seconds.max(1)),
            mail_stop,
        );
        Ok(Self {
            jobs: vec![reminders, pruning],
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

/// Everything but the listener: used by `serve` and by the CLI commands that
/// work on the database directly.
pub async fn build_state(settings: Settings) -> anyhow::Result<AppState> {
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
    let auth = Auth {
        hasher: PasswordHasher::new(settings.password_hashing)?,
        keys: TokenKeys::new(
            &secret,
            chrono::Duration::minutes(settings.access_token_minutes),
        ),
        refresh_ttl: chrono::Duration::days(settings.refresh_token_days),
    };
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
    startup
        .release()
        .await
        .context("cannot release the start-up lock")?;
    Ok(AppState {
        db: database,
        auth,
        frameworks: Arc::new(FrameworkStore::default()),
        settings: Arc::new(settings),
        statements,
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

fn routes(schema: AppSchema, state: AppState) -> impl Endpoint {
    Route::new()
        .at("/graphql", get(graphql_handler).post(graphql_handler))
        .at("/graphiql", get(crate::graphiql::page))
        .at("/graphiql/", get(crate::graphiql::page))
        .at("/graphiql/assets/:name", get(crate::graphiql::asset))
        .at("/health", get(health))
        .nest("/exports", crate::exports::http::routes())
        .nest("/charts", crate::charts::http::routes())
        .at("/", get(root))
        .data(schema)
        .data(state)
        .around(|ep, req| async move {
            let request_id = request_id(&req);
            let method = req.method().clone();
            // The path only: a GET query string can carry GraphQL variables.
            let path = req.uri().path().to_owned();
            let started = Instant::now();
            let result = REQUEST_ID.scope(request_id.clone(), ep.call(req)).await;
            let mut response = match result {
                Ok(response) => response.into_response(),
                Err(err) => err.into_response(),
            };
            if let Ok(value) = HeaderValue::from_str(&request_id) {
                response.headers_mut().insert("x-request-id", value);
            }
            tracing::info!(
                request_id = %request_id,
                method = %method,
                path = %path,
                status = response.status().as_u16(),
                latency_ms = started.elapsed().as_secs_f64() * 1000.0,
                "request"
            );
            Ok(response)
        })
}

/// A caller-supplied id is kept when it is short and plain, so logs join up
/// across a proxy; anything else gets a fresh one.
fn request_id(req: &Request) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64)
        .filter(|v| {
            v.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

#[handler]
async fn graphql_handler(
    req: &Request,
    remote: &RemoteAddr,
    schema: Data<&AppSchema>,
    state: Data<&AppState>,
    gql: GraphQLRequest,
) -> poem::Result<Response> {
    let mut gql = gql.0;
    // GraphQL over HTTP: GET may only read.
    if req.method() == poem::http::Method::GET && is_mutation(&gql) {
        return Ok(Response::builder()
            .status(StatusCode::METHOD_NOT_ALLOWED)
            .header("allow", "POST")
            .body("mutations must be sent with POST"));
    }
    let caller = match bearer(req) {
        None => Caller::Anonymous,
        Some(token) => match state.auth.authenticate(&state.db, token).await {
            Ok(actor) => Caller::Authenticated(actor),
            Err(Error::Unauthenticated(reason)) => Caller::Refused(reason),
            Err(other) => {
                // The token may be fine: the database did not answer. Logged
                // with its cause; resolvers that need the caller answer
                // SERVICE_UNAVAILABLE.
                tracing::error!(error = ?other, "could not load the caller");
                Caller::Unchecked
            }
        },
    };
    let accept_language = req
        .headers()
        .get("accept-language")
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::from_accept_language);
    let client_addr = remote.as_socket_addr().map(|a| a.ip().to_string());
    gql = gql
        .data(RequestContext {
            caller,
            accept_language,
            client_addr,
            framework: Default::default(),
            signed_in: Default::default(),
        })
        .data(Loaders::new(&state.db));
    let mut response = schema.execute(gql).await;
    // Errors raised before any resolver ran (syntax, unknown fields, wrong
    // argument types, depth or complexity limits) come without a code: they
    // are all the client's input.
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if !has_code {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", Code::BadUserInput.as_str());
        }
    }
    // An outage is the server's condition, not the request's: 503 with
    // Retry-After tells clients and proxies to come back, whatever the body.
    let unavailable = response.errors.iter().any(|e| {
        e.extensions.as_ref().and_then(|ext| ext.get("code"))
            == Some(&async_graphql::Value::from(
                Code::ServiceUnavailable.as_str(),
            ))
    });
    let mut http = GraphQLResponse::from(response).into_response();
    if unavailable {
        http.set_status(StatusCode::SERVICE_UNAVAILABLE);
        http.headers_mut().insert(
            "retry-after",
            HeaderValue::from(crate::graphql::error::RETRY_AFTER_OUTAGE_SECONDS),
        );
    }
    Ok(http)
}

fn bearer(req: &Request) -> Option<&str> {
    let value = req.headers().get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

fn is_mutation(req: &async_graphql::Request) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(&req.query) else {
        return false;
    };
    let selected = req.operation_name.as_deref();
    doc.operations.iter().any(|(name, op)| {
        let chosen = selected.is_none() || name.map(|n| n.as_str()) == selected;
        chosen && op.node.ty != async_graphql::parser::types::OperationType::Query
    })
}

#[handler]
fn root() -> Redirect {
    Redirect::see_other("/graphiql")
}

#[handler]
async fn health(state: Data<&AppState>) -> Response {
    match db::ping(&state.db).await {
        Ok(()) => Json(serde_json::json!({"status": "ok", "database": "ok"})).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable", "database": "unreachable"})),
            )
                .into_response()
        }
    }
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
